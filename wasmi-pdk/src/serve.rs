use std::io::{BufRead, Write};

use crate::protocol::{Id, Message, Response};
use crate::{Context, RequestHandler, executor, init_logger};

/// Serves requests from stdin until EOF: the whole `main` of a plugin.
///
/// Installs the stderr logger (see [`init_logger`]) first. Each request line
/// is answered with one response line; the host's answers to the plugin's own
/// calls are read in between.
///
/// ```no_run
/// use wasmi_pdk::{Router, RpcError};
///
/// fn main() {
///     wasmi_pdk::serve(Router::new().with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") }))
/// }
/// ```
pub fn serve(handler: impl RequestHandler) {
    init_logger();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    serve_io(&handler, &mut stdin.lock(), &mut stdout.lock());
}

/// [`serve`] over any reader and writer, without touching the logger: what a
/// native unit test of a plugin uses.
///
/// Returns when `input` ends or `output` fails.
pub fn serve_io(handler: &impl RequestHandler, input: &mut dyn BufRead, output: &mut dyn Write) {
    let mut line = Vec::new();
    while executor::read_line(input, &mut line) {
        let text = executor::trim_newline(&line);
        if text.trim_ascii().is_empty() {
            continue;
        }
        match Message::from_slice(text) {
            Ok(Message::Request(request)) => {
                let outcome = executor::block_on(
                    handler.handle(Context::new(), &request.method, request.params),
                    input,
                    output,
                );
                executor::send(|out| {
                    Response {
                        id: request.id,
                        outcome,
                    }
                    .write_line(out);
                });
            }
            Ok(Message::Notification(note)) => {
                // Nobody waits for a notification's result.
                let _ = executor::block_on(
                    handler.handle(Context::new(), &note.method, note.params),
                    input,
                    output,
                );
            }
            // Nothing waits for a stray answer.
            Ok(Message::Response(_)) => {}
            Err(e) => executor::send(|out| {
                Response {
                    id: Id::Null,
                    outcome: Err(e.to_rpc_error()),
                }
                .write_line(out);
            }),
        }
        if executor::flush(output).is_err() {
            return;
        }
    }
}

/// Defines `fn main` as [`serve`] of the given handler.
///
/// ```no_run
/// use wasmi_pdk::{Router, RpcError};
///
/// fn router() -> Router {
///     Router::new().with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
/// }
///
/// wasmi_pdk::plugin_main!(router());
/// ```
///
/// With `preinit`, the handler is built in the Wizer initialiser instead
/// (see [`preinitialize`](crate::preinitialize)): the macro also defines
/// the `wizer.initialize` export, and `main` serves from what it built, or
/// builds it first when the module was not pre-initialised. The handler
/// expression then runs once per instance, at load when the host
/// pre-initialises, never per request.
///
/// ```no_run
/// # use wasmi_pdk::{Router, RpcError};
/// # fn router() -> Router {
/// #     Router::new().with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
/// # }
/// wasmi_pdk::plugin_main!(preinit router());
/// ```
#[macro_export]
macro_rules! plugin_main {
    (preinit $handler:expr) => {
        /// The Wizer initialiser: builds the request handler once, so that
        /// the host's snapshot holds it.
        #[unsafe(export_name = "wizer.initialize")]
        pub extern "C" fn __wasmi_pdk_initialize() {
            $crate::preinitialize(|| $handler)
        }

        fn main() {
            $crate::serve_preinitialized(|| $handler)
        }
    };
    ($handler:expr) => {
        fn main() {
            $crate::serve($handler)
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::{Router, RpcError};

    fn run(router: &Router, input: &str) -> Vec<Value> {
        let mut output = Vec::new();
        serve_io(router, &mut input.as_bytes(), &mut output);
        String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn router() -> Router {
        Router::new()
            .with_method("add", |_ctx, (a, b): (i64, i64)| async move {
                Ok::<_, RpcError>(a + b)
            })
            .with_method("twice", |ctx, x: i64| async move {
                let (a, b) = futures::join!(
                    ctx.call::<i64>("host.double", x),
                    ctx.call::<i64>("host.double", x + 1)
                );
                Ok::<_, RpcError>(a? + b?)
            })
    }

    #[test]
    fn answers_requests_and_errors() {
        let out = run(
            &router(),
            concat!(
                r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}"#,
                "\n\n",
                r#"{"jsonrpc":"2.0","id":2,"method":"nope"}"#,
                "\n",
                r#"{"jsonrpc":"2.0","id":3,"method":"add","params":["x"]}"#,
                "\nnot json\n",
            ),
        );
        assert_eq!(out[0], json!({"jsonrpc":"2.0","id":1,"result":5}));
        assert_eq!(out[1]["error"]["code"], -32601);
        assert_eq!(out[2]["error"]["code"], -32602);
        assert_eq!(out[3]["error"]["code"], -32700);
        assert_eq!(out[3]["id"], Value::Null);
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn discovery_lists_the_methods() {
        let out = run(
            &router(),
            concat!(r#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#, "\n"),
        );
        let names: Vec<&str> = out[0]["result"]["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["add", "twice"]);
        assert_eq!(out[0]["result"]["openrpc"], "1.2.6");
    }

    #[test]
    fn joined_host_calls_are_both_sent_before_waiting() {
        // The answers arrive in reverse order; ids pair them up.
        let out = run(
            &router(),
            concat!(
                r#"{"jsonrpc":"2.0","id":"r","method":"twice","params":[10]}"#,
                "\n",
                r#"{"jsonrpc":"2.0","id":2,"result":22}"#,
                "\n",
                r#"{"jsonrpc":"2.0","id":1,"result":20}"#,
                "\n",
            ),
        );
        assert_eq!(out[0]["method"], "host.double");
        assert_eq!(out[0]["params"], json!([10]));
        assert_eq!(out[1]["params"], json!([11]));
        assert_eq!(out[2], json!({"jsonrpc":"2.0","id":"r","result":42}));
    }

    #[test]
    fn host_call_fails_cleanly_at_eof() {
        let out = run(
            &router(),
            concat!(
                r#"{"jsonrpc":"2.0","id":1,"method":"twice","params":[1]}"#,
                "\n"
            ),
        );
        let answer = out.last().unwrap();
        assert_eq!(answer["id"], 1);
        assert_eq!(answer["error"]["code"], -32603);
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("closed stdin")
        );
    }
}
