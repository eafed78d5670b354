//! Entry point: parse the command line, start logging to the log file, pick
//! the mode (terminal UI or a subcommand) — nothing else.

use std::process::ExitCode;

use clap::Parser;
use llmcfg::cli::{self, Cli, CliError};
use llmcfg::settings::Paths;

fn main() -> ExitCode {
    let args = Cli::parse();
    let _log_guard = init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("llmcfg: error: cannot start the async runtime: {e}");
            return ExitCode::from(cli::exit::UNEXPECTED as u8);
        }
    };
    let result = runtime.block_on(async move {
        match args.command {
            Some(command) => cli::dispatch(&args.global, command).await,
            None => match llmcfg::tui::run(&args.global).await {
                Ok(()) => Ok(()),
                Err(llmcfg::tui::TuiError::Service(e)) => Err(e),
                Err(e) => {
                    tracing::error!(error = %e, "terminal UI failed");
                    eprintln!("llmcfg: error: {e}");
                    return Ok(Some(e.exit_code()));
                }
            },
        }
        .map(|()| None)
    });
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(code)) => ExitCode::from(code as u8),
        Err(e) => {
            tracing::warn!(error = %e, "command failed");
            if !matches!(e, CliError::TestFailed(_) | CliError::ChangesPending) {
                eprintln!("llmcfg: error: {e}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Logs go to `$XDG_STATE_HOME/llmcfg/llmcfg.log` (never the terminal, which
/// the TUI owns). Level from `LLMCFG_LOG` (default `info`).
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let path = Paths::defaults().log_file;
    let dir = path.parent()?;
    llmcfg::crypto::source::create_private_dir(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, path.file_name()?);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("LLMCFG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
}
