//! wasi_snapshot_preview1's file types, flags and records, as the witx
//! definitions (`legacy/preview1/witx/typenames.witx`) lay them out in
//! guest memory (little-endian, C alignment).

/// `filetype`: what a descriptor or directory entry refers to.
pub(crate) mod filetype {
    /// A directory.
    pub(crate) const DIRECTORY: u8 = 3;
    /// A regular file.
    pub(crate) const REGULAR_FILE: u8 = 4;
    /// A symbolic link.
    pub(crate) const SYMBOLIC_LINK: u8 = 7;
}

/// `rights` bits (`u64`), in witx order.
pub(crate) mod rights {
    pub(crate) const FD_DATASYNC: u64 = 1 << 0;
    pub(crate) const FD_READ: u64 = 1 << 1;
    pub(crate) const FD_SEEK: u64 = 1 << 2;
    pub(crate) const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub(crate) const FD_SYNC: u64 = 1 << 4;
    pub(crate) const FD_TELL: u64 = 1 << 5;
    pub(crate) const FD_WRITE: u64 = 1 << 6;
    pub(crate) const FD_ADVISE: u64 = 1 << 7;
    #[cfg(test)]
    pub(crate) const FD_ALLOCATE: u64 = 1 << 8;
    pub(crate) const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub(crate) const PATH_CREATE_FILE: u64 = 1 << 10;
    pub(crate) const PATH_OPEN: u64 = 1 << 13;
    pub(crate) const FD_READDIR: u64 = 1 << 14;
    pub(crate) const PATH_READLINK: u64 = 1 << 15;
    pub(crate) const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub(crate) const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub(crate) const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub(crate) const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub(crate) const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub(crate) const FD_FILESTAT_GET: u64 = 1 << 21;
    pub(crate) const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub(crate) const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub(crate) const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub(crate) const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub(crate) const POLL_FD_READWRITE: u64 = 1 << 27;

    /// A file of a read-only tree: read it, seek, ask about it; no write
    /// right of any kind.
    pub(crate) const FILE_READ_ONLY: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_ADVISE
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE;
    /// A file of the scratch directory: also write, resize and touch it.
    pub(crate) const FILE_WRITABLE: u64 =
        FILE_READ_ONLY | FD_WRITE | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES;
    /// A directory of a read-only tree: open, list and ask about what is
    /// in it.
    pub(crate) const DIR_READ_ONLY: u64 =
        PATH_OPEN | FD_READDIR | PATH_READLINK | PATH_FILESTAT_GET | FD_FILESTAT_GET;
    /// A directory of the scratch directory: also create, rename and
    /// remove in it.
    pub(crate) const DIR_WRITABLE: u64 = DIR_READ_ONLY
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_TIMES
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
}

/// `oflags` of `path_open` (`u16`).
pub(crate) mod oflags {
    pub(crate) const CREAT: u16 = 1 << 0;
    pub(crate) const DIRECTORY: u16 = 1 << 1;
    pub(crate) const EXCL: u16 = 1 << 2;
    pub(crate) const TRUNC: u16 = 1 << 3;
}

/// `fdflags` (`u16`).
pub(crate) mod fdflags {
    pub(crate) const APPEND: u16 = 1 << 0;
    pub(crate) const DSYNC: u16 = 1 << 1;
    pub(crate) const NONBLOCK: u16 = 1 << 2;
    pub(crate) const RSYNC: u16 = 1 << 3;
    pub(crate) const SYNC: u16 = 1 << 4;
    /// The synchronous-I/O flags, which we do not support.
    pub(crate) const ANY_SYNC: u16 = DSYNC | RSYNC | SYNC;
}

/// `lookupflags` (`u32`).
pub(crate) mod lookupflags {
    /// Follow a symbolic link in the last component of the path.
    pub(crate) const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// `whence` of `fd_seek` (`u8`).
pub(crate) mod whence {
    pub(crate) const SET: u8 = 0;
    pub(crate) const CUR: u8 = 1;
    pub(crate) const END: u8 = 2;
}

/// `fstflags` of `fd_filestat_set_times` and `path_filestat_set_times` (`u16`).
pub(crate) mod fstflags {
    pub(crate) const ATIM: u16 = 1 << 0;
    pub(crate) const ATIM_NOW: u16 = 1 << 1;
    pub(crate) const MTIM: u16 = 1 << 2;
    pub(crate) const MTIM_NOW: u16 = 1 << 3;
}

/// The largest `advice` value (`noreuse`).
pub(crate) const ADVICE_MAX: u8 = 5;

/// Size of a `dirent` header; the name follows it, not NUL-terminated.
pub(crate) const DIRENT_SIZE: usize = 24;

/// `filestat`: what `fd_filestat_get` and `path_filestat_get` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    pub(crate) filetype: u8,
    pub(crate) nlink: u64,
    pub(crate) size: u64,
    pub(crate) atim: u64,
    pub(crate) mtim: u64,
    pub(crate) ctim: u64,
}

impl Filestat {
    /// The 64-byte record: dev @0, ino @8, filetype @16, nlink @24,
    /// size @32, atim @40, mtim @48, ctim @56; padding zeroed.
    pub(crate) fn to_bytes(self) -> [u8; 64] {
        let mut out = [0; 64];
        out[0..8].copy_from_slice(&self.dev.to_le_bytes());
        out[8..16].copy_from_slice(&self.ino.to_le_bytes());
        out[16] = self.filetype;
        out[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        out[32..40].copy_from_slice(&self.size.to_le_bytes());
        out[40..48].copy_from_slice(&self.atim.to_le_bytes());
        out[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        out[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        out
    }
}

/// `fdstat`: what `fd_fdstat_get` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fdstat {
    pub(crate) filetype: u8,
    pub(crate) flags: u16,
    pub(crate) rights_base: u64,
    pub(crate) rights_inheriting: u64,
}

impl Fdstat {
    /// The 24-byte record: filetype @0, flags @2, rights_base @8,
    /// rights_inheriting @16; padding zeroed.
    pub(crate) fn to_bytes(self) -> [u8; 24] {
        let mut out = [0; 24];
        out[0] = self.filetype;
        out[2..4].copy_from_slice(&self.flags.to_le_bytes());
        out[8..16].copy_from_slice(&self.rights_base.to_le_bytes());
        out[16..24].copy_from_slice(&self.rights_inheriting.to_le_bytes());
        out
    }
}

/// The 8-byte `prestat` of a preopened directory whose name is `name_len`
/// bytes: tag 0 (`dir`) @0, `pr_name_len` @4.
pub(crate) fn prestat_dir(name_len: u32) -> [u8; 8] {
    let mut out = [0; 8];
    out[4..8].copy_from_slice(&name_len.to_le_bytes());
    out
}

/// The 24-byte `dirent` header: d_next @0, d_ino @8, d_namlen @16,
/// d_type @20; padding zeroed.
pub(crate) fn dirent_header(next: u64, ino: u64, name_len: u32, filetype: u8) -> [u8; DIRENT_SIZE] {
    let mut out = [0; DIRENT_SIZE];
    out[0..8].copy_from_slice(&next.to_le_bytes());
    out[8..16].copy_from_slice(&ino.to_le_bytes());
    out[16..20].copy_from_slice(&name_len.to_le_bytes());
    out[20] = filetype;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_the_witx_layout() {
        let stat = Filestat {
            dev: 1,
            ino: 2,
            filetype: filetype::REGULAR_FILE,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        }
        .to_bytes();
        let word = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
        assert_eq!(
            [
                word(0),
                word(8),
                word(24),
                word(32),
                word(40),
                word(48),
                word(56)
            ],
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(stat[16..24], [4, 0, 0, 0, 0, 0, 0, 0]);

        let fdstat = Fdstat {
            filetype: filetype::DIRECTORY,
            flags: fdflags::APPEND | fdflags::NONBLOCK,
            rights_base: u64::MAX,
            rights_inheriting: 0x0102,
        }
        .to_bytes();
        assert_eq!(fdstat[..8], [3, 0, 5, 0, 0, 0, 0, 0]);
        assert_eq!(fdstat[8..16], [0xff; 8]);
        assert_eq!(fdstat[16..24], [2, 1, 0, 0, 0, 0, 0, 0]);

        assert_eq!(prestat_dir(0x0304), [0, 0, 0, 0, 4, 3, 0, 0]);
        let dirent = dirent_header(9, 0x0a0b, 5, filetype::SYMBOLIC_LINK);
        assert_eq!(dirent[..8], [9, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(dirent[8..16], [0x0b, 0x0a, 0, 0, 0, 0, 0, 0]);
        assert_eq!(dirent[16..24], [5, 0, 0, 0, 7, 0, 0, 0]);
    }

    #[test]
    fn read_only_rights_hold_no_write_right() {
        let writes = rights::FD_WRITE
            | rights::FD_ALLOCATE
            | rights::FD_FILESTAT_SET_SIZE
            | rights::FD_FILESTAT_SET_TIMES
            | rights::PATH_CREATE_DIRECTORY
            | rights::PATH_CREATE_FILE
            | rights::PATH_RENAME_SOURCE
            | rights::PATH_RENAME_TARGET
            | rights::PATH_FILESTAT_SET_SIZE
            | rights::PATH_FILESTAT_SET_TIMES
            | rights::PATH_REMOVE_DIRECTORY
            | rights::PATH_UNLINK_FILE;
        assert_eq!(rights::FILE_READ_ONLY & writes, 0);
        assert_eq!(rights::DIR_READ_ONLY & writes, 0);
        assert_ne!(rights::FILE_WRITABLE & rights::FD_WRITE, 0);
        assert_ne!(rights::DIR_WRITABLE & rights::PATH_CREATE_FILE, 0);
    }
}
