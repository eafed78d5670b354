//! The fleet file parser on its own: layers, templates and scopes are read,
//! and every problem — unknown fields, wrong types, key literals, conflicting
//! key references, bad ids, syntax — is reported with its position.

use llmcfg::domain::Scope;
use llmcfg::fleet::{FleetError, FleetFile, KeyRef, SourceFile};

fn parse(text: &str) -> Result<FleetFile, FleetError> {
    FleetFile::parse(SourceFile::new("fleet.toml".as_ref(), text.into()))
}

fn problems(text: &str) -> Vec<String> {
    match parse(text) {
        Err(FleetError::Invalid(d)) => d.0.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn parses_layers_templates_and_scopes() {
    let f = parse(
        "[defaults]\nprovider = \"openai\"\napi_key_env = \"K\"\n\
         [templates.t]\nmodel = \"m\"\n\
         [control_plane]\nuse = \"t\"\n\
         [instances.acme]\nkeep_key = true\n",
    )
    .unwrap();
    assert_eq!(f.defaults.fields["provider"].get_ref().as_str(), "openai");
    assert!(f.templates.contains_key("t"));
    assert_eq!(f.scopes[0].scope, Scope::Global);
    assert_eq!(f.scopes[0].template.as_ref().unwrap().get_ref(), "t");
    assert_eq!(f.scopes[1].scope.instance_id(), Some("acme"));
    assert_eq!(
        f.scopes[1].layer.key.as_ref().unwrap().get_ref(),
        &KeyRef::Keep
    );
}

#[test]
fn every_problem_is_reported_with_its_position() {
    let p = problems(
        "[defaults]\nmodle = \"x\"\nprovider = 3\n\
         [instances.acme]\napi_key = \"sk-live\"\n\
         [instances.\"bad id\"]\nmodel = \"m\"\n",
    );
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(
        p[0].starts_with("fleet.toml:2:1: defaults.modle: unknown field"),
        "{}",
        p[0]
    );
    assert!(
        p[1].starts_with("fleet.toml:3:12: defaults.provider: must be a string"),
        "{}",
        p[1]
    );
    assert!(
        p[2].starts_with("fleet.toml:5:1: instances.acme.api_key: a fleet file never holds a key"),
        "{}",
        p[2]
    );
    assert!(
        p[3].contains("instances.bad id: instance_id: may contain only"),
        "{}",
        p[3]
    );
}

#[test]
fn two_key_references_conflict() {
    let p = problems("[defaults]\napi_key_env = \"A\"\napi_key_file = \"f\"\n");
    assert_eq!(p.len(), 1);
    // Fields are visited in name order, so the later name is the one flagged.
    assert!(
        p[0].contains("conflicts with api_key_env on line 2"),
        "{}",
        p[0]
    );
}

#[test]
fn use_only_in_scopes_and_syntax_errors_are_located() {
    let p = problems("[templates.t]\nuse = \"x\"\n");
    assert!(
        p[0].contains("templates.t.use: use is only allowed in"),
        "{}",
        p[0]
    );
    let p = problems("[defaults]\nmodel = \n");
    assert!(p[0].starts_with("fleet.toml:2:"), "{}", p[0]);
    assert!(p[0].contains("(syntax)"), "{}", p[0]);
}
