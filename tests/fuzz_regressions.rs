//! The fuzz targets' properties (fuzz/fuzz_targets/checks.rs) on every seed in
//! fuzz/seeds and every input that once crashed a target (fuzz/regressions),
//! as ordinary tests, so they run even where cargo-fuzz cannot.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            out.push((f.display().to_string(), std::fs::read(&f).unwrap()));
        }
    }
    out
}

fn check(target: &str, f: fn(&[u8])) {
    let ins = inputs(target);
    assert!(!ins.is_empty(), "no inputs for {target}");
    for (name, data) in &ins {
        let r = std::panic::catch_unwind(|| f(data));
        assert!(r.is_ok(), "{target}: {name} panics");
    }
}

#[test]
fn ucode_inputs() {
    check("ucode", checks::ucode);
}

#[test]
fn litmus_inputs() {
    check("litmus", checks::litmus);
}

#[test]
fn trace_inputs() {
    check("trace", checks::trace);
}

#[test]
fn timing_inputs() {
    check("timing", checks::timing);
}

#[test]
fn sweep_inputs() {
    check("sweep", checks::sweep);
}

#[test]
fn litmus_cond_inputs() {
    check("litmus_cond", checks::litmus_cond);
}

#[test]
fn journal_inputs() {
    check("journal", checks::journal);
}

/// The new targets' seeds reach past the error paths: each condition parses
/// in one of the fixed tests, and the journal seeds are accepted.
#[test]
fn litmus_cond_and_journal_seeds_are_valid() {
    for (name, data) in inputs("litmus_cond").iter().filter(|(n, _)| n.contains("/seeds/")) {
        assert!(checks::litmus_cond_parses(data) >= 1, "{name} parses in neither test");
    }
    let seeds: std::collections::BTreeMap<String, Option<usize>> = inputs("journal")
        .iter()
        .map(|(n, d)| (n.rsplit('/').next().unwrap().to_string(), checks::journal_units(d)))
        .collect();
    assert_eq!(seeds["whole.jsonl"], Some(8));
    assert_eq!(seeds["shard.jsonl"], Some(4));
    assert_eq!(seeds["cut.jsonl"], Some(3), "a line cut short is dropped");
}
