//! A writer killed with SIGKILL mid-stream: the store opens cleanly and holds
//! every write that was acknowledged before the kill.

mod cli_env;
#[path = "support/sigkill.rs"]
mod sigkill;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_env::{Env, KEY, code, stderr};
use sigkill::sigkill_group;

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    // A shell loop of real CLI writes; "ack N" is printed only after the
    // command exited 0, i.e. after the commit was acknowledged.
    let script = format!(
        "i=0; while [ $i -lt 2000 ]; do \
           printf '%s\\n' '{KEY}' | '{bin}' -i w$i create --provider openai --model m$i >/dev/null 2>&1 \
             && echo ack $i; \
           '{bin}' update --model loop$i >/dev/null 2>&1 && echo upd $i; \
           i=$((i+1)); done",
        bin = env!("CARGO_BIN_EXE_llmcfg"),
    );
    let mut child = env
        .std_cmd("bash")
        .arg("-c")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    let mut last_update = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    // Let a good number of writes land, then kill the whole process group,
    // which usually catches a CLI process in the middle of a transaction.
    while acked.len() < 25 && Instant::now() < deadline {
        let line = lines.next().expect("writer ended early").unwrap();
        if let Some(n) = line.strip_prefix("ack ") {
            acked.push(n.parse::<usize>().unwrap());
        } else if let Some(n) = line.strip_prefix("upd ") {
            last_update = Some(n.parse::<usize>().unwrap());
        }
    }
    sigkill_group(&mut child);
    // Drain what was printed before the kill: those writes were acknowledged too.
    for line in lines.map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("ack ") {
            acked.push(n.parse().unwrap());
        } else if let Some(n) = line.strip_prefix("upd ") {
            last_update = Some(n.parse().unwrap());
        }
    }
    assert!(
        acked.len() >= 25,
        "only {} writes acknowledged",
        acked.len()
    );

    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    for n in &acked {
        let view = env.get_json(Some(&format!("w{n}")));
        assert_eq!(
            view["model"],
            format!("m{n}"),
            "acknowledged write w{n} lost"
        );
    }
    // The control plane holds the last acknowledged update or a later one.
    let model = env.get_json(None)["model"].as_str().unwrap().to_string();
    let n: usize = model.trim_start_matches("loop").parse().unwrap_or(0);
    if let Some(last) = last_update {
        assert!(
            n >= last,
            "update {last} acknowledged but store has {model}"
        );
    }
    // And the store keeps working.
    let out = env.run(
        &[
            "-i",
            "after",
            "create",
            "--provider",
            "openai",
            "--model",
            "m",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
