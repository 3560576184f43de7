//! The kit's serve loop: answers the requests on stdin with the methods
//! the script registered, until EOF.
//!
//! - A handler's result is the answer; an `RpcError` it throws is sent with
//!   its code, message and data; anything else it throws answers -32603
//!   with its message, and is logged with its stack.
//! - A handler may return a promise (an `async` handler). The loop then runs
//!   QuickJS's job queue; while the promise is pending it reads the host's
//!   answers to the plugin's calls (`host.call`) and settles each call by
//!   its id, until the promise settles. One request is served at a time: a
//!   request that arrives meanwhile is answered -32600, as in the Rust kit.
//! - `rpc.discover` is answered from the registered methods, an unknown
//!   method with -32601; a line that is not JSON with -32700, one that is
//!   not a JSON-RPC 2.0 message with -32600. Blank lines, notifications
//!   and stray responses are skipped.
//!
//! It is Rust rather than JavaScript because it runs in every request,
//! and every bytecode QuickJS runs is itself interpreted by the host.

use rquickjs::{
    Ctx, Function, Object, Value,
    promise::{Promise, PromiseState},
};

use crate::{
    console::{self, Level},
    jobs,
    kit::Kit,
    message::{self, INTERNAL_ERROR, INVALID_REQUEST, Incoming, METHOD_NOT_FOUND, WireError},
    stdio,
};

/// The method the kit answers itself, unless the script registers it.
const DISCOVER: &str = "rpc.discover";

/// Why a request failed.
enum Failure<'js> {
    /// The handler (or the kit) threw this value.
    Thrown(Value<'js>),
    /// The answer is this error.
    Wire(WireError),
}

impl<'js> Failure<'js> {
    /// The failure a QuickJS call's error is.
    fn from_error(ctx: &Ctx<'js>, error: rquickjs::Error) -> Self {
        if error.is_exception() {
            Self::Thrown(ctx.catch())
        } else {
            Self::Wire(WireError::new(INTERNAL_ERROR, error.to_string()))
        }
    }
}

/// Serves stdin until EOF.
pub fn serve<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>) {
    while let Some(line) = stdio::read_line() {
        match message::read(ctx, &line) {
            Incoming::Request { id, method, params } => answer(ctx, kit, &id, &method, params),
            // Nothing waits: a stray answer.
            Incoming::Response(response) => route(ctx, kit, response),
            other => refuse(ctx, other),
        }
    }
    close_stdin(ctx, kit);
}

/// Answers a line that is not a request: -32700 or -32600, or nothing.
fn refuse<'js>(ctx: &Ctx<'js>, incoming: Incoming<'js>) {
    let error = match incoming {
        Incoming::NotJson => {
            WireError::new(message::PARSE_ERROR, "parse error: the line is not JSON")
        }
        Incoming::Invalid(why) => {
            WireError::new(INVALID_REQUEST, format!("invalid request: {why}"))
        }
        Incoming::Blank
        | Incoming::Notification
        | Incoming::Request { .. }
        | Incoming::Response(_) => {
            return;
        }
    };
    message::write_error(ctx, &Value::new_null(ctx.clone()), &error);
}

/// Answers one request.
fn answer<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>, id: &Value<'js>, name: &str, params: Value<'js>) {
    let outcome = invoke(ctx, kit, id, name, params).and_then(|value| {
        match promise_of(kit, &value).map_err(|e| Failure::from_error(ctx, e))? {
            Some(promise) => settle(ctx, kit, name, &promise),
            None => Ok(value),
        }
    });
    match outcome {
        Ok(result) => message::write_result(ctx, id, result),
        Err(failure) => message::write_error(ctx, id, &wire_error(ctx, kit, name, failure)),
    }
}

/// Calls method `name`'s handler (or the kit's `rpc.discover`).
fn invoke<'js>(
    ctx: &Ctx<'js>,
    kit: &Kit<'js>,
    id: &Value<'js>,
    name: &str,
    params: Value<'js>,
) -> Result<Value<'js>, Failure<'js>> {
    let error = |e| Failure::from_error(ctx, e);
    let methods: Object = kit.0.get(Kit::METHODS).map_err(error)?;
    let Some(entry) = methods.get::<_, Option<Object>>(name).map_err(error)? else {
        if name == DISCOVER {
            return kit
                .function(Kit::DISCOVER)
                .and_then(|f| f.call(()))
                .map_err(error);
        }
        let message = format!("method not found: {name}");
        return Err(Failure::Wire(WireError::new(METHOD_NOT_FOUND, message)));
    };
    let handler: Function = entry.get("handler").map_err(error)?;
    let names: Value = entry.get("params").map_err(error)?;
    let params = if names.is_null() || names.is_undefined() {
        params
    } else {
        kit.function(Kit::SHAPE)
            .and_then(|shape| shape.call((name, names, params)))
            .map_err(error)?
    };
    let call = Object::new(ctx.clone()).map_err(error)?;
    call.set("id", id.clone()).map_err(error)?;
    call.set("method", name).map_err(error)?;
    handler.call((params, call)).map_err(error)
}

/// The promise `value` is, or adopts if it is a thenable; `None` for
/// anything else (the answer itself).
fn promise_of<'js>(kit: &Kit<'js>, value: &Value<'js>) -> rquickjs::Result<Option<Promise<'js>>> {
    if let Some(promise) = value.as_promise() {
        return Ok(Some(promise.clone()));
    }
    let Some(object) = value.as_object() else {
        return Ok(None);
    };
    if !object.get::<_, Value>("then")?.is_function() {
        return Ok(None);
    }
    kit.function(Kit::TO_PROMISE)?
        .call((value.clone(),))
        .map(Some)
}

/// Waits for `promise`: runs the job queue, and reads and routes the
/// host's answers, until it settles.
fn settle<'js>(
    ctx: &Ctx<'js>,
    kit: &Kit<'js>,
    name: &str,
    promise: &Promise<'js>,
) -> Result<Value<'js>, Failure<'js>> {
    loop {
        jobs::run(ctx);
        match promise.state() {
            PromiseState::Resolved | PromiseState::Rejected => {
                return match promise.result::<Value>() {
                    Some(Ok(value)) => Ok(value),
                    Some(Err(e)) => Err(Failure::from_error(ctx, e)),
                    None => Err(Failure::Wire(WireError::new(
                        INTERNAL_ERROR,
                        "the handler's promise settled without a value",
                    ))),
                };
            }
            PromiseState::Pending => {}
        }
        if pending_calls(kit) == 0 {
            // No timers, no I/O but host calls: nothing can settle it.
            let why = format!("{name}: the handler is waiting on something other than a host call");
            return Err(Failure::Wire(WireError::new(INTERNAL_ERROR, why)));
        }
        let Some(line) = stdio::read_line() else {
            close_stdin(ctx, kit);
            continue;
        };
        match message::read(ctx, &line) {
            Incoming::Response(response) => route(ctx, kit, response),
            Incoming::Request { id, .. } => {
                let busy =
                    WireError::new(INVALID_REQUEST, "the plugin is busy with another request");
                message::write_error(ctx, &id, &busy);
            }
            other => refuse(ctx, other),
        }
    }
}

/// The error a failed request answers with.
fn wire_error<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>, name: &str, failure: Failure<'js>) -> WireError {
    let thrown = match failure {
        Failure::Wire(error) => return error,
        Failure::Thrown(thrown) => thrown,
    };
    if let Some(error) = rpc_error(ctx, kit, &thrown) {
        return error;
    }
    console::log(
        Level::Error,
        &format!("{name} failed: {}", console::show(ctx, &thrown)),
    );
    WireError::new(INTERNAL_ERROR, message::exception_message(ctx, &thrown))
}

/// `thrown` as a wire error, if it is an `RpcError`.
fn rpc_error<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>, thrown: &Value<'js>) -> Option<WireError> {
    let class: Value = kit.0.get(Kit::RPC_ERROR).ok()?;
    let error = thrown.as_object().filter(|e| e.is_instance_of(&class))?;
    // The constructor made `code` a safe integer and `message` a string.
    let code = error.get::<_, f64>("code").ok()? as i64;
    let message = error.get::<_, String>("message").ok()?;
    let data: Value = error.get("data").ok()?;
    let data = if data.is_undefined() {
        None
    } else {
        message::to_json(ctx, data)
    };
    Some(WireError {
        code,
        message,
        data,
    })
}

/// How many host calls are unanswered.
fn pending_calls(kit: &Kit<'_>) -> u32 {
    kit.0
        .get::<_, Object>(Kit::CALLS)
        .and_then(|calls| calls.get("size"))
        .unwrap_or(0)
}

/// Settles the host call `response` answers.
fn route<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>, response: Object<'js>) {
    let routed = kit
        .function(Kit::ROUTE)
        .and_then(|route| route.call::<_, ()>((response,)));
    report(ctx, "routing a host answer", routed);
}

/// Stdin ended: every unanswered host call fails, and so will new ones.
fn close_stdin<'js>(ctx: &Ctx<'js>, kit: &Kit<'js>) {
    let closed = kit
        .function(Kit::CLOSE_STDIN)
        .and_then(|close| close.call::<_, ()>(()));
    report(ctx, "closing stdin", closed);
}

/// Logs a failure of the kit's own JavaScript (none is expected).
fn report(ctx: &Ctx<'_>, what: &str, result: rquickjs::Result<()>) {
    if let Err(e) = result {
        let why = if e.is_exception() {
            console::show(ctx, &ctx.catch())
        } else {
            e.to_string()
        };
        console::log(Level::Error, &format!("the kit failed {what}: {why}"));
    }
}
