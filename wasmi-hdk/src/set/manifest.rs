//! `NAME.toml`: what a plugin is, what it may do and which events it wants.

use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Limits};

/// A plugin's manifest, usually `NAME.toml` beside `NAME.wasm`.
///
/// ```
/// use wasmi_hdk::Manifest;
///
/// let manifest = Manifest::from_toml(r#"
///     name = "greeter"
///     version = "1.0.0"
///     permissions = ["storage"]
///     [limits]
///     timeout_ms = 2000
///     max_memory = "32M"
///     [config]
///     greeting = "hello"
///     [[events]]
///     event = "player.join"
///     priority = 10
///     mode = "modify"
/// "#, "greeter.toml")?;
/// assert_eq!(manifest.name.as_deref(), Some("greeter"));
/// assert_eq!(manifest.events[0].priority, 10);
/// # Ok::<(), wasmi_hdk::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Manifest {
    /// The plugin's name; defaults to the `.wasm` file's stem.
    #[serde(default)]
    pub name: Option<String>,
    /// Its version.
    #[serde(default)]
    pub version: Option<String>,
    /// What it does.
    #[serde(default)]
    pub description: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Limits that override the set's defaults.
    #[serde(default)]
    pub limits: ManifestLimits,
    /// Environment variables the plugin sees.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Configuration values, answered to the plugin by the `config.get` host method.
    #[serde(default, deserialize_with = "toml_to_json")]
    pub config: BTreeMap<String, Value>,
    /// Capabilities granted (names of capabilities the host registered).
    #[serde(default)]
    pub permissions: BTreeSet<String>,
    /// Events the plugin subscribes to.
    #[serde(default)]
    pub events: Vec<EventSubscription>,
}

/// The `[limits]` table of a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ManifestLimits {
    /// Fuel budget per call.
    #[serde(default)]
    pub fuel: Option<u64>,
    /// Wall-clock limit per call, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Linear-memory cap: bytes, or a string with a `K`, `M` or `G` suffix.
    #[serde(default, deserialize_with = "byte_size")]
    pub max_memory: Option<usize>,
}

/// One `[[events]]` entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EventSubscription {
    /// The event's name.
    pub event: String,
    /// When this handler runs: 0 first … 255 last; default 128. Ties run in plugin-name order.
    #[serde(default = "default_priority")]
    pub priority: u8,
    /// Whether the handler may modify the payload or stop the event.
    #[serde(default)]
    pub mode: EventMode,
}

/// What an event handler may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventMode {
    /// See the event; changes it asks for are ignored.
    #[default]
    Observe,
    /// May replace the payload or stop the event.
    Modify,
}

fn default_priority() -> u8 {
    128
}

fn toml_to_json<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Value>, D::Error> {
    let table = BTreeMap::<String, toml::Value>::deserialize(d)?;
    table
        .into_iter()
        .map(|(k, v)| {
            serde_json::to_value(v)
                .map(|v| (k, v))
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

fn byte_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Bytes(usize),
        Text(String),
    }
    let text = match Option::<Size>::deserialize(d)? {
        None => return Ok(None),
        Some(Size::Bytes(n)) => return Ok(Some(n)),
        Some(Size::Text(text)) => text,
    };
    let (digits, unit) = match text
        .trim()
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        Some((at, _)) => text.trim().split_at(at),
        None => (text.trim(), ""),
    };
    let shift = match unit.trim() {
        "" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        other => {
            return Err(serde::de::Error::custom(format!(
                "unknown size unit `{other}` (use K, M or G)"
            )));
        }
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a size")))
}

impl Manifest {
    /// Parses manifest `text`; `file` names it in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Manifest`] naming the file, the field (e.g. `limits.fuel`)
    /// and what is wrong: bad TOML, an unknown field, a wrong type.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, Error> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| Error::Manifest {
            file: file.to_owned(),
            field: None,
            reason: e.message().to_owned(),
        })?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            Error::Manifest {
                file: file.to_owned(),
                field: (path != ".").then_some(path),
                reason: e.into_inner().message().to_owned(),
            }
        })
    }

    /// `defaults` with this manifest's limits applied.
    pub fn limits(&self, defaults: &Limits) -> Limits {
        let mut limits = defaults.clone();
        if let Some(fuel) = self.limits.fuel {
            limits = limits.with_fuel(Some(fuel));
        }
        if let Some(ms) = self.limits.timeout_ms {
            limits = limits.with_timeout(Some(Duration::from_millis(ms)));
        }
        if let Some(bytes) = self.limits.max_memory {
            limits = limits.with_max_memory(bytes);
        }
        limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_error(text: &str) -> (Option<String>, String) {
        match Manifest::from_toml(text, "p.toml") {
            Err(Error::Manifest {
                file,
                field,
                reason,
            }) => {
                assert_eq!(file, "p.toml");
                (field, reason)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_manifest_is_all_defaults() {
        assert_eq!(
            Manifest::from_toml("", "p.toml").unwrap(),
            Manifest::default()
        );
    }

    #[test]
    fn errors_name_the_field() {
        let (field, reason) = field_error("[limits]\nfuel = \"lots\"");
        assert_eq!(field.as_deref(), Some("limits.fuel"));
        assert!(reason.contains("expected u64"), "{reason}");
        let (field, reason) = field_error("permisions = []");
        assert_eq!(field.as_deref(), Some("permisions"));
        assert!(reason.contains("unknown field"), "{reason}");
        let (field, _) = field_error("[[events]]\nevent = \"e\"\nmode = \"rewrite\"");
        assert_eq!(field.as_deref(), Some("events[0].mode"));
        let (field, _) = field_error("[limits]\nmax_memory = \"12 parsecs\"");
        assert_eq!(field.as_deref(), Some("limits.max_memory"));
        let (field, _) = field_error("name = ");
        assert_eq!(field, None);
    }

    #[test]
    fn sizes_and_config_values_convert() {
        let m = Manifest::from_toml(
            "[limits]\nmax_memory = \"32M\"\n[config]\nn = 3\nlist = [1, \"a\"]\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(m.limits.max_memory, Some(32 << 20));
        assert_eq!(m.config["n"], serde_json::json!(3));
        assert_eq!(m.config["list"], serde_json::json!([1, "a"]));
        let limits = m.limits(&Limits::default());
        assert_eq!(limits.max_memory(), 32 << 20);
    }
}
