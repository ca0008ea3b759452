//! The model seam, proven from outside: a toy memory model written in this test
//! alone — PSO (partial store order, SPARC's weaker sibling of TSO), with an
//! operational face and an axiomatic face — registered at run time, then run
//! through everything a built-in model goes through: exhaustive search, random
//! and timed runs, the axiomatic cross-check on litmus shapes and generated
//! programs, and explanations. Nothing outside this file knows it exists.
//!
//! PSO as modelled here: each core buffers its stores (forwarding to its own
//! loads), and a buffered store may reach memory before an older buffered store
//! to *another* word (stores to one word drain in order), so W→W may reorder;
//! loads stay in order. Locked RMWs, store-exclusives and fences wait for the
//! core's buffer to drain (a store fence is as strong as a full fence here:
//! simpler than SPARC's STBAR, and still sound).

use isa::FenceKind;
use memmodels::axiom::{
    atomic_ext, fence_between, only, po_mem, remedy_common, rmw_order, Axiomatic, CheckOptions, Checker, Com, Failure,
};
use memmodels::exclusive::store_exclusive_options;
use memmodels::graph::{Event, EventId, Execution, Kind};
use memmodels::rel::Rel;
use memmodels::sc::{flat_perform, flat_preview, FlatMemory};
use memmodels::{
    Blocked, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, NoPromises, Pending, Preview, Request, Response,
    Source, Val,
};
use sim::axiom::crosscheck::crosscheck;
use sim::axiom::enumerate::EnumConfig;
use sim::axiom::gen::GenProgram;
use sim::models::{Model, Operational};
use sim::{ExploreConfig, RunEnd, SchedKind, TimingModel, Verdict};
use std::sync::{Arc, Once};

static INFO: ModelInfo = ModelInfo {
    name: "pso",
    aliases: &["toy-pso"],
    title: "PSO (toy)",
    description: "partial store order: per-core store buffers that drain each word in order, words in any order",
    axioms: "TSO's axioms without store → store order (this test)",
    c_mapping: isa::litmus::c::Mapping::X86,
};

// ---------------------------------------------------------------- operational

#[derive(Clone, Copy, Debug, Default)]
struct Pso;

/// A core's buffered stores `(word, value)`, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Buffer(Vec<(u32, u64)>);

impl Buffer {
    fn forward(&self, loc: Loc) -> Option<u64> {
        self.0.iter().rev().find(|e| e.0 as usize == loc).map(|e| e.1)
    }
    /// Whether entry `i` is its word's oldest (the ones that may drain).
    fn drains(&self, i: usize) -> bool {
        !self.0[..i].iter().any(|e| e.0 == self.0[i].0)
    }
}

impl MemoryModel for Pso {
    type Meta = ();
    type Core = Buffer;
    type Shared = FlatMemory;
    type Promises = NoPromises;

    fn info(&self) -> &'static ModelInfo {
        &INFO
    }
    fn new_shared(&self, init: &[u64], cores: usize) -> FlatMemory {
        FlatMemory::new(init, cores)
    }
    fn new_core(&self, _: usize) -> Buffer {
        Buffer::default()
    }

    fn options(&self, s: &FlatMemory, bufs: &[Buffer], core: usize, req: &Request<()>) -> Result<u16, Blocked> {
        let waits = match *req {
            Request::Rmw { .. } | Request::Store { exclusive: true, .. } => true,
            Request::Fence(k) => matches!(k, FenceKind::Full | FenceKind::StoreStore),
            _ => false,
        };
        if waits && !bufs[core].0.is_empty() {
            return Err(Blocked::StoreBufferNotEmpty { entries: bufs[core].0.len() });
        }
        Ok(match *req {
            Request::Store { loc, exclusive: true, .. } => store_exclusive_options(&s.monitors, core, loc),
            _ => 1,
        })
    }

    fn preview(&self, s: &FlatMemory, bufs: &[Buffer], core: usize, req: &Request<()>, choice: u16) -> Preview {
        match *req {
            Request::Load { loc, .. } => match bufs[core].forward(loc) {
                Some(v) => Preview { read: Some(v), source: Source::OwnBuffer, wrote: None, buffered: false },
                None => flat_preview(&s.mem, &s.monitors, core, req, choice),
            },
            Request::Store { val, exclusive: false, .. } => {
                Preview { read: None, source: Source::Memory, wrote: Some(val.v), buffered: true }
            }
            _ => flat_preview(&s.mem, &s.monitors, core, req, choice),
        }
    }

    fn perform(
        &self,
        s: &mut FlatMemory,
        bufs: &mut [Buffer],
        core: usize,
        req: &Request<()>,
        choice: u16,
    ) -> Response<()> {
        match *req {
            Request::Load { loc, exclusive, .. } => match bufs[core].forward(loc) {
                Some(v) => {
                    if exclusive {
                        s.monitors.reserve(core, loc);
                    }
                    Response::Value(Val::plain(v))
                }
                None => flat_perform(&mut s.mem, &mut s.monitors, core, req, choice),
            },
            Request::Store { loc, val, exclusive: false, .. } => {
                bufs[core].0.push((loc as u32, val.v));
                Response::Done
            }
            _ => flat_perform(&mut s.mem, &mut s.monitors, core, req, choice),
        }
    }

    /// Each word's oldest entry may drain; `id` is its index in the buffer.
    fn internal(&self, _: &FlatMemory, bufs: &[Buffer], out: &mut Vec<Internal>) {
        for (core, b) in bufs.iter().enumerate() {
            for i in 0..b.0.len() {
                if b.drains(i) {
                    out.push(Internal { core, id: i as u16 });
                }
            }
        }
    }

    fn apply_internal(&self, s: &mut FlatMemory, bufs: &mut [Buffer], step: Internal) -> InternalEffect {
        let (loc, val) = bufs[step.core].0.remove(step.id as usize);
        let loc = loc as usize;
        s.mem[loc] = val;
        s.monitors.written(step.core, loc);
        InternalEffect::Drained { loc, val }
    }

    fn quiescent(&self, _: &FlatMemory, bufs: &[Buffer]) -> bool {
        bufs.iter().all(|b| b.0.is_empty())
    }
    fn memory(&self, s: &FlatMemory, loc: Loc) -> u64 {
        s.mem[loc]
    }
    fn pending(&self, _: &FlatMemory, bufs: &[Buffer], core: usize) -> Vec<Pending> {
        bufs[core].0.iter().map(|&(loc, val)| Pending { loc: loc as usize, val, note: String::new() }).collect()
    }
}

// ---------------------------------------------------------------- axiomatic

/// TSO's axioms (uniproc, atomic, acyclic ghb) with a weaker preserved program
/// order: a read is ordered before everything after it; a write only before
/// what a locked access or a fence orders it before.
struct PsoAxioms;

struct PsoChecker {
    order: Rel,
    po_loc: Rel,
    cores: Vec<Option<usize>>,
    rmw_wf: bool,
}

impl Axiomatic for PsoAxioms {
    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn checker(&self, events: &[Event], opts: CheckOptions) -> Box<dyn Checker> {
        let (po_m, po_loc) = po_mem(events);
        let locked = |e: &Event| e.locked || (e.kind == Kind::Write && e.exclusive);
        let fence = |x: &Event| {
            matches!(x.kind, Kind::Fence(FenceKind::Full) | Kind::Fence(FenceKind::StoreStore) | Kind::StxrFail)
        };
        let order = only(&po_m, |a, b| {
            let (x, y) = (&events[a], &events[b]);
            x.kind == Kind::Read || locked(x) || locked(y) || fence_between(events, a, b, fence)
        });
        let cores = events.iter().map(|e| e.core).collect();
        Box::new(PsoChecker { order, po_loc, cores, rmw_wf: !opts.herd_strict })
    }

    fn remedy(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        remedy_common(exe, a, b)
    }
}

impl Checker for PsoChecker {
    fn check(&self, exe: &Execution) -> Result<(), Failure> {
        if let (true, Some(bad)) = (self.rmw_wf, rmw_order(exe)) {
            return Err(Failure { axiom: "rmw", events: bad });
        }
        if let Some(bad) = atomic_ext(exe) {
            return Err(Failure { axiom: "atomic", events: bad });
        }
        let com = Com::of(exe);
        let comm = com.rf.union(&com.co).union(&com.fr);
        if let Some(c) = self.po_loc.union(&comm).find_cycle() {
            return Err(Failure { axiom: "uniproc", events: c });
        }
        let rfe = only(&com.rf, |a, b| self.cores[a] != self.cores[b]);
        if let Some(c) = self.order.union(&rfe).union(&com.co).union(&com.fr).find_cycle() {
            return Err(Failure { axiom: "pso", events: c });
        }
        Ok(())
    }

    fn ordered(&self, a: EventId, b: EventId) -> bool {
        self.order.get(a, b)
    }
}

// ---------------------------------------------------------------- the seam

/// The one registration line (once per test process).
fn pso() -> Model {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| sim::models::register(Model::new(Operational::new(Pso).with_axioms(PsoAxioms))).unwrap());
    sim::models::get("pso").unwrap()
}

fn model(name: &str) -> Model {
    sim::models::get(name).unwrap()
}

fn prog(src: &str) -> Arc<isa::Program> {
    Arc::new(isa::asm::parse(src, "toy.ucode").unwrap())
}

/// Message passing: two stores, then two loads in the other order.
const MP: &str = "name mp
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1
P0:
    store [x], 1
    store [y], 1
    halt
P1:
    load r1, [y]
    load r2, [x]
    halt
exists (1:r1=1 /\\ 1:r2=0)
";

/// Store buffering: each store, then a load of the other word.
const SB: &str = "name sb
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1
P0:
    store [x], 1
    load r1, [y]
    halt
P1:
    store [y], 1
    load r1, [x]
    halt
exists (0:r1=0 /\\ 1:r1=0)
";

fn reachable(m: &Model, src: &str) -> bool {
    let start = m.machine(prog(src)).unwrap();
    let r = start.explore(&ExploreConfig { stop_on_violation: false, ..ExploreConfig::default() });
    assert_eq!(r.verdict, Verdict::Safe, "{m}: {:?}", r.bound);
    r.finals.values().any(|f| f.holds)
}

#[test]
fn the_registry_knows_it() {
    let m = pso();
    assert!(m.is_operational() && m.is_axiomatic());
    assert_eq!(sim::models::get("TOY-PSO").unwrap(), m, "aliases, any case");
    assert!(sim::models::names().ends_with(" or pso"), "{}", sim::models::names());
    assert!(sim::models::register(Model::new(Operational::new(Pso))).is_err(), "a name is registered once");
}

/// Exhaustive search: PSO keeps TSO's answer on store buffering and breaks
/// message passing (the stores may reach memory in either order); a full fence
/// between the stores restores it.
#[test]
fn explore_tells_pso_from_tso() {
    let (pso, tso) = (pso(), model("tso"));
    assert!(reachable(&pso, SB) && reachable(&tso, SB));
    assert!(reachable(&pso, MP), "PSO reorders the two stores");
    assert!(!reachable(&tso, MP), "TSO keeps them in order");
    let fenced = MP.replace("    store [x], 1\n", "    store [x], 1\n    fence\n");
    assert!(!reachable(&pso, &fenced));
    // The counterexample replays step by step and is labelled in plain words.
    let start = pso.machine(prog(MP)).unwrap();
    let r = start.explore(&ExploreConfig { stop_on_violation: false, ..ExploreConfig::default() });
    let w = r.finals.values().find(|f| f.holds).unwrap().schedule.clone();
    let mut m = start.clone();
    for &t in &w {
        assert!(!m.label(t).is_empty());
        m.apply(t).unwrap();
    }
    assert_eq!(m.condition_holds(), Some(true));
    assert!(m.make_trace(&w, "exhaustive", None).model == "pso");
}

/// Random and timed runs end quiescent, and never reach what the search says is unreachable.
#[test]
fn random_and_timed_runs() {
    let pso = pso();
    let fenced = MP.replace("    store [x], 1\n", "    store [x], 1\n    fence\n");
    for (src, can) in [(MP, true), (fenced.as_str(), false)] {
        let start = pso.machine(prog(src)).unwrap();
        let mut seen = false;
        for seed in 0..400 {
            for kind in [SchedKind::Random, SchedKind::Timed] {
                let (out, _) = start.run_seed(kind, &TimingModel::default(), seed, 10_000, true);
                assert_eq!(out.end, RunEnd::Quiescent, "seed {seed}");
                let mut m = start.clone();
                for &t in &out.schedule {
                    m.apply(t).unwrap();
                }
                seen |= m.condition_holds() == Some(true);
            }
        }
        if can {
            assert!(seen, "800 runs never reordered the stores");
        } else {
            assert!(!seen, "a run reached what the search proves unreachable");
        }
    }
}

/// The operational and the axiomatic face agree: litmus shapes and generated programs.
#[test]
fn operational_equals_axiomatic() {
    let pso = pso();
    let fenced = MP.replace("    store [x], 1\n", "    store [x], 1\n    fence\n");
    for src in [MP, SB, fenced.as_str()] {
        let p = prog(src);
        let a = crosscheck(&p, &pso, 200_000, &EnumConfig::default());
        assert!(a.agrees(), "{}: {}", p.name, a.difference(&p));
    }
    let cfg = EnumConfig { max_candidates: 300_000, max_combinations: 20_000, ..EnumConfig::default() };
    let (mut agreed, mut bounded) = (0, 0);
    for seed in 0..24 {
        let p = Arc::new(GenProgram::random(seed, 3).program("generated"));
        let a = crosscheck(&p, &pso, 50_000, &cfg);
        if a.incomplete.as_deref().is_some_and(|i| i.contains("bound")) {
            bounded += 1;
            continue;
        }
        assert!(a.agrees(), "seed {seed}: {}\n{}", a.difference(&p), isa::asm::print(&p));
        // PSO only weakens TSO: every TSO outcome is a PSO outcome.
        let tso = crosscheck(&p, &model("tso"), 50_000, &cfg);
        assert!(tso.operational.is_subset(&a.operational), "seed {seed}");
        agreed += 1;
    }
    assert!(agreed >= 18, "{agreed} generated programs agreed, {bounded} bounded");
}

/// The explanation of the MP witness names the store → store edge PSO does not keep.
#[test]
fn explanations_use_its_checker() {
    let pso = pso();
    let start = pso.machine(prog(MP)).unwrap();
    let r = start.explore(&ExploreConfig { stop_on_violation: false, ..ExploreConfig::default() });
    let w = &r.finals.values().find(|f| f.holds).unwrap().schedule;
    let (_, verdict, ex) = sim::axiom::explain::explain_run(&*start, w, pso.axioms().unwrap()).unwrap();
    assert_eq!(verdict, Ok(()));
    assert!(ex.details.iter().any(|d| d.contains("NOT kept in order on PSO (toy)")), "{:?}", ex.details);
}
