//! Keys as data: parsing key names (`ctrl-p`, `G`, `shift-tab`), the default
//! bindings from the action registry, `[keys]` overrides from `config.toml`,
//! and the conflicts between them, reported at start instead of silently
//! shadowing one another.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, ActionSpec, KeyContext, REGISTRY, by_name};

/// A key with its modifiers, normalised so `G` and `shift-g` are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    /// The key.
    pub code: KeyCode,
    /// Ctrl / Alt (Shift is folded into the character or `BackTab`).
    pub mods: KeyModifiers,
}

impl KeyChord {
    /// Parses `q`, `G`, `?`, `enter`, `esc`, `tab`, `backtab`, `up`, `f5`,
    /// `ctrl-p`, `alt-x`, `shift-tab`.
    pub fn parse(text: &str) -> Option<KeyChord> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").map(|_| &rest[5..]) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = lower.strip_prefix("alt-").map(|_| &rest[4..]) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = lower.strip_prefix("shift-").map(|_| &rest[6..]) {
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "delete" | "del" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(KeyChord::normalise(code, mods))
    }

    /// The chord of a terminal key event.
    pub fn from_event(key: &KeyEvent) -> KeyChord {
        KeyChord::normalise(key.code, key.modifiers)
    }

    fn normalise(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        let shift = mods.contains(KeyModifiers::SHIFT);
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match code {
            KeyCode::Tab if shift => KeyCode::BackTab,
            KeyCode::Char(c) if shift && c.is_ascii_lowercase() => {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => {
                if shift && !matches!(other, KeyCode::Char(_) | KeyCode::BackTab) {
                    mods |= KeyModifiers::SHIFT;
                }
                other
            }
        };
        KeyChord { code, mods }
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct KeyMap {
    /// Keys of each registry entry, by registry index.
    keys: Vec<Vec<KeyChord>>,
    lookup: HashMap<(KeyContext, KeyChord), Action>,
}

impl KeyMap {
    /// The default bindings of the registry.
    pub fn defaults() -> KeyMap {
        KeyMap::with_overrides(&BTreeMap::new()).0
    }

    /// Defaults with `[keys]` overrides applied (`name = "key"` or
    /// `name = ["k1", "k2"]`); returns the problems found, one line each.
    pub fn with_overrides(overrides: &BTreeMap<String, toml::Value>) -> (KeyMap, Vec<String>) {
        let mut problems = Vec::new();
        let mut keys: Vec<Vec<KeyChord>> = REGISTRY
            .iter()
            .map(|s| s.keys.iter().filter_map(|k| KeyChord::parse(k)).collect())
            .collect();
        for (name, value) in overrides {
            let Some(spec) = by_name(name) else {
                problems.push(format!("[keys] {name}: no such action"));
                continue;
            };
            let names: Vec<&str> = match value {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
                _ => {
                    problems.push(format!("[keys] {name}: expected a key or a list of keys"));
                    continue;
                }
            };
            let mut parsed = Vec::new();
            for k in names {
                match KeyChord::parse(k) {
                    Some(chord) => parsed.push(chord),
                    None => problems.push(format!("[keys] {name}: unknown key {k:?}")),
                }
            }
            if let Some(i) = REGISTRY.iter().position(|s| s.name == spec.name) {
                keys[i] = parsed;
            }
        }
        let mut lookup = HashMap::new();
        let mut owner: HashMap<(KeyContext, KeyChord), &ActionSpec> = HashMap::new();
        for (spec, chords) in REGISTRY.iter().zip(&keys) {
            for chord in chords {
                let conflicting = owner.get(&(spec.context, *chord)).copied().or_else(|| {
                    // A global key also fires in every non-text context, so a
                    // screen binding on the same key would shadow it.
                    let other = if spec.context == KeyContext::Global {
                        None
                    } else {
                        owner.get(&(KeyContext::Global, *chord)).copied()
                    };
                    other.filter(|o| o.action != spec.action && !spec.context.is_text_entry())
                });
                if let Some(other) = conflicting.filter(|o| o.action != spec.action) {
                    problems.push(format!(
                        "[keys] {chord} is bound to both {} and {}; keeping {}",
                        other.name, spec.name, other.name
                    ));
                    continue;
                }
                owner.insert((spec.context, *chord), spec);
                lookup.insert((spec.context, *chord), spec.action);
            }
        }
        (KeyMap { keys, lookup }, problems)
    }

    /// The action of `key` in `context`. Text-entry contexts see only their
    /// own bindings (plain letters must reach the input), others fall back to
    /// the global ones.
    pub fn action(&self, context: KeyContext, key: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(key);
        if let Some(a) = self.lookup.get(&(context, chord)) {
            return Some(*a);
        }
        if context.is_text_entry() {
            return None;
        }
        self.lookup.get(&(KeyContext::Global, chord)).copied()
    }

    /// The keys bound to registry entry `spec`, for hints and help.
    pub fn keys_of(&self, spec: &ActionSpec) -> &[KeyChord] {
        REGISTRY
            .iter()
            .position(|s| s.name == spec.name)
            .map(|i| self.keys[i].as_slice())
            .unwrap_or(&[])
    }

    /// The first key of `spec` (the footer's label; help lists them all).
    pub fn first_label(&self, spec: &ActionSpec) -> Option<String> {
        self.keys_of(spec).first().map(ToString::to_string)
    }

    /// `j/k`-style label of the keys of `spec`.
    pub fn label(&self, spec: &ActionSpec) -> String {
        self.keys_of(spec)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn parses_names() {
        assert_eq!(
            KeyChord::parse("ctrl-p"),
            Some(KeyChord {
                code: KeyCode::Char('p'),
                mods: KeyModifiers::CONTROL
            })
        );
        assert_eq!(KeyChord::parse("shift-g"), KeyChord::parse("G"));
        assert_eq!(KeyChord::parse("shift-tab"), KeyChord::parse("backtab"));
        assert_eq!(KeyChord::parse("bogus"), None);
    }

    #[test]
    fn defaults_resolve_and_text_entry_ignores_letters() {
        let km = KeyMap::defaults();
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(km.action(KeyContext::List, &j), Some(Action::Down));
        assert_eq!(km.action(KeyContext::Form, &j), None);
        let big_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.action(KeyContext::List, &big_g), Some(Action::Bottom));
        let s = key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(km.action(KeyContext::Form, &s), Some(Action::Save));
    }

    #[test]
    fn the_defaults_have_no_conflicts_and_reach_the_undo_screens() {
        let (km, problems) = KeyMap::with_overrides(&BTreeMap::new());
        assert!(problems.is_empty(), "{problems:?}");
        let none = KeyModifiers::NONE;
        let shift = KeyModifiers::SHIFT;
        let u = key(KeyCode::Char('u'), none);
        assert_eq!(km.action(KeyContext::List, &u), Some(Action::Versions));
        let big_k = key(KeyCode::Char('K'), shift);
        assert_eq!(km.action(KeyContext::List, &big_k), Some(Action::KeyMap));
        for code in [KeyCode::Enter, KeyCode::Char('r')] {
            let k = key(code, none);
            assert_eq!(km.action(KeyContext::Versions, &k), Some(Action::Confirm));
        }
        // `r` restores on the versions screen, rotates on the key map, and
        // is nothing on the list.
        let r = key(KeyCode::Char('r'), none);
        assert_eq!(km.action(KeyContext::Keys, &r), Some(Action::RotateKey));
        assert_eq!(km.action(KeyContext::List, &r), None);
    }

    #[test]
    fn overrides_and_conflicts_are_reported() {
        let mut o = BTreeMap::new();
        o.insert("test".to_string(), toml::Value::String("x".into()));
        o.insert("edit".to_string(), toml::Value::String("x".into()));
        o.insert("nope".to_string(), toml::Value::String("y".into()));
        let (km, problems) = KeyMap::with_overrides(&o);
        assert!(
            problems.iter().any(|p| p.contains("no such action")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("bound to both")),
            "{problems:?}"
        );
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        assert!(km.action(KeyContext::List, &x).is_some());
        let t = key(KeyCode::Char('t'), KeyModifiers::NONE);
        assert_eq!(km.action(KeyContext::List, &t), None);
    }
}
