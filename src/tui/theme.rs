//! Semantic colour slots with a default theme on the ANSI palette (so the
//! terminal's own scheme decides the exact shades), `[theme]` overrides, and
//! a no-colour variant for `NO_COLOR` / `--no-color` that keeps only bold and
//! reverse. Meaning is never carried by colour alone: marks are symbols.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// A semantic colour slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Titles and the current scope.
    Accent,
    /// Frame borders.
    Border,
    /// The selected row.
    Selected,
    /// Success marks and messages.
    Ok,
    /// Failure marks and messages.
    Error,
    /// Warnings, read-only badge.
    Warn,
    /// Secondary text.
    Muted,
    /// Key names in hints.
    Key,
}

const SLOTS: [(Slot, &str); 8] = [
    (Slot::Accent, "accent"),
    (Slot::Border, "border"),
    (Slot::Selected, "selected"),
    (Slot::Ok, "ok"),
    (Slot::Error, "error"),
    (Slot::Warn, "warn"),
    (Slot::Muted, "muted"),
    (Slot::Key, "key"),
];

/// The styles in force.
#[derive(Debug, Clone)]
pub struct Theme {
    colour: bool,
    fg: [Option<Color>; 8],
}

impl Theme {
    /// The default ANSI theme.
    pub fn default_colours() -> Theme {
        Theme {
            colour: true,
            fg: [
                Some(Color::Cyan),
                Some(Color::DarkGray),
                Some(Color::Blue),
                Some(Color::Green),
                Some(Color::Red),
                Some(Color::Yellow),
                Some(Color::DarkGray),
                Some(Color::Cyan),
            ],
        }
    }

    /// No colours at all (`NO_COLOR`, `--no-color`).
    pub fn monochrome() -> Theme {
        Theme {
            colour: false,
            fg: [None; 8],
        }
    }

    /// The theme for these settings: monochrome when `colour` is off,
    /// otherwise the defaults with `[theme]` overrides; returns problems found.
    pub fn from_settings(
        overrides: &BTreeMap<String, String>,
        colour: bool,
    ) -> (Theme, Vec<String>) {
        let mut theme = Theme::default_colours();
        let mut problems = Vec::new();
        for (name, value) in overrides {
            let Some(i) = SLOTS.iter().position(|(_, n)| n == name) else {
                let names: Vec<_> = SLOTS.iter().map(|(_, n)| *n).collect();
                problems.push(format!(
                    "[theme] {name}: no such colour slot (one of {})",
                    names.join(", ")
                ));
                continue;
            };
            match Color::from_str(value) {
                Ok(c) => theme.fg[i] = Some(c),
                Err(_) => problems.push(format!("[theme] {name}: unknown colour {value:?}")),
            }
        }
        // Overrides are checked even without colour, so a typo is reported
        // on every terminal, not only on the colourful ones.
        if !colour {
            theme = Theme::monochrome();
        }
        (theme, problems)
    }

    /// Whether colours are in use.
    pub fn has_colour(&self) -> bool {
        self.colour
    }

    /// The style of `slot`.
    pub fn style(&self, slot: Slot) -> Style {
        let i = SLOTS.iter().position(|(s, _)| *s == slot).unwrap_or(0);
        let base = match self.fg[i] {
            Some(c) if slot == Slot::Selected => Style::new().bg(c).fg(Color::White),
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        };
        match slot {
            // Without colour the selection must still stand out: reverse video.
            Slot::Selected if !self.colour => {
                base.add_modifier(Modifier::BOLD | Modifier::REVERSED)
            }
            Slot::Selected => base.add_modifier(Modifier::BOLD),
            Slot::Accent | Slot::Error | Slot::Key => base.add_modifier(Modifier::BOLD),
            _ => base,
        }
    }
}

/// True when the environment asks for no colour (`NO_COLOR` set and non-empty).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_bad_ones_are_reported() {
        let mut o = BTreeMap::new();
        o.insert("ok".to_string(), "#00ff00".to_string());
        o.insert("nope".to_string(), "red".to_string());
        o.insert("error".to_string(), "notacolour".to_string());
        let (t, problems) = Theme::from_settings(&o, true);
        assert_eq!(t.style(Slot::Ok).fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn monochrome_has_no_colour_but_keeps_selection_visible() {
        let t = Theme::monochrome();
        assert_eq!(t.style(Slot::Ok).fg, None);
        assert!(
            t.style(Slot::Selected)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
