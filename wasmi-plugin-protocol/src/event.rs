use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The params of an [`ON_EVENT`](crate::method::ON_EVENT) request: one event delivered to one plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's name, e.g. `player.join`.
    pub event: String,
    /// Its payload, as modified by earlier handlers.
    pub payload: Value,
    /// Whether this handler may modify the payload or stop the event
    /// (its subscription is `modify`); observers cannot.
    #[serde(default)]
    pub modifiable: bool,
}

/// A handler's answer to an [`Event`]. `{}` (or `null`) lets the event
/// continue unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventReply {
    /// A replacement payload that later handlers and the host see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Stops the event: no later handler runs.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub stop: bool,
}

impl EventReply {
    /// Continue, payload unchanged.
    pub fn keep() -> Self {
        Self::default()
    }

    /// Continue with `payload` instead.
    pub fn modify(payload: Value) -> Self {
        Self {
            payload: Some(payload),
            stop: false,
        }
    }

    /// Stop the event here.
    pub fn stop() -> Self {
        Self {
            payload: None,
            stop: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn replies_are_small_on_the_wire() {
        assert_eq!(serde_json::to_value(EventReply::keep()).unwrap(), json!({}));
        assert_eq!(
            serde_json::to_value(EventReply::stop()).unwrap(),
            json!({"stop": true})
        );
        let back: EventReply = serde_json::from_value(json!({"payload": 1})).unwrap();
        assert_eq!(back, EventReply::modify(json!(1)));
    }
}
