//! The one pipeline every fleet command runs: read the file, parse it,
//! resolve its scopes, read the service's state and compute the plan.

use super::keyref::KeyFileReach;
use super::plan::{Plan, PlanOptions, compute};
use super::{FleetError, FleetFile};
use crate::domain::Catalog;

/// Reads, parses, resolves and plans the fleet file at `path` against the
/// service's current state.
pub async fn plan_path(
    handle: &crate::service::ServiceHandle,
    path: &std::path::Path,
    options: PlanOptions,
) -> Result<(FleetFile, Plan), FleetError> {
    plan_path_reaching(handle, path, options, KeyFileReach::default()).await
}

/// [`plan_path`], reading key files as far as `reach` allows.
pub async fn plan_path_reaching(
    handle: &crate::service::ServiceHandle,
    path: &std::path::Path,
    options: PlanOptions,
    reach: KeyFileReach,
) -> Result<(FleetFile, Plan), FleetError> {
    let mut source = super::SourceFile::read(path)?;
    source.key_file_reach = reach;
    // The parse and the resolve report into one list, so every problem of
    // the file itself comes in one run.
    let mut diags = super::Diagnostics::default();
    let file = FleetFile::parse_into(source, &mut diags);
    let catalog = Catalog::builtin();
    let desired = super::resolve::resolve_into(&file, catalog, &mut diags);
    let desired = diags.into_result(desired)?;
    let state = super::current::read(handle).await?;
    let plan = compute(handle, &file, &desired, &state, catalog, options).await?;
    Ok((file, plan))
}
