//! The JSON-RPC line parser both kits share (`Message::from_slice`):
//! never panics; whatever it accepts prints as one line that parses back to
//! the same message, exactly as serde would print it; and the fast path for
//! the kits' own line shape agrees with the general parser.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmi_plugin_protocol::{Message, MessageError};

fuzz_target!(|line: &[u8]| check(line));

fn check(line: &[u8]) {
    let parsed = Message::from_slice(line);

    // A leading space sends the same line to the general parser (the fast
    // path only takes lines that start exactly like the kits write them).
    let mut spaced = Vec::with_capacity(line.len() + 1);
    spaced.push(b' ');
    spaced.extend_from_slice(line);
    let general = Message::from_slice(&spaced);
    match (&parsed, &general) {
        (Ok(fast), Ok(general)) => assert_eq!(fast, general, "{:?}", String::from_utf8_lossy(line)),
        (Err(a), Err(b)) => assert_eq!(is_json(a), is_json(b), "{a} vs {b}"),
        _ => panic!(
            "the fast path and the general parser disagree on {:?}: {parsed:?} vs {general:?}",
            String::from_utf8_lossy(line)
        ),
    }
    if let Ok(text) = std::str::from_utf8(line) {
        assert_eq!(Message::parse(text).ok(), parsed.as_ref().ok().cloned());
    }

    let message = match parsed {
        Ok(message) => message,
        Err(error) => {
            let wire = error.to_rpc_error();
            assert!(wire.code == -32700 || wire.code == -32600, "{wire:?}");
            return;
        }
    };
    let printed = message.to_line();
    assert!(!printed.contains('\n'), "{printed:?}");
    let mut written = Vec::new();
    message.write_line(&mut written);
    assert_eq!(written, printed.as_bytes());
    assert_eq!(
        printed,
        serde_json::to_string(&message).unwrap(),
        "the envelope writer differs from serde"
    );
    let back =
        Message::parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse back: {e}"));
    assert_eq!(back, message, "{printed:?}");
}

fn is_json(error: &MessageError) -> bool {
    matches!(error, MessageError::Json(_))
}
