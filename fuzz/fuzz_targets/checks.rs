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
    let _ = weaksim::sweeps::output::read_output(&out);
    // A journal whose header parses is read against that header, so its unit lines are parsed too.
    let text = String::from_utf8_lossy(data);
    if let Some(first) = text.lines().next() {
        if let Ok(h) = serde_json::from_str::<weaksim::sweeps::journal::JournalHeader>(first) {
            let _ = weaksim::sweeps::journal::read_journal(&out, &h);
        }
    }
}

/// The fixed tests a fuzzed litmus condition is put in: x86 (`exists ...`)
/// and C (which also reads herd's `filter`), each with two threads, a
/// register per thread and two locations.
const COND_X86: &str = "X86 cond\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\n";
const COND_C: &str = "C cond\n{ x=0; y=0; }\nP0(int *x, int *y) { WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y); }\nP1(int *x, int *y) { WRITE_ONCE(*y, 1); int r0 = READ_ONCE(*x); }\n";

/// The litmus condition parser (`exists`, `~exists`, `forall`, `locations`,
/// `filter`; `/\`, `\/`, `~`, `not`, parentheses) never panics or overflows
/// the stack on any condition text; a test whose condition parses prints as
/// .ucode that assembles back with the same code, and runs.
pub fn litmus_cond(data: &[u8]) {
    litmus_cond_parses(data);
}

/// [`litmus_cond`], saying how many of the two tests the condition parsed in.
pub fn litmus_cond_parses(data: &[u8]) -> usize {
    let Ok(cond) = std::str::from_utf8(data) else { return 0 };
    let mut parsed = 0;
    for head in [COND_X86, COND_C] {
        let text = format!("{head}{cond}\n");
        let Ok(t) = isa::litmus::parse_with(&text, "cond.litmus", isa::litmus::c::Mapping::X86) else { continue };
        parsed += 1;
        let printed = isa::asm::print(&t.program);
        let back =
            isa::asm::parse(&printed, "printed.ucode").expect("a test with a parsed condition prints as valid .ucode");
        assert_eq!(back.code, t.program.code);
        run_bounded(t.program, data.len() as u64);
    }
    parsed
}

/// A small sweep's journal header (2 cells × 4 chunks of 10 seeds, shard 1/2 or none).
fn journal_header(shard: Option<&str>) -> weaksim::sweeps::journal::JournalHeader {
    let model = |n: &str| sim::models::get(n).expect("a model");
    let spec = weaksim::sweeps::SweepSpec {
        workload: weaksim::sweeps::Workload::IrqWork,
        variants: vec!["busy-xchg".parse().expect("a variant")],
        models: vec![model("sc"), model("tso")],
        cores: vec![2],
        programs: Vec::new(),
        seeds: [0, 40],
        scheduler: sim::SchedKind::Random,
        writes: 1,
        max_steps: 1000,
        chunk: 10,
        timing_file: None,
        timing: None,
        grid: Vec::new(),
    };
    weaksim::sweeps::journal::JournalHeader::new(&spec, shard.map(String::from))
}

/// The journal loader used by `--resume` never panics on any unit lines
/// after a valid header; what it accepts is consistent (each unit once, its
/// own cell and seeds, no more violations than runs), so assembling the
/// sweep's output from it succeeds.
pub fn journal(data: &[u8]) {
    journal_units(data);
}

/// [`journal`], saying how many units the loader accepted (`None`: refused).
pub fn journal_units(data: &[u8]) -> Option<usize> {
    // A file of its own per call: the regression tests call this from several threads.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("weaksim-fuzz-journal-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("o{n}.json.journal"));
    // The first byte picks the shard, the rest are the unit lines.
    let (shard, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 1 => (Some("1/2"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let header = journal_header(shard);
    let mut text = serde_json::to_vec(&header).expect("a header serialises");
    text.push(b'\n');
    text.extend_from_slice(body);
    std::fs::write(&path, &text).ok()?;
    let read = weaksim::sweeps::journal::read_journal(&path, &header);
    let _ = std::fs::remove_file(&path);
    let (units, len) = read.ok()??;
    assert!(len as usize <= text.len());
    let mut ids: Vec<u64> = units.iter().map(|u| u.unit).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), units.len(), "a unit accepted twice");
    for u in &units {
        assert!(u.violations <= u.runs && u.runs == u.seeds[1] - u.seeds[0], "{u:?}");
        if shard.is_some() {
            assert_eq!(u.unit % 2, 0, "a unit of another shard accepted: {u:?}");
        }
    }
    let parts = weaksim::sweeps::output::unit_parts(&header.sweep, &units).expect("accepted units make cells");
    weaksim::sweeps::output::assemble(&header.sweep, shard.map(String::from), &parts).expect("accepted units assemble");
    Some(units.len())
}
