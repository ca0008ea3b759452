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

use crate::explore::EAGER_LIMIT;
use crate::machine::{Machine, PromiseMode};
use crate::transition::Transition;
use memmodels::MemoryModel;
use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Most distinct states one solo exploration visits.
pub const SOLO_LIMIT: usize = 100_000;

/// Most cached analyses per machine (the cache is emptied when full).
const CACHE_LIMIT: usize = 200_000;

/// What the solo runs of one core from one state show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Solo {
    /// Some solo run fulfils every promise of the core.
    pub certified: bool,
    /// The writes `(loc, val)` the core performs in its solo runs, sorted.
    pub writes: Vec<(u16, u64)>,
}

/// Solo analyses keyed by (core, state fingerprint).
type SoloMap = FxHashMap<(usize, u64), Arc<Solo>>;

/// The per-machine cache of solo analyses.
#[derive(Clone, Default)]
pub(crate) struct SoloCache(Arc<Mutex<SoloMap>>);

impl std::fmt::Debug for SoloCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SoloCache({} entries)", self.0.lock().map_or(0, |c| c.len()))
    }
}

/// Appends the certified promise transitions of every core to `out`: for each core,
/// each write `(loc, val)` it performs in some solo run, if promising it now leaves
/// the core certified. Order: by core, then location, then value.
pub fn promise_transitions<M: MemoryModel>(m: &Machine<M>, out: &mut Vec<Transition>) {
    for c in 0..m.num_cores() {
        for &(loc, val) in &solo(m, c).writes {
            let t = Transition::Promise { core: c as u8, loc, val };
            let mut after = m.clone();
            after.apply_unchecked(t);
            if solo(&after, c).certified {
                out.push(t);
            }
        }
    }
}

/// Whether core `c`, running alone from this state, can fulfil all its promises.
pub fn certified<M: MemoryModel>(m: &Machine<M>, c: usize) -> bool {
    outstanding(m, c) == 0 || solo(m, c).certified
}

/// The writes `(loc, val)` core `c` performs in its solo runs from this state, sorted.
pub fn solo_writes<M: MemoryModel>(m: &Machine<M>, c: usize) -> Vec<(u16, u64)> {
    solo(m, c).writes.clone()
}

fn outstanding<M: MemoryModel>(m: &Machine<M>, c: usize) -> usize {
    m.model.outstanding(&m.state.shared, &m.state.mcores, c)
}

/// The solo analysis of core `c` from this state (cached).
pub fn solo<M: MemoryModel>(m: &Machine<M>, c: usize) -> Arc<Solo> {
    let key = (c, solo_key(m, c));
    if let Some(s) = m.solo_cache.0.lock().unwrap().get(&key) {
        return s.clone();
    }
    let s = Arc::new(explore_solo(m, c));
    let mut cache = m.solo_cache.0.lock().unwrap();
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, s.clone());
    s
}

/// Fingerprint of what a solo run of core `c` depends on: the core's own state
/// (architectural and model) and the shared memory. Other cores do not move.
fn solo_key<M: MemoryModel>(m: &Machine<M>, c: usize) -> u64 {
    let mut h = crate::fp::FpHasher::default();
    let st = &m.state;
    let bank = st.regs.len() / m.num_cores().max(1);
    st.cores[c].hash(&mut h);
    st.regs[c * bank..(c + 1) * bank].hash(&mut h);
    st.metas[c * bank..(c + 1) * bank].hash(&mut h);
    st.mcores[c].hash(&mut h);
    st.shared.hash(&mut h);
    st.fault.is_some().hash(&mut h);
    h.finish()
}

/// Depth-first over the solo runs of core `c`: collects the writes performed and
/// whether some run reaches a state with no outstanding promise.
fn explore_solo<M: MemoryModel>(m: &Machine<M>, c: usize) -> Solo {
    let mut start = m.clone();
    start.promise_mode = PromiseMode::Off;
    eager(&mut start, c);
    let mut visited: FxHashSet<u64> = FxHashSet::default();
    visited.insert(solo_key(&start, c));
    let mut stack = vec![start];
    let mut enabled = Vec::new();
    let mut res = Solo::default();
    while let Some(x) = stack.pop() {
        res.certified |= outstanding(&x, c) == 0;
        enabled.clear();
        if x.faulted().is_none() {
            x.core_enabled(c, &mut enabled);
        }
        for &t in &enabled {
            if let Some(w) = write_of(&x, c, t) {
                res.writes.push(w);
            }
            let mut y = x.clone();
            y.apply_unchecked(t);
            eager(&mut y, c);
            if visited.len() < SOLO_LIMIT && visited.insert(solo_key(&y, c)) {
                stack.push(y);
            }
        }
    }
    res.writes.sort_unstable();
    res.writes.dedup();
    res
}

/// The write `(loc, val)` that transition `t` of core `c` performs, if any.
fn write_of<M: MemoryModel>(m: &Machine<M>, c: usize, t: Transition) -> Option<(u16, u64)> {
    let Transition::Exec { choice, .. } = t else { return None };
    let req = m.request(c).ok()??;
    let loc = req.loc()?;
    let p = m.model.preview(&m.state.shared, &m.state.mcores, c, &req, choice);
    p.wrote.map(|v| (loc as u16, v))
}

/// Runs core `c`'s purely local steps (they commute with everything).
fn eager<M: MemoryModel>(m: &mut Machine<M>, c: usize) {
    let mut n = 0;
    while n < EAGER_LIMIT && m.faulted().is_none() && m.is_eager(c) {
        m.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
        n += 1;
    }
}
