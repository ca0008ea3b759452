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
/// Index of a symbol (a named memory cell) in [`crate::Program::symbols`].
pub type SymId = u16;
/// Index of an instruction in [`crate::Program::code`].
pub type Pc = u16;

/// Address of the first symbol; unless a program places its symbols itself
/// ([`crate::Symbol::addr`]), symbol `i` lives at `ADDR_BASE + 8 * i`
/// ([`crate::Program::sym_addr`]). Zero is never a valid address, so it can
/// serve as a NULL pointer.
pub const ADDR_BASE: u64 = 0x1000;
/// Size of one memory word in bytes (addresses step by this).
pub const WORD: u64 = 8;

/// How many bytes an access reads or writes, or a memory cell holds.
///
/// An access of width `w` reads its cell's value truncated to `w` (zero-extended
/// into the register) and writes its value truncated to `w` to the whole cell:
/// herd7's semantics without `-variant mixed`, where each location is one cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Width {
    W8,
    W16,
    W32,
    #[default]
    W64,
}

impl Width {
    pub fn bytes(self) -> u64 {
        match self {
            Width::W8 => 1,
            Width::W16 => 2,
            Width::W32 => 4,
            Width::W64 => 8,
        }
    }
    pub fn bits(self) -> u32 {
        self.bytes() as u32 * 8
    }
    pub fn from_bytes(n: u64) -> Option<Width> {
        [Width::W8, Width::W16, Width::W32, Width::W64].into_iter().find(|w| w.bytes() == n)
    }
    /// All ones in the low [`Width::bits`] bits.
    pub fn mask(self) -> u64 {
        u64::MAX >> (64 - self.bits())
    }
    /// `v` truncated to this width (zero-extended).
    #[inline]
    pub fn trunc(self, v: u64) -> u64 {
        v & self.mask()
    }
    /// `v` truncated to this width, then sign-extended to 64 bits.
    pub fn sext(self, v: u64) -> u64 {
        let s = 64 - self.bits();
        (((v << s) as i64) >> s) as u64
    }
    pub fn is_w64(&self) -> bool {
        *self == Width::W64
    }
    /// The suffix the `.ucode` format writes (`b`, `h`, `w`; none for 64 bits).
    pub fn suffix(self) -> &'static str {
        match self {
            Width::W8 => "b",
            Width::W16 => "h",
            Width::W32 => "w",
            Width::W64 => "",
        }
    }
}

/// A source operand: a register, an immediate, or the address of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operand {
    Reg(Reg),
    Imm(u64),
    /// `&sym`: the address of a symbol, as a value.
    SymAddr(SymId),
}

/// Where an access goes: `[sym]`, `[sym+8]`, `[r3]`, `[r3+8]`, `[r3+r4]`, and
/// how wide it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Addr {
    pub base: Base,
    /// Optional index register added to the base (AArch64 `[X4,X2]`).
    pub index: Option<Reg>,
    /// Byte offset added to the base.
    pub offset: i64,
    /// How many bytes the access reads or writes (default: 8).
    #[serde(default, skip_serializing_if = "Width::is_w64")]
    pub width: Width,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Base {
    Sym(SymId),
    Reg(Reg),
}

impl Addr {
    pub fn sym(sym: SymId) -> Addr {
        Addr { base: Base::Sym(sym), index: None, offset: 0, width: Width::W64 }
    }
    pub fn reg(reg: Reg) -> Addr {
        Addr { base: Base::Reg(reg), index: None, offset: 0, width: Width::W64 }
    }
    /// The same address, accessed `width` bytes wide.
    pub fn sized(self, width: Width) -> Addr {
        Addr { width, ..self }
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
    /// `mem := max(mem, v)`, signed at the access's width (AArch64 `LDSMAX`).
    FetchSmax(Operand),
    /// `mem := min(mem, v)`, signed at the access's width (`LDSMIN`).
    FetchSmin(Operand),
    /// `mem := max(mem, v)`, unsigned (`LDUMAX`).
    FetchUmax(Operand),
    /// `mem := min(mem, v)`, unsigned (`LDUMIN`).
    FetchUmin(Operand),
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
            // 64-bit comparisons: the memory models apply these at the access's
            // width (`memmodels::RmwKind::apply`).
            RmwOp::FetchSmax(_) => Some((old as i64).max(a as i64) as u64),
            RmwOp::FetchSmin(_) => Some((old as i64).min(a as i64) as u64),
            RmwOp::FetchUmax(_) => Some(old.max(a)),
            RmwOp::FetchUmin(_) => Some(old.min(a)),
        }
    }
    /// The operands in evaluation order (`a`, then `b` for compare-and-swap).
    pub fn operands(&self) -> (Operand, Option<Operand>) {
        match *self {
            RmwOp::Xchg(a)
            | RmwOp::FetchOr(a)
            | RmwOp::FetchAdd(a)
            | RmwOp::FetchAndNot(a)
            | RmwOp::FetchXor(a)
            | RmwOp::FetchSmax(a)
            | RmwOp::FetchSmin(a)
            | RmwOp::FetchUmax(a)
            | RmwOp::FetchUmin(a) => (a, None),
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
            RmwOp::FetchSmax(_) => "fetch_smax",
            RmwOp::FetchSmin(_) => "fetch_smin",
            RmwOp::FetchUmax(_) => "fetch_umax",
            RmwOp::FetchUmin(_) => "fetch_umin",
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
    /// Arithmetic (sign-propagating) shift right.
    Sar,
    /// Rotate right (64 bits).
    Ror,
    /// Rotate right within the low 32 bits (the upper 32 become 0).
    Ror32,
    /// `a` sign-extended from its low `b` bits (8, 16 or 32).
    Sext,
    /// The AArch64 condition flags (`NZCV` as the 4-bit number N=8 Z=4 C=2 V=1)
    /// of `a - b`, as `SUBS`/`CMP` sets them; `32`: on the low 32 bits.
    FlagsSub,
    FlagsSub32,
    /// The flags of `a + b` (`ADDS`/`CMN`).
    FlagsAdd,
    FlagsAdd32,
    /// The flags of `a & b` (`ANDS`/`TST`: C and V clear).
    FlagsAnd,
    FlagsAnd32,
    /// `a` with the order of its bytes reversed within each `b`-bit chunk
    /// (`b`: 16, 32 or 64; AArch64 `REV16`, `REV32`, `REV`).
    Rev,
    /// The low `b` bits of `a` (32 or 64) in reverse order (AArch64 `RBIT`).
    Rbit,
}

/// The AArch64 condition flags of a result `r` (its sign bit at `top`), carry and overflow.
fn nzcv(r: u64, top: u32, c: bool, v: bool) -> u64 {
    (((r >> top) & 1) << 3) | (((r == 0) as u64) << 2) | ((c as u64) << 1) | v as u64
}

fn flags_sub(a: u64, b: u64, bits: u32) -> u64 {
    let m = u64::MAX >> (64 - bits);
    let (a, b) = (a & m, b & m);
    let r = a.wrapping_sub(b) & m;
    let v = (((a ^ b) & (a ^ r)) >> (bits - 1)) & 1 == 1;
    nzcv(r, bits - 1, a >= b, v)
}

fn flags_add(a: u64, b: u64, bits: u32) -> u64 {
    let m = u64::MAX >> (64 - bits);
    let (a, b) = (a & m, b & m);
    let full = a as u128 + b as u128;
    let r = full as u64 & m;
    let v = ((!(a ^ b) & (a ^ r)) >> (bits - 1)) & 1 == 1;
    nzcv(r, bits - 1, full > m as u128, v)
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
            AluOp::Sar => ((a as i64) >> b.min(63)) as u64,
            AluOp::Ror => a.rotate_right((b % 64) as u32),
            AluOp::Ror32 => (a as u32).rotate_right((b % 32) as u32) as u64,
            AluOp::Sext => match b {
                1..=63 => (((a << (64 - b)) as i64) >> (64 - b)) as u64,
                _ => a,
            },
            AluOp::FlagsSub => flags_sub(a, b, 64),
            AluOp::FlagsSub32 => flags_sub(a, b, 32),
            AluOp::FlagsAdd => flags_add(a, b, 64),
            AluOp::FlagsAdd32 => flags_add(a, b, 32),
            AluOp::FlagsAnd => nzcv(a & b, 63, false, false),
            AluOp::FlagsAnd32 => nzcv(a & b & 0xffff_ffff, 31, false, false),
            AluOp::Rev => match b {
                16 | 32 => {
                    let n = b as u32;
                    let mask = u64::MAX >> (64 - n);
                    (0..64 / n).fold(0, |acc, i| {
                        let chunk = (a >> (i * n)) & mask;
                        let rev = chunk.swap_bytes() >> (64 - n);
                        acc | (rev << (i * n))
                    })
                }
                _ => a.swap_bytes(),
            },
            AluOp::Rbit => match b {
                32 => ((a as u32).reverse_bits()) as u64,
                _ => a.reverse_bits(),
            },
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
            AluOp::Sar => "sar",
            AluOp::Ror => "ror",
            AluOp::Ror32 => "ror32",
            AluOp::Sext => "sext",
            AluOp::FlagsSub => "flags_sub",
            AluOp::FlagsSub32 => "flags_sub32",
            AluOp::FlagsAdd => "flags_add",
            AluOp::FlagsAdd32 => "flags_add32",
            AluOp::FlagsAnd => "flags_and",
            AluOp::FlagsAnd32 => "flags_and32",
            AluOp::Rev => "rev",
            AluOp::Rbit => "rbit",
        }
    }
    /// The general-purpose operations (what generated programs draw from).
    pub const ALL: [AluOp; 9] =
        [AluOp::Add, AluOp::Sub, AluOp::And, AluOp::Or, AluOp::Xor, AluOp::AndN, AluOp::Shl, AluOp::Shr, AluOp::Mul];
    /// Every operation: [`AluOp::ALL`] and the ones AArch64 instructions need.
    pub const EVERY: [AluOp; 21] = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
        AluOp::AndN,
        AluOp::Shl,
        AluOp::Shr,
        AluOp::Mul,
        AluOp::Sar,
        AluOp::Ror,
        AluOp::Ror32,
        AluOp::Sext,
        AluOp::FlagsSub,
        AluOp::FlagsSub32,
        AluOp::FlagsAdd,
        AluOp::FlagsAdd32,
        AluOp::FlagsAnd,
        AluOp::FlagsAnd32,
        AluOp::Rev,
        AluOp::Rbit,
    ];
}

/// Comparison used by branches and `csel` (unsigned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cond {
    Eq,
    Ne,
    Lt,
    Ge,
    /// `a` is an AArch64 `NZCV` value (see [`AluOp::FlagsSub`]) and `b` a
    /// condition code as the architecture numbers them: 0 EQ, 1 NE, 2 CS/HS,
    /// 3 CC/LO, 4 MI, 5 PL, 6 VS, 7 VC, 8 HI, 9 LS, 10 GE, 11 LT, 12 GT, 13 LE,
    /// 14 AL; the condition holds for those flags.
    Nzcv,
}

/// The AArch64 condition codes, numbered as [`Cond::Nzcv`] takes them.
pub const ARM_CONDS: [&str; 15] =
    ["EQ", "NE", "CS", "CC", "MI", "PL", "VS", "VC", "HI", "LS", "GE", "LT", "GT", "LE", "AL"];

fn nzcv_holds(f: u64, code: u64) -> bool {
    let (n, z, c, v) = (f & 8 != 0, f & 4 != 0, f & 2 != 0, f & 1 != 0);
    let base = match code >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => !z && n == v,
        _ => return true,
    };
    base != (code & 1 == 1)
}

impl Cond {
    pub fn eval(self, a: u64, b: u64) -> bool {
        match self {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::Lt => a < b,
            Cond::Ge => a >= b,
            Cond::Nzcv => nzcv_holds(a, b),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Cond::Eq => "eq",
            Cond::Ne => "ne",
            Cond::Lt => "lt",
            Cond::Ge => "ge",
            Cond::Nzcv => "nzcv",
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
