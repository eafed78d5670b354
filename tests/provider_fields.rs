//! The config fields some providers need beyond provider, model and key
//! (Azure's api-version, …), end to end: set by create and update, shown by
//! `get --json`, kept by `history` and brought back by `restore`, cleared,
//! exported, planned and applied from a fleet file, sent to a fake provider
//! by a connection test, carried by the HTTP API and stated by its OpenAPI
//! document, sent by the live model list of an unsaved config, rowed in
//! the TUI form, and refused in one line, naming the field, by a seed-only
//! control plane. Each case runs the same checks.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
mod seed_cli;
mod seed_server;
mod server_support;

use std::sync::Arc;

use cli_env::{Env, KEY, code, contains_key_fragment, stderr, stdout};
use fake_provider::{FakeProvider, Flavor, Seen};
use llmcfg::domain::{Catalog, Role, Scope};
use llmcfg::tui::action::Action;
use llmcfg::tui::screens::form::{Field, FormOutcome, FormState, SaveRequest};
use seed_server::SeedServer;
use serde_json::{Value, json};
use server_support::TestServer;
use server_support::http::Api;

/// One provider field under test.
struct Case {
    /// The field's name (JSON, fleet file, column).
    field: &'static str,
    /// Its CLI flag, without `--`.
    flag: &'static str,
    /// A provider that uses it, and the fake that plays that provider.
    provider: &'static str,
    flavor: Flavor,
    /// A provider that does not use it.
    other_provider: &'static str,
    /// Model (an Azure deployment name).
    model: &'static str,
    /// Two valid values, and one that breaks the field's rule.
    first: &'static str,
    second: &'static str,
    invalid: &'static str,
    /// The values of the field the fake received in one request.
    received: fn(&Seen) -> Vec<String>,
}

fn query_values(seen: &Seen, name: &str) -> Vec<String> {
    let query = seen.query.clone().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn header_values(seen: &Seen, name: &str) -> Vec<String> {
    seen.headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cases() -> Vec<Case> {
    let openai = |field, first, second| Case {
        field,
        flag: field,
        provider: "openai",
        flavor: Flavor::OpenAi,
        other_provider: "anthropic",
        model: "gpt-4o",
        first,
        second,
        invalid: "org 1&x",
        received: match field {
            "organization" => |seen| header_values(seen, "openai-organization"),
            _ => |seen| header_values(seen, "openai-project"),
        },
    };
    vec![
        openai("organization", "org-7tWq2bE9", "org-Kx81mZa0"),
        openai("project", "proj_abc123", "proj_def456"),
        Case {
            field: "api_version",
            flag: "api-version",
            provider: "azure-openai",
            flavor: Flavor::Azure,
            other_provider: "openai",
            model: "prod-deployment",
            first: "2025-01-01-preview",
            second: "2024-10-21",
            invalid: "2024-10-21&x=1",
            received: |seen| query_values(seen, "api-version"),
        },
    ]
}

fn ok(out: &std::process::Output) {
    assert_eq!(code(out), 0, "{}{}", stdout(out), stderr(out));
}

fn json_of(out: &std::process::Output) -> Value {
    ok(out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs the binary off the async runtime, which serves the fake provider.
async fn run(env: &Arc<Env>, args: &[&str], stdin: &str) -> std::process::Output {
    let (env, stdin) = (env.clone(), stdin.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.run(&args, &stdin)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_field_round_trips_through_the_cli_and_reaches_the_provider() {
    for case in cases() {
        let fake = FakeProvider::start(case.flavor, &[KEY], &[case.model]).await;
        let env = Arc::new(Env::new());
        let base = fake.base_url();
        let flag = format!("--{}", case.flag);
        let create = [
            "-i",
            "acme",
            "create",
            "--provider",
            case.provider,
            "--model",
            case.model,
            "--base-url",
            &base,
            &flag,
            case.first,
        ];
        ok(&run(&env, &create, &format!("{KEY}\n")).await);
        let get = ["-i", "acme", "--json", "get"];
        assert_eq!(json_of(&run(&env, &get, "").await)[case.field], case.first);
        let human = stdout(&run(&env, &["-i", "acme", "get"], "").await);
        assert!(
            human.contains(&format!("{}:", case.field)) && human.contains(case.first),
            "{human}"
        );

        // The test sends the stored value, once per request, in place of
        // the catalog's.
        ok(&run(&env, &["-i", "acme", "test"], "").await);
        let requests = fake.seen();
        assert!(!requests.is_empty());
        for seen in &requests {
            assert_eq!((case.received)(seen), vec![case.first], "{seen:?}");
        }

        // A change keeps the key (the field is not the destination).
        let update = ["-i", "acme", "update", &flag, case.second];
        ok(&run(&env, &update, "").await);
        assert_eq!(json_of(&run(&env, &get, "").await)[case.field], case.second);
        let history = json_of(&run(&env, &["-i", "acme", "--json", "history"], "").await);
        assert_eq!(history[0][case.field], case.second, "{history:#}");
        assert_eq!(history[0]["fields"], json!([case.field]), "{history:#}");
        assert_eq!(history[1][case.field], case.first, "{history:#}");
        let text = stdout(&run(&env, &["-i", "acme", "history"], "").await);
        assert!(
            text.contains(&format!("{}={}", case.field, case.second)),
            "{text}"
        );

        ok(&run(&env, &["-i", "acme", "restore", "--version", "1"], "").await);
        assert_eq!(json_of(&run(&env, &get, "").await)[case.field], case.first);

        let clear = format!("--clear-{}", case.flag);
        ok(&run(&env, &["-i", "acme", "update", &clear], "").await);
        assert_eq!(json_of(&run(&env, &get, "").await)[case.field], Value::Null);
        fake.reset_counts();
        ok(&run(&env, &["-i", "acme", "test"], "").await);
        assert!(
            fake.seen()
                .iter()
                .all(|seen| !(case.received)(seen).contains(&case.first.to_string())),
            "a cleared field is no longer sent"
        );

        // Refusals name the field and the rule, and change nothing.
        let bad = run(&env, &["-i", "acme", "update", &flag, case.invalid], "").await;
        assert_eq!(code(&bad), 2, "{}", stderr(&bad));
        assert!(
            stderr(&bad).contains(&format!("{}: must be", case.field)),
            "{}",
            stderr(&bad)
        );
        let other = [
            "-i",
            "globex",
            "create",
            "--provider",
            case.other_provider,
            "--model",
            "m",
            &flag,
            case.first,
        ];
        let refused = run(&env, &other, &format!("{KEY}\n")).await;
        assert_eq!(code(&refused), 2, "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains(&format!("{}: is used only by provider", case.field)),
            "{}",
            stderr(&refused)
        );
        for out in [&bad, &refused] {
            assert!(!contains_key_fragment(&out.stderr, KEY));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_field_is_exported_planned_and_applied_from_a_fleet_file() {
    for case in cases() {
        let fake = FakeProvider::start(case.flavor, &[KEY], &[case.model]).await;
        let env = Arc::new(Env::new());
        let file = format!(
            "[defaults]\nprovider = \"{}\"\nmodel = \"{}\"\nbase_url = \"{}\"\n\
             api_key_env = \"K\"\n\n[instances.acme]\n{} = \"{}\"\n\n[instances.plain]\n",
            case.provider,
            case.model,
            fake.base_url(),
            case.field,
            case.first
        );
        std::fs::write(env.path().join("fleet.toml"), &file).unwrap();
        let fleet = |args: &'static [&'static str]| {
            let env = env.clone();
            tokio::task::spawn_blocking(move || {
                let mut cmd = env.cmd();
                cmd.current_dir(env.path()).args(args).env("K", KEY);
                cmd.write_stdin("").output().unwrap()
            })
        };
        let plan = fleet(&["--json", "plan", "-f", "fleet.toml", "--resolve-keys"])
            .await
            .unwrap();
        let plan = json_of(&plan);
        let text = plan.to_string();
        assert!(
            text.contains(case.field) && text.contains(case.first),
            "{plan:#}"
        );
        ok(&fleet(&["apply", "-f", "fleet.toml", "--yes", "--test"])
            .await
            .unwrap());
        let get = |instance: &'static str| {
            let env = env.clone();
            tokio::task::spawn_blocking(move || env.get_json(Some(instance)))
        };
        assert_eq!(get("acme").await.unwrap()[case.field], case.first);
        assert_eq!(get("plain").await.unwrap()[case.field], Value::Null);

        let export = fleet(&["export"]).await.unwrap();
        ok(&export);
        let exported = stdout(&export);
        assert!(
            exported.contains(&format!("{} = \"{}\"", case.field, case.first)),
            "{exported}"
        );
        // The exported file plans clean: the field round-trips.
        std::fs::write(env.path().join("exported.toml"), &exported).unwrap();
        let again = fleet(&["plan", "-f", "exported.toml", "--detailed-exitcode"])
            .await
            .unwrap();
        assert_eq!(code(&again), 0, "{}{}", stdout(&again), stderr(&again));

        // A bad value is reported where it is written.
        let bad = file.replace(case.first, case.invalid);
        std::fs::write(env.path().join("bad.toml"), bad).unwrap();
        let refused = fleet(&["plan", "-f", "bad.toml"]).await.unwrap();
        assert_ne!(code(&refused), 0);
        assert!(
            stderr(&refused).contains(&format!("instances.acme.{}: must be", case.field)),
            "{}",
            stderr(&refused)
        );
    }
}

#[tokio::test]
async fn the_http_api_and_its_openapi_document_carry_each_field() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let doc: Value = reqwest::get(format!("{}/openapi.json", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for case in cases() {
        let in_create = &schemas["NewConfig"]["properties"][case.field];
        assert!(in_create.to_string().contains("pattern"), "{in_create:#}");
        assert!(!schemas["ConfigPatch"]["properties"][case.field].is_null());
        let view_required = schemas["ConfigView"]["required"].to_string();
        assert!(view_required.contains(case.field), "{view_required}");

        let body = json!({"provider": case.provider, "model": case.model, "api_key": KEY,
                          "base_url": "https://example.openai.azure.com", case.field: case.first});
        let scope = case.field.replace('_', "-");
        let created = api.post(Some(&scope), body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.json()[case.field], case.first);
        let patched = api
            .patch(Some(&scope), json!({case.field: case.second}))
            .await;
        assert_eq!(patched.status, 200, "{}", patched.body);
        assert_eq!(api.get(Some(&scope)).await.json()[case.field], case.second);

        let wrong = json!({"provider": case.other_provider, "model": "m", "api_key": KEY,
                           case.field: case.first});
        let refused = api.post(Some("globex"), wrong).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.detail().contains(case.field), "{}", refused.body);

        // Set on a stored config whose provider does not use it: the body
        // alone is valid, so the refusal is a conflict with what is stored.
        let other = format!("other-{scope}");
        let plain = json!({"provider": case.other_provider, "model": "m", "api_key": KEY});
        assert_eq!(api.post(Some(&other), plain).await.status, 201);
        let conflict = api
            .patch(Some(&other), json!({case.field: case.first}))
            .await;
        assert_eq!(conflict.status, 409, "{}", conflict.body);
        assert!(conflict.detail().contains(case.field), "{}", conflict.body);
    }
    api.assert_key_never_seen();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsaved_config_lists_models_with_each_field_sent() {
    let server = TestServer::start(&["127.0.0.1"]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    for case in cases() {
        let fake = FakeProvider::start(case.flavor, &[KEY], &[case.model]).await;
        // The form's live list: no model yet, the field already typed.
        let body = json!({"provider": case.provider, "api_key": KEY,
                          "base_url": fake.base_url(), case.field: case.first});
        let listed = api
            .send(
                api.req(reqwest::Method::POST, "/llm-config/models")
                    .json(&body),
            )
            .await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert!(listed.body.contains(case.model), "{}", listed.body);
        let requests = fake.seen();
        assert!(!requests.is_empty());
        for seen in &requests {
            assert_eq!((case.received)(seen), vec![case.first], "{seen:?}");
        }
        // The same rules as a create: a provider that does not use the field.
        let wrong = json!({"provider": case.other_provider, "api_key": KEY,
                           "base_url": fake.base_url(), case.field: case.first});
        let refused = api
            .send(
                api.req(reqwest::Method::POST, "/llm-config/models")
                    .json(&wrong),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.detail().contains(case.field), "{}", refused.body);
        assert!(!refused.body.contains(KEY));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_only_control_plane_refuses_each_field_in_one_line() {
    let seed = SeedServer::default_variant(&[]).await;
    for case in cases() {
        let env = Arc::new(Env::new());
        let url = seed.url.clone();
        let flag = format!("--{}", case.flag);
        let args = vec![
            "-i".to_string(),
            "acme".into(),
            "create".into(),
            "--provider".into(),
            case.provider.into(),
            "--model".into(),
            case.model.into(),
            "--base-url".into(),
            "https://example.openai.azure.com".into(),
            flag,
            case.first.into(),
        ];
        let e = env.clone();
        let out = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            seed_cli::run(&e, &url, &args, &format!("{KEY}\n"))
        })
        .await
        .unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].contains(case.field) && lines[0].contains("seed-only"),
            "{err}"
        );
        assert!(seed.row(Some("acme")).is_none(), "nothing was written");
        assert_eq!(seed.requests_containing(KEY), 0, "the key was never sent");
    }
    seed.stop().await;
}

#[test]
fn the_tui_form_rows_each_field_for_the_providers_that_use_it() {
    let catalog = Catalog::builtin();
    for case in cases() {
        let mut form = FormState::create(Scope::Global, catalog);
        let index = |id: &str| catalog.providers().iter().position(|p| p.id == id);
        form.provider = index(case.other_provider).unwrap();
        assert!(!form.order(catalog).contains(&Field::Setting(case.field)));
        form.provider = index(case.provider).unwrap();
        let order = form.order(catalog);
        assert!(order.contains(&Field::Setting(case.field)), "{order:?}");

        let type_text = |form: &mut FormState, text: &str| {
            for c in text.chars() {
                let key = crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char(c),
                    crossterm::event::KeyModifiers::NONE,
                );
                form.on_key(&key, catalog);
            }
        };
        form.focus = Field::Model;
        type_text(&mut form, case.model);
        form.focus = Field::ApiKey;
        type_text(&mut form, KEY);
        form.focus = Field::Setting("base_url");
        type_text(&mut form, "https://example.openai.azure.com");
        form.focus = Field::Setting(case.field);
        type_text(&mut form, case.invalid);
        assert!(matches!(
            form.on_action(Action::Save, catalog),
            FormOutcome::Nothing
        ));
        let status = form.status.clone().unwrap_or_default();
        assert!(status.contains(case.field), "{status}");
        form.settings
            .iter_mut()
            .find(|s| s.spec.name == case.field)
            .unwrap()
            .input = case.first.into();
        match form.on_action(Action::Save, catalog) {
            FormOutcome::Save(SaveRequest::Create { config, .. }) => {
                assert_eq!(config.fields().text(case.field), Some(case.first));
            }
            other => panic!("expected a save, got {other:?}"),
        }
    }
}
