//! The detail pane: the selected scope's configuration (provider, model,
//! masked key, base URL, created/updated) and its last connection test
//! (status, message, latency), or what to do when there is none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::health_view;
use super::instances::{Entry, STALE_MARK, age, test_mark};
use crate::domain::Catalog;
use crate::tui::theme::{Slot, Theme};

/// What the pane needs.
pub struct DetailView<'a> {
    /// The selected entry, if any.
    pub entry: Option<&'a Entry>,
    /// Whether its test is running.
    pub testing: bool,
    /// Colours.
    pub theme: &'a Theme,
    /// "Now" for ages.
    pub now: OffsetDateTime,
    /// The monitor's health, for the health section and sparkline.
    pub health: Option<&'a crate::service::HealthBoard>,
}

fn stamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Draws the pane into `area`.
pub fn render(view: &DetailView<'_>, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let title = match view.entry {
        Some(e) => format!(" {} ", e.scope),
        None => " Detail ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(title, theme.style(Slot::Accent)));
    let Some(entry) = view.entry else {
        frame.render_widget(Paragraph::new("Nothing selected").block(block), area);
        return;
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<12}"), theme.style(Slot::Muted)),
            Span::raw(value),
        ])
    };
    let mut lines = Vec::new();
    if let Some(name) = &entry.summary.name {
        lines.push(field("Name", name.clone()));
    }
    match &entry.summary.config {
        Some(c) => {
            let spec = Catalog::builtin().get(&c.provider);
            let provider = spec
                .map(|s| format!("{} ({})", s.name, s.id))
                .unwrap_or_else(|| c.provider.clone());
            lines.push(field("Provider", provider));
            lines.push(field("Model", c.model.clone()));
            lines.push(field("API key", c.api_key_masked.clone()));
            let base = match (&c.base_url, spec) {
                (Some(u), _) => u.clone(),
                (None, Some(s)) if !s.base_url.is_empty() => format!("default ({})", s.base_url),
                _ => "—".to_string(),
            };
            lines.push(field("Base URL", base));
            lines.push(field("Created", stamp(c.created_at)));
            lines.push(field("Updated", stamp(c.updated_at)));
        }
        None => {
            lines.push(Line::from(Span::styled(
                format!("No LLM configuration for the {}.", entry.scope),
                theme.style(Slot::Warn),
            )));
            lines.push(Line::from(
                "AI features stay disabled here until one is created.",
            ));
            lines.push(Line::from(Span::styled(
                "Press n to create one.",
                theme.style(Slot::Muted),
            )));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Last test",
        theme.style(Slot::Accent),
    )));
    if view.testing {
        lines.push(Line::from(Span::styled(
            "testing… (Esc cancels)",
            theme.style(Slot::Warn),
        )));
    }
    if entry.stale_test() && !view.testing {
        lines.push(Line::from(Span::styled(
            format!("{STALE_MARK} changed since last test — press t"),
            theme.style(Slot::Warn),
        )));
    }
    match &entry.summary.last_test {
        Some(t) => {
            let (mark, slot) = test_mark(Some(t));
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "Status"), theme.style(Slot::Muted)),
                Span::styled(format!("{mark} {}", t.status.as_str()), theme.style(slot)),
            ]));
            lines.push(field("Message", t.message.clone()));
            lines.push(field("Latency", format!("{} ms", t.latency_ms)));
            lines.push(field(
                "Checked",
                format!(
                    "{} ({} ago)",
                    stamp(t.checked_at),
                    age(view.now, t.checked_at)
                ),
            ));
            // What the provider said of the model and key, in the words
            // `test` prints; only for the config the test still speaks for.
            let facts = entry.lifecycle().map(|l| l.lines(view.now.date()));
            for (i, line) in facts.into_iter().flatten().enumerate() {
                lines.push(field(if i == 0 { "Lifecycle" } else { "" }, line));
            }
        }
        None if !view.testing && entry.summary.config.is_some() => {
            lines.push(Line::from(Span::styled(
                "· never tested — press t",
                theme.style(Slot::Muted),
            )));
        }
        None if !view.testing => {
            lines.push(Line::from(Span::styled(
                "· nothing to test until a configuration exists",
                theme.style(Slot::Muted),
            )));
        }
        None => {}
    }
    lines.extend(health_view::detail_lines(
        view.health,
        &entry.scope,
        view.now,
        theme,
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut text_area = inner;
    if let Some(board) = view
        .health
        .filter(|b| health_view::has_sparkline(Some(b), &entry.scope))
        && inner.height > health_view::SPARK_ROWS + 2
    {
        text_area.height -= health_view::SPARK_ROWS;
        let spark_area = Rect {
            y: inner.y + text_area.height,
            height: health_view::SPARK_ROWS,
            ..inner
        };
        health_view::sparkline(board, theme, frame, spark_area);
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
}
