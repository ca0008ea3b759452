//! The graph engine: exhaustive search over execution graphs, whose cost grows
//! with the program's distinct executions rather than with the interleavings
//! of the operational machine (GenMC's idea; see `docs/engine.md`).
//!
//! A search node is a partial execution: for each core a prefix of its events
//! in program order (the core runs on the ordinary [`Machine`] over the
//! [`Oracle`] model, so instruction semantics, branches, interrupts and faults
//! are the machine's own), with `rf` for its reads and `co` for its writes. One
//! core moves at a time, always the lowest one that can, and each memory event
//! branches:
//!
//! * a read reads from a write already in the graph (each one the model's
//!   axioms accept), or *blocks*: it will read from a write not yet added.
//!   When another core adds a write to that word, the blocked read may take it
//!   (and runs on) or keep waiting;
//! * a write goes to each place in its word's coherence order the axioms accept;
//! * when every core that can still move is blocked, under a model that
//!   allows `po ∪ rf` cycles (ARM's load buffering) the lowest blocked read
//!   guesses its value among the values its word can hold and runs on; the
//!   guess must later be matched by a write of that value, or the branch dies.
//!   Under SC and TSO (`Axiomatic::porf_acyclic`) such a node is a dead end.
//!
//! Each consistent execution is reached exactly once (which core moves is a
//! function of the node; which write a read takes, or where a write goes in
//! `co`, is fixed by the execution), and a node whose partial graph the
//! model's axioms reject is cut: every axiom here is an acyclicity or
//! emptiness condition on relations that only grow as events are added.
//!
//! Loops: an iteration of a backward branch that writes nothing and returns
//! to its loop head with the registers of an earlier visit is cut (GenMC's
//! spin-assume: the execution without that iteration has the same outcome);
//! a loop whose state never repeats runs into [`GraphConfig::max_steps`], and
//! the verdict is `Bounded`, naming the core and where it was.
//!
//! Values for guesses: the engine runs in rounds, starting from the initial
//! values; a round that sees a write of a value not yet known adds it and
//! runs again (values flow along `data; rf`, which every model here keeps
//! acyclic, so the rounds end). Every execution a round finds is real.

mod absval;
mod oracle;
pub mod schedule;

pub(crate) use oracle::{planned_perform, planned_preview};
pub use oracle::{OCore, Oracle};

use crate::budget::Budget;
use crate::check::{FinalState, Violation};
use crate::explore::{Control, Verdict, CANCELLED};
use crate::graph::{Event, EventId, Execution, Kind, Recorder};
use crate::machine::{Core, Machine};
use crate::transition::Transition;
use isa::{Instr, IrqTarget, Pc, Program, RmwOp};
use memmodels::axiom::{Axiomatic, CheckOptions, Checker};
use memmodels::Request;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Bounds and options of a graph search.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// Stop (bounded) after this many search nodes.
    pub max_nodes: u64,
    /// Longest run of one core, in instructions.
    pub max_steps: usize,
    /// Stop at the first violation.
    pub stop_on_violation: bool,
    /// Check with herd7's exact SC/TSO axioms ([`CheckOptions::herd_strict`]).
    pub herd_strict: bool,
    /// Most values one word may take (guesses).
    pub max_values: usize,
    /// Stop (bounded) when the process's resident memory would pass this
    /// many bytes (see [`crate::budget`]).
    pub max_memory: u64,
    /// Stop (bounded) after this long.
    pub timeout: Option<std::time::Duration>,
    /// Worker threads (0: all cores). The verdict and the final states are the
    /// same for any count; the execution kept for each (the counterexample) is
    /// the same for any count above one.
    pub threads: usize,
    /// Cancellation and progress, shared with the caller.
    pub control: Option<Arc<Control>>,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            max_nodes: 50_000_000,
            max_steps: 20_000,
            stop_on_violation: true,
            herd_strict: false,
            max_values: 64,
            max_memory: crate::budget::default_max_memory().unwrap_or(8 << 30),
            timeout: None,
            threads: 1,
            control: None,
        }
    }
}

/// Why the graph engine cannot run a program.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("the graph engine does not support {0}")]
    Unsupported(String),
}

/// What the graph engine found.
#[derive(Clone, Debug)]
pub struct GraphResult {
    pub verdict: Verdict,
    /// Search nodes (partial executions) visited, over all rounds.
    pub nodes: u64,
    /// Complete consistent executions found (in the last round).
    pub executions: u64,
    /// Distinct final states, whether the condition holds, and one execution reaching each.
    pub finals: BTreeMap<FinalState, (bool, Execution)>,
    /// The first violation found and its execution.
    pub violation: Option<(Violation, Execution)>,
    /// Why the search stopped early, when it did.
    pub bound: Option<String>,
    /// Rounds of value-set growth.
    pub rounds: u32,
}

/// A partial execution.
#[derive(Clone)]
struct Node {
    m: Machine<Oracle>,
    rec: Recorder,
    rf: Vec<Option<EventId>>,
    co: Vec<Vec<EventId>>,
    /// Reads that took a guessed value and wait for the write they read from.
    pending: Vec<EventId>,
    /// Per core: its next read waits for a write not yet in the graph.
    blocked: Vec<bool>,
    /// Per core: the write its next read reads from (a blocked read that was matched).
    forced: Vec<Option<EventId>>,
    /// Per core: loop-head visits since its last write.
    visits: Vec<Vec<(Core, Vec<u64>, usize)>>,
    steps: Vec<usize>,
}

/// Where a read takes its value from.
#[derive(Clone, Copy, Debug)]
enum Src {
    Write(EventId),
    Guess(u64),
}

/// What every worker of one search shares.
struct Shared {
    budget: Budget,
    /// Search nodes visited by all workers (for `max_nodes` and progress).
    nodes: AtomicU64,
    /// The lowest task (in depth-first order) that found a violation.
    best: AtomicUsize,
    /// A bound was hit: every worker stops.
    halt: AtomicBool,
}

struct Search<'a> {
    prog: &'a Arc<Program>,
    model: &'a dyn Axiomatic,
    cfg: &'a GraphConfig,
    shared: &'a Shared,
    /// This worker's task: its place in the depth-first order of the subtrees.
    order: usize,
    opts: CheckOptions,
    guess: bool,
    deps: bool,
    heads: Arc<BTreeSet<Pc>>,
    /// Per core and word: the values its code may write there (so other cores'
    /// reads of that word may wait for it, or keep a guess of such a value).
    writes: Arc<absval::MayWrite>,
    values: Arc<Vec<BTreeSet<u64>>>,
    seen_values: Vec<BTreeSet<u64>>,
    nodes: u64,
    executions: u64,
    finals: BTreeMap<FinalState, (bool, Execution)>,
    violation: Option<(Violation, Execution)>,
    bound: Option<String>,
    /// The last checker built and a scratch execution over its events.
    ck: Option<Box<Cached>>,
}

/// A model's checker depends on the events' shape, not on the values read
/// or written, and neither does its check: consecutive checks of partial
/// executions with the same shape (siblings reading from each candidate
/// write, the places of one write) share one checker and one scratch
/// execution, whose `rf` and `co` are overwritten for each.
struct Cached {
    exe: Execution,
    chk: Box<dyn Checker>,
}

/// Same events but for the values read and written (and the text): what a
/// model's checker is built from.
fn same_shape(a: &[Event], b: &[Event]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind
                && x.core == y.core
                && x.instance == y.instance
                && x.pc == y.pc
                && x.loc == y.loc
                && x.acquire == y.acquire
                && x.acquire_pc == y.acquire_pc
                && x.release == y.release
                && x.exclusive == y.exclusive
                && x.noret == y.noret
                && x.locked == y.locked
                && x.rmw == y.rmw
                && x.deps == y.deps
        })
}

/// Subtrees the search is split into (whatever the thread count, so that the
/// result does not depend on it).
const TASKS: usize = 64;

/// Every execution of `prog` that `model`'s axioms allow, found over
/// execution graphs (see the module documentation).
///
/// Every bound (nodes, memory, time, cancellation) makes the verdict
/// [`Verdict::Bounded`] unless a violation was found, and
/// [`GraphResult::bound`] says which.
pub fn explore(prog: &Arc<Program>, model: &dyn Axiomatic, cfg: &GraphConfig) -> Result<GraphResult, GraphError> {
    for i in &prog.code {
        if matches!(i, Instr::Raise { target: IrqTarget::Core(_) }) {
            return Err(GraphError::Unsupported("interrupts raised on another core".into()));
        }
    }
    let heads: BTreeSet<Pc> =
        prog.code.iter().enumerate().filter_map(|(pc, i)| i.target().filter(|&t| (t as usize) <= pc)).collect();
    let writes = absval::MayWrite::of(prog);
    let values: Vec<BTreeSet<u64>> = prog.initial_memory().into_iter().map(|v| BTreeSet::from([v])).collect();
    let shared = Shared {
        budget: Budget::new(cfg.timeout, cfg.max_memory, 0, cfg.control.clone()),
        nodes: AtomicU64::new(0),
        best: AtomicUsize::new(usize::MAX),
        halt: AtomicBool::new(false),
    };
    let mut s = Search {
        prog,
        model,
        cfg,
        shared: &shared,
        order: 0,
        opts: CheckOptions { herd_strict: cfg.herd_strict },
        guess: !model.porf_acyclic(),
        deps: model.reads_dependencies(),
        heads: Arc::new(heads),
        writes: Arc::new(writes),
        seen_values: values.clone(),
        values: Arc::new(values),
        nodes: 0,
        executions: 0,
        finals: BTreeMap::new(),
        violation: None,
        bound: None,
        ck: None,
    };
    let threads =
        if cfg.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { cfg.threads };
    let pool = if threads > 1 { rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok() } else { None };
    let mut rounds = 0;
    loop {
        rounds += 1;
        s.executions = 0;
        s.finals.clear();
        shared.best.store(usize::MAX, Ordering::Relaxed);
        s.round(pool.as_ref());
        if s.bound.is_some() || (s.violation.is_some() && cfg.stop_on_violation) || !s.guess {
            break;
        }
        let grown = s.seen_values.iter().zip(s.values.iter()).any(|(a, b)| !a.is_subset(b));
        if !grown {
            break;
        }
        let mut values = (*s.values).clone();
        for (v, n) in values.iter_mut().zip(&s.seen_values) {
            v.extend(n.iter().copied());
        }
        s.values = Arc::new(values);
        if let Some(l) = s.values.iter().position(|v| v.len() > cfg.max_values) {
            s.bound = Some(format!("word {} takes more than {} values", prog.sym_name(l as u16), cfg.max_values));
            break;
        }
        s.violation = None;
    }
    if s.bound.is_none() && shared.budget.stopped() {
        s.bound = shared.budget.reason();
    }
    let verdict = if s.violation.is_some() {
        Verdict::Violation
    } else if s.bound.is_some() {
        Verdict::Bounded
    } else {
        Verdict::Safe
    };
    Ok(GraphResult {
        verdict,
        nodes: s.nodes,
        executions: s.executions,
        finals: s.finals,
        violation: s.violation,
        bound: s.bound,
        rounds,
    })
}

impl<'a> Search<'a> {
    fn root(&self) -> Node {
        let m = Machine::new(self.prog.clone(), Oracle);
        let n = self.prog.num_cores();
        let rec = Recorder::new(self.prog.clone(), m.num_regs(), 0);
        Node {
            rf: vec![None; rec.events.len()],
            co: (0..self.prog.symbols.len()).map(|l| vec![l]).collect(),
            rec,
            m,
            pending: Vec::new(),
            blocked: vec![false; n],
            forced: vec![None; n],
            visits: vec![Vec::new(); n],
            steps: vec![0; n],
        }
    }

    /// Whether this worker must stop now (recording why, once).
    fn must_stop(&mut self) -> bool {
        if self.bound.is_some() || (self.violation.is_some() && self.cfg.stop_on_violation) {
            return true;
        }
        let sh = self.shared;
        sh.halt.load(Ordering::Relaxed) || (self.cfg.stop_on_violation && sh.best.load(Ordering::Relaxed) < self.order)
    }

    /// Counts a node; checks the bounds every so often. True: stop.
    fn tick(&mut self, depth: usize) -> bool {
        self.nodes += 1;
        let sh = self.shared;
        let total = sh.nodes.fetch_add(1, Ordering::Relaxed) + 1;
        if total > self.cfg.max_nodes {
            self.bound = Some(format!("more than {} search nodes", self.cfg.max_nodes));
            sh.halt.store(true, Ordering::Relaxed);
            return true;
        }
        if total % 256 == 0 {
            if let Some(c) = &self.cfg.control {
                c.report(total);
                c.report_depth(depth as u64);
            }
            if sh.budget.check(0) {
                self.bound = sh.budget.reason().or(Some(CANCELLED.into()));
                sh.halt.store(true, Ordering::Relaxed);
                return true;
            }
        }
        false
    }

    /// One round: depth first on this thread; or, with a pool, the tree is
    /// split into subtrees (always the same ones, [`TASKS`]), searched depth
    /// first on the pool's threads and merged in depth-first order, so the
    /// result is the same for any number of threads above one. The verdict
    /// and the final states are the same for any count; the execution kept
    /// for each (the counterexample) may differ between one thread and more.
    fn round(&mut self, pool: Option<&rayon::ThreadPool>) {
        let Some(pool) = pool else {
            let root = self.root();
            self.dfs(root);
            return;
        };
        // Split: expand level by level; the stack's last node is the subtree a
        // serial depth-first search would search first.
        let mut stack = vec![self.root()];
        for _ in 0..64 {
            if stack.len() >= TASKS || stack.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for node in stack {
                if self.tick(node.rec.events.len()) {
                    return;
                }
                self.expand(node, &mut next);
                if self.must_stop() {
                    if self.bound.is_some() {
                        self.shared.halt.store(true, Ordering::Relaxed);
                    }
                    return;
                }
            }
            stack = next;
        }
        // Task k is the subtree stack[len - 1 - k].
        let tasks: Vec<(usize, Node)> = stack.into_iter().rev().enumerate().collect();
        let base = self.clone_empty();
        let work = |(k, node): (usize, Node)| {
            let mut w = base.clone_empty();
            w.order = k;
            w.dfs(node);
            if w.violation.is_some() {
                w.shared.best.fetch_min(k, Ordering::Relaxed);
            }
            if w.bound.is_some() {
                w.shared.halt.store(true, Ordering::Relaxed);
            }
            w
        };
        let done: Vec<Search> = pool.install(|| {
            use rayon::prelude::*;
            tasks.into_par_iter().map(work).collect()
        });
        for w in done {
            self.merge(w);
        }
    }

    /// A worker with this search's settings and no results.
    fn clone_empty(&self) -> Search<'a> {
        Search {
            seen_values: self.seen_values.clone(),
            nodes: 0,
            executions: 0,
            finals: BTreeMap::new(),
            violation: None,
            bound: None,
            ck: None,
            heads: self.heads.clone(),
            writes: self.writes.clone(),
            values: self.values.clone(),
            ..*self
        }
    }

    /// Adds a later task's results to this one's.
    fn merge(&mut self, w: Search) {
        let stop = self.violation.is_some() && self.cfg.stop_on_violation;
        self.nodes += w.nodes;
        for (a, b) in self.seen_values.iter_mut().zip(w.seen_values) {
            a.extend(b);
        }
        if stop {
            return;
        }
        self.executions += w.executions;
        for (fs, x) in w.finals {
            self.finals.entry(fs).or_insert(x);
        }
        if self.violation.is_none() {
            self.violation = w.violation;
        }
        if self.bound.is_none() {
            self.bound = w.bound;
        }
    }

    /// Depth first from `root`.
    fn dfs(&mut self, root: Node) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if self.tick(node.rec.events.len()) {
                return;
            }
            self.expand(node, &mut stack);
            if self.must_stop() {
                return;
            }
        }
    }

    fn done(&self, n: &Node, c: usize) -> bool {
        let k = n.m.core(c);
        k.halted && !self.can_irq(n, c)
    }

    fn can_irq(&self, n: &Node, c: usize) -> bool {
        let k = n.m.core(c);
        k.irq.pending && k.irq.enabled && self.prog.cores[c].handler.is_some()
    }

    /// The word core `c`'s next instruction reads, if it reads.
    fn read_loc(n: &Node, c: usize) -> Option<usize> {
        match n.m.request(c) {
            Ok(Some(Request::Load { loc, .. } | Request::Rmw { loc, .. })) => Some(loc),
            _ => None,
        }
    }

    fn expand(&mut self, mut n: Node, out: &mut Vec<Node>) {
        let ncores = self.prog.num_cores();
        // A guessed read is matched only by a later write of another core: once
        // no such core can still run, the branch is dead.
        for &r in &n.pending {
            let e = &n.rec.events[r];
            let (rc, l, v) = (e.core, e.loc.unwrap_or(0), e.value);
            if !(0..ncores).any(|d| Some(d) != rc && self.writes.w[d][l].has(v) && !self.done(&n, d)) {
                return;
            }
        }
        let pick = (0..ncores).find(|&c| !n.blocked[c] && !self.done(&n, c));
        let Some(c) = pick else {
            if let Some(c) = (0..ncores).find(|&c| n.blocked[c]) {
                if !self.guess {
                    return;
                }
                let Some(l) = Self::read_loc(&n, c) else { return };
                // Only values another core may still write there can be matched.
                let vals: Vec<u64> = self.values[l]
                    .iter()
                    .copied()
                    .filter(|&v| (0..ncores).any(|d| d != c && self.writes.w[d][l].has(v) && !self.done(&n, d)))
                    .collect();
                for v in vals {
                    let mut ch = n.clone();
                    ch.blocked[c] = false;
                    self.exec(ch, c, 0, Some(Src::Guess(v)), false, out);
                }
                return;
            }
            self.complete(n);
            return;
        };
        // Local steps first: they commute with everything.
        while n.m.faulted().is_none() && !n.m.core(c).halted && n.forced[c].is_none() && n.m.is_eager(c) {
            n.rec.exec(&n.m, c, 0);
            n.m.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
            if !self.stepped(&mut n, c, false) {
                return;
            }
        }
        if n.m.faulted().is_some() {
            self.faulted(n, c, out);
            return;
        }
        if let Some(w) = n.forced[c].take() {
            self.exec(n, c, 0, Some(Src::Write(w)), false, out);
            return;
        }
        let irq = self.can_irq(&n, c);
        if n.m.core(c).halted {
            if irq {
                n.rec.interrupt(c);
                n.m.apply_unchecked(Transition::Interrupt { core: c as u8 });
                out.push(n);
            }
            return;
        }
        if irq {
            let mut ch = n.clone();
            ch.rec.interrupt(c);
            ch.m.apply_unchecked(Transition::Interrupt { core: c as u8 });
            if self.stepped(&mut ch, c, false) {
                out.push(ch);
            }
        }
        let req = match n.m.request(c) {
            Err(_) => {
                n.m.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
                self.faulted(n, c, out);
                return;
            }
            Ok(None) => {
                n.rec.exec(&n.m, c, 0);
                n.m.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
                if self.stepped(&mut n, c, false) {
                    out.push(n);
                }
                return;
            }
            Ok(Some(r)) => r,
        };
        match req {
            Request::Load { loc, .. } | Request::Rmw { loc, .. } => {
                let cands = self.sources(&n, c, loc);
                let may_wait = (0..ncores).any(|d| d != c && !self.writes.w[d][loc].is_empty() && !self.done(&n, d));
                if may_wait {
                    let mut ch = n.clone();
                    ch.blocked[c] = true;
                    out.push(ch);
                }
                for w in cands {
                    self.exec(n.clone(), c, 0, Some(Src::Write(w)), false, out);
                }
            }
            Request::Store { loc, exclusive, .. } => {
                let opts = if exclusive && n.m.state.mcores[c].res == Some(loc as u32) { 2 } else { 1 };
                for choice in 0..opts {
                    self.exec(n.clone(), c, choice, None, false, out);
                }
            }
            Request::Fence(_) => self.exec(n, c, 0, None, false, out),
        }
    }

    /// The writes already in the graph core `c`'s read of `loc` may read from:
    /// not co-before its own latest write there, nor co-before what its latest
    /// read there read (coherence; the axioms check the rest).
    fn sources(&self, n: &Node, c: usize, loc: usize) -> Vec<EventId> {
        let ev = &n.rec.events;
        let co = &n.co[loc];
        let pos_of = |w: EventId| co.iter().position(|&x| x == w);
        let mut lo = 0;
        for (i, &w) in co.iter().enumerate() {
            if ev[w].core == Some(c) {
                lo = lo.max(i);
            }
        }
        if let Some(r) =
            (0..ev.len()).rev().find(|&e| ev[e].core == Some(c) && ev[e].kind == Kind::Read && ev[e].loc == Some(loc))
        {
            if let Some(p) = n.rf[r].and_then(pos_of) {
                lo = lo.max(p);
            }
        }
        co[lo..].to_vec()
    }

    /// After core `c` stepped: the spin-loop cut and the step bound. False: drop the node.
    fn stepped(&mut self, n: &mut Node, c: usize, wrote: bool) -> bool {
        n.steps[c] += 1;
        if n.steps[c] > self.cfg.max_steps {
            let at = self.prog.location(n.m.core(c).pc);
            self.bound = Some(format!(
                "core {c} ran more than {} instructions (a loop whose state never repeats, at {at})",
                self.cfg.max_steps
            ));
            return false;
        }
        if wrote {
            n.visits[c].clear();
        }
        let k = *n.m.core(c);
        if self.heads.contains(&k.pc) && !k.halted {
            let regs = n.m.regs(c).to_vec();
            let obs = n.m.observed().len();
            if n.visits[c].iter().any(|(k0, r, o)| *k0 == k && *r == regs && *o == obs) {
                return false;
            }
            n.visits[c].push((k, regs, obs));
        }
        true
    }

    /// Core `c` executes its next memory instruction (alternative `choice`),
    /// its read (if any) taking its value from `src`.
    fn exec(&mut self, mut n: Node, c: usize, choice: u16, src: Option<Src>, alt: bool, out: &mut Vec<Node>) {
        let cas = matches!(n.m.next_instr(c), Some(Instr::Rmw { op: RmwOp::Cmpxchg { .. }, .. }));
        let pre = (self.deps && cas && !alt).then(|| n.clone());
        let points = n.rec.alt_points;
        match src {
            Some(Src::Write(w)) => n.m.state.mcores[c].next = n.rec.events[w].value,
            Some(Src::Guess(v)) => n.m.state.mcores[c].next = v,
            None => {}
        }
        let (evs, _) = n.rec.exec(&n.m, c, choice);
        if let (Some(mut p), true) = (pre, n.rec.alt_points > points) {
            p.rec.set_alt_bit(points);
            self.exec(p, c, choice, src, true, out);
        }
        n.m.apply_unchecked(Transition::Exec { core: c as u8, choice });
        n.rf.resize(n.rec.events.len(), None);
        let mut write = None;
        for &e in &evs {
            match n.rec.events[e].kind {
                Kind::Read => match src {
                    Some(Src::Write(w)) => n.rf[e] = Some(w),
                    _ => n.pending.push(e),
                },
                Kind::Write => write = Some(e),
                _ => {}
            }
        }
        if n.m.faulted().is_some() {
            self.faulted(n, c, out);
            return;
        }
        if !self.stepped(&mut n, c, write.is_some()) {
            return;
        }
        match write {
            Some(w) => self.place(n, w, out),
            None => {
                if matches!(src, Some(Src::Write(_))) && !self.consistent(&n) {
                    return;
                }
                out.push(n);
            }
        }
    }

    /// Write `w` (just added) takes each place in `co` the axioms accept, and
    /// each set of waiting reads of its word may read from it.
    fn place(&mut self, n: Node, w: EventId, out: &mut Vec<Node>) {
        let ev = &n.rec.events;
        let l = ev[w].loc.unwrap_or(0);
        let c = ev[w].core.unwrap_or(0);
        self.seen_values[l].insert(ev[w].value);
        let co = &n.co[l];
        let mut lo = 1;
        for (i, &x) in co.iter().enumerate() {
            if ev[x].core == Some(c) {
                lo = lo.max(i + 1);
            }
        }
        // An RMW's write follows its source, with only the core's own writes between.
        let mut hi = co.len();
        if let Some(src) = ev[w].rmw.and_then(|r| n.rf[r]) {
            if let Some(p) = co.iter().position(|&x| x == src) {
                lo = lo.max(p + 1);
                hi = p + 1;
                while hi < co.len() && ev[co[hi]].core == Some(c) {
                    hi += 1;
                }
            }
        }
        // The reads that may read from it: guessed reads of its value, and blocked cores.
        let ncores = self.prog.num_cores();
        let guessed: Vec<EventId> = n
            .pending
            .iter()
            .copied()
            .filter(|&r| ev[r].loc == Some(l) && ev[r].value == ev[w].value && ev[r].core != Some(c))
            .collect();
        let waiting: Vec<usize> =
            (0..ncores).filter(|&d| d != c && n.blocked[d] && Self::read_loc(&n, d) == Some(l)).collect();
        let k = guessed.len() + waiting.len();
        if k > 16 {
            self.bound = Some(format!("{k} reads wait for one write"));
            return;
        }
        // Every child has the node's events: one checker (and one scratch
        // execution) serves them all.
        for p in lo..=hi {
            let mut ch = n.clone();
            ch.co[l].insert(p, w);
            if !self.consistent(&ch) {
                continue;
            }
            for mask in 0u32..(1 << k) {
                let mut g = ch.clone();
                for (i, &r) in guessed.iter().enumerate() {
                    if mask >> i & 1 == 1 {
                        g.rf[r] = Some(w);
                        g.pending.retain(|&x| x != r);
                    }
                }
                for (i, &d) in waiting.iter().enumerate() {
                    if mask >> (guessed.len() + i) & 1 == 1 {
                        g.blocked[d] = false;
                        g.forced[d] = Some(w);
                    }
                }
                if mask & ((1 << guessed.len()) - 1) != 0 && !self.consistent(&g) {
                    continue;
                }
                out.push(g);
            }
        }
    }

    fn execution(&self, n: &Node, events: Vec<Event>, final_regs: Vec<Vec<u64>>) -> Execution {
        Execution {
            prog: self.prog.clone(),
            events,
            ncores: self.prog.num_cores(),
            rf: n.rf.clone(),
            co: n.co.clone(),
            final_regs,
        }
    }

    /// The node's partial execution is consistent (see [`Cached`]).
    fn consistent(&mut self, n: &Node) -> bool {
        let hit = matches!(&self.ck, Some(c) if same_shape(&c.exe.events, &n.rec.events));
        if !hit {
            let exe = self.execution(n, n.rec.events.clone(), Vec::new());
            let chk = self.model.checker(&exe.events, self.opts);
            self.ck = Some(Box::new(Cached { exe, chk }));
        }
        let Some(c) = self.ck.as_mut() else { return false };
        c.exe.rf.clone_from(&n.rf);
        c.exe.co.clone_from(&n.co);
        c.chk.check(&c.exe).is_ok()
    }

    /// The machine faulted on core `c`: a violation if the partial execution
    /// is consistent and no read of it waits for a guessed write (a fault
    /// reached only through a guess is not reported: see docs/engine.md).
    fn faulted(&mut self, n: Node, _c: usize, _out: &mut Vec<Node>) {
        let Some(f) = n.m.faulted().cloned() else { return };
        if !n.pending.is_empty() || !self.consistent(&n) {
            return;
        }
        let v = Violation::Fault { core: f.core, pc: f.pc, at: self.prog.location(f.pc), what: f.what.clone() };
        let final_regs = (0..self.prog.num_cores()).map(|c| n.m.program_regs(c).to_vec()).collect();
        let exe = self.execution(&n, n.rec.events.clone(), final_regs);
        if self.violation.is_none() {
            self.violation = Some((v, exe));
        }
    }

    /// Every core is done: check the whole execution and record what it shows.
    fn complete(&mut self, n: Node) {
        if !n.pending.is_empty() {
            return;
        }
        let ncores = self.prog.num_cores();
        if !self.consistent(&n) {
            return;
        }
        let final_regs = (0..ncores).map(|c| n.m.program_regs(c).to_vec()).collect();
        let exe = self.execution(&n, n.rec.events.clone(), final_regs);
        self.executions += 1;
        let fs = exe.final_state();
        let holds = self.prog.condition.as_ref().is_some_and(|c| c.holds(self.prog, &|l| exe.loc_value(l)));
        let v = self.invariant(&n, &exe);
        self.finals.entry(fs).or_insert_with(|| (holds, exe.clone()));
        if let (Some(v), None) = (v, &self.violation) {
            self.violation = Some((v, exe));
        }
    }

    /// Lost work or a deadlock at the end of a complete execution.
    fn invariant(&self, n: &Node, exe: &Execution) -> Option<Violation> {
        let prog = self.prog;
        let stuck = self.stuck(n);
        if !stuck.is_empty() {
            return Some(Violation::Deadlock { reason: stuck.join("; ") });
        }
        for &s in &prog.lost_work {
            let loc = s as usize;
            let v = exe.final_value(loc);
            let init = prog.value(prog.symbols[loc].init);
            let seen: Vec<u64> = n.m.observed().iter().filter(|(sym, _)| *sym == s).map(|&(_, v)| v).collect();
            if v != init && !seen.contains(&v) {
                return Some(Violation::LostWork { word: prog.sym_name(s).to_string(), value: v, observed: seen });
            }
        }
        None
    }

    /// Cores that end short of quiescence, in words.
    fn stuck(&self, n: &Node) -> Vec<String> {
        let prog = self.prog;
        (0..prog.num_cores())
            .filter_map(|c| {
                let k = n.m.core(c);
                (!(k.halted && !k.in_handler() && !k.irq.pending)).then(|| {
                    if k.irq.pending && !k.irq.enabled {
                        format!("core {c} has an interrupt pending with interrupts disabled")
                    } else if k.irq.pending {
                        format!("core {c} has an interrupt pending and no handler")
                    } else {
                        format!("core {c} cannot move at {}", prog.location(k.pc))
                    }
                })
            })
            .collect()
    }
}
