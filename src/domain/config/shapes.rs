//! The macro that writes the config shapes from the one field list in
//! `config.rs`. Names in the expansion (`ApiKey`, `present`, `FieldValue`, …)
//! resolve where it is invoked.

/// Writes the config shapes from the one field list below: [`ConfigFields`]
/// itself, and the create, patch and view types with every field flattened
/// into them.
macro_rules! config_shapes {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty => { $($spec:tt)* }, )+) => {
        /// Every config field's descriptor, in declaration order (the
        /// order of the JSON bodies, the columns and the form's rows).
        pub const FIELDS: &[FieldSpec] = &[$(
            FieldSpec {
                name: stringify!($name),
                presence: <$ty as FieldValue>::PRESENCE,
                $($spec)*
            },
        )+];

        /// The non-secret fields of a config, as the patch merge, the stored
        /// row and the row update carry them. Serialised as a create body
        /// sends them: an unset optional field is left out.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ConfigFields {
            $(
                $(#[$doc])*
                #[serde(skip_serializing_if = "FieldValue::is_unset")]
                pub $name: $ty,
            )+
        }

        impl ConfigFields {
            /// The field names, in declaration order (the JSON and column names).
            pub const NAMES: &[&str] = &[$(stringify!($name)),+];

            /// Each field's name and value as text (`None` when an optional
            /// field is unset): what the row layer writes.
            pub fn texts(&self) -> Vec<(&'static str, Option<&str>)> {
                vec![$( (stringify!($name), FieldValue::text(&self.$name)), )+]
            }

            /// The fields read back by name: `read(name)` gives the stored
            /// text; a required field stored as `None` is `missing(name)`.
            pub fn from_texts<E>(
                mut read: impl FnMut(&'static str) -> Result<Option<String>, E>,
                missing: impl Fn(&'static str) -> E,
            ) -> Result<ConfigFields, E> {
                Ok(ConfigFields {
                    $( $name: FieldValue::from_text(read(stringify!($name))?)
                        .ok_or_else(|| missing(stringify!($name)))?, )+
                })
            }

            /// The field `name` as text (`None`: unset, or no such field).
            pub fn text(&self, name: &str) -> Option<&str> {
                match name {
                    $( stringify!($name) => FieldValue::text(&self.$name), )+
                    _ => None,
                }
            }

            /// Sets the field `name` from text; false when there is no such
            /// field or a required one would be unset.
            pub fn set_text(&mut self, name: &str, text: Option<String>) -> bool {
                match name {
                    $( stringify!($name) => match FieldValue::from_text(text) {
                        Some(value) => {
                            self.$name = value;
                            true
                        }
                        None => false,
                    }, )+
                    _ => false,
                }
            }
        }

        /// The body of a create (`POST /llm-config/`): the fields and the key.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct NewConfig {
            $( $(#[$doc])* pub $name: $ty, )+
            /// The API key.
            pub api_key: ApiKey,
        }

        impl NewConfig {
            /// The non-secret fields of this config.
            pub fn fields(&self) -> ConfigFields {
                ConfigFields { $( $name: self.$name.clone(), )+ }
            }

            /// A create of `fields` with `api_key`.
            pub fn from_fields(fields: ConfigFields, api_key: ApiKey) -> NewConfig {
                NewConfig { $( $name: fields.$name, )+ api_key }
            }
        }

        /// The body of a partial update (`PATCH /llm-config/`): every field
        /// optional. A sent field must hold a value of its type, so `null`
        /// is refused for a required field and clears an optional one
        /// (`base_url: null` is `Some(None)`; absent is `None`, keep).
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ConfigPatch {
            $(
                $(#[$doc])*
                #[serde(default, deserialize_with = "present")]
                pub $name: Option<$ty>,
            )+
            /// New API key; required when the destination changes.
            #[serde(default, deserialize_with = "present")]
            pub api_key: Option<ApiKey>,
        }

        impl ConfigPatch {
            /// True when the patch names no field at all.
            pub fn is_empty(&self) -> bool {
                $( self.$name.is_none() && )+ self.api_key.is_none()
            }

            /// The patch to send for this one once merged: each field it
            /// names, with the checked value from `merged`, plus any field
            /// the merge changed on its own (a provider change resets
            /// `base_url`), so a server ends where local mode would.
            pub fn checked(&self, merged: MergedPatch) -> ConfigPatch {
                let changed = |name: &str| merged.changed.contains(&name);
                ConfigPatch {
                    $( $name: (self.$name.is_some() || changed(stringify!($name)))
                        .then(|| merged.fields.$name.clone()), )+
                    api_key: merged.api_key,
                }
            }

            /// What the patch sends for the field `name`: `None` when it
            /// keeps it, `Some(None)` when it clears it.
            pub fn sent(&self, name: &str) -> Option<Option<&str>> {
                match name {
                    $( stringify!($name) => self.$name.as_ref().map(FieldValue::text), )+
                    _ => None,
                }
            }

            /// Sets what the patch sends for the field `name` (`None`:
            /// keep, `Some(None)`: clear); false when there is no such field
            /// or a required one would be cleared.
            pub fn set_sent(&mut self, name: &str, sent: Option<Option<String>>) -> bool {
                match name {
                    $( stringify!($name) => match sent {
                        None => {
                            self.$name = None;
                            true
                        }
                        Some(text) => match FieldValue::from_text(text) {
                            Some(value) => {
                                self.$name = Some(value);
                                true
                            }
                            None => false,
                        },
                    }, )+
                    _ => false,
                }
            }

            /// The fields this patch sets, each as `Some(value)`.
            pub fn sets(&self) -> FieldChanges {
                FieldChanges { $( $name: self.$name.clone(), )+ }
            }
        }

        /// Some of the config fields, each `Some` when given: what a write
        /// sent, to check the answer against. Serialised as a patch body
        /// sends them: a field not given is left out, a cleared one is `null`.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
        pub struct FieldChanges {
            $(
                $(#[$doc])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $name: Option<$ty>,
            )+
        }

        impl FieldChanges {
            /// Every field of `fields`, as a create sends them.
            pub fn all(fields: ConfigFields) -> FieldChanges {
                FieldChanges { $( $name: Some(fields.$name), )+ }
            }

            /// Each field given here whose value is not the one in `kept`,
            /// compared as text by `same(field, sent, kept)`.
            pub fn differing(
                &self,
                kept: &ConfigFields,
                same: impl Fn(&str, Option<&str>, Option<&str>) -> bool,
            ) -> Vec<FieldDifference> {
                let mut out = Vec::new();
                $(
                    if let Some(sent) = &self.$name
                        && !same(stringify!($name), sent.text(), kept.$name.text())
                    {
                        out.push(FieldDifference {
                            field: stringify!($name),
                            sent: sent.shown(),
                            kept: kept.$name.shown(),
                        });
                    }
                )+
                out
            }
        }

        /// A configuration as every reader sees it: the mask, never the key.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ConfigView {
            /// Record id (a UUID here; a remote server may number its rows).
            pub id: RecordId,
            $( $(#[$doc])* pub $name: $ty, )+
            /// The mask computed when the key was written; a server that
            /// sends none is shown as fully hidden.
            #[serde(default = "hidden_mask")]
            pub api_key_masked: String,
            /// Tenant instance id; `null` for the control plane.
            pub instance_id: Option<String>,
            /// Creation time (RFC 3339, UTC).
            #[serde(with = "super::timestamp")]
            pub created_at: OffsetDateTime,
            /// Last change time (RFC 3339, UTC).
            #[serde(with = "super::timestamp")]
            pub updated_at: OffsetDateTime,
        }

        impl ConfigView {
            /// The non-secret fields of this view.
            pub fn fields(&self) -> ConfigFields {
                ConfigFields { $( $name: self.$name.clone(), )+ }
            }

            /// The view of `fields` in `record` (the row layer, tests and
            /// benches build views with this, so a new field does not break
            /// their literals).
            pub fn new(record: ViewRecord, fields: ConfigFields) -> ConfigView {
                ConfigView {
                    id: record.id,
                    $( $name: fields.$name, )+
                    api_key_masked: record.api_key_masked,
                    instance_id: record.instance_id,
                    created_at: record.created_at,
                    updated_at: record.updated_at,
                }
            }
        }
    };
}

pub(super) use config_shapes;
