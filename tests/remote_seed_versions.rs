//! `history`, `restore`, `keys` and `keys find` through the real binary
//! against a seed-only server: each says in one line what the server lacks
//! (the `llmcfg serve` extension route it would need) and exits 1.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, KEY2, code, stderr};
use seed_cli::{create, run};
use seed_server::SeedServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_and_key_commands_say_in_one_line_what_is_lacking() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    assert_eq!(code(&create(&env, &seed.url, None, KEY)), 0);
    for (args, stdin, what) in [
        (
            vec!["history"],
            "",
            "this server does not offer version history",
        ),
        (
            vec!["restore", "--version", "1"],
            "",
            "this server does not offer restoring versions",
        ),
        (
            vec!["keys"],
            "",
            "this server does not offer the key-usage map",
        ),
        (
            vec!["keys", "find"],
            "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu\n",
            "this server does not offer key fingerprints",
        ),
    ] {
        let out = run(&env, &seed.url, &args, stdin);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(what), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains(KEY2), "{args:?}: {err}");
    }
    seed.stop().await;
}
