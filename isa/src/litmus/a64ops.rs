//! AArch64 operands: registers of both widths, immediates, shifted and
//! extended register operands, memory operands with write-back; and the
//! helpers that give `W` registers their 32-bit meaning.
//!
//! A `W` register is the low half of its `X` register: writing it clears the
//! upper 32 bits (each write to a `W` destination is followed by an `and` with
//! `0xffffffff`), and an operation whose result depends on the upper bits of a
//! `W` source (a right shift, a sign extension) first cleans the source into a
//! scratch register.

use super::regs::{looks_like_aarch64_reg, ArchReg};
use super::text::{parse_num, perr, show, PResult, Piece};
use super::Cx;
use crate::instr::{Addr, AluOp, Instr, Operand, Reg, Width};

pub(crate) const MASK32: u64 = 0xffff_ffff;

/// A general-purpose register operand: `reg` is `None` for the zero register;
/// `w` for the 32-bit (`W`) view.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GReg {
    pub reg: Option<Reg>,
    pub w: bool,
}

impl GReg {
    pub fn operand(self) -> Operand {
        match self.reg {
            Some(r) => Operand::Reg(r),
            None => Operand::Imm(0),
        }
    }
    pub fn width(self) -> Width {
        if self.w {
            Width::W32
        } else {
            Width::W64
        }
    }
}

pub(crate) fn count(m: Piece<'_>, ops: &[Piece<'_>], n: usize) -> PResult<()> {
    if ops.len() != n {
        let s = if n == 1 { "" } else { "s" };
        return perr(m.off, format!("`{}` takes {n} operand{s}, found {}", m.s, ops.len()));
    }
    Ok(())
}

pub(crate) fn count_in(m: Piece<'_>, ops: &[Piece<'_>], lo: usize, hi: usize) -> PResult<()> {
    if ops.len() < lo || ops.len() > hi {
        return perr(m.off, format!("`{}` takes {lo} to {hi} operands, found {}", m.s, ops.len()));
    }
    Ok(())
}

/// Any general-purpose register (`W0`..`W30`, `X0`..`X30`, `WZR`, `XZR`).
pub(crate) fn greg(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<GReg> {
    let w = p.s.starts_with(['w', 'W']);
    match cx.arch_reg(p) {
        Some(ArchReg::Gpr(n)) => Ok(GReg { reg: Some(cx.gpr(n, p)?), w }),
        Some(ArchReg::Zero) => Ok(GReg { reg: None, w }),
        None if looks_like_aarch64_reg(p.s) => perr(p.off, format!("bad register {}", show(p.s))),
        None if p.s.len() > 1 && p.s.starts_with('C') && p.s[1..].chars().all(|c| c.is_ascii_digit()) => {
            perr(p.off, format!("unsupported capability register {} (Morello is not modelled)", show(p.s)))
        }
        None => perr(p.off, format!("expected a register, found {}", show(p.s))),
    }
}

/// A destination register; the zero register becomes scratch register `k`
/// (its value is discarded).
pub(crate) fn dst(cx: &mut Cx<'_>, p: Piece<'_>, k: u8) -> PResult<(Reg, bool)> {
    let g = greg(cx, p)?;
    match g.reg {
        Some(r) => Ok((r, g.w)),
        None => Ok((cx.temp(k, p.off)?, g.w)),
    }
}

/// `#imm` (also a bare number).
pub(crate) fn imm(p: Piece<'_>) -> PResult<u64> {
    let s = p.s.strip_prefix('#').unwrap_or(p.s).trim();
    match parse_num(s) {
        Some(v) => Ok(v),
        None => perr(p.off, format!("bad immediate {}", show(p.s))),
    }
}

pub(crate) fn is_imm(p: Piece<'_>) -> bool {
    p.s.starts_with('#') || parse_num(p.s).is_some()
}

/// Makes a `W` destination hold its zero-extended 32-bit value.
pub(crate) fn put(cx: &mut Cx<'_>, (d, w): (Reg, bool)) {
    if w {
        cx.emit(Instr::Alu { op: AluOp::And, dst: d, a: Operand::Reg(d), b: Operand::Imm(MASK32) });
    }
}

pub(crate) fn alu(cx: &mut Cx<'_>, op: AluOp, dst: Reg, a: Operand, b: Operand) {
    cx.emit(Instr::Alu { op, dst, a, b });
}

/// `src` read as a 32-bit value (zero-extended) when `w`, else as it is: into
/// scratch register `k` when it must be cleaned.
pub(crate) fn clean(cx: &mut Cx<'_>, src: Operand, w: bool, k: u8, off: usize) -> PResult<Operand> {
    match src {
        Operand::Reg(r) if w => {
            let t = cx.temp(k, off)?;
            alu(cx, AluOp::And, t, Operand::Reg(r), Operand::Imm(MASK32));
            Ok(Operand::Reg(t))
        }
        Operand::Imm(v) if w => Ok(Operand::Imm(v & MASK32)),
        o => Ok(o),
    }
}

/// A shift or extension applied to a register operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modifier {
    Lsl(u64),
    Lsr(u64),
    Asr(u64),
    Ror(u64),
    /// Zero-extend from `Width`, then shift left.
    Uxt(Width, u64),
    /// Sign-extend from `Width`, then shift left.
    Sxt(Width, u64),
}

/// `LSL #3`, `ASR #1`, `SXTW`, `UXTW #2`, `SXTX`...
pub(crate) fn modifier(p: Piece<'_>) -> PResult<Modifier> {
    // `LSL #2`, also written `LSL#2`.
    let (kw, rest) = match p.s.find('#') {
        Some(i) if !p.s[..i].trim().contains(char::is_whitespace) => (p.slice(0, i).trim(), p.slice(i, p.s.len())),
        _ => p.first_word(),
    };
    let amount = if rest.is_empty() { None } else { Some(imm(rest)?) };
    let u = kw.s.to_ascii_uppercase();
    let shift = |f: fn(u64) -> Modifier| match amount {
        Some(n) if n < 64 => Ok(f(n)),
        _ => perr(p.off, format!("bad shift {}", show(p.s))),
    };
    let ext = |signed: bool, w: Width| {
        let n = amount.unwrap_or(0);
        if n > 4 {
            return perr(p.off, format!("bad extension {}", show(p.s)));
        }
        Ok(if signed { Modifier::Sxt(w, n) } else { Modifier::Uxt(w, n) })
    };
    match u.as_str() {
        "LSL" => shift(Modifier::Lsl),
        "LSR" => shift(Modifier::Lsr),
        "ASR" => shift(Modifier::Asr),
        "ROR" => shift(Modifier::Ror),
        "UXTB" => ext(false, Width::W8),
        "UXTH" => ext(false, Width::W16),
        "UXTW" => ext(false, Width::W32),
        "UXTX" => ext(false, Width::W64),
        "SXTB" => ext(true, Width::W8),
        "SXTH" => ext(true, Width::W16),
        "SXTW" => ext(true, Width::W32),
        "SXTX" => ext(true, Width::W64),
        _ => perr(p.off, format!("unsupported operand modifier {}", show(p.s))),
    }
}

/// Applies a modifier to register operand `src` (of a `w`-wide operation) into
/// scratch register `k`.
pub(crate) fn modify(cx: &mut Cx<'_>, src: GReg, m: Modifier, w: bool, k: u8, off: usize) -> PResult<Operand> {
    let t = cx.temp(k, off)?;
    let s = src.operand();
    let shl = |cx: &mut Cx<'_>, n: u64| {
        if n > 0 {
            alu(cx, AluOp::Shl, t, Operand::Reg(t), Operand::Imm(n));
        }
    };
    match m {
        Modifier::Lsl(n) => alu(cx, AluOp::Shl, t, s, Operand::Imm(n)),
        Modifier::Lsr(n) => {
            let s = clean(cx, s, w, k, off)?;
            alu(cx, AluOp::Shr, t, s, Operand::Imm(n))
        }
        Modifier::Asr(n) if w => {
            alu(cx, AluOp::Sext, t, s, Operand::Imm(32));
            alu(cx, AluOp::Sar, t, Operand::Reg(t), Operand::Imm(n))
        }
        Modifier::Asr(n) => alu(cx, AluOp::Sar, t, s, Operand::Imm(n)),
        Modifier::Ror(n) => alu(cx, if w { AluOp::Ror32 } else { AluOp::Ror }, t, s, Operand::Imm(n)),
        Modifier::Uxt(wd, n) => {
            alu(cx, AluOp::And, t, s, Operand::Imm(wd.mask()));
            shl(cx, n)
        }
        Modifier::Sxt(wd, n) => {
            alu(cx, AluOp::Sext, t, s, Operand::Imm(wd.bits() as u64));
            shl(cx, n)
        }
    }
    Ok(Operand::Reg(t))
}

/// The flexible second operand of a data-processing instruction: `#imm` (with
/// an optional `LSL #12`), a register, or a shifted / extended register; built
/// in scratch register `k` when it needs computing. `w`: a 32-bit operation.
pub(crate) fn operand2(cx: &mut Cx<'_>, ops: &[Piece<'_>], w: bool, k: u8) -> PResult<Operand> {
    let first = ops[0];
    if is_imm(first) {
        let mut v = imm(first)?;
        if let Some(m) = ops.get(1) {
            match modifier(*m)? {
                Modifier::Lsl(n) => v <<= n,
                _ => return perr(m.off, format!("unsupported immediate shift {}", show(m.s))),
            }
        }
        if ops.len() > 2 {
            return perr(ops[2].off, format!("unexpected operand {}", show(ops[2].s)));
        }
        return Ok(Operand::Imm(if w { v & MASK32 } else { v }));
    }
    let r = greg(cx, first)?;
    match ops.get(1) {
        None => Ok(r.operand()),
        Some(m) => {
            if ops.len() > 2 {
                return perr(ops[2].off, format!("unexpected operand {}", show(ops[2].s)));
            }
            let md = modifier(*m)?;
            modify(cx, r, md, w, k, m.off)
        }
    }
}

/// A memory operand: the address (64 bits wide; the caller sizes it) and the
/// write-back to do before (`pre`) or after (`post`) the access.
pub(crate) struct Mem {
    pub addr: Addr,
    pub base: Reg,
    pub pre: Option<i64>,
    pub post: Option<i64>,
}

/// `[Xn]`, `[Xn,#imm]`, `[Xn,#imm]!`, `[Xn], #imm`, `[Xn,Xm]`, `[Xn,Xm,LSL #k]`,
/// `[Xn,Wm,SXTW {#k}]`, `[Xn,Wm,UXTW {#k}]`. `ops` starts at the memory operand;
/// an index that needs computing goes to scratch register `k`.
pub(crate) fn mem(cx: &mut Cx<'_>, ops: &[Piece<'_>], k: u8) -> PResult<Mem> {
    let p = ops[0];
    if !p.s.starts_with('[') {
        return perr(p.off, format!("expected a memory operand `[Xn]`, found {}", show(p.s)));
    }
    let (inner_end, pre) = if p.s.ends_with("]!") {
        (p.s.len() - 2, true)
    } else if p.s.ends_with(']') {
        (p.s.len() - 1, false)
    } else {
        return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
    };
    let parts: Vec<Piece<'_>> = p.slice(1, inner_end).split(',').into_iter().map(|x| x.trim()).collect();
    let b = greg(cx, parts[0])?;
    let Some(base) = b.reg.filter(|_| !b.w) else {
        return perr(parts[0].off, format!("bad base register {}", show(parts[0].s)));
    };
    let mut m = Mem { addr: Addr::reg(base), base, pre: None, post: None };
    if let Some(&second) = parts.get(1) {
        if is_imm(second) {
            if parts.len() > 2 {
                return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
            }
            let off = imm(second)? as i64;
            if pre {
                m.pre = Some(off);
            } else {
                m.addr.offset = off;
            }
        } else {
            if pre || parts.len() > 3 {
                return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
            }
            let ix = greg(cx, second)?;
            let Some(ixr) = ix.reg else {
                return perr(second.off, format!("unsupported index register {}", show(second.s)));
            };
            let md = match parts.get(2) {
                Some(&mp) => Some(modifier(mp)?),
                None if ix.w => return perr(p.off, format!("unsupported addressing mode {}", show(p.s))),
                None => None,
            };
            m.addr.index = Some(match md {
                None | Some(Modifier::Lsl(0)) => ixr,
                Some(md @ (Modifier::Lsl(_) | Modifier::Uxt(..) | Modifier::Sxt(..))) => {
                    match modify(cx, ix, md, false, k, second.off)? {
                        Operand::Reg(t) => t,
                        _ => ixr,
                    }
                }
                Some(_) => return perr(p.off, format!("unsupported addressing mode {}", show(p.s))),
            });
        }
    } else if pre {
        return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
    }
    if let Some(&post) = ops.get(1) {
        if pre || parts.len() > 1 || !is_imm(post) || ops.len() > 2 {
            return perr(post.off, format!("unsupported addressing mode {}", show(post.s)));
        }
        m.post = Some(imm(post)? as i64);
    }
    Ok(m)
}

/// Emits a memory instruction on `m` (with its write-backs), recording where it
/// comes from.
pub(crate) fn access(cx: &mut Cx<'_>, m: &Mem, off: usize, i: impl FnOnce(Addr) -> Instr) {
    let wb = |cx: &mut Cx<'_>, v: i64| {
        alu(cx, AluOp::Add, m.base, Operand::Reg(m.base), Operand::Imm(v as u64));
    };
    if let Some(v) = m.pre {
        wb(cx, v);
    }
    cx.accesses.push((cx.pc() as u16, off));
    cx.emit(i(m.addr));
    if let Some(v) = m.post {
        wb(cx, v);
    }
}
