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

use super::finals::{terminal, Finals, Node, Terminal};
use super::{approx_state_bytes, close, fingerprint, stop_requested, ExploreConfig, ExploreResult, CANCELLED};
use crate::machine::{Machine, State};
use crate::transition::Transition;
use memmodels::MemoryModel;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

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
    fn expand(&mut self, cfg: &ExploreConfig, visited: &FxHashSet<u64>, kids: &mut Vec<Kid<M>>) -> Outcome {
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
    res: ExploreResult,
    visited: FxHashSet<u64>,
    nodes: Vec<Node>,
    finals: Finals,
    /// The next level: node and state.
    next: Vec<(u32, State<M>)>,
    state_bytes: u64,
}

impl<M: MemoryModel> Search<'_, M> {
    /// Merges the expansion of node `id` (emptying `kids`); true when the search must stop.
    fn merge(&mut self, id: u32, outcome: Outcome, kids: &mut Vec<Kid<M>>) -> bool {
        let applied = match outcome {
            Outcome::Terminal(t) => {
                return self.finals.record(&mut self.res, self.start, self.cfg, &self.nodes, id, t);
            }
            Outcome::Children { applied } => applied,
        };
        self.res.transitions += applied;
        for k in kids.drain(..) {
            if self.visited.insert(k.fp) {
                self.nodes.push(Node { parent: id, t: k.t });
                // Not visited now, so not visited when it was expanded either: it was kept.
                let state = k.state.expect("a successor new at merge was new at expansion");
                self.next.push(((self.nodes.len() - 1) as u32, state));
            }
        }
        let cfg = self.cfg;
        let used =
            self.visited.len() as u64 * 24 + self.nodes.len() as u64 * 16 + self.next.len() as u64 * self.state_bytes;
        if stop_requested(cfg, self.visited.len()) {
            self.res.bound = Some(CANCELLED.to_string());
            return true;
        }
        if self.visited.len() as u64 >= cfg.max_states {
            self.res.bound = Some(format!("the state bound ({} states) was reached", cfg.max_states));
            return true;
        }
        if used >= cfg.max_memory {
            self.res.bound = Some(format!("the memory budget ({} MiB) was reached", cfg.max_memory >> 20));
            return true;
        }
        false
    }
}

/// Breadth-first search from `start` (already in the search's promise mode).
pub(super) fn search<M: MemoryModel>(start: &Machine<M>, cfg: &ExploreConfig, driver: Driver) -> ExploreResult {
    let mut res = ExploreResult::empty();
    let mut root = start.clone();
    if cfg.reduce {
        res.transitions += close(&mut root, None) as u64;
    }
    let mut visited = FxHashSet::default();
    visited.insert(fingerprint(&root));
    let mut s = Search {
        start,
        cfg,
        res,
        visited,
        nodes: vec![Node { parent: u32::MAX, t: Transition::Interrupt { core: 0 } }],
        finals: Finals::default(),
        next: Vec::new(),
        state_bytes: approx_state_bytes(start) as u64,
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
        }
    }
    let states = s.visited.len() as u64;
    s.finals.finish(s.res, states, start, cfg, &s.nodes)
}

/// Expands and merges one level on this thread; true when the search must stop.
fn serial_level<M: MemoryModel>(s: &mut Search<'_, M>, scratch: &mut Scratch<M>, level: Vec<(u32, State<M>)>) -> bool {
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
