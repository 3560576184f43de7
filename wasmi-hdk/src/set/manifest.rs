//! `NAME.toml`: what a plugin is, what it may do and which events it wants.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
};

use serde::Deserialize;
use serde_json::Value;
use wasmi_plugin_protocol::Dialect;

use crate::{Error, LimitsOverlay, limits::units::parse_bytes};

/// A plugin's manifest, usually `NAME.toml` beside `NAME.wasm`.
///
/// ```
/// use std::time::Duration;
/// use wasmi_hdk::{Limits, set::Manifest};
///
/// let manifest = Manifest::from_toml(r#"
///     name = "greeter"
///     version = "1.0.0"
///     permissions = ["storage"]
///     [limits]
///     timeout = "2s"
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
/// assert_eq!(manifest.limits.apply(&Limits::default()).timeout(), Some(Duration::from_secs(2)));
/// # Ok::<(), wasmi_hdk::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Manifest {
    /// The plugin's name; defaults to the `.wasm` file's stem. Letters,
    /// digits, `_` and `-` only, so that `PLUGIN.METHOD` (as `wasmi-host
    /// serve --plugins` addresses it) is never ambiguous.
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
    pub limits: LimitsOverlay,
    /// The wire dialect the plugin speaks (`jsonrpc`, the default, or
    /// `framework-0.1` for plugins built for `wasmi-plugin-framework` 0.1).
    #[serde(default)]
    pub dialect: Dialect,
    /// Environment variables the plugin sees.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Directories the plugin sees, by guest path (`"/assets" = { archive
    /// = "assets.tar" }`); paths are relative to the manifest when it is
    /// read with `Manifest::from_file` (not on wasm32).
    #[serde(default)]
    pub files: BTreeMap<String, FilesEntry>,
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

/// One entry of a manifest's `[files]` table: what the plugin sees at a
/// guest path (read-only, except a scratch directory).
///
/// ```toml
/// [files]
/// "/lib" = { archive = "python.zip" }   # a tar or zip file
/// "/assets" = { dir = "assets" }        # a host directory, read at load (native hosts)
/// "/tmp" = { scratch = "4M" }           # writable, empty at each request, at most 4 MiB
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
#[non_exhaustive]
pub enum FilesEntry {
    /// A tar or zip archive's contents.
    Archive(PathBuf),
    /// A host directory's contents, read once when the plugin loads
    /// (native hosts only).
    Dir(PathBuf),
    /// A scratch directory holding at most this many bytes.
    Scratch(#[serde(deserialize_with = "quota")] u64),
}

fn quota<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a size in bytes"))),
        serde_json::Value::String(text) => parse_bytes(&text)
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            .map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "{other} is not a size in bytes"
        ))),
    }
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

    /// Reads and parses the manifest file `path`; the paths of its
    /// `[files]` entries become relative to the file's directory.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; those of
    /// [`from_toml`](Self::from_toml).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut manifest = Self::from_toml(&text, &path.display().to_string())?;
        let dir = path.parent().unwrap_or_else(|| std::path::Path::new(""));
        for entry in manifest.files.values_mut() {
            if let FilesEntry::Archive(file) | FilesEntry::Dir(file) = entry {
                *file = dir.join(&*file);
            }
        }
        Ok(manifest)
    }

    /// Whether `name` can name a plugin of a set: letters, digits, `_` and
    /// `-`, at most 64 bytes; the error says what is wrong.
    pub(crate) fn check_name(name: &str) -> Result<(), String> {
        if name.is_empty() || name.len() > 64 {
            return Err(format!("`{name}` must be 1 to 64 characters long"));
        }
        match name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            Some(c) => Err(format!(
                "`{name}` contains {c:?}: a plugin name has letters, digits, `_` and `-` only (a `.` would make `PLUGIN.METHOD` ambiguous)"
            )),
            None => Ok(()),
        }
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
        assert!(reason.contains("not an amount of fuel"), "{reason}");
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
    fn names_the_cli_can_address() {
        assert!(Manifest::check_name("greeter-2_b").is_ok());
        for bad in ["a.b", "", "x y", "ünï", &"n".repeat(65)] {
            assert!(Manifest::check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dialects_and_limit_notations() {
        let m = Manifest::from_toml(
            "dialect = \"framework-0.1\"\n[limits]\ntimeout = 1500\nfuel = \"unlimited\"\nmax_message = \"64K\"",
            "p.toml",
        )
        .unwrap();
        assert_eq!(m.dialect, Dialect::Framework01);
        let limits = m.limits.apply(&crate::Limits::default().with_fuel(9));
        assert_eq!(
            limits.timeout(),
            Some(core::time::Duration::from_millis(1500))
        );
        assert_eq!(limits.fuel(), None);
        assert_eq!(limits.max_message(), 64 << 10);
        let (field, _) = field_error("dialect = \"json\"");
        assert_eq!(field.as_deref(), Some("dialect"));
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
        let limits = m.limits.apply(&crate::Limits::default());
        assert_eq!(limits.max_memory(), 32 << 20);
    }
}
