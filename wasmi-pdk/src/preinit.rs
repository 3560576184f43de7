//! Pre-initialisation: build the request handler (and whatever expensive
//! setup it does) once, in the Wizer initialiser, instead of in every
//! request.
//!
//! A host that pre-initialises plugins (wasmi-hdk does by default, and
//! `wasmi-host snapshot` ahead of time) calls the module's
//! `wizer.initialize` export once, snapshots the instance, and starts every
//! request from that snapshot. [`preinitialize`] is what that export calls:
//! it builds the handler into a per-instance slot, so the snapshot holds it.
//! [`serve_preinitialized`], the plugin's `main`, serves from the slot, and
//! builds the handler there first when the module was not pre-initialised
//! (another runtime, or a host with pre-initialisation off), so the plugin
//! works either way. [`plugin_main!`](crate::plugin_main)`(preinit …)`
//! writes both.
//!
//! What the setup may do there: compute, allocate, read the clocks,
//! randomness, argv and environment, and log. It may not read stdin, write
//! stdout or call the host (there is no request yet): the host fails the
//! load. Whatever it computes, including clock readings, random numbers
//! and the hash seeds of the `HashMap`s it builds, is shared by every
//! request; draw per-request randomness in the methods, at request time.

use core::cell::{Cell, OnceCell};

use crate::{RequestHandler, init_logger, serve_io};

/// A handler, with its type erased, that serves stdin and stdout.
trait Serve {
    fn serve_stdio(&self);
}

impl<H: RequestHandler> Serve for H {
    fn serve_stdio(&self) {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        serve_io(self, &mut stdin.lock(), &mut stdout.lock());
    }
}

thread_local! {
    /// The handler, once built. A plugin is single-threaded: this is a
    /// plain static in its linear memory, and so part of the snapshot.
    static HANDLER: OnceCell<Box<dyn Serve>> = const { OnceCell::new() };
    /// Whether [`preinitialize`] is building the handler.
    static INITIALIZING: Cell<bool> = const { Cell::new(false) };
}

/// Installs the stderr logger and builds the handler with `build`, keeping
/// it for [`serve_preinitialized`]: what a plugin's `wizer.initialize`
/// export calls. Does nothing more if the handler was built already.
///
/// It also creates what every request would otherwise create first: std's
/// stdin and stdout handles (with their buffers) and the kit's outbox and
/// table of host calls in flight, so that the snapshot holds them (for the
/// test plugin, with the handler, its ping went from 38 to 27 µs).
///
/// ```no_run
/// use wasmi_pdk::{Router, RpcError};
///
/// fn router() -> Router {
///     // Expensive setup goes here; it runs once, at load.
///     Router::new().with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
/// }
///
/// #[unsafe(export_name = "wizer.initialize")]
/// pub extern "C" fn initialize() {
///     wasmi_pdk::preinitialize(router);
/// }
///
/// fn main() {
///     wasmi_pdk::serve_preinitialized(router);
/// }
/// ```
///
/// (which is what `wasmi_pdk::plugin_main!(preinit router());` writes).
pub fn preinitialize<H: RequestHandler + 'static>(build: impl FnOnce() -> H) {
    init_logger();
    // Created, not used: nothing is read or written here.
    let _ = (std::io::stdin(), std::io::stdout());
    crate::executor::reserve();
    HANDLER.with(|slot| {
        slot.get_or_init(|| {
            INITIALIZING.set(true);
            let handler = build();
            INITIALIZING.set(false);
            Box::new(handler)
        });
    });
}

/// Serves requests from stdin until EOF with the handler
/// [`preinitialize`] built, building it with `build` first if the module
/// was not pre-initialised: a plugin's `main`.
///
/// Installs the stderr logger as [`serve`](crate::serve) does.
pub fn serve_preinitialized<H: RequestHandler + 'static>(build: impl FnOnce() -> H) {
    init_logger();
    HANDLER.with(|slot| slot.get_or_init(|| Box::new(build())).serve_stdio());
}

/// Whether the code calling it runs in [`preinitialize`], i.e. in the
/// initialiser: true while the handler is built there, false when it is
/// built by [`serve_preinitialized`] (no pre-initialisation) and in requests.
pub fn is_initializing() -> bool {
    INITIALIZING.get()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Router, RpcError};

    thread_local! {
        /// `is_initializing()` at each build of the router.
        static BUILDS: core::cell::RefCell<Vec<bool>> = const { core::cell::RefCell::new(Vec::new()) };
    }

    fn router() -> Router {
        BUILDS.with_borrow_mut(|builds| builds.push(is_initializing()));
        Router::new().with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
    }

    // Each test runs on a thread of its own: a fresh "instance".

    #[test]
    fn the_initialiser_builds_the_handler_once() {
        preinitialize(router);
        preinitialize(router);
        assert!(!is_initializing());
        assert_eq!(BUILDS.take(), [true]);
        assert!(HANDLER.with(|slot| slot.get().is_some()));
    }
}
