//! The one level loop of the breadth-first search, run on one thread or on a
//! rayon pool with the same result.
//!
//! Each state of a level is *expanded* (its successors are built and
//! fingerprinted) and then *merged*, in the order of the level: fingerprints
//! enter the visited set in that order, so node numbers, parents, the first
//! violation, the final states' schedules and the place where a bound stops the
//! search do not depend on how the level was expanded.
//!
//! - [`Driver::Serial`]: each state is merged as soon as it is expanded.
//! - [`Driver::Parallel`]: a window of states is expanded on the pool, against
//!   the visited set as it stood before the window, then merged in order. A
//!   successor reached in an earlier window or level is dropped while
//!   expanding; one reached twice within a window is built twice and its
//!   second copy dropped when merged.

use super::finals::{schedule_to, terminal, Finals, Node, Terminal};
use super::{close, fingerprint, Control, ExploreConfig, ExploreResult, CANCELLED};
use crate::budget::Budget;
use crate::machine::{Machine, State};
use crate::transition::Transition;
use memmodels::MemoryModel;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// How a level is expanded.
#[derive(Clone, Copy, Debug)]
pub(super) enum Driver {
    /// On this thread, merging each state as soon as it is expanded.
    Serial,
    /// On the current rayon pool, a window at a time.
    Parallel,
}

/// States per rayon task: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 256;

/// States expanded in parallel before they are merged: bounds the successors
/// held at once (and the duplicates built within a window).
const WINDOW: usize = 64 * CHUNK;

/// The visited set: fingerprints in 64 hash sets chosen by the top bits, so a
/// set that grows reallocates 1/64 of the whole (the memory cap holds within a
/// small margin: a single table of hundreds of MiB doubling would overshoot it).
pub(super) struct Visited {
    shards: Vec<FxHashSet<u64>>,
    len: usize,
    /// Told how many states the set holds ([`Control::held`]), 0 when it is dropped.
    gauge: Option<Arc<Control>>,
}

impl Drop for Visited {
    fn drop(&mut self) {
        if let Some(c) = &self.gauge {
            c.report_held(0);
        }
    }
}

impl Visited {
    fn new(gauge: Option<Arc<Control>>) -> Visited {
        Visited { shards: (0..64).map(|_| FxHashSet::default()).collect(), len: 0, gauge }
    }
    #[inline]
    fn shard(fp: u64) -> usize {
        (fp >> 58) as usize
    }
    #[inline]
    pub(super) fn contains(&self, fp: &u64) -> bool {
        self.shards[Self::shard(*fp)].contains(fp)
    }
    /// Bytes the next insertion of `fp` allocates (when its set must grow).
    #[inline]
    fn growth(&self, fp: u64) -> u64 {
        let s = &self.shards[Self::shard(fp)];
        if s.len() < s.capacity() {
            0
        } else {
            // hashbrown doubles its buckets (capacity is 7/8 of them): 8 bytes and a control byte each.
            (s.capacity() as u64 + 1) * 8 / 7 * 2 * 9
        }
    }
    #[inline]
    fn insert(&mut self, fp: u64) -> bool {
        let new = self.shards[Self::shard(fp)].insert(fp);
        self.len += new as usize;
        new
    }
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

/// A successor of an expanded state: its fingerprint, the transition that
/// reached it and, when it was not yet visited at expansion, the state itself.
struct Kid<M: MemoryModel> {
    fp: u64,
    t: Transition,
    state: Option<State<M>>,
}

/// What expanding one state gave (its successors go to a separate list).
enum Outcome {
    /// No transition is enabled.
    Terminal(Terminal),
    /// Successors, in `enabled` order, and the transitions applied to build
    /// them (eager steps included).
    Children { applied: u64 },
}

/// One worker's scratch machines: the state being expanded and the successor
/// being built.
struct Scratch<M: MemoryModel> {
    cur: Machine<M>,
    child: Machine<M>,
    enabled: Vec<Transition>,
}

impl<M: MemoryModel> Scratch<M> {
    fn new(root: &Machine<M>) -> Scratch<M> {
        Scratch { cur: root.clone(), child: root.clone(), enabled: Vec::new() }
    }

    /// Expands the state in `self.cur`, appending its successors to `kids`.
    fn expand(&mut self, cfg: &ExploreConfig, visited: &Visited, kids: &mut Vec<Kid<M>>) -> Outcome {
        self.enabled.clear();
        self.cur.enabled_into(&mut self.enabled);
        if self.enabled.is_empty() {
            return Outcome::Terminal(terminal(&self.cur));
        }
        let mut applied = 0u64;
        for &t in &self.enabled {
            self.child.state.clone_from(&self.cur.state);
            self.child.apply_unchecked(t);
            applied += 1;
            if cfg.reduce {
                applied += close(&mut self.child, None) as u64;
            }
            let fp = fingerprint(&self.child);
            let state = (!visited.contains(&fp)).then(|| self.child.state.clone());
            kids.push(Kid { fp, t, state });
        }
        Outcome::Children { applied }
    }
}

/// The search's bookkeeping, changed only by merging, in order.
struct Search<'a, M: MemoryModel> {
    start: &'a Machine<M>,
    cfg: &'a ExploreConfig,
    budget: &'a Budget,
    res: ExploreResult,
    visited: Visited,
    nodes: Vec<Node>,
    finals: Finals,
    /// The next level: node and state.
    next: Vec<(u32, State<M>)>,
}

impl<M: MemoryModel> Search<'_, M> {
    /// Merges the expansion of node `id` (emptying `kids`); true when the search must stop.
    fn merge(&mut self, id: u32, outcome: Outcome, kids: &mut Vec<Kid<M>>) -> bool {
        let applied = match outcome {
            Outcome::Terminal(t) => {
                // A terminal state found while an inner search was stopped may be wrong.
                if self.budget.stopped() {
                    return self.check();
                }
                return self.finals.record(&mut self.res, self.start, self.cfg, &self.nodes, id, t);
            }
            Outcome::Children { applied } => applied,
        };
        self.res.transitions += applied;
        for k in kids.drain(..) {
            let growth = self.visited.growth(k.fp);
            if growth > 0 && self.budget.check(growth) {
                break;
            }
            if self.visited.insert(k.fp) {
                self.nodes.push(Node { parent: id, t: k.t });
                // Not visited now, so not visited when it was expanded either: it was kept.
                let state = k.state.expect("a successor new at merge was new at expansion");
                self.next.push(((self.nodes.len() - 1) as u32, state));
            }
        }
        self.check()
    }

    /// Publishes progress and checks every bound; true when the search must stop.
    fn check(&mut self) -> bool {
        if let Some(c) = &self.cfg.control {
            c.report(self.visited.len() as u64);
            c.report_held(self.visited.len() as u64);
        }
        if self.budget.check(0) {
            self.res.bound = self.budget.reason().or(Some(CANCELLED.to_string()));
            return true;
        }
        if self.visited.len() as u64 >= self.cfg.max_states {
            self.res.bound = Some(format!("the state bound ({} states) was reached", self.cfg.max_states));
            return true;
        }
        false
    }
}

/// Breadth-first search from `start` (already in the search's promise mode).
pub(super) fn search<M: MemoryModel>(
    start: &Machine<M>,
    cfg: &ExploreConfig,
    budget: &Budget,
    driver: Driver,
) -> ExploreResult {
    let mut res = ExploreResult::empty();
    let mut root = start.clone();
    if cfg.reduce {
        res.transitions += close(&mut root, None) as u64;
    }
    let mut visited = Visited::new(cfg.control.clone());
    visited.insert(fingerprint(&root));
    let mut s = Search {
        start,
        cfg,
        budget,
        res,
        visited,
        nodes: vec![Node { parent: u32::MAX, t: Transition::Interrupt { core: 0 } }],
        finals: Finals::default(),
        next: Vec::new(),
    };
    let mut frontier: Vec<(u32, State<M>)> = vec![(0, root.state.clone())];
    let mut scratch = Scratch::new(&root);
    while !frontier.is_empty() {
        let stop = match driver {
            Driver::Serial => serial_level(&mut s, &mut scratch, frontier),
            Driver::Parallel => parallel_level(&mut s, &root, &frontier),
        };
        if stop {
            break;
        }
        frontier = std::mem::take(&mut s.next);
        if !frontier.is_empty() {
            s.res.depth += 1;
            if let Some(c) = &cfg.control {
                c.report_depth(s.res.depth as u64);
            }
        }
    }
    // An inner search may have stopped after the last check.
    if s.res.bound.is_none() && budget.stopped() {
        s.res.bound = budget.reason();
    }
    if let Some(b) = &mut s.res.bound {
        if b != CANCELLED && !b.contains("loop at") {
            if let Some(note) = loop_note(start, &s.nodes, cfg.reduce) {
                b.push_str(&note);
            }
        }
    }
    let states = s.visited.len() as u64;
    s.finals.finish(s.res, states, start, cfg, &s.nodes)
}

/// Expands and merges one level on this thread; true when the search must stop.
fn serial_level<M: MemoryModel>(s: &mut Search<'_, M>, scratch: &mut Scratch<M>, level: Vec<(u32, State<M>)>) -> bool {
    if s.check() {
        return true;
    }
    let mut kids = Vec::new();
    for (id, st) in level {
        scratch.cur.state = st;
        let outcome = scratch.expand(s.cfg, &s.visited, &mut kids);
        if s.merge(id, outcome, &mut kids) {
            return true;
        }
    }
    false
}

/// Expands one level on the rayon pool, a window at a time, merging each window
/// in order; true when the search must stop.
fn parallel_level<M: MemoryModel>(s: &mut Search<'_, M>, root: &Machine<M>, level: &[(u32, State<M>)]) -> bool {
    for window in level.chunks(WINDOW) {
        let (cfg, visited) = (s.cfg, &s.visited);
        let expanded: Vec<(Outcome, Vec<Kid<M>>)> = window
            .par_chunks(CHUNK)
            .flat_map_iter(|chunk| {
                let mut scratch = Scratch::new(root);
                chunk
                    .iter()
                    .map(|(_, st)| {
                        scratch.cur.state.clone_from(st);
                        let mut kids = Vec::new();
                        let outcome = scratch.expand(cfg, visited, &mut kids);
                        (outcome, kids)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for (&(id, _), (outcome, mut kids)) in window.iter().zip(expanded) {
            if s.merge(id, outcome, &mut kids) {
                return true;
            }
        }
    }
    false
}

/// For a search stopped by a bound: the loop the deepest run went round most
/// often (a loop whose state never repeats keeps a search from ending), as
/// "; the deepest run went N times round the loop at L (core c)".
fn loop_note<M: MemoryModel>(start: &Machine<M>, nodes: &[Node], reduce: bool) -> Option<String> {
    let last = nodes.len().checked_sub(1)? as u32;
    if last == 0 {
        return None;
    }
    let path = schedule_to(start, nodes, last, reduce);
    let mut m = start.clone();
    let mut counts: rustc_hash::FxHashMap<(u8, u32), u32> = Default::default();
    for t in path {
        if let Transition::Exec { core, .. } = t {
            let c = core as usize;
            if c < m.num_cores() && !m.core(c).halted {
                *counts.entry((core, m.core(c).pc as u32)).or_default() += 1;
            }
        }
        m.apply_unchecked(t);
    }
    let (&(core, pc), &n) = counts.iter().max_by_key(|(&(c, pc), &n)| (n, std::cmp::Reverse((c, pc))))?;
    crate::certify::loop_text(start.prog(), core as usize, pc, n as u64).map(|t| format!("; {t}"))
}
