//! Fuzz target: the sweep journal loader behind --resume (see checks.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::journal(data));
