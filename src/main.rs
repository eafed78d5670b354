//! Entry point: parse the command line, start logging to the log file, pick
//! the mode (terminal UI or a subcommand) — nothing else.

use std::process::ExitCode;

use clap::Parser;
use llmcfg::cli::{self, Cli, CliError};
use llmcfg::settings::Paths;

/// The log rotates when it reaches this size, in bytes (10 MiB)…
const LOG_ROTATE_BYTES: usize = 10 * 1024 * 1024;
/// …and this many rotated files (`llmcfg.log.1` newest) are kept.
const LOG_KEEP_FILES: usize = 5;

fn main() -> ExitCode {
    // Every file this process creates — store, WAL, key file, log — is
    // private to its user; the database file is created by SQLite, which
    // honours the umask, so this is the one place that covers it.
    #[cfg(unix)]
    // SAFETY: umask(2) only sets the process file-mode mask; no memory is touched.
    unsafe {
        libc::umask(0o077);
    }
    let args = Cli::parse();
    // A command whose output feeds a pipe (`llmcfg instances | head -1`)
    // ends the conventional way when the reader goes: SIGPIPE, not a panic
    // on the failed print. The server and the TUI keep Rust's ignored
    // SIGPIPE: they write to sockets and a terminal, never to a pipe.
    #[cfg(unix)]
    if !matches!(args.command, None | Some(cli::Command::Serve(_))) {
        // SAFETY: signal(2) resets one disposition before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let _log_guard = init_logging();
    // The modes that run for long with the master key in memory.
    if matches!(
        args.command,
        None | Some(cli::Command::Serve(_) | cli::Command::Monitor)
    ) {
        cli::core_dumps::forbid();
    }
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
/// the TUI owns), mode 0600, rotated by size (`llmcfg.log.1` … `.5`) so a
/// busy server never grows one file without bound. Level from `LLMCFG_LOG`
/// (default `info`).
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use file_rotate::suffix::AppendCount;
    use file_rotate::{ContentLimit, FileRotate, compression::Compression};
    let path = Paths::defaults().log_file;
    let dir = path.parent()?;
    llmcfg::crypto::source::create_private_dir(dir).ok()?;
    let mut open = std::fs::OpenOptions::new();
    open.read(true).create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let appender = FileRotate::new(
        &path,
        AppendCount::new(LOG_KEEP_FILES),
        ContentLimit::BytesSurpassed(log_rotate_bytes()),
        Compression::None,
        Some(open),
    );
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

/// [`LOG_ROTATE_BYTES`], or `LLMCFG_LOG_ROTATE_BYTES` (tests rotate small).
fn log_rotate_bytes() -> usize {
    std::env::var("LLMCFG_LOG_ROTATE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(LOG_ROTATE_BYTES)
}
