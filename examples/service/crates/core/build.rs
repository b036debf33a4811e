//! Records the target triple the crate is compiled for, so every binary can print it.
use std::env;

fn main() {
    let target = env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=SERVICE_BUILD_TARGET={}", target);
    println!("cargo:rerun-if-changed=build.rs");
}
