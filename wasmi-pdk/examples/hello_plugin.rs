//! The README's minimal plugin. Build it for the runtime with
//! `cargo build --release --example hello_plugin --target wasm32-wasip1 -p wasmi-pdk`.

#![expect(
    unused_crate_dependencies,
    reason = "an example links all of the crate's dependencies"
)]

use wasmi_pdk::{Router, RpcError};

fn router() -> Router {
    Router::new()
        // Params `[2, 3]` decode into a tuple.
        .with_method("add", |_ctx, (a, b): (i64, i64)| async move {
            Ok::<_, RpcError>(a + b)
        })
        // Call back into the host while handling a request.
        .with_method("greet", |ctx, name: String| async move {
            wasmi_pdk::log::info!("greeting {name}");
            let greeting: String = ctx.call("host.greeting", ()).await?;
            Ok(format!("{greeting}, {name}!"))
        })
}

fn main() {
    wasmi_pdk::serve(router())
}
