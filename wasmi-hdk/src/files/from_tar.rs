//! Loading a [`FileTree`] from a tar archive (ustar, GNU, pax).

use std::io::Read;

use tar::EntryType;

use super::{
    builder::TreeBuilder,
    error::{ArchiveFormat, EntryError, FilesError, SourceError},
    limits::ArchiveLimits,
    tree::FileTree,
};

/// The most bytes a loader reserves for a file before reading it: a
/// header's size is only a claim.
pub(crate) const MAX_UPFRONT_RESERVE: u64 = 1 << 20;

fn malformed(source: std::io::Error) -> FilesError {
    FilesError::Malformed {
        format: ArchiveFormat::Tar,
        source: Box::new(source),
    }
}

impl FileTree {
    /// Loads the tar archive `bytes`: directories, regular files and
    /// (unless the limits refuse them) symlinks that stay inside the tree.
    ///
    /// # Errors
    ///
    /// [`FilesError::Malformed`] for a broken archive, [`FilesError::Entry`]
    /// for a refused entry (absolute path, `..`, hard link, device, FIFO,
    /// escaping symlink, duplicate, bad name), or a limit exceeded.
    pub fn from_tar(bytes: &[u8], limits: &ArchiveLimits) -> Result<Self, FilesError> {
        let mut builder = TreeBuilder::new(limits);
        let mut archive = tar::Archive::new(bytes);
        for entry in archive.entries().map_err(malformed)? {
            let mut entry = entry.map_err(malformed)?;
            builder.count_entry()?;
            let raw = entry.path_bytes().into_owned();
            let refuse = |reason| FilesError::entry(&raw, reason);
            let mtime = entry
                .header()
                .mtime()
                .unwrap_or(0)
                .saturating_mul(1_000_000_000);
            match entry.header().entry_type() {
                EntryType::Directory => builder.add_dir(&raw, mtime)?,
                // Before POSIX, a directory was a regular entry named `dir/`.
                EntryType::Regular | EntryType::Continuous if raw.ends_with(b"/") => {
                    builder.add_dir(&raw, mtime)?;
                }
                // tar expands a sparse file's holes as it is read.
                EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                    builder.check_size(&raw, entry.size())?;
                    let budget = builder.file_budget();
                    let mut data =
                        Vec::with_capacity(entry.size().min(MAX_UPFRONT_RESERVE) as usize);
                    (&mut entry)
                        .take(budget.saturating_add(1))
                        .read_to_end(&mut data)
                        .map_err(|e| refuse(EntryError::Unreadable(SourceError(e.to_string()))))?;
                    builder.add_file(&raw, data, mtime)?;
                }
                EntryType::Symlink => {
                    let Some(target) = entry.link_name_bytes() else {
                        return Err(refuse(EntryError::EmptyTarget));
                    };
                    builder.add_symlink(&raw, &target, mtime)?;
                }
                // Global pax headers carry defaults for what follows; the
                // per-entry ones are already applied by `tar`.
                EntryType::XGlobalHeader => {}
                EntryType::Link => return Err(refuse(EntryError::HardLink)),
                EntryType::Char => return Err(refuse(EntryError::Unsupported("character device"))),
                EntryType::Block => return Err(refuse(EntryError::Unsupported("block device"))),
                EntryType::Fifo => return Err(refuse(EntryError::Unsupported("FIFO"))),
                _ => return Err(refuse(EntryError::Unsupported("unknown entry type"))),
            }
        }
        Ok(builder.finish())
    }
}
