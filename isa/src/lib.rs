//! weaksim's microcode: the instruction set, whole programs, final conditions,
//! a builder for generated programs, and (in [`asm`]) the `.ucode` text format.
//!
//! Nothing here knows about memory models or machines: a [`Program`] is plain data.

pub mod asm;
pub mod builder;
pub mod cond;
pub mod disasm;
pub mod instr;
pub mod litmus;
pub mod lkmm;
pub mod program;

pub use builder::Builder;
pub use cond::{CondExpr, Condition, Loc, Quantifier};
pub use instr::*;
pub use program::{CoreSpec, Label, Program, ProgramError, Symbol, Value, FINGERPRINT_VERSION, MAX_CORES};
