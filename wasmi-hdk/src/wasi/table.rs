//! Every wasi_snapshot_preview1 function, once: its signature, what this
//! runtime does for it, and what is linked for it. Each line of the table
//! becomes an entry of [`WASI_FUNCTIONS`] and a `func_wrap` in
//! [`add_to_linker`], so the catalogue loading and tools read and the
//! functions plugins call cannot disagree (a test links a module importing
//! every entry with the catalogue's signature).

use wasmi::{Caller, Linker};

use super::{
    ValueType, WASI_MODULE, WasiFunction, WasiSupport, WasiView, clock,
    errno::Errno,
    fs, poll, process,
    stdio::{self, unsupported_on},
};

const YES: WasiSupport = WasiSupport::Implemented;
/// Implemented on the plugin's preopened directories and files (fds from
/// 3 on); stdio answers as a pipe does.
const FILES: WasiSupport = WasiSupport::Implemented;
const NO_SOCKETS: WasiSupport =
    WasiSupport::Errno("ENOTSUP on stdio, EBADF on other fds: there are no sockets");
const NO_SIGNALS: WasiSupport = WasiSupport::Errno("ENOSYS: there are no signals");

/// `i32`/`i64` as a [`ValueType`].
macro_rules! value_type {
    (i32) => {
        ValueType::I32
    };
    (i64) => {
        ValueType::I64
    };
}

/// Links one table line. The implementation is one of:
/// - `[fn path::to::function]` (generic over the instance state),
/// - `[on_fd ERRNO]`: ERRNO for stdio (fds 0–2), `EBADF` for any other fd
///   (the first parameter is the fd),
/// - `[always ERRNO]`.
macro_rules! link {
    ($linker:ident, $name:ident ($($param:ident),*), [fn $($f:ident)::+]) => {
        $linker.func_wrap(WASI_MODULE, stringify!($name), $($f)::+::<T>)?;
    };
    ($linker:ident, $name:ident (i32 $(, $param:ident)*), [on_fd $errno:expr]) => {
        $linker.func_wrap(
            WASI_MODULE,
            stringify!($name),
            |_: Caller<'_, T>, fd: i32 $(, _: $param)*| -> i32 { unsupported_on(fd, $errno) },
        )?;
    };
    ($linker:ident, $name:ident ($($param:ident),*), [always $errno:expr]) => {
        $linker.func_wrap(
            WASI_MODULE,
            stringify!($name),
            |_: Caller<'_, T> $(, _: $param)*| -> i32 { $errno.0 },
        )?;
    };
}

/// The table: `name(params) -> result: support [implementation];`.
macro_rules! wasi_table {
    ($( $name:ident ( $($param:ident),* ) $(-> $result:ident)? : $support:ident $imp:tt );* $(;)?) => {
        /// Every wasi_snapshot_preview1 function, in the order of the specification.
        pub const WASI_FUNCTIONS: &[WasiFunction] = &[$(
            WasiFunction {
                name: stringify!($name),
                params: &[$(value_type!($param)),*],
                results: &[$(value_type!($result))?],
                support: $support,
            },
        )*];

        /// Defines every function of [`WASI_FUNCTIONS`] in `linker`.
        pub(crate) fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> Result<(), wasmi::Error> {
            $( link!(linker, $name ($($param),*), $imp); )*
            Ok(())
        }
    };
}

wasi_table! {
    args_get(i32, i32) -> i32: YES [fn clock::args_get];
    args_sizes_get(i32, i32) -> i32: YES [fn clock::args_sizes_get];
    environ_get(i32, i32) -> i32: YES [fn clock::environ_get];
    environ_sizes_get(i32, i32) -> i32: YES [fn clock::environ_sizes_get];
    clock_res_get(i32, i32) -> i32: YES [fn clock::clock_res_get];
    clock_time_get(i32, i64, i32) -> i32: YES [fn clock::clock_time_get];
    fd_advise(i32, i64, i64, i32) -> i32: FILES [fn fs::fd_advise];
    fd_allocate(i32, i64, i64) -> i32: FILES [fn fs::fd_allocate];
    fd_close(i32) -> i32: YES [fn stdio::fd_close];
    fd_datasync(i32) -> i32: FILES [fn fs::fd_sync];
    fd_fdstat_get(i32, i32) -> i32: YES [fn stdio::fd_fdstat_get];
    fd_fdstat_set_flags(i32, i32) -> i32: YES [fn stdio::fd_fdstat_set_flags];
    fd_fdstat_set_rights(i32, i64, i64) -> i32: FILES [fn fs::fd_fdstat_set_rights];
    fd_filestat_get(i32, i32) -> i32: YES [fn stdio::fd_filestat_get];
    fd_filestat_set_size(i32, i64) -> i32: FILES [fn fs::fd_filestat_set_size];
    fd_filestat_set_times(i32, i64, i64, i32) -> i32: FILES [fn fs::fd_filestat_set_times];
    fd_pread(i32, i32, i32, i64, i32) -> i32: FILES [fn fs::fd_pread];
    fd_prestat_get(i32, i32) -> i32: FILES [fn fs::fd_prestat_get];
    fd_prestat_dir_name(i32, i32, i32) -> i32: FILES [fn fs::fd_prestat_dir_name];
    fd_pwrite(i32, i32, i32, i64, i32) -> i32: FILES [fn fs::fd_pwrite];
    fd_read(i32, i32, i32, i32) -> i32: YES [fn stdio::fd_read];
    fd_readdir(i32, i32, i32, i64, i32) -> i32: FILES [fn fs::fd_readdir];
    fd_renumber(i32, i32) -> i32: FILES [fn fs::fd_renumber];
    fd_seek(i32, i64, i32, i32) -> i32: FILES [fn fs::fd_seek];
    fd_sync(i32) -> i32: FILES [fn fs::fd_sync];
    fd_tell(i32, i32) -> i32: FILES [fn fs::fd_tell];
    fd_write(i32, i32, i32, i32) -> i32: YES [fn stdio::fd_write];
    path_create_directory(i32, i32, i32) -> i32: FILES [fn fs::path_create_directory];
    path_filestat_get(i32, i32, i32, i32, i32) -> i32: FILES [fn fs::path_filestat_get];
    path_filestat_set_times(i32, i32, i32, i32, i64, i64, i32) -> i32: FILES [fn fs::path_filestat_set_times];
    path_link(i32, i32, i32, i32, i32, i32, i32) -> i32: FILES [fn fs::path_link];
    path_open(i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32: FILES [fn fs::path_open];
    path_readlink(i32, i32, i32, i32, i32, i32) -> i32: FILES [fn fs::path_readlink];
    path_remove_directory(i32, i32, i32) -> i32: FILES [fn fs::path_remove_directory];
    path_rename(i32, i32, i32, i32, i32, i32) -> i32: FILES [fn fs::path_rename];
    path_symlink(i32, i32, i32, i32, i32) -> i32: FILES [fn fs::path_symlink];
    path_unlink_file(i32, i32, i32) -> i32: FILES [fn fs::path_unlink_file];
    poll_oneoff(i32, i32, i32, i32) -> i32: YES [fn poll::poll_oneoff];
    proc_exit(i32): YES [fn process::proc_exit];
    proc_raise(i32) -> i32: NO_SIGNALS [fn process::proc_raise];
    sched_yield() -> i32: YES [fn process::sched_yield];
    random_get(i32, i32) -> i32: YES [fn clock::random_get];
    sock_accept(i32, i32, i32) -> i32: NO_SOCKETS [on_fd Errno::NOTSUP];
    sock_recv(i32, i32, i32, i32, i32, i32) -> i32: NO_SOCKETS [on_fd Errno::NOTSUP];
    sock_send(i32, i32, i32, i32, i32) -> i32: NO_SOCKETS [on_fd Errno::NOTSUP];
    sock_shutdown(i32, i32) -> i32: NO_SOCKETS [on_fd Errno::NOTSUP];
}

#[cfg(test)]
mod tests {
    use wasmi::{Engine, Module};

    use super::*;

    /// A module importing every catalogue entry with the catalogue's
    /// signature links: the table's types and implementations agree.
    #[test]
    fn the_catalogue_and_the_linker_agree() {
        let imports: String = WASI_FUNCTIONS
            .iter()
            .map(|f| {
                let list = |types: &[ValueType]| {
                    types
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                format!(
                    "(import \"{WASI_MODULE}\" \"{}\" (func (param {}) (result {})))\n",
                    f.name,
                    list(f.params),
                    list(f.results)
                )
            })
            .collect();
        let wasm = wat::parse_str(format!("(module {imports})")).unwrap();
        let engine = Engine::default();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut linker = Linker::<crate::call::InstanceState>::new(&engine);
        add_to_linker(&mut linker).unwrap();
        let mut store = wasmi::Store::new(&engine, crate::call::InstanceState::for_tests());
        linker.instantiate_and_start(&mut store, &module).unwrap();
        assert_eq!(WASI_FUNCTIONS.len(), 46);
    }
}
