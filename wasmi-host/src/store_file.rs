//! The store plugins keep their `store.*` state in: the redb file of
//! `--store PATH`, or memory.

use std::{path::Path, sync::Arc};

use wasmi_hdk::store::{KvStore, MemoryStore, RedbStore};

use crate::{cli::StoreFileArgs, error::CliError};

/// The store of `--store PATH` (created if missing), or an empty one in
/// memory without the flag.
///
/// Errors: [`CliError::OpenStore`] if the file cannot be opened or created.
pub(crate) fn open(args: &StoreFileArgs) -> Result<Arc<dyn KvStore>, CliError> {
    match &args.store {
        Some(path) => {
            let store = RedbStore::open(path).map_err(|source| CliError::OpenStore {
                path: path.clone(),
                source: Box::new(source),
            })?;
            tracing::debug!(store = %path.display(), "plugins keep their state in the store file");
            Ok(Arc::new(store))
        }
        None => Ok(Arc::new(MemoryStore::new())),
    }
}

/// The store file at `path`, which must exist (`wasmi-host store` reads
/// and writes stores, it does not create them).
///
/// Errors: [`CliError::OpenStore`].
pub(crate) fn open_existing(path: &Path) -> Result<RedbStore, CliError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| CliError::OpenStore {
        path: path.to_owned(),
        source,
    };
    if !path.is_file() {
        return Err(failed("there is no such file".into()));
    }
    RedbStore::open(path).map_err(|e| failed(Box::new(e)))
}
