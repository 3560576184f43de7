//! # mobile-demo-ffi: the library an app links
//!
//! A thin artifact crate on top of [`mobile_demo`]: it builds the
//! `libwasmi_mobile.a` static library (iOS, Android) and the
//! `libwasmi_mobile.so` / `.dylib` shared library (desktop tests, and the
//! input of `uniffi-bindgen generate --library`). All logic and the UniFFI
//! scaffolding live in `mobile_demo`; this crate only links it in, so its
//! exported `extern "C"` functions end up in both libraries.

pub use mobile_demo;
