//! The rate-limit wait on the `test --all` progress bar, through the real
//! binary in a real pseudo-terminal against a throttled seed server: the
//! superadmin sees why the run pauses, and the run still tests every scope.

mod seed_server;
mod tui_support;

use std::time::Duration;

use seed_server::{ADMIN_TOKEN, RateLimit, Refusal, SeedOptions, SeedServer};
use tui_support::pty::{Pty, Spawn, Store};

const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";

#[test]
fn the_progress_bar_shows_the_servers_rate_limit_wait() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seed = rt.block_on(SeedServer::start(SeedOptions {
        // Two-second windows: the pause stays on screen long enough to see.
        rate_limit: Some(RateLimit {
            per_window: 6,
            window: Duration::from_secs(2),
            answer: Refusal::TooManySeconds,
        }),
        good_keys: vec![KEY.into()],
        ..SeedOptions::default()
    }));
    let ids: Vec<String> = (0..8).map(|i| format!("t{i}")).collect();
    for id in &ids {
        seed.insert(Some(id), "anthropic", "claude-sonnet-4-5", KEY);
    }
    let store = Store::new(&format!(
        "[[instances]]\n{}",
        ids.iter()
            .map(|id| format!("id = \"{id}\"\n"))
            .collect::<Vec<_>>()
            .join("[[instances]]\n")
    ));
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            args: &["--remote", &seed.url, "test", "--all"],
            env: &[("LLMCFG_TOKEN", ADMIN_TOKEN)],
            ..Spawn::default()
        },
    );
    assert_eq!(pty.exit_code(), 0, "{}", pty.contents());
    // The bar is cleared at the end: look at what was drawn, not at the
    // last screen.
    assert!(
        pty.raw_contains(b"the server's rate limit: waiting"),
        "{}",
        String::from_utf8_lossy(&pty.raw())
    );
    let screen = pty.contents();
    assert!(screen.contains("8 tested, 8 ok, 0 failed"), "{screen}");
    pty.assert_never_shown(KEY);
    rt.block_on(seed.stop());
}
