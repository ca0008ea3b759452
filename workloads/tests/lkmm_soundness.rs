//! The kernel's mappings are sound for LKMM: for every C test of
//! `../shared/litmus/lkmm-corpus` whose condition LKMM forbids, the x86
//! compilation under `tso` and the arm64 compilation under `arm` forbid it too.
//! Also counted: tests LKMM allows but x86 (or arm64) forbids — where the
//! hardware is stronger than the kernel promises — and whether every final
//! state each compilation reaches is one LKMM allows.
//!
//! `cargo test` runs a representative subset (the kernel's tests, the irq_work
//! rows, every 8th other test); the whole corpus is one command:
//!
//! ```sh
//! LKMM_CORPUS=full cargo test --release -p workloads --test lkmm_soundness -- --nocapture
//! ```

use isa::litmus::c::{self, Mapping};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use workloads::litmus::outcomes_auto;

/// States one exhaustive search (a compiled test with loops) may visit.
const BOUND: u64 = 2_000_000;

fn litmus_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        d.join("lkmm-corpus/verdicts.tsv").is_file(),
        "the shared litmus corpus is missing: expected {}",
        d.join("lkmm-corpus/verdicts.tsv").display()
    );
    d
}

fn files() -> Vec<String> {
    let d = litmus_dir();
    let mut out = Vec::new();
    for (tsv, prefix) in [("lkmm-corpus/verdicts.tsv", "lkmm-corpus/"), ("verdicts.tsv", "")] {
        let text = std::fs::read_to_string(d.join(tsv)).expect("read verdicts");
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() >= 5 && f[1] == "C" && f[2] == "lkmm" {
                out.push(format!("{prefix}{}", f[0]));
            }
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    tests: usize,
    lkmm_forbids: usize,
    /// Tests with no LKMM execution at all: nothing to compare (herd7 7.57's
    /// lock.cat gives a `spin_is_locked()` after its own thread's `spin_unlock()`
    /// two rf sources, so such a test has 0 states; docs/lkmm.md).
    no_execution: Vec<String>,
    /// Per hardware model: refused (no mapping), bounded, checked forbids that hold.
    refused: [usize; 2],
    bounded: [usize; 2],
    sound: [usize; 2],
    unsound: Vec<String>,
    stronger: [Vec<String>; 2],
    /// Compilations reaching a final state LKMM does not allow.
    extra_states: [Vec<String>; 2],
}

#[test]
fn kernel_mappings_are_sound_for_lkmm() {
    let all = files();
    assert!(all.len() >= 1521, "expected 1,521 C tests, found {}", all.len());
    let full = std::env::var("LKMM_CORPUS").is_ok_and(|v| v == "full");
    let t0 = Instant::now();
    let mut t = Tally::default();
    let hw = [
        (sim::models::get("tso").expect("tso"), Mapping::X86, "x86/tso"),
        (sim::models::get("arm").expect("arm"), Mapping::Arm64, "arm64/arm"),
    ];
    for (i, file) in all.iter().enumerate() {
        let pick = full || file.starts_with("lkmm-corpus/kernel/") || !file.starts_with("lkmm-corpus/") || i % 8 == 0;
        if !pick {
            continue;
        }
        let src = std::fs::read_to_string(litmus_dir().join(file)).expect("read test");
        let lk = c::parse(&src, file, Mapping::Lkmm).unwrap_or_else(|e| panic!("{e}"));
        let lo =
            sim::lkmm::outcomes(&lk.program, &sim::lkmm::LkConfig::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let cond = lk.program.condition.as_ref().expect("condition");
        t.tests += 1;
        if lo.finals.is_empty() {
            t.no_execution.push(file.clone());
            continue;
        }
        let (pos, neg) = lo.counts();
        let lkmm_ok = cond.verdict(pos, neg);
        // For `exists`, forbidden means no final state satisfies the proposition.
        let forbids = cond.quant == isa::Quantifier::Exists && !lkmm_ok;
        t.lkmm_forbids += forbids as usize;
        let lk_states: BTreeSet<&Vec<u64>> = lo.finals.keys().collect();
        for (k, (model, mapping, name)) in hw.iter().enumerate() {
            let (mapping, name) = (*mapping, *name);
            let prog = match c::parse(&src, file, mapping) {
                Ok(p) => p.program,
                Err(e) if e.msg.contains("no instruction-level mapping") => {
                    t.refused[k] += 1;
                    continue;
                }
                Err(e) => panic!("{e}"),
            };
            let o = outcomes_auto(Arc::new(prog), model, BOUND).unwrap_or_else(|e| panic!("{file}: {e}"));
            if o.bounded.is_some() {
                t.bounded[k] += 1;
                continue;
            }
            if o.finals.iter().any(|(s, _)| !lk_states.contains(s)) {
                t.extra_states[k].push(file.clone());
            }
            if cond.quant != isa::Quantifier::Exists {
                continue;
            }
            match (forbids, o.ok) {
                (true, true) => t.unsound.push(format!("{file}: LKMM forbids, {name} allows")),
                (true, false) => t.sound[k] += 1,
                (false, false) => t.stronger[k].push(file.clone()),
                (false, true) => {}
            }
        }
    }
    println!(
        "LKMM soundness of the kernel's mappings on {} C tests{} ({:.1?}): LKMM forbids {}",
        t.tests,
        if full { " (full corpus)" } else { " (subset; LKMM_CORPUS=full for all)" },
        t0.elapsed(),
        t.lkmm_forbids
    );
    for f in &t.no_execution {
        println!("  no LKMM execution at all (herd7 7.57's lock.cat), not compared: {f}");
    }
    for (k, (_, _, name)) in hw.iter().enumerate() {
        println!(
            "  {name}: forbids all {} of those it could run ({} refused: RCU/SRCU have no instruction-level mapping; {} bounded); \
             stronger than LKMM on {} tests (LKMM allows, {name} forbids); final states outside LKMM's: {} tests",
            t.sound[k],
            t.refused[k],
            t.bounded[k],
            t.stronger[k].len(),
            t.extra_states[k].len()
        );
        for f in &t.extra_states[k] {
            println!("    {name} reaches a final state LKMM does not allow: {f}");
        }
    }
    for f in &t.stronger[0] {
        println!("  LKMM allows, x86 forbids: {f}");
    }
    assert!(t.tests >= 180, "only {} tests ran", t.tests);
    let unexplained: Vec<&String> = t
        .no_execution
        .iter()
        .filter(|f| !std::fs::read_to_string(litmus_dir().join(f)).expect("read test").contains("spin_is_locked"))
        .collect();
    assert!(unexplained.is_empty(), "C tests without any LKMM execution and no spin_is_locked(): {unexplained:?}");
    assert!(t.unsound.is_empty(), "the kernel's mappings are unsound for LKMM on:\n{}", t.unsound.join("\n"));
}
