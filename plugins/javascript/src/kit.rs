//! The kit's JavaScript half (`kit.js`): `method`, `host`, `RpcError`,
//! and what the native serve loop needs from them.
//!
//! `kit.js` is one function expression. [`load`] evaluates it and calls it
//! with the runner's native hooks; it sets the kit's globals and returns
//! an object of the registered methods, the host-call table and the
//! helpers the serve loop calls ([`Kit`] names them). The runner does this
//! in the initialiser, before the script, so the kit is in the snapshot.

use rquickjs::{Ctx, Function, Object, context::EvalOptions};

use crate::{console, stdio};

/// The kit, as JavaScript source.
const KIT: &str = include_str!("kit.js");

/// Its name in stack traces.
const KIT_NAME: &str = "wasmi-plugin-kit.js";

/// The object `kit.js` returns.
pub struct Kit<'js>(pub Object<'js>);

impl<'js> Kit<'js> {
    /// `name -> { handler, params, spec }`, a null-prototype object.
    pub const METHODS: &'static str = "methods";
    /// `shape(name, names, params)`: the params of a method with named params.
    pub const SHAPE: &'static str = "shape";
    /// `discover()`: the OpenRPC document.
    pub const DISCOVER: &'static str = "discover";
    /// The `RpcError` class.
    pub const RPC_ERROR: &'static str = "RpcError";
    /// The `Map` of the host calls still unanswered.
    pub const CALLS: &'static str = "calls";
    /// `route(response)`: settles the host call a response answers.
    pub const ROUTE: &'static str = "route";
    /// `closeStdin()`: fails every unanswered host call.
    pub const CLOSE_STDIN: &'static str = "closeStdin";
    /// `toPromise(thenable)`.
    pub const TO_PROMISE: &'static str = "toPromise";

    /// The function `name` of the kit.
    pub fn function(&self, name: &str) -> rquickjs::Result<Function<'js>> {
        self.0.get(name)
    }
}

/// Installs the console, the low-level globals (`readLine`, `writeLine`)
/// and the kit in `ctx`; returns the kit's object.
pub fn load<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    console::install(ctx)?;
    let runner = Object::new(ctx.clone())?;
    stdio::install(ctx, &runner)?;
    let mut options = EvalOptions::default();
    options.filename = Some(KIT_NAME.to_owned());
    let kit: Function = ctx.eval_with_options(KIT, options)?;
    kit.call((runner,))
}
