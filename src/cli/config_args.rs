//! The config-field flags of `create` and `update`, taken from the field
//! list (`domain/config.rs`): each field's descriptor gives its flag, value
//! name and help, so a new config field needs no edit here.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use crate::domain::{ApiKey, ConfigFields, ConfigPatch, FIELDS, FieldSpec, Presence};

/// The fields of a new config.
#[derive(Debug)]
pub struct FieldArgs {
    fields: ConfigFields,
}

impl FieldArgs {
    /// The config fields given.
    pub fn fields(self) -> ConfigFields {
        self.fields
    }
}

impl Args for FieldArgs {
    fn augment_args(cmd: Command) -> Command {
        FIELDS.iter().fold(cmd, |cmd, f| {
            cmd.arg(value_arg(f).required(f.presence == Presence::Required))
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        FieldArgs::augment_args(cmd)
    }
}

impl FromArgMatches for FieldArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let fields = ConfigFields::from_texts(
            |name| Ok(m.get_one::<String>(name).cloned()),
            |name| {
                clap::Error::raw(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    format!("--{} is required", flag_of(name)),
                )
            },
        )?;
        Ok(FieldArgs { fields })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = FieldArgs::from_arg_matches(m)?;
        Ok(())
    }
}

/// The fields an update may change; each left out stays as it is.
#[derive(Debug)]
pub struct ChangeArgs {
    patch: ConfigPatch,
}

impl ChangeArgs {
    /// The flags that change a field, for the "nothing to update" message.
    pub fn flags() -> String {
        let mut flags = Vec::new();
        for f in FIELDS {
            flags.push(format!("--{}", f.flag));
            if f.presence == Presence::Optional {
                flags.push(format!("--{}", clear_flag(f)));
            }
        }
        flags.join(", ")
    }

    /// The patch of these changes and `api_key`.
    pub fn patch(self, api_key: Option<ApiKey>) -> ConfigPatch {
        ConfigPatch {
            api_key,
            ..self.patch
        }
    }
}

impl Args for ChangeArgs {
    fn augment_args(cmd: Command) -> Command {
        FIELDS.iter().fold(cmd, |cmd, f| {
            let cmd = cmd.arg(value_arg(f).help(format!("New: {}", f.help)));
            match f.presence {
                Presence::Required => cmd,
                Presence::Optional => cmd.arg(
                    Arg::new(clear_flag(f))
                        .long(clear_flag(f))
                        .action(ArgAction::SetTrue)
                        .conflicts_with(f.name)
                        .help(format!("Remove the {} (unset it)", f.label.to_lowercase())),
                ),
            }
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        ChangeArgs::augment_args(cmd)
    }
}

impl FromArgMatches for ChangeArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut patch = ConfigPatch::default();
        for f in FIELDS {
            let cleared = f.presence == Presence::Optional && m.get_flag(clear_flag(f));
            let sent = match m.get_one::<String>(f.name) {
                Some(value) => Some(Some(value.clone())),
                None if cleared => Some(None),
                None => None,
            };
            patch.set_sent(f.name, sent);
        }
        Ok(ChangeArgs { patch })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = ChangeArgs::from_arg_matches(m)?;
        Ok(())
    }
}

/// The `--<flag> VALUE` argument of a field.
fn value_arg(f: &'static FieldSpec) -> Arg {
    Arg::new(f.name)
        .long(f.flag)
        .value_name(f.value_name)
        .help(f.help)
}

/// `clear-<flag>`, the flag that unsets an optional field. Leaked once per
/// field and process: clap keeps `'static` names, and the CLI is built once.
fn clear_flag(f: &FieldSpec) -> &'static str {
    static NAMES: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        FIELDS
            .iter()
            .map(|f| {
                let name: &'static str = Box::leak(format!("clear-{}", f.flag).into_boxed_str());
                (f.name, name)
            })
            .collect()
    });
    names
        .iter()
        .find(|(field, _)| *field == f.name)
        .map(|(_, flag)| *flag)
        .expect("every field has a clear flag")
}

fn flag_of(name: &str) -> &'static str {
    FieldSpec::named(name).map_or("", |f| f.flag)
}
