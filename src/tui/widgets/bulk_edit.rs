//! The bulk change dialog: set the model (`m`), or the provider, model, key
//! and base URL (`P`), of every marked scope at once. It names how many
//! scopes it will change; the key is masked like the form's. What it
//! returns is one [`ConfigPatch`]; the service checks it for each scope and
//! the job reports per scope.

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{centered, popup_frame};
use crate::domain::{ApiKey, Catalog, ConfigPatch, Scope};
use crate::tui::screens::form::provider_after;
use crate::tui::theme::{Slot, Theme};

/// What the dialog changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkMode {
    /// The model only.
    Model,
    /// Provider + model + key (+ base URL): the key must change with the provider.
    Provider,
}

/// The dialog's state.
#[derive(Debug)]
pub struct BulkEditState {
    /// Model only, or provider + key.
    pub mode: BulkMode,
    /// The scopes it applies to.
    pub scopes: Vec<Scope>,
    /// Each scope's config stamp when the dialog opened (same order), so
    /// applying can tell which changed meanwhile.
    pub seen: Vec<u64>,
    provider: usize,
    model: Input,
    api_key: Input,
    base_url: Input,
    /// Focused field: 0 provider, 1 model, 2 key, 3 base URL.
    focus: usize,
    problem: Option<String>,
}

/// What a key did.
#[derive(Debug)]
pub enum BulkOutcome {
    /// Still open.
    Pending,
    /// Closed without a change.
    Close,
    /// Apply this patch to every scope.
    Apply(ConfigPatch),
}

impl BulkEditState {
    /// A dialog over `scopes`.
    pub fn new(mode: BulkMode, scopes: Vec<Scope>) -> BulkEditState {
        BulkEditState {
            mode,
            scopes,
            seen: Vec::new(),
            provider: 0,
            model: Input::default(),
            api_key: Input::default(),
            base_url: Input::default(),
            focus: if mode == BulkMode::Model { 1 } else { 0 },
            problem: None,
        }
    }

    /// The name of the focused text field, `None` on the provider select.
    pub fn text_field(&self) -> Option<&'static str> {
        match self.focus {
            1 => Some("model"),
            2 => Some("api_key"),
            3 => Some("base_url"),
            _ => None,
        }
    }

    fn fields(&self) -> &'static [usize] {
        match self.mode {
            BulkMode::Model => &[1],
            BulkMode::Provider => &[0, 1, 2, 3],
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent, catalog: &Catalog) -> BulkOutcome {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        match key.code {
            KeyCode::Esc => return BulkOutcome::Close,
            KeyCode::Tab | KeyCode::Down if fields.len() > 1 => {
                self.focus = fields[(at + 1) % fields.len()];
            }
            KeyCode::BackTab | KeyCode::Up if fields.len() > 1 => {
                self.focus = fields[(at + fields.len() - 1) % fields.len()];
            }
            KeyCode::Enter => return self.submit(catalog),
            // The same keys as the form's provider field, letters included.
            code if self.focus == 0 => {
                if let Some(next) = provider_after(catalog, self.provider, code) {
                    self.provider = next;
                }
            }
            _ => {
                let input = match self.focus {
                    1 => &mut self.model,
                    2 => &mut self.api_key,
                    3 => &mut self.base_url,
                    _ => return BulkOutcome::Pending,
                };
                input.handle_event(&Event::Key(*key));
                self.problem = None;
            }
        }
        BulkOutcome::Pending
    }

    fn submit(&mut self, catalog: &Catalog) -> BulkOutcome {
        let model = self.model.value().trim();
        if model.is_empty() {
            self.problem = Some("model: enter a model id".into());
            self.focus = 1;
            return BulkOutcome::Pending;
        }
        let mut patch = ConfigPatch {
            model: Some(model.to_string()),
            ..ConfigPatch::default()
        };
        if self.mode == BulkMode::Provider {
            let key = self.api_key.value().trim();
            if key.is_empty() {
                self.problem = Some("api_key: a new provider needs a new key (design §2)".into());
                self.focus = 2;
                return BulkOutcome::Pending;
            }
            let spec = &catalog.providers()[self.provider];
            patch.provider = Some(spec.id.clone());
            patch.api_key = Some(ApiKey::new(key));
            let url = self.base_url.value().trim();
            patch.base_url = Some((!url.is_empty()).then(|| url.to_string()));
        }
        BulkOutcome::Apply(patch)
    }
}

/// Draws the dialog centred in `area`.
pub fn render(
    state: &BulkEditState,
    catalog: &Catalog,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let n = state.scopes.len();
    let title = match state.mode {
        BulkMode::Model => format!("Set the model of {n} scopes"),
        BulkMode::Provider => format!("Set provider and key of {n} scopes"),
    };
    let height = if state.mode == BulkMode::Model { 8 } else { 11 };
    let rect = centered(area, 70, height);
    let inner = popup_frame(frame, rect, &title, theme);
    let field = |i: usize, label: &str, value: String| {
        let focused = state.focus == i;
        Line::from(vec![
            Span::styled(
                format!("{}{label:<10}", if focused { "› " } else { "  " }),
                theme.style(if focused { Slot::Accent } else { Slot::Muted }),
            ),
            Span::raw(value),
            Span::styled(if focused { "▏" } else { "" }, theme.style(Slot::Muted)),
        ])
    };
    let mut lines = Vec::new();
    if state.mode == BulkMode::Provider {
        let spec = &catalog.providers()[state.provider];
        lines.push(field(
            0,
            "Provider",
            format!("◀ {} ({}) ▶", spec.name, spec.id),
        ));
    }
    lines.push(field(1, "Model", state.model.value().to_string()));
    if state.mode == BulkMode::Provider {
        let masked = "•".repeat(state.api_key.value().chars().count());
        lines.push(field(2, "API key", masked));
        lines.push(field(3, "Base URL", state.base_url.value().to_string()));
    }
    lines.push(Line::default());
    match &state.problem {
        Some(p) => lines.push(Line::from(Span::styled(
            format!("✗ {p}"),
            theme.style(Slot::Error),
        ))),
        None => lines.push(Line::from(Span::styled(
            format!("Enter applies to all {n} · Esc cancels · each scope is reported"),
            theme.style(Slot::Muted),
        ))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
