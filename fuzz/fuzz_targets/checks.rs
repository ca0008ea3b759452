// The properties the fuzz targets check, shared with the workspace test
// `tests/fuzz_regressions.rs`, which runs them on every seed and every saved
// crash input as an ordinary test.
#![allow(dead_code)]
use memmodels::{MemoryModel, Sc, Tso};
use sim::{run, Machine, RandomScheduler, TimingModel, Trace};
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

fn replay(t: &Trace, mut m: sim::AnyMachine) {
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
    // The trace's model, unless it has promises (certifying them is too slow for
    // fuzzing) or is unknown: then TSO stands in.
    let prog = Arc::new(t.program.clone());
    let own = sim::models::find(&t.model).and_then(|m| m.machine(prog.clone()).ok()).filter(|m| !m.has_promises());
    if let Some(m) = own.or_else(|| sim::models::find("tso")?.machine(prog).ok()) {
        replay(&t, m);
    }
}

/// The timing-model loader never panics; a model that loads prints as TOML that
/// loads to the same model, and drives a short timed run.
pub fn timing(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for file in ["fuzz.toml", "fuzz.json"] {
        let Ok(t) = TimingModel::parse(text, file) else { continue };
        let back = TimingModel::parse(&t.to_toml(), "back.toml").expect("a printed timing model loads");
        assert_eq!(back, t, "print -> parse is the identity");
        let p = Arc::new(isa::asm::parse(SB, "sb.ucode").expect("the built-in program assembles"));
        let mut m = Machine::new(p, Tso);
        let _ = sim::run_timed(&mut m, &mut sim::TimedScheduler::new(data.len() as u64, t), 500, false);
    }
}

const SB: &str = "sym x\nsym y\ncore 0 start=P0\ncore 1 start=P1\nP0:\n    store [x], 1\n    load r1, [y]\n    halt\nP1:\n    store [y], 1\n    load r1, [x]\n    halt\n";

/// The sweep loaders used by `merge` and `--resume` never panic on any file:
/// a sweep output (JSON) and a journal (a header line, then one unit per line).
pub fn sweep(data: &[u8]) {
    let dir = std::env::temp_dir().join(format!("weaksim-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let out = dir.join("out.json");
    if std::fs::write(&out, data).is_err() {
        return;
    }
    let _ = weaksim::cmd::cells::read_output(&out);
    // A journal whose header parses is read against that header, so its unit lines are parsed too.
    let text = String::from_utf8_lossy(data);
    if let Some(first) = text.lines().next() {
        if let Ok(h) = serde_json::from_str::<weaksim::cmd::journal::JournalHeader>(first) {
            let _ = weaksim::cmd::journal::read_journal(&out, &h);
        }
    }
}
