//! AArch64 instructions (herd7's subset) to microcode.

use super::regs::{looks_like_aarch64_reg, ArchReg};
use super::text::{parse_num, perr, show, PResult, Piece};
use super::Cx;
use crate::instr::{Addr, AluOp, Cond, FenceKind, Instr, LoadOrd, Operand, Reg, RmwOp, RmwOrd, StoreOrd};

fn count(m: Piece<'_>, ops: &[Piece<'_>], n: usize) -> PResult<()> {
    if ops.len() != n {
        let s = if n == 1 { "" } else { "s" };
        return perr(m.off, format!("`{}` takes {n} operand{s}, found {}", m.s, ops.len()));
    }
    Ok(())
}

fn reg_any(cx: &Cx<'_>, p: Piece<'_>) -> PResult<ArchReg> {
    match cx.arch_reg(p) {
        Some(r) => Ok(r),
        None if looks_like_aarch64_reg(p.s) => perr(p.off, format!("bad register {}", show(p.s))),
        None => perr(p.off, format!("expected a register, found {}", show(p.s))),
    }
}

/// A destination register (the zero register is not supported there).
fn dst(cx: &mut Cx<'_>, m: Piece<'_>, p: Piece<'_>) -> PResult<Reg> {
    match reg_any(cx, p)? {
        ArchReg::Gpr(n) => cx.gpr(n, p),
        ArchReg::Zero => perr(p.off, format!("unsupported zero register as the destination of `{}`", m.s)),
    }
}

/// A destination that may be the zero register (then the result is discarded).
fn dst_or_zr(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<Option<Reg>> {
    match reg_any(cx, p)? {
        ArchReg::Gpr(n) => Ok(Some(cx.gpr(n, p)?)),
        ArchReg::Zero => Ok(None),
    }
}

/// A source register; the zero register reads as 0.
fn src_reg(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<Operand> {
    match reg_any(cx, p)? {
        ArchReg::Gpr(n) => Ok(Operand::Reg(cx.gpr(n, p)?)),
        ArchReg::Zero => Ok(Operand::Imm(0)),
    }
}

fn imm(p: Piece<'_>) -> PResult<u64> {
    match p.s.strip_prefix('#').and_then(|s| parse_num(s.trim())) {
        Some(v) => Ok(v),
        None => perr(p.off, format!("bad immediate {}", show(p.s))),
    }
}

/// A register or `#imm`.
fn src_ri(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<Operand> {
    if p.s.starts_with('#') {
        Ok(Operand::Imm(imm(p)?))
    } else {
        src_reg(cx, p)
    }
}

/// `[Xn]`, `[Xn,#imm]`, `[Xn,Xm]`, `[Xn,Wm,SXTW]` (also `UXTW`).
fn addr(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<Addr> {
    if !p.s.starts_with('[') {
        return perr(p.off, format!("expected a memory operand `[Xn]`, found {}", show(p.s)));
    }
    if !p.s.ends_with(']') {
        return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
    }
    let parts: Vec<Piece<'_>> = p.slice(1, p.s.len() - 1).split(',').into_iter().map(|x| x.trim()).collect();
    let base = match reg_any(cx, parts[0])? {
        ArchReg::Gpr(n) => cx.gpr(n, parts[0])?,
        ArchReg::Zero => return perr(parts[0].off, format!("bad base register {}", show(parts[0].s))),
    };
    let mut a = Addr::reg(base);
    if parts.len() == 1 {
        return Ok(a);
    }
    let second = parts[1];
    if second.s.starts_with('#') && parts.len() == 2 {
        a.offset = imm(second)? as i64;
        return Ok(a);
    }
    let ext_ok = match parts.len() {
        2 => true,
        3 => matches!(parts[2].s.to_ascii_uppercase().as_str(), "SXTW" | "UXTW"),
        _ => false,
    };
    if !ext_ok || second.s.starts_with('#') {
        return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
    }
    match reg_any(cx, second)? {
        ArchReg::Gpr(n) => a.index = Some(cx.gpr(n, second)?),
        ArchReg::Zero => return perr(second.off, format!("bad index register {}", show(second.s))),
    }
    Ok(a)
}

/// `[Xn]` only (atomics and exclusives); `[Xn,#0]` is accepted too.
fn base_addr(cx: &mut Cx<'_>, m: Piece<'_>, p: Piece<'_>) -> PResult<Addr> {
    let a = addr(cx, p)?;
    if a.index.is_some() || a.offset != 0 {
        return perr(p.off, format!("unsupported addressing mode {} for `{}`", show(p.s), m.s));
    }
    Ok(a)
}

/// `FAMILY` + one of `suffixes`.
fn family<'u>(u: &'u str, fams: &[&'static str], suffixes: &[&str]) -> Option<(&'static str, &'u str)> {
    fams.iter().find_map(|f| u.strip_prefix(f).filter(|s| suffixes.contains(s)).map(|s| (*f, s)))
}

fn rmw_ord(suffix: &str) -> RmwOrd {
    match suffix {
        "A" => RmwOrd::Acquire,
        "L" => RmwOrd::Release,
        "AL" => RmwOrd::Full,
        _ => RmwOrd::Relaxed,
    }
}

fn cond_code(p: Piece<'_>) -> PResult<Cond> {
    match p.s.to_ascii_uppercase().as_str() {
        "EQ" => Ok(Cond::Eq),
        "NE" => Ok(Cond::Ne),
        _ => perr(p.off, format!("unsupported condition code {}", show(p.s))),
    }
}

/// Translates one instruction (the text of a cell without its label).
pub(crate) fn instr<'a>(cx: &mut Cx<'a>, c: Piece<'a>) -> PResult<()> {
    let (m, rest) = c.first_word();
    let ops: Vec<Piece<'a>> =
        if rest.is_empty() { Vec::new() } else { rest.split_top_commas().into_iter().map(|p| p.trim()).collect() };
    if let Some(o) = ops.iter().find(|o| o.is_empty()) {
        return perr(o.off, format!("missing operand in `{}`", c.s));
    }
    let u = m.s.to_ascii_uppercase();
    let i = match u.as_str() {
        "LDR" | "LDAR" | "LDAPR" | "LDXR" | "LDAXR" => {
            count(m, &ops, 2)?;
            let d = dst(cx, m, ops[0])?;
            let exclusive = matches!(u.as_str(), "LDXR" | "LDAXR");
            let a = if exclusive { base_addr(cx, m, ops[1])? } else { addr(cx, ops[1])? };
            let ord = match u.as_str() {
                "LDAR" | "LDAXR" => LoadOrd::Acquire,
                "LDAPR" => LoadOrd::AcquirePc,
                _ => LoadOrd::Plain,
            };
            Instr::Load { dst: d, addr: a, ord, exclusive }
        }
        "STR" | "STLR" => {
            count(m, &ops, 2)?;
            let src = src_reg(cx, ops[0])?;
            let a = addr(cx, ops[1])?;
            let ord = if u == "STLR" { StoreOrd::Release } else { StoreOrd::Plain };
            Instr::Store { src, addr: a, ord, status: None }
        }
        "STXR" | "STLXR" => {
            count(m, &ops, 3)?;
            let status = dst(cx, m, ops[0])?;
            let src = src_reg(cx, ops[1])?;
            let a = base_addr(cx, m, ops[2])?;
            let ord = if u == "STLXR" { StoreOrd::Release } else { StoreOrd::Plain };
            Instr::Store { src, addr: a, ord, status: Some(status) }
        }
        "MOV" => {
            count(m, &ops, 2)?;
            let d = dst(cx, m, ops[0])?;
            let src = src_ri(cx, ops[1])?;
            Instr::Mov { dst: d, src }
        }
        "ADD" | "SUB" | "EOR" | "AND" | "ORR" => {
            count(m, &ops, 3)?;
            let d = dst(cx, m, ops[0])?;
            let a = src_reg(cx, ops[1])?;
            let b = src_ri(cx, ops[2])?;
            let op = match u.as_str() {
                "ADD" => AluOp::Add,
                "SUB" => AluOp::Sub,
                "EOR" => AluOp::Xor,
                "AND" => AluOp::And,
                _ => AluOp::Or,
            };
            Instr::Alu { op, dst: d, a, b }
        }
        "CMP" => {
            count(m, &ops, 2)?;
            let a = src_reg(cx, ops[0])?;
            let b = src_ri(cx, ops[1])?;
            let f = cx.flags_reg(m.off)?;
            Instr::Alu { op: AluOp::Sub, dst: f, a, b }
        }
        "CSEL" => {
            count(m, &ops, 4)?;
            let d = dst(cx, m, ops[0])?;
            let t = src_reg(cx, ops[1])?;
            let f = src_reg(cx, ops[2])?;
            let cond = cond_code(ops[3])?;
            let flags = cx.flags_reg(m.off)?;
            Instr::Csel { dst: d, cond, a: Operand::Reg(flags), b: Operand::Imm(0), t, f }
        }
        "B" => {
            count(m, &ops, 1)?;
            return cx.emit_to(Instr::Jmp { target: 0 }, ops[0]);
        }
        "CBZ" | "CBNZ" => {
            count(m, &ops, 2)?;
            let a = src_reg(cx, ops[0])?;
            let cond = if u == "CBZ" { Cond::Eq } else { Cond::Ne };
            return cx.emit_to(Instr::Branch { cond, a, b: Operand::Imm(0), target: 0 }, ops[1]);
        }
        "DMB" | "DSB" => {
            count(m, &ops, 1)?;
            let dsb = u == "DSB";
            let k = match ops[0].s.to_ascii_uppercase().as_str() {
                "SY" | "ISH" | "OSH" | "NSH" => FenceKind::Full,
                "LD" | "ISHLD" | "OSHLD" | "NSHLD" => FenceKind::LoadLoad,
                // aarch64.cat: DMB ST orders stores before stores, DSB ST before every access.
                "ST" | "ISHST" | "OSHST" | "NSHST" if dsb => FenceKind::StoreAll,
                "ST" | "ISHST" | "OSHST" | "NSHST" => FenceKind::StoreStore,
                _ => return perr(ops[0].off, format!("unsupported barrier option {}", show(ops[0].s))),
            };
            Instr::Fence(k)
        }
        "ISB" => {
            if ops.len() > 1 || ops.first().is_some_and(|o| !o.s.eq_ignore_ascii_case("SY")) {
                return perr(ops[0].off, format!("unsupported barrier option {}", show(ops[0].s)));
            }
            Instr::Fence(FenceKind::Isb)
        }
        "NOP" => {
            count(m, &ops, 0)?;
            Instr::Nop
        }
        _ if u.starts_with("B.") => {
            count(m, &ops, 1)?;
            let cond = cond_code(m.slice(2, m.s.len()))?;
            let flags = cx.flags_reg(m.off)?;
            let b = Instr::Branch { cond, a: Operand::Reg(flags), b: Operand::Imm(0), target: 0 };
            return cx.emit_to(b, ops[0]);
        }
        _ => {
            const ALL: &[&str] = &["", "A", "L", "AL"];
            if let Some((_, suffix)) = family(&u, &["CAS"], ALL) {
                count(m, &ops, 3)?;
                let (expected, d) = match reg_any(cx, ops[0])? {
                    ArchReg::Gpr(n) => {
                        let r = cx.gpr(n, ops[0])?;
                        (Operand::Reg(r), Some(r))
                    }
                    ArchReg::Zero => (Operand::Imm(0), None),
                };
                let new = src_reg(cx, ops[1])?;
                let a = base_addr(cx, m, ops[2])?;
                Instr::Rmw { op: RmwOp::Cmpxchg { expected, new }, dst: d, addr: a, ord: rmw_ord(suffix) }
            } else if let Some((fam, suffix)) = family(&u, &["SWP", "LDADD", "LDSET", "LDCLR", "LDEOR"], ALL) {
                count(m, &ops, 3)?;
                let v = src_reg(cx, ops[0])?;
                let d = dst_or_zr(cx, ops[1])?;
                let a = base_addr(cx, m, ops[2])?;
                Instr::Rmw { op: rmw_op(fam, v), dst: d, addr: a, ord: rmw_ord(suffix) }
            } else if let Some((fam, suffix)) = family(&u, &["STADD", "STSET", "STCLR", "STEOR"], &["", "L"]) {
                count(m, &ops, 2)?;
                let v = src_reg(cx, ops[0])?;
                let a = base_addr(cx, m, ops[1])?;
                Instr::Rmw { op: rmw_op(fam, v), dst: None, addr: a, ord: rmw_ord(suffix) }
            } else {
                return perr(m.off, format!("unsupported instruction {}", show(m.s)));
            }
        }
    };
    cx.emit(i);
    Ok(())
}

fn rmw_op(fam: &str, v: Operand) -> RmwOp {
    match fam {
        "SWP" => RmwOp::Xchg(v),
        "LDADD" | "STADD" => RmwOp::FetchAdd(v),
        "LDSET" | "STSET" => RmwOp::FetchOr(v),
        "LDCLR" | "STCLR" => RmwOp::FetchAndNot(v),
        _ => RmwOp::FetchXor(v),
    }
}
