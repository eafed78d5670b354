//! SIGKILL in the middle of `rotate-key` over 1,000 scopes, through the
//! real binary on a real SQLite store, against a fake OpenAI on 127.0.0.1:
//! every scope is left entirely on the old key or entirely on the new one
//! (the sealed key, its fingerprint and its mask agree, checked by testing
//! each stored key against a provider that accepts only the new key), each
//! version chain is intact and ends in the live config, and running the
//! same command again continues the same rotation: the scopes already
//! swapped are reported and not tested again.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/sigkill.rs"]
mod sigkill;

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use cli_env::{Env, KEY2, code, contains_key_fragment, stderr};
use fake_provider::{FakeProvider, Flavor};

const SCOPES: usize = 1000;
const OLD: &str = KEY2;
const NEW: &str = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";

fn db(env: &Env) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_with_flags(
        env.store(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db
}

fn count(env: &Env, sql: &str) -> usize {
    let n: i64 = db(env).query_row(sql, [], |r| r.get(0)).unwrap();
    n as usize
}

async fn run(env: &Arc<Env>, args: &[&str], stdin: &str) -> Output {
    let (env, stdin) = (env.clone(), stdin.to_string());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = env.cmd();
        cmd.current_dir(env.path()).args(&args).env("OLD_KEY", OLD);
        cmd.write_stdin(stdin).output().unwrap()
    })
    .await
    .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

/// Scope → (fingerprint, mask), from the key map.
fn keys(env: &Env) -> BTreeMap<String, (String, String)> {
    let out = env.run(&["--json", "keys"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["scopes"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["instance_id"].as_str().unwrap().to_string(),
                (
                    s["key_fingerprint"].as_str().unwrap().to_string(),
                    s["api_key_masked"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_rotation_leaves_each_scope_old_or_new_and_a_rerun_continues() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[OLD, NEW], &["gpt-4o"]).await;
    let env = Env::new();
    let mut fleet = format!(
        "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nbase_url = \"{}\"\napi_key_env = \"OLD_KEY\"\n",
        fake.base_url()
    );
    for i in 0..SCOPES {
        fleet.push_str(&format!("[instances.t{i:04}]\n"));
    }
    std::fs::write(env.path().join("fleet.toml"), fleet).unwrap();
    let env = Arc::new(env);
    let out = run(&env, &["apply", "-f", "fleet.toml", "--yes"], "").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let before = keys(&env);
    assert_eq!(before.len(), SCOPES);
    let (old_fp, old_mask) = before.values().next().unwrap().clone();

    let mut child = env
        .std_cmd(env!("CARGO_BIN_EXE_llmcfg"))
        .args([
            "rotate-key",
            "--fingerprint",
            &old_fp,
            "--concurrency",
            "64",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{NEW}\n").as_bytes()).unwrap();
    }
    sigkill::sigkill_once(&mut child, "the rotation", "swapped", || {
        count(&env, "SELECT COUNT(*) FROM rotation_scopes") > 0
    });

    let swapped = count(&env, "SELECT COUNT(*) FROM rotation_scopes");
    assert!(
        swapped < SCOPES,
        "the rotation finished before the kill; raise SCOPES"
    );
    let after = keys(&env);
    assert_eq!(after.len(), SCOPES);
    let new_mask = llmcfg::domain::mask_key(NEW);
    let on_new: Vec<&String> = after
        .iter()
        .filter(|(_, (fp, mask))| {
            if *fp == old_fp {
                assert_eq!(*mask, old_mask);
                false
            } else {
                assert_eq!(*mask, new_mask, "fingerprint and mask disagree");
                true
            }
        })
        .map(|(id, _)| id)
        .collect();
    assert_eq!(on_new.len(), swapped, "each swap recorded its scope");

    // The sealed keys agree with their fingerprints: a provider that takes
    // only the new key accepts exactly the scopes on the new fingerprint.
    fake.configure(|c| c.valid_keys = vec![NEW.to_string()]);
    let tested = run(&env, &["--json", "test", "--all"], "").await;
    let tested = json(&tested);
    for r in tested["results"].as_array().unwrap() {
        let id = r["instance_id"].as_str().unwrap().to_string();
        let ok = r["result"]["success"].as_bool().unwrap();
        assert_eq!(ok, on_new.contains(&&id), "{id}: {r}");
    }

    // Version chains: 1..n without a gap, the newest is the live key.
    let conn = db(&env);
    let mut stmt = conn
        .prepare(
            "SELECT v.scope, COUNT(*), MIN(v.version), MAX(v.version),
                    (SELECT key_fingerprint FROM config_versions w
                      WHERE w.scope = v.scope ORDER BY version DESC LIMIT 1),
                    (SELECT key_fingerprint FROM configs c WHERE c.scope = v.scope)
             FROM config_versions v GROUP BY v.scope",
        )
        .unwrap();
    let chains: Vec<(String, i64, i64, i64, String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(chains.len(), SCOPES);
    for (scope, n, min, max, newest, live) in &chains {
        assert_eq!((*min, *max), (1, *n), "{scope}: a gap in its versions");
        assert_eq!(
            newest, live,
            "{scope}: the newest version is not the live one"
        );
    }
    drop(stmt);
    drop(conn);

    // The same command again continues the rotation: only the scopes still
    // on the old key are tested and swapped.
    fake.configure(|c| c.valid_keys = vec![OLD.to_string(), NEW.to_string()]);
    fake.reset_counts();
    let out = run(
        &env,
        &[
            "--json",
            "rotate-key",
            "--fingerprint",
            &old_fp,
            "--concurrency",
            "64",
        ],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        fake.requests(),
        SCOPES - swapped,
        "already swapped scopes were tested again"
    );
    let by = |o: &str| {
        report["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["outcome"] == o)
            .count()
    };
    assert_eq!(by("already_rotated"), swapped);
    assert_eq!(by("swapped"), SCOPES - swapped);
    assert_eq!(
        count(&env, "SELECT COUNT(*) FROM rotations"),
        1,
        "one rotation, continued"
    );
    assert_eq!(count(&env, "SELECT COUNT(*) FROM rotation_scopes"), SCOPES);

    // …and its rollback restores all of them.
    let id = report["rotation_id"].as_str().unwrap().to_string();
    let back = run(&env, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert!(keys(&env).values().all(|(fp, _)| *fp == old_fp));

    let mut seen = Vec::new();
    seen.extend(std::fs::read(env.log_file()).unwrap_or_default());
    for f in env.store_files() {
        seen.extend(std::fs::read(f).unwrap());
    }
    for key in [OLD, NEW] {
        assert!(!contains_key_fragment(&seen, key), "{key} leaked");
    }
}
