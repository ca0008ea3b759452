//! The `.ucode` text format: assembler (text -> [`Program`]) and printer
//! (`Program` -> text). The format is described in `docs/microcode.md`.
//!
//! ```
//! let src = "core 0 start=main\nmain:\n    store [x], 1\n    halt\nsym x = 0\n";
//! let p = isa::asm::parse(src, "demo.ucode").unwrap();
//! assert_eq!(p.name, "demo");
//! assert_eq!(isa::asm::parse(&isa::asm::print(&p), "demo.ucode"), Ok(p));
//! ```

pub(crate) mod cond;
mod error;
mod instrs;
mod lexer;
mod parse;
mod print;

pub use cond::{
    parse_condition, parse_condition_with, CondResolver, LocName, ProgramResolver, ResolveError, ValueName,
};
pub use error::AsmError;
pub use print::{addr_text, instr_text, instr_text_at, op_text, print};

use crate::program::Program;

/// Assembles `.ucode` text. `file` is used in error messages, and its stem
/// (`dir/sb.ucode` -> `sb`) is the program name unless a `name` directive
/// gives one. Never panics; every error points at the offending token.
pub fn parse(src: &str, file: &str) -> Result<Program, AsmError> {
    parse::parse_program(src, file, false)
}

/// Like [`parse`], and also refuses a program in which some core can run past
/// the end of its code (a path from its `start=` or `handler=` that reaches
/// the end without `halt`, `jmp`, `ret` or `iret`, following every branch
/// both ways): the error points at the last instruction. What the command
/// line uses for `.ucode` files.
pub fn assemble(src: &str, file: &str) -> Result<Program, AsmError> {
    parse::parse_program(src, file, true)
}
