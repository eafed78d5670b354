//! Where the master key comes from, first source that applies (design §5):
//! `LLMCFG_MASTER_KEY` or `--master-key-file`; the OS keyring where a
//! persistent one exists; otherwise `master.key` beside the store, created
//! `O_EXCL` with mode 0600 in a 0700 directory.
//!
//! A key is only ever *created* for a fresh store: if the store already holds
//! sealed keys and no key is found, that is an error, never a new key (which
//! would silently orphan every stored secret).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{CryptoError, MasterKey, keyring};

/// Where the loaded master key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `LLMCFG_MASTER_KEY`.
    Env,
    /// An explicit `--master-key-file`.
    File(PathBuf),
    /// The OS keyring, under this account name.
    Keyring(String),
    /// The default `master.key` beside the store.
    DefaultFile(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Env => f.write_str("LLMCFG_MASTER_KEY"),
            KeySource::File(p) | KeySource::DefaultFile(p) => write!(f, "key file {}", p.display()),
            KeySource::Keyring(account) => write!(f, "OS keyring entry {account}"),
        }
    }
}

impl KeySource {
    /// The key file a rotation replaces in place (staging `<file>.new`
    /// beside it), for the file sources.
    pub fn key_file(&self) -> Option<&Path> {
        match self {
            KeySource::File(p) | KeySource::DefaultFile(p) => Some(p),
            KeySource::Env | KeySource::Keyring(_) => None,
        }
    }
}

/// Inputs for finding the master key.
#[derive(Clone, Default)]
pub struct MasterKeyOptions {
    /// Value of `LLMCFG_MASTER_KEY`, if set.
    pub env_hex: Option<Zeroizing<String>>,
    /// `--master-key-file`, if given.
    pub file: Option<PathBuf>,
    /// `master.key` beside the store.
    pub default_file: PathBuf,
    /// Keyring account to use, when a persistent OS keyring is available.
    pub keyring_account: Option<String>,
}

/// A master key and where it came from.
pub struct LoadedKey {
    /// The key.
    pub key: MasterKey,
    /// Its source.
    pub source: KeySource,
    /// True when this call created it (the caller shows a notice).
    pub created: bool,
    /// A staged replacement left by an interrupted rotation (`<file>.new`).
    pub staged: Option<MasterKey>,
}

/// What to do when no master key exists yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenMissing {
    /// The store has never held a key: make one (and say so).
    Create,
    /// The store holds sealed keys: a missing master key is an error, since
    /// a new one could open none of them.
    Refuse,
}

/// Finds the master key; creates one only under [`WhenMissing::Create`].
pub fn load_or_create(
    opts: &MasterKeyOptions,
    when_missing: WhenMissing,
) -> Result<LoadedKey, CryptoError> {
    if let Some(hex) = &opts.env_hex {
        return Ok(LoadedKey {
            key: MasterKey::from_hex(hex, "LLMCFG_MASTER_KEY")?,
            source: KeySource::Env,
            created: false,
            staged: None,
        });
    }
    if let Some(path) = &opts.file {
        return load_file(path, KeySource::File(path.clone()), when_missing);
    }
    if let Some(account) = &opts.keyring_account
        && let Some(store) = keyring::os_store()
    {
        match keyring::get(&store, account) {
            Ok(Some(hex)) => {
                return Ok(LoadedKey {
                    key: MasterKey::from_hex(&hex, "the OS keyring")?,
                    source: KeySource::Keyring(account.clone()),
                    created: false,
                    staged: None,
                });
            }
            Ok(None) if when_missing == WhenMissing::Create => {
                match create_in_keyring(&store, account) {
                    Ok(loaded) => return Ok(loaded),
                    // A keyring that refuses or loses the write (locked, no
                    // prompt possible) must not hold the only copy: the file does.
                    Err(e) => {
                        tracing::warn!(error = %e, "the OS keyring did not keep a new master key; using the key file");
                        keyring::note_refusal(&e);
                    }
                }
            }
            // Not in the keyring: the store may have been created with a key file.
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the OS keyring could not be read; trying the key file");
                keyring::note_refusal(&e);
                if when_missing == WhenMissing::Refuse
                    && read_key_file(&opts.default_file)?.is_none()
                {
                    return Err(e);
                }
            }
        }
    }
    load_file(
        &opts.default_file,
        KeySource::DefaultFile(opts.default_file.clone()),
        when_missing,
    )
}

/// A new master key in the keyring, read back before it is trusted.
fn create_in_keyring(
    store: &std::sync::Arc<keyring_core::CredentialStore>,
    account: &str,
) -> Result<LoadedKey, CryptoError> {
    let key = MasterKey::generate();
    keyring::set(store, account, &key.to_hex())?;
    // Read back: a keyring that accepts writes but loses them would orphan
    // every key sealed from now on.
    let back = keyring::get(store, account)?;
    if back.as_deref().map(|s| s.as_str()) != Some(key.to_hex().as_str()) {
        return Err(CryptoError::Keyring(
            "the entry read back differs from the one written".into(),
        ));
    }
    Ok(LoadedKey {
        key,
        source: KeySource::Keyring(account.to_string()),
        created: true,
        staged: None,
    })
}

fn load_file(
    path: &Path,
    source: KeySource,
    when_missing: WhenMissing,
) -> Result<LoadedKey, CryptoError> {
    let staged = read_key_file(&staged_path(path))?;
    match read_key_file(path)? {
        Some(key) => Ok(LoadedKey {
            key,
            source,
            created: false,
            staged,
        }),
        None if staged.is_some() => Ok(LoadedKey {
            // Rotation was interrupted after the old file went away; the
            // caller checks the staged key against the store.
            key: staged.clone().expect("checked"),
            source,
            created: false,
            staged,
        }),
        None if when_missing == WhenMissing::Create => {
            let key = MasterKey::generate();
            match create_key_file(path, &key) {
                Ok(()) => Ok(LoadedKey {
                    key,
                    source,
                    created: true,
                    staged: None,
                }),
                // Another process created it first: use theirs.
                Err(CryptoError::Io { source: e, .. })
                    if e.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    load_file(path, source, WhenMissing::Refuse)
                }
                Err(e) => Err(e),
            }
        }
        None => Err(CryptoError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not found, but the store already holds sealed keys; \
                 restore the key file or set LLMCFG_MASTER_KEY",
            ),
        }),
    }
}

/// `<file>.new`: where a rotation stages the next key before committing.
pub fn staged_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    path.with_file_name(name)
}

/// Reads a key file, refusing one whose mode lets others read it.
pub fn read_key_file(path: &Path) -> Result<Option<MasterKey>, CryptoError> {
    let io = |source| CryptoError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CryptoError::InsecureKeyFile {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = Zeroizing::new(fs::read_to_string(path).map_err(io)?);
    MasterKey::from_hex(&text, &format!("key file {}", path.display())).map(Some)
}

/// Creates a key file with mode 0600 (its directory 0700 when this creates
/// it) and makes it durable. The key is written to an `O_EXCL` temporary file
/// and hard-linked into place, so a concurrent reader never sees a partly
/// written key and a concurrent creator gets `AlreadyExists`.
pub fn create_key_file(path: &Path, key: &MasterKey) -> Result<(), CryptoError> {
    let io = |source| CryptoError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(io)?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    let written = write_private(&tmp, key).and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    written.map_err(io)?;
    sync_dir(path).map_err(io)
}

/// Writes `<file>.new` for a rotation (replacing a stale one) and makes it
/// durable, the directory entry included, before the store may commit to
/// it. The caller holds the [`super::RotationLock`].
pub fn stage_key_file(path: &Path, key: &MasterKey) -> Result<(), CryptoError> {
    let staged = staged_path(path);
    let io = |source| CryptoError::Io {
        path: staged.clone(),
        source,
    };
    // Written whole to a temporary name and renamed into place, so an
    // opener reading beside the rotation never sees a half-written key.
    let tmp = staged.with_file_name(format!(
        ".{}.{}.tmp",
        staged.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    let written = write_private(&tmp, key).and_then(|()| fs::rename(&tmp, &staged));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(io)?;
    sync_dir(&staged).map_err(io)
}

/// Removes the staged key of a rotation that is provably dead and never
/// committed the store. The caller holds the [`super::RotationLock`].
pub fn discard_staged(path: &Path) -> Result<(), CryptoError> {
    let staged = staged_path(path);
    let io = |source| CryptoError::Io {
        path: staged.clone(),
        source,
    };
    match fs::remove_file(&staged) {
        Ok(()) => sync_dir(&staged).map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(e)),
    }
}

fn write_private(path: &Path, key: &MasterKey) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let mut text = key.to_hex();
    text.push('\n');
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Moves the staged key into place atomically, once the store is committed
/// to `expected`. If the staged file is already gone, it is enough that the
/// key file now holds `expected` (the move was made and the caller is
/// repeating it); anything else is an error and nothing is touched.
pub fn commit_staged(path: &Path, expected: &MasterKey) -> Result<(), CryptoError> {
    let io = |source| CryptoError::Io {
        path: path.to_path_buf(),
        source,
    };
    match fs::rename(staged_path(path), path) {
        Ok(()) => sync_dir(path).map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match read_key_file(path)? {
            Some(k) if k.check_value() == expected.check_value() => Ok(()),
            _ => Err(io(e)),
        },
        Err(e) => Err(io(e)),
    }
}

/// Creates `dir` (and parents) with mode 0700 where this call creates it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(dir: &Path) -> MasterKeyOptions {
        MasterKeyOptions {
            default_file: dir.join("sub").join("master.key"),
            ..Default::default()
        }
    }

    #[test]
    fn creates_0600_file_for_a_fresh_store_only() {
        let dir = tempfile::tempdir().unwrap();
        let o = opts(dir.path());
        let err = load_or_create(&o, WhenMissing::Refuse).err().unwrap();
        assert!(err.to_string().contains("already holds sealed keys"));
        let first = load_or_create(&o, WhenMissing::Create).unwrap();
        assert!(first.created);
        let again = load_or_create(&o, WhenMissing::Refuse).unwrap();
        assert!(!again.created);
        assert_eq!(first.key.check_value(), again.key.check_value());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&o.default_file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = fs::metadata(o.default_file.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(dmode, 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn wide_mode_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let o = opts(dir.path());
        load_or_create(&o, WhenMissing::Create).unwrap();
        fs::set_permissions(&o.default_file, fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_or_create(&o, WhenMissing::Refuse).err().unwrap();
        assert!(e.to_string().contains("mode 644"), "{e}");
    }

    #[test]
    fn env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = opts(dir.path());
        o.env_hex = Some(Zeroizing::new("ab".repeat(32)));
        let k = load_or_create(&o, WhenMissing::Create).unwrap();
        assert_eq!(k.source, KeySource::Env);
        assert!(!o.default_file.exists());
    }
}
