//! x86 instructions to microcode: herd's `X86` (Intel syntax, `MOV [x],$1`) and
//! `X86_64` (AT&T syntax, `movl $1,(x)`). Both are decoded into Intel operand
//! order (destination first) and share one translation.

use super::regs::{x86_reg, ArchReg};
use super::text::{is_ident, parse_num, perr, show, PResult, Piece};
use super::Cx;
use crate::instr::{Addr, AluOp, Cond, FenceKind, Instr, LoadOrd, Operand, Pc, Reg, RmwOp, RmwOrd, StoreOrd};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Intel,
    Att,
}

#[derive(Clone, Copy, Debug)]
enum XOp {
    Reg(Reg),
    Imm(u64),
    Mem(Addr),
}

fn reg(cx: &mut Cx<'_>, p: Piece<'_>) -> PResult<Option<Reg>> {
    match x86_reg(p.s) {
        Some(ArchReg::Gpr(n)) => Ok(Some(cx.gpr(n, p)?)),
        _ => Ok(None),
    }
}

fn imm(p: Piece<'_>) -> PResult<XOp> {
    match p.s.strip_prefix('$').and_then(parse_num) {
        Some(v) => Ok(XOp::Imm(v)),
        None => perr(p.off, format!("bad immediate {}", show(p.s))),
    }
}

/// A memory base: a register (Intel `EAX`, AT&T `%rax`) or a symbol.
fn mem_base(cx: &mut Cx<'_>, inner: Piece<'_>, syn: Syntax, whole: Piece<'_>) -> PResult<Addr> {
    let name = match syn {
        Syntax::Intel => Some(inner),
        Syntax::Att => inner.s.strip_prefix('%').map(|_| inner.slice(1, inner.s.len())),
    };
    if let Some(n) = name {
        if let Some(r) = reg(cx, n)? {
            return Ok(Addr::reg(r));
        }
        if syn == Syntax::Att {
            return perr(inner.off, format!("bad register {}", show(inner.s)));
        }
    }
    if is_ident(inner.s) {
        return Ok(Addr::sym(cx.sym(inner)?));
    }
    perr(whole.off, format!("unsupported addressing mode {}", show(whole.s)))
}

fn operand(cx: &mut Cx<'_>, p: Piece<'_>, syn: Syntax) -> PResult<XOp> {
    if p.s.starts_with('$') {
        return imm(p);
    }
    match syn {
        Syntax::Intel => {
            if let Some(inner) = p.s.strip_prefix('[') {
                if inner.ends_with(']') {
                    let inner = p.slice(1, p.s.len() - 1).trim();
                    return Ok(XOp::Mem(mem_base(cx, inner, syn, p)?));
                }
                return perr(p.off, format!("unsupported addressing mode {}", show(p.s)));
            }
            match reg(cx, p)? {
                Some(r) => Ok(XOp::Reg(r)),
                None => perr(p.off, format!("bad operand {}", show(p.s))),
            }
        }
        Syntax::Att => {
            if let Some(name) = p.s.strip_prefix('%') {
                return match reg(cx, p.slice(1, 1 + name.len()))? {
                    Some(r) => Ok(XOp::Reg(r)),
                    None => perr(p.off, format!("bad register {}", show(p.s))),
                };
            }
            if let (Some(open), true) = (p.s.find('('), p.s.ends_with(')')) {
                let disp = p.slice(0, open).trim();
                let offset = if disp.is_empty() {
                    0
                } else {
                    match parse_num(disp.s) {
                        Some(v) => v as i64,
                        None => return perr(p.off, format!("unsupported addressing mode {}", show(p.s))),
                    }
                };
                let inner = p.slice(open + 1, p.s.len() - 1).trim();
                let parts = inner.split(',');
                let mut a = mem_base(cx, parts[0].trim(), syn, p)?;
                a.offset = offset;
                if parts.len() > 1 {
                    a.index = Some(scaled_index(cx, &parts[1..], p)?);
                }
                return Ok(XOp::Mem(a));
            }
            perr(p.off, format!("bad operand {}", show(p.s)))
        }
    }
}

/// The `%index,scale` of an AT&T memory operand `disp(%base,%index,scale)`:
/// the index register, or the scaled index computed into a scratch register.
fn scaled_index(cx: &mut Cx<'_>, parts: &[Piece<'_>], whole: Piece<'_>) -> PResult<Reg> {
    let bad = || perr(whole.off, format!("unsupported addressing mode {}", show(whole.s)));
    if parts.len() > 2 {
        return bad();
    }
    let ix = parts[0].trim();
    let Some(r) = ix.s.strip_prefix('%').map(|_| ix.slice(1, ix.s.len())) else { return bad() };
    let Some(r) = reg(cx, r)? else { return perr(ix.off, format!("bad register {}", show(ix.s))) };
    let scale = match parts.get(1) {
        Some(sc) => match parse_num(sc.trim().s) {
            Some(v @ (1 | 2 | 4 | 8)) => v,
            _ => return perr(sc.off, format!("bad scale {} (1, 2, 4 or 8)", show(sc.trim().s))),
        },
        None => 1,
    };
    if scale == 1 {
        return Ok(r);
    }
    let t = cx.spare_reg(whole.off)?;
    cx.emit(Instr::Alu { op: AluOp::Shl, dst: t, a: Operand::Reg(r), b: Operand::Imm(scale.trailing_zeros() as u64) });
    Ok(t)
}

fn count(m: Piece<'_>, ops: &[Piece<'_>], n: usize) -> PResult<()> {
    if ops.len() != n {
        let s = if n == 1 { "" } else { "s" };
        return perr(m.off, format!("`{}` takes {n} operand{s}, found {}", m.s, ops.len()));
    }
    Ok(())
}

const ATT_BASES: &[&str] = &[
    "mov", "xchg", "cmpxchg", "xadd", "add", "sub", "and", "or", "xor", "inc", "dec", "cmp", "shl", "shr", "sar", "nop",
];
const NO_SUFFIX: &[&str] = &["mfence", "je", "jz", "jne", "jnz", "jmp", "ret", "endbr64"];

/// The mnemonic in Intel spelling (upper case, no AT&T size suffix).
fn base_mnemonic(m: Piece<'_>, syn: Syntax) -> PResult<String> {
    let l = m.s.to_ascii_lowercase();
    if NO_SUFFIX.contains(&l.as_str()) || (syn == Syntax::Intel && ATT_BASES.contains(&l.as_str())) {
        return Ok(l.to_ascii_uppercase());
    }
    if syn == Syntax::Att {
        for b in ATT_BASES {
            if let Some(s) = l.strip_prefix(b) {
                if matches!(s, "" | "l" | "q" | "w") {
                    return Ok(b.to_ascii_uppercase());
                }
            }
        }
    }
    perr(m.off, format!("unsupported instruction {}", show(m.s)))
}

fn mem_and_reg(ops: &[XOp]) -> Option<(Addr, Reg)> {
    match (ops[0], ops[1]) {
        (XOp::Mem(a), XOp::Reg(r)) | (XOp::Reg(r), XOp::Mem(a)) => Some((a, r)),
        _ => None,
    }
}

fn src_operand(o: XOp) -> Option<Operand> {
    match o {
        XOp::Reg(r) => Some(Operand::Reg(r)),
        XOp::Imm(v) => Some(Operand::Imm(v)),
        XOp::Mem(_) => None,
    }
}

/// Records an instruction that writes the flags (`cmp`: set by CMP, the only
/// writer whose flags are modelled).
fn wrote_flags(cx: &mut Cx<'_>, cmp: bool, what: &str) {
    cx.flags.last_writer = Some((cmp, what.to_string()));
    if !cmp && cx.flags.non_cmp_writer.is_none() {
        cx.flags.non_cmp_writer = Some(what.to_string());
    }
}

/// Translates one instruction (the text of a cell without its label).
pub(crate) fn instr<'a>(cx: &mut Cx<'a>, c: Piece<'a>, syn: Syntax) -> PResult<()> {
    let (w1, rest) = c.first_word();
    let (lock, m, rest) = if w1.s.eq_ignore_ascii_case("lock") {
        let (w2, rest2) = rest.first_word();
        if w2.is_empty() {
            return perr(w1.end(), format!("missing instruction after `{}`", w1.s));
        }
        (Some(w1), w2, rest2)
    } else {
        (None, w1, rest)
    };
    let mut ops: Vec<Piece<'a>> =
        if rest.is_empty() { Vec::new() } else { rest.split_top_commas().into_iter().map(|p| p.trim()).collect() };
    if let Some(o) = ops.iter().find(|o| o.is_empty()) {
        return perr(o.off, format!("missing operand in `{}`", c.s));
    }
    if syn == Syntax::Att {
        ops.reverse();
    }
    let base = base_mnemonic(m, syn)?;
    let what = match lock {
        Some(l) => format!("{} {}", l.s, m.s),
        None => m.s.to_string(),
    };
    let no_lock = || -> PResult<()> {
        match lock {
            Some(l) => perr(l.off, format!("unsupported `{}` prefix on `{}`", l.s, m.s)),
            None => Ok(()),
        }
    };
    match base.as_str() {
        "JE" | "JZ" | "JNE" | "JNZ" | "JMP" => {
            no_lock()?;
            count(m, &ops, 1)?;
            if base == "JMP" {
                return cx.emit_to(Instr::Jmp { target: 0 }, ops[0]);
            }
            if let Some((false, w)) = &cx.flags.last_writer {
                return perr(m.off, format!("unsupported `{}` after `{w}` (only flags set by CMP are modelled)", m.s));
            }
            cx.flags.reader = true;
            let f = cx.flags_reg(m.off)?;
            let cond = if matches!(base.as_str(), "JE" | "JZ") { Cond::Eq } else { Cond::Ne };
            return cx.emit_to(Instr::Branch { cond, a: Operand::Reg(f), b: Operand::Imm(0), target: 0 }, ops[0]);
        }
        "MFENCE" => {
            no_lock()?;
            count(m, &ops, 0)?;
            cx.emit(Instr::Fence(FenceKind::Full));
            return Ok(());
        }
        // No effect, whatever the operands (`nopl 0(%rax,%rax,1)`, `endbr64`): not even read.
        "NOP" | "ENDBR64" => {
            no_lock()?;
            cx.emit(Instr::Nop);
            return Ok(());
        }
        // herd's threads are functions: a `ret` ends the thread.
        "RET" => {
            no_lock()?;
            count(m, &ops, 0)?;
            cx.emit(Instr::Halt);
            return Ok(());
        }
        _ => {}
    }
    let shift = matches!(base.as_str(), "SHL" | "SHR" | "SAR");
    let xs: Vec<XOp> = ops
        .iter()
        .map(|&p| match parse_num(p.s) {
            Some(v) if shift => Ok(XOp::Imm(v)),
            _ => operand(cx, p, syn),
        })
        .collect::<PResult<_>>()?;
    let i = match base.as_str() {
        "MOV" => {
            no_lock()?;
            count(m, &ops, 2)?;
            match (xs[0], xs[1]) {
                (XOp::Mem(_), XOp::Mem(_)) => return perr(m.off, format!("unsupported memory-to-memory `{}`", m.s)),
                (XOp::Mem(a), s) => {
                    let src = src_operand(s).unwrap_or(Operand::Imm(0));
                    Instr::Store { src, addr: a, ord: StoreOrd::Plain, status: None }
                }
                (XOp::Reg(d), XOp::Mem(a)) => Instr::Load { dst: d, addr: a, ord: LoadOrd::Plain, exclusive: false },
                (XOp::Reg(d), s) => Instr::Mov { dst: d, src: src_operand(s).unwrap_or(Operand::Imm(0)) },
                (XOp::Imm(_), _) => return perr(ops[0].off, format!("bad destination {}", show(ops[0].s))),
            }
        }
        "XCHG" => {
            count(m, &ops, 2)?;
            let Some((a, r)) = mem_and_reg(&xs) else {
                return perr(
                    m.off,
                    format!("unsupported `{}` operands (expected a register and a memory location)", m.s),
                );
            };
            Instr::Rmw { op: RmwOp::Xchg(Operand::Reg(r)), dst: Some(r), addr: a, ord: RmwOrd::Full }
        }
        "CMPXCHG" => {
            count(m, &ops, 2)?;
            let Some((a, r)) = mem_and_reg(&xs) else {
                return perr(
                    m.off,
                    format!("unsupported `{}` operands (expected a register and a memory location)", m.s),
                );
            };
            let rax = cx.implicit_gpr(0, if syn == Syntax::Intel { "EAX" } else { "rax" }, m.off)?;
            wrote_flags(cx, false, &what);
            if lock.is_some() {
                Instr::Rmw {
                    op: RmwOp::Cmpxchg { expected: Operand::Reg(rax), new: Operand::Reg(r) },
                    dst: Some(rax),
                    addr: a,
                    ord: RmwOrd::Full,
                }
            } else {
                // Without LOCK, CMPXCHG is not atomic: a load, a compare and a store.
                let t = cx.spare_reg(m.off)?;
                let skip = (cx.pc() + 3) as Pc;
                cx.emit(Instr::Load { dst: t, addr: a, ord: LoadOrd::Plain, exclusive: false });
                cx.emit(Instr::Branch { cond: Cond::Ne, a: Operand::Reg(t), b: Operand::Reg(rax), target: skip });
                cx.emit(Instr::Store { src: Operand::Reg(r), addr: a, ord: StoreOrd::Plain, status: None });
                Instr::Mov { dst: rax, src: Operand::Reg(t) }
            }
        }
        "XADD" => {
            count(m, &ops, 2)?;
            let (XOp::Mem(a), XOp::Reg(r)) = (xs[0], xs[1]) else {
                return perr(
                    m.off,
                    format!("unsupported `{}` operands (expected a memory location, then a register)", m.s),
                );
            };
            if lock.is_none() {
                return perr(m.off, format!("unsupported `{}` without `LOCK` (not atomic)", m.s));
            }
            wrote_flags(cx, false, &what);
            Instr::Rmw { op: RmwOp::FetchAdd(Operand::Reg(r)), dst: Some(r), addr: a, ord: RmwOrd::Full }
        }
        "ADD" | "SUB" | "AND" | "OR" | "XOR" | "INC" | "DEC" => {
            let unary = matches!(base.as_str(), "INC" | "DEC");
            count(m, &ops, if unary { 1 } else { 2 })?;
            let src = if unary {
                Operand::Imm(if base == "INC" { 1 } else { u64::MAX })
            } else {
                match src_operand(xs[1]) {
                    Some(s) => s,
                    None => return perr(ops[1].off, format!("unsupported memory source in `{}`", m.s)),
                }
            };
            wrote_flags(cx, false, &what);
            match xs[0] {
                XOp::Mem(a) => {
                    if lock.is_none() {
                        return perr(m.off, format!("unsupported `{}` to memory without `LOCK` (not atomic)", m.s));
                    }
                    let op = match (base.as_str(), src) {
                        ("ADD" | "INC" | "DEC", s) => RmwOp::FetchAdd(s),
                        ("SUB", Operand::Imm(v)) => RmwOp::FetchAdd(Operand::Imm(v.wrapping_neg())),
                        ("OR", s) => RmwOp::FetchOr(s),
                        ("XOR", s) => RmwOp::FetchXor(s),
                        ("AND", Operand::Imm(v)) => RmwOp::FetchAndNot(Operand::Imm(!v)),
                        _ => {
                            return perr(
                                ops[1].off,
                                format!("unsupported `{what}` with a register operand (only an immediate)"),
                            )
                        }
                    };
                    Instr::Rmw { op, dst: None, addr: a, ord: RmwOrd::Full }
                }
                XOp::Reg(d) => {
                    no_lock()?;
                    let op = match base.as_str() {
                        "ADD" | "INC" | "DEC" => AluOp::Add,
                        "SUB" => AluOp::Sub,
                        "AND" => AluOp::And,
                        "OR" => AluOp::Or,
                        _ => AluOp::Xor,
                    };
                    Instr::Alu { op, dst: d, a: Operand::Reg(d), b: src }
                }
                XOp::Imm(_) => return perr(ops[0].off, format!("bad destination {}", show(ops[0].s))),
            }
        }
        "SHL" | "SHR" | "SAR" => {
            no_lock()?;
            count(m, &ops, 2)?;
            // The count: an immediate (herd also takes it without `$`) or CL.
            let amount = match (xs[1], parse_num(ops[1].s)) {
                (_, Some(v)) => Operand::Imm(v & 63),
                (XOp::Imm(v), _) => Operand::Imm(v & 63),
                (XOp::Reg(r), _) => Operand::Reg(r),
                (XOp::Mem(_), _) => return perr(ops[1].off, format!("bad shift count {}", show(ops[1].s))),
            };
            let XOp::Reg(d) = xs[0] else {
                return perr(ops[0].off, format!("unsupported `{}` of memory (only a register)", m.s));
            };
            wrote_flags(cx, false, &what);
            let op = match base.as_str() {
                "SHL" => AluOp::Shl,
                "SHR" => AluOp::Shr,
                _ => AluOp::Sar,
            };
            Instr::Alu { op, dst: d, a: Operand::Reg(d), b: amount }
        }
        "CMP" => {
            no_lock()?;
            count(m, &ops, 2)?;
            let (XOp::Reg(a), Some(b)) = (xs[0], src_operand(xs[1])) else {
                return perr(m.off, format!("unsupported `{}` operands (only registers and immediates)", m.s));
            };
            let f = cx.flags_reg(m.off)?;
            wrote_flags(cx, true, &what);
            Instr::Alu { op: AluOp::Sub, dst: f, a: Operand::Reg(a), b }
        }
        _ => return perr(m.off, format!("unsupported instruction {}", show(m.s))),
    };
    cx.emit(i);
    Ok(())
}
