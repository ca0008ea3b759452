//! The arm64 lowering: what Linux compiles each primitive to on arm64.

use super::lower::Lower;
use super::prims::Prim;
use crate::litmus::text::{perr, PResult};

pub(crate) fn emit(_lw: &mut Lower, _p: Prim, off: usize) -> PResult<()> {
    perr(off, "unsupported: the arm64 mapping of C litmus tests is not written yet")
}
