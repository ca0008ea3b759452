//! Promises and their certification (Promising-ARM, Pulte et al., PLDI 2019).
//!
//! A core may promise a write `loc := val` ahead of time only if, running alone
//! from the resulting state, it can fulfil all its promises (it is *certified*).
//! The candidates are the writes the core performs in such a solo run.
//! Models without promises never reach this code.

use crate::machine::Machine;
use crate::transition::Transition;
use memmodels::MemoryModel;

/// Appends the certified promise transitions of every core to `out`.
pub fn promise_transitions<M: MemoryModel>(_m: &Machine<M>, _out: &mut Vec<Transition>) {
    // Written with the ARM model: no model with promises exists yet.
}
