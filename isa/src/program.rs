//! A whole microcode program: symbols, code, per-core entry points, the final
//! condition and the invariants to check.

use crate::cond::Condition;
use crate::instr::{Instr, Operand, Pc, Reg, SymId, Width, ADDR_BASE, NUM_REGS, WORD};
use serde::{Deserialize, Serialize};

/// Version of [`Program::canonical_text`], written into it: a change to the text
/// (and so to every fingerprint) comes with a new version.
pub const FINGERPRINT_VERSION: u32 = 2;

/// Most cores a program may declare.
pub const MAX_CORES: usize = 64;

/// A named memory cell (a 64-bit word unless declared narrower).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Symbol {
    pub name: String,
    /// Initial value (may be the address of a symbol: see [`Value`]).
    pub init: Value,
    /// How many bytes the cell holds: an access wider than this is a fault
    /// (it would reach into the next cell: mixed-size, not modelled).
    #[serde(default, skip_serializing_if = "Width::is_w64")]
    pub width: Width,
    /// Where the cell lives; `None`: at `ADDR_BASE + 8 * index` ([`Program::sym_addr`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<u64>,
}

impl Symbol {
    /// A 64-bit cell at the default place.
    pub fn new(name: &str, init: Value) -> Symbol {
        Symbol { name: name.to_string(), init, width: Width::W64, addr: None }
    }
}

/// An initial value: a number or the address of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    Num(u64),
    Addr(SymId),
}

impl Value {
    pub fn operand(self) -> Operand {
        match self {
            Value::Num(n) => Operand::Imm(n),
            Value::Addr(s) => Operand::SymAddr(s),
        }
    }
}

/// How one core starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CoreSpec {
    /// First instruction the core executes.
    pub start: Pc,
    /// Entry of the interrupt handler, if the core takes interrupts.
    pub handler: Option<Pc>,
    /// Initial register values (others are 0).
    pub regs: Vec<(Reg, Value)>,
    /// Whether interrupts start enabled (default true).
    pub irq_enabled: bool,
}

impl CoreSpec {
    pub fn new(start: Pc) -> CoreSpec {
        CoreSpec { start, handler: None, regs: Vec::new(), irq_enabled: true }
    }
}

/// A label in the code (kept for printing and for the TUI's listing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    pub pc: Pc,
}

/// A microcode program.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Program {
    /// A short name ("irq_work busy-xchg", a litmus test's name, a file stem).
    pub name: String,
    pub symbols: Vec<Symbol>,
    pub code: Vec<Instr>,
    pub labels: Vec<Label>,
    pub cores: Vec<CoreSpec>,
    /// Display names of registers (index = register number); empty means `rN`.
    pub reg_names: Vec<String>,
    /// The lost-work invariant: at quiescence, the final value of each listed
    /// word must have been recorded by some `observe` (or still be its initial value).
    pub lost_work: Vec<SymId>,
    /// Optional final condition in herd's style.
    pub condition: Option<Condition>,
    /// herd's `filter`: final states that do not satisfy it are not outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<crate::cond::CondExpr>,
    /// For a program lowered for the Linux-kernel memory model: the kernel
    /// primitive each instruction stands for (one tag per instruction of `code`).
    /// Empty for every other program.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lkmm: Vec<crate::lkmm::LkTag>,
    /// What the user wrote, where it is not microcode: for a litmus test, each
    /// instruction's source text (`DMB SY`) on the first instruction it was
    /// lowered to, an empty string on the others. Empty for `.ucode` programs
    /// (their text is the microcode) and generated ones; else one entry per
    /// instruction of `code`. Shown beside the microcode; never executed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    /// The label each branch named where that is not the first label at its
    /// target (`bnz r5, retry` where `reader:` and `retry:` mark the same
    /// instruction): one entry per instruction of `code`, empty strings
    /// elsewhere; the whole vector empty when no branch needs one. Printing
    /// only; never changes what the program does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_labels: Vec<String>,
    /// The two accesses of one pair instruction (AArch64 `LDP`, `STP`): each
    /// entry `pc` says `code[pc]` and `code[pc + 1]` are its two halves, which
    /// the architecture (and herd's `po`) leaves unordered between themselves.
    /// Sorted. A model that performs accesses one at a time in program order
    /// (SC) may then perform the second half first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<Pc>,
}

impl Program {
    pub fn empty(name: &str) -> Program {
        Program {
            name: name.to_string(),
            symbols: Vec::new(),
            code: Vec::new(),
            labels: Vec::new(),
            cores: Vec::new(),
            reg_names: Vec::new(),
            lost_work: Vec::new(),
            condition: None,
            filter: None,
            lkmm: Vec::new(),
            source: Vec::new(),
            target_labels: Vec::new(),
            pairs: Vec::new(),
        }
    }

    /// Whether `code[pc]` is the first half of a pair instruction (see [`Program::pairs`]).
    pub fn is_pair_first(&self, pc: Pc) -> bool {
        self.pairs.binary_search(&pc).is_ok()
    }

    /// The source text instruction `pc` was written as, when it is not
    /// microcode (a litmus test's `DMB SY`).
    pub fn source_text(&self, pc: usize) -> Option<&str> {
        self.source.get(pc).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// Instruction `pc` as a listing shows it: what the user wrote when the
    /// program keeps it (a litmus test's `DMB SY`, not `fence`), else the
    /// microcode (`.ucode` programs, and the further instructions one source
    /// instruction was lowered to).
    pub fn shown_instr(&self, pc: usize) -> String {
        let Some(i) = self.code.get(pc) else { return "(past the end of the code)".into() };
        match self.source_text(pc) {
            Some(src) => src.to_string(),
            None => crate::asm::instr_text_at(self, pc, i),
        }
    }

    /// The label the source named for the target of the branch at `pc`, when
    /// it is a label at that target (see [`Program::target_labels`]).
    pub fn target_label(&self, pc: usize) -> Option<&str> {
        let name = self.target_labels.get(pc).filter(|s| !s.is_empty())?;
        let t = self.code.get(pc)?.target()?;
        self.labels.iter().any(|l| l.pc == t && l.name == *name).then_some(name.as_str())
    }

    /// Records that the branch at `pc` named its target `name`; kept only when
    /// `name` is not the first label at the target (which printing uses anyway).
    pub fn set_target_label(&mut self, pc: usize, name: &str) {
        let Some(t) = self.code.get(pc).and_then(Instr::target) else { return };
        if self.label_at(t) == Some(name) {
            if let Some(s) = self.target_labels.get_mut(pc) {
                s.clear();
            }
            return;
        }
        if self.target_labels.len() < self.code.len() {
            self.target_labels.resize(self.code.len(), String::new());
        }
        self.target_labels[pc] = name.to_string();
    }

    pub fn num_cores(&self) -> usize {
        self.cores.len()
    }

    pub fn sym_by_name(&self, name: &str) -> Option<SymId> {
        self.symbols.iter().position(|s| s.name == name).map(|i| i as SymId)
    }

    pub fn sym_name(&self, s: SymId) -> &str {
        self.symbols.get(s as usize).map(|s| s.name.as_str()).unwrap_or("?")
    }

    /// The address of symbol `s`.
    #[inline]
    pub fn sym_addr(&self, s: SymId) -> u64 {
        match self.symbols.get(s as usize).and_then(|x| x.addr) {
            Some(a) => a,
            None => ADDR_BASE + WORD * s as u64,
        }
    }

    /// The symbol at a byte address, if the address is where one starts.
    pub fn sym_at(&self, addr: u64) -> Option<SymId> {
        if addr >= ADDR_BASE && (addr - ADDR_BASE) % WORD == 0 {
            let i = (addr - ADDR_BASE) / WORD;
            if self.symbols.get(i as usize).is_some_and(|s| s.addr.is_none()) {
                return Some(i as SymId);
            }
        }
        self.symbols.iter().position(|s| s.addr == Some(addr)).map(|i| i as SymId)
    }

    /// A value as a number (a symbol's address for [`Value::Addr`]).
    #[inline]
    pub fn value(&self, v: Value) -> u64 {
        match v {
            Value::Num(n) => n,
            Value::Addr(s) => self.sym_addr(s),
        }
    }

    pub fn reg_name(&self, r: Reg) -> String {
        match self.reg_names.get(r as usize) {
            Some(n) if !n.is_empty() => n.clone(),
            _ => format!("r{r}"),
        }
    }

    /// Register index for a display name (`r3`, or a name from `reg_names`).
    pub fn reg_by_name(&self, name: &str) -> Option<Reg> {
        if let Some(i) = self.reg_names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
            return Some(i as Reg);
        }
        let n = name.strip_prefix('r').or_else(|| name.strip_prefix('R'))?;
        let i: usize = n.parse().ok()?;
        (i < NUM_REGS && n == i.to_string()).then_some(i as Reg)
    }

    /// The label at `pc`, if any (first one declared).
    pub fn label_at(&self, pc: Pc) -> Option<&str> {
        self.labels.iter().find(|l| l.pc == pc).map(|l| l.name.as_str())
    }

    pub fn label_pc(&self, name: &str) -> Option<Pc> {
        self.labels.iter().find(|l| l.name == name).map(|l| l.pc)
    }

    /// The nearest label at or before `pc` and the distance from it (`claim+3`).
    pub fn location(&self, pc: Pc) -> String {
        let best = self.labels.iter().filter(|l| l.pc <= pc).max_by_key(|l| l.pc);
        match best {
            Some(l) if l.pc == pc => l.name.clone(),
            Some(l) => format!("{}+{}", l.name, pc - l.pc),
            None => format!("@{pc}"),
        }
    }

    /// Initial memory, one word per symbol.
    pub fn initial_memory(&self) -> Vec<u64> {
        self.symbols.iter().map(|s| self.value(s.init)).collect()
    }

    /// Number of registers the program uses (highest index + 1), at least 1.
    pub fn regs_used(&self) -> usize {
        let mut hi = 0usize;
        for i in &self.code {
            for r in i.reads().into_iter().chain(i.writes()) {
                hi = hi.max(r as usize + 1);
            }
        }
        for c in &self.cores {
            for (r, _) in &c.regs {
                hi = hi.max(*r as usize + 1);
            }
        }
        if let Some(c) = &self.condition {
            c.expr.visit_regs(&mut |_, r| hi = hi.max(r as usize + 1));
            for (_, r) in c.locations_regs() {
                hi = hi.max(r as usize + 1);
            }
        }
        hi.max(1)
    }

    /// A stable 64-bit identity of the program's meaning: XXH3 (seed 0) of
    /// [`Program::canonical_text`]. It names the program in traces and in the
    /// litmus output's `Hash=` line.
    pub fn fingerprint(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(self.canonical_text().as_bytes())
    }

    /// The text [`Program::fingerprint`] hashes: a line with
    /// [`FINGERPRINT_VERSION`], the program printed in `.ucode`
    /// ([`crate::asm::print`]) without its name and labels (they do not change
    /// what it does; the printer names branch targets `L<pc>`), then what the
    /// `.ucode` text does not carry: cell widths and addresses, the types of the
    /// condition's locations and herd's `filter`.
    pub fn canonical_text(&self) -> String {
        use std::fmt::Write;
        let mut bare = self.clone();
        bare.name.clear();
        bare.labels.clear();
        bare.target_labels.clear();
        let mut s = format!("weaksim program v{FINGERPRINT_VERSION}\n");
        s.push_str(&crate::asm::print(&bare));
        for sym in &self.symbols {
            if !sym.width.is_w64() || sym.addr.is_some() {
                let _ = write!(s, "cell {} bits={}", sym.name, sym.width.bits());
                if let Some(a) = sym.addr {
                    let _ = write!(s, " addr={a:#x}");
                }
                s.push('\n');
            }
        }
        if let Some(c) = &self.condition {
            for (l, t) in &c.types {
                let sign = if t.signed { "signed" } else { "unsigned" };
                let _ = writeln!(s, "type {} bits={} {sign}", crate::cond::loc_name(self, *l), t.width.bits());
            }
        }
        if let Some(f) = &self.filter {
            let _ = writeln!(s, "filter {}", crate::cond::expr_text(self, f));
        }
        s
    }

    /// Checks internal consistency: targets in range, symbols and registers
    /// valid, every core's entry points inside the code. The error names the
    /// instruction (its index in the code) or the core at fault.
    pub fn validate(&self) -> Result<(), ProgramError> {
        let n = self.code.len();
        if !self.source.is_empty() && self.source.len() != n {
            return Err(ProgramError::SourceCount { texts: self.source.len(), instrs: n });
        }
        if self.cores.is_empty() {
            return Err(ProgramError::NoCore);
        }
        if self.cores.len() > MAX_CORES {
            return Err(ProgramError::TooManyCores { cores: self.cores.len() });
        }
        if n > Pc::MAX as usize {
            return Err(ProgramError::TooManyInstructions { instrs: n });
        }
        let nsym = self.symbols.len();
        for (pc, i) in self.code.iter().enumerate() {
            if let Some(t) = i.target() {
                if t as usize >= n {
                    return Err(ProgramError::TargetOutside { pc, target: t as usize });
                }
            }
            if let Some(r) = i.reads().into_iter().chain(i.writes()).find(|&r| r as usize >= NUM_REGS) {
                return Err(ProgramError::RegisterOutOfRange { pc, reg: r });
            }
            let addr = match i {
                Instr::Load { addr, .. } | Instr::Store { addr, .. } | Instr::Rmw { addr, .. } => Some(addr),
                _ => None,
            };
            if let Some(a) = addr {
                if let crate::instr::Base::Sym(s) = a.base {
                    if s as usize >= nsym {
                        return Err(ProgramError::SymbolOutOfRange { pc, sym: s });
                    }
                }
            }
            if let Instr::Observe { sym, .. } = i {
                if *sym as usize >= nsym {
                    return Err(ProgramError::SymbolOutOfRange { pc, sym: *sym });
                }
            }
        }
        if !self.target_labels.is_empty() && self.target_labels.len() != n {
            return Err(ProgramError::TargetLabelCount { names: self.target_labels.len(), instrs: n });
        }
        if !self.lkmm.is_empty() && self.lkmm.len() != n {
            return Err(ProgramError::LkmmTagCount { tags: self.lkmm.len(), instrs: n });
        }
        for (c, spec) in self.cores.iter().enumerate() {
            if spec.start as usize >= n {
                return Err(ProgramError::StartOutside { core: c });
            }
            if let Some(h) = spec.handler {
                if h as usize >= n {
                    return Err(ProgramError::HandlerOutside { core: c });
                }
            }
        }
        Ok(())
    }
}

/// Why [`Program::validate`] refused a program: the instruction (`pc`, its
/// index in the code) or core at fault, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    #[error("{texts} source texts for {instrs} instructions")]
    SourceCount { texts: usize, instrs: usize },
    #[error("the program declares no core")]
    NoCore,
    #[error("{cores} cores declared; at most {MAX_CORES} are supported")]
    TooManyCores { cores: usize },
    #[error("{instrs} instructions; at most {} are supported", Pc::MAX)]
    TooManyInstructions { instrs: usize },
    #[error("instruction {pc}: target {target} is outside the code")]
    TargetOutside { pc: usize, target: usize },
    #[error("instruction {pc}: register r{reg} out of range")]
    RegisterOutOfRange { pc: usize, reg: Reg },
    #[error("instruction {pc}: symbol #{sym} out of range")]
    SymbolOutOfRange { pc: usize, sym: SymId },
    #[error("{names} branch target names for {instrs} instructions")]
    TargetLabelCount { names: usize, instrs: usize },
    #[error("{tags} LKMM tags for {instrs} instructions")]
    LkmmTagCount { tags: usize, instrs: usize },
    #[error("core {core}: start is outside the code")]
    StartOutside { core: usize },
    #[error("core {core}: handler is outside the code")]
    HandlerOutside { core: usize },
}
