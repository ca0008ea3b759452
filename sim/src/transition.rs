//! Transitions (what a scheduler chooses) and effects (what applying one did).

use isa::Pc;
use memmodels::InternalEffect;
use serde::{Deserialize, Serialize};

/// One labelled state change of the machine. Small, hashable and serialisable:
/// a schedule is a list of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transition {
    /// The core executes its next instruction; `choice` picks among the memory
    /// model's alternatives (which value a load reads, whether a store-exclusive succeeds).
    Exec { core: u8, choice: u16 },
    /// A model-internal step of a core (TSO: its store buffer drains the oldest entry).
    Internal { core: u8, id: u16 },
    /// The core takes its pending interrupt.
    Interrupt { core: u8 },
    /// The core promises to write `val` to word `loc` later (Promising-ARM).
    Promise { core: u8, loc: u16, val: u64 },
}

impl Transition {
    pub fn core(self) -> usize {
        match self {
            Transition::Exec { core, .. }
            | Transition::Internal { core, .. }
            | Transition::Interrupt { core }
            | Transition::Promise { core, .. } => core as usize,
        }
    }
}

/// What a transition did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A core promised a write (Promising-ARM).
    Promised {
        core: usize,
        loc: usize,
        val: u64,
    },
    /// A memory instruction ran; `value` is what it returned to a register.
    Memory {
        core: usize,
        pc: Pc,
        loc: Option<usize>,
        value: Option<u64>,
    },
    /// A register-only instruction ran.
    Local {
        core: usize,
        pc: Pc,
    },
    Raised {
        core: usize,
        pc: Pc,
        target: usize,
    },
    Iret {
        core: usize,
        pc: Pc,
    },
    InterruptTaken {
        core: usize,
        handler: Pc,
    },
    Internal {
        core: usize,
        effect: InternalEffect,
    },
    Fault {
        core: usize,
        what: String,
    },
}
