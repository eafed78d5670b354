//! The one pipeline every fleet command runs: read the file, parse it,
//! resolve its scopes, read the service's state and compute the plan.

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
    let file = FleetFile::parse(super::SourceFile::read(path)?)?;
    let catalog = Catalog::builtin();
    let desired = super::resolve::resolve(&file, catalog)?;
    let state = super::current::read(handle).await?;
    let plan = compute(handle, &file, &desired, &state, catalog, options).await?;
    Ok((file, plan))
}
