//! The router's methods by name, built for a plugin's start: every request
//! starts a fresh instance, which builds its router again, so inserting
//! must be cheap, not only looking up.
//!
//! All names live in one buffer (one allocation for all of them instead of
//! one per name, reserved once for a typical router) and the entries are
//! kept sorted, so a lookup or an insert is a binary search and listing the
//! names in order needs no sort.

use core::cmp::Ordering;

/// What the first insert reserves: room for this many methods, with names
/// of this many bytes in all, so that a typical router grows neither.
const TYPICAL_METHODS: usize = 16;
const TYPICAL_NAME_BYTES: usize = 256;

/// Values by name, names in one buffer, entries sorted by name.
#[derive(Debug)]
pub(super) struct MethodTable<V> {
    names: String,
    entries: Vec<Entry<V>>,
}

#[derive(Debug)]
struct Entry<V> {
    /// Where the name starts in `names`, and its length.
    start: usize,
    len: usize,
    value: V,
}

impl<V> Default for MethodTable<V> {
    fn default() -> Self {
        Self {
            names: String::new(),
            entries: Vec::new(),
        }
    }
}

/// Byte order, as `str`'s `Ord`, but a loop the compiler keeps inline:
/// method names are short and usually differ early, where a call to
/// `memcmp` would cost more than the comparison (in an interpreter most of
/// all).
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl<V> MethodTable<V> {
    fn name(&self, entry: &Entry<V>) -> &str {
        &self.names[entry.start..entry.start + entry.len]
    }

    /// The entry named `name`, or where it would go.
    fn search(&self, name: &str) -> Result<usize, usize> {
        let names = self.names.as_bytes();
        self.entries.binary_search_by(|entry| {
            compare(
                &names[entry.start..entry.start + entry.len],
                name.as_bytes(),
            )
        })
    }

    /// Adds `value` as `name`, or replaces the value `name` had.
    pub(super) fn insert(&mut self, name: &str, value: V) {
        match self.search(name) {
            Ok(at) => self.entries[at].value = value,
            Err(at) => {
                if self.entries.capacity() == 0 {
                    self.entries.reserve(TYPICAL_METHODS);
                    self.names.reserve(TYPICAL_NAME_BYTES);
                }
                let start = self.names.len();
                self.names.push_str(name);
                let len = name.len();
                self.entries.insert(at, Entry { start, len, value });
            }
        }
    }

    /// The value named `name`.
    pub(super) fn get(&self, name: &str) -> Option<&V> {
        let at = self.search(name).ok()?;
        Some(&self.entries[at].value)
    }

    /// The names, in sorted order.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| self.name(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_like_str_and_replaced_in_place() {
        let mut table = MethodTable::default();
        for (value, name) in ["b", "a.b", "", "ab", "a", "é", "B", "ab"]
            .into_iter()
            .enumerate()
        {
            table.insert(name, value);
        }
        let names: Vec<&str> = table.names().collect();
        let mut expected = vec!["b", "a.b", "", "ab", "a", "é", "B"];
        expected.sort();
        assert_eq!(names, expected);
        assert_eq!(table.get("ab"), Some(&7));
        assert_eq!(table.get("b"), Some(&0));
        assert_eq!(table.get(""), Some(&2));
        assert_eq!(table.get("abc"), None);
        assert_eq!(table.get("A"), None);
    }
}
