//! Copy through OSC 52: the terminal (also over SSH and inside tmux with
//! `set-clipboard on`) puts the text on the system clipboard, so no X11 or
//! Wayland tool is needed. What is copied is the scope id or the config as
//! JSON, which holds only the masked key.

use std::io::{self, Write};

use crate::domain::ConfigView;

/// Where copied text goes: the terminal in the binary, a buffer in tests.
pub type ClipboardSink = Box<dyn FnMut(&str) -> io::Result<()> + Send>;

/// A sink that writes the OSC 52 sequence to stdout, between frames.
pub fn osc52_stdout() -> ClipboardSink {
    Box::new(|text| {
        let mut out = io::stdout();
        crossterm::execute!(
            out,
            crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
        )?;
        out.flush()
    })
}

/// A sink that drops the text (the default until the binary installs one).
pub fn discard() -> ClipboardSink {
    Box::new(|_| Ok(()))
}

/// The config as pretty JSON: the stored view, whose only key field is the
/// mask (`sk-...abcd`), never the key.
pub fn config_json(view: &ConfigView) -> String {
    serde_json::to_string_pretty(view).unwrap_or_default()
}
