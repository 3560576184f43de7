//! Loading a directory of plugins (`--plugins DIR`) as a [`PluginSet`]
//! with the command line's limits and host methods.

use std::{path::Path, sync::Arc};

use wasmi_hdk::{Error, set::PluginSet, store::KvStore};

use crate::{
    cli::{LimitArgs, MockArgs},
    error::CliError,
    failure,
    host_methods::CliHost,
    load,
    logging::Verbosity,
};

/// Loads every `NAME.wasm` of `dir` (with `NAME.toml` as its manifest).
///
/// The built-in host methods and the mocks are the set's baseline, open
/// to every plugin; `store` is the capability `storage`, for the plugins
/// whose manifest grants it; the limit flags are the defaults manifests
/// override.
/// Each plugin that fails is reported on stderr as a warning and the
/// others are loaded.
///
/// Errors: [`CliError::Usage`] for an unreadable mock file,
/// [`CliError::ReadDir`] if `dir` cannot be read, [`CliError::NoPlugin`]
/// if no plugin of it loads.
pub(crate) fn load(
    dir: &Path,
    limits: &LimitArgs,
    mocks: &MockArgs,
    store: Arc<dyn KvStore>,
    verbosity: Verbosity,
) -> Result<PluginSet, CliError> {
    let host = CliHost::new(load::mocks(mocks)?, verbosity);
    let set = PluginSet::builder()
        .with_baseline(host.into_router())
        .with_store(store)
        .with_limits(load::limits(limits, load::default_limits()))
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let report = set.load_dir(dir).map_err(|error| match error {
        Error::Io { source, .. } => CliError::ReadDir {
            dir: dir.to_owned(),
            source,
        },
        other => CliError::Usage(other.to_string()),
    })?;
    let failed: Vec<_> = report
        .failed
        .into_iter()
        .map(|(file, error)| (file, failure::one_line(&error)))
        .collect();
    for (file, why) in &failed {
        verbosity.print_warning(&format!("cannot load plugin {}: {why}", file.display()));
    }
    if report.loaded.is_empty() {
        return Err(CliError::NoPlugin {
            dir: dir.to_owned(),
            failed,
        });
    }
    tracing::info!(dir = %dir.display(), "loaded {}", report.loaded.join(", "));
    Ok(set)
}
