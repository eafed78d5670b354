//! Drawing the create / edit form: one row per field, the validation message
//! or hint under it, model suggestions, and a status line saying why a save
//! is blocked. The key field shows bullets unless revealed while focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::chrome::screen_block;
use super::form::{Field, FormState, LiveModels};
use crate::domain::{BaseUrlRule, Catalog};
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
    let label = |f: Field, text: &'static str| {
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
            "←/→ or a letter to change".to_string()
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

    let base = form.base_url.value();
    let base_text = if base.is_empty() {
        match spec.base_url_rule {
            BaseUrlRule::Required => Span::styled(" (required)", theme.style(Slot::Warn)),
            BaseUrlRule::Allowed => Span::styled(
                format!(" (default {})", spec.base_url),
                theme.style(Slot::Muted),
            ),
        }
    } else {
        Span::raw(format!(" {base}"))
    };
    lines.push(Line::from(vec![
        label(Field::BaseUrl, "Base URL"),
        base_text,
        cursor(Field::BaseUrl),
    ]));
    lines.push(message(
        Field::BaseUrl,
        Some("https, or http to a loopback host".to_string()),
    ));
    lines.push(Line::default());
    match &form.status {
        Some(s) if s.starts_with("Cannot") => lines.push(Line::from(Span::styled(
            s.clone(),
            theme.style(Slot::Error),
        ))),
        Some(s) => lines.push(Line::from(Span::styled(s.clone(), theme.style(Slot::Warn)))),
        None => lines.push(Line::from(Span::styled(
            "Tab/Shift-Tab move · Ctrl-s or Enter on Base URL saves · Esc cancels",
            theme.style(Slot::Muted),
        ))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
