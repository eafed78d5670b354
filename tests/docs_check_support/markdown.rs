//! What the docs show: `llmcfg` invocations in code, settings, links.

use std::path::{Path, PathBuf};

use super::settings::is_bare_key;

/// One markdown file.
pub struct Doc {
    pub path: PathBuf,
    /// Its path from the repository root, for messages.
    name: String,
    text: String,
}

impl Doc {
    pub fn read(path: &Path) -> Doc {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        Doc {
            path: path.to_path_buf(),
            name,
            text,
        }
    }

    fn place(&self, line: usize) -> String {
        format!("{}:{line}", self.name)
    }
}

/// A fenced block: the line of its first body line, its language, its body.
struct Block<'a> {
    line: usize,
    lang: &'a str,
    body: Vec<&'a str>,
}

/// Every fenced block of `doc`, and every line outside them (numbered).
fn split(doc: &Doc) -> (Vec<Block<'_>>, Vec<(usize, &str)>) {
    let mut blocks = Vec::new();
    let mut prose = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in doc.text.lines().enumerate() {
        match (line.trim_start().strip_prefix("```"), open.take()) {
            (Some(_), Some(block)) => blocks.push(block),
            (Some(lang), None) => {
                open = Some(Block {
                    line: i + 2,
                    lang: lang.trim(),
                    body: Vec::new(),
                })
            }
            (None, Some(mut block)) => {
                block.body.push(line);
                open = Some(block);
            }
            (None, None) => prose.push((i + 1, line)),
        }
    }
    (blocks, prose)
}

/// A piece of code in a doc: a line of a fenced block (shell lines
/// continued with `\` joined), or an inline span.
struct Code<'a> {
    line: usize,
    /// The fence's language; `None` for an inline span.
    lang: Option<&'a str>,
    text: String,
}

fn code(doc: &Doc) -> Vec<Code<'_>> {
    let (blocks, prose) = split(doc);
    let mut out = Vec::new();
    for block in blocks {
        let mut pending: Option<Code> = None;
        for (i, line) in block.body.iter().enumerate() {
            let mut piece = pending.take().unwrap_or(Code {
                line: block.line + i,
                lang: Some(block.lang),
                text: String::new(),
            });
            match line.strip_suffix('\\') {
                Some(head) => {
                    piece.text.push_str(head);
                    pending = Some(piece);
                }
                None => {
                    piece.text.push_str(line);
                    out.push(piece);
                }
            }
        }
    }
    for (line, text) in prose {
        out.extend(text.split('`').skip(1).step_by(2).map(|span| Code {
            line,
            lang: None,
            text: span.to_string(),
        }));
    }
    out
}

/// `llmcfg` run with these words, as a doc shows it.
pub struct Invocation {
    pub place: String,
    pub text: String,
    pub words: Vec<String>,
}

/// Every `llmcfg …` in shell code and inline spans. The words end where the
/// shell would end the command (a pipe, a redirection, a comment) or where a
/// placeholder starts (`<command>`, `[OPTIONS]`).
pub fn invocations(doc: &Doc) -> Vec<Invocation> {
    let mut out = Vec::new();
    for piece in code(doc) {
        if !matches!(
            piece.lang,
            None | Some("" | "sh" | "bash" | "console" | "shell")
        ) {
            continue;
        }
        // A shell comment is prose, whatever it names.
        let text = match piece.lang {
            Some(_) => shell_code(&piece.text),
            None => &piece.text,
        };
        for (at, _) in text.match_indices("llmcfg") {
            let before = text[..at].chars().next_back();
            let after = text[at + "llmcfg".len()..].chars().next();
            let starts = before.is_none_or(|c| c.is_whitespace() || c == '/' || c == '(');
            let ends = after.is_none_or(char::is_whitespace);
            if !(starts && ends) {
                continue;
            }
            let words = text[at + "llmcfg".len()..]
                .split_whitespace()
                .take_while(|w| !ends_the_command(w))
                .map(|w| w.trim_matches(|c| c == '\'' || c == '"').to_string())
                .collect::<Vec<_>>();
            out.push(Invocation {
                place: doc.place(piece.line),
                text: format!("llmcfg {}", words.join(" ")).trim_end().to_string(),
                words,
            });
        }
    }
    out
}

/// A shell line without its comment (a `#` that starts a word).
fn shell_code(line: &str) -> &str {
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '#' && previous.is_whitespace() {
            return &line[..at];
        }
        previous = c;
    }
    line
}

fn ends_the_command(word: &str) -> bool {
    ["|", "||", "&&", ";", "&", "#", "\\"].contains(&word)
        || word.starts_with(['>', '<', '[', '#', '`'])
        || word.starts_with("2>")
        || word.ends_with(';')
}

/// Every setting a doc names in an inline span as `[section] key`.
pub fn setting_mentions(doc: &Doc) -> Vec<(String, String)> {
    code(doc)
        .into_iter()
        .filter(|piece| piece.lang.is_none())
        .filter_map(|piece| {
            let rest = piece.text.strip_prefix('[')?;
            let (section, rest) = rest.split_once("] ")?;
            let key = rest.split([' ', '=']).next()?;
            (section.split('.').all(is_bare_key) && is_bare_key(key))
                .then(|| (doc.place(piece.line), format!("{section}.{key}")))
        })
        .collect()
}

/// Every setting a ```toml block of a doc sets, as `section.key`; a block
/// that does not parse is reported as such.
pub fn toml_settings(doc: &Doc) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in split(doc).0.into_iter().filter(|b| b.lang == "toml") {
        let place = doc.place(block.line);
        match block.body.join("\n").parse::<toml::Table>() {
            Ok(table) => flatten("", &toml::Value::Table(table), &mut |key| {
                out.push((place.clone(), key))
            }),
            Err(e) => out.push((place, format!("(a toml block that does not parse: {e})"))),
        }
    }
    out
}

fn flatten(prefix: &str, value: &toml::Value, found: &mut impl FnMut(String)) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, value, found);
            }
        }
        toml::Value::Array(items)
            if items.iter().all(toml::Value::is_table) && !items.is_empty() =>
        {
            for item in items {
                flatten(prefix, item, found);
            }
        }
        _ => found(prefix.to_string()),
    }
}

/// Every relative link target (`](target)`) of a doc; web addresses and
/// anchors within the page are left out.
pub fn links(doc: &Doc) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, line) in doc.text.lines().enumerate() {
        for (at, _) in line.match_indices("](") {
            let rest = &line[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if !target.contains("://") && !target.starts_with('#') && !target.starts_with("mailto:")
            {
                out.push((doc.place(i + 1), target.to_string()));
            }
        }
    }
    out
}
