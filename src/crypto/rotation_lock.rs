//! The proof that a master-key rotation is alive: an exclusive advisory lock
//! (`flock`) on `<key file>.lock`, held by `master-key rotate` from before it
//! stages `<key file>.new` until the staged key is in place.
//!
//! Why a lock and not a pid in the staged file: the kernel drops the lock
//! the instant its holder dies (SIGKILL included), so "I could take the
//! lock" is exact proof that no rotation is running, with no pid reuse and
//! no clock involved. An opener that finds a staged key touches it only
//! while holding this lock; one that cannot get it leaves the staged file
//! alone and uses whichever key the store records.
//!
//! The lock file is never deleted: removing it would let two processes lock
//! two different files of the same name.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::CryptoError;

/// How long `master-key rotate` waits for an opener that is settling a
/// staged key (milliseconds of work) before it reports another rotation.
pub const ROTATION_LOCK_WAIT: Duration = Duration::from_secs(10);

/// How often a waiting rotation tries the lock again.
const RETRY_EVERY: Duration = Duration::from_millis(20);

/// An exclusive hold on `<key file>.lock`; released when dropped (or when
/// the process dies).
#[derive(Debug)]
pub struct RotationLock {
    _file: File,
}

/// `<key file>.lock`.
pub fn lock_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    key_file.with_file_name(name)
}

impl RotationLock {
    /// Takes the lock if nobody holds it: `None` means a rotation (or an
    /// opener settling its staged key) is alive right now.
    pub fn try_acquire(key_file: &Path) -> Result<Option<RotationLock>, CryptoError> {
        let path = lock_path(key_file);
        let io = |source| CryptoError::Io {
            path: path.clone(),
            source,
        };
        let mut file = open_lock_file(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {
                // The holder's pid, for the "another rotation" message only:
                // liveness is the lock itself.
                let _ = file.set_len(0);
                let _ = writeln!(file, "{}", std::process::id());
                Ok(Some(RotationLock { _file: file }))
            }
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Takes the lock, waiting up to `wait` for a short-lived holder; an
    /// error names the process that still holds it.
    pub fn acquire(key_file: &Path, wait: Duration) -> Result<RotationLock, CryptoError> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(lock) = RotationLock::try_acquire(key_file)? {
                return Ok(lock);
            }
            if Instant::now() >= deadline {
                let path = lock_path(key_file);
                let holder = fs::read_to_string(&path).unwrap_or_default();
                return Err(CryptoError::Io {
                    path,
                    source: std::io::Error::new(
                        std::io::ErrorKind::WouldBlock,
                        format!(
                            "another master-key rotation is running (process {}); \
                             wait for it to finish, then run master-key verify",
                            holder.trim()
                        ),
                    ),
                });
            }
            std::thread::sleep(RETRY_EVERY);
        }
    }
}

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("master.key");
        let held = RotationLock::try_acquire(&key).unwrap().expect("free");
        assert!(RotationLock::try_acquire(&key).unwrap().is_none());
        let e = RotationLock::acquire(&key, Duration::from_millis(50)).unwrap_err();
        assert!(
            e.to_string()
                .contains("another master-key rotation is running"),
            "{e}"
        );
        drop(held);
        assert!(RotationLock::try_acquire(&key).unwrap().is_some());
        assert!(lock_path(&key).exists(), "the lock file stays");
    }
}
