//! Linux-kernel C litmus tests (herd7's `C` arch, the dialect of the kernel's
//! `tools/memory-model`), lowered to microcode through one of three mappings:
//!
//! * [`Mapping::Lkmm`]: each primitive keeps its Linux-kernel memory model
//!   annotation ([`crate::lkmm::LkTag`]), for `--model lkmm`;
//! * [`Mapping::X86`] and [`Mapping::Arm64`]: each primitive becomes what Linux
//!   compiles it to on x86-64 and arm64 (`docs/lkmm.md` has the tables), for
//!   the hardware models.
//!
//! The file is parsed once ([`parse_file`]) into a syntax tree; lowering
//! checks every name and primitive. Anything outside the supported dialect is
//! `file:line:col: unsupported ...`, never a guess.

pub mod ast;
mod lex;
mod lower;
mod map_arm64;
mod map_hw;
mod map_lkmm;
mod map_x86;
mod parse;
mod prims;

use super::text::{line_col, PResult, Piece};
use super::{Arch, LitmusError, LitmusTest};
use lower::{CondNames, Lower};

/// How the primitives of a C test become instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mapping {
    /// LKMM annotations (`--model lkmm`).
    Lkmm,
    /// Linux on x86-64.
    X86,
    /// Linux on arm64.
    Arm64,
}

impl Mapping {
    pub fn name(self) -> &'static str {
        match self {
            Mapping::Lkmm => "lkmm",
            Mapping::X86 => "x86",
            Mapping::Arm64 => "arm64",
        }
    }
}

/// Parses a C litmus test and lowers it through `mapping`.
pub fn parse(src: &str, file: &str, mapping: Mapping) -> Result<LitmusTest, LitmusError> {
    parse_inner(src, mapping).map_err(|e| {
        let (line, col) = line_col(src, e.off);
        LitmusError { file: file.to_string(), line, col, msg: e.msg }
    })
}

/// Whether the text's header says `C`.
pub fn is_c(src: &str) -> bool {
    let mut s = src.trim_start();
    // Leading comments of either kind.
    loop {
        if let Some(r) = s.strip_prefix("(*") {
            match r.find("*)") {
                Some(k) => s = r[k + 2..].trim_start(),
                None => return false,
            }
        } else if let Some(r) = s.strip_prefix("/*") {
            match r.find("*/") {
                Some(k) => s = r[k + 2..].trim_start(),
                None => return false,
            }
        } else if s.starts_with("//") {
            s = s.find('\n').map(|k| s[k..].trim_start()).unwrap_or("");
        } else {
            break;
        }
    }
    let w: String = s.chars().take_while(|c| !c.is_whitespace()).collect();
    w == "C"
}

fn parse_inner(src: &str, mapping: Mapping) -> PResult<LitmusTest> {
    let f = parse::parse_file(src)?;
    let mut lw = Lower::new(mapping, &f.name);
    let regs = lw.declare(&f)?;
    for (t, r) in f.threads.iter().zip(regs) {
        lw.thread(t, r)?;
    }
    // The final condition (OCaml comments blanked, offsets kept).
    let tail = super::text::strip_comments(&src[f.cond_off..]).map_err(|mut e| {
        e.off += f.cond_off;
        e
    })?;
    let piece = Piece::new(&tail, f.cond_off);
    let (condition, filter) = super::cond::parse_condition_filter(piece, &mut CondNames { lower: &mut lw })?;
    let reg_names = lw.reg_names();
    let mut prog = lw.prog;
    prog.condition = Some(condition);
    prog.filter = filter;
    prog.reg_names = reg_names;
    if mapping == Mapping::Lkmm {
        prog.lkmm = lw.tags;
    }
    if let Err(e) = prog.validate() {
        return super::text::perr(f.name_off, format!("invalid program: {e}"));
    }
    Ok(LitmusTest {
        arch: Arch::C,
        name: f.name,
        doc: f.doc,
        meta: f.meta,
        program: prog,
        types: Vec::new(),
        access_pos: Vec::new(),
    })
}
