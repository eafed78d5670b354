//! Human text for plans, apply reports and drift. Pure functions of their
//! input; the CLI prints them. Fingerprints stand in for keys everywhere.

use std::fmt::Write as _;

use super::Plan;
use super::apply::{ApplyReport, Outcome};
use super::plan::{FieldChange, ScopeAction, ScopePlan};
use crate::domain::Scope;

/// Lines a drift summary shows before it says how many more there are, so
/// it fits one screen.
pub const DRIFT_LINES: usize = 20;

fn scope_name(instance_id: Option<&str>) -> String {
    match instance_id {
        None => Scope::Global.to_string(),
        Some(id) => format!("tenant: {id}"),
    }
}

fn value(v: Option<&str>) -> &str {
    v.unwrap_or("(none)")
}

fn field_line(out: &mut String, c: &FieldChange, create: bool) {
    let _ = if create {
        writeln!(
            out,
            "    {:<9} {}",
            format!("{}:", c.field),
            value(c.new.as_deref())
        )
    } else {
        writeln!(
            out,
            "    {:<9} {} -> {}",
            format!("{}:", c.field),
            value(c.old.as_deref()),
            value(c.new.as_deref())
        )
    };
}

fn scope_block(out: &mut String, p: &ScopePlan) {
    let (sign, word) = match p.action {
        ScopeAction::Create => ('+', "create"),
        ScopeAction::Update => ('~', "update"),
        ScopeAction::Delete => ('-', "delete"),
        ScopeAction::Unchanged => ('=', "unchanged"),
    };
    let _ = writeln!(
        out,
        "{sign} {} ({word})",
        scope_name(p.instance_id.as_deref())
    );
    let create = p.action == ScopeAction::Create;
    for c in &p.changes {
        field_line(out, c, create);
    }
    if let Some(k) = &p.key {
        let _ = if create {
            writeln!(out, "    key:      {}", value(k.new.as_deref()))
        } else {
            writeln!(
                out,
                "    key:      {} -> {}",
                k.old.as_deref().unwrap_or("(unknown)"),
                value(k.new.as_deref())
            )
        };
    }
    if let Some(r) = p.key_reference {
        let _ = writeln!(out, "    key:      {}", r.describe());
    }
    for n in &p.notes {
        let _ = writeln!(out, "    note:     {n}");
    }
}

/// The summary line of a plan.
pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut line = format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        s.create, s.update, s.delete, s.unchanged
    );
    if s.not_in_file > 0 {
        let _ = write!(
            line,
            " {} configured scope{} not in the file (kept; --prune deletes them).",
            s.not_in_file,
            if s.not_in_file == 1 { " is" } else { "s are" }
        );
    }
    line
}

/// A plan as `terraform plan`-style text: changed scopes, then the summary.
pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    for n in &plan.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for p in &plan.scopes {
        if p.action != ScopeAction::Unchanged || !p.notes.is_empty() {
            scope_block(&mut out, p);
        }
    }
    if !plan.has_changes() {
        let _ = writeln!(
            out,
            "No changes: the stored configuration matches {}.",
            plan.file
        );
    }
    out.push_str(&summary_line(plan));
    out
}

/// The per-scope report of an apply.
pub fn report(report: &ApplyReport) -> String {
    let mut out = String::new();
    for s in &report.scopes {
        let name = scope_name(s.instance_id.as_deref());
        let _ = match &s.outcome {
            Outcome::Applied => write!(out, "✓ {name}: {}d", s.action.verb()),
            Outcome::Skipped { reason } => write!(out, "- {name}: skipped, {reason}"),
            Outcome::Failed { error } => write!(out, "✗ {name}: failed, {error}"),
            Outcome::RolledBack { reason } => write!(out, "- {name}: not written, {reason}"),
        };
        if let Some(n) = &s.note {
            let _ = write!(out, " ({n})");
        }
        out.push('\n');
    }
    let _ = write!(
        out,
        "Apply: {} applied, {} skipped, {} failed (audited as {}).",
        report.applied, report.skipped, report.failed, report.actor
    );
    if report.atomic && report.applied == 0 && !report.scopes.is_empty() {
        let _ = write!(out, "\nAtomic apply: nothing was written.");
    }
    if report.cancelled {
        let _ = write!(
            out,
            "\nCancelled: {} scope(s) not started; no scope started after the cancel.",
            report.not_started
        );
    }
    out
}

/// The scopes that differ from the file, one line each, on one screen.
pub fn drift(plan: &Plan) -> String {
    let differing: Vec<&ScopePlan> = plan
        .scopes
        .iter()
        .filter(|p| p.action != ScopeAction::Unchanged || !p.notes.is_empty())
        .collect();
    let total = plan.scopes.len() + plan.not_in_file.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Drift from {} (sha256 {}): {} of {} scopes differ{}",
        plan.file,
        &plan.sha256[..12],
        differing.len() + plan.not_in_file.len(),
        total,
        if differing.is_empty() && plan.not_in_file.is_empty() {
            "."
        } else {
            ":"
        }
    );
    for p in differing.iter().take(DRIFT_LINES) {
        let mut what: Vec<String> = p
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{} {} (file: {})",
                    c.field,
                    value(c.old.as_deref()),
                    value(c.new.as_deref())
                )
            })
            .collect();
        if p.action == ScopeAction::Create {
            what = vec!["not configured".to_string()];
        }
        if !p.notes.is_empty() {
            what.push("key differs from the recorded fingerprint".to_string());
        }
        if p.key_reference == Some(crate::fleet::key_reference::KeyReference::Changed) {
            what.push("key reference changed".to_string());
        }
        let _ = writeln!(
            out,
            "  {:<24} {}",
            scope_name(p.instance_id.as_deref()),
            what.join("; ")
        );
    }
    if differing.len() > DRIFT_LINES {
        let _ = writeln!(
            out,
            "  … and {} more (--json lists every scope)",
            differing.len() - DRIFT_LINES
        );
    }
    if !plan.not_in_file.is_empty() {
        let names: Vec<String> = plan
            .not_in_file
            .iter()
            .take(5)
            .map(|i| scope_name(i.as_deref()))
            .collect();
        let more = plan.not_in_file.len().saturating_sub(5);
        let _ = writeln!(
            out,
            "  not in the file: {}{}",
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out.pop();
    out
}
