//! SIGKILL in the middle of a scope-by-scope apply, through the real binary
//! on a real SQLite store: every scope is left entirely old (old model, old
//! key) or entirely new (both changed, with its audit entry), never half;
//! and running the same apply again finishes the job, after which the plan
//! is clean.

mod cli_env;
#[path = "support/sigkill.rs"]
mod sigkill;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::Duration;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};
use sigkill::sigkill_once;

/// Scopes in the fleet: enough that the apply is still running when the
/// first of its writes is seen.
const SCOPES: usize = 600;

fn fleet_text(model: &str, key_file: &str) -> String {
    let mut text = format!(
        "[defaults]\nprovider = \"openai\"\nmodel = \"{model}\"\napi_key_file = \"{key_file}\"\n"
    );
    for i in 0..SCOPES {
        text.push_str(&format!("[instances.t{i:04}]\n"));
    }
    text
}

fn write_key(env: &Env, name: &str, key: &str) {
    let path = env.path().join(name);
    std::fs::write(&path, key).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn apply(env: &Env, file: &str) -> std::process::Output {
    env.cmd()
        .current_dir(env.path())
        .args(["apply", "-f", file, "--yes"])
        .write_stdin("")
        .output()
        .unwrap()
}

/// Audit entries written by applies of `file`, read straight from the store.
fn fleet_writes(env: &Env, file: &str) -> usize {
    let db = rusqlite::Connection::open_with_flags(
        env.store(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE actor LIKE ?1",
            [format!("fleet:{file}@%")],
            |r| r.get(0),
        )
        .unwrap();
    n as usize
}

#[test]
fn sigkill_mid_apply_leaves_each_scope_old_or_new_and_a_rerun_converges() {
    let env = Env::new();
    write_key(&env, "old.key", KEY);
    write_key(&env, "new.key", KEY2);
    std::fs::write(env.path().join("old.toml"), fleet_text("m-old", "old.key")).unwrap();
    std::fs::write(env.path().join("new.toml"), fleet_text("m-new", "new.key")).unwrap();
    let out = apply(&env, "old.toml");
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut child = env
        .std_cmd(env!("CARGO_BIN_EXE_llmcfg"))
        .current_dir(env.path())
        .args(["apply", "-f", "new.toml", "--yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    sigkill_once(&mut child, "the apply", "wrote", || {
        fleet_writes(&env, "new.toml") > 0
    });

    let written = fleet_writes(&env, "new.toml");
    assert!(
        written < SCOPES,
        "the apply finished before the kill ({written} writes); raise SCOPES"
    );
    let list = env.run(&["--json", "instances"], "");
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let mask_of = llmcfg::domain::mask_key;
    let (mut old, mut new) = (0, 0);
    for s in list.iter().filter(|s| s["config"].is_object()) {
        let c = &s["config"];
        let state = (
            c["model"].as_str().unwrap(),
            c["api_key_masked"].as_str().unwrap(),
        );
        if state == ("m-old", mask_of(KEY).as_str()) {
            old += 1;
        } else if state == ("m-new", mask_of(KEY2).as_str()) {
            new += 1;
        } else {
            panic!("{} is half written: {state:?}", s["instance_id"]);
        }
    }
    assert_eq!(old + new, SCOPES);
    assert_eq!(
        new, written,
        "every new scope has its audit entry, and only those"
    );

    let out = apply(&env, "new.toml");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("Apply: {old} applied, 0 skipped, 0 failed")),
        "the rerun writes exactly what was left: {}",
        text.lines().last().unwrap_or_default()
    );
    assert_eq!(fleet_writes(&env, "new.toml"), SCOPES);
    let plan = env
        .cmd()
        .current_dir(env.path())
        .args([
            "plan",
            "-f",
            "new.toml",
            "--resolve-keys",
            "--detailed-exitcode",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
}
