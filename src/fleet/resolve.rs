//! Resolution: what each scope of a fleet file asks for, after folding
//! `[defaults]`, then the scope's template (`use`), then its own overrides —
//! the innermost layer that sets a field wins, and the key reference counts
//! as one field. Each value is checked with the domain's own rules (catalog
//! lookup, `validate_model`, `validate_base_url`, the base-URL-required rule)
//! and every problem is reported at the place the value was written.

use std::ops::Range;

use toml::Spanned;

use super::file::{Layer, ScopeEntry};
use super::{Diagnostics, FleetError, FleetFile, KeyRef};
use crate::domain::validation::{validate_base_url, validate_model};
use crate::domain::{BaseUrlRule, Catalog, Scope};

/// What one scope should be, validated.
#[derive(Debug, Clone)]
pub struct Desired {
    /// The scope.
    pub scope: Scope,
    /// Its path in the file, for messages.
    pub path: String,
    /// Where its entry is named.
    pub span: Range<usize>,
    /// Provider id as the catalog spells it.
    pub provider: String,
    /// Model, trimmed.
    pub model: String,
    /// Normalised base-URL override.
    pub base_url: Option<String>,
    /// Where its key comes from, and where that is written.
    pub key: Spanned<KeyRef>,
    /// The fingerprint `export` recorded, if any.
    pub key_fingerprint: Option<String>,
}

/// Resolves and validates every scope of `file`.
pub fn resolve(file: &FleetFile, catalog: &Catalog) -> Result<Vec<Desired>, FleetError> {
    let mut diags = Diagnostics::default();
    let out = resolve_into(file, catalog, &mut diags);
    diags.into_result(out)
}

/// [`resolve`], adding its problems to `diags` (those of the parse, in the
/// pipeline) and returning the scopes that resolved.
pub fn resolve_into(file: &FleetFile, catalog: &Catalog, diags: &mut Diagnostics) -> Vec<Desired> {
    let mut out = Vec::with_capacity(file.scopes.len());
    for entry in &file.scopes {
        if let Some(d) = resolve_one(file, entry, catalog, diags) {
            out.push(d);
        }
    }
    out
}

/// The innermost of the three layers that sets a field.
fn pick<'a, T>(layers: &[&'a Layer], get: impl Fn(&'a Layer) -> Option<&'a T>) -> Option<&'a T> {
    layers.iter().find_map(|l| get(l))
}

fn resolve_one(
    file: &FleetFile,
    entry: &ScopeEntry,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) -> Option<Desired> {
    let src = &file.source;
    let before = diags.0.len();
    let mut layers = vec![&entry.layer];
    if let Some(name) = &entry.template {
        match file.templates.get(name.get_ref()) {
            Some((_, t)) => layers.push(t),
            None => {
                let known: Vec<&str> = file.templates.keys().map(String::as_str).collect();
                let known = if known.is_empty() {
                    "the file defines none".to_string()
                } else {
                    format!("defined: {}", known.join(", "))
                };
                diags.push(src.error(
                    name.span(),
                    format!("{}.use", entry.path),
                    format!("no template named {:?}; {known}", name.get_ref()),
                ));
            }
        }
    }
    layers.push(&file.defaults);
    let where_from = |span: &Range<usize>| owner(file, entry, span);

    let missing = |field: &str| {
        src.error(
            entry.span.clone(),
            format!("{}.{field}", entry.path),
            "is not set here, in its template or in [defaults]",
        )
    };
    let provider = match pick(&layers, |l| l.provider.as_ref()) {
        None => {
            diags.push(missing("provider"));
            None
        }
        Some(p) => match catalog.get(p.get_ref().trim()) {
            Some(spec) => Some(spec),
            None => {
                diags.push(src.error(
                    p.span(),
                    where_from(&p.span()) + ".provider",
                    format!(
                        "unknown provider {:?}; must be one of: {}",
                        p.get_ref().trim(),
                        catalog.ids()
                    ),
                ));
                None
            }
        },
    };
    let model = match pick(&layers, |l| l.model.as_ref()) {
        None => {
            diags.push(missing("model"));
            None
        }
        Some(m) => match validate_model(m.get_ref()) {
            Ok(m) => Some(m),
            Err(e) => {
                diags.push(src.error(m.span(), where_from(&m.span()) + ".model", e.reason));
                None
            }
        },
    };
    let base_url = match pick(&layers, |l| l.base_url.as_ref()) {
        Some(u) if !u.get_ref().trim().is_empty() => match validate_base_url(u.get_ref()) {
            Ok(u) => Some(Some(u)),
            Err(e) => {
                diags.push(src.error(u.span(), where_from(&u.span()) + ".base_url", e.reason));
                None
            }
        },
        _ => Some(None),
    };
    if let (Some(spec), Some(None)) = (provider, &base_url)
        && spec.base_url_rule == BaseUrlRule::Required
    {
        diags.push(src.error(
            entry.span.clone(),
            format!("{}.base_url", entry.path),
            format!("is required for provider {}", spec.id),
        ));
    }
    let key = pick(&layers, |l| l.key.as_ref());
    if key.is_none() {
        diags.push(src.error(
            entry.span.clone(),
            format!("{}.api_key_env", entry.path),
            "no key reference: set api_key_env, api_key_file, api_key_command or \
             keep_key = true here, in its template or in [defaults]",
        ));
    }
    if diags.0.len() > before {
        return None;
    }
    Some(Desired {
        scope: entry.scope.clone(),
        path: entry.path.clone(),
        span: entry.span.clone(),
        provider: provider?.id.clone(),
        model: model?,
        base_url: base_url?,
        key: key?.clone(),
        key_fingerprint: entry.key_fingerprint.as_ref().map(|f| f.get_ref().clone()),
    })
}

/// The path of the table a span lies in (the scope, its template or
/// `defaults`), so an inherited bad value is reported once, where it is written.
fn owner(file: &FleetFile, entry: &ScopeEntry, span: &Range<usize>) -> String {
    let inside = |l: &Layer| {
        [
            l.provider.as_ref().map(Spanned::span),
            l.model.as_ref().map(Spanned::span),
            l.base_url.as_ref().map(Spanned::span),
        ]
        .into_iter()
        .flatten()
        .any(|s| s == *span)
    };
    if inside(&entry.layer) {
        return entry.path.clone();
    }
    for (name, (_, t)) in &file.templates {
        if inside(t) {
            return format!("templates.{name}");
        }
    }
    "defaults".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::SourceFile;

    fn resolve_text(text: &str) -> Result<Vec<Desired>, FleetError> {
        let f = FleetFile::parse(SourceFile::new("f.toml".as_ref(), text.into())).unwrap();
        resolve(&f, Catalog::builtin())
    }

    #[test]
    fn innermost_layer_wins() {
        let d = resolve_text(
            "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\napi_key_env = \"K\"\n\
             [templates.c]\nprovider = \"anthropic\"\nmodel = \"claude\"\n\
             [instances.a]\nuse = \"c\"\nmodel = \"claude-opus\"\n\
             [instances.b]\nbase_url = \"https://gw.example.com/v1/\"\n",
        )
        .unwrap();
        assert_eq!(
            (d[0].provider.as_str(), d[0].model.as_str()),
            ("anthropic", "claude-opus")
        );
        assert_eq!(d[0].key.get_ref(), &KeyRef::Env("K".into()));
        assert_eq!(d[1].provider, "openai");
        assert_eq!(d[1].base_url.as_deref(), Some("https://gw.example.com/v1"));
    }

    #[test]
    fn all_bad_values_are_reported_where_written() {
        let Err(FleetError::Invalid(d)) = resolve_text(
            "[defaults]\nmodel = \"  \"\napi_key_env = \"K\"\n\
             [instances.a]\nprovider = \"nope\"\n\
             [instances.b]\nprovider = \"openai\"\nbase_url = \"http://example.com\"\n\
             [instances.c]\nprovider = \"azure-openai\"\nmodel = \"dep\"\n\
             [instances.d]\nprovider = \"openai\"\nuse = \"missing\"\n",
        ) else {
            panic!("expected problems")
        };
        let text: Vec<String> = d.0.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("f.toml:2:9: defaults.model: must not be empty"),
            "{text:#?}"
        );
        assert!(
            has("instances.a.provider: unknown provider \"nope\"; must be one of"),
            "{text:#?}"
        );
        assert!(has("instances.b.base_url: must use https"), "{text:#?}");
        assert!(
            has("instances.c.base_url: is required for provider azure-openai"),
            "{text:#?}"
        );
        assert!(
            has("instances.d.use: no template named \"missing\""),
            "{text:#?}"
        );
        // The bad default model is reported once, not once per scope.
        assert_eq!(
            text.iter().filter(|t| t.contains("defaults.model")).count(),
            1
        );
    }
}
