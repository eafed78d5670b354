//! The settings config.example.toml documents, commented out or not.

use std::collections::BTreeSet;

/// Every `section.key` (dotted for nested tables, `monitor.webhooks.url`)
/// that config.example.toml sets or shows in a comment.
pub fn example_settings(text: &str) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    let mut section = String::new();
    for line in text.lines() {
        // A commented-out example is as much a documented setting as a set one.
        let line = line.trim_start_matches('#').trim();
        if let Some(name) = table_header(line) {
            section = name.to_string();
        } else if let Some((key, _)) = line.split_once('=') {
            let key = key.trim();
            if !section.is_empty() && is_bare_key(key) {
                known.insert(format!("{section}.{key}"));
            } else if !section.is_empty() && is_quoted_key(key) {
                // A quoted key names something of the user's (a header in
                // `[remote.headers]`): any name, with the fields it shows.
                known.insert(format!("{section}.{USER_NAMED}"));
            }
        }
    }
    known
}

/// Stands for any user-chosen key of a table (see [`is_documented`]).
pub const USER_NAMED: &str = "*";

/// True when `setting` (`section.key`, dotted) is in `known`, or lies under
/// a table whose keys the user names (`remote.headers.X-Client.value`).
pub fn is_documented(known: &BTreeSet<String>, setting: &str) -> bool {
    known.contains(setting)
        || setting
            .match_indices('.')
            .any(|(i, _)| known.contains(&format!("{}.{USER_NAMED}", &setting[..i])))
}

/// A TOML quoted key, `"X-Gateway-Key"`.
fn is_quoted_key(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('"') && s.ends_with('"')
}

/// `monitor` of `[monitor]`, `monitor.webhooks` of `[[monitor.webhooks]]`.
fn table_header(line: &str) -> Option<&str> {
    let name = line
        .strip_prefix("[[")
        .and_then(|l| l.strip_suffix("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))?;
    name.split('.').all(is_bare_key).then_some(name)
}

/// A TOML bare key, as config.toml's keys all are; prose in a comment that
/// happens to hold `=` is not one.
pub fn is_bare_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
