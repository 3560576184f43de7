//! What publishing an event did.

use serde_json::Value;

use crate::Error;

/// The result of [`PluginSet::emit`](super::PluginSet::emit).
#[derive(Debug)]
pub struct EmitOutcome {
    /// The event's name.
    pub event: String,
    /// The payload after every handler that ran (as modified by `modify` handlers).
    pub payload: Value,
    /// The plugin that stopped the event, if one did.
    pub stopped_by: Option<String>,
    /// Every subscribed plugin, in the order they were (or would have been) called.
    pub handlers: Vec<HandlerOutcome>,
}

/// What one subscribed plugin did with an event.
#[derive(Debug)]
pub struct HandlerOutcome {
    /// The plugin's name.
    pub plugin: String,
    /// Its subscription's priority (0 first … 255 last).
    pub priority: u8,
    /// What happened.
    pub decision: HandlerDecision,
}

/// How one handler dealt with an event.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandlerDecision {
    /// Let it continue unchanged.
    Continued,
    /// Replaced the payload.
    Modified,
    /// Stopped it: later handlers were skipped.
    Stopped,
    /// An observer asked to modify or stop the event; that was ignored.
    IgnoredChange,
    /// The call failed; the event continued with the payload unchanged.
    Failed(Error),
    /// Not called, because an earlier handler stopped the event.
    Skipped,
}
