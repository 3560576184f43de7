//! Parsers for command-line values: limits (read by the host kit's own
//! rules, [`LimitsOverlay`]), `KEY=VALUE` pairs and JSON. Each returns a
//! one-line message clap shows as a usage error.

use serde_json::{Value, json};
use wasmi_hdk::{Dialect, Error, LimitsOverlay};

/// The parser of limit flag `field` (a [`LimitsOverlay`] field name): the
/// value as the kit reads it in a manifest or JavaScript, into an overlay
/// with that one field.
pub(crate) fn limit(
    field: &'static str,
) -> impl Fn(&str) -> Result<LimitsOverlay, String> + Clone + Send + Sync + 'static {
    move |text| {
        LimitsOverlay::from_json(json!({ field: text })).map_err(|error| match error {
            Error::InvalidOptions { reason, .. } => reason,
            other => other.to_string(),
        })
    }
}

/// Reads a wire dialect's name (`jsonrpc`, `framework-0.1`).
pub(crate) fn parse_dialect(text: &str) -> Result<Dialect, String> {
    Dialect::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
        format!("`{text}` is not a dialect ({})", names.join(" or "))
    })
}

/// Reads `KEY=VALUE` (the value may be empty or contain `=`).
pub(crate) fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

/// The quota of a `--scratch` directory given without one.
pub(crate) const DEFAULT_SCRATCH_QUOTA: u64 = 16 << 20;

/// Reads `GUEST[=QUOTA]`, as `--scratch` takes it (the quota in bytes or
/// with K, M, G; [`DEFAULT_SCRATCH_QUOTA`] without one).
pub(crate) fn parse_scratch(text: &str) -> Result<(String, u64), String> {
    let (guest, quota) = match text.split_once('=') {
        Some((guest, quota)) => {
            let bytes = wasmi_hdk::units::parse_bytes(quota).map_err(|e| e.to_string())?;
            (guest, u64::try_from(bytes).unwrap_or(u64::MAX))
        }
        None => (text, DEFAULT_SCRATCH_QUOTA),
    };
    if guest.is_empty() {
        return Err(format!("`{text}` names no guest directory (GUEST[=QUOTA])"));
    }
    Ok((guest.to_owned(), quota))
}

/// Reads `METHOD=JSON`, as `--mock` takes it.
pub(crate) fn parse_mock(text: &str) -> Result<(String, Value), String> {
    let Some((method, json)) = text.split_once('=') else {
        return Err(format!("`{text}` is not METHOD=JSON"));
    };
    if method.is_empty() {
        return Err(format!("`{text}` names no method"));
    }
    let value = parse_json(json).map_err(|e| format!("the result for `{method}` {e}"))?;
    Ok((method.to_owned(), value))
}

/// Reads `METHOD` or `METHOD=PARAMS_JSON`, as `check --call` takes it.
pub(crate) fn parse_call(text: &str) -> Result<(String, Value), String> {
    match text.split_once('=') {
        None if !text.is_empty() => Ok((text.to_owned(), Value::Null)),
        Some((method, json)) if !method.is_empty() => {
            let params = parse_json(json).map_err(|e| format!("the params of `{method}` {e}"))?;
            Ok((method.to_owned(), params))
        }
        _ => Err(format!("`{text}` is not METHOD or METHOD=PARAMS_JSON")),
    }
}

/// Parses JSON, with an error that reads after "the params ...": `is not
/// valid JSON (...)`, and a hint when the text looks like a bare string.
pub(crate) fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        let hint = if text.trim_start().starts_with(['"', '[', '{']) {
            String::new()
        } else {
            format!(" (a string needs JSON quotes: '\"{}\"')", text.trim())
        };
        format!("is not valid JSON: {e}{hint}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_the_kit_reads_them() {
        let limit = |field, text| limit(field)(text);
        let limits = |o: LimitsOverlay| o.apply(&wasmi_hdk::Limits::default());
        assert_eq!(
            limits(limit("timeout", "1.5s").unwrap()).timeout(),
            Some(core::time::Duration::from_millis(1500))
        );
        assert_eq!(
            limits(limit("timeout", "unlimited").unwrap()).timeout(),
            None
        );
        assert_eq!(
            limits(limit("max_memory", "64M").unwrap()).max_memory(),
            64 << 20
        );
        assert_eq!(limits(limit("fuel", "1000").unwrap()).fuel(), Some(1000));
        assert_eq!(
            limits(limit("fuel_slice", "500").unwrap()).fuel_slice(),
            500
        );
        assert!(limit("timeout", "3").unwrap_err().contains("no unit"));
        assert!(limit("max_memory", "lots").is_err());
        assert!(limit("fuel", "-3").is_err());
    }

    #[test]
    fn pairs_mocks_and_calls() {
        assert_eq!(
            parse_key_value("A=b=c"),
            Ok(("A".to_owned(), "b=c".to_owned()))
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
        let (method, value) = parse_mock("x.y={\"k\":1}").unwrap();
        assert_eq!(
            (method.as_str(), value),
            ("x.y", serde_json::json!({"k": 1}))
        );
        assert!(parse_mock("x.y=nope").unwrap_err().contains("JSON quotes"));
        assert!(parse_mock("x.y").is_err());
        assert_eq!(parse_call("ping"), Ok(("ping".to_owned(), Value::Null)));
        assert_eq!(
            parse_call("sieve=100"),
            Ok(("sieve".to_owned(), serde_json::json!(100)))
        );
        assert!(parse_call("").is_err());
    }
}
