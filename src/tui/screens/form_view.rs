//! Drawing the create / edit form: one row per field, the validation message
//! or hint under it, model suggestions, and a status line saying why a save
//! is blocked. The key field shows bullets unless revealed while focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::chrome::screen_block;
use super::form::{Field, FormState, LiveModels};
use crate::domain::{BaseUrlRule, Catalog, FIELDS, FieldRule};
use crate::tui::theme::{Slot, Theme};

/// Draws `form` into `area`.
pub fn render(form: &FormState, catalog: &Catalog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let verb = if form.is_edit() { "Edit" } else { "Create" };
    let block = screen_block(&format!("{verb} configuration — {}", form.scope), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let spec = form.spec(catalog);
    let problems = form.problems(catalog);
    let problem = |f: Field| {
        problems
            .iter()
            .find(|(pf, _)| *pf == f)
            .map(|(_, r)| r.clone())
    };
    let label = |f: Field, text: &str| {
        let focused = form.focus == f;
        let style = if focused {
            theme.style(Slot::Selected)
        } else {
            theme.style(Slot::Accent)
        };
        Span::styled(
            format!("{}{text:<9}", if focused { "›" } else { " " }),
            style,
        )
    };
    let cursor = |f: Field| {
        if form.focus == f {
            Span::styled("▏", theme.style(Slot::Muted))
        } else {
            Span::raw("")
        }
    };
    let message = |f: Field, hint: Option<String>| -> Line<'static> {
        match problem(f) {
            Some(reason) => Line::from(Span::styled(
                format!("           ✗ {} {reason}", super::form::field_name(f)),
                theme.style(Slot::Error),
            )),
            None => Line::from(Span::styled(
                format!("           {}", hint.unwrap_or_default()),
                theme.style(Slot::Muted),
            )),
        }
    };

    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(vec![
        label(Field::Provider, "Provider"),
        Span::raw(format!(" ‹ {} ({}) ›", spec.name, spec.id)),
    ]));
    lines.push(message(
        Field::Provider,
        Some(if form.focus == Field::Provider {
            provider_hint().to_string()
        } else {
            String::new()
        }),
    ));

    let model_line = |source: String| {
        Line::from(vec![
            label(Field::Model, "Model"),
            Span::raw(format!(" {}", form.model.value())),
            cursor(Field::Model),
            Span::styled(
                format!("   [{source} · ↑/↓ pick · Ctrl-l live list]"),
                theme.style(Slot::Muted),
            ),
        ])
    };
    let source = match &form.live {
        LiveModels::Idle => "catalog".to_string(),
        LiveModels::Loading { .. } => "catalog · fetching live list…".to_string(),
        LiveModels::Loaded(m) => format!("live list, {} models", m.len()),
        LiveModels::Failed(why) => format!("catalog · live list failed: {why}"),
    };
    lines.push(model_line(source));
    // Suggestions stay visible under a validation message: an empty model
    // is exactly when they help most.
    if problem(Field::Model).is_some() {
        lines.push(message(Field::Model, None));
    }
    lines.push(Line::from(Span::styled(
        format!("           {}", form.suggestions(catalog).join(" · ")),
        theme.style(Slot::Muted),
    )));

    let key_value = form.key_display();
    let key_text = if key_value.is_empty() && form.is_edit() {
        Span::styled(" (empty keeps the stored key)", theme.style(Slot::Muted))
    } else {
        Span::raw(format!(" {key_value}"))
    };
    let reveal = if form.reveal && form.focus == Field::ApiKey {
        "shown · Ctrl-r hide"
    } else {
        "hidden · Ctrl-r reveal"
    };
    lines.push(Line::from(vec![
        label(Field::ApiKey, "API key"),
        key_text,
        cursor(Field::ApiKey),
    ]));
    let hint = form
        .key_hint(catalog)
        .map(|h| format!("{h} · {reveal}"))
        .unwrap_or_else(|| reveal.to_string());
    lines.push(message(Field::ApiKey, Some(hint)));

    // One row per other config field the provider uses, from the list.
    let settings = form.shown_settings(catalog);
    for setting in &settings {
        let f = setting.spec;
        let field = Field::Setting(f.name);
        let value = setting.input.value();
        let text = if !value.is_empty() {
            Span::raw(format!(" {value}"))
        } else {
            match (f.rule, spec.base_url_rule) {
                (FieldRule::BaseUrl, BaseUrlRule::Required) => {
                    Span::styled(" (required)", theme.style(Slot::Warn))
                }
                (FieldRule::BaseUrl, BaseUrlRule::Allowed) => Span::styled(
                    format!(" (default {})", spec.base_url),
                    theme.style(Slot::Muted),
                ),
                _ => Span::styled(format!(" {}", f.unset), theme.style(Slot::Muted)),
            }
        };
        lines.push(Line::from(vec![label(field, f.label), text, cursor(field)]));
        lines.push(message(field, Some(f.hint.to_string())));
    }
    lines.push(Line::default());
    match &form.status {
        Some(s) if s.starts_with("Cannot") => lines.push(Line::from(Span::styled(
            s.clone(),
            theme.style(Slot::Error),
        ))),
        Some(s) => lines.push(Line::from(Span::styled(s.clone(), theme.style(Slot::Warn)))),
        None => lines.push(Line::from(Span::styled(
            format!(
                "Tab/Shift-Tab move · Ctrl-s or Enter on {} saves · Esc cancels",
                settings.last().map_or("API key", |s| s.spec.label)
            ),
            theme.style(Slot::Muted),
        ))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The provider row's hint, from its descriptor.
fn provider_hint() -> &'static str {
    FIELDS
        .iter()
        .find(|f| f.rule == FieldRule::Provider)
        .map_or("", |f| f.hint)
}
