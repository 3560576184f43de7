//! `event-plugin`: the plugin the many-plugins features are tested with.
//! One module, loaded under several names with different manifests:
//!
//! | method        | params                          | result                                               |
//! |---------------|---------------------------------|------------------------------------------------------|
//! | `on_event`    | an `Event`                      | the manifest's `config.reply` (default `{}`); if `config.tag` is set and the event is modifiable, the payload with the tag appended to its `trail` |
//! | `relay`       | `{"plugin","method","params"?}` | what `plugins.call` answers for that call             |
//! | `config`      | none                            | the whole config, via `config.get`                    |
//! | `add`         | `{"a","b"}` or `[a, b]`         | `a + b`; described with JSON Schemas in `rpc.discover` |
//! | `describe`    | none                            | the plugin's `argv[0]` (its name)                     |

use serde::Deserialize;
use serde_json::{Value, json};
use wasmi_pdk::{Context, Event, EventReply, Router, RpcError};

// Used by the other binaries of this package only.
use futures as _;
use getrandom as _;
use test_plugin as _;

/// Params of `add`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct AddParams {
    /// The first addend.
    a: i64,
    /// The second addend.
    b: i64,
}

fn main() {
    wasmi_pdk::serve(router());
}

fn router() -> Router {
    Router::new()
        .with_method("on_event", on_event)
        .with_method("relay", |ctx, params: Value| async move {
            ctx.call::<Value>("plugins.call", params).await
        })
        .with_method("config", |ctx, (): ()| async move {
            ctx.call::<Value>("config.get", ()).await
        })
        .with_method_and_schema("add", |_ctx, AddParams { a, b }| async move {
            a.checked_add(b)
                .ok_or_else(|| RpcError::plugin("a + b overflows"))
        })
        .with_method("describe", |_ctx, (): ()| async move {
            Ok::<_, RpcError>(std::env::args().next().unwrap_or_default())
        })
}

async fn on_event(ctx: Context, event: Event) -> Result<EventReply, RpcError> {
    let reply: Option<EventReply> = ctx.call("config.get", ["reply"]).await?;
    let mut reply = reply.unwrap_or_default();
    let tag: Option<String> = ctx.call("config.get", ["tag"]).await?;
    if let Some(tag) = tag.filter(|_| event.modifiable) {
        let mut payload = reply.payload.take().unwrap_or(event.payload);
        match payload.get_mut("trail").and_then(Value::as_array_mut) {
            Some(trail) => trail.push(json!(tag)),
            None => payload["trail"] = json!([tag]),
        }
        reply.payload = Some(payload);
    }
    Ok(reply)
}
