//! What a plugin says about itself: its answer to `rpc.discover`.

use serde::Deserialize;
use serde_json::Value;
use wasmi_plugin_protocol::method::DISCOVER;

use crate::{CallFuture, Error, Plugin};

/// A plugin's [OpenRPC](https://spec.open-rpc.org) self-description, as
/// answered to `rpc.discover` (the Rust kit answers it automatically).
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// The methods, in the plugin's order.
    pub methods: Vec<MethodDescription>,
    /// The whole document as the plugin sent it.
    pub document: Value,
}

/// One method of a [`Discovery`].
#[derive(Debug, Clone, PartialEq)]
pub struct MethodDescription {
    /// The method's name.
    pub name: String,
    /// The JSON Schema of its params, when the plugin gave one.
    pub params_schema: Option<Value>,
    /// The JSON Schema of its result, when the plugin gave one.
    pub result_schema: Option<Value>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    methods: Vec<RawMethod>,
}

#[derive(Deserialize)]
struct RawMethod {
    name: String,
    #[serde(default)]
    params: Vec<ContentDescriptor>,
    #[serde(default)]
    result: Option<ContentDescriptor>,
}

#[derive(Deserialize)]
struct ContentDescriptor {
    #[serde(default)]
    schema: Option<Value>,
}

impl Plugin {
    /// Asks the plugin to describe itself (`rpc.discover`, in a fresh instance).
    ///
    /// # Errors
    ///
    /// As [`Plugin::call`] (a plugin that does not answer `rpc.discover`
    /// gives `Error::Rpc` with `-32601`), or [`Error::UnexpectedResult`] if
    /// the answer is not an OpenRPC document.
    pub fn discover(&self) -> CallFuture<Result<Discovery, Error>> {
        let call = self.call_raw(DISCOVER, Value::Null);
        CallFuture::new(async move {
            let document = call.await?;
            let parsed: Document =
                serde_json::from_value(document.clone()).map_err(Error::UnexpectedResult)?;
            let methods = parsed
                .methods
                .into_iter()
                .map(|m| MethodDescription {
                    name: m.name,
                    params_schema: m.params.into_iter().next().and_then(|p| p.schema),
                    result_schema: m.result.and_then(|r| r.schema),
                })
                .collect();
            Ok(Discovery { methods, document })
        })
    }
}
