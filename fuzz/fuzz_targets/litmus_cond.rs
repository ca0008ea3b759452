//! Fuzz target: the litmus condition parser (see checks.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::litmus_cond(data));
