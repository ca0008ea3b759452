//! Axiomatic memory models over execution graphs, and the cross-check of the
//! operational models against them.
//!
//! Each model's checker lives with the model in `memmodels` (its axiomatic
//! face, [`Axiomatic`]: SC as herd's `sc.cat`, x86-TSO as `x86tso.cat`, ARMv8
//! as herd7 7.57's `aarch64.cat`); a front end gets it from the model's
//! registry entry ([`crate::models::Model::axioms`]). This module holds what
//! works for any checker:
//!
//! [`enumerate`] builds every candidate execution of a loop-free program (herd's
//! method) to compare final-state sets; [`crosscheck`] runs both sides;
//! [`explain`] says why an outcome is not sequentially consistent; [`fixes`]
//! checks what would close it by searching again; [`gen`]
//! generates small programs for differential testing.

pub mod crosscheck;
pub mod enumerate;
pub mod explain;
pub mod fixes;
pub mod gen;

pub use memmodels::axiom::{Axiomatic, CheckOptions, Checker, Failure};
pub use memmodels::rel;

use crate::graph::Execution;

/// Checks one execution against a model's axioms.
pub fn check(exe: &Execution, model: &dyn Axiomatic) -> Result<(), Failure> {
    model.checker(&exe.events, CheckOptions::default()).check(exe)
}
