//! One-line text of instructions, operands and addresses in `.ucode` syntax,
//! for listings and narration (the printer's own functions, re-exported).

pub use crate::asm::{addr_text, instr_text, instr_text_at, op_text as operand_text};
