//! The host a plugin of a set talks to: host methods grouped by capability,
//! granted by the plugin's manifest, plus the set's own methods.

use std::{
    collections::BTreeSet,
    sync::{Arc, Weak},
};

use serde::Deserialize;
use serde_json::Value;
use wasmi_plugin_protocol::{
    RpcError, codes, decode_params,
    method::{CONFIG_GET, PLUGINS_CALL},
};

use super::registry::SetInner;
use crate::{BoxFuture, CallOptions, CallerInfo, Error, HostHandler};

/// The capability every plugin has.
pub(crate) const BASELINE: &str = "baseline";
/// The capability `plugins.call` needs.
pub(crate) const PLUGINS: &str = "plugins";

/// The host methods the set itself provides, and the capability each needs.
pub(crate) const SET_METHODS: [(&str, &str); 2] = [(CONFIG_GET, BASELINE), (PLUGINS_CALL, PLUGINS)];

/// The host handler of one plugin in a set.
pub(crate) struct PluginHost {
    pub(crate) set: Weak<SetInner>,
    pub(crate) granted: BTreeSet<String>,
    pub(crate) config: Value,
}

impl core::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PluginHost")
            .field("granted", &self.granted)
            .finish_non_exhaustive()
    }
}

fn ready(result: Result<Value, RpcError>) -> BoxFuture<Result<Value, RpcError>> {
    Box::pin(core::future::ready(result))
}

#[derive(Deserialize)]
struct PluginCall {
    plugin: String,
    method: String,
    #[serde(default)]
    params: Value,
}

impl PluginHost {
    fn may_use(&self, capability: &str) -> bool {
        capability == BASELINE || self.granted.contains(capability)
    }

    fn denied(
        &self,
        set: &SetInner,
        caller: &CallerInfo,
        method: &str,
        capability: &str,
    ) -> RpcError {
        set.log_denied_once(caller.plugin(), method, capability);
        RpcError::new(
            codes::PERMISSION_DENIED,
            format!("permission denied: {method} needs {capability}"),
        )
    }

    fn config_get(&self, params: Option<Value>) -> Result<Value, RpcError> {
        match decode_params::<Option<String>>(params.as_ref())? {
            None => Ok(self.config.clone()),
            Some(key) => Ok(self.config.get(&key).cloned().unwrap_or(Value::Null)),
        }
    }

    fn plugins_call(
        &self,
        set: &Arc<SetInner>,
        caller: CallerInfo,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        let call = match decode_params::<PluginCall>(params.as_ref()) {
            Ok(call) => call,
            Err(e) => return ready(Err(e)),
        };
        let mut chain: Vec<String> = caller.chain().map(str::to_owned).collect();
        chain.push(caller.plugin().to_owned());
        if chain.len() > set.max_depth {
            return ready(Err(RpcError::new(
                codes::CALL_DEPTH_EXCEEDED,
                format!(
                    "call depth limit ({}) exceeded: {} -> {}",
                    set.max_depth,
                    chain.join(" -> "),
                    call.plugin
                ),
            )));
        }
        let Some(target) = set.plugin(&call.plugin) else {
            return ready(Err(RpcError::new(
                codes::METHOD_NOT_FOUND,
                format!("no plugin named `{}`", call.plugin),
            )));
        };
        let slots = caller.tree().slots(chain.len(), set.max_nested_calls);
        let options = CallOptions::new()
            .with_call_chain(chain)
            .with_call_tree(caller.tree().clone());
        Box::pin(async move {
            let _slot = slots.acquire().await;
            let outcome = target.call_with::<Value>(&call.method, call.params, options);
            match outcome.await {
                Ok(reported) => Ok(reported.value),
                Err(failure) => Err(match failure.error {
                    Error::Rpc(e) => e,
                    other => RpcError::new(codes::HOST_ERROR, other.to_string()),
                }),
            }
        })
    }
}

impl HostHandler for PluginHost {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        let Some(set) = self.set.upgrade() else {
            return ready(Err(RpcError::internal("the plugin set was dropped")));
        };
        match method {
            CONFIG_GET => ready(self.config_get(params)),
            PLUGINS_CALL if !self.may_use(PLUGINS) => {
                ready(Err(self.denied(&set, &caller, method, PLUGINS)))
            }
            PLUGINS_CALL => self.plugins_call(&set, caller, params),
            _ => match set.host_method(method) {
                Some((capability, _)) if !self.may_use(capability) => {
                    ready(Err(self.denied(&set, &caller, method, capability)))
                }
                Some((_, handler)) => handler.handle(caller, method, params),
                None => ready(Err(RpcError::new(
                    codes::METHOD_NOT_FOUND,
                    format!("host method not found: {method}"),
                ))),
            },
        }
    }
}
