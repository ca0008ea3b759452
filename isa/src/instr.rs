//! The microcode instruction set.
//!
//! Every instruction is one of a small closed set. Memory instructions carry an
//! ordering annotation; what an annotation *means* is up to the memory model
//! (`memmodels`), the instruction only records what the programmer asked for.

use serde::{Deserialize, Serialize};

/// A register index (`r0`..`r31`). Registers hold 64-bit words.
pub type Reg = u8;
/// Number of architectural registers per core.
pub const NUM_REGS: usize = 32;
/// Index of a symbol (a named 64-bit memory word) in [`crate::Program::symbols`].
pub type SymId = u16;
/// Index of an instruction in [`crate::Program::code`].
pub type Pc = u16;

/// Address of the first symbol; symbol `i` lives at `ADDR_BASE + 8 * i`.
/// Zero is never a valid address, so it can serve as a NULL pointer.
pub const ADDR_BASE: u64 = 0x1000;
/// Size of one memory word in bytes (addresses step by this).
pub const WORD: u64 = 8;

/// The address of symbol `sym`.
pub fn sym_addr(sym: SymId) -> u64 {
    ADDR_BASE + WORD * sym as u64
}

/// A source operand: a register, an immediate, or the address of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operand {
    Reg(Reg),
    Imm(u64),
    /// `&sym`: the address of a symbol, as a value.
    SymAddr(SymId),
}

/// Where an access goes: `[sym]`, `[sym+8]`, `[r3]`, `[r3+8]`, `[r3+r4]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Addr {
    pub base: Base,
    /// Optional index register added to the base (AArch64 `[X4,W2,SXTW]`).
    pub index: Option<Reg>,
    /// Byte offset added to the base.
    pub offset: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Base {
    Sym(SymId),
    Reg(Reg),
}

impl Addr {
    pub fn sym(sym: SymId) -> Addr {
        Addr { base: Base::Sym(sym), index: None, offset: 0 }
    }
    pub fn reg(reg: Reg) -> Addr {
        Addr { base: Base::Reg(reg), index: None, offset: 0 }
    }
    /// Registers the address is computed from (base and index).
    pub fn regs(&self) -> impl Iterator<Item = Reg> {
        let b = match self.base {
            Base::Reg(r) => Some(r),
            Base::Sym(_) => None,
        };
        b.into_iter().chain(self.index)
    }
}

/// Ordering of a plain load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoadOrd {
    #[default]
    Plain,
    /// Acquire (AArch64 LDAR): ordered before everything after it, RCsc with release.
    Acquire,
    /// Acquire-PC (AArch64 LDAPR): like acquire, but not ordered after an earlier release.
    AcquirePc,
}

/// Ordering of a plain store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StoreOrd {
    #[default]
    Plain,
    /// Release (AArch64 STLR): everything before it is ordered before it.
    Release,
}

/// Ordering annotation of a read-modify-write.
///
/// `Full` is the default, like the Linux kernel's value-returning RMWs. On ARM it
/// is the `AL` form (SWPAL, CASAL, LDSETAL): acquire on the read, release on the
/// write; a *failed* compare-and-swap performs only its (acquire) read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwOrd {
    Relaxed,
    Acquire,
    Release,
    #[default]
    Full,
}

impl RmwOrd {
    pub fn acquire(self) -> bool {
        matches!(self, RmwOrd::Acquire | RmwOrd::Full)
    }
    pub fn release(self) -> bool {
        matches!(self, RmwOrd::Release | RmwOrd::Full)
    }
}

/// The operation of a read-modify-write. The old value is always returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwOp {
    /// `mem := v`.
    Xchg(Operand),
    /// `if mem == expected { mem := new }`.
    Cmpxchg { expected: Operand, new: Operand },
    /// `mem := mem | v`.
    FetchOr(Operand),
    /// `mem := mem + v` (wrapping).
    FetchAdd(Operand),
    /// `mem := mem & !v`.
    FetchAndNot(Operand),
    /// `mem := mem ^ v`.
    FetchXor(Operand),
}

impl RmwOp {
    /// The new memory value, or `None` when a compare-and-swap fails (no write).
    pub fn apply(&self, old: u64, a: u64, b: u64) -> Option<u64> {
        match self {
            RmwOp::Xchg(_) => Some(a),
            RmwOp::Cmpxchg { .. } => (old == a).then_some(b),
            RmwOp::FetchOr(_) => Some(old | a),
            RmwOp::FetchAdd(_) => Some(old.wrapping_add(a)),
            RmwOp::FetchAndNot(_) => Some(old & !a),
            RmwOp::FetchXor(_) => Some(old ^ a),
        }
    }
    /// The operands in evaluation order (`a`, then `b` for compare-and-swap).
    pub fn operands(&self) -> (Operand, Option<Operand>) {
        match *self {
            RmwOp::Xchg(a) | RmwOp::FetchOr(a) | RmwOp::FetchAdd(a) | RmwOp::FetchAndNot(a) | RmwOp::FetchXor(a) => {
                (a, None)
            }
            RmwOp::Cmpxchg { expected, new } => (expected, Some(new)),
        }
    }
    pub fn mnemonic(&self) -> &'static str {
        match self {
            RmwOp::Xchg(_) => "xchg",
            RmwOp::Cmpxchg { .. } => "cmpxchg",
            RmwOp::FetchOr(_) => "fetch_or",
            RmwOp::FetchAdd(_) => "fetch_add",
            RmwOp::FetchAndNot(_) => "fetch_andnot",
            RmwOp::FetchXor(_) => "fetch_xor",
        }
    }
}

/// Memory barriers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FenceKind {
    /// Full fence: `smp_mb()`, x86 `MFENCE`, AArch64 `DMB SY/ISH`.
    Full,
    /// Orders earlier loads before later loads and stores (AArch64 `DMB LD`).
    LoadLoad,
    /// Orders earlier stores before later stores (AArch64 `DMB ST`).
    StoreStore,
    /// Orders earlier stores before every later access, loads included
    /// (AArch64 `DSB ST`: aarch64.cat's `[W]; po; [dsb.st]; po; [M]`).
    StoreAll,
    /// Instruction synchronisation barrier (AArch64 `ISB`): with a control or
    /// address dependency before it, orders later loads.
    Isb,
}

/// Register-to-register operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AluOp {
    Add,
    Sub,
    And,
    Or,
    Xor,
    /// `a & !b`.
    AndN,
    Shl,
    Shr,
    Mul,
}

impl AluOp {
    pub fn eval(self, a: u64, b: u64) -> u64 {
        match self {
            AluOp::Add => a.wrapping_add(b),
            AluOp::Sub => a.wrapping_sub(b),
            AluOp::And => a & b,
            AluOp::Or => a | b,
            AluOp::Xor => a ^ b,
            AluOp::AndN => a & !b,
            AluOp::Shl => a.checked_shl(b as u32).unwrap_or(0),
            AluOp::Shr => a.checked_shr(b as u32).unwrap_or(0),
            AluOp::Mul => a.wrapping_mul(b),
        }
    }
    pub fn mnemonic(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::Sub => "sub",
            AluOp::And => "and",
            AluOp::Or => "or",
            AluOp::Xor => "xor",
            AluOp::AndN => "andn",
            AluOp::Shl => "shl",
            AluOp::Shr => "shr",
            AluOp::Mul => "mul",
        }
    }
    pub const ALL: [AluOp; 9] =
        [AluOp::Add, AluOp::Sub, AluOp::And, AluOp::Or, AluOp::Xor, AluOp::AndN, AluOp::Shl, AluOp::Shr, AluOp::Mul];
}

/// Comparison used by branches and `csel` (unsigned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cond {
    Eq,
    Ne,
    Lt,
    Ge,
}

impl Cond {
    pub fn eval(self, a: u64, b: u64) -> bool {
        match self {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::Lt => a < b,
            Cond::Ge => a >= b,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Cond::Eq => "eq",
            Cond::Ne => "ne",
            Cond::Lt => "lt",
            Cond::Ge => "ge",
        }
    }
}

/// Target of an interrupt raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IrqTarget {
    /// The executing core (`ipi self`, `arch_irq_work_raise()`).
    SelfCore,
    /// The core whose number the operand holds.
    Core(Operand),
}

/// One microcode instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Instr {
    /// `dst := [addr]`. `exclusive` marks a load-exclusive (AArch64 LDXR/LDAXR).
    Load {
        dst: Reg,
        addr: Addr,
        ord: LoadOrd,
        exclusive: bool,
    },
    /// `[addr] := src`. With `status`, a store-exclusive (AArch64 STXR/STLXR):
    /// writes 0 to `status` on success and 1 on failure (then nothing is stored).
    Store {
        src: Operand,
        addr: Addr,
        ord: StoreOrd,
        status: Option<Reg>,
    },
    /// Atomic read-modify-write; the old value goes to `dst` (none: result discarded).
    Rmw {
        op: RmwOp,
        dst: Option<Reg>,
        addr: Addr,
        ord: RmwOrd,
    },
    Fence(FenceKind),
    /// `dst := src`.
    Mov {
        dst: Reg,
        src: Operand,
    },
    /// `dst := a op b`.
    Alu {
        op: AluOp,
        dst: Reg,
        a: Operand,
        b: Operand,
    },
    /// `dst := if cond(a, b) { t } else { f }` — a select, not a branch.
    Csel {
        dst: Reg,
        cond: Cond,
        a: Operand,
        b: Operand,
        t: Operand,
        f: Operand,
    },
    /// `if cond(a, b) goto target`.
    Branch {
        cond: Cond,
        a: Operand,
        b: Operand,
        target: Pc,
    },
    Jmp {
        target: Pc,
    },
    Call {
        target: Pc,
    },
    Ret,
    /// Set the interrupt latch of a core.
    Raise {
        target: IrqTarget,
    },
    IrqEnable,
    IrqDisable,
    /// Return from the interrupt handler: resume the interrupted code, re-enable interrupts.
    Iret,
    Halt,
    Nop,
    /// Ghost instruction (no memory effect): record that the value in `src` was
    /// read from `sym`. The lost-work invariant checks these observations.
    Observe {
        sym: SymId,
        src: Reg,
    },
}

impl Instr {
    /// True for instructions that touch shared memory or order accesses.
    pub fn is_memory(&self) -> bool {
        matches!(self, Instr::Load { .. } | Instr::Store { .. } | Instr::Rmw { .. } | Instr::Fence(_))
    }
    /// True for instructions whose effect is confined to the executing core's
    /// registers and program counter: invisible to every other core and to memory.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Instr::Mov { .. }
                | Instr::Alu { .. }
                | Instr::Csel { .. }
                | Instr::Branch { .. }
                | Instr::Jmp { .. }
                | Instr::Call { .. }
                | Instr::Ret
                | Instr::Nop
        )
    }
    /// Registers the instruction reads.
    pub fn reads(&self) -> Vec<Reg> {
        fn op(v: &mut Vec<Reg>, o: Operand) {
            if let Operand::Reg(r) = o {
                v.push(r)
            }
        }
        let mut v = Vec::new();
        match *self {
            Instr::Load { addr, .. } => v.extend(addr.regs()),
            Instr::Store { src, addr, .. } => {
                op(&mut v, src);
                v.extend(addr.regs())
            }
            Instr::Rmw { op: o, addr, .. } => {
                let (a, b) = o.operands();
                op(&mut v, a);
                if let Some(b) = b {
                    op(&mut v, b)
                }
                v.extend(addr.regs())
            }
            Instr::Mov { src, .. } => op(&mut v, src),
            Instr::Alu { a, b, .. } | Instr::Branch { a, b, .. } => {
                op(&mut v, a);
                op(&mut v, b)
            }
            Instr::Csel { a, b, t, f, .. } => {
                for o in [a, b, t, f] {
                    op(&mut v, o)
                }
            }
            Instr::Raise { target: IrqTarget::Core(o) } => op(&mut v, o),
            Instr::Observe { src, .. } => v.push(src),
            _ => {}
        }
        v
    }
    /// The register the instruction writes, if any.
    pub fn writes(&self) -> Option<Reg> {
        match *self {
            Instr::Load { dst, .. } | Instr::Mov { dst, .. } | Instr::Alu { dst, .. } | Instr::Csel { dst, .. } => {
                Some(dst)
            }
            Instr::Rmw { dst, .. } => dst,
            Instr::Store { status, .. } => status,
            _ => None,
        }
    }
    /// Branch/jump/call target, if any.
    pub fn target(&self) -> Option<Pc> {
        match *self {
            Instr::Branch { target, .. } | Instr::Jmp { target } | Instr::Call { target } => Some(target),
            _ => None,
        }
    }
    /// The same instruction with its target replaced (for relocation).
    pub fn with_target(mut self, t: Pc) -> Instr {
        match &mut self {
            Instr::Branch { target, .. } | Instr::Jmp { target } | Instr::Call { target } => *target = t,
            _ => {}
        }
        self
    }
}
