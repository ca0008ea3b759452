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
//! loops terminate; a run longer than [`SOLO_LIMIT`] distinct states is cut off
//! (then fewer promises are offered, and the search may miss behaviours: the
//! bound is far above what litmus tests and the irq_work workloads need).

use crate::explore::fingerprint;
use crate::machine::Machine;
use crate::transition::Transition;
use memmodels::MemoryModel;
use rustc_hash::FxHashSet;
use std::ops::ControlFlow;

/// Most distinct states one solo exploration visits.
pub const SOLO_LIMIT: usize = 100_000;

/// Appends the certified promise transitions of every core to `out`: for each core,
/// each write `(loc, val)` it performs in some solo run, if promising it now leaves
/// the core certified. Order: by core, then location, then value.
pub fn promise_transitions<M: MemoryModel>(m: &Machine<M>, out: &mut Vec<Transition>) {
    for c in 0..m.num_cores() {
        for (loc, val) in solo_writes(m, c) {
            let t = Transition::Promise { core: c as u8, loc, val };
            let mut after = m.clone();
            after.apply_unchecked(t);
            if certified(&after, c) {
                out.push(t);
            }
        }
    }
}

/// Whether core `c`, running alone from this state, can fulfil all its promises.
pub fn certified<M: MemoryModel>(m: &Machine<M>, c: usize) -> bool {
    let done = |x: &Machine<M>| x.model.outstanding(&x.state.shared, &x.state.mcores, c) == 0;
    if done(m) {
        return true;
    }
    solo(m, c, |x, _| if done(x) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }).is_break()
}

/// The writes `(loc, val)` core `c` performs in its solo runs from this state, sorted.
pub fn solo_writes<M: MemoryModel>(m: &Machine<M>, c: usize) -> Vec<(u16, u64)> {
    let mut found: Vec<(u16, u64)> = Vec::new();
    let _ = solo(m, c, |x, enabled| {
        for &t in enabled {
            if let Some(w) = write_of(x, c, t) {
                found.push(w);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found.sort_unstable();
    found.dedup();
    found
}

/// The write `(loc, val)` that transition `t` of core `c` performs, if any.
fn write_of<M: MemoryModel>(m: &Machine<M>, c: usize, t: Transition) -> Option<(u16, u64)> {
    let Transition::Exec { choice, .. } = t else { return None };
    let req = m.request(c).ok()??;
    let loc = req.loc()?;
    let p = m.model.preview(&m.state.shared, &m.state.mcores, c, &req, choice);
    p.wrote.map(|v| (loc as u16, v))
}

/// Depth-first over the solo runs of core `c`. `visit` sees every distinct state
/// with the transitions enabled in it; it may stop the search.
fn solo<M: MemoryModel, B>(
    m: &Machine<M>,
    c: usize,
    mut visit: impl FnMut(&Machine<M>, &[Transition]) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let mut start = m.clone();
    start.promise_mode = crate::machine::PromiseMode::Off;
    eager(&mut start, c);
    let mut visited: FxHashSet<u64> = FxHashSet::default();
    visited.insert(fingerprint(&start));
    let mut stack = vec![start];
    let mut enabled = Vec::new();
    while let Some(x) = stack.pop() {
        enabled.clear();
        if x.faulted().is_none() {
            x.core_enabled(c, &mut enabled);
        }
        visit(&x, &enabled)?;
        for &t in &enabled {
            let mut y = x.clone();
            y.apply_unchecked(t);
            eager(&mut y, c);
            if visited.len() < SOLO_LIMIT && visited.insert(fingerprint(&y)) {
                stack.push(y);
            }
        }
    }
    ControlFlow::Continue(())
}

/// Runs core `c`'s purely local steps (they commute with everything).
fn eager<M: MemoryModel>(m: &mut Machine<M>, c: usize) {
    let mut n = 0;
    while n < crate::explore::EAGER_LIMIT && m.faulted().is_none() && m.is_eager(c) {
        m.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
        n += 1;
    }
}
