//! Every problem of a fleet file in one run, each at its place: the parse's and the resolve's problems together, a file that
//! is not UTF-8 at its first bad byte, and a table nested past the
//! parser's recursion limit at its header, not `1:1`.

mod cli_env;

use cli_env::{Env, code, stderr};

fn plan(env: &Env, name: &str, bytes: &[u8]) -> (i32, String) {
    std::fs::write(env.path().join(name), bytes).unwrap();
    let out = env
        .cmd()
        .current_dir(env.path())
        .args(["plan", "-f", name])
        .output()
        .unwrap();
    (code(&out), stderr(&out))
}

#[test]
fn the_parse_and_resolve_problems_come_in_one_run() {
    let env = Env::new();
    let (rc, err) = plan(
        &env,
        "fleet.toml",
        b"[defaults]\nprovider = \"nope\"\nmodel = 3\n[instances.a]\nuse = \"zz\"\n[bogus]\n",
    );
    assert_eq!(rc, 2, "{err}");
    // The parse's ...
    assert!(
        err.contains("fleet.toml:3:9: defaults.model: must be a string"),
        "{err}"
    );
    assert!(
        err.contains("fleet.toml:6:2: bogus: unknown field"),
        "{err}"
    );
    // ... and the resolve's, in the same run.
    assert!(
        err.contains("fleet.toml:5:7: instances.a.use: no template named \"zz\""),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
    let env = Env::new();
    let (rc, err) = plan(
        &env,
        "fleet.toml",
        b"[defaults]\nprovider = \"openai\"\nmodel = \"\xff\xfe\"\n",
    );
    assert_eq!(rc, 2, "{err}");
    assert!(
        err.contains("fleet.toml:3:10: (encoding): byte 0xFF is not UTF-8"),
        "{err}"
    );
}

#[test]
fn a_header_past_the_recursion_limit_is_placed_at_its_line() {
    let env = Env::new();
    let header = vec!["a"; 3000].join(".");
    let text = format!("[defaults]\nprovider = \"openai\"\n[{header}]\nx = 1\n");
    let (rc, err) = plan(&env, "fleet.toml", text.as_bytes());
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("fleet.toml:3:1: (syntax)"), "{err}");
    assert!(!err.contains(":1:1:"), "{err}");
}
