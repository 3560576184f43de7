//! One plugin's host with a store in front: what
//! [`PluginBuilder::with_store`](crate::PluginBuilder::with_store) builds.

use std::sync::Arc;

use serde_json::Value;
use wasmi_plugin_protocol::{RpcError, method::store as methods};

use super::StoreHost;
use crate::{BoxFuture, CallerInfo, HostHandler};

/// Serves the `store.*` methods from the store, every other method from
/// the plugin's own host.
pub(crate) struct WithStore {
    pub(crate) store: StoreHost,
    pub(crate) host: Arc<dyn HostHandler>,
}

impl HostHandler for WithStore {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        if methods::ALL.contains(&method) {
            self.store.handle(caller, method, params)
        } else {
            self.host.handle(caller, method, params)
        }
    }

    fn method_names(&self) -> Vec<String> {
        let mut names = self.store.method_names();
        names.extend(self.host.method_names());
        names
    }
}
