//! Parsers for command-line values: durations, byte sizes, `KEY=VALUE`
//! pairs and JSON. Each returns a one-line message clap shows as a usage error.

use core::time::Duration;

use serde_json::Value;

/// Reads a duration such as `500ms`, `2s`, `1.5s`, `1m` or `1h`; a bare
/// number is seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 500ms, 2s, 1m)"))?;
    let seconds_per_unit = match unit.trim() {
        "ms" => 0.001,
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in `{text}` (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(number * seconds_per_unit)
        .map_err(|_| format!("`{text}` is out of range for a duration"))
}

/// Reads a byte count with an optional binary suffix: `65536`, `512K`,
/// `64M`, `1G` (also `KiB`, `MB` and the like, all powers of 1024).
pub(crate) fn parse_bytes(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: usize = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size in bytes (try 65536, 512K, 64M, 1G)"))?;
    let shift = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "unknown size suffix `{suffix}` in `{text}` (use K, M or G)"
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Reads `KEY=VALUE` (the value may be empty or contain `=`).
pub(crate) fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
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
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("2 weeks").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("65536"), Ok(65536));
        assert_eq!(parse_bytes("512K"), Ok(512 << 10));
        assert_eq!(parse_bytes("64M"), Ok(64 << 20));
        assert_eq!(parse_bytes("1g"), Ok(1 << 30));
        assert_eq!(parse_bytes("16MiB"), Ok(16 << 20));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("5X").is_err());
        assert!(parse_bytes("99999999999999999999G").is_err());
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
