//! Quiescence, invariants and final states.

use crate::machine::Machine;
use isa::cond::loc_name;
use memmodels::MemoryModel;
use serde::{Deserialize, Serialize};

/// A violated invariant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// At quiescence, the final value of `word` was never observed by `func()`.
    LostWork { word: String, value: u64, observed: Vec<u64> },
    /// The program faulted (bad address, stack overflow, ...).
    Fault { core: usize, pc: isa::Pc, at: String, what: String },
    /// No transition is enabled but the machine is not quiescent.
    Deadlock { reason: String },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::LostWork { word, value, observed } => {
                let seen = if observed.is_empty() {
                    "func() never read it".to_string()
                } else {
                    format!("func() read only {observed:?}")
                };
                write!(f, "lost work: {word} ends as {value}, but {seen}")
            }
            Violation::Fault { core, at, what, .. } => write!(f, "core {core} faulted at {at}: {what}"),
            Violation::Deadlock { reason } => write!(f, "deadlock: {reason}"),
        }
    }
}

/// A final state: the values of the locations the condition observes.
pub type FinalState = Vec<u64>;

impl<M: MemoryModel> Machine<M> {
    /// The invariant violation of this state, if any: a fault at any time;
    /// lost work at quiescence; deadlock when nothing can move short of quiescence.
    pub fn violation(&self, enabled_is_empty: bool) -> Option<Violation> {
        if let Some(f) = self.faulted() {
            return Some(Violation::Fault {
                core: f.core,
                pc: f.pc,
                at: self.prog().location(f.pc),
                what: f.what.clone(),
            });
        }
        if self.quiescent() {
            for &s in &self.prog().lost_work {
                let loc = s as usize;
                let v = self.memory(loc);
                let init = self.prog().value(self.prog().symbols[loc].init);
                let seen: Vec<u64> = self.state.observed.iter().filter(|(sym, _)| *sym == s).map(|&(_, v)| v).collect();
                if v != init && !seen.contains(&v) {
                    return Some(Violation::LostWork {
                        word: self.prog().sym_name(s).to_string(),
                        value: v,
                        observed: seen,
                    });
                }
            }
            return None;
        }
        if enabled_is_empty && self.model().quiescent(&self.state.shared, &self.state.mcores) {
            let stuck: Vec<String> = self
                .state
                .cores
                .iter()
                .enumerate()
                .filter(|(_, k)| !(k.halted && !k.in_handler() && !k.irq.pending))
                .map(|(c, k)| {
                    if k.irq.pending && !k.irq.enabled {
                        format!("core {c} has an interrupt pending with interrupts disabled")
                    } else if k.irq.pending {
                        format!("core {c} has an interrupt pending and no handler")
                    } else {
                        format!("core {c} cannot move at {}", self.prog().location(k.pc))
                    }
                })
                .collect();
            return Some(Violation::Deadlock { reason: stuck.join("; ") });
        }
        None
    }

    /// The final state as the program's condition observes it (empty without a condition).
    pub fn final_state(&self) -> FinalState {
        match &self.prog().condition {
            Some(c) => c.observed().into_iter().map(|l| c.norm(l, self.loc_value(l))).collect(),
            None => Vec::new(),
        }
    }

    /// Whether this state satisfies the condition's expression.
    pub fn condition_holds(&self) -> Option<bool> {
        self.prog().condition.as_ref().map(|c| c.holds(self.prog(), &|l| self.loc_value(l)))
    }

    /// `0:r1=1; x=2;` — herd's rendering of a final state.
    pub fn final_state_text(&self, fs: &FinalState) -> String {
        final_state_text(self.prog(), fs)
    }
}

/// `0:r1=1; x=2;` — herd's rendering of a final state of `prog`.
pub fn final_state_text(prog: &isa::Program, fs: &FinalState) -> String {
    let Some(c) = &prog.condition else {
        return String::new();
    };
    c.observed()
        .into_iter()
        .zip(fs)
        .map(|(l, v)| {
            let val = match prog.sym_at(*v) {
                Some(s) if *v != 0 => prog.sym_name(s).to_string(),
                _ => c.loc_type(l).text(*v),
            };
            format!("{}={};", loc_name(prog, l), val)
        })
        .collect::<Vec<_>>()
        .join(" ")
}
