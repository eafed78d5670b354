//! The writer's group commit on a real SQLite file: jobs queued together
//! share one transaction, each in its own savepoint; a failing job rolls
//! back only itself and gets its own error; a job marked to run alone runs
//! outside any group, in arrival order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::StoreError;
use super::worker::{Conn, Mode, Serving, Worker};

/// What a test job saw and did.
#[derive(Debug, PartialEq)]
struct Seen {
    /// A transaction was already open when the job began: it ran in a group.
    grouped: bool,
}

async fn writer(path: &std::path::Path) -> Worker {
    let path = path.to_path_buf();
    Worker::spawn("test-w", Serving::Groups, move || {
        let conn = super::connect(&path)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")?;
        Ok(conn)
    })
    .await
    .unwrap()
}

fn insert(c: &mut Conn, key: &str) -> Result<Seen, StoreError> {
    let grouped = !c.conn.is_autocommit();
    let tx = c.begin()?;
    tx.execute("INSERT INTO t (k) VALUES (?1)", [key])?;
    tx.commit()?;
    Ok(Seen { grouped })
}

/// Holds the writer thread until the returned sender is dropped or sent to,
/// so that the jobs queued meanwhile are drained as one group.
fn hold(worker: &Arc<Worker>) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (gate, wait) = std::sync::mpsc::channel::<()>();
    let w = worker.clone();
    let held = tokio::spawn(async move {
        w.write(Mode::Group, move |_| {
            let _ = wait.recv();
            Ok::<(), StoreError>(())
        })
        .await
        .unwrap();
    });
    (gate, held)
}

/// Lets every spawned task run up to its await, so its job is queued.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

fn stored(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT k FROM t ORDER BY k").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_job_rolls_back_only_itself_and_gets_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let worker = Arc::new(writer(&path).await);
    let (gate, held) = hold(&worker);
    settle().await;
    let mut jobs = Vec::new();
    for i in 0..10 {
        let w = worker.clone();
        jobs.push(tokio::spawn(async move {
            w.write(Mode::Group, move |c| match i {
                // Writes inside its savepoint, then fails: its row must go.
                3 => {
                    let tx = c.begin()?;
                    tx.execute("INSERT INTO t (k) VALUES ('k3')", [])?;
                    Err(StoreError::AlreadyExists)
                }
                // A real constraint failure from SQLite (job 0 wrote k0).
                6 => insert(c, "k0"),
                _ => insert(c, &format!("k{i}")),
            })
            .await
        }));
    }
    settle().await;
    gate.send(()).unwrap();
    held.await.unwrap();
    let mut results = Vec::new();
    for job in jobs {
        results.push(job.await.unwrap());
    }
    for (i, result) in results.iter().enumerate() {
        match i {
            3 => assert!(
                matches!(result, Err(StoreError::AlreadyExists)),
                "job 3: {result:?}"
            ),
            6 => assert!(
                matches!(result, Err(StoreError::Sqlite(e)) if e.to_string().contains("UNIQUE")),
                "job 6: {result:?}"
            ),
            _ => assert_eq!(result.as_ref().unwrap(), &Seen { grouped: true }, "job {i}"),
        }
    }
    drop(worker);
    // Reopened from the file: every neighbour committed, the failures did not.
    assert_eq!(
        stored(&path),
        ["k0", "k1", "k2", "k4", "k5", "k7", "k8", "k9"]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_alone_in_the_queue_runs_in_its_own_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let worker = writer(&path).await;
    let seen = worker.write(Mode::Group, |c| insert(c, "solo")).await;
    assert_eq!(seen.unwrap(), Seen { grouped: false });
    drop(worker);
    assert_eq!(stored(&path), ["solo"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_marked_alone_runs_outside_the_group_in_arrival_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let worker = Arc::new(writer(&path).await);
    let order = Arc::new(Mutex::new(Vec::new()));
    let (gate, held) = hold(&worker);
    settle().await;
    let mut jobs = Vec::new();
    for i in 0..7 {
        let (w, order) = (worker.clone(), order.clone());
        jobs.push(tokio::spawn(async move {
            if i == 3 {
                // VACUUM fails inside any transaction: it succeeds only alone.
                w.write(Mode::Alone, move |c| {
                    order.lock().unwrap().push(i);
                    let grouped = !c.conn.is_autocommit();
                    c.conn.execute_batch("VACUUM;")?;
                    Ok::<Seen, StoreError>(Seen { grouped })
                })
                .await
            } else {
                w.write(Mode::Group, move |c| {
                    order.lock().unwrap().push(i);
                    insert(c, &format!("k{i}"))
                })
                .await
            }
        }));
        // Queue them in this order.
        tokio::task::yield_now().await;
    }
    settle().await;
    gate.send(()).unwrap();
    held.await.unwrap();
    let mut results = Vec::new();
    for job in jobs {
        results.push(job.await.unwrap().unwrap());
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4, 5, 6]);
    let grouped: Vec<bool> = results.iter().map(|s| s.grouped).collect();
    assert_eq!(grouped, [true, true, true, false, true, true, true]);
    drop(worker);
    assert_eq!(stored(&path), ["k0", "k1", "k2", "k4", "k5", "k6"]);
}
