//! The plaintext key never lands anywhere it could leak: not in the SQLite
//! file, its WAL or journal (scanned after writes and after a checkpoint), not
//! in stdout, stderr or the trace-level log file.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr};

fn scan_store(env: &Env, what: &str) {
    let files = env.store_files();
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        for key in [KEY, KEY2] {
            assert!(
                !contains_key_fragment(&bytes, key),
                "{what}: a fragment of the key is in {}",
                f.display()
            );
        }
    }
}

#[test]
fn store_files_never_hold_the_plaintext_key() {
    let env = Env::new();
    env.create(None, "anthropic", "claude-sonnet-4-5", KEY);
    // An open connection keeps SQLite from folding the WAL back into the
    // main file when each CLI process exits, so the WAL itself is scanned.
    let holder = rusqlite::Connection::open(env.store()).unwrap();
    holder
        .query_row("SELECT COUNT(*) FROM configs", [], |r| r.get::<_, i64>(0))
        .unwrap();
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    let out = env.run(
        &[
            "-i",
            "acme",
            "update",
            "--api-key-stdin",
            "--model",
            "gpt-4.1",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let wal = env.store().with_extension("db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL holds the writes"
    );
    scan_store(&env, "after writes");
    holder
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(holder);
    scan_store(&env, "after a checkpoint");
    // And the sealed key really is there (the scan is not vacuous).
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let len: i64 = conn
        .query_row(
            "SELECT length(sealed_key) FROM configs WHERE scope = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(len as usize > KEY.len());
}

#[test]
fn trace_logs_and_outputs_never_hold_the_key() {
    let env = Env::new();
    let mut seen = Vec::new();
    for (args, stdin) in [
        (
            vec![
                "create",
                "--provider",
                "anthropic",
                "--model",
                "claude-sonnet-4-5",
            ],
            format!("{KEY}\n"),
        ),
        (vec!["--json", "get"], String::new()),
        (vec!["get"], String::new()),
        (
            vec!["update", "--provider", "openai", "--api-key-stdin"],
            format!("{KEY2}\n"),
        ),
        (vec!["update", "--model", "gpt-4.1"], String::new()),
        (vec!["--json", "instances"], String::new()),
        (vec!["instances"], String::new()),
        (vec!["--json", "audit", "--all"], String::new()),
        // A rejected key must not be echoed back either.
        (
            vec!["-i", "t", "create", "--provider", "openai", "--model", "m"],
            format!("{KEY}\u{7}\n"),
        ),
        (
            vec!["create", "--provider", "openai", "--model", "m"],
            format!("{KEY}\n"),
        ),
    ] {
        let out = env.run(&args, &stdin);
        seen.extend_from_slice(&out.stdout);
        seen.extend_from_slice(&out.stderr);
    }
    let log = std::fs::read(env.log_file()).expect("trace logging writes the log file");
    assert!(!log.is_empty());
    for key in [KEY, KEY2] {
        assert_eq!(
            cli_env::key_fragment_in(&seen, key),
            None,
            "key fragment in stdout/stderr"
        );
        assert_eq!(
            cli_env::key_fragment_in(&log, key),
            None,
            "key fragment in the log file"
        );
    }
}

#[test]
fn debug_output_of_inputs_is_redacted() {
    let config =
        llmcfg::domain::NewConfig::new("openai", "gpt-4o", llmcfg::domain::ApiKey::new(KEY));
    let patch = llmcfg::domain::ConfigPatch {
        api_key: Some(llmcfg::domain::ApiKey::new(KEY2)),
        ..Default::default()
    };
    let dbg = format!("{config:?} {config:#?} {patch:?}");
    assert!(!dbg.contains(&KEY[8..]), "{dbg}");
    assert!(!dbg.contains(&KEY2[9..]), "{dbg}");
    assert!(dbg.contains("[REDACTED]"));
}
