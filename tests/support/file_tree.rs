//! Every file under a directory, for the tests that scan what llmcfg wrote
//! (store, WAL, logs, config and state) for a key, a token or a password.
//!
//! Include it with `#[path = "support/file_tree.rs"] mod file_tree;`
//! (from a helper directory: `#[path = "../support/file_tree.rs"]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Every file under `dir`, recursively (directories themselves left out).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
