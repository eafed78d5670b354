//! The TUI bench's last part (see `benches/tui.rs`): the real app loop
//! following monitor results over a store of 100,000 scopes with a health
//! state each — its CPU, the cost of each health read, and the lag from a
//! state change in the store to the screen.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::proc_usage::process_cpu;
use super::{STORE_INSTANCES, seed_store, state};

/// Health rows in the store for the `n` scopes `seed_store` made: a state
/// and one result each, by SQL like the instances (the monitor's own rounds
/// are measured by `benches/monitor.rs`).
fn seed_health(store: &std::path::Path, n: usize) {
    let mut conn = rusqlite::Connection::open(store).unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..n {
        let scope = if i == 0 {
            "seed".to_string()
        } else {
            format!("tenant-{i:06}")
        };
        tx.execute(
            "INSERT INTO health_states (scope, config_id, state, since, failures, last_ok, \
             last_checked, last_status) VALUES (?1, 'c', 'healthy', '2026-02-27T10:00:00Z', 0, \
             '2026-02-27T10:00:00Z', '2026-02-27T10:00:00Z', 'ok')",
            [&scope],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO health_results (scope, status, http_status, latency_ms, checked_at) \
             VALUES (?1, 'ok', 200, 80, '2026-02-27T10:00:00Z')",
            [&scope],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// The TUI following the monitor at fleet scale, through the real event
/// loop (`run_loop` on a `TestBackend`) over a store of 100,000 scopes with
/// a health state each: for `HEALTH_WINDOW` a monitor result lands every
/// 200 ms (the health mark moves on every change-mark tick) and the
/// selection moves down a row every 100 ms. Prints the CPU the process used
/// in that window, what one full board read, one focus read and one
/// changes read (the states changed since a mark) cost, and then the lag:
/// how long after a scope's state flips in the store the list shows it
/// (`LAG_TRIALS` flips of a visible row, each waited for on the screen).
pub fn health_measurements() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use llmcfg::domain::{InstanceId, Scope};
    use llmcfg::store::SampleQuery;
    use llmcfg::tui::{Observation, run_loop};
    const HEALTH_WINDOW: Duration = Duration::from_secs(20);
    const LAG_TRIALS: usize = 8;

    let dir = tempfile::tempdir().unwrap();
    let global = seed_store(dir.path(), STORE_INSTANCES);
    let store = global.store.clone().unwrap();
    seed_health(&store, STORE_INSTANCES);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (handle, _, _) = llmcfg::cli::open_service(&global).await.unwrap();
        let focus = Scope::Instance(InstanceId::parse("tenant-050000").unwrap());
        let t = Instant::now();
        let board = handle
            .health_board(Some(&focus), 48)
            .await
            .unwrap()
            .unwrap();
        let full = t.elapsed();
        assert_eq!(board.states.len(), STORE_INSTANCES);
        let access = handle.admin().unwrap().health();
        let t = Instant::now();
        let recent = access
            .samples(SampleQuery::Newest {
                scope: focus.clone(),
                limit: 48,
            })
            .await
            .unwrap();
        let one = t.elapsed();
        assert_eq!(recent.len(), 1);
        // One result since the mark: what a tick that saw it reads.
        let before = board.mark - 1;
        let t = Instant::now();
        let changed = handle.health_changes(before).await.unwrap().unwrap();
        let delta = t.elapsed();
        assert_eq!(changed.len(), 1);

        let mut state = state(0);
        state.loading = true;
        let mut app = llmcfg::tui::app::App::new(handle.clone(), state, false, 4);
        let (keys, mut rx) = tokio::sync::mpsc::unbounded_channel::<std::io::Result<Event>>();
        let input = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let (obs_tx, mut obs) = tokio::sync::watch::channel(Observation::default());
        let ui = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            run_loop(&mut terminal, &mut app, input, Some(&obs_tx)).await
        });
        let loaded = format!("Instances ({})", STORE_INSTANCES + 1);
        obs.wait_for(|o| o.text.contains(&loaded) && o.text.contains("healthy"))
            .await
            .unwrap();
        let writer = rusqlite::Connection::open(&store).unwrap();
        let cpu0 = process_cpu();
        let start = Instant::now();
        let mut step = 0u64;
        while start.elapsed() < HEALTH_WINDOW {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let key = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
            keys.send(Ok(Event::Key(key))).unwrap();
            if step.is_multiple_of(2) {
                writer
                    .execute(
                        "INSERT INTO health_results (scope, status, http_status, latency_ms, \
                         checked_at) VALUES ('tenant-000001', 'ok', 200, 80, \
                         '2026-02-27T10:00:00Z')",
                        [],
                    )
                    .unwrap();
            }
            step += 1;
        }
        let cpu = process_cpu() - cpu0;
        let window = start.elapsed();

        // Lag: back to the top, then flip tenant-000001 (visible there)
        // between healthy and failing in the store as the monitor would
        // (its state and a result), timing each until the screen shows it.
        keys.send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Home,
            KeyModifiers::NONE,
        ))))
        .unwrap();
        obs.wait_for(|o| o.text.contains("tenant-000001") && !o.text.contains("failing"))
            .await
            .unwrap();
        let mut lags = Vec::new();
        for trial in 0..LAG_TRIALS {
            let failing = trial % 2 == 0;
            let (state, status) = if failing {
                ("failing", "invalid_key")
            } else {
                ("healthy", "ok")
            };
            // Off the 2 s poll's phase (each trial starts just after a tick
            // showed the last flip), so the flips sample the whole interval.
            tokio::time::sleep(Duration::from_millis(trial as u64 * 700 % 2000)).await;
            let t = Instant::now();
            writer
                .execute(
                    "UPDATE health_states SET state = ?1, last_status = ?2 \
                     WHERE scope = 'tenant-000001'",
                    [state, status],
                )
                .unwrap();
            writer
                .execute(
                    "INSERT INTO health_results (scope, status, http_status, latency_ms, \
                     checked_at) VALUES ('tenant-000001', ?1, 401, 80, '2026-02-27T10:00:00Z')",
                    [status],
                )
                .unwrap();
            obs.wait_for(|o| o.text.contains("failing") == failing)
                .await
                .unwrap();
            lags.push(t.elapsed());
        }
        lags.sort();
        keys.send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        ))))
        .unwrap();
        ui.await.unwrap().unwrap();
        println!(
            "health: one full board read ({STORE_INSTANCES} states): {:.1} ms; \
             one focus read: {:.2} ms; one changes read (one new result): {:.2} ms",
            full.as_secs_f64() * 1e3,
            one.as_secs_f64() * 1e3,
            delta.as_secs_f64() * 1e3
        );
        println!(
            "health: lag from a state flip in the store to the screen over {LAG_TRIALS} \
             flips: min {:.0} ms, median {:.0} ms, max {:.0} ms",
            lags[0].as_secs_f64() * 1e3,
            lags[LAG_TRIALS / 2].as_secs_f64() * 1e3,
            lags[LAG_TRIALS - 1].as_secs_f64() * 1e3
        );
        println!(
            "health: CPU over {:.0} s with a result every 200 ms and a selection step \
             every 100 ms: {:.2} s = {:.1} % of one core",
            window.as_secs_f64(),
            cpu,
            cpu / window.as_secs_f64() * 100.0
        );
    });
}
