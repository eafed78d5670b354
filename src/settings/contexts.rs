//! `[[tui.contexts]]`: a production marker. Each entry names a store path
//! or remote URL (`target`) and gives it a name and a colour the TUI's
//! header shows whenever it runs on that target, so production looks
//! different from staging at a glance. `confirm = "name"` makes every bulk
//! write and bulk delete on it wait until the context's name is typed.

use std::path::Path;

use serde::Deserialize;

use crate::domain::ValidationError;

/// Longest context name, in characters (it shares the header line).
pub const MAX_NAME: usize = 32;

/// The colour a context without one is shown in.
pub const DEFAULT_COLOUR: &str = "red";

/// One `[[tui.contexts]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSetting {
    /// The store path or remote URL this context is.
    pub target: String,
    /// What the header calls it (`production`).
    pub name: String,
    /// The header's colour for it: a colour name or `#rrggbb` (default red).
    #[serde(default)]
    pub colour: Option<String>,
    /// `"name"`: bulk writes and deletes ask for the name to be typed.
    #[serde(default)]
    pub confirm: Option<String>,
}

impl ContextSetting {
    /// Whether bulk writes and deletes here need the name typed.
    pub fn confirms_by_name(&self) -> bool {
        self.confirm.as_deref() == Some("name")
    }

    /// The colour, as written (default red).
    pub fn colour(&self) -> &str {
        self.colour.as_deref().unwrap_or(DEFAULT_COLOUR)
    }

    fn check(&self, n: usize) -> Result<(), ValidationError> {
        let which = format!("context {} ({:?})", n + 1, self.target);
        if self.target.trim().is_empty() {
            return Err(ValidationError::new(
                "tui.contexts.target",
                format!("{which}: must name a store path or remote URL"),
            ));
        }
        let chars = self.name.trim().chars().count();
        if chars == 0 || chars > MAX_NAME || self.name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "tui.contexts.name",
                format!("{which}: must be 1-{MAX_NAME} printable characters"),
            ));
        }
        if let Some(c) = &self.colour
            && c.parse::<ratatui::style::Color>().is_err()
        {
            return Err(ValidationError::new(
                "tui.contexts.colour",
                format!("{which}: {c:?} is not a colour (a name such as red, or #rrggbb)"),
            ));
        }
        if let Some(c) = &self.confirm
            && c != "name"
        {
            return Err(ValidationError::new(
                "tui.contexts.confirm",
                format!("{which}: {c:?} is not a confirm rule (the only one is \"name\")"),
            ));
        }
        Ok(())
    }
}

/// Checks every context, and that no target is listed twice.
pub fn validate(contexts: &[ContextSetting]) -> Result<(), ValidationError> {
    for (n, c) in contexts.iter().enumerate() {
        c.check(n)?;
        if contexts[..n]
            .iter()
            .any(|earlier| same_target(&earlier.target, &c.target))
        {
            return Err(ValidationError::new(
                "tui.contexts.target",
                format!("context {} ({:?}): listed twice", n + 1, c.target),
            ));
        }
    }
    Ok(())
}

/// The context of `target` (the open store's path or the remote URL).
pub fn context_for<'c>(contexts: &'c [ContextSetting], target: &str) -> Option<&'c ContextSetting> {
    contexts.iter().find(|c| same_target(&c.target, target))
}

/// Whether two targets are the same: equal once a trailing `/` is dropped,
/// or the same file once both paths are resolved.
fn same_target(a: &str, b: &str) -> bool {
    let (a, b) = (
        a.trim().trim_end_matches('/'),
        b.trim().trim_end_matches('/'),
    );
    if a == b {
        return true;
    }
    match (
        std::fs::canonicalize(Path::new(a)),
        std::fs::canonicalize(Path::new(b)),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn a_context_is_found_by_its_store_path_or_url() {
        let s = Settings::parse(
            "[[tui.contexts]]\ntarget = \"https://cp.example.com/\"\nname = \"production\"\nconfirm = \"name\"\n",
        )
        .unwrap();
        let c = context_for(&s.tui.contexts, "https://cp.example.com").unwrap();
        assert_eq!(c.name, "production");
        assert_eq!(c.colour(), "red");
        assert!(c.confirms_by_name());
        assert!(context_for(&s.tui.contexts, "https://staging.example.com").is_none());
    }

    #[test]
    fn each_rejection_names_the_field_and_the_rule() {
        let cases = [
            (
                "target = \"\"\nname = \"p\"",
                "tui.contexts.target: context 1 (\"\"): must name",
            ),
            (
                "target = \"/a\"\nname = \"\"",
                "tui.contexts.name: context 1 (\"/a\"): must be 1-32",
            ),
            (
                "target = \"/a\"\nname = \"p\"\ncolour = \"reddish\"",
                "tui.contexts.colour: context 1 (\"/a\"): \"reddish\" is not a colour",
            ),
            (
                "target = \"/a\"\nname = \"p\"\nconfirm = \"yes\"",
                "tui.contexts.confirm: context 1 (\"/a\"): \"yes\" is not a confirm rule",
            ),
        ];
        for (body, expected) in cases {
            let e = Settings::parse(&format!("[[tui.contexts]]\n{body}\n")).unwrap_err();
            assert!(e.to_string().contains(expected), "{e}");
        }
        let twice = "[[tui.contexts]]\ntarget = \"/a\"\nname = \"p\"\n\
                     [[tui.contexts]]\ntarget = \"/a/\"\nname = \"q\"\n";
        let e = Settings::parse(twice).unwrap_err();
        assert!(
            e.to_string().contains("context 2 (\"/a/\"): listed twice"),
            "{e}"
        );
    }
}
