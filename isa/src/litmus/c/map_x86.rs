//! The x86 lowering: what Linux compiles each primitive to on x86-64.

use super::lower::Lower;
use super::prims::Prim;
use crate::litmus::text::{perr, PResult};

pub(crate) fn emit(_lw: &mut Lower, _p: Prim, off: usize) -> PResult<()> {
    perr(off, "unsupported: the x86 mapping of C litmus tests is not written yet")
}
