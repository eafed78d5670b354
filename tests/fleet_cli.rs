//! The fleet commands driven through the real binary against a real SQLite
//! store: export never shows a key, plan shows old → new and key changes by
//! fingerprint, apply asks, converges and audits the file, drift summarises.

mod cli_env;

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};

/// A third key, for a tenant created from the fleet file.
const KEY3: &str = "sk-proj-Pq4Wx8Mn2Zt6Yc0Rb7Lk3Hv9Gd5Js1FaUe";

fn write(env: &Env, name: &str, text: &str) -> std::path::PathBuf {
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn fleet(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = env.cmd();
    cmd.current_dir(env.path()).args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.write_stdin("").output().unwrap()
}

fn assert_no_keys(out: &Output) {
    for key in [KEY, KEY2, KEY3] {
        assert!(
            !contains_key_fragment(&out.stdout, key) && !contains_key_fragment(&out.stderr, key),
            "a key leaked: {}{}",
            stdout(out),
            stderr(out)
        );
    }
}

/// Control plane openai/gpt-4o with KEY; tenant acme anthropic with KEY2.
fn seeded() -> Env {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    env.create(Some("acme"), "anthropic", "claude-sonnet-4-5", KEY2);
    env
}

/// The fingerprint `key` has in `env`'s store (keyed by the store's own
/// fingerprint key), from `keys find`.
fn fp_of(env: &Env, key: &str) -> String {
    let out = env.run(&["--json", "keys", "find"], &format!("{key}\n"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["key_fingerprint"].as_str().unwrap().to_string()
}

#[test]
fn export_has_fingerprints_and_masks_never_keys_and_plans_clean() {
    let env = seeded();
    let toml_out = fleet(&env, &["export"], &[]);
    assert_eq!(code(&toml_out), 0, "{}", stderr(&toml_out));
    assert_no_keys(&toml_out);
    let text = stdout(&toml_out);
    assert!(text.contains(&fp_of(&env, KEY)), "{text}");
    assert!(text.contains(&fp_of(&env, KEY2)), "{text}");
    assert!(
        text.contains("sk-ant-...JsUe") || text.contains("key_mask"),
        "{text}"
    );
    assert!(text.contains("[instances.acme]"), "{text}");

    let json_out = fleet(&env, &["--json", "export"], &[]);
    assert_eq!(code(&json_out), 0, "{}", stderr(&json_out));
    assert_no_keys(&json_out);
    let doc: serde_json::Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(doc["control_plane"]["model"], "gpt-4o");
    assert_eq!(doc["instances"]["acme"]["provider"], "anthropic");
    assert_eq!(
        doc["instances"]["acme"]["key_fingerprint"],
        fp_of(&env, KEY2)
    );
    assert_eq!(doc["instances"]["acme"]["keep_key"], true);

    // The exported file is a valid fleet file describing exactly this state.
    write(&env, "exported.toml", &text);
    let plan = fleet(
        &env,
        &["plan", "-f", "exported.toml", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("No changes"), "{}", stdout(&plan));
    let drift = fleet(
        &env,
        &["drift", "-f", "exported.toml", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(code(&drift), 0, "{}", stdout(&drift));
    assert!(
        stdout(&drift).contains("0 of 2 scopes differ"),
        "{}",
        stdout(&drift)
    );
}

const FLEET: &str = r#"
[defaults]
provider = "openai"
model = "gpt-4o"
api_key_env = "FLEET_OPENAI_KEY"

[templates.claude]
provider = "anthropic"
model = "claude-sonnet-4-5"
api_key_file = "anthropic.key"

[control_plane]
model = "gpt-4.1"
keep_key = true

[instances.acme]
use = "claude"

[instances.globex]
api_key_command = "cat new.key"
"#;

fn seeded_with_keys() -> Env {
    let env = seeded();
    let k = write(&env, "anthropic.key", &format!("{KEY2}\n"));
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    let k = write(&env, "new.key", KEY3);
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    write(&env, "fleet.toml", FLEET);
    env
}

#[test]
fn plan_shows_each_scope_old_to_new_and_keys_by_fingerprint() {
    let env = seeded_with_keys();
    let vars = [("FLEET_OPENAI_KEY", KEY)];
    let out = fleet(&env, &["plan", "-f", "fleet.toml", "--resolve-keys"], &vars);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_no_keys(&out);
    let text = stdout(&out);
    assert!(text.contains("~ control plane (update)"), "{text}");
    assert!(text.contains("model:    gpt-4o -> gpt-4.1"), "{text}");
    assert!(text.contains("+ tenant: globex (create)"), "{text}");
    assert!(
        text.contains(&format!("key:      {}", fp_of(&env, KEY3))),
        "{text}"
    );
    // acme's file key is the stored one: unchanged, so not listed.
    assert!(!text.contains("tenant: acme"), "{text}");
    assert!(
        text.contains("Plan: 1 to create, 1 to update, 0 to delete, 1 unchanged."),
        "{text}"
    );

    let detailed = fleet(
        &env,
        &[
            "plan",
            "-f",
            "fleet.toml",
            "--resolve-keys",
            "--detailed-exitcode",
        ],
        &vars,
    );
    assert_eq!(code(&detailed), 8, "{}", stderr(&detailed));
    assert!(
        !stderr(&detailed).contains("error"),
        "{}",
        stderr(&detailed)
    );

    let json = fleet(
        &env,
        &["--json", "plan", "-f", "fleet.toml", "--resolve-keys"],
        &vars,
    );
    assert_no_keys(&json);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["summary"]["create"], 1);
    assert_eq!(v["summary"]["update"], 1);
    assert_eq!(v["summary"]["unchanged"], 1);
    let cp = &v["scopes"][0];
    assert_eq!(cp["instance_id"], serde_json::Value::Null);
    assert_eq!(cp["changes"][0]["field"], "model");
    assert_eq!(cp["changes"][0]["old"], "gpt-4o");
    assert_eq!(cp["changes"][0]["new"], "gpt-4.1");

    // A changed key shows old -> new fingerprints.
    let k = env.path().join("anthropic.key");
    std::fs::write(&k, KEY3).unwrap();
    let out = fleet(&env, &["plan", "-f", "fleet.toml", "--resolve-keys"], &vars);
    assert!(
        stdout(&out).contains(&format!(
            "key:      {} -> {}",
            fp_of(&env, KEY2),
            fp_of(&env, KEY3)
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn delete_only_with_prune() {
    let env = seeded();
    write(
        &env,
        "only-cp.toml",
        "[control_plane]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nkeep_key = true\n",
    );
    let out = fleet(&env, &["plan", "-f", "only-cp.toml"], &[]);
    assert!(
        stdout(&out).contains("1 configured scope is not in the file"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("0 to delete"), "{}", stdout(&out));
    let out = fleet(
        &env,
        &["apply", "-f", "only-cp.toml", "--prune", "--yes"],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("- tenant: acme (delete)"),
        "{}",
        stdout(&out)
    );
    assert!(env.get_json(Some("acme")).is_null());
    assert_eq!(env.get_json(None)["model"], "gpt-4o");
}

#[test]
fn apply_asks_writes_audits_the_file_and_converges() {
    let env = seeded_with_keys();
    let vars = [("FLEET_OPENAI_KEY", KEY)];
    let refused = fleet(&env, &["apply", "-f", "fleet.toml"], &vars);
    assert_eq!(code(&refused), 2);
    assert!(
        stderr(&refused).contains("pass --yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        env.get_json(None)["model"],
        "gpt-4o",
        "nothing written without --yes"
    );

    let out = fleet(&env, &["apply", "-f", "fleet.toml", "--yes"], &vars);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_no_keys(&out);
    let text = stdout(&out);
    assert!(text.contains("✓ control plane: updated"), "{text}");
    assert!(text.contains("✓ tenant: globex: created"), "{text}");
    assert!(
        text.contains("Apply: 2 applied, 0 skipped, 0 failed"),
        "{text}"
    );
    assert_eq!(env.get_json(None)["model"], "gpt-4.1");
    assert_eq!(env.get_json(Some("globex"))["provider"], "openai");

    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(FLEET.as_bytes()))
    };
    let audit = fleet(&env, &["--json", "audit", "--all"], &[]);
    let entries: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let actor = format!("fleet:fleet.toml@{} (local:tester)", &hash[..12]);
    let by_fleet: Vec<&serde_json::Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == actor.as_str())
        .collect();
    assert_eq!(by_fleet.len(), 2, "{entries:#}");

    // Second run: nothing to do, and plan agrees.
    let again = fleet(&env, &["apply", "-f", "fleet.toml", "--yes"], &vars);
    assert_eq!(code(&again), 0);
    assert!(stdout(&again).contains("No changes"), "{}", stdout(&again));
    let plan = fleet(
        &env,
        &[
            "plan",
            "-f",
            "fleet.toml",
            "--resolve-keys",
            "--detailed-exitcode",
        ],
        &vars,
    );
    assert_eq!(code(&plan), 0, "{}", stdout(&plan));
}

#[test]
fn unusable_key_references_stop_everything_naming_scope_and_reference() {
    let env = seeded_with_keys();
    std::fs::set_permissions(
        env.path().join("anthropic.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // A helper that fails and says something on stderr that must not be shown.
    write(&env, "helper.sh", "echo Secret-On-Stderr >&2\nexit 3\n");
    // FLEET_OPENAI_KEY is not set, and initech is the scope that needs it.
    let text = format!(
        "{}\n[instances.initech]\nmodel = \"gpt-4o-mini\"\n",
        FLEET.replace("cat new.key", "sh helper.sh")
    );
    write(&env, "fleet.toml", &text);
    let out = fleet(&env, &["apply", "-f", "fleet.toml", "--yes"], &[]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("api_key_env = \"FLEET_OPENAI_KEY\": environment variable FLEET_OPENAI_KEY is not set (needed by instances.initech)"), "{err}");
    assert!(err.contains("api_key_file = \"anthropic.key\""), "{err}");
    assert!(err.contains("has mode 0644"), "{err}");
    assert!(err.contains("needed by instances.acme"), "{err}");
    assert!(err.contains("api_key_command"), "{err}");
    assert!(err.contains("sh failed"), "{err}");
    assert!(!err.contains("Secret-On-Stderr"), "{err}");
    assert!(err.contains("fleet.toml:"), "{err}");
    // Nothing changed, not even the control plane whose own entry was fine.
    assert_eq!(env.get_json(None)["model"], "gpt-4o");
    assert!(env.get_json(Some("initech")).is_null());
}

#[test]
fn bad_files_report_every_problem_with_file_line_column_and_field() {
    let env = seeded();
    write(
        &env,
        "bad.toml",
        "[defaults]\nprovider = \"openai\"\nkeep_key = true\n\n\
         [instances.a]\nprovider = \"openia\"\nmodel = \"m\"\n\n\
         [instances.b]\nmodel = \"\"\n\n\
         [instances.c]\nmodel = \"m\"\nbase_url = \"http://gw.example.com\"\n\n\
         [instances.d]\nmodel = \"m\"\napi_key = \"sk-literal-in-the-file\"\ncolour = \"blue\"\n",
    );
    let out = fleet(&env, &["plan", "-f", "bad.toml"], &[]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let err = stderr(&out);
    // The parse's problems and the value rules', all in one run.
    assert!(err.contains("5 problems"), "{err}");
    assert!(
        err.contains("bad.toml:6:12: instances.a.provider: unknown provider \"openia\""),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:18:1: instances.d.api_key: a fleet file never holds a key"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:19:1: instances.d.colour: unknown field"),
        "{err}"
    );
    assert!(!err.contains("sk-literal"), "{err}");

    // With the parse problems fixed, the value rules are still all reported.
    let text = std::fs::read_to_string(env.path().join("bad.toml"))
        .unwrap()
        .replace(
            "api_key = \"sk-literal-in-the-file\"\ncolour = \"blue\"\n",
            "",
        );
    write(&env, "bad.toml", &text);
    let out = fleet(&env, &["plan", "-f", "bad.toml"], &[]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("3 problems"), "{err}");
    assert!(
        err.contains("bad.toml:6:12: instances.a.provider: unknown provider \"openia\""),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:10:9: instances.b.model: must not be empty"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:14:12: instances.c.base_url: must use https"),
        "{err}"
    );
}

#[test]
fn drift_lists_differing_scopes_on_one_screen() {
    let env = seeded();
    let exported = stdout(&fleet(&env, &["export"], &[]));
    write(&env, "fleet.toml", &exported);
    // Someone changes a tenant by hand and adds another.
    let out = env.run(&["-i", "acme", "update", "--model", "claude-opus-4-1"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    env.create(Some("stray"), "openai", "gpt-4o", KEY3);
    // And someone swaps the control plane's key behind the file's back.
    let out = env.run(&["update", "--api-key-stdin"], &format!("{KEY3}\n"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = fleet(
        &env,
        &["drift", "-f", "fleet.toml", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    assert_no_keys(&out);
    let text = stdout(&out);
    assert!(text.contains("3 of 3 scopes differ"), "{text}");
    assert!(
        text.contains("control plane")
            && text.contains("key differs from the recorded fingerprint"),
        "{text}"
    );
    assert!(
        text.contains("tenant: acme")
            && text.contains("model claude-opus-4-1 (file: claude-sonnet-4-5)"),
        "{text}"
    );
    assert!(text.contains("not in the file: tenant: stray"), "{text}");
    assert!(text.lines().count() <= 24, "{text}");
}
