//! Operational ⇔ axiomatic on the public litmus catalog (`../shared/litmus`):
//! for every test that parses and every model, the final states the exhaustive
//! search reaches equal those of the consistent candidate executions, and each
//! reached final state's execution graph is consistent.
//!
//! The axiomatic side is also checked against herd7's own state counts and
//! verdicts (`verdicts.tsv`) where the catalog has them.

use sim::axiom::crosscheck::{crosscheck, Agreement};
use sim::axiom::enumerate::EnumConfig;
use sim::Model;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `../shared/litmus`: the tests fail here, with this message, when it is missing.
fn catalog() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        p.is_dir(),
        "{}: the shared litmus corpus is missing: the tests read ../shared/litmus next to the project (see README)",
        p.display()
    );
    p
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let dirs = std::fs::read_dir(root)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_else(|_| Vec::new());
    for d in dirs {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "litmus") {
                    v.push(e.path());
                }
            }
        }
    }
    v.sort();
    v
}

/// The models cross-checked: every registered model with both faces.
fn models() -> Vec<Model> {
    sim::models::all().into_iter().filter(|m| m.is_operational() && m.is_axiomatic()).collect()
}

fn run(prog: &Arc<isa::Program>, m: &Model) -> (Agreement, String) {
    let a = crosscheck(prog, m, 5_000_000, &EnumConfig::default());
    let diff = a.difference(prog);
    (a, diff)
}

fn check_one(root: &Path, rel: &str, model: &Model) -> Agreement {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let t = isa::litmus::parse(&text, rel).unwrap();
    let prog = Arc::new(t.program);
    let (a, diff) = run(&prog, model);
    assert!(a.agrees(), "{rel} on {model}: {diff}");
    a
}

/// A few classic shapes, each model: the sets agree.
#[test]
fn classic_shapes_agree() {
    let root = catalog();
    for rel in
        ["x86/SB.litmus", "x86/MP.litmus", "aarch64/MP+dmb.sys.litmus", "aarch64/LB.litmus", "aarch64/CoRR.litmus"]
    {
        for m in &models() {
            check_one(&root, rel, m);
        }
    }
}

/// The whole catalog, every model. Prints the agreement figures.
#[test]
fn catalog_agrees() {
    let root = catalog();
    let mut total = 0;
    let (mut agree, mut parsed, mut unparsed) = (0, 0, 0);
    let mut failures = Vec::new();
    for f in files(&root) {
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let Ok(t) = isa::litmus::parse(&text, &rel) else {
            unparsed += 1;
            continue;
        };
        parsed += 1;
        let prog = Arc::new(t.program);
        for m in &models() {
            total += 1;
            let (a, diff) = run(&prog, m);
            if a.agrees() {
                agree += 1;
            } else {
                failures.push(format!("{rel} [{m}]: {diff}"));
            }
        }
    }
    println!(
        "litmus catalog: {agree}/{total} (test, model) pairs agree ({parsed} tests parse, {unparsed} do not: Linux-kernel C)"
    );
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    // 233 of the catalog's first-level files are X86/AArch64 tests: a reader that finds none cannot pass.
    assert!(parsed >= 230, "only {parsed} litmus files parsed");
}

/// The axiomatic side alone against herd7 7.57 (`verdicts.tsv`): the same
/// number of distinct final states and the same verdict, for every row of a
/// test that parses, models sc, tso and arm — with herd's exact axioms
/// (`herd_strict`: without weaksim's `rmw ⊆ fr`, see `Checker::herd_strict`).
#[test]
fn axiomatic_matches_herd() {
    let root = catalog();
    let tsv = std::fs::read_to_string(root.join("verdicts.tsv")).expect("read verdicts.tsv");
    let (mut rows, mut ok) = (0, 0);
    let mut bad = Vec::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, _arch, model, verdict, states, ..] = cols[..] else { continue };
        if !["sc", "tso", "arm"].contains(&model) {
            continue;
        }
        let kind = sim::models::get(model).unwrap();
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let Ok(t) = isa::litmus::parse(&text, file) else { continue };
        let prog = Arc::new(t.program);
        rows += 1;
        let cfg = EnumConfig { herd_strict: true, ..EnumConfig::default() };
        let o = sim::axiom::enumerate::outcomes(&prog, kind.axioms().unwrap(), &cfg).expect(file);
        let pos = o.finals.values().filter(|h| **h).count();
        let c = prog.condition.as_ref().unwrap();
        let allowed = c.verdict(pos, o.finals.len() - pos);
        let got = if allowed { "allowed" } else { "forbidden" };
        if got == verdict && o.finals.len().to_string() == states {
            ok += 1;
        } else {
            bad.push(format!("{file} [{model}]: herd {verdict}/{states}, axiomatic {got}/{}", o.finals.len()));
        }
    }
    println!("herd7 rows: {ok}/{rows} verdicts and state counts match");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(rows >= 460, "only {rows} rows of verdicts.tsv checked (466 X86/AArch64 rows)");
}
