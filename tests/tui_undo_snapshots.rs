//! Snapshots of the undo screens, rendered from fixed data into a
//! `TestBackend` at 80×24 and 120×40: a scope's kept versions (with the
//! restore hint, a deletion that cannot be restored, the confirm naming
//! scope and version, and a seed-only server's one line), and the key-usage
//! map (collapsed, expanded into its scopes, and not offered). Also checks
//! that help lists the new keys and that no key ever reaches these screens.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::{
    AuditAction, ConfigFields, InstanceSummary, KeyGroup, KeyUse, TestResult, TestStatus,
    VersionEntry,
};
use llmcfg::tui::action::KeyContext;
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::key_map::KeyMapState;
use llmcfg::tui::screens::versions::{NotRestorable, VersionsState, held};
use llmcfg::tui::state::{AppState, Popup};
use llmcfg::tui::widgets::confirm::{ConfirmKind, ConfirmState};
use tui_frame::{NOW, loaded_state, render, scope};

const FP_SHARED: &str = "hmac:3f9a1c0b7d2e4a6f8b1c0d2e4a6f8b1c";
const FP_OTHER: &str = "hmac:9e0d4b2a1c3f5e7d9a0b4b2a1c3f5e7d";
const NOT_OFFERED: &str = "this server does not offer version history (llmcfg serve extension routes); run it where the store is";

fn state() -> AppState {
    let mut s = loaded_state(NOW);
    let summary = InstanceSummary {
        instance_id: Some("acme-prod".into()),
        name: Some("ACME production".into()),
        config: None,
        last_test: None,
    };
    s.list.set_entries(vec![summary], None);
    s.list.select_scope(&scope("acme-prod"));
    s
}

fn version(n: u64, action: AuditAction, model: Option<&str>, fields: &[&str]) -> VersionEntry {
    let deleted = model.is_none();
    VersionEntry {
        instance_id: Some("acme-prod".into()),
        version: n,
        at: NOW - time::Duration::hours(10 - n as i64),
        actor: "admin".into(),
        action,
        fields: fields.iter().map(|f| f.to_string()).collect(),
        deleted,
        config: model.map(|m| ConfigFields::new("openai", m)),
        api_key_masked: model.map(|_| "sk-proj-...abcd".to_string()),
        key_fingerprint: model.map(|_| FP_SHARED.to_string()),
    }
}

/// Five versions, newest first: restored, deleted, two updates, created.
fn versions() -> Vec<VersionEntry> {
    vec![
        version(5, AuditAction::Restore, Some("gpt-4o"), &["deleted"]),
        version(4, AuditAction::Delete, None, &[]),
        version(3, AuditAction::Update, Some("gpt-4o"), &["model"]),
        version(
            2,
            AuditAction::Update,
            Some("gpt-4.1-mini"),
            &["model", "api_key"],
        ),
        version(1, AuditAction::Create, Some("gpt-4.1"), &[]),
    ]
}

fn versions_state(selected: usize) -> AppState {
    let mut s = state();
    let mut v = VersionsState::loading(scope("acme-prod"));
    v.entries = Some(Ok(versions()));
    v.selected = selected;
    s.screen = Screen::Versions(v);
    s
}

fn test(success: bool, mins_ago: i64) -> TestResult {
    let (status, message) = if success {
        (TestStatus::Ok, "ok")
    } else {
        (TestStatus::InvalidKey, "Authentication failed")
    };
    TestResult::new(
        "openai",
        "gpt-4o",
        status,
        message,
        120,
        NOW - time::Duration::minutes(mins_ago),
    )
}

fn key_use(id: Option<&str>, fp: &str, masked: &str, last: Option<TestResult>) -> KeyUse {
    KeyUse {
        instance_id: id.map(str::to_string),
        provider: "openai".into(),
        model: "gpt-4o".into(),
        api_key_masked: masked.into(),
        key_fingerprint: fp.into(),
        last_test: last,
    }
}

/// One key shared by three scopes, one used once.
fn groups() -> Vec<KeyGroup> {
    let shared = vec![
        key_use(None, FP_SHARED, "sk-proj-...abcd", Some(test(true, 5))),
        key_use(
            Some("acme-prod"),
            FP_SHARED,
            "sk-proj-...abcd",
            Some(test(false, 12)),
        ),
        key_use(Some("beta"), FP_SHARED, "sk-proj-...abcd", None),
    ];
    let other = vec![key_use(Some("globex"), FP_OTHER, "sk-...9f3e", None)];
    vec![
        KeyGroup {
            key_fingerprint: FP_SHARED.into(),
            api_key_masked: "sk-proj-...abcd".into(),
            providers: vec!["openai".into()],
            scope_count: shared.len(),
            scopes: shared,
        },
        KeyGroup {
            key_fingerprint: FP_OTHER.into(),
            api_key_masked: "sk-...9f3e".into(),
            providers: vec!["openai".into()],
            scope_count: 1,
            scopes: other,
        },
    ]
}

fn key_map_state(expanded: bool) -> AppState {
    let mut s = state();
    let mut k = KeyMapState::loaded(Ok(groups()));
    if expanded {
        k.toggle();
    }
    s.screen = Screen::KeyMap(k);
    s
}

fn all_states() -> Vec<(&'static str, AppState)> {
    let mut out = vec![
        ("versions_restorable", versions_state(2)),
        ("versions_deletion", versions_state(1)),
    ];

    let mut s = versions_state(2);
    let v = &versions()[2];
    s.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::Restore {
        scope: scope("acme-prod"),
        version: v.version,
        held: held(v),
        current: held(&versions()[0]),
    })));
    out.push(("versions_confirm_restore", s));

    let mut s = state();
    let mut v = VersionsState::loading(scope("acme-prod"));
    v.entries = Some(Err(NOT_OFFERED.into()));
    s.screen = Screen::Versions(v);
    out.push(("versions_not_offered", s));

    out.push(("key_map", key_map_state(false)));
    out.push(("key_map_expanded", key_map_state(true)));

    let mut s = state();
    s.screen = Screen::KeyMap(KeyMapState::loaded(Err(
        "this server does not offer the key map; run it where the store is".into(),
    )));
    out.push(("key_map_not_offered", s));
    out
}

#[test]
fn undo_screens_at_two_sizes() {
    for (name, s) in all_states() {
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&s, w, h));
        }
    }
}

#[test]
fn a_deletion_and_the_current_version_are_not_restorable() {
    let s = versions_state(1);
    let Screen::Versions(v) = &s.screen else {
        unreachable!()
    };
    assert_eq!(v.restorable().unwrap().err(), Some(NotRestorable::Deletion));
    let text = render(&s, 120, 40);
    assert!(text.contains("v4 records the deletion"), "{text}");
    assert!(!text.contains("Enter/r restores"), "{text}");

    let s = versions_state(0);
    let Screen::Versions(v) = &s.screen else {
        unreachable!()
    };
    assert_eq!(v.restorable().unwrap().err(), Some(NotRestorable::Current));

    let s = versions_state(2);
    let Screen::Versions(v) = &s.screen else {
        unreachable!()
    };
    assert_eq!(v.restorable().unwrap().map(|e| e.version), Ok(3));
    let text = render(&s, 120, 40);
    assert!(
        text.contains("Enter/r restores v3: openai · gpt-4o"),
        "{text}"
    );
}

#[test]
fn the_confirm_names_scope_and_version() {
    let (_, s) = all_states()
        .into_iter()
        .find(|(n, _)| *n == "versions_confirm_restore")
        .unwrap();
    let text = render(&s, 80, 24);
    assert!(
        text.contains("Restore version 3 of the tenant: acme-prod?"),
        "{text}"
    );
}

#[test]
fn the_shared_key_is_one_row_with_its_scope_count_and_expands() {
    let text = render(&key_map_state(false), 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains(FP_SHARED))
        .unwrap_or_else(|| panic!("no row of the shared key:\n{text}"));
    assert!(row.contains("3 scopes"), "{row}");
    assert!(row.contains("1 ok · 1 failed · 1 untested"), "{row}");
    assert!(!text.contains("tenant: beta"), "collapsed:\n{text}");
    let open = render(&key_map_state(true), 120, 40);
    for who in ["control plane", "tenant: acme-prod", "tenant: beta"] {
        assert!(open.contains(who), "{who} in\n{open}");
    }
    assert!(
        !open.contains("tenant: globex"),
        "only the selected key opens"
    );
}

#[test]
fn help_lists_the_undo_keys() {
    let mut s = state();
    s.popup = Some(Popup::Help {
        context: KeyContext::List,
        scroll: 0,
        under: None,
    });
    let text = render(&s, 120, 40);
    assert!(text.contains("Kept versions of the scope"), "{text}");
    assert!(text.contains("Key-usage map"), "{text}");
    let mut s = versions_state(2);
    s.popup = Some(Popup::Help {
        context: KeyContext::Versions,
        scroll: 0,
        under: None,
    });
    let text = render(&s, 120, 40);
    assert!(
        text.contains("Enter/r") && text.contains("Restore the selected version"),
        "{text}"
    );
}

#[test]
fn a_key_far_down_a_long_map_is_on_screen_with_its_scopes() {
    let many: Vec<KeyGroup> = (0..5000)
        .map(|i| {
            let fp = format!("hmac:{i:032x}");
            let id = format!("t{i:04}");
            KeyGroup {
                key_fingerprint: fp.clone(),
                api_key_masked: format!("sk-...{i:04}"),
                providers: vec!["openai".into()],
                scope_count: 1,
                scopes: vec![key_use(Some(&id), &fp, "sk-...", None)],
            }
        })
        .collect();
    let mut k = KeyMapState::loaded(Ok(many));
    k.move_by(4321);
    k.toggle();
    let mut s = state();
    s.screen = Screen::KeyMap(k);
    let text = render(&s, 80, 24);
    assert!(text.contains("▾ sk-...4321"), "{text}");
    assert!(text.contains("tenant: t4321"), "{text}");
    assert!(!text.contains("sk-...0000"), "{text}");
}

#[test]
fn an_open_key_with_more_scopes_than_fit_says_which_rows_and_scrolls_to_the_last() {
    let scopes: Vec<KeyUse> = (0..100)
        .map(|i| {
            key_use(
                Some(&format!("t{i:03}")),
                FP_SHARED,
                "sk-proj-...abcd",
                None,
            )
        })
        .collect();
    let mut s = state();
    let mut k = KeyMapState::loaded(Ok(vec![KeyGroup {
        key_fingerprint: FP_SHARED.into(),
        api_key_masked: "sk-proj-...abcd".into(),
        providers: vec!["openai".into()],
        scope_count: scopes.len(),
        scopes,
    }]));
    k.toggle();
    s.screen = Screen::KeyMap(k);
    let text = render(&s, 120, 40);
    // The key's line and its 100 scopes; 35 fit under the column titles.
    assert!(text.contains("rows 1–35 of 101"), "{text}");
    assert!(
        text.contains("tenant: t000") && !text.contains("tenant: t099"),
        "{text}"
    );
    let Screen::KeyMap(k) = &mut s.screen else {
        unreachable!()
    };
    k.move_by(isize::MAX / 2);
    let text = render(&s, 120, 40);
    assert!(text.contains("rows 71–101 of 101"), "{text}");
    assert!(
        text.contains("tenant: t099") && !text.contains("tenant: t000"),
        "{text}"
    );
}

/// Versions of a long model behind a gateway, the newest selected.
fn long_model_state() -> AppState {
    let mut s = state();
    let mut long = version(
        2,
        AuditAction::Update,
        Some("meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        &["model"],
    );
    if let Some(config) = long.config.as_mut() {
        config.base_url = Some("https://gateway.internal.example.com/openai/v1".into());
    }
    let mut v = VersionsState::loading(scope("acme-prod"));
    v.entries = Some(Ok(vec![
        long,
        version(1, AuditAction::Create, Some("gpt-4.1"), &[]),
    ]));
    s.screen = Screen::Versions(v);
    s
}

#[test]
fn the_versions_screen_always_shows_the_model_and_uses_the_width() {
    let s = long_model_state();
    let narrow = render(&s, 80, 24);
    let row = narrow.lines().find(|l| l.contains("v2")).unwrap();
    assert!(
        row.contains("meta-llama/Llama"),
        "the model first at 80:\n{narrow}"
    );
    let wide = render(&s, 200, 30);
    let row = wide.lines().find(|l| l.contains("v2")).unwrap();
    assert!(
        row.contains("openai · meta-llama/Llama-3.3-70B-Instruct-Turbo @ https://gateway.internal.example.com/openai/v1"),
        "the whole config at 200 columns:\n{wide}"
    );
    assert!(row.contains("sk-proj-...abcd"), "and the key:\n{wide}");
    insta::assert_snapshot!("versions_long_model_80x24", narrow);
    insta::assert_snapshot!("versions_long_model_200x30", wide);
}
