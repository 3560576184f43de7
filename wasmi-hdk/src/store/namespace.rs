//! Namespaces and keys: what they may be, and how long.
//!
//! A backend never joins a namespace and a key into one string: it keeps the
//! pair apart (redb tuple keys, which are length-prefixed; nested maps in
//! memory; array keys in IndexedDB). So no key, however crafted (`../x`,
//! a NUL, a separator, a key that spells another namespace), can reach
//! outside its namespace, and keys need no escaping.

use core::fmt;
use std::sync::Arc;

use super::error::{NameProblem, StoreError};

/// The longest key, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 512;

/// The longest namespace name, in UTF-8 bytes.
pub const MAX_NAMESPACE_BYTES: usize = 256;

/// The prefix of the namespace [`Namespace::plugin`] gives a plugin.
const PLUGIN_PREFIX: &str = "plugin:";

/// A namespace: a separate key space with its own quota and usage.
///
/// Each plugin gets one by default ([`Namespace::plugin`]); an embedder may
/// create any others it needs (per user, per room, …) with
/// [`Namespace::new`]. A name is any non-empty UTF-8 string of at most
/// [`MAX_NAMESPACE_BYTES`] bytes; names are compared byte for byte.
///
/// ```
/// use wasmi_hdk::store::Namespace;
///
/// let plugin = Namespace::plugin("counter")?;
/// assert_eq!(plugin.as_str(), "plugin:counter");
/// let room = Namespace::new("room/42")?;
/// assert_ne!(plugin, room);
/// # Ok::<(), wasmi_hdk::store::StoreError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Namespace(Arc<str>);

impl Namespace {
    /// The namespace called `name`.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidNamespace`] if `name` is empty or longer than
    /// [`MAX_NAMESPACE_BYTES`].
    pub fn new(name: &str) -> Result<Self, StoreError> {
        check(name, MAX_NAMESPACE_BYTES)
            .map_err(|problem| StoreError::InvalidNamespace { problem })?;
        Ok(Self(name.into()))
    }

    /// The default namespace of plugin `name`: `plugin:NAME`.
    ///
    /// Embedders should keep their own namespaces out of the `plugin:`
    /// prefix, so they cannot meet a plugin's.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidNamespace`] if `name` is empty or the result is
    /// longer than [`MAX_NAMESPACE_BYTES`].
    pub fn plugin(name: &str) -> Result<Self, StoreError> {
        if name.is_empty() {
            return Err(StoreError::InvalidNamespace {
                problem: NameProblem::Empty,
            });
        }
        Self::new(&format!("{PLUGIN_PREFIX}{name}"))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a key: non-empty UTF-8 of at most [`MAX_KEY_BYTES`] bytes. Any
/// other content (NUL, `/`, `..`, control characters) is an ordinary key.
pub(crate) fn check_key(key: &str) -> Result<(), StoreError> {
    check(key, MAX_KEY_BYTES).map_err(|problem| StoreError::InvalidKey { problem })
}

fn check(name: &str, max: usize) -> Result<(), NameProblem> {
    if name.is_empty() {
        Err(NameProblem::Empty)
    } else if name.len() > max {
        Err(NameProblem::TooLong {
            len: name.len(),
            max,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_but_otherwise_free() {
        for key in [
            "a",
            "../x",
            "a\0b",
            "plugin:other\0k",
            "/",
            "é",
            &"k".repeat(MAX_KEY_BYTES),
        ] {
            check_key(key).unwrap();
        }
        assert!(matches!(
            check_key(""),
            Err(StoreError::InvalidKey {
                problem: NameProblem::Empty
            })
        ));
        let long = "é".repeat(MAX_KEY_BYTES / 2 + 1);
        assert!(matches!(
            check_key(&long),
            Err(StoreError::InvalidKey {
                problem: NameProblem::TooLong { len, max: MAX_KEY_BYTES }
            }) if len == long.len()
        ));
    }

    #[test]
    fn namespaces_are_bounded() {
        assert!(Namespace::new("").is_err());
        assert!(Namespace::plugin("").is_err());
        assert!(Namespace::new(&"n".repeat(MAX_NAMESPACE_BYTES + 1)).is_err());
        assert_eq!(Namespace::plugin("p").unwrap().as_str(), "plugin:p");
        assert!(Namespace::plugin(&"p".repeat(MAX_NAMESPACE_BYTES)).is_err());
    }
}
