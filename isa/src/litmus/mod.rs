//! herd7 `.litmus` import (X86, X86_64, AArch64) into microcode programs.
//!
//! A litmus file is:
//!
//! ```text
//! AArch64 MP                        header: ARCH NAME
//! "optional doc string"
//! Key=Value                         any number of metadata lines
//! { 0:X1=x; 0:X3=y; [x]=0; }        initial state
//!  P0          | P1          ;      program: one column per thread,
//!  MOV W0,#1   | LDR W0,[X3] ;      one row per line, `;`-terminated
//!  STR W0,[X1] | LDR W2,[X1] ;
//! locations [x;]                    optional
//! exists (1:X0=1 /\ 1:X2=0)         final condition
//! ```
//!
//! Thread `Pi` becomes core `i`: its code is its column, labelled `P<i>` (its own
//! labels become `P<i>.<label>`), followed by `halt`. Every architectural
//! register maps to one microcode register for the whole program (W0 and X0
//! share one, as do EAX/RAX/AX/AL), in order of first use; the condition's
//! spelling is the display name. Condition flags (NZCV/EFLAGS) get their own
//! register when a program compares: it holds `a - b` of the last compare, so
//! `EQ` is "flags = 0". Cores that use flags start with flags = 1 (Z clear),
//! as herd starts them.
//!
//! Anything outside the supported subset is reported as
//! `file:line:col: unsupported ...`; nothing is guessed.

mod a64ops;
mod aarch64;
pub mod c;
mod cond;
mod herd;
mod init;
mod regs;
mod text;
mod x86;

use crate::cond::{Loc, LocType};
use crate::instr::{Instr, Pc, Reg, SymId, Width};
use crate::program::{CoreSpec, Label, Program, Symbol, Value, MAX_CORES};
use init::{InitLhs, InitVal};
use regs::{ArchReg, RegAlloc, RegKey};
use std::fmt;
use text::{is_ident, is_label, line_col, lines, parse_num, perr, show, PResult, Piece};

/// The architecture line of a litmus test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// herd's `X86`: 32-bit, Intel syntax (`MOV [x],$1`).
    X86,
    /// herd's `X86_64`: AT&T syntax (`movl $1,(x)`).
    X86_64,
    AArch64,
    /// Linux-kernel C (through a mapping: [`parse_with`]).
    C,
}

impl Arch {
    /// The name as written on a litmus header line.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86 => "X86",
            Arch::X86_64 => "X86_64",
            Arch::AArch64 => "AArch64",
            Arch::C => "C",
        }
    }

    /// Parses a header arch name (case-insensitive).
    pub fn from_name(s: &str) -> Option<Arch> {
        [Arch::X86, Arch::X86_64, Arch::AArch64, Arch::C].into_iter().find(|a| a.name().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An imported litmus test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LitmusTest {
    pub arch: Arch,
    pub name: String,
    /// The quoted string after the header line, without its quotes.
    pub doc: Option<String>,
    /// `Key=Value` lines, in order.
    pub meta: Vec<(String, String)>,
    pub program: Program,
    /// The types the initial state declares (`uint64_t 0:X1`, `int x`), as written
    /// (`int*` for a pointer); herd prints a location's value according to it.
    pub types: Vec<(Loc, String)>,
    /// Where each memory instruction comes from: (pc, line, column).
    pub access_pos: Vec<(Pc, usize, usize)>,
}

/// A parse error with its position (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {msg}")]
pub struct LitmusError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

/// Parses the text of a `.litmus` file; `file` is only used in error messages.
pub fn parse(src: &str, file: &str) -> Result<LitmusTest, LitmusError> {
    parse_inner(src).map_err(|e| {
        let (line, col) = line_col(src, e.off);
        LitmusError { file: file.to_string(), line, col, msg: e.msg }
    })
}

/// Tracks which flags writers precede flags readers in an x86 thread, since
/// only flags set by CMP are modelled.
#[derive(Default)]
pub(crate) struct FlagTrack {
    /// The textually last flag-writing instruction: (is it a CMP, its mnemonic).
    pub last_writer: Option<(bool, String)>,
    /// Some flag-writing instruction other than CMP in this thread.
    pub non_cmp_writer: Option<String>,
    /// Whether the thread reads the flags.
    pub reader: bool,
}

/// Translation state shared by the instruction decoders.
pub(crate) struct Cx<'a> {
    pub arch: Arch,
    pub prog: Program,
    pub regs: RegAlloc,
    sym_inited: Vec<bool>,
    /// Arrays: name, first element, length.
    arrays: Vec<(String, SymId, usize)>,
    nthreads: usize,
    /// This thread's labels (unprefixed names) and their pcs.
    labels: Vec<(String, Pc)>,
    /// Control-flow instructions whose target is a label of this thread.
    fixups: Vec<(usize, Piece<'a>)>,
    /// The pc of each source instruction of this thread (for `.+8` targets).
    src_pcs: Vec<Pc>,
    /// Where each memory instruction of the program comes from (pc, source offset).
    pub accesses: Vec<(Pc, usize)>,
    uses_flags: bool,
    pub flags: FlagTrack,
}

impl<'a> Cx<'a> {
    /// The symbol `name` (an array's name: its first element), declared (init 0)
    /// on first use.
    pub fn sym(&mut self, name: Piece<'_>) -> PResult<SymId> {
        // A register name here is a register without its thread (`X1=y` for `0:X1=y`).
        if self.arch_reg(name).is_some() && self.prog.sym_by_name(name.s).is_none() {
            return perr(name.off, format!("{} is a register: give its thread, as in 0:{}", show(name.s), name.s));
        }
        self.sym_named(name)
    }

    /// Like [`Cx::sym`], where a register name can only be a location (a value).
    fn sym_named(&mut self, name: Piece<'_>) -> PResult<SymId> {
        vmsa(name)?;
        if let Some(&(_, first, _)) = self.arrays.iter().find(|a| a.0 == name.s) {
            return Ok(first);
        }
        if let Some(s) = self.prog.sym_by_name(name.s) {
            return Ok(s);
        }
        if !is_ident(name.s) {
            return perr(name.off, format!("bad location name {}", show(name.s)));
        }
        // The names the importer gives its own registers are reserved.
        let numbered = |p: &str| {
            name.s.len() > p.len()
                && name.s[..p.len()].eq_ignore_ascii_case(p)
                && name.s[p.len()..].bytes().all(|b| b.is_ascii_digit())
        };
        if numbered("r") || numbered("tmp") || ["tmp", "nzcv", "eflags"].iter().any(|r| name.s.eq_ignore_ascii_case(r))
        {
            return perr(name.off, format!("location name {} is reserved", show(name.s)));
        }
        self.new_sym(name.s, Width::W64, name.off)
    }

    fn new_sym(&mut self, name: &str, width: Width, off: usize) -> PResult<SymId> {
        if self.prog.symbols.len() > SymId::MAX as usize {
            return perr(off, "too many memory locations");
        }
        let mut s = Symbol::new(name, Value::Num(0));
        s.width = width;
        self.prog.symbols.push(s);
        self.sym_inited.push(false);
        Ok((self.prog.symbols.len() - 1) as SymId)
    }

    /// Element `i` of array `name`, if `name` is an array and `i` in range.
    fn element(&self, name: &str, i: usize) -> Option<SymId> {
        self.arrays.iter().find(|a| a.0 == name).filter(|a| i < a.2).map(|a| a.1 + i as SymId)
    }

    /// Parses an architectural register name of this test's architecture.
    /// In X86_64 code a `%` prefix is required (`pct`), elsewhere optional.
    pub fn arch_reg(&self, p: Piece<'_>) -> Option<ArchReg> {
        match self.arch {
            Arch::AArch64 => regs::aarch64_reg(p.s),
            _ => regs::x86_reg(p.s.strip_prefix('%').unwrap_or(p.s)),
        }
    }

    /// The microcode register for general-purpose register `n`, spelled `p`.
    pub fn gpr(&mut self, n: u8, p: Piece<'_>) -> PResult<Reg> {
        let spelling = p.s.strip_prefix('%').unwrap_or(p.s);
        self.regs.get(RegKey::Gpr(n), spelling, p.off)
    }

    /// The microcode register for general-purpose register `n`, used implicitly
    /// (like EAX by CMPXCHG), named `name` if new.
    pub fn implicit_gpr(&mut self, n: u8, name: &str, off: usize) -> PResult<Reg> {
        self.regs.get(RegKey::Gpr(n), name, off)
    }

    /// The condition-flags register.
    pub fn flags_reg(&mut self, off: usize) -> PResult<Reg> {
        self.uses_flags = true;
        let name = if self.arch == Arch::AArch64 { "NZCV" } else { "EFLAGS" };
        self.regs.get(RegKey::Flags, name, off)
    }

    /// The scratch register used by expansions.
    pub fn spare_reg(&mut self, off: usize) -> PResult<Reg> {
        self.temp(0, off)
    }

    /// Scratch register `k` (`tmp`, `tmp1`, ...), for expansions that need several.
    pub fn temp(&mut self, k: u8, off: usize) -> PResult<Reg> {
        let name = if k == 0 { "tmp".to_string() } else { format!("tmp{k}") };
        self.regs.get(RegKey::Spare(k), &name, off)
    }

    pub fn pc(&self) -> usize {
        self.prog.code.len()
    }

    /// Marks the next two instructions as the halves of one pair instruction.
    pub fn pair_at(&mut self, pc: usize) {
        self.prog.pairs.push(pc as Pc);
    }

    pub fn emit(&mut self, i: Instr) {
        self.prog.code.push(i);
    }

    /// Emits a branch or jump to a label of the current thread.
    pub fn emit_to(&mut self, i: Instr, label: Piece<'a>) -> PResult<()> {
        let rel = label.s.strip_prefix(".+").or_else(|| label.s.strip_prefix('.'));
        if rel.is_some_and(|r| r.is_empty() || r.starts_with(['-', '+']) || r.chars().all(|c| c.is_ascii_digit())) {
            // `.+8`: 8 bytes (two instructions) after this one; resolved with the labels.
            let ok = label.s.strip_prefix('.').and_then(|r| r.parse::<i64>().ok()).is_some_and(|n| n % 4 == 0);
            if !ok {
                return perr(label.off, format!("unsupported branch target {}", show(label.s)));
            }
            self.fixups.push((self.pc(), label));
            self.emit(i.with_target(Pc::MAX));
            return Ok(());
        }
        if !is_label(label.s) {
            return perr(label.off, format!("expected a label, found {}", show(label.s)));
        }
        self.fixups.push((self.pc(), label));
        self.emit(i.with_target(Pc::MAX));
        Ok(())
    }

    fn value(&mut self, v: Piece<'_>) -> PResult<Value> {
        vmsa(v)?;
        let name = v.s.strip_prefix('&').map(|_| v.slice(1, v.s.len()).trim()).unwrap_or(v);
        if let Some(n) = parse_num(v.s) {
            Ok(Value::Num(n))
        } else if is_ident(name.s) {
            Ok(Value::Addr(self.sym_named(name)?))
        } else if let Some((t, l)) = v.split_once(':') {
            if t.s.starts_with('P') && is_label(l.s) {
                return perr(v.off, format!("unsupported code label {} as a value", show(v.s)));
            }
            perr(v.off, format!("bad value {}", show(v.s)))
        } else {
            perr(v.off, format!("bad value {}", show(v.s)))
        }
    }

    /// A thread number (`0` of `0:X1`) of this test.
    fn thread_num(&self, thread: Piece<'_>) -> PResult<u8> {
        let t: usize = match thread.s.parse() {
            Ok(t) if thread.s.chars().all(|c| c.is_ascii_digit()) => t,
            _ => return perr(thread.off, format!("bad thread number {}", show(thread.s))),
        };
        if t >= self.nthreads {
            let n = self.nthreads;
            return perr(thread.off, format!("no thread P{t} (the test has {n} thread{})", plural(n)));
        }
        Ok(t as u8)
    }

    /// Resolves `thread:reg` of the initial state or of the condition.
    fn thread_reg(&mut self, thread: Piece<'_>, reg: Piece<'_>) -> PResult<(u8, Reg)> {
        let t = self.thread_num(thread)?;
        match self.arch_reg(reg) {
            Some(ArchReg::Gpr(n)) => Ok((t, self.gpr(n, reg)?)),
            _ if is_system_reg(reg.s) => perr(
                reg.off,
                format!("unsupported system register {} (system registers are not modelled)", show(reg.s)),
            ),
            _ => perr(reg.off, format!("bad register {}", show(reg.s))),
        }
    }
}

impl cond::CondEnv for Cx<'_> {
    fn reg_loc(&mut self, thread: Piece<'_>, reg: Piece<'_>) -> PResult<Loc> {
        if self.arch_reg(reg) == Some(ArchReg::Zero) {
            // Reads as 0: a register of its own that no instruction writes.
            let core = self.thread_num(thread)?;
            let r = self.regs.get(RegKey::Zero, reg.s, reg.off)?;
            return Ok(Loc::Reg { core, reg: r });
        }
        let (core, r) = self.thread_reg(thread, reg)?;
        self.regs.name_from_condition(r, reg.s.strip_prefix('%').unwrap_or(reg.s));
        Ok(Loc::Reg { core, reg: r })
    }
    fn mem_loc(&mut self, sym: Piece<'_>) -> PResult<Loc> {
        // In x86 code a bare register name is the register without its thread
        // (`EAX=1` for `0:EAX=1`), not a location; AArch64 tests do name
        // locations like registers (`x1`), and those stay locations.
        if matches!(self.arch, Arch::X86 | Arch::X86_64)
            && self.arch_reg(sym).is_some()
            && self.prog.sym_by_name(sym.s).is_none()
        {
            let bare = sym.s.strip_prefix('%').unwrap_or(sym.s);
            return perr(sym.off, format!("{} is a register: give its thread, as in 0:{bare}", show(sym.s)));
        }
        Ok(Loc::Mem(self.sym_named(sym)?))
    }
    fn elem_loc(&mut self, sym: Piece<'_>, index: Piece<'_>) -> PResult<Loc> {
        let Ok(i) = index.s.parse::<usize>() else {
            return perr(index.off, format!("bad array index {}", show(index.s)));
        };
        match self.element(sym.s, i) {
            Some(s) => Ok(Loc::Mem(s)),
            None => perr(sym.off, format!("no array element `{}[{i}]`", sym.s)),
        }
    }
    fn array_elem(&mut self, sym: Piece<'_>, i: usize) -> PResult<Loc> {
        match self.element(sym.s, i) {
            Some(s) => Ok(Loc::Mem(s)),
            None if self.arrays.iter().any(|a| a.0 == sym.s) => {
                perr(sym.off, format!("too many values for array {}", show(sym.s)))
            }
            None => perr(sym.off, format!("{} is not an array", show(sym.s))),
        }
    }
    fn value(&mut self, v: Piece<'_>) -> PResult<Value> {
        Cx::value(self, v)
    }
}

/// Refuses the virtual-memory (VMSA) forms herd accepts only with `-variant vmsa`:
/// page-table entries `PTE(x)` / `pte_x`, translation-table descriptors `TTD(x)`,
/// physical addresses `PA(x)` / `phy_x`.
pub(crate) fn vmsa(p: Piece<'_>) -> PResult<()> {
    let s = p.s;
    let at_word = |i: usize| i == 0 || !s[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let f = ["PTE(", "TTD(", "PA(", "pte_", "phy_"].into_iter().find(|f| s.match_indices(f).any(|(i, _)| at_word(i)));
    match f {
        Some(f) => perr(
            p.off,
            format!(
                "unsupported virtual-memory location {} (`{}...`: herd7 runs VMSA tests only with -variant vmsa)",
                show(p.s),
                f
            ),
        ),
        None => Ok(()),
    }
}

/// An initial value as a cell `w` wide holds it.
fn fit(v: Value, w: Width) -> Value {
    match v {
        Value::Num(n) => Value::Num(w.trunc(n)),
        a => a,
    }
}

/// How herd reads a location of a declared type (`int*`: a pointer).
pub(crate) fn type_of(t: &str) -> LocType {
    if t.ends_with('*') {
        return LocType::WORD;
    }
    let width = init::type_width(t).unwrap_or(Width::W32);
    let signed = !(t.starts_with('u') || t == "unsigned");
    LocType { width, signed }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Words that end the program rows and start the condition part.
fn starts_condition(line: Piece<'_>) -> bool {
    let t = line.trim().s;
    let word: String = t.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    t.starts_with('~') || matches!(word.as_str(), "exists" | "forall" | "locations" | "filter" | "cases")
}

const C_UNSUPPORTED: &str =
    "unsupported arch C here (a Linux-kernel C litmus test is lowered through a mapping: see `litmus::parse_with`)";

/// Parses any litmus file; a C test is lowered through `mapping` ([`c::Mapping`]).
pub fn parse_with(src: &str, file: &str, mapping: c::Mapping) -> Result<LitmusTest, LitmusError> {
    if c::is_c(src) {
        c::parse(src, file, mapping)
    } else {
        parse(src, file)
    }
}

fn parse_inner(src: &str) -> PResult<LitmusTest> {
    // C tests are rejected before comments are looked at: C code has `(*p)`.
    if let Some(first) = lines(src).into_iter().map(|l| l.trim()).find(|l| !l.is_empty()) {
        let w = first.first_word().0;
        if w.s.eq_ignore_ascii_case("C") {
            return perr(w.off, C_UNSUPPORTED);
        }
    }
    let stripped = text::strip_comments(src)?;
    let text = stripped.as_str();
    let ls = lines(text);
    let eof = text.trim_end().len();
    let mut li = 0;
    let skip_blank = |li: &mut usize| {
        while *li < ls.len() && ls[*li].trim().is_empty() {
            *li += 1;
        }
    };

    // Header.
    skip_blank(&mut li);
    if li == ls.len() {
        return perr(0, "empty file");
    }
    let header = ls[li].trim();
    let hw = header.words();
    let aw = hw[0];
    let arch = match Arch::from_name(aw.s) {
        Some(Arch::C) => return perr(aw.off, C_UNSUPPORTED),
        Some(a) => a,
        None if is_ident(aw.s) && hw.len() > 1 => {
            return perr(aw.off, format!("unknown arch {} (expected X86, X86_64, AArch64 or C)", show(aw.s)))
        }
        None => return perr(aw.off, "missing header line `ARCH NAME`"),
    };
    let Some(name) = hw.get(1) else {
        return perr(header.end(), format!("missing test name after `{}`", aw.s));
    };
    if let Some(extra) = hw.get(2) {
        return perr(extra.off, format!("unexpected {} after the test name", show(extra.s)));
    }
    li += 1;

    // Doc string and metadata, up to the `{` of the initial state.
    let mut doc: Option<String> = None;
    let mut meta = Vec::new();
    let open = loop {
        skip_blank(&mut li);
        if li == ls.len() {
            return perr(eof, "missing initial state `{ ... }`");
        }
        let t = ls[li].trim();
        if t.s.starts_with('{') {
            break t.off;
        }
        if t.s.starts_with('"') {
            if doc.is_some() || !meta.is_empty() {
                return perr(t.off, "the doc string must come right after the header line");
            }
            let Some(close) = text[t.off + 1..].find('"').map(|i| t.off + 1 + i) else {
                return perr(t.off, "unterminated doc string");
            };
            doc = Some(text[t.off + 1..close].to_string());
            while li < ls.len() && ls[li].end() <= close {
                li += 1;
            }
            let rest = Piece::new(&text[close + 1..ls[li].end()], close + 1).trim();
            if !rest.is_empty() {
                return perr(rest.off, format!("unexpected {} after the doc string", show(rest.s)));
            }
            li += 1;
            continue;
        }
        let first = t.first_word().0;
        if first.s == "P0" || first.s.starts_with("P0|") {
            return perr(t.off, "missing initial state `{ ... }` before the program");
        }
        match t.split_once('=') {
            Some((k, v))
                if !k.trim().is_empty()
                    && k.trim().s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
            {
                meta.push((k.trim().s.to_string(), v.trim().s.to_string()));
            }
            // herd's splitter skips any other text before the `{` (a stray `q`
            // in A181, `variant ASL` in NOP); so does the C front end.
            _ if t.s.contains('{') => return perr(t.off, "expected `Key=Value` or the initial state `{`"),
            _ => {}
        }
        li += 1;
    };

    // Initial state.
    let Some(close) = init::closing_brace(text, open) else {
        return perr(open, "unterminated initial state (missing `}`)");
    };
    let body = Piece::new(&text[open + 1..close], open + 1);
    let init = init::items(body)?;
    while li < ls.len() && ls[li].end() < close {
        li += 1;
    }
    let rest = Piece::new(&text[close + 1..ls[li].end()], close + 1).trim();
    if !rest.is_empty() {
        return perr(rest.off, format!("unexpected {} after the initial state", show(rest.s)));
    }
    li += 1;

    // Program header row: P0 | P1 | ... ;
    skip_blank(&mut li);
    if li == ls.len() {
        return perr(eof, "missing program (expected `P0 | P1 ... ;`)");
    }
    let hrow = ls[li].trim();
    if starts_condition(hrow) {
        return perr(hrow.off, "missing program (expected `P0 | P1 ... ;`)");
    }
    let Some(hbody) = hrow.s.strip_suffix(';') else {
        return perr(hrow.end(), "missing `;` at the end of the row");
    };
    let hcells = Piece::new(hbody, hrow.off).split('|');
    for (i, c) in hcells.iter().enumerate() {
        let c = c.trim();
        let want = format!("P{i}");
        if c.s != want {
            let found = if c.is_empty() { "nothing".to_string() } else { show(c.s) };
            return perr(c.off, format!("expected thread name `{want}`, found {found}"));
        }
    }
    let n = hcells.len();
    if n > MAX_CORES {
        return perr(hrow.off, format!("{n} threads; at most {MAX_CORES} are supported"));
    }
    li += 1;

    // Rows.
    let mut columns: Vec<Vec<Piece<'_>>> = vec![Vec::new(); n];
    while li < ls.len() {
        let line = ls[li].trim();
        if line.is_empty() {
            li += 1;
            continue;
        }
        if starts_condition(line) {
            break;
        }
        let mut rows = line.split(';');
        let last = rows.pop().unwrap_or(line);
        if !last.trim().is_empty() {
            // The last line of the file is rather a malformed condition.
            if ls[li + 1..].iter().all(|l| l.trim().is_empty()) && !line.s.contains(['|', ';']) {
                break;
            }
            return perr(line.end(), "missing `;` at the end of the row");
        }
        for row in rows {
            let cells = row.split('|');
            if cells.len() != n {
                let k = cells.len();
                let at = if row.trim().is_empty() { row.off } else { row.trim().off };
                return perr(
                    at,
                    format!("row has {k} column{}, but the program has {n} thread{}", plural(k), plural(n)),
                );
            }
            for (i, c) in cells.into_iter().enumerate() {
                columns[i].push(c);
            }
        }
        li += 1;
    }
    let cond_start = if li < ls.len() { ls[li].off } else { text.len() };
    let cond_src = Piece::new(&text[cond_start..], cond_start);

    // Build the program.
    let mut cx = Cx {
        arch,
        prog: Program::empty(name.s),
        regs: RegAlloc::default(),
        sym_inited: Vec::new(),
        arrays: Vec::new(),
        nthreads: n,
        labels: Vec::new(),
        fixups: Vec::new(),
        src_pcs: Vec::new(),
        accesses: Vec::new(),
        uses_flags: false,
        flags: FlagTrack::default(),
    };
    let mut types: Vec<(Loc, String)> = Vec::new();
    let ty_name = |t: &init::Ty<'_>| if t.pointer { format!("{}*", t.name.s) } else { t.name.s.to_string() };
    // Arrays first: an array may be named before it is declared.
    for item in &init {
        match (&item.lhs, item.ty) {
            (InitLhs::Array { name, len }, Some(ty)) => {
                if cx.prog.sym_by_name(name.s).is_some() || cx.element(name.s, 0).is_some() {
                    return perr(name.off, format!("duplicate declaration of `{}`", name.s));
                }
                let first = cx.prog.symbols.len() as SymId;
                for i in 0..*len {
                    let s = cx.new_sym(&format!("{}[{i}]", name.s), ty.width, name.off)?;
                    types.push((Loc::Mem(s), ty_name(&ty)));
                }
                cx.arrays.push((name.s.to_string(), first, *len));
            }
            _ => {}
        }
    }
    let mut core_regs: Vec<Vec<(Reg, Value)>> = vec![Vec::new(); n];
    for item in &init {
        match item.lhs {
            InitLhs::Reg { thread, reg } => {
                let (t, r) = cx.thread_reg(thread, reg)?;
                let v = match &item.value {
                    Some(InitVal::One(v)) => cx.value(*v)?,
                    Some(InitVal::Vector(v, _)) => {
                        return perr(v.off, format!("unsupported array value {} for a register", show(v.s)))
                    }
                    None => Value::Num(0),
                };
                let regs = &mut core_regs[t as usize];
                if regs.iter().any(|(x, _)| *x == r) {
                    return perr(thread.off, format!("duplicate initial value for `{}:{}`", thread.s, reg.s));
                }
                regs.push((r, v));
                if let Some(ty) = &item.ty {
                    types.push((Loc::Reg { core: t, reg: r }, ty_name(ty)));
                }
            }
            InitLhs::Mem(name) => {
                let s = if item.ty.is_some() { cx.sym_named(name)? } else { cx.sym(name)? };
                if let Some(ty) = &item.ty {
                    if types.iter().any(|(l, _)| *l == Loc::Mem(s)) {
                        return perr(name.off, format!("duplicate declaration of `{}`", name.s));
                    }
                    cx.prog.symbols[s as usize].width = ty.width;
                    types.push((Loc::Mem(s), ty_name(ty)));
                }
                if cx.sym_inited[s as usize] {
                    return perr(name.off, format!("duplicate initial value for `{}`", name.s));
                }
                cx.sym_inited[s as usize] = true;
                match &item.value {
                    Some(InitVal::One(v)) => {
                        let v = cx.value(*v)?;
                        cx.prog.symbols[s as usize].init = fit(v, cx.prog.symbols[s as usize].width);
                    }
                    Some(InitVal::Vector(v, _)) => {
                        return perr(
                            v.off,
                            format!("array initialiser {} for `{}`, which is not an array", show(v.s), name.s),
                        )
                    }
                    None => {}
                }
            }
            InitLhs::Array { name, len } => {
                let first = cx.element(name.s, 0).unwrap_or(0);
                match &item.value {
                    Some(InitVal::Vector(v, elems)) => {
                        if elems.len() != len {
                            return perr(v.off, format!("{} values for `{}[{len}]`", elems.len(), name.s));
                        }
                        for (i, e) in elems.iter().enumerate() {
                            let val = cx.value(*e)?;
                            let w = cx.prog.symbols[first as usize + i].width;
                            cx.prog.symbols[first as usize + i].init = fit(val, w);
                        }
                    }
                    Some(InitVal::One(v)) => {
                        return perr(v.off, format!("array `{}` needs an initialiser `{{...}}`", name.s))
                    }
                    None => {}
                }
            }
        }
    }
    for (i, cells) in columns.iter().enumerate() {
        translate_thread(&mut cx, i, cells, std::mem::take(&mut core_regs[i]))?;
    }
    let mut condition = cond::parse_condition(cond_src, &mut cx)?;
    // herd reads each location as its declared type, `int` by default.
    condition.types = condition
        .observed()
        .into_iter()
        .map(|l| {
            let t = types.iter().find(|(x, _)| *x == l).map(|(_, t)| t.as_str());
            (l, t.map_or(LocType::INT, type_of))
        })
        .collect();
    cx.prog.condition = Some(condition);
    let widths: Vec<Width> = cx.prog.symbols.iter().map(|s| s.width).collect();
    if let Some(at) = init::layout(&widths) {
        for (s, a) in cx.prog.symbols.iter_mut().zip(at) {
            s.addr = Some(a);
        }
    }
    check_sizes(&cx)?;
    let access_pos: Vec<(Pc, usize, usize)> = cx
        .accesses
        .iter()
        .map(|&(pc, off)| {
            let (l, c) = line_col(src, off);
            (pc, l, c)
        })
        .collect();
    let mut prog = cx.prog;
    if !prog.source.is_empty() {
        prog.source.resize(prog.code.len(), String::new());
    }
    prog.reg_names = cx.regs.names();
    if let Err(e) = prog.validate() {
        return perr(name.off, format!("invalid program: {e}"));
    }
    Ok(LitmusTest { arch, name: name.s.to_string(), doc, meta, program: prog, types, access_pos })
}

fn translate_thread<'a>(cx: &mut Cx<'a>, i: usize, cells: &[Piece<'a>], regs: Vec<(Reg, Value)>) -> PResult<()> {
    let start = cx.pc();
    cx.labels.clear();
    cx.fixups.clear();
    cx.src_pcs.clear();
    cx.uses_flags = false;
    cx.flags = FlagTrack::default();
    cx.prog.labels.push(Label { name: format!("P{i}"), pc: start as Pc });
    for cell in cells {
        let mut c = cell.trim();
        if let Some((l, rest)) = c.split_once(':') {
            let l = l.trim();
            if is_label(l.s) {
                if cx.labels.iter().any(|(n, _)| n == l.s) {
                    return perr(l.off, format!("duplicate label `{}` in P{i}", l.s));
                }
                let pc = cx.pc() as Pc;
                cx.labels.push((l.s.to_string(), pc));
                cx.prog.labels.push(Label { name: format!("P{i}.{}", l.s), pc });
                c = rest.trim();
            }
        }
        if c.is_empty() {
            continue;
        }
        let here = cx.pc() as Pc;
        cx.src_pcs.push(here);
        match cx.arch {
            Arch::AArch64 => aarch64::instr(cx, c)?,
            Arch::X86 => x86::instr(cx, c, x86::Syntax::Intel)?,
            Arch::X86_64 => x86::instr(cx, c, x86::Syntax::Att)?,
            Arch::C => unreachable!("C tests are rejected at the header"),
        }
        // The text as written, on the first instruction it became.
        let end = cx.pc();
        if end > here as usize {
            cx.prog.source.resize(end, String::new());
            cx.prog.source[here as usize] = c.s.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    cx.emit(Instr::Halt);
    if cx.pc() > Pc::MAX as usize - 1 {
        return perr(cells.last().map(|c| c.off).unwrap_or(0), "program too long");
    }
    let end = (cx.pc() - 1) as Pc;
    for (at, label) in std::mem::take(&mut cx.fixups) {
        let rel = label.s.strip_prefix('.').and_then(|r| r.parse::<i64>().ok());
        let found = match rel {
            Some(bytes) => {
                // The source instruction `at` belongs to, then `bytes / 4` further.
                let me = cx.src_pcs.iter().rposition(|&p| p as usize <= at).unwrap_or(0) as i64;
                let k = me + bytes / 4;
                match k {
                    k if k >= 0 && (k as usize) < cx.src_pcs.len() => Some(cx.src_pcs[k as usize]),
                    k if k as usize == cx.src_pcs.len() => Some(end),
                    _ => None,
                }
            }
            None => cx.labels.iter().find(|(n, _)| n == label.s).map(|l| l.1),
        };
        let Some(pc) = found else {
            if rel.is_some() {
                return perr(label.off, format!("branch target {} is outside P{i}", show(label.s)));
            }
            return perr(label.off, format!("undefined label `{}` in P{i}", label.s));
        };
        if pc as usize <= at && cx.flags.reader {
            if let Some(w) = &cx.flags.non_cmp_writer {
                return perr(
                    label.off,
                    format!("unsupported backward jump in a thread that branches on flags and uses `{w}` (only flags set by CMP are modelled)"),
                );
            }
        }
        cx.prog.code[at] = cx.prog.code[at].with_target(pc);
    }
    let mut spec = CoreSpec::new(start as Pc);
    spec.regs = regs;
    if cx.uses_flags && cx.arch != Arch::AArch64 {
        if let Some(f) = cx.regs.find(RegKey::Flags) {
            // herd starts with all flags clear: Z clear means "not equal" (on x86 the
            // flags register holds `a - b` of the last CMP; AArch64's holds NZCV = 0).
            spec.regs.push((f, Value::Num(1)));
        }
    }
    cx.prog.cores.push(spec);
    Ok(())
}

/// Refuses mixed-size accesses the importer can see: an access whose address is
/// known (its base register holds a location's address and no instruction of
/// its thread writes it) and that reaches into the middle of a cell, is wider
/// than its cell, or uses a width another access of the same cell does not.
/// herd7 runs such tests only with `-variant mixed`; weaksim does not model them.
/// Accesses through computed addresses are checked as they run (the machine
/// faults on them).
fn check_sizes(cx: &Cx<'_>) -> PResult<()> {
    use crate::instr::Base;
    let prog = &cx.prog;
    let mut width_of: Vec<Option<(Width, usize)>> = vec![None; prog.symbols.len()];
    let starts: Vec<usize> = prog.cores.iter().map(|c| c.start as usize).collect();
    for &(pc, off) in &cx.accesses {
        let pc = pc as usize;
        let Some(core) = starts.iter().rposition(|&s| s <= pc) else { continue };
        let end = starts.get(core + 1).copied().unwrap_or(prog.code.len());
        let addr = match &prog.code[pc] {
            Instr::Load { addr, .. } | Instr::Store { addr, .. } | Instr::Rmw { addr, .. } => *addr,
            _ => continue,
        };
        if addr.index.is_some() {
            continue;
        }
        let base = match addr.base {
            Base::Sym(s) => prog.sym_addr(s),
            Base::Reg(r) => {
                let written = prog.code[starts[core]..end].iter().any(|i| i.writes() == Some(r));
                let init = prog.cores[core].regs.iter().find(|(x, _)| *x == r).map(|(_, v)| *v);
                match (written, init) {
                    (false, Some(Value::Addr(s))) => prog.sym_addr(s),
                    _ => continue,
                }
            }
        };
        let target = base.wrapping_add(addr.offset as u64);
        let not_modelled = "herd7 runs mixed-size tests only with -variant mixed; they are not modelled";
        let Some(cell) = prog.sym_at(target) else {
            let near = prog
                .symbols
                .iter()
                .enumerate()
                .filter(|(i, _)| prog.sym_addr(*i as SymId) <= target)
                .max_by_key(|(i, _)| prog.sym_addr(*i as SymId));
            let at = match near {
                Some((i, s)) => format!("{}+{}", s.name, target - prog.sym_addr(i as SymId)),
                None => format!("{target:#x}"),
            };
            return perr(off, format!("unsupported mixed-size access to {at}, inside a memory cell ({not_modelled})"));
        };
        let sym = &prog.symbols[cell as usize];
        if addr.width > sym.width {
            return perr(
                off,
                format!(
                    "unsupported mixed-size access: {} bytes of the {}-byte cell `{}` ({not_modelled})",
                    addr.width.bytes(),
                    sym.width.bytes(),
                    sym.name
                ),
            );
        }
        match width_of[cell as usize] {
            Some((w, _)) if w != addr.width => {
                return perr(
                    off,
                    format!(
                        "unsupported mixed-size accesses: `{}` is accessed {} and {} bytes wide ({not_modelled})",
                        sym.name,
                        w.bytes(),
                        addr.width.bytes()
                    ),
                )
            }
            _ => width_of[cell as usize] = Some((addr.width, off)),
        }
    }
    Ok(())
}

/// An AArch64 system register name such as `VNCR_EL2` or `SCTLR_EL1`.
pub(crate) fn is_system_reg(s: &str) -> bool {
    s.rsplit_once("_EL").is_some_and(|(head, el)| {
        !head.is_empty()
            && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !el.is_empty()
            && el.chars().all(|c| c.is_ascii_digit())
    })
}
