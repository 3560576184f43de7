//! Many plugins in one host: manifests, capabilities, events and calls
//! between plugins, on top of the one-fresh-instance-per-call core. See
//! [`PluginSet`] for an example.

mod capabilities;
#[cfg(not(target_arch = "wasm32"))]
mod directory;
mod events;
mod manifest;
mod registry;

#[cfg(not(target_arch = "wasm32"))]
pub use self::directory::LoadReport;
pub use self::{
    events::{EmitOutcome, HandlerDecision, HandlerOutcome},
    manifest::{EventMode, EventSubscription, FilesEntry, Manifest},
    registry::{PluginSet, PluginSetBuilder},
};
