//! `llmcfg --help` and each subcommand's help, read as the docs are
//! checked against them.

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

/// What one command's help says.
struct Help {
    /// Its subcommands.
    commands: Vec<String>,
    /// Its options (`--json`, `-i`), each with whether it takes a value.
    options: BTreeMap<String, TakesValue>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TakesValue {
    Yes,
    No,
}

/// The help of every command asked about so far, by command path.
pub struct HelpTree {
    bin: String,
    helps: HashMap<Vec<String>, Help>,
}

impl HelpTree {
    pub fn new(bin: &str) -> HelpTree {
        HelpTree {
            bin: bin.to_string(),
            helps: HashMap::new(),
        }
    }

    fn help(&mut self, path: &[String]) -> &Help {
        let bin = self.bin.clone();
        self.helps.entry(path.to_vec()).or_insert_with(|| {
            let out = Command::new(&bin)
                .args(path)
                .arg("--help")
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "llmcfg {} --help failed: {}",
                path.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            parse(&String::from_utf8(out.stdout).unwrap())
        })
    }

    /// Whether `llmcfg` accepts `words` as far as its help tells: each
    /// subcommand exists where it is used, and each option belongs to the
    /// command it follows. Positional values are not judged.
    pub fn check(&mut self, words: &[String]) -> Result<(), String> {
        let mut path: Vec<String> = Vec::new();
        let mut positional = false;
        let mut rest = words.iter();
        while let Some(word) = rest.next() {
            let help = self.help(&path);
            let command = format!("llmcfg {}", path.join(" ")).trim_end().to_string();
            if word.starts_with('-') && word.len() > 1 {
                let name = word.split('=').next().unwrap_or_default();
                match help.options.get(name) {
                    None => return Err(format!("`{command}` has no option {name}")),
                    Some(TakesValue::Yes) if !word.contains('=') => {
                        rest.next();
                    }
                    Some(_) => {}
                }
            } else if !help.commands.is_empty() && !positional {
                if !help.commands.contains(word) {
                    return Err(format!("`{command}` has no subcommand {word}"));
                }
                path.push(word.clone());
            } else {
                positional = true;
            }
        }
        Ok(())
    }
}

/// Reads clap's help: the `Commands:` and `Options:` sections.
fn parse(text: &str) -> Help {
    let mut commands = Vec::new();
    let mut options = BTreeMap::new();
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') {
            section = line.trim_end_matches(':');
            continue;
        }
        let trimmed = line.trim_start();
        if section == "Commands" && line.len() - trimmed.len() == 2 {
            if let Some(name) = trimmed.split_whitespace().next() {
                commands.push(name.to_string());
            }
        } else if section == "Options" && trimmed.starts_with('-') {
            // `-i, --instance <ID>  Text`: the spec ends at two spaces.
            // The value belongs to the short name as much as to the long.
            let spec = trimmed.split("  ").next().unwrap_or_default();
            let value = if spec.contains(" <") {
                TakesValue::Yes
            } else {
                TakesValue::No
            };
            for part in spec.split(", ") {
                let name = part.split(' ').next().unwrap_or_default();
                options.insert(name.to_string(), value);
            }
        }
    }
    Help { commands, options }
}
