//! `weaksim litmus` prints herd7's result block as herd prints it: a person can
//! `diff` the two, and only `Time` and `Hash` lines differ (herd's hash is an MD5
//! of its own normal form of the test, ours a fingerprint of the program).
//!
//! The golden files in `tests/golden/herd/` are herd7's own output for
//! catalogue files (herdtools7's `herd/tests/instructions/{AArch64,X86_64}/*.expected`,
//! for litmus files identical to those in `../shared/litmus/catalogue`), under
//! herd's default model for the architecture: `aarch64.cat` (our `arm`) and
//! `x86tso.cat` (our `tso`).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn shared_catalogue() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/litmus/catalogue");
    assert!(
        d.join("verdicts.tsv").is_file(),
        "{} is missing: this test needs the shared litmus catalogue (../shared/litmus/catalogue beside the project)",
        d.display()
    );
    d
}

/// The text without its `Time` and `Hash` lines.
fn comparable(s: &str) -> String {
    s.lines().filter(|l| !l.starts_with("Time ") && !l.starts_with("Hash=")).map(|l| format!("{l}\n")).collect()
}

/// Every golden file of `arch` against `weaksim litmus --model model`; returns how many.
fn check(arch: &str, model: &str) -> usize {
    let cat = shared_catalogue();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/herd").join(arch);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&golden)
        .unwrap_or_else(|e| panic!("{}: {e}", golden.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expected"))
        .collect();
    files.sort();
    let mut bad = Vec::new();
    for g in &files {
        let name = g.file_stem().unwrap().to_string_lossy().to_string(); // `A01.litmus`
        let litmus = cat.join(arch).join(&name);
        let o =
            Command::cargo_bin("weaksim").unwrap().args(["litmus", "--model", model]).arg(&litmus).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let ours = comparable(&String::from_utf8_lossy(&o.stdout));
        let herd = comparable(&std::fs::read_to_string(g).unwrap());
        if ours != herd {
            bad.push(format!("--- {name}: herd7\n{herd}--- weaksim\n{ours}"));
        }
    }
    assert!(bad.is_empty(), "{} of {} files differ from herd7's output:\n{}", bad.len(), files.len(), bad.join("\n"));
    files.len()
}

#[test]
fn aarch64_output_is_herds() {
    let n = check("aarch64", "arm");
    assert!(n >= 30, "only {n} AArch64 golden files");
}

#[test]
fn x86_64_output_is_herds() {
    let n = check("x86_64", "tso");
    assert!(n >= 9, "only {n} X86_64 golden files");
}
