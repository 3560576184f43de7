//! Loading a set from a directory of `NAME.wasm` (+ optional `NAME.toml`).

use std::path::{Path, PathBuf};

use super::{Manifest, PluginSet};
use crate::Error;

/// What [`PluginSet::load_dir`] did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Plugins loaded or reloaded, by name.
    pub loaded: Vec<String>,
    /// Plugins that could not be loaded: the file and why. The others still loaded.
    pub failed: Vec<(PathBuf, Error)>,
    /// Plugins from this directory whose files are gone, now unloaded.
    pub removed: Vec<String>,
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

impl PluginSet {
    /// Loads every `NAME.wasm` in `dir`, each with `NAME.toml` beside it as
    /// its manifest when there is one (the name defaults to `NAME`).
    /// Plugins already loaded from `dir` are reloaded, and those whose file
    /// is gone are unloaded; calls in flight are not disturbed. One bad
    /// plugin or manifest does not stop the others.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] only if `dir` itself cannot be read; per-plugin
    /// failures are in the report.
    pub fn load_dir(&self, dir: impl AsRef<Path>) -> Result<LoadReport, Error> {
        let dir = dir.as_ref();
        let mut wasm_files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io_error(dir, e))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
            .collect();
        wasm_files.sort();
        let mut report = LoadReport::default();
        for path in &wasm_files {
            match self.load_file(path) {
                Ok(name) => report.loaded.push(name),
                Err(error) => report.failed.push((path.clone(), error)),
            }
        }
        for (name, source) in self.sources() {
            if source.parent() == Some(dir) && !source.exists() && self.unload(&name) {
                report.removed.push(name);
            }
        }
        Ok(report)
    }

    /// Loads one plugin file with its optional manifest; returns its name.
    ///
    /// # Errors
    ///
    /// [`Error::Io`], [`Error::Manifest`] naming the file and field, or a load error.
    pub fn load_file(&self, wasm_path: impl AsRef<Path>) -> Result<String, Error> {
        let wasm_path = wasm_path.as_ref();
        let manifest_path = wasm_path.with_extension("toml");
        let mut manifest = if manifest_path.exists() {
            Manifest::from_file(&manifest_path)?
        } else {
            Manifest::default()
        };
        let stem = wasm_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = manifest.name.get_or_insert(stem).clone();
        let wasm = std::fs::read(wasm_path).map_err(|e| io_error(wasm_path, e))?;
        self.load_entry(
            manifest,
            &wasm,
            Some(wasm_path.to_owned()),
            &manifest_path.display().to_string(),
        )?;
        Ok(name)
    }

    /// Reloads plugin `name` from the files it was loaded from.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPlugin`] if it is not loaded or was loaded from
    /// bytes (call [`load`](Self::load) again instead); errors of [`load_file`](Self::load_file).
    pub fn reload(&self, name: &str) -> Result<(), Error> {
        let source = self
            .sources()
            .into_iter()
            .find_map(|(n, source)| (n == name).then_some(source))
            .ok_or_else(|| Error::UnknownPlugin {
                name: name.to_owned(),
            })?;
        self.load_file(source).map(drop)
    }
}
