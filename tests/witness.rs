//! `weaksim litmus --witness` says an outcome is "consistent with" the model's
//! axiomatic face only when the axiomatic checker, run here on its own over the
//! same witness, accepts it (and says "NOT consistent" when it does not): the
//! claim is checked, not asserted. Over the catalogue's AArch64 tests herd7
//! allows under aarch64.cat (and the X86 ones under x86tso.cat).

use assert_cmd::Command;
use sim::axiom::crosscheck::consistent;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn catalogue() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/litmus/catalogue");
    assert!(
        d.join("verdicts.tsv").is_file(),
        "{} is missing: this test needs the shared litmus catalogue (../shared/litmus/catalogue beside the project)",
        d.display()
    );
    d
}

/// The checker's own answer for the witness of `file` under `model`: `None`
/// when the test does not run or has no witness.
fn checker_says(file: &Path, model: &str) -> Option<bool> {
    let src = std::fs::read_to_string(file).ok()?;
    let t = isa::litmus::parse(&src, &file.display().to_string()).ok()?;
    let m = sim::models::get(model).unwrap();
    let machine = m.machine(Arc::new(t.program.clone())).unwrap();
    let o = workloads::litmus::outcomes(&*machine, 1_000_000);
    let w = o.witness.as_ref()?;
    if o.bounded.is_some() || o.problem.is_some() {
        return None;
    }
    let machine = machine.with_promise_mode(o.promise_mode);
    let (_, verdict) = consistent(&*machine, w, m.axioms().unwrap()).unwrap();
    Some(verdict.is_ok())
}

fn check(arch_dir: &str, model: &str, at_least: usize) {
    let dir = catalogue();
    let rows = std::fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    let files: Vec<&str> = rows
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0].starts_with(arch_dir) && f[2] == model && f[3] == "allowed" && f[5].starts_with("exists"))
        .map(|f| f[0])
        .take(60)
        .collect();
    let mut checked = 0;
    for f in files {
        let path = dir.join(f);
        let Some(ok) = checker_says(&path, model) else { continue };
        let o = Command::cargo_bin("weaksim")
            .unwrap()
            .args(["litmus", "--model", model, "--witness"])
            .arg(&path)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        let line = out.lines().find(|l| l.starts_with("Axiomatic check:")).unwrap_or_else(|| panic!("{f}: {out}"));
        let claims = line.starts_with("Axiomatic check: consistent with");
        assert_eq!(claims, ok, "{f}: the CLI says {line:?}, the checker says consistent = {ok}");
        assert_eq!(!claims, line.starts_with("Axiomatic check: NOT consistent"), "{f}: {line}");
        checked += 1;
    }
    assert!(checked >= at_least, "only {checked} witnesses checked");
}

#[test]
fn aarch64_witness_claims_are_the_checkers() {
    check("aarch64/", "arm", 30);
}

#[test]
fn x86_witness_claims_are_the_checkers() {
    check("x86/", "tso", 4);
}
