//! The pure render function: `render(&AppState, frame)` draws the header,
//! the screen, the footer, the popup and the toasts — no I/O, no awaiting,
//! no clock. The layout is a function of the frame size alone, so mouse
//! handling uses the same [`layout`] to map clicks to rows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::screens::chrome::{self, MIN_HEIGHT, MIN_WIDTH, TWO_PANE_WIDTH};
use super::screens::detail::{self, DetailView};
use super::screens::instances::{self, ListView};
use super::screens::{Screen, audit, form_view, test_all};
use super::state::{AppState, Popup};
use super::widgets::{add_instance, confirm, help, picker, toast};

/// Where things go on a frame of a given size.
#[derive(Debug, Clone, Copy)]
pub struct Areas {
    /// Header line.
    pub header: Rect,
    /// Everything between header and footer.
    pub body: Rect,
    /// The instance list (`None` when hidden in single-pane mode).
    pub list: Option<Rect>,
    /// The detail pane (`None` when hidden).
    pub detail: Option<Rect>,
    /// Footer line.
    pub footer: Rect,
}

/// Computes the layout; `None` when the terminal is too small.
pub fn layout(area: Rect, narrow_detail: bool) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (list, detail) = if area.width >= TWO_PANE_WIDTH {
        let [l, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(body);
        (Some(l), Some(d))
    } else if narrow_detail {
        (None, Some(body))
    } else {
        (Some(body), None)
    };
    Some(Areas {
        header,
        body,
        list,
        detail,
        footer,
    })
}

/// Draws the whole frame from `state`.
pub fn render(state: &AppState, frame: &mut Frame) {
    let Some(areas) = layout(frame.area(), state.narrow_detail) else {
        chrome::too_small(&state.theme, frame);
        return;
    };
    let theme = &state.theme;
    let scope = state.scope();
    chrome::header(
        &state.env.mode,
        scope.as_ref(),
        state.env.read_only,
        theme,
        frame,
        areas.header,
    );
    match &state.screen {
        Screen::Main => {
            if let Some(area) = areas.list {
                let spinner = |s: &crate::domain::Scope| state.tests.spinner(s);
                let view = ListView {
                    list: &state.list,
                    theme,
                    now: state.now,
                    spinner: &spinner,
                    focused: areas.detail.is_none() || !state.narrow_detail,
                };
                instances::render(&view, frame, area);
            }
            if let Some(area) = areas.detail {
                let entry = state.list.selected();
                let view = DetailView {
                    entry,
                    testing: entry.is_some_and(|e| state.tests.is_pending(&e.scope)),
                    theme,
                    now: state.now,
                };
                detail::render(&view, frame, area);
            }
        }
        Screen::Form(form) => form_view::render(form, state.catalog, theme, frame, areas.body),
        Screen::Audit(a) => audit::render(a, theme, frame, areas.body),
        Screen::TestAll(t) => test_all::render(t, theme, frame, areas.body),
    }
    chrome::footer(
        state.screen.context(),
        &state.keymap,
        theme,
        frame,
        areas.footer,
    );
    let full = frame.area();
    match &state.popup {
        None => {}
        Some(Popup::Picker(p)) => picker::render(p, &state.list, theme, frame, full),
        Some(Popup::Confirm(c)) => confirm::render(c, theme, frame, full),
        Some(Popup::AddInstance(a)) => add_instance::render(a, theme, frame, full),
        Some(Popup::Help { scroll }) => {
            let view = help::HelpView {
                context: state.screen.context(),
                keymap: &state.keymap,
                paths: [
                    ("config", state.env.config_file.clone()),
                    ("store", state.env.store.clone()),
                    ("log", state.env.log_file.clone()),
                ],
                theme,
                scroll: *scroll,
            };
            help::render(&view, frame, full);
        }
    }
    toast::render(&state.toasts, theme, frame, areas.body);
}
