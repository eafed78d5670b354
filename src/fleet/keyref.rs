//! Key references: where a fleet file says an API key comes from, since it
//! never holds one. `api_key_env` names an environment variable,
//! `api_key_file` a file of mode 0600, `api_key_command` a program run without
//! a shell (like a git credential helper: its first line of stdout is the key,
//! its stderr is never shown because helpers sometimes echo what they read),
//! and `keep_key = true` leaves the stored key alone.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::domain::ApiKey;

/// How long a key command may run before it is killed.
pub const KEY_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Which `api_key_file` paths a fleet file may name. A fleet file is often
/// someone else's (a pull request), so by default a key file must lie in
/// the fleet file's directory or below it: `../../home/ops/.ssh/id_ed25519`
/// or `/etc/shadow` is refused before it is opened. `config.toml`'s
/// `[fleet] key_files_anywhere = true` lifts the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyFileReach {
    /// Only paths inside the fleet file's directory.
    #[default]
    InsideFleetDir,
    /// Any path.
    Anywhere,
}

/// Where a scope's key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyRef {
    /// An environment variable.
    Env(String),
    /// A file, relative paths from the fleet file's directory.
    File(PathBuf),
    /// A command line, split into argv without a shell.
    Command(String),
    /// Keep the stored key.
    Keep,
}

impl KeyRef {
    /// The fleet-file field this reference was written as.
    pub fn field(&self) -> &'static str {
        match self {
            KeyRef::Env(_) => "api_key_env",
            KeyRef::File(_) => "api_key_file",
            KeyRef::Command(_) => "api_key_command",
            KeyRef::Keep => "keep_key",
        }
    }

    /// Reads the key; `None` for [`KeyRef::Keep`]. The error says why, never
    /// with the key in it.
    pub async fn resolve(&self, dir: &Path, reach: KeyFileReach) -> Result<Option<ApiKey>, String> {
        let raw = match self {
            KeyRef::Keep => return Ok(None),
            KeyRef::Env(var) => Zeroizing::new(std::env::var(var).map_err(|e| match e {
                std::env::VarError::NotPresent => {
                    format!("environment variable {var} is not set")
                }
                std::env::VarError::NotUnicode(_) => {
                    format!("environment variable {var} is not valid UTF-8")
                }
            })?),
            KeyRef::File(path) => {
                if reach == KeyFileReach::InsideFleetDir && leaves_its_dir(path) {
                    return Err(format!(
                        "{:?} is outside the fleet file's directory; key files must lie \
                         inside it unless config.toml sets [fleet] key_files_anywhere = true",
                        path.display().to_string()
                    ));
                }
                read_key_file(&dir.join(path))?
            }
            KeyRef::Command(line) => run_key_command(line, dir).await?,
        };
        let key = ApiKey::new(raw.as_str())
            .validated()
            .map_err(|e| format!("the key it gives {}", e.reason))?;
        Ok(Some(key))
    }
}

impl fmt::Display for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::Env(var) => write!(f, "api_key_env = {var:?}"),
            KeyRef::File(p) => write!(f, "api_key_file = {:?}", p.display().to_string()),
            KeyRef::Command(c) => write!(f, "api_key_command = {c:?}"),
            KeyRef::Keep => f.write_str("keep_key = true"),
        }
    }
}

/// True when `path` (relative to the fleet file's directory) is absolute or
/// climbs out of that directory with `..`. Judged on the words of the path,
/// before anything is opened.
fn leaves_its_dir(path: &Path) -> bool {
    use std::path::Component;
    let mut depth: usize = 0;
    for part in path.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => return true,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            Component::Normal(_) => depth += 1,
        }
    }
    false
}

fn read_key_file(path: &Path) -> Result<Zeroizing<String>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{shown} has mode {mode:04o}; a key file must be readable by its owner only (chmod 600)"
            ));
        }
    }
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| format!("cannot read {shown}: {e}"))
}

async fn run_key_command(line: &str, dir: &Path) -> Result<Zeroizing<String>, String> {
    let argv = shell_words::split(line).map_err(|e| format!("cannot split the command: {e}"))?;
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| "the command is empty".to_string())?;
    let child = crate::child::command(program)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let output = tokio::time::timeout(KEY_COMMAND_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "{program} did not finish within {} s and was killed",
                KEY_COMMAND_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{program} failed ({}); its stderr is not shown because it may hold the key",
            output.status
        ));
    }
    let text = std::str::from_utf8(&stdout)
        .map_err(|_| format!("{program} printed something that is not UTF-8"))?;
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn command_is_split_without_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        // With a shell, `;` would run a second command; without one it is an
        // argument of echo.
        let key = KeyRef::Command("echo 'sk-abc def'; false".into())
            .resolve(dir.path(), KeyFileReach::InsideFleetDir)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(key.expose(), "sk-abc def; false");
    }

    #[tokio::test]
    async fn failing_command_hides_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let e = KeyRef::Command("sh -c 'echo leaked-secret >&2; exit 3'".into())
            .resolve(dir.path(), KeyFileReach::InsideFleetDir)
            .await
            .unwrap_err();
        assert!(e.contains("sh failed"), "{e}");
        assert!(!e.contains("leaked-secret"), "{e}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn key_file_must_be_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "sk-from-file\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = KeyRef::File("k".into());
        let e = r
            .resolve(dir.path(), KeyFileReach::InsideFleetDir)
            .await
            .unwrap_err();
        assert!(e.contains("mode 0644"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let key = r
            .resolve(dir.path(), KeyFileReach::InsideFleetDir)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(key.expose(), "sk-from-file");
    }

    #[tokio::test]
    async fn key_files_outside_the_fleet_dir_are_refused_unless_allowed() {
        let root = tempfile::tempdir().unwrap();
        let fleet_dir = root.path().join("fleet");
        std::fs::create_dir(&fleet_dir).unwrap();
        let outside = root.path().join("k");
        std::fs::write(&outside, "sk-outside\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        for escaping in ["../k", "sub/../../k", outside.to_str().unwrap()] {
            let r = KeyRef::File(escaping.into());
            let e = r
                .resolve(&fleet_dir, KeyFileReach::InsideFleetDir)
                .await
                .unwrap_err();
            assert!(e.contains("outside the fleet file's directory"), "{e}");
            assert!(e.contains("key_files_anywhere"), "{e}");
        }
        let key = KeyRef::File("../k".into())
            .resolve(&fleet_dir, KeyFileReach::Anywhere)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(key.expose(), "sk-outside");
        assert!(!leaves_its_dir(Path::new("sub/../k")));
        assert!(!leaves_its_dir(Path::new("./keys/k")));
    }

    #[tokio::test]
    async fn keep_reads_nothing() {
        assert!(
            KeyRef::Keep
                .resolve(Path::new("."), KeyFileReach::InsideFleetDir)
                .await
                .unwrap()
                .is_none()
        );
    }
}
