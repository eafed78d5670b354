//! The keys a plan needs: every distinct key reference of a fleet file read
//! once (a default used by 10,000 scopes runs its command once), with its
//! fingerprint computed by the store (`ServiceHandle::key_fingerprint`). Every failure is
//! reported once, naming the reference and the scopes that need it, before
//! anything is written.

use std::collections::HashMap;

use super::resolve::Desired;
use super::{Diagnostics, FleetError, FleetFile, KeyRef};
use crate::domain::ApiKey;

type Resolved = Result<Option<(ApiKey, String)>, String>;

/// Reads every key `desired` references; the map holds `None` for `keep_key`.
pub async fn read_all(
    handle: &crate::service::ServiceHandle,
    file: &FleetFile,
    desired: &[Desired],
) -> Result<HashMap<KeyRef, Option<(ApiKey, String)>>, FleetError> {
    let mut cache: HashMap<KeyRef, Resolved> = HashMap::new();
    let mut users: HashMap<KeyRef, (std::ops::Range<usize>, Vec<&str>)> = HashMap::new();
    for d in desired {
        let r = d.key.get_ref();
        if !cache.contains_key(r) {
            let got = match r
                .resolve(&file.source.dir, file.source.key_file_reach)
                .await
            {
                Ok(Some(k)) => match handle.key_fingerprint(&k).await {
                    Ok(fp) => Ok(Some((k, fp))),
                    // A remote without the route: the key counts as a change.
                    Err(crate::service::ServiceError::NotOffered(_)) => {
                        Ok(Some((k, "(unknown)".to_string())))
                    }
                    Err(e) => Err(e.to_string()),
                },
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            cache.insert(r.clone(), got);
        }
        users
            .entry(r.clone())
            .or_insert_with(|| (d.key.span(), Vec::new()))
            .1
            .push(&d.path);
    }
    let mut diags = Diagnostics::default();
    let mut ok = HashMap::new();
    for (r, got) in cache {
        match got {
            Ok(v) => {
                ok.insert(r, v);
            }
            Err(reason) => {
                let (span, scopes) = &users[&r];
                let named = match scopes.len() {
                    1 => format!("needed by {}", scopes[0]),
                    n if n <= 3 => format!("needed by {}", scopes.join(", ")),
                    n => format!("needed by {}, {} and {} more", scopes[0], scopes[1], n - 2),
                };
                diags.push(file.source.error(
                    span.clone(),
                    scopes[0],
                    format!("{r}: {reason} ({named})"),
                ));
            }
        }
    }
    diags.into_result(ok)
}
