//! The same breadth-first search as [`crate::explore`], level by level on
//! several threads, with a result identical to the one-thread search:
//!
//! 1. (parallel) every state of the level is expanded; each successor is built
//!    in a per-thread scratch machine and only its fingerprint is kept;
//! 2. (in order) fingerprints enter the visited set in the order the
//!    one-thread search would insert them, so node numbers, parents and the
//!    first violation are the same;
//! 3. (parallel) the successors that were new are built again and become the
//!    next level.

use crate::explore::{
    approx_state_bytes, close, fingerprint, stop_requested, terminal, ExploreConfig, ExploreResult, Finals, Node,
    Terminal,
};
use crate::machine::{Machine, State};
use crate::transition::Transition;
use memmodels::MemoryModel;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

/// What expanding one state gave.
enum Expanded {
    Terminal(Terminal),
    /// Successors: fingerprint and transition, in `enabled` order; and the
    /// number of transitions applied (eager steps included).
    Children(Vec<(u64, Transition)>, u64),
}

/// States per task: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 256;

pub(crate) fn explore_parallel<M: MemoryModel>(
    start: &Machine<M>,
    cfg: &ExploreConfig,
    threads: usize,
) -> ExploreResult {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    pool.install(|| run(start, cfg))
}

fn run<M: MemoryModel>(start: &Machine<M>, cfg: &ExploreConfig) -> ExploreResult {
    let mut res = ExploreResult::empty();
    let mut root = start.clone();
    if cfg.reduce {
        res.transitions += close(&mut root, None) as u64;
    }
    let mut visited: FxHashSet<u64> = FxHashSet::default();
    visited.insert(fingerprint(&root));
    let mut nodes: Vec<Node> = vec![Node { parent: u32::MAX, t: Transition::Interrupt { core: 0 } }];
    let state_bytes = approx_state_bytes(start) as u64;
    let mut frontier: Vec<(u32, State<M>)> = vec![(0, root.state.clone())];
    let mut finals = Finals::default();

    'levels: while !frontier.is_empty() {
        // 1. Expand every state of the level.
        let expanded: Vec<Expanded> = frontier
            .par_chunks(CHUNK)
            .flat_map_iter(|chunk| {
                let (mut cur, mut child) = (root.clone(), root.clone());
                let mut enabled = Vec::new();
                let mut out = Vec::with_capacity(chunk.len());
                for (_, st) in chunk {
                    cur.state.clone_from(st);
                    enabled.clear();
                    cur.enabled_into(&mut enabled);
                    if enabled.is_empty() {
                        out.push(Expanded::Terminal(terminal(&cur)));
                        continue;
                    }
                    let mut kids = Vec::with_capacity(enabled.len());
                    let mut applied = 0u64;
                    for &t in &enabled {
                        child.state.clone_from(&cur.state);
                        child.apply_unchecked(t);
                        applied += 1;
                        if cfg.reduce {
                            applied += close(&mut child, None) as u64;
                        }
                        kids.push((fingerprint(&child), t));
                    }
                    out.push(Expanded::Children(kids, applied));
                }
                out
            })
            .collect();

        // 2. Deduplicate in the one-thread search's order.
        let mut fresh: Vec<(usize, Transition)> = Vec::new();
        for (i, e) in expanded.into_iter().enumerate() {
            let id = frontier[i].0;
            match e {
                Expanded::Terminal(t) => {
                    if finals.record(&mut res, start, cfg, &nodes, id, t) {
                        break 'levels;
                    }
                }
                Expanded::Children(kids, applied) => {
                    res.transitions += applied;
                    for (fp, t) in kids {
                        if visited.insert(fp) {
                            nodes.push(Node { parent: id, t });
                            fresh.push((i, t));
                        }
                    }
                    let used = visited.len() as u64 * 24 + nodes.len() as u64 * 16 + fresh.len() as u64 * state_bytes;
                    if stop_requested(cfg, visited.len()) {
                        res.bound = Some(crate::explore::CANCELLED.to_string());
                        break 'levels;
                    }
                    if visited.len() as u64 >= cfg.max_states {
                        res.bound = Some(format!("the state bound ({} states) was reached", cfg.max_states));
                        break 'levels;
                    }
                    if used >= cfg.max_memory {
                        res.bound = Some(format!("the memory budget ({} MiB) was reached", cfg.max_memory >> 20));
                        break 'levels;
                    }
                }
            }
        }

        // 3. Build the new states of the next level, in order.
        let first_id = nodes.len() - fresh.len();
        let next: Vec<(u32, State<M>)> = fresh
            .par_chunks(CHUNK)
            .enumerate()
            .flat_map_iter(|(k, chunk)| {
                let mut child = root.clone();
                let frontier = &frontier;
                chunk
                    .iter()
                    .enumerate()
                    .map(move |(j, &(i, t))| {
                        child.state.clone_from(&frontier[i].1);
                        child.apply_unchecked(t);
                        if cfg.reduce {
                            close(&mut child, None);
                        }
                        ((first_id + k * CHUNK + j) as u32, child.state.clone())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if !next.is_empty() {
            res.depth += 1;
        }
        frontier = next;
    }
    finals.finish(res, visited.len() as u64, start, cfg, &nodes)
}
