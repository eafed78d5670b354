//! Human and JSON rendering of service results for the terminal.

use std::fmt::Write;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::{AuditEntry, ConfigView, FIELDS, FieldSpec, Presence, Scope, TestResult};

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("views always serialise")
    );
}

/// RFC 3339 text of a timestamp.
pub fn time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A config as aligned `field: value` lines.
pub fn config(scope: &Scope, view: &ConfigView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scope:          {scope}");
    let fields = view.fields();
    // Required fields, then the key, then the optional fields the provider
    // uses (or that are set anyway).
    let line = |out: &mut String, f: &FieldSpec| {
        let value = fields.text(f.name).unwrap_or(f.unset);
        let _ = writeln!(out, "{:<16}{value}", format!("{}:", f.name));
    };
    for f in FIELDS.iter().filter(|f| f.presence == Presence::Required) {
        line(&mut out, f);
    }
    let _ = writeln!(out, "api_key:        {}", view.api_key_masked);
    for f in FIELDS.iter().filter(|f| f.presence == Presence::Optional) {
        if f.applies_to(&view.provider) || fields.text(f.name).is_some() {
            line(&mut out, f);
        }
    }
    let _ = writeln!(out, "id:             {}", view.id);
    let _ = writeln!(out, "created_at:     {}", time(view.created_at));
    let _ = write!(out, "updated_at:     {}", time(view.updated_at));
    out
}

/// A test result as one line.
pub fn test_line(result: &TestResult) -> String {
    // A seed server's bare failure carries only its message; say that the
    // reason is the server's text, not one of our outcomes.
    let status = match result.status {
        crate::domain::TestStatus::NoReason => "no_reason (the server gave no reason)",
        other => other.as_str(),
    };
    let mut text = format!(
        "{} {} ({} / {}, {} ms): {}",
        if result.success { "✓" } else { "✗" },
        status,
        result.provider,
        result.model,
        result.latency_ms,
        result.message
    );
    for line in lifecycle_lines(result.lifecycle.as_deref()) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

/// The lifecycle facts of a test as indented lines under it, as of today
/// (UTC): `  gpt-4o retires 2027-03-01 (in 84 days); successor gpt-4.1`.
pub fn lifecycle_lines(lifecycle: Option<&crate::domain::Lifecycle>) -> Vec<String> {
    let today = time::OffsetDateTime::now_utc().date();
    lifecycle
        .map(|l| l.lines(today))
        .unwrap_or_default()
        .into_iter()
        .map(|line| format!("  {line}"))
        .collect()
}

/// An audit entry as one line.
pub fn audit_line(e: &AuditEntry) -> String {
    let scope = e.instance_id.as_deref().unwrap_or("(control plane)");
    let mut line = format!("{}  {:<18} {:<12} {}", time(e.at), e.action, scope, e.actor);
    if !e.fields.is_empty() {
        let _ = write!(line, "  fields={}", e.fields.join(","));
    }
    if let Some(fp) = &e.key_fingerprint {
        let _ = write!(line, "  key={}", crate::crypto::fingerprint::shown(fp));
    }
    if let Some(d) = &e.detail {
        let _ = write!(line, "  {d}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AuditAction;

    #[test]
    fn an_audit_line_says_a_withheld_fingerprint_in_words() {
        let entry = AuditEntry {
            id: 1,
            at: OffsetDateTime::UNIX_EPOCH,
            actor: "old".into(),
            instance_id: Some("gone".into()),
            action: AuditAction::Delete,
            fields: Vec::new(),
            key_fingerprint: Some(crate::store::fingerprints::WITHHELD.into()),
            detail: None,
        };
        let line = audit_line(&entry);
        assert!(
            line.contains("key=(unkeyed fingerprint withheld)"),
            "{line}"
        );
    }
}
