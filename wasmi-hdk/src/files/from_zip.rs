//! Loading a [`FileTree`] from a zip archive (stored or deflated entries).

use std::io::{Cursor, Read};

use zip::{ZipArchive, result::ZipError};

use super::{
    builder::TreeBuilder,
    error::{ArchiveFormat, EntryError, FilesError, SourceError},
    from_tar::MAX_UPFRONT_RESERVE,
    limits::ArchiveLimits,
    tree::FileTree,
};

/// Unix file types in the high bits of a zip entry's mode.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;

fn malformed(source: ZipError) -> FilesError {
    FilesError::Malformed {
        format: ArchiveFormat::Zip,
        source: Box::new(source),
    }
}

fn unreadable(error: impl ToString) -> EntryError {
    EntryError::Unreadable(SourceError(error.to_string()))
}

impl FileTree {
    /// Loads the zip archive `bytes`: directories, regular files and
    /// (unless the limits refuse them) symlinks that stay inside the tree.
    /// Names are taken as UTF-8 whether or not the entry says so (what
    /// most archivers write); entries are decompressed with a bound, never
    /// trusting their declared size.
    ///
    /// # Errors
    ///
    /// [`FilesError::Malformed`] for a broken archive, [`FilesError::Entry`]
    /// for a refused entry (absolute path, `..`, encrypted, unsupported
    /// compression, device, escaping symlink, duplicate, bad name), or a
    /// limit exceeded.
    pub fn from_zip(bytes: &[u8], limits: &ArchiveLimits) -> Result<Self, FilesError> {
        let too_many = FilesError::TooManyEntries {
            limit: limits.max_entries(),
        };
        // The zip crate indexes the whole central directory up front: refuse
        // an archive that declares too many entries before it does.
        if declared_entries(bytes).is_some_and(|n| n > limits.max_entries() as u64) {
            return Err(too_many);
        }
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(malformed)?;
        if archive.len() > limits.max_entries() {
            return Err(too_many);
        }
        let mut builder = TreeBuilder::new(limits);
        for index in 0..archive.len() {
            builder.count_entry()?;
            let entry = archive.by_index_data(index).map_err(malformed)?;
            let raw = entry.name_raw().to_vec();
            let refuse = |reason| Err(FilesError::entry(&raw, reason));
            if entry.encrypted() {
                return refuse(EntryError::Encrypted);
            }
            let mtime = entry.last_modified().map_or(0, |t| {
                unix_nanos(
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                )
            });
            let kind = entry.unix_mode().map_or(S_IFREG, |mode| mode & S_IFMT);
            let is_dir = entry.is_dir() || kind == S_IFDIR;
            let size = entry.size();
            if is_dir {
                builder.add_dir(&raw, mtime)?;
                continue;
            }
            let budget = match kind {
                // The target is the entry's content.
                S_IFLNK => limits.max_path_len() as u64,
                // Some archivers write 0 for "no Unix mode".
                S_IFREG | 0 => {
                    builder.check_size(&raw, size)?;
                    builder.file_budget()
                }
                0o020_000 => return refuse(EntryError::Unsupported("character device")),
                0o060_000 => return refuse(EntryError::Unsupported("block device")),
                0o010_000 => return refuse(EntryError::Unsupported("FIFO")),
                0o140_000 => return refuse(EntryError::Unsupported("socket")),
                _ => return refuse(EntryError::Unsupported("unknown file type")),
            };
            let mut file = match archive.by_index(index) {
                Ok(file) => file,
                Err(e) => return refuse(unreadable(e)),
            };
            let mut data = Vec::with_capacity(size.min(budget).min(MAX_UPFRONT_RESERVE) as usize);
            if let Err(e) = (&mut file)
                .take(budget.saturating_add(1))
                .read_to_end(&mut data)
            {
                return refuse(unreadable(e));
            }
            drop(file);
            if kind == S_IFLNK {
                builder.add_symlink(&raw, &data, mtime)?;
            } else {
                builder.add_file(&raw, data, mtime)?;
            }
        }
        Ok(builder.finish())
    }
}

/// The number of entries the last end-of-central-directory record in
/// `bytes` declares (its zip64 record's, if it points to one), or `None`
/// without such a record. A cheap pre-check: the zip crate's own reading
/// of the directory is what counts.
pub(crate) fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const ZIP64_LOCATOR: &[u8] = b"PK\x06\x07";
    const ZIP64_EOCD: &[u8] = b"PK\x06\x06";
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));

    let last = bytes.len().checked_sub(22)?;
    // The record is 22 bytes and a comment of up to 65 535.
    let first = last.saturating_sub(0xffff);
    let eocd = (first..=last)
        .rev()
        .find(|&at| &bytes[at..at + 4] == EOCD)?;
    let entries = u16_at(eocd + 10)?;
    if entries != 0xffff {
        return Some(u64::from(entries));
    }
    let zip64 = eocd
        .checked_sub(20)
        .filter(|&at| &bytes[at..at + 4] == ZIP64_LOCATOR)
        .and_then(|at| u64_at(at + 8))
        .and_then(|offset| usize::try_from(offset).ok())
        .filter(|&at| bytes.get(at..at + 4) == Some(ZIP64_EOCD));
    Some(zip64.and_then(|at| u64_at(at + 32)).unwrap_or(0xffff))
}

/// Nanoseconds since the Unix epoch of a (UTC) civil date and time.
pub(crate) fn unix_nanos(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> u64 {
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    let (y, m) = if month <= 2 {
        (i64::from(year) - 1, i64::from(month) + 9)
    } else {
        (i64::from(year), i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds =
        days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    u64::try_from(seconds)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_times_convert_to_unix_time() {
        let secs = |y, mo, d, h, mi, s| unix_nanos(y, mo, d, h, mi, s) / 1_000_000_000;
        assert_eq!(secs(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(secs(1980, 1, 1, 0, 0, 0), 315_532_800);
        assert_eq!(secs(2000, 2, 29, 12, 34, 56), 951_827_696);
        assert_eq!(secs(2024, 12, 31, 23, 59, 58), 1_735_689_598);
    }

    #[test]
    fn the_declared_entry_count_is_read_from_the_end_record() {
        let mut eocd = b"PK\x05\x06".to_vec();
        eocd.extend_from_slice(&[0, 0, 0, 0]);
        eocd.extend_from_slice(&7u16.to_le_bytes());
        eocd.extend_from_slice(&9u16.to_le_bytes());
        eocd.extend_from_slice(&[0; 10]);
        assert_eq!(declared_entries(&eocd), Some(9));
        let mut commented = b"junk".to_vec();
        commented.extend_from_slice(&eocd);
        commented.extend_from_slice(b"a comment");
        assert_eq!(declared_entries(&commented), Some(9));
        assert_eq!(declared_entries(b"PK\x05\x06"), None);
        assert_eq!(declared_entries(&[0; 100]), None);
    }
}
