//! The pure render function: `render(&AppState, frame)` draws the header,
//! the screen, the footer, the popup and the toasts — no I/O, no awaiting,
//! no clock. The layout is a function of the frame size alone, so mouse
//! handling uses the same [`layout`] to map clicks to rows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};

use super::screens::chrome::{self, MIN_HEIGHT, MIN_WIDTH, TWO_PANE_WIDTH};
use super::screens::detail::{self, DetailView};
use super::screens::instances::{self, ListView};
use super::screens::{Screen, audit, form_view, jobs, key_map, results, versions};
use super::state::{AppState, Popup};
use super::widgets::{
    add_instance, bulk_edit, changed_since, confirm, help, messages, picker, rotate_key, toast,
    type_name,
};

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
        let quit = match &state.screen {
            Screen::Form(f) if f.is_dirty() => chrome::SmallQuit::KeepsForm,
            _ => chrome::SmallQuit::Quits,
        };
        chrome::too_small(quit, &state.theme, frame);
        return;
    };
    let theme = &state.theme;
    let scope = state.scope();
    let job = state
        .job
        .as_ref()
        .filter(|j| j.running())
        .map(|j| format!("{} {}/{} · v shows it", j.label, j.rows.len(), j.total))
        .or_else(|| match &state.screen {
            // A rotation runs on the key map; the header says so like a job.
            Screen::KeyMap(k) => k.rotation.as_ref().and_then(|r| r.badge()),
            _ => None,
        });
    let header = chrome::HeaderView {
        mode: &state.env.mode,
        scope: scope.as_ref(),
        read_only: state.env.read_only,
        job,
        connection: &state.connection,
        context: state.env.context.as_ref(),
    };
    chrome::header(&header, theme, frame, areas.header);
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
                    drift: state.drift.as_ref(),
                    health: state.health.as_ref(),
                    coverage: state.coverage,
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
                    health: state.health.as_ref(),
                };
                detail::render(&view, frame, area);
            }
        }
        Screen::Form(form) => form_view::render(form, state.catalog, theme, frame, areas.body),
        Screen::Audit(a) => audit::render(a, theme, frame, areas.body),
        Screen::Versions(v) => versions::render(v, theme, frame, areas.body),
        Screen::KeyMap(k) => key_map::render(k, theme, state.now, frame, areas.body),
        Screen::Jobs(v) => jobs::render(v, theme, frame, areas.body),
        Screen::Results(view) => {
            if let Some(job) = &state.job {
                results::render(view, job, theme, frame, areas.body);
            }
        }
    }
    chrome::footer(
        state.context(),
        &state.keymap,
        state.env.read_only,
        theme,
        frame,
        areas.footer,
    );
    if let Some(popup) = &state.popup {
        render_popup(state, popup, frame);
    }
    toast::render(&state.toasts, theme, frame, toast_area(state, &areas));
}

/// Where toasts stack: inside the frame of the screen's bottom-right pane,
/// so they never cover a border, and above the results view's detail line,
/// which holds the selected row's full message.
fn toast_area(state: &AppState, areas: &Areas) -> Rect {
    let pane = match &state.screen {
        Screen::Main => areas.detail.or(areas.list).unwrap_or(areas.body),
        Screen::Results(_) => results::table_area(areas.body),
        _ => areas.body,
    };
    pane.inner(Margin::new(1, 1))
}

/// The help overlay's input for `context`.
pub fn help_view(
    state: &AppState,
    context: crate::tui::action::KeyContext,
    scroll: u16,
) -> help::HelpView<'_> {
    help::HelpView {
        context,
        keymap: &state.keymap,
        paths: [
            ("config", state.env.config_file.clone()),
            ("store", state.env.store.clone()),
            ("log", state.env.log_file.clone()),
        ],
        theme: &state.theme,
        scroll,
        auto_refresh: state.auto_refresh,
    }
}

fn render_popup(state: &AppState, popup: &Popup, frame: &mut Frame) {
    let theme = &state.theme;
    let full = frame.area();
    match popup {
        Popup::Picker(p) => picker::render(p, &state.list, theme, frame, full),
        Popup::Confirm(c) => confirm::render(c, theme, frame, full),
        Popup::AddInstance(a) => add_instance::render(a, theme, frame, full),
        Popup::Help {
            context,
            scroll,
            under,
        } => {
            if let Some(under) = under {
                render_popup(state, under, frame);
            }
            help::render(&help_view(state, *context, *scroll), frame, full);
        }
        Popup::Notice { text } => messages::render_notice(text, theme, frame, full),
        Popup::Messages { scroll } => {
            messages::render(&state.messages, *scroll, theme, frame, full)
        }
        Popup::BulkEdit(b) => bulk_edit::render(b, state.catalog, theme, frame, full),
        Popup::RotateKey(r) => rotate_key::render(r, theme, frame, full),
        Popup::ChangedSince(c) => changed_since::render(c, theme, frame, full),
        Popup::TypeName(t) => type_name::render(t, theme, frame, full),
    }
}
