//! `apply --test` against a real fake provider on 127.0.0.1: a new or
//! changed key is tried before it is written, a refused key skips its scope
//! (exit 5) and leaves it untouched, and a scope that keeps its key but
//! moves to another model has the stored key tried on the new model.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};

fn run(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.current_dir(env.path()).args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.write_stdin("").output().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn test_flag_skips_scopes_whose_new_key_is_refused() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let env = Env::new();
    let file = format!(
        "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nbase_url = \"{}\"\n\n\
         [instances.good]\napi_key_env = \"GOOD_KEY\"\n\n\
         [instances.bad]\napi_key_env = \"BAD_KEY\"\n",
        fake.base_url()
    );
    std::fs::write(env.path().join("fleet.toml"), &file).unwrap();
    let vars = [("GOOD_KEY", KEY), ("BAD_KEY", KEY2)];

    let env = std::sync::Arc::new(env);
    let e = env.clone();
    let out = tokio::task::spawn_blocking(move || {
        run(&e, &["apply", "-f", "fleet.toml", "--yes", "--test"], &vars)
    })
    .await
    .unwrap();
    let text = stdout(&out);
    assert_eq!(code(&out), 5, "{text}{}", stderr(&out));
    assert!(
        text.contains("✓ tenant: good: created (key accepted"),
        "{text}"
    );
    assert!(
        text.contains("- tenant: bad: skipped, key test failed"),
        "{text}"
    );
    assert!(
        text.contains("Apply: 1 applied, 1 skipped, 0 failed"),
        "{text}"
    );
    for key in [KEY, KEY2] {
        assert!(!contains_key_fragment(&out.stdout, key), "{text}");
        assert!(!contains_key_fragment(&out.stderr, key), "{}", stderr(&out));
    }
    // Each key went to the provider exactly as it would be stored.
    let creds: Vec<String> = fake
        .seen()
        .into_iter()
        .filter_map(|s| s.credential)
        .collect();
    assert!(creds.iter().any(|c| c.contains(KEY)), "{creds:?}");
    assert!(creds.iter().any(|c| c.contains(KEY2)), "{creds:?}");
    assert_eq!(env.get_json(Some("good"))["model"], "gpt-4o");
    assert!(
        env.get_json(Some("bad")).is_null(),
        "a refused key is not written"
    );

    // A model-only change keeps the key: the stored key is asked for the
    // provider's model list, once, before the model moves.
    fake.reset_counts();
    let changed = file
        .replace(
            "[instances.good]\n",
            "[instances.good]\nmodel = \"gpt-4o-mini\"\n",
        )
        .replace("[instances.bad]\napi_key_env = \"BAD_KEY\"\n", "");
    std::fs::write(env.path().join("fleet.toml"), changed).unwrap();
    let e = env.clone();
    let out = tokio::task::spawn_blocking(move || {
        run(&e, &["apply", "-f", "fleet.toml", "--yes", "--test"], &vars)
    })
    .await
    .unwrap();
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(fake.requests(), 1, "the kept key is tried on the new model");
    assert!(
        stdout(&out).contains("model gpt-4o-mini is not in the provider's model list"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.get_json(Some("good"))["model"], "gpt-4o-mini");
}
