//! One-line summaries of JSON Schemas, for the methods `inspect` lists:
//! `{a: integer, b?: string}`, `[integer]`, `string | null`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Nested objects and arrays deeper than this read `{…}` and `[…]`.
const MAX_DEPTH: usize = 3;

/// Longer summaries are cut, ending with `…`.
const MAX_CHARS: usize = 100;

/// The shape of the values `schema` accepts, on one line.
pub(crate) fn summary(schema: &Value) -> String {
    let text = summarize(schema, 0);
    if text.chars().count() <= MAX_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn summarize(schema: &Value, depth: usize) -> String {
    let map = match schema {
        Value::Object(map) => map,
        Value::Bool(false) => return "nothing".to_owned(),
        _ => return "any".to_owned(),
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(value) = map.get("const") {
        return value.to_string();
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return join(values.iter().map(Value::to_string), " | ");
    }
    for (key, separator) in [("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")] {
        if let Some(Value::Array(options)) = map.get(key) {
            return join(options.iter().map(|o| summarize(o, depth)), separator);
        }
    }
    match map.get("type") {
        Some(Value::String(kind)) => typed(kind, map, depth),
        Some(Value::Array(kinds)) => join(
            kinds
                .iter()
                .filter_map(Value::as_str)
                .map(|kind| typed(kind, map, depth)),
            " | ",
        ),
        _ if map.contains_key("properties") => object(map, depth),
        _ => "any".to_owned(),
    }
}

fn typed(kind: &str, map: &Map<String, Value>, depth: usize) -> String {
    match kind {
        "object" => object(map, depth),
        "array" => array(map, depth),
        other => other.to_owned(),
    }
}

/// `{a: integer, b?: string}`: optional properties end with `?`.
fn object(map: &Map<String, Value>, depth: usize) -> String {
    let Some(Value::Object(properties)) = map.get("properties") else {
        return match map.get("additionalProperties") {
            Some(values @ Value::Object(_)) if depth < MAX_DEPTH => {
                format!("{{string: {}}}", summarize(values, depth + 1))
            }
            _ => "object".to_owned(),
        };
    };
    if depth >= MAX_DEPTH {
        return "{…}".to_owned();
    }
    let required: BTreeSet<&str> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = properties.iter().map(|(name, schema)| {
        let optional = if required.contains(name.as_str()) {
            ""
        } else {
            "?"
        };
        format!("{name}{optional}: {}", summarize(schema, depth + 1))
    });
    format!("{{{}}}", join(fields, ", "))
}

/// `[integer]` for a list, `[string, integer]` for a tuple.
fn array(map: &Map<String, Value>, depth: usize) -> String {
    let tuple = match (map.get("prefixItems"), map.get("items")) {
        (Some(Value::Array(items)), _) | (None, Some(Value::Array(items))) => Some(items),
        _ => None,
    };
    let items = map.get("items").filter(|items| !items.is_array());
    if tuple.is_none() && items.is_none() {
        return "array".to_owned();
    }
    if depth >= MAX_DEPTH {
        return "[…]".to_owned();
    }
    match tuple {
        Some(items) => format!(
            "[{}]",
            join(items.iter().map(|i| summarize(i, depth + 1)), ", ")
        ),
        None => format!(
            "[{}]",
            items.map_or_else(|| "any".to_owned(), |i| summarize(i, depth + 1))
        ),
    }
}

fn join(parts: impl Iterator<Item = String>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn objects_arrays_and_unions_read_as_shapes() {
        let add = json!({
            "type": "object",
            "properties": {"a": {"type": "integer", "format": "int64"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        });
        assert_eq!(summary(&add), "{a: integer, b: integer}");
        let optional = json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["name"],
        });
        assert_eq!(summary(&optional), "{name: string, tags?: [string]}");
        assert_eq!(
            summary(&json!({"type": ["integer", "null"]})),
            "integer | null"
        );
        assert_eq!(
            summary(
                &json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]})
            ),
            "[string, number]"
        );
        assert_eq!(summary(&json!({"$ref": "#/$defs/Point"})), "Point");
        assert_eq!(summary(&json!({"enum": ["a", "b"]})), "\"a\" | \"b\"");
        assert_eq!(
            summary(&json!({"anyOf": [{"type": "string"}, {"type": "null"}]})),
            "string | null"
        );
        assert_eq!(summary(&json!(true)), "any");
        assert_eq!(summary(&json!({})), "any");
        assert_eq!(
            summary(&json!({"type": "object", "additionalProperties": {"type": "integer"}})),
            "{string: integer}"
        );
    }

    #[test]
    fn deep_and_long_schemas_are_cut() {
        let mut schema = json!({"type": "integer"});
        for _ in 0..5 {
            schema = json!({"type": "object", "properties": {"x": schema}, "required": ["x"]});
        }
        assert_eq!(summary(&schema), "{x: {x: {x: {…}}}}");
        let wide: Map<String, Value> = (0..40)
            .map(|i| (format!("field{i:02}"), json!({"type": "string"})))
            .collect();
        let text = summary(&json!({"type": "object", "properties": wide}));
        assert_eq!(text.chars().count(), MAX_CHARS);
        assert!(text.ends_with('…'), "{text}");
    }
}
