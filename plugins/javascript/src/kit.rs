//! The plugin kit (`kit.js`): `method`, `host`, `RpcError`, the levelled
//! `console`, and the serve loop that answers requests with the methods the
//! script registers.
//!
//! `kit.js` is one function expression. [`load`] evaluates it and calls it
//! with the runner's native hooks (stdio, the job queue, `PLUGIN_LOG`); it
//! sets the kit's globals and returns the serve loop. The runner does this
//! in the initialiser, before the script, so the kit is in the snapshot.

use rquickjs::{Ctx, Function, Object, context::EvalOptions};

use crate::{jobs, stdio};

/// The kit, as JavaScript source.
const KIT: &str = include_str!("kit.js");

/// Its name in stack traces.
const KIT_NAME: &str = "wasmi-plugin-kit.js";

/// The environment variable that sets the log level, as for the Rust kit.
const LOG_FILTER_ENV: &str = "PLUGIN_LOG";

/// Installs the kit and the low-level globals (`readLine`, `writeLine`)
/// in `ctx`; returns the kit's serve loop.
pub fn load<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Function<'js>> {
    let runner = Object::new(ctx.clone())?;
    stdio::install(ctx, &runner)?;
    jobs::install(ctx, &runner)?;
    // Read once, at load (in the initialiser when pre-initialised): the
    // host gives a plugin the same environment then and in every request.
    runner.set("logFilter", std::env::var(LOG_FILTER_ENV).ok())?;
    let mut options = EvalOptions::default();
    options.filename = Some(KIT_NAME.to_owned());
    let kit: Function = ctx.eval_with_options(KIT, options)?;
    kit.call((runner,))
}
