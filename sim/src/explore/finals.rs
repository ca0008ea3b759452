//! What the search learns from states with no enabled transition (violations,
//! final states, dead ends), and the shortest schedules that reach them.

use super::{close, ExploreConfig, ExploreResult, FinalInfo, Verdict};
use crate::check::{FinalState, Violation};
use crate::machine::{Machine, PromiseMode};
use crate::transition::Transition;
use memmodels::MemoryModel;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// A visited state: the node it was reached from and by which transition
/// (eager steps after it are not recorded: they are re-run).
pub(super) struct Node {
    pub(super) parent: u32,
    pub(super) t: Transition,
}

/// What a state with no enabled transition is.
pub(super) enum Terminal {
    Violation(Violation),
    /// A quiescent final state: its valuation and whether the condition holds.
    Final(FinalState, bool),
    /// Neither (an ARM run with promises left): not a final state.
    DeadEnd,
}

/// What the state in `m` (with no enabled transition) is.
pub(super) fn terminal<M: MemoryModel>(m: &Machine<M>) -> Terminal {
    if let Some(v) = m.violation(true) {
        Terminal::Violation(v)
    } else if m.quiescent() {
        Terminal::Final(m.final_state(), m.condition_holds().unwrap_or(false))
    } else {
        Terminal::DeadEnd
    }
}

impl ExploreResult {
    pub(super) fn empty() -> ExploreResult {
        ExploreResult {
            verdict: Verdict::Safe,
            states: 0,
            transitions: 0,
            violation: None,
            finals: BTreeMap::new(),
            bound: None,
            depth: 0,
            terminals: 0,
            promise_mode: PromiseMode::Off,
            peak_memory: None,
        }
    }
}

/// The final states found so far (by the node that reached each first); their
/// schedules are built once the search ends.
#[derive(Default)]
pub(super) struct Finals {
    at: FxHashMap<FinalState, (bool, u32)>,
    order: Vec<FinalState>,
}

impl Finals {
    /// Records a state with no enabled transition at node `id`; true when the
    /// search must stop (a violation, when it stops at the first).
    pub(super) fn record<M: MemoryModel>(
        &mut self,
        res: &mut ExploreResult,
        start: &Machine<M>,
        cfg: &ExploreConfig,
        nodes: &[Node],
        id: u32,
        t: Terminal,
    ) -> bool {
        res.terminals += 1;
        match t {
            Terminal::Violation(v) => {
                if res.violation.is_none() {
                    res.violation = Some((v, schedule_to(start, nodes, id, cfg.reduce)));
                    res.verdict = Verdict::Violation;
                }
                return cfg.stop_on_violation;
            }
            Terminal::Final(fs, holds) => {
                if !self.at.contains_key(&fs) {
                    self.at.insert(fs.clone(), (holds, id));
                    self.order.push(fs);
                }
            }
            Terminal::DeadEnd => {}
        }
        false
    }

    /// The finished result: state count, verdict, and a shortest schedule per final state.
    pub(super) fn finish<M: MemoryModel>(
        self,
        mut res: ExploreResult,
        states: u64,
        start: &Machine<M>,
        cfg: &ExploreConfig,
        nodes: &[Node],
    ) -> ExploreResult {
        res.states = states;
        res.promise_mode = start.promise_mode();
        if res.bound.is_some() && res.verdict != Verdict::Violation {
            res.verdict = Verdict::Bounded;
        }
        for fs in self.order {
            let (holds, id) = self.at[&fs];
            res.finals.insert(fs, FinalInfo { holds, schedule: schedule_to(start, nodes, id, cfg.reduce) });
        }
        res
    }
}

/// The full schedule (eager steps included) from the start to node `id`.
pub(super) fn schedule_to<M: MemoryModel>(
    start: &Machine<M>,
    nodes: &[Node],
    id: u32,
    reduce: bool,
) -> Vec<Transition> {
    let mut chosen = Vec::new();
    let mut at = id;
    while at != 0 {
        let n = &nodes[at as usize];
        chosen.push(n.t);
        at = n.parent;
    }
    chosen.reverse();
    let mut m = start.clone();
    let mut out = Vec::new();
    if reduce {
        close(&mut m, Some(&mut out));
    }
    for t in chosen {
        m.apply_unchecked(t);
        out.push(t);
        if reduce {
            close(&mut m, Some(&mut out));
        }
    }
    out
}
