//! Every candidate execution of a loop-free program, herd's way
//! (`shared/reference/arm-model.md` §1.7):
//!
//! 1. run each core alone, letting every read return any value of its word's
//!    value set (initial values and every value some core can store, grown to a
//!    fixpoint), and record each path's events and dependencies;
//! 2. combine one path per core; choose `rf` (each read from a same-word write
//!    of the value it read) and `co` (per word, an order of its writes that
//!    keeps each core's own writes in program order, initial write first);
//! 3. keep the candidates the model accepts, and collect their final states.
//!
//! Cores run on the ordinary [`Machine`] over a "free" memory model whose reads
//! return the chosen value, so the register semantics are the machine's own.

use super::{Axiomatic, CheckOptions};
use crate::check::FinalState;
use crate::engine::{planned_perform, planned_preview};
use crate::graph::{build_inner, Event, EventId, Execution, Kind};
use crate::machine::Machine;
use crate::transition::Transition;
use isa::Program;
use memmodels::{
    Blocked, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, NoPromises, Pending, Preview, Request, Response,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Limits of an enumeration.
#[derive(Clone, Debug)]
pub struct EnumConfig {
    /// Stop (bounded) after this many candidates.
    pub max_candidates: u64,
    /// Longest path of one core, in instructions.
    pub max_steps: usize,
    /// Most values a word's value set may grow to.
    pub max_values: usize,
    /// Stop (bounded) after this many combinations of one path per core.
    pub max_combinations: u64,
    /// Most paths of one core (one per combination of values its reads return).
    pub max_paths: usize,
    /// Check with herd7's exact SC/TSO axioms, without `rmw ⊆ fr` ([`CheckOptions::herd_strict`]).
    pub herd_strict: bool,
}

impl Default for EnumConfig {
    fn default() -> Self {
        EnumConfig {
            max_candidates: 2_000_000,
            max_combinations: 1_000_000,
            max_steps: 400,
            max_values: 64,
            max_paths: 20_000,
            herd_strict: false,
        }
    }
}

/// What the axiomatic model allows.
#[derive(Clone, Debug, Default)]
pub struct AxOutcomes {
    /// Distinct final states of consistent candidates, with whether the condition holds.
    pub finals: BTreeMap<FinalState, bool>,
    /// Candidate executions tried.
    pub candidates: u64,
    /// Combinations of one path per core tried.
    pub combinations: u64,
    pub consistent: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnumError {
    #[error("unsupported by the candidate enumeration: {0}")]
    Unsupported(String),
    #[error("bounded: {0}")]
    Bounded(String),
}

/// A memory model whose reads return any value of their word's value set.
#[derive(Clone, Debug)]
pub struct Free {
    pub values: Arc<Vec<Vec<u64>>>,
}

impl Free {
    /// The value alternative `choice` of a read of `req` returns (0 for a non-read).
    fn read(&self, req: &Request<()>, choice: u16) -> u64 {
        match *req {
            Request::Load { loc, .. } | Request::Rmw { loc, .. } => self.values[loc][choice as usize],
            _ => 0,
        }
    }
}

static FREE: ModelInfo = ModelInfo {
    name: "free",
    aliases: &[],
    title: "free reads",
    description: "every read returns any value of its word's value set (candidate enumeration only)",
    axioms: "",
    c_mapping: isa::litmus::c::Mapping::X86,
};

impl MemoryModel for Free {
    type Meta = ();
    /// The reservation of a load-exclusive.
    type Core = Option<u32>;
    type Shared = ();
    type Promises = NoPromises;

    fn info(&self) -> &'static ModelInfo {
        &FREE
    }
    fn new_shared(&self, _: &[u64], _: usize) {}
    fn new_core(&self, _: usize) -> Option<u32> {
        None
    }
    fn options(&self, _: &(), cores: &[Option<u32>], c: usize, req: &Request<()>) -> Result<u16, Blocked> {
        Ok(match *req {
            Request::Load { loc, .. } | Request::Rmw { loc, .. } => self.values[loc].len() as u16,
            Request::Store { loc, exclusive: true, .. } if cores[c] == Some(loc as u32) => 2,
            _ => 1,
        })
    }
    fn preview(&self, _: &(), cores: &[Option<u32>], c: usize, req: &Request<()>, choice: u16) -> Preview {
        planned_preview(req, cores[c], self.read(req, choice), choice)
    }
    fn perform(&self, _: &mut (), cores: &mut [Option<u32>], c: usize, req: &Request<()>, choice: u16) -> Response<()> {
        planned_perform(req, &mut cores[c], self.read(req, choice), choice)
    }
    fn internal(&self, _: &(), _: &[Option<u32>], _: &mut Vec<Internal>) {}
    fn apply_internal(&self, _: &mut (), _: &mut [Option<u32>], _: Internal) -> InternalEffect {
        unreachable!("the free model has no internal steps")
    }
    fn quiescent(&self, _: &(), _: &[Option<u32>]) -> bool {
        true
    }
    fn memory(&self, _: &(), _: Loc) -> u64 {
        0
    }
    fn pending(&self, _: &(), _: &[Option<u32>], _: usize) -> Vec<Pending> {
        Vec::new()
    }
}

/// One path of one core: its events (ids from `symbols` on, as if it ran alone) and registers.
#[derive(Clone, Debug)]
struct Path {
    events: Vec<Event>,
    regs: Vec<u64>,
}

/// Every path of core `c` under the value sets (schedules of that core alone).
///
/// Spin loops: an iteration that writes nothing and comes back to its loop
/// head (the target of a backward branch) with the registers of an earlier
/// visit since the core's last write changed nothing; the path is not
/// followed. An execution without that stretch has the same final state and is
/// consistent whenever this one is (it only lacks some reads), so no final
/// state is lost, and a spinlock's or a compare-and-swap retry loop's paths stay
/// finite (GenMC's spin-assume; herd unrolls instead).
fn schedules(prog: &Arc<Program>, c: usize, free: &Free, cfg: &EnumConfig) -> Result<Vec<Vec<Transition>>, EnumError> {
    let start = Machine::new(prog.clone(), free.clone());
    let heads: BTreeSet<isa::Pc> =
        prog.code.iter().enumerate().filter_map(|(pc, i)| i.target().filter(|&t| (t as usize) <= pc)).collect();
    let mut out = Vec::new();
    let mut stack: Vec<(Machine<Free>, Vec<Transition>, Vec<(isa::Pc, Vec<u64>)>)> =
        vec![(start, Vec::new(), Vec::new())];
    let mut en = Vec::new();
    while let Some((m, sched, visits)) = stack.pop() {
        if m.faulted().is_some() {
            continue; // a value no execution can give it (bad address): no path
        }
        let k = m.core(c);
        if k.halted && !k.irq.pending {
            out.push(sched);
            if out.len() > cfg.max_paths {
                return Err(EnumError::Bounded(format!("core {c} has more than {} paths", cfg.max_paths)));
            }
            continue;
        }
        if sched.len() >= cfg.max_steps {
            return Err(EnumError::Bounded(format!("core {c} runs more than {} instructions", cfg.max_steps)));
        }
        en.clear();
        m.core_enabled(c, &mut en);
        for &t in en.iter().rev() {
            if matches!(t, Transition::Interrupt { .. }) {
                return Err(EnumError::Unsupported("interrupts".into()));
            }
            let wrote = m.preview(t).is_some_and(|p| p.wrote.is_some());
            let mut m2 = m.clone();
            m2.apply_unchecked(t);
            let mut v2 = if wrote { Vec::new() } else { visits.clone() };
            if !heads.is_empty() {
                let pc = m2.core(c).pc;
                if heads.contains(&pc) {
                    let regs = m2.regs(c).to_vec();
                    if v2.iter().any(|(p, r)| *p == pc && *r == regs) {
                        continue;
                    }
                    v2.push((pc, regs));
                }
            }
            let mut s2 = sched.clone();
            s2.push(t);
            stack.push((m2, s2, v2));
        }
    }
    Ok(out)
}

/// Paths of every core, with value sets grown to a fixpoint.
fn all_paths(prog: &Arc<Program>, alts: bool, cfg: &EnumConfig) -> Result<Vec<Vec<Path>>, EnumError> {
    if prog.code.iter().any(|i| matches!(i, isa::Instr::Raise { .. })) {
        return Err(EnumError::Unsupported("interrupts".into()));
    }
    let mut values: Vec<BTreeSet<u64>> = prog.initial_memory().into_iter().map(|v| BTreeSet::from([v])).collect();
    // A value in a consistent candidate comes from a chain of writes, each reading
    // the one before (through registers): such a chain has at most as many links
    // as the candidate has writes. So growing the value sets more rounds than
    // that adds only values no candidate can read (an RMW loop of fetch_add).
    let mut rounds = 0usize;
    loop {
        rounds += 1;
        let mut max_writes = 0usize;
        let free = Free { values: Arc::new(values.iter().map(|s| s.iter().copied().collect()).collect()) };
        let start = Machine::new(prog.clone(), free.clone());
        let mut grown = false;
        let mut per_core = Vec::new();
        for c in 0..prog.num_cores() {
            let mut paths = Vec::new();
            for s in schedules(prog, c, &free, cfg)? {
                let (exe, points) =
                    build_inner(&start, &s, 0, false).map_err(|e| EnumError::Unsupported(e.to_string()))?;
                let mut variants = vec![exe];
                if alts && points > 0 {
                    if points > 10 {
                        return Err(EnumError::Bounded(format!("{points} compare-and-swap alternatives on one path")));
                    }
                    for mask in 1..(1u64 << points) {
                        let (e, _) =
                            build_inner(&start, &s, mask, false).map_err(|e| EnumError::Unsupported(e.to_string()))?;
                        variants.push(e);
                    }
                }
                for exe in variants {
                    for e in &exe.events {
                        if e.kind == Kind::Write && values[e.loc.unwrap_or(0)].insert(e.value) {
                            grown = true;
                        }
                    }
                    let regs = exe.final_regs[c].clone();
                    paths.push(Path { events: exe.events, regs });
                }
            }
            max_writes += paths
                .iter()
                .map(|p: &Path| p.events.iter().filter(|e| e.kind == Kind::Write).count())
                .max()
                .unwrap_or(0);
            per_core.push(paths);
        }
        if rounds > max_writes {
            return Ok(per_core);
        }
        if let Some(l) = values.iter().position(|s| s.len() > cfg.max_values) {
            return Err(EnumError::Bounded(format!(
                "word {} takes more than {} values",
                prog.sym_name(l as u16),
                cfg.max_values
            )));
        }
        if !grown {
            return Ok(per_core);
        }
    }
}

/// Every final state the axiomatic `model` allows for `prog`.
pub fn outcomes(prog: &Arc<Program>, model: &dyn Axiomatic, cfg: &EnumConfig) -> Result<AxOutcomes, EnumError> {
    let paths = all_paths(prog, model.reads_dependencies(), cfg)?;
    let nsym = prog.symbols.len();
    let ncores = prog.num_cores();
    let mut res = AxOutcomes::default();
    if paths.iter().any(|p| p.is_empty()) {
        return Ok(res);
    }
    // Which (word, value) pairs each path reads and writes, as bit sets: a
    // combination whose reads need a value no chosen path writes has no candidate.
    let mut index: BTreeMap<(usize, u64), usize> = BTreeMap::new();
    for p in paths.iter().flatten() {
        for e in &p.events[nsym..] {
            if let (Kind::Read | Kind::Write, Some(l)) = (e.kind, e.loc) {
                let k = index.len();
                index.entry((l, e.value)).or_insert(k);
            }
        }
    }
    let words = index.len().div_ceil(64).max(1);
    let init = prog.initial_memory();
    let masks: Vec<Vec<(Vec<u64>, Vec<u64>)>> = paths
        .iter()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let (mut need, mut give) = (vec![0u64; words], vec![0u64; words]);
                    for e in &p.events[nsym..] {
                        let (Some(l), Kind::Read | Kind::Write) = (e.loc, e.kind) else { continue };
                        let i = index[&(l, e.value)];
                        match e.kind {
                            Kind::Read if init[l] != e.value => need[i / 64] |= 1 << (i % 64),
                            Kind::Write => give[i / 64] |= 1 << (i % 64),
                            _ => {}
                        }
                    }
                    (need, give)
                })
                .collect()
        })
        .collect();
    // What the cores from c on could write at most.
    let mut rest = vec![vec![0u64; words]; ncores + 1];
    for c in (0..ncores).rev() {
        let mut r = rest[c + 1].clone();
        for (_, g) in &masks[c] {
            for (a, b) in r.iter_mut().zip(g) {
                *a |= b;
            }
        }
        rest[c] = r;
    }
    let mut pick = vec![0usize; ncores];
    let mut cx =
        Combine { paths: &paths, masks: &masks, rest: &rest, pick: &mut pick, prog, model, cfg, res: &mut res };
    cx.go(0, &vec![0u64; words], &vec![0u64; words])?;
    Ok(res)
}

struct Combine<'a> {
    paths: &'a [Vec<Path>],
    masks: &'a [Vec<(Vec<u64>, Vec<u64>)>],
    rest: &'a [Vec<u64>],
    pick: &'a mut Vec<usize>,
    prog: &'a Arc<Program>,
    model: &'a dyn Axiomatic,
    cfg: &'a EnumConfig,
    res: &'a mut AxOutcomes,
}

impl Combine<'_> {
    fn go(&mut self, c: usize, need: &[u64], give: &[u64]) -> Result<(), EnumError> {
        let ncores = self.paths.len();
        if c == ncores {
            return self.leaf();
        }
        for (i, (n, g)) in self.masks[c].iter().enumerate() {
            let need2: Vec<u64> = need.iter().zip(n).map(|(a, b)| a | b).collect();
            let give2: Vec<u64> = give.iter().zip(g).map(|(a, b)| a | b).collect();
            let possible = need2.iter().zip(&give2).zip(&self.rest[c + 1]).all(|((n, g), r)| n & !(g | r) == 0);
            if possible {
                self.pick[c] = i;
                self.go(c + 1, &need2, &give2)?;
            }
        }
        Ok(())
    }

    fn leaf(&mut self) -> Result<(), EnumError> {
        self.res.combinations += 1;
        if self.res.combinations > self.cfg.max_combinations {
            return Err(EnumError::Bounded(format!("more than {} combinations of paths", self.cfg.max_combinations)));
        }
        let prog = self.prog;
        let nsym = prog.symbols.len();
        let ncores = self.paths.len();
        // The shape of the combination first (cheap); the full events only when
        // every word has a coherent choice.
        let mut lite: Vec<Lite> = self.paths[0][self.pick[0]].events[..nsym].iter().map(Lite::of).collect();
        for c in 0..ncores {
            let p = &self.paths[c][self.pick[c]];
            let shift = lite.len() as isize - nsym as isize;
            for e in &p.events[nsym..] {
                let mut l = Lite::of(e);
                l.rmw = l.rmw.map(|x| (x as isize + shift) as usize);
                lite.push(l);
            }
        }
        let words: Vec<Word> = (0..nsym).map(|l| word_choices(&lite, l, !self.cfg.herd_strict)).collect();
        if words.iter().any(|w| w.choices.is_empty()) {
            return Ok(());
        }
        // Combine one path per core: initial writes, then each core's events.
        let mut events: Vec<Event> = self.paths[0][self.pick[0]].events[..nsym].to_vec();
        let mut final_regs = Vec::new();
        for c in 0..ncores {
            let p = &self.paths[c][self.pick[c]];
            let shift = events.len() as isize - nsym as isize;
            for e in &p.events[nsym..] {
                let mut e = e.clone();
                e.rmw = e.rmw.map(|x| (x as isize + shift) as usize);
                let d = &mut e.deps;
                for s in [&mut d.addr, &mut d.data, &mut d.ctrl, &mut d.paddr, &mut d.pdata, &mut d.pctrl] {
                    *s = s.shifted(shift);
                }
                events.push(e);
            }
            final_regs.push(p.regs.clone());
        }
        let mut exe = Execution {
            prog: prog.clone(),
            rf: vec![None; events.len()],
            co: (0..nsym).map(|l| vec![l]).collect(),
            events,
            ncores,
            final_regs,
        };
        candidates(&mut exe, &words, self.model, prog, self.res, self.cfg)
    }
}

/// What the choice of `rf` and `co` needs to know of an event.
#[derive(Clone, Copy, Debug)]
struct Lite {
    kind: Kind,
    core: Option<usize>,
    instance: u32,
    loc: Option<usize>,
    value: u64,
    rmw: Option<EventId>,
}

impl Lite {
    fn of(e: &Event) -> Lite {
        Lite { kind: e.kind, core: e.core, instance: e.instance, loc: e.loc, value: e.value, rmw: e.rmw }
    }
    fn po_before(&self, o: &Lite) -> bool {
        self.core.is_some() && self.core == o.core && self.instance < o.instance
    }
    fn same_instance(&self, o: &Lite) -> bool {
        self.core.is_some() && self.core == o.core && self.instance == o.instance
    }
}

/// A read and the write it reads from.
type RfPair = (EventId, EventId);

/// One word's possible parts of a candidate: its coherence orders, and the
/// coherent choices (an order, by index, and the source of each of its reads).
struct Word {
    cos: Vec<Vec<EventId>>,
    choices: Vec<(usize, Vec<RfPair>)>,
}

/// The choices for word `l` that are coherent on their own — `po-loc | rf | co |
/// fr` acyclic on that word (herd's uniproc; every model here implies it, so
/// this only prunes), which for one word is the absence of the CoWW, CoRW,
/// CoWR and CoRR shapes — with each RMW's write co-after its source (unless
/// `herd_strict`), and no read from its own instruction's write or a po-later write.
fn word_choices(ev: &[Lite], l: usize, rmw_wf: bool) -> Word {
    let reads: Vec<EventId> = (0..ev.len()).filter(|&e| ev[e].kind == Kind::Read && ev[e].loc == Some(l)).collect();
    let writes: Vec<EventId> = (0..ev.len()).filter(|&e| ev[e].kind == Kind::Write && ev[e].loc == Some(l)).collect();
    let sources: Vec<Vec<EventId>> = reads
        .iter()
        .map(|&r| {
            std::iter::once(l)
                .chain(writes.iter().copied())
                .filter(|&w| ev[w].value == ev[r].value && !ev[w].same_instance(&ev[r]) && !ev[r].po_before(&ev[w]))
                .collect()
        })
        .collect();
    let mut word = Word { cos: Vec::new(), choices: Vec::new() };
    if sources.iter().any(|s| s.is_empty()) {
        return word;
    }
    // Reads in program order per core, so CoRR can be checked as the DFS goes.
    let mut order_r: Vec<usize> = (0..reads.len()).collect();
    order_r.sort_by_key(|&k| (ev[reads[k]].core, ev[reads[k]].instance));
    word.cos = linear_extensions(ev, &writes);
    let mut pos = vec![0usize; ev.len()];
    for (ci, co) in word.cos.iter().enumerate() {
        for (i, &w) in co.iter().enumerate() {
            pos[w] = i + 1;
        }
        // Per read, the sources coherence allows once co is fixed: not co-before
        // the core's po-latest earlier write (CoWR), co-before its po-later writes
        // (CoRW), co-before its own RMW write.
        let allowed: Vec<Vec<EventId>> = reads
            .iter()
            .enumerate()
            .map(|(k, &r)| {
                let lo = writes.iter().filter(|&&w| ev[w].po_before(&ev[r])).map(|&w| pos[w]).max().unwrap_or(0);
                let hi = writes
                    .iter()
                    .filter(|&&w| ev[r].po_before(&ev[w]) || (rmw_wf && ev[r].rmw == Some(w)))
                    .map(|&w| pos[w])
                    .min()
                    .unwrap_or(usize::MAX);
                sources[k].iter().copied().filter(|&s| pos[s] >= lo && pos[s] < hi).collect()
            })
            .collect();
        if allowed.iter().any(|a| a.is_empty()) {
            continue;
        }
        let mut rf: Vec<RfPair> = Vec::with_capacity(reads.len());
        let choices = &mut word.choices;
        pick_sources(ev, &reads, &order_r, &allowed, &pos, 0, &mut rf, &mut |rf| choices.push((ci, rf.to_vec())));
    }
    word
}

/// Depth-first choice of each read's source; CoRR: a core's later read of the
/// word does not read co-before its earlier read.
#[allow(clippy::too_many_arguments)]
fn pick_sources(
    ev: &[Lite],
    reads: &[EventId],
    order_r: &[usize],
    allowed: &[Vec<EventId>],
    pos: &[usize],
    at: usize,
    rf: &mut Vec<(EventId, EventId)>,
    emit: &mut dyn FnMut(&[RfPair]),
) {
    if at == order_r.len() {
        emit(rf);
        return;
    }
    let k = order_r[at];
    let r = reads[k];
    let floor = rf.iter().filter(|&&(r0, _)| ev[r0].po_before(&ev[r])).map(|&(_, s)| pos[s]).max().unwrap_or(0);
    for &s in &allowed[k] {
        if pos[s] >= floor {
            rf.push((r, s));
            pick_sources(ev, reads, order_r, allowed, pos, at + 1, rf, emit);
            rf.pop();
        }
    }
}

/// Every (rf, co) of one combination of paths, word by word.
fn candidates(
    exe: &mut Execution,
    words: &[Word],
    model: &dyn Axiomatic,
    prog: &Program,
    res: &mut AxOutcomes,
    cfg: &EnumConfig,
) -> Result<(), EnumError> {
    let nsym = prog.symbols.len();
    let checker = model.checker(&exe.events, CheckOptions { herd_strict: cfg.herd_strict });
    let mut wi = vec![0usize; nsym];
    loop {
        for (l, w) in words.iter().enumerate() {
            let (ci, rf) = &w.choices[wi[l]];
            exe.co[l].truncate(1);
            exe.co[l].extend_from_slice(&w.cos[*ci]);
            for &(r, src) in rf {
                exe.rf[r] = Some(src);
            }
        }
        res.candidates += 1;
        if res.candidates > cfg.max_candidates {
            return Err(EnumError::Bounded(format!("more than {} candidate executions", cfg.max_candidates)));
        }
        if checker.check(exe).is_ok() {
            res.consistent += 1;
            let fs = exe.final_state();
            let holds = prog.condition.as_ref().is_some_and(|c| c.holds(prog, &|l| exe.loc_value(l)));
            res.finals.insert(fs, holds);
        }
        if !odometer(&mut wi, |l| words[l].choices.len()) {
            return Ok(());
        }
    }
}

fn odometer(ix: &mut [usize], len: impl Fn(usize) -> usize) -> bool {
    for (k, i) in ix.iter_mut().enumerate() {
        *i += 1;
        if *i < len(k) {
            return true;
        }
        *i = 0;
    }
    false
}

/// Orders of `ws` that keep each core's writes in program order.
fn linear_extensions(ev: &[Lite], ws: &[EventId]) -> Vec<Vec<EventId>> {
    fn go(ev: &[Lite], left: &mut Vec<EventId>, cur: &mut Vec<EventId>, out: &mut Vec<Vec<EventId>>) {
        if left.is_empty() {
            out.push(cur.clone());
            return;
        }
        for i in 0..left.len() {
            let w = left[i];
            if left.iter().any(|&x| ev[x].po_before(&ev[w])) {
                continue;
            }
            left.remove(i);
            cur.push(w);
            go(ev, left, cur, out);
            cur.pop();
            left.insert(i, w);
        }
    }
    let mut out = Vec::new();
    go(ev, &mut ws.to_vec(), &mut Vec::new(), &mut out);
    out
}
