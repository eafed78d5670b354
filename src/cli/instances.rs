//! `llmcfg instances`: list scopes, register an instance id, or (in remote
//! mode) forget an id this machine remembered for the server.

use clap::{Args, Subcommand};

use super::{CliError, Context, output};
use crate::domain::InstanceId;

/// Arguments of `instances`.
#[derive(Debug, Args)]
pub struct InstancesArgs {
    /// Register an instance instead of listing.
    #[command(subcommand)]
    pub action: Option<InstancesAction>,
}

/// `instances` subcommands.
#[derive(Debug, Subcommand)]
pub enum InstancesAction {
    /// Register an instance id so it is listed before it has a configuration.
    Add {
        /// The instance id.
        id: String,
        /// A display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Remote mode: stop listing an instance id remembered from earlier use
    /// of this server (it changes nothing on the server).
    Forget {
        /// The instance id.
        id: String,
    },
}

/// Runs `instances`.
pub async fn run(ctx: &Context, args: InstancesArgs) -> Result<(), CliError> {
    if let Some(InstancesAction::Forget { id }) = args.action {
        return forget(ctx, &id);
    }
    if let Some(InstancesAction::Add { id, name }) = args.action {
        let id = InstanceId::parse(&id).map_err(|e| CliError::Service(e.into()))?;
        ctx.handle.add_instance(&id, name).await?;
        if ctx.json {
            output::print_json(&serde_json::json!({"instance_id": id.as_str()}));
        } else {
            println!("Registered instance {id}.");
        }
        return Ok(());
    }
    let list = ctx.handle.list_instances().await?;
    if ctx.json {
        output::print_json(&list);
        return Ok(());
    }
    println!(
        "{:<32} {:<18} {:<28} {:<20} LAST TEST",
        "SCOPE", "PROVIDER", "MODEL", "KEY"
    );
    for s in list {
        let scope = s.instance_id.as_deref().unwrap_or("(control plane)");
        let scope = match &s.name {
            Some(n) => format!("{scope} ({n})"),
            None => scope.to_string(),
        };
        let (provider, model, key) = match &s.config {
            Some(c) => (
                c.provider.as_str(),
                c.model.as_str(),
                c.api_key_masked.as_str(),
            ),
            None => ("-", "-", "-"),
        };
        let last = match &s.last_test {
            Some(t) => format!(
                "{} {} {}",
                if t.success { "✓" } else { "✗" },
                t.status.as_str(),
                output::time(t.checked_at)
            ),
            None => "· never".into(),
        };
        println!("{scope:<32} {provider:<18} {model:<28} {key:<20} {last}");
    }
    Ok(())
}

fn forget(ctx: &Context, id: &str) -> Result<(), CliError> {
    let id = InstanceId::parse(id).map_err(|e| CliError::Service(e.into()))?;
    let crate::service::BackendInfo::Remote { url } = ctx.handle.info() else {
        return Err(CliError::Usage(
            "instances forget applies to remote mode (--remote URL): it drops an id remembered \
             for that server"
                .into(),
        ));
    };
    let memory = crate::remote::ScopeMemory::new(url, &ctx.paths.state_dir);
    let forgotten = memory
        .forget(&id)
        .map_err(|e| CliError::Other(format!("{}: {e}", memory.file().display())))?;
    if ctx.json {
        output::print_json(
            &serde_json::json!({"instance_id": id.as_str(), "forgotten": forgotten}),
        );
    } else if forgotten {
        println!("Forgot instance {id} for {url}.");
    } else {
        println!("Instance {id} was not remembered for {url}; nothing to forget.");
    }
    Ok(())
}
