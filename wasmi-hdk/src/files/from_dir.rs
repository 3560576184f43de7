//! Loading a [`FileTree`] from a host directory (not in the browser): read
//! once, at load, into memory; later changes on the host are not seen.

use std::{
    fs,
    io::{self, Read},
    path::{Path, PathBuf},
    time::SystemTime,
};

use super::{
    builder::TreeBuilder,
    error::{EntryError, FilesError},
    from_tar::MAX_UPFRONT_RESERVE,
    limits::ArchiveLimits,
    tree::FileTree,
};

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FilesError + '_ {
    move |source| FilesError::Io {
        path: path.to_owned(),
        source,
    }
}

fn nanos(time: io::Result<SystemTime>) -> u64 {
    time.ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl FileTree {
    /// Reads the host directory `root` and everything below it.
    /// Symlinks are never followed on the host: each is kept as a symlink
    /// of the tree if its target stays inside (the limits may refuse them
    /// all). Devices, FIFOs and sockets are refused, and so are names that
    /// are not UTF-8.
    ///
    /// The directory is trusted not to change while it is read.
    ///
    /// # Errors
    ///
    /// [`FilesError::Io`] if something cannot be read, [`FilesError::Entry`]
    /// for a refused entry (named by its path relative to `root`), or a
    /// limit exceeded.
    pub fn from_host_dir(root: &Path, limits: &ArchiveLimits) -> Result<Self, FilesError> {
        let meta = fs::metadata(root).map_err(io_error(root))?;
        if !meta.is_dir() {
            return Err(io_error(root)(io::ErrorKind::NotADirectory.into()));
        }
        let mut builder = TreeBuilder::new(limits);
        builder.add_dir(b"", nanos(meta.modified()))?;
        let mut pending: Vec<(PathBuf, String)> = vec![(root.to_owned(), String::new())];
        while let Some((dir, relative)) = pending.pop() {
            for entry in fs::read_dir(&dir).map_err(io_error(&dir))? {
                let entry = entry.map_err(io_error(&dir))?;
                builder.count_entry()?;
                let host = entry.path();
                let name = entry.file_name();
                let Some(name) = name.to_str() else {
                    let mut raw = relative.clone().into_bytes();
                    raw.extend_from_slice(b"/");
                    raw.extend_from_slice(name.as_encoded_bytes());
                    return Err(FilesError::entry(&raw, EntryError::InvalidUtf8));
                };
                let path = if relative.is_empty() {
                    name.to_owned()
                } else {
                    format!("{relative}/{name}")
                };
                // Does not follow a symlink.
                let meta = entry.metadata().map_err(io_error(&host))?;
                let mtime = nanos(meta.modified());
                let kind = meta.file_type();
                if kind.is_symlink() {
                    let target = fs::read_link(&host).map_err(io_error(&host))?;
                    builder.add_symlink(
                        path.as_bytes(),
                        target.as_os_str().as_encoded_bytes(),
                        mtime,
                    )?;
                } else if kind.is_dir() {
                    builder.add_dir(path.as_bytes(), mtime)?;
                    pending.push((host, path));
                } else if kind.is_file() {
                    builder.check_size(path.as_bytes(), meta.len())?;
                    let budget = builder.file_budget();
                    let file = fs::File::open(&host).map_err(io_error(&host))?;
                    let mut data = Vec::with_capacity(meta.len().min(MAX_UPFRONT_RESERVE) as usize);
                    file.take(budget.saturating_add(1))
                        .read_to_end(&mut data)
                        .map_err(io_error(&host))?;
                    builder.add_file(path.as_bytes(), data, mtime)?;
                } else {
                    return Err(FilesError::entry(
                        path.as_bytes(),
                        EntryError::Unsupported("device, FIFO or socket"),
                    ));
                }
            }
        }
        Ok(builder.finish())
    }
}
