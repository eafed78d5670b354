//! Where the instance list comes from when the server cannot list its
//! instances: the control plane always, `[[instances]]`, the operator's
//! `[remote] instances_command` or `instances_file`, and the scopes this
//! machine used with the remote before.
//!
//! The command runs directly, without a shell (as git credential helpers
//! and kubectl exec plugins do), so no quoting or injection questions arise;
//! an operator who wants a pipeline writes `["sh", "-c", "…"]`. It gets no
//! stdin, must finish within [`INSTANCES_COMMAND_TIMEOUT`], and its stderr is
//! discarded, since a helper that talks to an inventory may print tokens.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;

use super::memory::ScopeMemory;
use crate::domain::InstanceId;
use crate::service::ServiceError;

/// Longest time `instances_command` may run unless `[remote]
/// instances_command_timeout_secs` says otherwise.
pub const INSTANCES_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest output of `instances_command` or `instances_file`, in bytes.
pub const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

/// An instance id with its display name, from any source.
pub type Named = (InstanceId, Option<String>);

/// Every source of instance ids besides the server.
#[derive(Default)]
pub struct InstanceSources {
    /// `[[instances]]` of `config.toml`.
    pub configured: Vec<Named>,
    /// `[remote] instances_command`: program and arguments.
    pub command: Option<Vec<String>>,
    /// How long the command may run (default [`INSTANCES_COMMAND_TIMEOUT`]).
    pub command_timeout: Option<Duration>,
    /// `[remote] instances_file`.
    pub file: Option<PathBuf>,
    /// The scopes used with this remote before.
    pub memory: Option<ScopeMemory>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListItem {
    Id(String),
    Entry {
        id: String,
        #[serde(default)]
        name: Option<String>,
    },
}

/// Parses a list: a JSON array of ids (or of `{"id", "name"}`), or one id per
/// line (blank lines and `#` comments skipped).
pub fn parse_list(text: &str, source: &str) -> Result<Vec<Named>, ServiceError> {
    let bad = |what: String| ServiceError::Remote(format!("{source}: {what}"));
    let trimmed = text.trim_start();
    let raw: Vec<(String, Option<String>)> = if trimmed.starts_with('[') {
        let items: Vec<ListItem> = serde_json::from_str(trimmed)
            .map_err(|e| bad(format!("not a JSON array of instance ids ({e})")))?;
        items
            .into_iter()
            .map(|i| match i {
                ListItem::Id(id) => (id, None),
                ListItem::Entry { id, name } => (id, name),
            })
            .collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| (l.to_string(), None))
            .collect()
    };
    raw.into_iter()
        .enumerate()
        .map(|(i, (id, name))| {
            InstanceId::parse(&id)
                .map(|id| (id, name))
                .map_err(|e| bad(format!("entry {} ({id:?}): {e}", i + 1)))
        })
        .collect()
}

impl InstanceSources {
    /// The ids of every source, each once, first source's name winning.
    pub async fn collect(&self) -> Result<Vec<Named>, ServiceError> {
        let mut all = self.configured.clone();
        if let Some(argv) = &self.command {
            let limit = self.command_timeout.unwrap_or(INSTANCES_COMMAND_TIMEOUT);
            all.extend(run_command(argv, limit).await?);
        }
        if let Some(file) = &self.file {
            let source = format!("[remote] instances_file {}", file.display());
            let text =
                std::fs::read(file).map_err(|e| ServiceError::Remote(format!("{source}: {e}")))?;
            if text.len() > MAX_LIST_BYTES {
                return Err(ServiceError::Remote(format!(
                    "{source}: larger than {MAX_LIST_BYTES} bytes"
                )));
            }
            all.extend(parse_list(&String::from_utf8_lossy(&text), &source)?);
        }
        if let Some(memory) = &self.memory {
            all.extend(memory.list().into_iter().map(|id| (id, None)));
        }
        let mut seen = std::collections::BTreeMap::<InstanceId, Option<String>>::new();
        for (id, name) in all {
            let entry = seen.entry(id).or_default();
            if entry.is_none() {
                *entry = name;
            }
        }
        Ok(seen.into_iter().collect())
    }
}

async fn run_command(argv: &[String], limit: Duration) -> Result<Vec<Named>, ServiceError> {
    let source = "[remote] instances_command";
    let fail = |what: String| ServiceError::Remote(format!("{source}: {what}"));
    let Some((program, args)) = argv.split_first() else {
        return Err(fail("is empty; give the program and its arguments".into()));
    };
    let child = crate::child::command(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| fail(format!("cannot run {program:?}: {e}")))?;
    // On timeout the future (and with it the child, `kill_on_drop`) is dropped.
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| {
            fail(format!(
                "{program:?} did not finish within {:.1} s and was stopped",
                limit.as_secs_f64()
            ))
        })?
        .map_err(|e| fail(format!("{program:?}: {e}")))?;
    if !output.status.success() {
        return Err(fail(format!(
            "{program:?} failed ({}); its stderr is not shown, run it yourself to see why",
            output.status
        )));
    }
    if output.stdout.len() > MAX_LIST_BYTES {
        return Err(fail(format!("printed more than {MAX_LIST_BYTES} bytes")));
    }
    parse_list(&String::from_utf8_lossy(&output.stdout), source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[Named]) -> Vec<&str> {
        list.iter().map(|(i, _)| i.as_str()).collect()
    }

    #[test]
    fn lines_and_json_arrays() {
        let l = parse_list("acme\n\n# comment\n beta \n", "t").unwrap();
        assert_eq!(ids(&l), ["acme", "beta"]);
        let j = parse_list(r#"["acme", {"id": "beta", "name": "Beta"}]"#, "t").unwrap();
        assert_eq!(ids(&j), ["acme", "beta"]);
        assert_eq!(j[1].1.as_deref(), Some("Beta"));
        let e = parse_list("ok\nnot valid!\n", "src")
            .unwrap_err()
            .to_string();
        assert!(e.contains("src: entry 2"), "{e}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn command_runs_without_a_shell_and_its_stderr_stays_out() {
        let sources = InstanceSources {
            command: Some(vec![
                "sh".into(),
                "-c".into(),
                "echo acme; echo gamma; echo SECRET-TOKEN >&2".into(),
            ]),
            ..Default::default()
        };
        assert_eq!(ids(&sources.collect().await.unwrap()), ["acme", "gamma"]);
        let failing = InstanceSources {
            command: Some(vec![
                "sh".into(),
                "-c".into(),
                "echo SECRET-TOKEN >&2; exit 3".into(),
            ]),
            ..Default::default()
        };
        let e = failing.collect().await.unwrap_err().to_string();
        assert!(e.contains("failed") && !e.contains("SECRET-TOKEN"), "{e}");
        // A literal argument is not interpreted by a shell.
        let literal = InstanceSources {
            command: Some(vec!["echo".into(), "acme; echo injected".into()]),
            ..Default::default()
        };
        assert!(literal.collect().await.is_err());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_hanging_command_is_stopped_at_its_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("still-running");
        let sources = InstanceSources {
            command: Some(vec![
                "sh".into(),
                "-c".into(),
                format!("sleep 3; touch {}", marker.display()),
            ]),
            command_timeout: Some(Duration::from_millis(200)),
            ..Default::default()
        };
        let e = sources.collect().await.unwrap_err().to_string();
        assert!(e.contains("did not finish within 0.2 s"), "{e}");
        // Killed, not left behind: it never gets to write its marker.
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert!(
            !marker.exists(),
            "the command kept running after its timeout"
        );
    }
}
