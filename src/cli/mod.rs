//! The command-line front end: clap definitions, one file per subcommand.
//! Every subcommand talks only to the [`ServiceHandle`]; errors map to the
//! exit codes of design §6 in [`exit`].

mod apply;
mod audit;
mod completions;
mod context;
pub mod core_dumps;
mod create;
mod delete;
mod drift;
pub mod exit;
mod export;
mod get;
mod health;
mod history;
mod instances;
mod job_follow;
mod key_input;
mod keys;
mod lifecycle;
mod login;
mod master_key;
mod models;
mod monitor;
mod output;
mod plan;
mod providers;
mod remote;
mod restore;
mod rollback;
mod rotate_key;
pub mod serve;
mod test;
mod token;
mod update;
// The config-field flags of create and update, listed once for both.
mod config_args;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use context::{Context, open_service, open_service_noticed};
pub use exit::CliError;

/// Manage the LLM provider configuration of a control plane and its tenant instances.
#[derive(Debug, Parser)]
#[command(name = "llmcfg", version, about, long_about = None)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand; none opens the terminal UI.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Tenant instance id; absent means the control plane.
    #[arg(short = 'i', long = "instance", global = true, value_name = "ID")]
    pub instance: Option<String>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// SQLite store file, or a `postgres://` URL of a shared database.
    // hide_env_values: a PostgreSQL URL may carry a password; `--help` must not show it.
    #[arg(
        long,
        global = true,
        env = "LLMCFG_STORE",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    pub store: Option<PathBuf>,
    /// config.toml to read.
    #[arg(long, global = true, env = "LLMCFG_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Read the master key from this file (64 hex characters, mode 0600).
    #[arg(
        long,
        global = true,
        env = "LLMCFG_MASTER_KEY_FILE",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub master_key_file: Option<PathBuf>,
    /// Manage a remote llmcfg server instead of the local store.
    // hide_env_values: the URL may carry `user:password@`.
    #[arg(
        long,
        global = true,
        env = "LLMCFG_REMOTE",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub remote: Option<String>,
    /// Refuse every write.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Disable colours (also honoured: NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the configuration of the scope (`null` with --json when there is none).
    Get,
    /// Create the configuration of the scope; the API key comes from stdin, a
    /// hidden prompt, or --api-key-env.
    Create(create::CreateArgs),
    /// Change some fields of the scope's configuration.
    Update(update::UpdateArgs),
    /// Delete the configuration of the scope.
    Delete(delete::DeleteArgs),
    /// Test the stored credentials against the provider (exit 5 on failure).
    Test(test::TestArgs),
    /// List the live models the stored key can use.
    Models,
    /// List instances, or register one.
    Instances(instances::InstancesArgs),
    /// List the provider catalog.
    Providers,
    /// Show the audit log.
    Audit(audit::AuditArgs),
    /// Manage the master key.
    #[command(subcommand)]
    MasterKey(master_key::MasterKeyCommand),
    /// Serve the /llm-config HTTP API over the local store.
    Serve(serve::ServeArgs),
    /// Manage the bearer tokens of `serve`.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Store a server token for --remote use (read from stdin or a hidden prompt).
    Login,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), generated from these definitions.
    Man,
    /// Write every scope's configuration as a fleet file (never a key).
    Export,
    /// Show what applying a fleet file would change.
    Plan(plan::PlanArgs),
    /// Apply a fleet file, scope by scope.
    Apply(apply::ApplyArgs),
    /// Summarise the scopes that differ from a fleet file.
    Drift(drift::DriftArgs),
    /// List the kept versions of the scope's configuration, newest first.
    History(history::HistoryArgs),
    /// Make a kept version of the scope's configuration current again.
    Restore(restore::RestoreArgs),
    /// Every key in use by fingerprint, or (`keys find`) the scopes using a key.
    Keys(keys::KeysArgs),
    /// Each scope's health from the monitor: state, since, last ok, flaps, p50 latency.
    Health(health::HealthArgs),
    /// Run the monitor alone (scheduled tests, history, alerts) until SIGTERM.
    Monitor,
    /// Every scope at risk by its providers' lifecycle facts (a model
    /// retiring, credit running out, a key expiring), soonest first.
    Lifecycle,
    /// Replace a key everywhere it is used, testing the new key (stdin) first.
    RotateKey(rotate_key::RotateKeyArgs),
    /// Undo a key rotation: restore the scopes it swapped.
    Rollback(rollback::RollbackArgs),
    /// Work with the remote server itself (`remote check`: a read-only probe).
    #[command(subcommand)]
    Remote(remote::RemoteCommand),
}

/// Runs a subcommand: `serve` and `login` set up their own backend (or
/// none); the others run against [`Context::open`].
pub async fn dispatch(global: &GlobalArgs, command: Command) -> Result<(), CliError> {
    match command {
        Command::Serve(args) => serve::run(global, args).await,
        Command::Login => login::run(global).await,
        Command::Remote(cmd) => remote::run(global, cmd).await,
        Command::Monitor => monitor::run(global).await,
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
        other => {
            let ctx = Context::open(global).await?;
            run(&ctx, other).await
        }
    }
}

/// Runs a subcommand against an open service.
pub async fn run(ctx: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Get => get::run(ctx).await,
        Command::Create(args) => create::run(ctx, args).await,
        Command::Update(args) => update::run(ctx, args).await,
        Command::Delete(args) => delete::run(ctx, args).await,
        Command::Test(args) => test::run(ctx, args).await,
        Command::Models => models::run(ctx).await,
        Command::Instances(args) => instances::run(ctx, args).await,
        Command::Providers => providers::run(ctx).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::MasterKey(cmd) => master_key::run(ctx, cmd).await,
        Command::Token(cmd) => token::run(ctx, cmd).await,
        Command::Export => export::run(ctx).await,
        Command::Plan(args) => plan::run(ctx, args).await,
        Command::Apply(args) => apply::run(ctx, args).await,
        Command::Drift(args) => drift::run(ctx, args).await,
        Command::History(args) => history::run(ctx, args).await,
        Command::Restore(args) => restore::run(ctx, args).await,
        Command::Keys(args) => keys::run(ctx, args).await,
        Command::Health(args) => health::run(ctx, args).await,
        Command::Lifecycle => lifecycle::run(ctx).await,
        Command::RotateKey(args) => rotate_key::run(ctx, args).await,
        Command::Rollback(args) => rollback::run(ctx, args).await,
        Command::Serve(_)
        | Command::Login
        | Command::Remote(_)
        | Command::Completions(_)
        | Command::Man
        | Command::Monitor => Err(CliError::Usage(
            "serve, login, remote, completions, man and monitor run through cli::dispatch".into(),
        )),
    }
}
