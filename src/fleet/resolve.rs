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
use std::collections::BTreeMap;

use crate::domain::provider_rule::{CheckedProvider, ProviderRule};
use crate::domain::{Catalog, ConfigFields, FIELDS, FieldRule, Presence, Scope};

/// What one scope should be, validated.
#[derive(Debug, Clone)]
pub struct Desired {
    /// The scope.
    pub scope: Scope,
    /// Its path in the file, for messages.
    pub path: String,
    /// Where its entry is named.
    pub span: Range<usize>,
    /// The config fields, checked by their own rules (provider as the
    /// catalog spells it, model trimmed, base URL normalised, …).
    pub fields: ConfigFields,
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
    let field = |name: &str| pick(&layers, |l| l.fields.get(name));
    let provider = match field("provider") {
        None => {
            diags.push(missing("provider"));
            None
        }
        Some(p) => match ProviderRule::Catalog(catalog).check(p.get_ref()) {
            Ok(checked) => Some(checked),
            Err(e) => {
                diags.push(src.error(p.span(), where_from(&p.span()) + ".provider", e.reason));
                None
            }
        },
    };
    // The other fields are checked even when the provider is not known,
    // so one run reports every problem; only the provider's own rules
    // (a required base URL, a field only some providers use) wait for it.
    let judged = provider.clone().unwrap_or(CheckedProvider {
        id: String::new(),
        spec: None,
    });
    let mut texts: BTreeMap<&'static str, Option<String>> = BTreeMap::new();
    for spec in FIELDS.iter().filter(|f| f.rule != FieldRule::Provider) {
        let given = field(spec.name);
        if given.is_none() && spec.presence == Presence::Required {
            diags.push(missing(spec.name));
            continue;
        }
        if provider.is_none() && (given.is_none() || !spec.providers.is_empty()) {
            continue;
        }
        match spec.check(given.map(|g| g.get_ref().as_str()), &judged) {
            Ok(value) => {
                texts.insert(spec.name, value);
            }
            Err(e) => diags.push(match given {
                Some(g) => src.error(
                    g.span(),
                    format!("{}.{}", where_from(&g.span()), spec.name),
                    e.reason,
                ),
                None => src.error(
                    entry.span.clone(),
                    format!("{}.{}", entry.path, spec.name),
                    e.reason,
                ),
            }),
        }
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
        fields: ConfigFields::from_texts(
            |name| {
                Ok::<_, ()>(match name {
                    "provider" => provider.as_ref().map(|p| p.id.clone()),
                    _ => texts.get(name).cloned().flatten(),
                })
            },
            |_| (),
        )
        .ok()?,
        key: key?.clone(),
        key_fingerprint: entry.key_fingerprint.as_ref().map(|f| f.get_ref().clone()),
    })
}

/// The path of the table a span lies in (the scope, its template or
/// `defaults`), so an inherited bad value is reported once, where it is written.
fn owner(file: &FleetFile, entry: &ScopeEntry, span: &Range<usize>) -> String {
    let inside = |l: &Layer| l.fields.values().any(|v| v.span() == *span);
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
            (d[0].fields.provider.as_str(), d[0].fields.model.as_str()),
            ("anthropic", "claude-opus")
        );
        assert_eq!(d[0].key.get_ref(), &KeyRef::Env("K".into()));
        assert_eq!(d[1].fields.provider, "openai");
        assert_eq!(
            d[1].fields.base_url.as_deref(),
            Some("https://gw.example.com/v1")
        );
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
