//! Checks every backend runs before it touches storage: key and request
//! bounds, and the JSON encoding of values.

use serde_json::Value;

use super::{Bounded, ListQuery, MAX_GET_KEYS, MAX_PAGE, Quota, StoreError, namespace::check_key};

/// Checks the keys of one read.
pub(crate) fn keys(keys: &[String]) -> Result<(), StoreError> {
    if keys.len() > MAX_GET_KEYS {
        return Err(StoreError::TooMany {
            what: Bounded::Keys,
            len: keys.len(),
            max: MAX_GET_KEYS,
        });
    }
    keys.iter().try_for_each(|key| check_key(key))
}

/// Checks a listing: the page size, the prefix's length, and that the
/// cursor lies inside the prefix.
pub(crate) fn list(query: &ListQuery) -> Result<(), StoreError> {
    if query.limit() > MAX_PAGE {
        return Err(StoreError::TooMany {
            what: Bounded::PageSize,
            len: query.limit(),
            max: MAX_PAGE,
        });
    }
    if !query.prefix().is_empty() {
        check_key(query.prefix())?;
    }
    if let Some(cursor) = query.cursor() {
        check_key(cursor)?;
        if !cursor.starts_with(query.prefix()) {
            return Err(StoreError::InvalidCursor {
                cursor: cursor.to_owned(),
                prefix: query.prefix().to_owned(),
            });
        }
    }
    Ok(())
}

/// A value's stored form: its JSON text, within the quota's value size.
pub(crate) fn encode(value: &Value, quota: &Quota) -> Result<Vec<u8>, StoreError> {
    if value.is_null() {
        return Err(StoreError::NullValue);
    }
    let bytes = serde_json::to_vec(value)
        .map_err(|e| StoreError::backend("encoding a value as JSON", e))?;
    let size = bytes.len() as u64;
    if size > quota.max_value_bytes() {
        return Err(StoreError::ValueTooLarge {
            size,
            max: quota.max_value_bytes(),
        });
    }
    Ok(bytes)
}

/// A stored value back as JSON.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::backend("decoding a stored value", e))
}
