//! The documentation cannot drift from the binary: every `llmcfg` command
//! and option that README.md and the book (docs/src, with the benchmarks
//! page it includes) show is checked against `llmcfg --help` and the
//! subcommands' help, every setting they name against config.example.toml,
//! and every relative link against the files in the repository.

mod docs_check_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use docs_check_support::help::HelpTree;
use docs_check_support::markdown::{Doc, invocations, links, setting_mentions, toml_settings};
use docs_check_support::settings::{example_settings, is_documented};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, every page of the book, and docs/benchmarks.md, which the
/// book's benchmarks page includes.
fn docs() -> Vec<Doc> {
    let root = root();
    let mut paths = vec![root.join("README.md"), root.join("docs/benchmarks.md")];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs/src"))
        .expect("docs/src exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    paths.extend(pages);
    paths.into_iter().map(|p| Doc::read(&p)).collect()
}

#[test]
fn every_command_and_option_in_the_docs_is_in_the_help() {
    let mut help = HelpTree::new(env!("CARGO_BIN_EXE_llmcfg"));
    let mut problems = BTreeSet::new();
    let mut checked = 0;
    for doc in docs() {
        for inv in invocations(&doc) {
            checked += 1;
            if let Err(why) = help.check(&inv.words) {
                problems.insert(format!("{}: `{}`: {why}", inv.place, inv.text));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} llmcfg commands found: is the extraction broken?"
    );
    assert!(
        problems.is_empty(),
        "commands or options the docs show that `llmcfg --help` does not have:\n{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_setting_in_the_docs_is_in_config_example_toml() {
    let known =
        example_settings(&std::fs::read_to_string(root().join("config.example.toml")).unwrap());
    let mut problems = BTreeSet::new();
    let mut checked = 0;
    for doc in docs() {
        for (place, setting) in setting_mentions(&doc)
            .into_iter()
            .chain(toml_settings(&doc))
        {
            checked += 1;
            if !is_documented(&known, &setting) {
                problems.insert(format!("{place}: `{setting}`"));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} settings found: is the extraction broken?"
    );
    assert!(
        problems.is_empty(),
        "settings the docs name that config.example.toml does not have:\n{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let mut problems = Vec::new();
    for doc in docs() {
        let dir = doc.path.parent().unwrap().to_path_buf();
        for (place, target) in links(&doc) {
            if !resolves(&dir, &target) {
                problems.push(format!("{place}: {target}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "links to files that do not exist:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_summary_lists_every_page_of_the_book() {
    let src = root().join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") && name != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("]({name})")),
                "docs/src/{name} is not in docs/src/SUMMARY.md, so the book leaves it out"
            );
        }
    }
}

fn resolves(dir: &Path, target: &str) -> bool {
    let file = target.split('#').next().unwrap_or_default();
    file.is_empty() || dir.join(file).exists()
}
