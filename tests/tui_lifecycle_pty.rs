//! The `w` filter ("retiring or running out") in the built binary in a real
//! pseudo-terminal, with `[lifecycle] window_days = 60` in config.toml:
//! tenant t1's model retires in 40 days, the control plane's in 75 (inside
//! the default 90 days, outside this window) and t2's provider said
//! nothing. `w` keeps t1 alone; `w` again shows everything.

mod tui_support;

use llmcfg::domain::{AuditAction, FactSource, Lifecycle, Retirement, Scope, TestResult};
use llmcfg::domain::{InstanceId, TestStatus};
use llmcfg::store::{AuditRecord, Store as StoreFile};
use time::OffsetDateTime;
use tui_support::pty::{Pty, Spawn, Store};

/// Records an ok test of `scope`, its model retiring in `days` (none: no
/// facts), straight into the store, as a test that read them would.
async fn record(store: &StoreFile, scope: &Scope, days: Option<i64>) {
    let now = OffsetDateTime::now_utc();
    let mut result = TestResult::new(
        "openai",
        "gpt-4o",
        TestStatus::Ok,
        "Connection successful",
        90,
        now,
    );
    if let Some(days) = days {
        let on = now.date() + time::Duration::days(days);
        result = result.with_lifecycle(Lifecycle {
            retirement: Some(
                Retirement::new("gpt-4o", on, FactSource::Api).with_successor("gpt-4.1"),
            ),
            ..Lifecycle::default()
        });
    }
    let audit = AuditRecord::new("test", scope, AuditAction::Test);
    assert!(store.record_test(scope, result, audit).await.unwrap());
}

#[test]
fn w_keeps_the_scopes_inside_the_configured_window() {
    let store = Store::new("[lifecycle]\nwindow_days = 60\n");
    store.seed(
        &[None, Some("t1".into()), Some("t2".into())],
        "sk-proj-life-0123456789abcdefghijklmnop",
        "http://127.0.0.1:9/v1",
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let file = StoreFile::open(&store.db()).await.unwrap();
        let t = |id: &str| Scope::Instance(InstanceId::parse(id).unwrap());
        record(&file, &Scope::Global, Some(75)).await;
        record(&file, &t("t1"), Some(40)).await;
        record(&file, &t("t2"), None).await;
    });
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list with its lifecycle column", |s| {
        s.contains("Instances (3)") && s.contains("! ")
    });
    pty.send("w");
    pty.wait("only t1", |s| {
        s.contains("Instances (1 of 3) · retiring or running out") && s.contains("t1")
    });
    let screen = pty.contents();
    assert!(!screen.contains("t2"), "{screen}");
    pty.send("w");
    pty.wait("the whole list again", |s| {
        s.contains("Instances (3)") && s.contains("t2")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}
