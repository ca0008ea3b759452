// The properties the fuzz targets check, shared with the workspace test
// `tests/fuzz_regressions.rs`, which runs them on every seed and every saved
// crash input as an ordinary test.
#![allow(dead_code)]
use memmodels::{MemoryModel, Sc, Tso};
use sim::{run, Machine, RandomScheduler, Trace};
use std::sync::Arc;

fn steps<M: MemoryModel>(p: &Arc<isa::Program>, m: M, seed: u64) {
    let mut machine = Machine::new(p.clone(), m);
    let _ = run(&mut machine, &mut RandomScheduler::new(seed), 2_000, false, true);
    let enabled = machine.enabled();
    let _ = machine.violation(enabled.is_empty());
    for t in enabled.iter().take(4) {
        let _ = machine.label(*t);
    }
}

/// Runs a program a bounded number of random steps under SC and TSO.
pub fn run_bounded(p: isa::Program, seed: u64) {
    if p.validate().is_err() {
        return;
    }
    let p = Arc::new(p);
    steps(&p, Sc, seed);
    steps(&p, Tso, seed);
}

/// The .ucode assembler never panics; a program that assembles prints to text
/// that assembles to the same program (labels aside), and runs without panicking.
pub fn ucode(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(p) = isa::asm::parse(text, "fuzz.ucode") else { return };
    let printed = isa::asm::print(&p);
    let back = isa::asm::parse(&printed, "printed.ucode").expect("printed program must assemble");
    // Printing may add labels for unlabelled targets; everything else is identical.
    assert_eq!(back.code, p.code);
    assert_eq!(back.symbols, p.symbols);
    assert_eq!(back.cores, p.cores);
    assert_eq!(back.condition, p.condition);
    assert_eq!(isa::asm::print(&back), printed, "printing is stable");
    run_bounded(p, data.len() as u64);
}

/// The .litmus importer never panics; an imported test prints as .ucode that
/// assembles back to the same code, and runs without panicking.
pub fn litmus(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(t) = isa::litmus::parse(text, "fuzz.litmus") else { return };
    let printed = isa::asm::print(&t.program);
    let back = isa::asm::parse(&printed, "printed.ucode").expect("an imported test prints as valid .ucode");
    assert_eq!(back.code, t.program.code);
    run_bounded(t.program, data.len() as u64);
}

fn replay<M: MemoryModel>(t: &Trace, m: M) {
    let mut m = Machine::new(Arc::new(t.program.clone()), m);
    for s in &t.steps {
        if m.apply(s.t).is_err() {
            break;
        }
    }
    let enabled = m.enabled();
    let _ = m.violation(enabled.is_empty());
}

/// The trace loader never panics; a trace that loads replays step by step
/// (a step that is not enabled is an error, not a crash).
pub fn trace(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(t) = Trace::from_json(text, "fuzz.json") else { return };
    match t.model.as_str() {
        "sc" => replay(&t, Sc),
        _ => replay(&t, Tso),
    }
}
