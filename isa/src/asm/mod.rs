//! The `.ucode` text format: assembler (text -> Program) and printer (Program -> text).
//! (Being written; see docs/microcode.md.)
