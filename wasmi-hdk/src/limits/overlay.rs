use core::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use super::{
    Limits,
    units::{UNLIMITED, parse_bytes, parse_duration},
};
use crate::Error;

/// Some of the [`Limits`], as written in a manifest's `[limits]` table, on
/// the command line, in JavaScript options or in the mobile bindings: every
/// field is optional, and [`apply`](Self::apply) sets the ones present.
///
/// The field names are the same everywhere (JavaScript camel-cases them):
///
/// | field | value | |
/// |---|---|---|
/// | `fuel` | an integer, or `"unlimited"` / `null` | fuel per call |
/// | `timeout` | `"500ms"`, `"2s"`, `"1m"`, an integer of milliseconds, or `"unlimited"` / `null` | wall-clock time per call |
/// | `max_memory` | bytes: an integer, or `"64M"`, `"512K"`, `"1G"` | linear memory per instance |
/// | `max_message` | bytes, as `max_memory` | one protocol line |
/// | `max_stderr` | bytes, as `max_memory` | stderr kept for error reports |
/// | `fuel_slice` | an integer | fuel between two yields |
/// | `max_open_files` | an integer | descriptors open at once per instance |
///
/// ```
/// use std::time::Duration;
/// use wasmi_hdk::{Limits, LimitsOverlay};
///
/// let overlay: LimitsOverlay = toml::from_str(r#"
///     fuel = 1_000_000
///     timeout = "2s"
///     max_memory = "32M"
/// "#).unwrap();
/// let limits = overlay.apply(&Limits::default());
/// assert_eq!(limits.fuel(), Some(1_000_000));
/// assert_eq!(limits.timeout(), Some(Duration::from_secs(2)));
/// assert_eq!(limits.max_memory(), 32 << 20);
/// assert_eq!(limits.max_message(), Limits::default().max_message());
///
/// let json = LimitsOverlay::from_json(serde_json::json!({"timeout": null, "max_message": 4096}))?;
/// assert_eq!(json.apply(&limits).timeout(), None);
/// # Ok::<(), wasmi_hdk::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LimitsOverlay {
    /// Fuel per call: `Some(None)` is unlimited.
    #[serde(
        default,
        deserialize_with = "fuel",
        serialize_with = "write_fuel",
        skip_serializing_if = "Option::is_none"
    )]
    pub fuel: Option<Option<u64>>,
    /// Wall-clock time per call: `Some(None)` is no limit.
    #[serde(
        default,
        deserialize_with = "timeout",
        serialize_with = "write_timeout",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Option<Duration>>,
    /// Bytes of linear memory per instance.
    #[serde(
        default,
        deserialize_with = "bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_memory: Option<usize>,
    /// Bytes of one protocol line, either way.
    #[serde(
        default,
        deserialize_with = "bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_message: Option<usize>,
    /// Bytes of stderr kept for error reports.
    #[serde(
        default,
        deserialize_with = "bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_stderr: Option<usize>,
    /// Fuel between two yields to the executor.
    #[serde(
        default,
        deserialize_with = "count",
        skip_serializing_if = "Option::is_none"
    )]
    pub fuel_slice: Option<u64>,
    /// Descriptors open at once per instance.
    #[serde(
        default,
        deserialize_with = "count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_open_files: Option<u64>,
}

impl LimitsOverlay {
    /// The field names, as every surface spells them (JavaScript in camelCase).
    pub const FIELDS: [&'static str; 7] = [
        "fuel",
        "timeout",
        "max_memory",
        "max_message",
        "max_stderr",
        "fuel_slice",
        "max_open_files",
    ];

    /// No field set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads an overlay from JSON (an object with some of [`FIELDS`](Self::FIELDS)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOptions`] naming the field and what is wrong with it.
    pub fn from_json(value: serde_json::Value) -> Result<Self, Error> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            Error::InvalidOptions {
                option: if path == "." {
                    "limits".to_owned()
                } else {
                    path
                },
                reason: e.into_inner().to_string(),
            }
        })
    }

    /// `limits` with the fields of this overlay that are set replacing theirs.
    pub fn apply(&self, limits: &Limits) -> Limits {
        let mut limits = limits.clone();
        match self.fuel {
            Some(Some(fuel)) => limits = limits.with_fuel(fuel),
            Some(None) => limits = limits.without_fuel(),
            None => {}
        }
        match self.timeout {
            Some(Some(timeout)) => limits = limits.with_timeout(timeout),
            Some(None) => limits = limits.without_timeout(),
            None => {}
        }
        if let Some(bytes) = self.max_memory {
            limits = limits.with_max_memory(bytes);
        }
        if let Some(bytes) = self.max_message {
            limits = limits.with_max_message(bytes);
        }
        if let Some(bytes) = self.max_stderr {
            limits = limits.with_max_stderr(bytes);
        }
        if let Some(fuel) = self.fuel_slice {
            limits = limits.with_fuel_slice(fuel);
        }
        if let Some(files) = self.max_open_files {
            limits = limits.with_max_open_files(usize::try_from(files).unwrap_or(usize::MAX));
        }
        limits
    }

    /// This overlay with the fields `other` sets replacing its own.
    #[must_use]
    pub fn merge(mut self, other: &Self) -> Self {
        self.fuel = other.fuel.or(self.fuel);
        self.timeout = other.timeout.or(self.timeout);
        self.max_memory = other.max_memory.or(self.max_memory);
        self.max_message = other.max_message.or(self.max_message);
        self.max_stderr = other.max_stderr.or(self.max_stderr);
        self.fuel_slice = other.fuel_slice.or(self.fuel_slice);
        self.max_open_files = other.max_open_files.or(self.max_open_files);
        self
    }
}

/// A limit as written: a number, text (units, `unlimited`) or null.
enum Written {
    Number(u64),
    Text(String),
    Null,
}

impl Written {
    fn read<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(Self::Null),
            serde_json::Value::String(text) => Ok(Self::Text(text.trim().to_owned())),
            serde_json::Value::Number(n) => n.as_u64().map(Self::Number).ok_or_else(|| {
                de::Error::custom(format!("{n} is not {what} (a whole number >= 0)"))
            }),
            other => Err(de::Error::custom(format!("{other} is not {what}"))),
        }
    }
}

fn fuel<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    match Written::read(d, "an amount of fuel")? {
        Written::Null => Ok(Some(None)),
        Written::Number(n) => Ok(Some(Some(n))),
        Written::Text(text) if text == UNLIMITED => Ok(Some(None)),
        Written::Text(text) => text.parse().map(|n| Some(Some(n))).map_err(|_| {
            de::Error::custom(format!(
                "`{text}` is not an amount of fuel (an integer, or \"{UNLIMITED}\")"
            ))
        }),
    }
}

fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Duration>>, D::Error> {
    match Written::read(d, "a timeout")? {
        Written::Null => Ok(Some(None)),
        Written::Number(ms) => Ok(Some(Some(Duration::from_millis(ms)))),
        Written::Text(text) if text == UNLIMITED => Ok(Some(None)),
        Written::Text(text) => parse_duration(&text)
            .map(|t| Some(Some(t)))
            .map_err(de::Error::custom),
    }
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Written::read(d, "a count")? {
        Written::Number(n) => Ok(Some(n)),
        Written::Text(text) => text
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("`{text}` is not a whole number"))),
        Written::Null => Err(de::Error::custom("a count cannot be null")),
    }
}

fn bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    match Written::read(d, "a size in bytes")? {
        Written::Number(n) => usize::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("{n} bytes do not fit this platform"))),
        Written::Text(text) => parse_bytes(&text).map(Some).map_err(de::Error::custom),
        Written::Null => Err(de::Error::custom("a size cannot be null")),
    }
}

#[expect(
    clippy::ref_option,
    reason = "serde's `serialize_with` passes a reference to the field"
)]
fn write_fuel<S: Serializer>(fuel: &Option<Option<u64>>, s: S) -> Result<S::Ok, S::Error> {
    match fuel {
        Some(Some(n)) => s.serialize_u64(*n),
        _ => s.serialize_str(UNLIMITED),
    }
}

#[expect(
    clippy::ref_option,
    reason = "serde's `serialize_with` passes a reference to the field"
)]
fn write_timeout<S: Serializer>(
    timeout: &Option<Option<Duration>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match timeout {
        Some(Some(t)) => s.serialize_u64(u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
        _ => s.serialize_str(UNLIMITED),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_field_in_every_notation() {
        let overlay = LimitsOverlay::from_json(json!({
            "fuel": "123",
            "timeout": 1500,
            "max_memory": "1M",
            "max_message": 4096,
            "max_stderr": "2K",
            "fuel_slice": 1000,
            "max_open_files": 16,
        }))
        .unwrap();
        let limits = overlay.apply(&Limits::default());
        assert_eq!(limits.fuel(), Some(123));
        assert_eq!(limits.timeout(), Some(Duration::from_millis(1500)));
        assert_eq!(limits.max_memory(), 1 << 20);
        assert_eq!(limits.max_message(), 4096);
        assert_eq!(limits.max_stderr(), 2048);
        assert_eq!(limits.fuel_slice(), 1000);
        assert_eq!(limits.max_open_files(), 16);
        // The serde field names are FIELDS.
        let written = serde_json::to_value(&overlay).unwrap();
        let names: Vec<&str> = written
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = LimitsOverlay::FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields);
        assert_eq!(LimitsOverlay::from_json(written).unwrap(), overlay);
    }

    #[test]
    fn unlimited_and_absent_differ() {
        let overlay =
            LimitsOverlay::from_json(json!({"fuel": null, "timeout": "unlimited"})).unwrap();
        let limited = Limits::default().with_fuel(5);
        assert_eq!(overlay.apply(&limited).fuel(), None);
        assert_eq!(overlay.apply(&limited).timeout(), None);
        let empty = LimitsOverlay::from_json(json!({})).unwrap();
        assert_eq!(empty.apply(&limited), limited);
    }

    #[test]
    fn errors_name_the_field() {
        for (value, field) in [
            (json!({"max_memory": "12 parsecs"}), "max_memory"),
            (json!({"timeout": "3"}), "timeout"),
            (json!({"fuel": "lots"}), "fuel"),
            (json!({"fuel_slice": -1}), "fuel_slice"),
            (json!({"max_mem": 1}), "max_mem"),
        ] {
            match LimitsOverlay::from_json(value) {
                Err(Error::InvalidOptions { option, reason }) => {
                    assert_eq!(option, field, "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn merge_prefers_the_other() {
        let base = LimitsOverlay::from_json(json!({"fuel": 1, "max_memory": 10})).unwrap();
        let top = LimitsOverlay::from_json(json!({"fuel": null})).unwrap();
        let merged = base.merge(&top);
        assert_eq!(merged.fuel, Some(None));
        assert_eq!(merged.max_memory, Some(10));
    }
}
