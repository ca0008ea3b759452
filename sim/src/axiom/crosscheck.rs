//! Operational ⇔ axiomatic: run both sides on one program and compare.
//!
//! * Soundness of the operational model: for every distinct final state the
//!   exhaustive search reaches, the execution graph of its schedule is
//!   consistent with the axiomatic model, and ends in that final state.
//! * Completeness: the final states of the consistent candidate executions
//!   ([`super::enumerate`]) are exactly the final states the search reaches.

use super::enumerate::{EnumConfig, EnumError};
use super::{Axiomatic, CheckOptions, Failure};
use crate::check::{final_state_text, FinalState};
use crate::graph::{Execution, GraphError};
use crate::models::{DynMachine, Model};
use crate::transition::Transition;
use crate::{ExploreConfig, Verdict};
use isa::Program;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The result of one cross-check.
#[derive(Clone, Debug)]
pub struct Agreement {
    pub model: Model,
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

    /// A short account of a disagreement (which final states of `prog` only one side has).
    pub fn difference(&self, prog: &Program) -> String {
        let only = |a: &BTreeSet<FinalState>, b: &BTreeSet<FinalState>| -> Vec<String> {
            a.difference(b).map(|f| final_state_text(prog, f)).collect()
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

/// Whether the execution of `schedule` (run from `start`) is consistent with
/// `model`; for a model that reads dependencies, either compare-and-swap
/// alternative may be the consistent one.
pub fn consistent(
    start: &dyn DynMachine,
    schedule: &[Transition],
    model: &dyn Axiomatic,
) -> Result<(Execution, Result<(), Failure>), GraphError> {
    let (exe, points) = start.execution(schedule, 0)?;
    let check = |e: &Execution| model.checker(&e.events, CheckOptions::default()).check(e);
    let first = check(&exe);
    if first.is_ok() || !model.reads_dependencies() || points == 0 {
        return Ok((exe, first));
    }
    for mask in 1..(1u64 << points.min(12)) {
        let (e, _) = start.execution(schedule, mask)?;
        if check(&e).is_ok() {
            return Ok((e, Ok(())));
        }
    }
    Ok((exe, first))
}

/// Cross-checks `prog` under `model`'s two faces: its operational search and
/// its axiomatic checker (a model without both cannot be cross-checked).
pub fn crosscheck(prog: &Arc<Program>, model: &Model, max_states: u64, cfg: &EnumConfig) -> Agreement {
    let ecfg = ExploreConfig { max_states, stop_on_violation: false, ..ExploreConfig::default() };
    crosscheck_with(prog, model, &ecfg, cfg)
}

/// [`crosscheck`] with the operational search's configuration given (bounds,
/// time limit); it should not stop at the first violation.
pub fn crosscheck_with(prog: &Arc<Program>, model: &Model, ecfg: &ExploreConfig, cfg: &EnumConfig) -> Agreement {
    let mut ag = Agreement {
        model: model.clone(),
        operational: BTreeSet::new(),
        axiomatic: BTreeSet::new(),
        unsound: Vec::new(),
        incomplete: None,
    };
    let (m, axioms) = match (model.machine(prog.clone()), model.axioms()) {
        (Ok(m), Ok(a)) => (m, a),
        (Err(e), _) | (_, Err(e)) => {
            ag.incomplete = Some(e.to_string());
            return ag;
        }
    };
    let r = m.explore(ecfg);
    let start = m.with_promise_mode(r.promise_mode);
    ag.operational = r.finals.keys().cloned().collect();
    if r.verdict == Verdict::Bounded {
        ag.incomplete = Some(format!("operational: {}", r.bound.clone().unwrap_or_default()));
    }
    if let Some((v, _)) = &r.violation {
        ag.incomplete = Some(format!("operational: {v}"));
    }
    for (fs, info) in &r.finals {
        match consistent(&*start, &info.schedule, axioms) {
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
    match model.axiomatic_outcomes(prog, cfg) {
        Ok(o) => ag.axiomatic = o.finals.into_keys().collect(),
        Err(crate::models::AxiomaticError::Enum(e @ (EnumError::Bounded(_) | EnumError::Unsupported(_)))) => {
            ag.incomplete.get_or_insert(format!("axiomatic: {e}"));
        }
        Err(e) => {
            ag.incomplete.get_or_insert(format!("axiomatic: {e}"));
        }
    }
    ag
}
