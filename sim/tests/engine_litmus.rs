//! The graph engine (`sim::engine`) against the axiomatic candidate enumeration
//! (`sim::axiom::enumerate`, herd's method) with the same checker: for every
//! litmus test of `../shared/litmus` that parses and each of SC, TSO and ARM,
//! the same set of final states and the same condition verdict per state.

use sim::axiom::enumerate::{outcomes, EnumConfig};
use sim::engine::{explore, GraphConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn catalog() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(p.is_dir(), "{}: the shared litmus corpus is missing (see README)", p.display());
    p
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(root).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for d in dirs {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "litmus") {
                v.push(e.path());
            }
        }
    }
    v.sort();
    v
}

/// Compares the two on one program: Err when the enumeration cannot answer
/// (nothing to compare), Ok(None) when they agree, else the difference.
pub fn compare(prog: &Arc<isa::Program>, model: &str) -> Result<Option<String>, String> {
    let m = sim::models::get(model).unwrap();
    let ax = m.axioms().unwrap();
    let want = match outcomes(prog, ax, &EnumConfig::default()) {
        Ok(o) => o,
        Err(e) => return Err(e.to_string()),
    };
    let cfg = GraphConfig { stop_on_violation: false, ..GraphConfig::default() };
    let got = match explore(prog, ax, &cfg) {
        Ok(g) => g,
        Err(e) => return Ok(Some(format!("graph engine refused: {e}"))),
    };
    if got.bound.is_some() {
        return Ok(Some(format!("graph engine bounded: {:?}", got.bound)));
    }
    let g: std::collections::BTreeMap<Vec<u64>, bool> = got.finals.iter().map(|(k, (h, _))| (k.clone(), *h)).collect();
    if g == want.finals {
        return Ok(None);
    }
    let text = |f: &Vec<u64>| sim::check::final_state_text(prog, f);
    let only_g: Vec<String> = g.keys().filter(|k| !want.finals.contains_key(*k)).map(text).collect();
    let only_a: Vec<String> = want.finals.keys().filter(|k| !g.contains_key(*k)).map(text).collect();
    Ok(Some(format!("only graph engine: {only_g:?}; only enumeration: {only_a:?}")))
}

#[test]
fn litmus_catalog_agrees() {
    let root = catalog();
    let (mut parsed, mut pairs, mut skipped) = (0, 0, 0);
    let mut bad = Vec::new();
    for f in files(&root) {
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let Ok(t) = isa::litmus::parse(&text, &rel) else { continue };
        parsed += 1;
        let prog = Arc::new(t.program);
        for model in ["sc", "tso", "arm"] {
            match compare(&prog, model) {
                Err(_) => skipped += 1,
                Ok(None) => pairs += 1,
                Ok(Some(d)) => {
                    pairs += 1;
                    bad.push(format!("{rel} [{model}]: {d}"));
                }
            }
        }
    }
    println!(
        "graph engine vs enumeration: {}/{pairs} (test, model) pairs agree over {parsed} tests ({skipped} pairs the enumeration cannot answer)",
        pairs - bad.len()
    );
    assert!(parsed >= 230, "only {parsed} litmus files parsed");
    assert!(pairs >= 680, "only {pairs} pairs compared");
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad.join("\n"));
}
