//! Operational ⇔ axiomatic: run both sides on one program and compare.
//!
//! * Soundness of the operational model: for every distinct final state the
//!   exhaustive search reaches, the execution graph of its schedule is
//!   consistent with the axiomatic model, and ends in that final state.
//! * Completeness: the final states of the consistent candidate executions
//!   ([`super::enumerate`]) are exactly the final states the search reaches.

use super::enumerate::{outcomes, EnumConfig, EnumError};
use super::Checker;
use crate::check::FinalState;
use crate::graph::{build_with, Execution, GraphError};
use crate::machine::{Machine, PromiseMode};
use crate::transition::Transition;
use crate::{explore, ExploreConfig, Verdict};
use isa::Program;
use memmodels::{MemoryModel, ModelKind};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The result of one cross-check.
#[derive(Clone, Debug)]
pub struct Agreement {
    pub model: ModelKind,
    pub operational: BTreeSet<FinalState>,
    pub axiomatic: BTreeSet<FinalState>,
    /// Operational final states whose execution the axiomatic model rejects, in words.
    pub unsound: Vec<String>,
    /// Why one side could not give a complete answer, if so.
    pub incomplete: Option<String>,
}

impl Agreement {
    /// Both sides complete, equal final-state sets, every operational execution consistent.
    pub fn agrees(&self) -> bool {
        self.incomplete.is_none() && self.unsound.is_empty() && self.operational == self.axiomatic
    }

    /// A short account of a disagreement (which final states only one side has).
    pub fn difference(&self, m: &Machine<impl MemoryModel>) -> String {
        let only = |a: &BTreeSet<FinalState>, b: &BTreeSet<FinalState>| -> Vec<String> {
            a.difference(b).map(|f| m.final_state_text(f)).collect()
        };
        let mut s = Vec::new();
        let op = only(&self.operational, &self.axiomatic);
        let ax = only(&self.axiomatic, &self.operational);
        if !op.is_empty() {
            s.push(format!("only operational: {}", op.join(" | ")));
        }
        if !ax.is_empty() {
            s.push(format!("only axiomatic: {}", ax.join(" | ")));
        }
        s.extend(self.unsound.iter().cloned());
        if let Some(i) = &self.incomplete {
            s.push(format!("incomplete: {i}"));
        }
        s.join("; ")
    }
}

/// Whether the execution of `schedule` is consistent with `model`; models with
/// compare-and-swap alternatives (ARM) accept it if either alternative is.
pub fn consistent<M: MemoryModel>(
    start: &Machine<M>,
    schedule: &[Transition],
    model: ModelKind,
) -> Result<(Execution, Result<(), super::Failure>), GraphError> {
    let (exe, points) = build_with(start, schedule, 0)?;
    let first = Checker::new(&exe.events, model).check(&exe);
    if first.is_ok() || model != ModelKind::Arm || points == 0 {
        return Ok((exe, first));
    }
    for mask in 1..(1u64 << points.min(12)) {
        let (e, _) = build_with(start, schedule, mask)?;
        if Checker::new(&e.events, model).check(&e).is_ok() {
            return Ok((e, Ok(())));
        }
    }
    Ok((exe, first))
}

/// Cross-checks `prog` under `model` (whose kind names the axiomatic model).
pub fn crosscheck<M: MemoryModel>(prog: &Arc<Program>, model: M, max_states: u64, cfg: &EnumConfig) -> Agreement {
    let kind = model.kind();
    let mut start = Machine::new(prog.clone(), model);
    start.promise_mode = PromiseMode::First;
    let ecfg = ExploreConfig { max_states, stop_on_violation: false, ..ExploreConfig::default() };
    let r = explore(&start, &ecfg);
    let mut ag = Agreement {
        model: kind,
        operational: r.finals.keys().cloned().collect(),
        axiomatic: BTreeSet::new(),
        unsound: Vec::new(),
        incomplete: None,
    };
    if r.verdict == Verdict::Bounded {
        ag.incomplete = Some(format!("operational: {}", r.bound.clone().unwrap_or_default()));
    }
    if let Some((v, _)) = &r.violation {
        ag.incomplete = Some(format!("operational: {v}"));
    }
    for (fs, info) in &r.finals {
        match consistent(&start, &info.schedule, kind) {
            Err(e) => ag.unsound.push(format!("graph of {}: {e}", start.final_state_text(fs))),
            Ok((exe, verdict)) => {
                if let Err(f) = verdict {
                    ag.unsound.push(format!(
                        "{} is reached but its execution breaks {}",
                        start.final_state_text(fs),
                        f.axiom
                    ));
                } else if exe.final_state() != *fs {
                    ag.unsound.push(format!("the graph of {} ends elsewhere", start.final_state_text(fs)));
                }
            }
        }
    }
    match outcomes(prog, kind, cfg) {
        Ok(o) => ag.axiomatic = o.finals.into_keys().collect(),
        Err(e @ (EnumError::Bounded(_) | EnumError::Unsupported(_))) => {
            ag.incomplete.get_or_insert(format!("axiomatic: {e}"));
        }
    }
    ag
}
