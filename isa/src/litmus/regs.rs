//! Architectural register names and their mapping to microcode registers.

use super::text::{perr, PResult};
use crate::instr::{Reg, NUM_REGS};

/// What an architectural register name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArchReg {
    /// A general-purpose register (all widths share one number: W0/X0, EAX/RAX/AX/AL).
    Gpr(u8),
    /// The AArch64 zero register WZR/XZR.
    Zero,
}

/// The key a microcode register is allocated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegKey {
    Gpr(u8),
    /// Condition flags (NZCV / EFLAGS).
    Flags,
    /// Scratch registers for expansions; never named by a condition.
    Spare(u8),
    /// The zero register as a condition names it (`0:XZR=0`): never written, so 0.
    Zero,
}

/// AArch64 `W0`..`W30`, `X0`..`X30`, `WZR`, `XZR`, `SP`, `WSP` (any case).
pub(crate) fn aarch64_reg(s: &str) -> Option<ArchReg> {
    let u = s.to_ascii_uppercase();
    if u == "WZR" || u == "XZR" {
        return Some(ArchReg::Zero);
    }
    // The stack pointer: an ordinary register here (herd gives it no special meaning).
    if u == "SP" || u == "WSP" {
        return Some(ArchReg::Gpr(31));
    }
    let n = u.strip_prefix('W').or_else(|| u.strip_prefix('X'))?;
    if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) || (n.len() > 1 && n.starts_with('0')) {
        return None;
    }
    let v: u32 = n.parse().ok()?;
    (v <= 30).then_some(ArchReg::Gpr(v as u8))
}

/// Whether `s` looks like an AArch64 register name (`W`/`X` followed by digits).
pub(crate) fn looks_like_aarch64_reg(s: &str) -> bool {
    let u = s.to_ascii_uppercase();
    let n = u.strip_prefix('W').or_else(|| u.strip_prefix('X'));
    matches!(n, Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

const X86_FAMILIES: [[&str; 4]; 8] = [
    ["rax", "eax", "ax", "al"],
    ["rbx", "ebx", "bx", "bl"],
    ["rcx", "ecx", "cx", "cl"],
    ["rdx", "edx", "dx", "dl"],
    ["rsi", "esi", "si", "sil"],
    ["rdi", "edi", "di", "dil"],
    ["rbp", "ebp", "bp", "bpl"],
    ["rsp", "esp", "sp", "spl"],
];

/// x86 register names without `%` (any case): the legacy eight in all widths
/// except the high bytes (AH...), `r8`..`r15` with `d`/`w`/`b` suffixes, and
/// `rip` and the segment registers (numbers 16 and up).
pub(crate) fn x86_reg(s: &str) -> Option<ArchReg> {
    let l = s.to_ascii_lowercase();
    for (i, fam) in X86_FAMILIES.iter().enumerate() {
        if fam.contains(&l.as_str()) {
            return Some(ArchReg::Gpr(i as u8));
        }
    }
    // Registers no instruction here uses, which a test may still name (`0:rip=0`):
    // the instruction pointer and the segment registers.
    if let Some(i) = ["rip", "cs", "ds", "es", "fs", "gs", "ss"].iter().position(|r| *r == l) {
        return Some(ArchReg::Gpr(16 + i as u8));
    }
    let n = l.strip_prefix('r')?;
    let n = n.strip_suffix(['d', 'w', 'b']).unwrap_or(n);
    let v: u8 = n.parse().ok()?;
    ((8..=15).contains(&v) && n == v.to_string()).then_some(ArchReg::Gpr(v))
}

/// Allocates microcode registers in order of first use and records their names.
#[derive(Debug, Default)]
pub(crate) struct RegAlloc {
    keys: Vec<RegKey>,
    names: Vec<String>,
    /// Whether the name was set from the condition (which then wins).
    from_cond: Vec<bool>,
}

impl RegAlloc {
    pub fn get(&mut self, key: RegKey, spelling: &str, off: usize) -> PResult<Reg> {
        if let Some(i) = self.keys.iter().position(|k| *k == key) {
            return Ok(i as Reg);
        }
        if self.keys.len() >= NUM_REGS {
            return perr(off, format!("too many registers (at most {NUM_REGS})"));
        }
        self.keys.push(key);
        self.names.push(spelling.to_string());
        self.from_cond.push(false);
        Ok((self.keys.len() - 1) as Reg)
    }

    /// Looks a register up without allocating it.
    pub fn find(&self, key: RegKey) -> Option<Reg> {
        self.keys.iter().position(|k| *k == key).map(|i| i as Reg)
    }

    /// Records the spelling a condition uses (the first one the condition uses wins).
    pub fn name_from_condition(&mut self, r: Reg, spelling: &str) {
        let i = r as usize;
        if !self.from_cond[i] {
            self.from_cond[i] = true;
            self.names[i] = spelling.to_string();
        }
    }

    pub fn names(self) -> Vec<String> {
        self.names
    }
}
