//! The fleet file format and its parser. The file is walked as the `toml`
//! crate's spanned tree (not through serde) so that one pass can report every
//! problem — unknown fields, wrong types, key literals, bad instance ids —
//! each with its line and column, instead of stopping at the first.
//!
//! ```toml
//! [defaults]                      # applies to every scope
//! provider = "openai"
//! model = "gpt-4o"
//! api_key_env = "OPENAI_KEY"
//!
//! [templates.claude]              # a named set of defaults scopes can `use`
//! provider = "anthropic"
//! model = "claude-sonnet-4-5"
//! api_key_file = "keys/anthropic" # mode 0600, relative to this file
//!
//! [control_plane]                 # the control plane is its own entry
//! use = "claude"
//!
//! [instances.acme]                # one entry per tenant instance
//! model = "gpt-4.1"               # per-scope override
//! keep_key = true                 # leave the stored key alone
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Diagnostics, FleetError, KeyRef, SourceFile};
use crate::domain::{FIELDS, FieldSpec, InstanceId, Scope};

/// Fields every layer may set besides the config fields: the key reference.
const KEY_FIELDS: &[&str] = &["api_key_env", "api_key_file", "api_key_command", "keep_key"];
/// Fields only a scope entry may set, besides [`layer_fields`].
const SCOPE_FIELDS: &[&str] = &["use", "key_fingerprint", "key_mask"];
/// Top-level tables.
const TOP_FIELDS: &[&str] = &["defaults", "templates", "control_plane", "instances"];

/// Why a fleet file never carries a key, for the error on `api_key`.
const NO_KEY_LITERAL: &str = "a fleet file never holds a key: it is meant to be committed and \
     reviewed, and a key in it would be in plain text in every clone; use api_key_env, \
     api_key_file, api_key_command or keep_key = true";

/// One level of settings: `[defaults]`, a template, or a scope's overrides.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// The config fields it sets, by name (the field list's names); an
    /// empty optional field clears an inherited one.
    pub fields: BTreeMap<&'static str, Spanned<String>>,
    /// Where the key comes from.
    pub key: Option<Spanned<KeyRef>>,
}

/// A `[control_plane]` or `[instances.ID]` entry.
#[derive(Debug, Clone)]
pub struct ScopeEntry {
    /// The scope it configures.
    pub scope: Scope,
    /// Its path in the file (`control_plane`, `instances.acme`) for messages.
    pub path: String,
    /// Where its name is written.
    pub span: Range<usize>,
    /// The template it uses.
    pub template: Option<Spanned<String>>,
    /// Its own settings.
    pub layer: Layer,
    /// The key fingerprint `export` recorded (checked by `drift`).
    pub key_fingerprint: Option<Spanned<String>>,
}

/// A parsed fleet file.
#[derive(Debug, Clone)]
pub struct FleetFile {
    /// The file itself.
    pub source: SourceFile,
    /// `[defaults]`.
    pub defaults: Layer,
    /// `[templates.NAME]`, by name, with where each name is written.
    pub templates: BTreeMap<String, (Range<usize>, Layer)>,
    /// Every scope entry, the control plane first.
    pub scopes: Vec<ScopeEntry>,
}

impl FleetFile {
    /// Parses `source`, reporting every problem at once.
    pub fn parse(source: SourceFile) -> Result<FleetFile, FleetError> {
        let mut diags = Diagnostics::default();
        let file = FleetFile::parse_into(source, &mut diags);
        diags.into_result(file)
    }

    /// Parses `source` as far as it goes, adding its problems to `diags`,
    /// so that resolving can add its own and the user gets every problem of
    /// the file in one run.
    pub fn parse_into(source: SourceFile, diags: &mut Diagnostics) -> FleetFile {
        let (defaults, templates, scopes) = {
            let mut p = Parser {
                src: &source,
                diags,
            };
            p.document()
        };
        FleetFile {
            source,
            defaults,
            templates,
            scopes,
        }
    }
}

type Parts = (
    Layer,
    BTreeMap<String, (Range<usize>, Layer)>,
    Vec<ScopeEntry>,
);

struct Parser<'a> {
    src: &'a SourceFile,
    diags: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn error(&mut self, span: Range<usize>, field: &str, message: impl Into<String>) {
        self.diags.push(self.src.error(span, field, message));
    }

    fn document(&mut self) -> Parts {
        let (root, errors) = DeTable::parse_recoverable(&self.src.text);
        for e in errors {
            // The parser gives no place for some errors (its recursion
            // limit); the deepest header or nesting is where to look.
            let span = e.span().unwrap_or_else(|| deepest_point(&self.src.text));
            self.error(span, "(syntax)", e.message().trim().to_string());
        }
        let mut defaults = Layer::default();
        let mut templates = BTreeMap::new();
        let mut scopes = Vec::new();
        for (key, value) in root.get_ref().iter() {
            let name = key.get_ref().as_ref();
            match name {
                "defaults" => {
                    if let Some(t) = self.table(value, "defaults") {
                        defaults = self.layer(t, "defaults", &mut None);
                    }
                }
                "templates" => {
                    let Some(t) = self.table(value, "templates") else {
                        continue;
                    };
                    for (tk, tv) in t.iter() {
                        let path = format!("templates.{}", tk.get_ref());
                        if let Some(body) = self.table(tv, &path) {
                            let layer = self.layer(body, &path, &mut None);
                            templates.insert(tk.get_ref().to_string(), (tk.span(), layer));
                        }
                    }
                }
                "control_plane" => {
                    if let Some(t) = self.table(value, "control_plane") {
                        scopes.insert(0, self.scope(t, Scope::Global, "control_plane", key.span()));
                    }
                }
                "instances" => {
                    let Some(t) = self.table(value, "instances") else {
                        continue;
                    };
                    for (ik, iv) in t.iter() {
                        let path = format!("instances.{}", ik.get_ref());
                        let id = match InstanceId::parse(ik.get_ref()) {
                            Ok(id) => Some(id),
                            Err(e) => {
                                self.error(ik.span(), &path, e.to_string());
                                None
                            }
                        };
                        if let (Some(body), Some(id)) = (self.table(iv, &path), id) {
                            scopes.push(self.scope(body, Scope::Instance(id), &path, ik.span()));
                        }
                    }
                }
                "api_key" => self.error(key.span(), "api_key", NO_KEY_LITERAL),
                _ => self.error(key.span(), name, unknown(TOP_FIELDS)),
            }
        }
        (defaults, templates, scopes)
    }

    fn table<'t, 'i>(
        &mut self,
        value: &'t Spanned<DeValue<'i>>,
        path: &str,
    ) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.error(
                    value.span(),
                    path,
                    format!("must be a table, not a {}", other.type_str()),
                );
                None
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Option<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            other => {
                self.error(
                    value.span(),
                    path,
                    format!("must be a string, not a {}", other.type_str()),
                );
                None
            }
        }
    }

    /// A scope entry: a layer plus `use` and the recorded key fingerprint.
    fn scope(
        &mut self,
        t: &DeTable<'_>,
        scope: Scope,
        path: &str,
        span: Range<usize>,
    ) -> ScopeEntry {
        let mut extra = Some(ScopeExtra::default());
        let layer = self.layer(t, path, &mut extra);
        let extra = extra.unwrap_or_default();
        ScopeEntry {
            scope,
            path: path.to_string(),
            span,
            template: extra.template,
            layer,
            key_fingerprint: extra.key_fingerprint,
        }
    }

    /// A layer's fields; `extra` is `Some` for scope entries, which may also
    /// set [`SCOPE_FIELDS`].
    fn layer(&mut self, t: &DeTable<'_>, path: &str, extra: &mut Option<ScopeExtra>) -> Layer {
        let mut layer = Layer::default();
        for (key, value) in t.iter() {
            let name = key.get_ref().as_ref();
            let field = format!("{path}.{name}");
            match name {
                name if let Some(spec) = FieldSpec::named(name) => {
                    if let Some(text) = self.string(value, &field) {
                        layer.fields.insert(spec.name, text);
                    }
                }
                "api_key_env" | "api_key_file" | "api_key_command" | "keep_key" => {
                    if let Some(r) = self.key_ref(name, value, &field) {
                        match &layer.key {
                            Some(first) => {
                                let (line, _) = self.src.line_column(first.span().start);
                                let msg = format!(
                                    "conflicts with {} on line {line}; give exactly one of \
                                     api_key_env, api_key_file, api_key_command, keep_key",
                                    first.get_ref().field()
                                );
                                self.error(key.span(), &field, msg);
                            }
                            None => layer.key = Some(r),
                        }
                    }
                }
                "api_key" => self.error(key.span(), &field, NO_KEY_LITERAL),
                "use" | "key_fingerprint" | "key_mask" if extra.is_some() => {
                    let s = self.string(value, &field);
                    let e = extra.as_mut().expect("checked by the guard");
                    match name {
                        "use" => e.template = s,
                        "key_fingerprint" => e.key_fingerprint = s,
                        // The mask is for the reader; the fingerprint is what is checked.
                        _ => {}
                    }
                }
                _ if extra.is_some() => {
                    let all: Vec<&str> =
                        layer_fields().chain(SCOPE_FIELDS.iter().copied()).collect();
                    self.error(key.span(), &field, unknown(&all));
                }
                _ => {
                    let mut msg = unknown(&layer_fields().collect::<Vec<_>>());
                    if SCOPE_FIELDS.contains(&name) {
                        msg =
                            format!("{name} is only allowed in [control_plane] and [instances.ID]");
                    }
                    self.error(key.span(), &field, msg);
                }
            }
        }
        layer
    }

    fn key_ref(
        &mut self,
        name: &str,
        value: &Spanned<DeValue<'_>>,
        field: &str,
    ) -> Option<Spanned<KeyRef>> {
        let span = value.span();
        if name == "keep_key" {
            return match value.get_ref() {
                DeValue::Boolean(true) => Some(Spanned::new(span, KeyRef::Keep)),
                DeValue::Boolean(false) => {
                    self.error(
                        span,
                        field,
                        "keep_key = false means nothing; set it to true or remove it",
                    );
                    None
                }
                other => {
                    self.error(
                        span,
                        field,
                        format!("must be a boolean, not a {}", other.type_str()),
                    );
                    None
                }
            };
        }
        let s = self.string(value, field)?;
        if s.get_ref().trim().is_empty() {
            self.error(span, field, "must not be empty");
            return None;
        }
        let v = s.into_inner();
        let r = match name {
            "api_key_env" => KeyRef::Env(v),
            "api_key_file" => KeyRef::File(v.into()),
            _ => KeyRef::Command(v),
        };
        Some(Spanned::new(span, r))
    }
}

#[derive(Default)]
struct ScopeExtra {
    template: Option<Spanned<String>>,
    key_fingerprint: Option<Spanned<String>>,
}

/// The start of the line nested deepest: the most dotted parts in a table
/// header, or the most open brackets and braces.
fn deepest_point(text: &str) -> std::ops::Range<usize> {
    let mut best = (0, 0);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let header_depth = if trimmed.starts_with('[') {
            trimmed.split(']').next().unwrap_or("").matches('.').count()
        } else {
            0
        };
        let mut open: usize = 0;
        let mut deepest: usize = 0;
        for c in line.chars() {
            match c {
                '[' | '{' => {
                    open += 1;
                    deepest = deepest.max(open);
                }
                ']' | '}' => open = open.saturating_sub(1),
                _ => {}
            }
        }
        let depth = header_depth.max(deepest);
        if depth > best.0 {
            best = (depth, offset);
        }
        offset += line.len();
    }
    best.1..best.1
}

/// Fields every layer may set: the config fields, then the key reference.
fn layer_fields() -> impl Iterator<Item = &'static str> {
    FIELDS
        .iter()
        .map(|f| f.name)
        .chain(KEY_FIELDS.iter().copied())
}

fn unknown(allowed: &[&str]) -> String {
    format!("unknown field; expected one of: {}", allowed.join(", "))
}
