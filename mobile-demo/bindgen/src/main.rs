//! `uniffi-bindgen` for `mobile-demo`: generates Swift, Kotlin and Python
//! bindings from the built library (`generate --library <lib> --language <lang>`).
//!
//! Kept in its own crate so the bindgen machinery never builds for a phone.

fn main() {
    uniffi::uniffi_bindgen_main()
}
