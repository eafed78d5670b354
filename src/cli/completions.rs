//! `llmcfg completions SHELL` and `llmcfg man`: shell completions (clap's
//! own `clap_complete`) and a roff man page (`clap_mangen`), both generated
//! from the same clap definitions the parser uses, so they cannot drift.

use std::io::Write;

use clap::{Args, CommandFactory};

use super::{Cli, CliError};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn completions(args: CompletionsArgs) -> Result<(), CliError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "llmcfg", &mut out);
    write_stdout(&out)
}

/// Prints the man page, `llmcfg(1)`, as roff on stdout
/// (`llmcfg man > /usr/local/share/man/man1/llmcfg.1`).
pub fn man() -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::Other(format!("cannot render the man page: {e}")))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    std::io::stdout()
        .lock()
        .write_all(bytes)
        .map_err(|e| CliError::Other(format!("cannot write to stdout: {e}")))
}
