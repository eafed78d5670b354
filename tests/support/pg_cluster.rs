//! A PostgreSQL server for tests, and one fresh database per test.
//!
//! The tests that need it are the PostgreSQL suite, behind the opt-in
//! `LLMCFG_TEST_POSTGRES=1` (build.rs): without it they are reported as
//! ignored, naming the variable; with it they run, and fail as below if no
//! server can be had.
//!
//! With `LLMCFG_TEST_PG_URL` set (`.ci/run` may export one), tests use that
//! server. Otherwise the first test in a binary starts a throwaway cluster:
//! `initdb` and `pg_ctl` into a temp dir, listening on a free loopback port,
//! run as the `postgres` system user when the tests run as root (PostgreSQL
//! refuses root). An `atexit` hook stops it and removes the directory when
//! the test binary exits. With neither a URL nor the binaries, the test
//! fails with instructions instead of passing silently.
//!
//! [`start_tls_cluster`] starts a second, private cluster with `ssl=on` and a
//! `pg_hba.conf` that accepts TCP clients over TLS only (`hostssl`), for the
//! TLS tests; it is always local, whatever `LLMCFG_TEST_PG_URL` says.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};

/// The variable naming an existing server to test against.
pub const URL_VAR: &str = "LLMCFG_TEST_PG_URL";

/// A database created for one test, on the shared test server.
pub struct TestDb {
    /// Connection URL of the database.
    pub url: String,
    /// Its name.
    pub name: String,
}

/// A new, empty database on the test server.
pub fn fresh_db() -> TestDb {
    let server = server_url();
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "llmcfg_t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        uuid::Uuid::new_v4().simple()
    );
    admin(&server, &format!("CREATE DATABASE {name}"));
    let mut url = url::Url::parse(&server).expect("test server URL parses");
    url.set_path(&format!("/{name}"));
    TestDb {
        url: url.to_string(),
        name,
    }
}

/// Ends every server connection to `db`, as a database restart would.
pub fn terminate_connections(db: &TestDb) {
    admin(
        &server_url(),
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name
        ),
    );
}

/// The server's URL: `LLMCFG_TEST_PG_URL`, or a cluster started here.
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => start_cluster(),
    })
    .clone()
}

/// A PostgreSQL client program (`pg_dump`, `psql`): from the server's bin
/// directory when known, else `PATH`.
pub fn client_program(name: &str) -> PathBuf {
    find_program(name).unwrap_or_else(|| PathBuf::from(name))
}

/// Runs one statement on the server's `postgres` database.
pub fn admin(server: &str, sql: &str) {
    let server = server.to_string();
    let sql = sql.to_string();
    // A thread of its own: callers may be inside a Tokio runtime.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
            tokio::spawn(conn);
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    })
    .join()
    .expect("admin statement ran");
}

fn find_program(name: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    // Debian keeps the server binaries off PATH, per major version.
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev().map(|v| v.join("bin").join(name)));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
    }
    candidates.into_iter().find(|p| p.is_file())
}

#[derive(Clone)]
struct Cluster {
    dir: PathBuf,
    pg_ctl: PathBuf,
    user: Option<(u32, u32)>,
}

/// Every cluster this test binary started, stopped together at exit.
static CLUSTERS: Mutex<Vec<Cluster>> = Mutex::new(Vec::new());

extern "C" fn stop_clusters() {
    let clusters = CLUSTERS.lock().unwrap_or_else(|p| p.into_inner());
    for c in clusters.iter() {
        let mut cmd = c.command(&c.pg_ctl);
        cmd.arg("-D")
            .arg(c.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = cmd.output();
        let _ = std::fs::remove_dir_all(&c.dir);
    }
}

impl Cluster {
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_remove("PGDATA").env("LC_ALL", "C");
        if let Some((uid, gid)) = self.user {
            use std::os::unix::process::CommandExt;
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    /// Writes `contents` into the cluster directory as `name`, readable by
    /// the server user only (PostgreSQL refuses a private key that others
    /// can read, or that belongs to another user unless that is root).
    fn write_private(&self, name: &str, contents: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        if let Some((uid, gid)) = self.user {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        }
        path
    }
}

/// A certificate chain and private key for a TLS cluster, PEM.
pub struct ServerTls {
    /// The server certificate (and any intermediates).
    pub cert_pem: String,
    /// Its private key.
    pub key_pem: String,
}

/// A running cluster that takes TCP clients over TLS only.
pub struct TlsCluster {
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    /// The directory of its Unix socket, the way in without TLS for setup.
    socket_dir: PathBuf,
}

impl TlsCluster {
    /// A new, empty database; created over the Unix socket, since TCP
    /// without TLS is refused.
    pub fn create_db(&self) -> String {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "llmcfg_tls{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        admin(
            &self.socket_url("postgres"),
            &format!("CREATE DATABASE {name}"),
        );
        name
    }

    /// The cluster's directory (removed at exit), for files a test needs.
    pub fn dir(&self) -> &Path {
        &self.socket_dir
    }

    /// A URL to `db` over the Unix socket (no TLS), for test setup.
    pub fn socket_url(&self, db: &str) -> String {
        let dir =
            url::form_urlencoded::byte_serialize(self.socket_dir.to_str().unwrap().as_bytes())
                .collect::<String>();
        format!("postgres://postgres@/{db}?host={dir}&port={}", self.port)
    }
}

/// Starts a private cluster with `ssl=on`, serving `tls`, whose
/// `pg_hba.conf` lets TCP clients in over TLS only (`hostssl`) and keeps the
/// Unix socket open for setup.
pub fn start_tls_cluster(tls: &ServerTls) -> TlsCluster {
    let hba = "local all all trust\n\
               hostssl all all 127.0.0.1/32 trust\n\
               hostssl all all ::1/128 trust\n";
    let started = start_with(|cluster| {
        let cert = cluster.write_private("server.crt", &tls.cert_pem);
        let key = cluster.write_private("server.key", &tls.key_pem);
        let hba = cluster.write_private("pg_hba.conf", hba);
        format!(
            " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={} -c hba_file={}",
            cert.display(),
            key.display(),
            hba.display()
        )
    });
    TlsCluster {
        port: started.port,
        socket_dir: started.dir,
    }
}

/// A cluster just started: its directory (also its socket directory) and port.
struct Started {
    dir: PathBuf,
    port: u16,
}

fn start_cluster() -> String {
    let started = start_with(|_| String::new());
    format!("postgres://postgres@127.0.0.1:{}/postgres", started.port)
}

/// Runs `initdb` and `pg_ctl start`; `extra` may write files into the
/// cluster directory and returns more server options (` -c key=value`).
fn start_with(extra: impl FnOnce(&Cluster) -> String) -> Started {
    let (Some(initdb), Some(pg_ctl)) = (find_program("initdb"), find_program("pg_ctl")) else {
        panic!(
            "PostgreSQL tests need a server: set {URL_VAR}=postgres://USER@HOST:PORT/postgres \
             (a role that may CREATE DATABASE), or install PostgreSQL's server binaries \
             (Debian: apt-get install postgresql) so the tests can start a throwaway cluster"
        );
    };
    let user = if unsafe { libc::geteuid() } == 0 {
        Some(postgres_user())
    } else {
        None
    };
    // The `postgres` user must reach the directory: a root-only $TMPDIR
    // would hide it, so as root use /tmp itself.
    let base = if user.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!(
        "llmcfg-pg-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir(&dir).unwrap();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
    }
    let cluster = Cluster {
        dir: dir.clone(),
        pg_ctl: pg_ctl.clone(),
        user,
    };
    register(&cluster);
    let data = dir.join("data");
    let out = cluster
        .command(&initdb)
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let extra_options = extra(&cluster);
    // A free port can be taken between our probe and the server's bind:
    // retry a few times with a new one.
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let out = cluster
            .command(&pg_ctl)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
                 -c max_connections=200 -c fsync=off{extra_options}",
                dir.display()
            ))
            .args(["-w", "-t", "60", "start"])
            .output()
            .unwrap();
        if out.status.success() {
            return Started { dir, port };
        }
    }
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    panic!("pg_ctl could not start the test cluster:\n{log}");
}

/// Records `cluster` for the exit hook, registered once.
fn register(cluster: &Cluster) {
    static HOOK: Once = Once::new();
    // SAFETY: registering a plain extern "C" fn with atexit has no
    // preconditions; it runs when the test harness calls `exit`.
    HOOK.call_once(|| unsafe {
        libc::atexit(stop_clusters);
    });
    CLUSTERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(cluster.clone());
}

/// The uid and gid of the `postgres` system user.
fn postgres_user() -> (u32, u32) {
    let name = std::ffi::CString::new("postgres").unwrap();
    // SAFETY: getpwnam returns a pointer into static storage or null; it is
    // read at once, before any other passwd call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(
        !pw.is_null(),
        "running as root, and there is no `postgres` user to run the test cluster as \
         (PostgreSQL refuses root); install Debian's postgresql package, which creates it"
    );
    unsafe { ((*pw).pw_uid, (*pw).pw_gid) }
}
