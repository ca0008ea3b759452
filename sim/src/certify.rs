//! Promises and their certification (Promising-ARM, Pulte et al., PLDI 2019;
//! Coq `lcertify/Certify.v`).
//!
//! A core may promise a write `loc := val` ahead of time only if, running alone
//! from the resulting state, it can fulfil all its promises (it is *certified*).
//! The candidates are the writes the core performs in such a solo run.
//! Models without promises never reach this code.
//!
//! A *solo run* of core `c` is a run of the machine in which only `c` moves: its
//! instructions (every alternative of each) and its own interrupts, against the
//! current memory, with plain writes appended at the end of memory and no new
//! promises. Solo runs are explored depth-first with visited-state hashing, so
//! loops terminate; an exploration of more than [`SOLO_LIMIT`] distinct states is
//! cut off (then fewer promises are offered, and the search may miss behaviours:
//! the bound is far above what litmus tests and the irq_work workloads need).
//!
//! One exploration gives both answers for a state: whether the core is certified
//! and which writes it can perform. The answers are cached per state (shared by
//! the clones of a machine): the state reached by a promise, checked when the
//! promise is offered, is the state the search visits next.

//!
//! The algorithm knows the machine only through [`Solo`] (what a solo run
//! needs), which `machine.rs` implements; the machine calls
//! [`promise_transitions`] when its model has promises.

use crate::budget::Budget;
use crate::transition::Transition;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::{Arc, Mutex};

/// What certification needs of a machine state: run one core alone.
pub trait Solo: Clone {
    fn num_cores(&self) -> usize;
    /// A copy that offers no promises (solo runs make none).
    fn without_promises(&self) -> Self;
    /// Fingerprint of what a solo run of core `c` depends on: the core's own
    /// state (architectural and model) and the shared memory.
    fn solo_key(&self, c: usize) -> u64;
    /// How many promises core `c` has not fulfilled.
    fn outstanding(&self, c: usize) -> usize;
    /// A fault stopped the machine.
    fn is_faulted(&self) -> bool;
    /// Core `c`'s interrupt and instruction steps enabled now (no internal steps, no promises).
    fn core_steps(&self, c: usize, out: &mut Vec<Transition>);
    /// The write `(loc, val)` that transition `t` of core `c` performs, if any.
    fn write_of(&self, c: usize, t: Transition) -> Option<(u16, u64)>;
    /// Applies an enabled transition.
    fn step(&mut self, t: Transition);
    /// Runs core `c`'s purely local steps (they commute with everything).
    fn run_local(&mut self, c: usize);
    /// The cache of solo analyses shared by this machine's clones.
    fn solo_cache(&self) -> &SoloCache;
    /// The limits of the search this machine is in, if any (see [`crate::budget`]).
    fn budget(&self) -> Option<&Budget>;
    /// Core `c`'s program counter.
    fn pc(&self, c: usize) -> u32;
    /// The program (to name a loop).
    fn program(&self) -> &isa::Program;
}

/// Most distinct states one solo exploration visits (in a search, also at most
/// its state bound). A search whose certification hits it ends `bounded`.
pub const SOLO_LIMIT: usize = 100_000;

/// Most cached analyses per machine (the cache is emptied when full).
const CACHE_LIMIT: usize = 200_000;

/// What the solo runs of one core from one state show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SoloRuns {
    /// Some solo run fulfils every promise of the core.
    pub certified: bool,
    /// The writes `(loc, val)` the core performs in its solo runs, sorted.
    pub writes: Vec<(u16, u64)>,
}

/// Solo analyses keyed by (core, state fingerprint).
type SoloMap = FxHashMap<(usize, u64), Arc<SoloRuns>>;

/// The per-machine cache of solo analyses.
#[derive(Clone, Default)]
pub struct SoloCache(Arc<Mutex<SoloMap>>);

impl std::fmt::Debug for SoloCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SoloCache({} entries)", self.0.lock().map_or(0, |c| c.len()))
    }
}

/// Appends the certified promise transitions of every core to `out`: for each core,
/// each write `(loc, val)` it performs in some solo run, if promising it now leaves
/// the core certified. Order: by core, then location, then value.
pub fn promise_transitions<S: Solo>(m: &S, out: &mut Vec<Transition>) {
    for c in 0..m.num_cores() {
        for &(loc, val) in &solo(m, c).writes {
            let t = Transition::Promise { core: c as u8, loc, val };
            let mut after = m.clone();
            after.step(t);
            if solo(&after, c).certified {
                out.push(t);
            }
        }
    }
}

/// Whether core `c`, running alone from this state, can fulfil all its promises.
pub fn certified<S: Solo>(m: &S, c: usize) -> bool {
    m.outstanding(c) == 0 || solo(m, c).certified
}

/// The writes `(loc, val)` core `c` performs in its solo runs from this state, sorted.
pub fn solo_writes<S: Solo>(m: &S, c: usize) -> Vec<(u16, u64)> {
    solo(m, c).writes.clone()
}

/// The solo analysis of core `c` from this state (cached).
pub fn solo<S: Solo>(m: &S, c: usize) -> Arc<SoloRuns> {
    let key = (c, m.solo_key(c));
    if let Some(s) = m.solo_cache().0.lock().unwrap().get(&key) {
        return s.clone();
    }
    let (runs, complete) = explore_solo(m, c);
    let s = Arc::new(runs);
    if !complete {
        // Cut short: not an answer to keep (the search it serves is stopping).
        return s;
    }
    let mut cache = m.solo_cache().0.lock().unwrap();
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, s.clone());
    s
}

/// Depth-first over the solo runs of core `c`: collects the writes performed and
/// whether some run reaches a state with no outstanding promise; false with it
/// when the exploration was cut short. Inside a search, a cut (its state bound,
/// or any bound of the search: time, memory, cancellation) stops the search,
/// with the reason and the loop the core went round most; outside one, the
/// exploration stops quietly at [`SOLO_LIMIT`] states.
fn explore_solo<S: Solo>(m: &S, c: usize) -> (SoloRuns, bool) {
    let budget = m.budget();
    let limit = budget.map_or(SOLO_LIMIT, |b| b.inner_max_states.max(1));
    let mut start = m.without_promises();
    start.run_local(c);
    let mut visited: FxHashSet<u64> = FxHashSet::default();
    visited.insert(start.solo_key(c));
    let mut stack = vec![start];
    let mut enabled = Vec::new();
    let mut res = SoloRuns::default();
    // Distinct states seen at each program counter (to name a loop that never repeats).
    let mut at_pc: FxHashMap<u32, u64> = FxHashMap::default();
    let mut complete = true;
    let mut popped = 0u64;
    while let Some(x) = stack.pop() {
        popped += 1;
        if let Some(b) = budget {
            if popped % 64 == 0 {
                b.add_inner(64);
                if b.check(0) {
                    complete = false;
                    if let Some(t) = busiest_loop(m.program(), c, &at_pc) {
                        b.add_note(format!("; promise certification of core {c} was running: {t}"));
                    }
                    break;
                }
            }
        }
        if budget.is_some() {
            *at_pc.entry(x.pc(c)).or_default() += 1;
        }
        res.certified |= x.outstanding(c) == 0;
        enabled.clear();
        if !x.is_faulted() {
            x.core_steps(c, &mut enabled);
        }
        let mut x = Some(x);
        for (i, &t) in enabled.iter().enumerate() {
            let from = x.as_ref().expect("taken only by the last transition");
            if let Some(w) = from.write_of(c, t) {
                res.writes.push(w);
            }
            // The last successor takes the state itself (a loop's memory grows: no copy).
            let mut y = if i + 1 == enabled.len() { x.take().expect("present") } else { from.clone() };
            y.step(t);
            y.run_local(c);
            if visited.len() >= limit {
                // Outside a search: the old quiet cut (no more new states).
                let Some(b) = budget else { continue };
                complete = false;
                {
                    let note = busiest_loop(m.program(), c, &at_pc)
                        .map(|t| format!("; {t} without its state repeating"))
                        .unwrap_or_default();
                    b.stop(format!("promise certification of core {c} reached its state bound ({limit} states){note}"));
                }
                break;
            }
            if visited.insert(y.solo_key(c)) {
                stack.push(y);
            }
        }
        if !complete {
            break;
        }
    }
    res.writes.sort_unstable();
    res.writes.dedup();
    (res, complete)
}

/// The loop of core `c` a solo exploration visited most, in words.
fn busiest_loop(p: &isa::Program, c: usize, at_pc: &FxHashMap<u32, u64>) -> Option<String> {
    let (&pc, &n) = at_pc.iter().max_by_key(|(&pc, &n)| (n, std::cmp::Reverse(pc)))?;
    loop_text(p, c, pc, n)
}

/// "the loop at L (core 0) ran N times", when `pc` was visited often enough to be
/// in a loop.
pub fn loop_text(p: &isa::Program, core: usize, pc: u32, n: u64) -> Option<String> {
    (n >= 4).then(|| format!("core {core} went {n} times round the loop at {}", p.location(pc as isa::Pc)))
}
