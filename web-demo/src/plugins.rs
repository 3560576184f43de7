//! The test plugins, embedded for the demo page and the tests.

use wasm_bindgen::prelude::wasm_bindgen;

/// The well-behaved test plugin (`ping`, `echo`, `add`, `sieve`,
/// `many_echo`, `call_host`, `log`, `sleep`, `fail`, ...), as wasm bytes.
#[wasm_bindgen(js_name = testPlugin)]
pub fn test_plugin() -> Vec<u8> {
    test_plugin_artifacts::TEST_PLUGIN.to_vec()
}

/// The misbehaving test plugin (`loop`, `alloc`, `panic`, `exit`, ...), as
/// wasm bytes.
#[wasm_bindgen(js_name = misbehavingPlugin)]
pub fn misbehaving_plugin() -> Vec<u8> {
    test_plugin_artifacts::MISBEHAVING_PLUGIN.to_vec()
}
