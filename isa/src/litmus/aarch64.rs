//! AArch64 instructions (herd7's subset) to microcode.
//!
//! Condition flags live in one register (`NZCV`, see [`AluOp::FlagsSub`]);
//! `B.cond`, `CSEL` and friends test it with [`Cond::Nzcv`]. Operands and the
//! 32-bit meaning of `W` registers are in [`super::a64ops`].

use super::a64ops::{
    access, alu, clean, count, count_in, dst, greg, imm, is_imm, mem, modifier, operand2, put, GReg, Modifier, MASK32,
};
use super::text::{perr, show, PResult, Piece};
use super::Cx;
use crate::instr::{AluOp, Cond, FenceKind, Instr, LoadOrd, Operand, Reg, RmwOp, RmwOrd, StoreOrd, Width, ARM_CONDS};

/// `FAMILY` + one of `suffixes` + an optional size suffix (`B`, `H`).
fn family<'u>(u: &'u str, fams: &[&'static str], suffixes: &[&str]) -> Option<(&'static str, &'u str, Option<Width>)> {
    fams.iter().find_map(|f| {
        let rest = u.strip_prefix(f)?;
        let (ord, size) = match rest.strip_suffix('B') {
            Some(o) if suffixes.contains(&o) => (o, Some(Width::W8)),
            _ => match rest.strip_suffix('H') {
                Some(o) if suffixes.contains(&o) => (o, Some(Width::W16)),
                _ => (rest, None),
            },
        };
        suffixes.contains(&ord).then_some((*f, ord, size))
    })
}

fn rmw_ord(suffix: &str) -> RmwOrd {
    match suffix {
        "A" => RmwOrd::Acquire,
        "L" => RmwOrd::Release,
        "AL" => RmwOrd::Full,
        _ => RmwOrd::Relaxed,
    }
}

/// A condition code: its number for [`Cond::Nzcv`].
fn cond_code(p: Piece<'_>) -> PResult<u64> {
    let u = p.s.to_ascii_uppercase();
    let u = match u.as_str() {
        "HS" => "CS",
        "LO" => "CC",
        s => s,
    };
    match ARM_CONDS.iter().position(|c| *c == u) {
        Some(i) => Ok(i as u64),
        None => perr(p.off, format!("unsupported condition code {}", show(p.s))),
    }
}

/// The opposite condition (`EQ` for `NE`); `AL` stays `AL`.
fn invert(code: u64) -> u64 {
    if code >= 14 {
        code
    } else {
        code ^ 1
    }
}

/// `d := cond ? t : f` on the flags.
fn csel(cx: &mut Cx<'_>, m: Piece<'_>, d: (Reg, bool), code: u64, t: Operand, f: Operand) -> PResult<()> {
    let flags = cx.flags_reg(m.off)?;
    cx.emit(Instr::Csel { dst: d.0, cond: Cond::Nzcv, a: Operand::Reg(flags), b: Operand::Imm(code), t, f });
    put(cx, d);
    Ok(())
}

fn load_width(u: &str, rt: GReg) -> (Width, Option<u32>) {
    // The size letter after the family, then a sign-extension when `S` precedes it.
    if u.ends_with("SB") {
        (Width::W8, Some(8))
    } else if u.ends_with("SH") {
        (Width::W16, Some(16))
    } else if u.ends_with("SW") {
        (Width::W32, Some(32))
    } else if u.ends_with('B') {
        (Width::W8, None)
    } else if u.ends_with('H') {
        (Width::W16, None)
    } else {
        (rt.width(), None)
    }
}

/// A load into `rt` of `width` bytes (sign-extended from `sext` bits if set).
fn load_into(cx: &mut Cx<'_>, rt: GReg, k: u8, off: usize) -> PResult<Reg> {
    match rt.reg {
        Some(r) => Ok(r),
        None => cx.temp(k, off),
    }
}

fn sign_extend(cx: &mut Cx<'_>, d: Reg, w: bool, sext: Option<u32>) {
    if let Some(bits) = sext {
        alu(cx, AluOp::Sext, d, Operand::Reg(d), Operand::Imm(bits as u64));
        put(cx, (d, w));
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
    let off = m.off;
    match u.as_str() {
        // ------------------------------------------------------------ loads
        "LDR" | "LDUR" | "LDRB" | "LDURB" | "LDRH" | "LDURH" | "LDRSB" | "LDURSB" | "LDRSH" | "LDURSH" | "LDRSW"
        | "LDURSW" => {
            count_in(m, &ops, 2, 3)?;
            let rt = greg(cx, ops[0])?;
            let (width, sext) = load_width(&u, rt);
            let mm = mem(cx, &ops[1..], 0)?;
            let d = load_into(cx, rt, 1, ops[0].off)?;
            access(cx, &mm, off, |a| Instr::Load {
                dst: d,
                addr: a.sized(width),
                ord: LoadOrd::Plain,
                exclusive: false,
            });
            sign_extend(cx, d, rt.w, sext);
        }
        "LDAR" | "LDARB" | "LDARH" | "LDAPR" | "LDAPRB" | "LDAPRH" | "LDXR" | "LDXRB" | "LDXRH" | "LDAXR"
        | "LDAXRB" | "LDAXRH" => {
            count(m, &ops, 2)?;
            let rt = greg(cx, ops[0])?;
            let (width, _) = load_width(&u, rt);
            let mm = mem(cx, &ops[1..], 0)?;
            if mm.addr.index.is_some() || mm.addr.offset != 0 || mm.pre.is_some() || mm.post.is_some() {
                return perr(ops[1].off, format!("unsupported addressing mode {} for `{}`", show(ops[1].s), m.s));
            }
            let exclusive = u.contains('X');
            let ord = if u.starts_with("LDAPR") {
                LoadOrd::AcquirePc
            } else if u.starts_with("LDAR") || u.starts_with("LDAX") {
                LoadOrd::Acquire
            } else {
                LoadOrd::Plain
            };
            let d = load_into(cx, rt, 1, ops[0].off)?;
            access(cx, &mm, off, |a| Instr::Load { dst: d, addr: a.sized(width), ord, exclusive });
        }
        "LDP" | "LDNP" | "LDPSW" | "LDIAPP" => {
            count_in(m, &ops, 3, 4)?;
            let (r1, r2) = (greg(cx, ops[0])?, greg(cx, ops[1])?);
            let (width, sext) = if u == "LDPSW" { (Width::W32, Some(32)) } else { (r1.width(), None) };
            let mm = mem(cx, &ops[2..], 0)?;
            let (d1, d2) = (load_into(cx, r1, 1, ops[0].off)?, load_into(cx, r2, 2, ops[1].off)?);
            // LDIAPP (FEAT_LRCPC3): two acquire-PC loads, the lower address first
            // (ordered by the first one's acquire, as herd sequences them).
            let ord = if u == "LDIAPP" { LoadOrd::AcquirePc } else { LoadOrd::Plain };
            pair(cx, &mm, off, width, |a, i| Instr::Load {
                dst: if i == 0 { d1 } else { d2 },
                addr: a,
                ord,
                exclusive: false,
            });
            sign_extend(cx, d1, r1.w, sext);
            sign_extend(cx, d2, r2.w, sext);
        }
        // ------------------------------------------------------------ stores
        "STR" | "STUR" | "STRB" | "STURB" | "STRH" | "STURH" | "STLR" | "STLRB" | "STLRH" => {
            count_in(m, &ops, 2, 3)?;
            let rt = greg(cx, ops[0])?;
            let (width, _) = load_width(&u, rt);
            let mm = mem(cx, &ops[1..], 0)?;
            let ord = if u.starts_with("STL") { StoreOrd::Release } else { StoreOrd::Plain };
            if ord == StoreOrd::Release && (mm.addr.index.is_some() || mm.addr.offset != 0 || mm.post.is_some()) {
                return perr(ops[1].off, format!("unsupported addressing mode {} for `{}`", show(ops[1].s), m.s));
            }
            let src = rt.operand();
            access(cx, &mm, off, |a| Instr::Store { src, addr: a.sized(width), ord, status: None });
        }
        "STXR" | "STXRB" | "STXRH" | "STLXR" | "STLXRB" | "STLXRH" => {
            count(m, &ops, 3)?;
            let (status, _) = dst(cx, ops[0], 1)?;
            let rt = greg(cx, ops[1])?;
            let (width, _) = load_width(&u, rt);
            let mm = mem(cx, &ops[2..], 0)?;
            if mm.addr.index.is_some() || mm.addr.offset != 0 || mm.pre.is_some() || mm.post.is_some() {
                return perr(ops[2].off, format!("unsupported addressing mode {} for `{}`", show(ops[2].s), m.s));
            }
            let ord = if u.starts_with("STLX") { StoreOrd::Release } else { StoreOrd::Plain };
            let src = rt.operand();
            access(cx, &mm, off, |a| Instr::Store { src, addr: a.sized(width), ord, status: Some(status) });
        }
        "STP" | "STNP" | "STILP" => {
            count_in(m, &ops, 3, 4)?;
            let (r1, r2) = (greg(cx, ops[0])?, greg(cx, ops[1])?);
            let mm = mem(cx, &ops[2..], 0)?;
            let (s1, s2) = (r1.operand(), r2.operand());
            // STILP (FEAT_LRCPC3): two release stores, the lower address first,
            // the higher one first with write-back (as herd sequences them).
            let ord = if u == "STILP" { StoreOrd::Release } else { StoreOrd::Plain };
            let high_first = ord == StoreOrd::Release && (mm.pre.is_some() || mm.post.is_some());
            pair_in(cx, &mm, off, r1.width(), high_first, |a, i| Instr::Store {
                src: if i == 0 { s1 } else { s2 },
                addr: a,
                ord,
                status: None,
            });
        }
        // ------------------------------------------------------------ moves and arithmetic
        "MOV" => {
            count(m, &ops, 2)?;
            let d = dst(cx, ops[0], 1)?;
            if is_imm(ops[1]) {
                let v = imm(ops[1])?;
                cx.emit(Instr::Mov { dst: d.0, src: Operand::Imm(if d.1 { v & MASK32 } else { v }) });
            } else {
                let s = greg(cx, ops[1])?;
                cx.emit(Instr::Mov { dst: d.0, src: s.operand() });
                put(cx, d);
            }
        }
        "MOVZ" | "MOVN" | "MOVK" => {
            count_in(m, &ops, 2, 3)?;
            let d = dst(cx, ops[0], 1)?;
            let v = imm(ops[1])?;
            let sh = match ops.get(2) {
                Some(&p) => match modifier(p)? {
                    Modifier::Lsl(n) if n % 16 == 0 && (n < 32 || !d.1) => n,
                    _ => return perr(p.off, format!("bad shift {}", show(p.s))),
                },
                None => 0,
            };
            if v > 0xffff {
                return perr(ops[1].off, format!("bad immediate {} (16 bits)", show(ops[1].s)));
            }
            let mask = if d.1 { MASK32 } else { u64::MAX };
            match u.as_str() {
                "MOVZ" => cx.emit(Instr::Mov { dst: d.0, src: Operand::Imm(v << sh) }),
                "MOVN" => cx.emit(Instr::Mov { dst: d.0, src: Operand::Imm(!(v << sh) & mask) }),
                _ => {
                    alu(cx, AluOp::And, d.0, Operand::Reg(d.0), Operand::Imm(!(0xffff << sh) & mask));
                    alu(cx, AluOp::Or, d.0, Operand::Reg(d.0), Operand::Imm(v << sh));
                }
            }
        }
        "ADD" | "SUB" | "AND" | "ORR" | "EOR" | "BIC" | "ORN" | "EON" | "ADDS" | "SUBS" | "ANDS" | "BICS" => {
            count_in(m, &ops, 3, 4)?;
            let d = dst(cx, ops[0], 1)?;
            let a = greg(cx, ops[1])?;
            let w = d.1;
            let mut b = operand2(cx, &ops[2..], w, 0)?;
            if matches!(u.as_str(), "ORN" | "EON" | "BICS") {
                let t = cx.temp(2, off)?;
                alu(cx, AluOp::Xor, t, b, Operand::Imm(u64::MAX));
                b = Operand::Reg(t);
            }
            // Flags first: the destination may be a source.
            let flags = match u.as_str() {
                "ADDS" => Some(if w { AluOp::FlagsAdd32 } else { AluOp::FlagsAdd }),
                "SUBS" => Some(if w { AluOp::FlagsSub32 } else { AluOp::FlagsSub }),
                "ANDS" | "BICS" => Some(if w { AluOp::FlagsAnd32 } else { AluOp::FlagsAnd }),
                _ => None,
            };
            if let Some(op) = flags {
                let f = cx.flags_reg(off)?;
                alu(cx, op, f, a.operand(), b);
            }
            let op = match u.as_str() {
                "ADD" | "ADDS" => AluOp::Add,
                "SUB" | "SUBS" => AluOp::Sub,
                "AND" | "ANDS" | "BICS" => AluOp::And,
                "BIC" => AluOp::AndN,
                "ORR" | "ORN" => AluOp::Or,
                _ => AluOp::Xor,
            };
            alu(cx, op, d.0, a.operand(), b);
            put(cx, d);
        }
        "CMP" | "CMN" | "TST" => {
            count_in(m, &ops, 2, 3)?;
            let a = greg(cx, ops[0])?;
            let b = operand2(cx, &ops[1..], a.w, 0)?;
            let op = match (u.as_str(), a.w) {
                ("CMP", false) => AluOp::FlagsSub,
                ("CMP", true) => AluOp::FlagsSub32,
                ("CMN", false) => AluOp::FlagsAdd,
                ("CMN", true) => AluOp::FlagsAdd32,
                (_, false) => AluOp::FlagsAnd,
                (_, true) => AluOp::FlagsAnd32,
            };
            let f = cx.flags_reg(off)?;
            alu(cx, op, f, a.operand(), b);
        }
        "MVN" | "NEG" => {
            count_in(m, &ops, 2, 3)?;
            let d = dst(cx, ops[0], 1)?;
            let b = operand2(cx, &ops[1..], d.1, 0)?;
            if u == "MVN" {
                alu(cx, AluOp::Xor, d.0, b, Operand::Imm(u64::MAX));
            } else {
                alu(cx, AluOp::Sub, d.0, Operand::Imm(0), b);
            }
            put(cx, d);
        }
        "LSL" | "LSR" | "ASR" | "ROR" | "LSLV" | "LSRV" | "ASRV" | "RORV" => {
            count(m, &ops, 3)?;
            let d = dst(cx, ops[0], 1)?;
            let a = greg(cx, ops[1])?;
            let w = d.1;
            let amount = if is_imm(ops[2]) {
                Operand::Imm(imm(ops[2])? % if w { 32 } else { 64 })
            } else {
                let r = greg(cx, ops[2])?;
                let t = cx.temp(2, off)?;
                alu(cx, AluOp::And, t, r.operand(), Operand::Imm(if w { 31 } else { 63 }));
                Operand::Reg(t)
            };
            let (op, src) = match &u[..3] {
                "LSL" => (AluOp::Shl, a.operand()),
                "LSR" => (AluOp::Shr, clean(cx, a.operand(), w, 0, off)?),
                "ASR" if w => {
                    let t = cx.temp(0, off)?;
                    alu(cx, AluOp::Sext, t, a.operand(), Operand::Imm(32));
                    (AluOp::Sar, Operand::Reg(t))
                }
                "ASR" => (AluOp::Sar, a.operand()),
                _ => (if w { AluOp::Ror32 } else { AluOp::Ror }, a.operand()),
            };
            alu(cx, op, d.0, src, amount);
            put(cx, d);
        }
        "MUL" | "MNEG" | "MADD" | "MSUB" => {
            let n = if matches!(u.as_str(), "MADD" | "MSUB") { 4 } else { 3 };
            count(m, &ops, n)?;
            let d = dst(cx, ops[0], 1)?;
            let (a, b) = (greg(cx, ops[1])?, greg(cx, ops[2])?);
            mul_acc(cx, &u, d, a.operand(), b.operand(), ops.get(3).copied())?;
        }
        "SMULL" | "UMULL" | "SMNEGL" | "UMNEGL" | "SMADDL" | "UMADDL" | "SMSUBL" | "UMSUBL" => {
            let n = if u.contains("ADD") || u.contains("SUB") { 4 } else { 3 };
            count(m, &ops, n)?;
            let d = dst(cx, ops[0], 1)?;
            let (a, b) = (greg(cx, ops[1])?, greg(cx, ops[2])?);
            let ext = |cx: &mut Cx<'_>, r: GReg, k: u8| -> PResult<Operand> {
                let t = cx.temp(k, off)?;
                if u.starts_with('S') {
                    alu(cx, AluOp::Sext, t, r.operand(), Operand::Imm(32));
                } else {
                    alu(cx, AluOp::And, t, r.operand(), Operand::Imm(MASK32));
                }
                Ok(Operand::Reg(t))
            };
            let (a, b) = (ext(cx, a, 0)?, ext(cx, b, 2)?);
            let kind = if u.contains("ADD") {
                "MADD"
            } else if u.contains("SUB") {
                "MSUB"
            } else if u.contains("NEG") {
                "MNEG"
            } else {
                "MUL"
            };
            mul_acc(cx, kind, d, a, b, ops.get(3).copied())?;
        }
        "SXTB" | "SXTH" | "SXTW" | "UXTB" | "UXTH" => {
            count(m, &ops, 2)?;
            let d = dst(cx, ops[0], 1)?;
            let s = greg(cx, ops[1])?;
            let bits = match &u[3..] {
                "B" => 8,
                "H" => 16,
                _ => 32,
            };
            if u.starts_with('S') {
                alu(cx, AluOp::Sext, d.0, s.operand(), Operand::Imm(bits));
            } else {
                alu(cx, AluOp::And, d.0, s.operand(), Operand::Imm((1u64 << bits) - 1));
            }
            put(cx, d);
        }
        "REV" | "REV16" | "REV32" | "REV64" | "RBIT" => {
            count(m, &ops, 2)?;
            let d = dst(cx, ops[0], 1)?;
            let s = greg(cx, ops[1])?;
            let size = if d.1 { 32 } else { 64 };
            let (op, chunk) = match u.as_str() {
                "RBIT" => (AluOp::Rbit, size),
                "REV16" => (AluOp::Rev, 16),
                "REV32" if !d.1 => (AluOp::Rev, 32),
                "REV64" if !d.1 => (AluOp::Rev, 64),
                "REV" => (AluOp::Rev, size),
                _ => return perr(ops[0].off, format!("bad register {} for `{}`", show(ops[0].s), m.s)),
            };
            let src = clean(cx, s.operand(), d.1, 0, off)?;
            alu(cx, op, d.0, src, Operand::Imm(chunk));
            put(cx, d);
        }
        "EXTR" => {
            // d := the `size` bits of n:m starting at bit `lsb`.
            count(m, &ops, 4)?;
            let d = dst(cx, ops[0], 1)?;
            let (n, mm) = (greg(cx, ops[1])?, greg(cx, ops[2])?);
            let size = if d.1 { 32 } else { 64 };
            let lsb = imm(ops[3])?;
            if lsb >= size {
                return perr(ops[3].off, format!("bad bit position {}", show(ops[3].s)));
            }
            let low = clean(cx, mm.operand(), d.1, 0, off)?;
            let t = cx.temp(0, off)?;
            alu(cx, AluOp::Shr, t, low, Operand::Imm(lsb));
            if lsb > 0 {
                let t2 = cx.temp(2, off)?;
                alu(cx, AluOp::Shl, t2, n.operand(), Operand::Imm(size - lsb));
                alu(cx, AluOp::Or, d.0, Operand::Reg(t), Operand::Reg(t2));
            } else {
                cx.emit(Instr::Mov { dst: d.0, src: Operand::Reg(t) });
            }
            put(cx, d);
        }
        "UBFM" | "SBFM" | "UBFX" | "SBFX" | "UBFIZ" | "SBFIZ" => {
            count(m, &ops, 4)?;
            let d = dst(cx, ops[0], 1)?;
            let s = greg(cx, ops[1])?;
            let size = if d.1 { 32 } else { 64 };
            let (x, y) = (imm(ops[2])?, imm(ops[3])?);
            let (r, sfield) = if u.ends_with("FM") {
                (x, y)
            } else if u.ends_with("FX") {
                (x, x + y - 1)
            } else {
                ((size - x) % size, y - 1)
            };
            if r >= size || sfield >= size {
                return perr(ops[2].off, format!("bad bitfield in `{}`", c.s));
            }
            bitfield(cx, d, s, u.starts_with('S'), r, sfield, size)?;
        }
        "CSEL" | "CSINC" | "CSINV" | "CSNEG" => {
            count(m, &ops, 4)?;
            let d = dst(cx, ops[0], 1)?;
            let (t, f) = (greg(cx, ops[1])?, greg(cx, ops[2])?);
            let code = cond_code(ops[3])?;
            let f = alt_operand(cx, &u, f.operand(), off)?;
            csel(cx, m, d, code, t.operand(), f)?;
        }
        "CSET" | "CSETM" => {
            count(m, &ops, 2)?;
            let d = dst(cx, ops[0], 1)?;
            let code = cond_code(ops[1])?;
            let one = if u == "CSET" { 1 } else { u64::MAX };
            csel(cx, m, d, code, Operand::Imm(one), Operand::Imm(0))?;
        }
        "CINC" | "CINV" | "CNEG" => {
            count(m, &ops, 3)?;
            let d = dst(cx, ops[0], 1)?;
            let s = greg(cx, ops[1])?;
            let code = cond_code(ops[2])?;
            let full = format!("CS{}", &u[1..]);
            let changed = alt_operand(cx, &full, s.operand(), off)?;
            csel(cx, m, d, invert(code), s.operand(), changed)?;
        }
        "ABS" => {
            count(m, &ops, 2)?;
            let d = dst(cx, ops[0], 1)?;
            let s = greg(cx, ops[1])?;
            let (f, neg) = (cx.temp(0, off)?, cx.temp(2, off)?);
            let op = if d.1 { AluOp::FlagsSub32 } else { AluOp::FlagsSub };
            alu(cx, op, f, s.operand(), Operand::Imm(0));
            alu(cx, AluOp::Sub, neg, Operand::Imm(0), s.operand());
            cx.emit(Instr::Csel {
                dst: d.0,
                cond: Cond::Nzcv,
                a: Operand::Reg(f),
                b: Operand::Imm(11),
                t: Operand::Reg(neg),
                f: s.operand(),
            });
            put(cx, d);
        }
        // ------------------------------------------------------------ control
        "B" => {
            count(m, &ops, 1)?;
            return cx.emit_to(Instr::Jmp { target: 0 }, ops[0]);
        }
        "BL" => {
            count(m, &ops, 1)?;
            return cx.emit_to(Instr::Call { target: 0 }, ops[0]);
        }
        "RET" => {
            if ops.len() > 1 || ops.first().is_some_and(|o| !o.s.eq_ignore_ascii_case("X30")) {
                return perr(m.off, format!("unsupported `{}` (only to the link register)", c.s));
            }
            cx.emit(Instr::Ret);
        }
        "CBZ" | "CBNZ" => {
            count(m, &ops, 2)?;
            let r = greg(cx, ops[0])?;
            let a = clean(cx, r.operand(), r.w, 0, off)?;
            let cond = if u == "CBZ" { Cond::Eq } else { Cond::Ne };
            return cx.emit_to(Instr::Branch { cond, a, b: Operand::Imm(0), target: 0 }, ops[1]);
        }
        "TBZ" | "TBNZ" => {
            count(m, &ops, 3)?;
            let r = greg(cx, ops[0])?;
            let bit = imm(ops[1])?;
            if bit >= if r.w { 32 } else { 64 } {
                return perr(ops[1].off, format!("bad bit number {}", show(ops[1].s)));
            }
            let t = cx.temp(0, off)?;
            alu(cx, AluOp::And, t, r.operand(), Operand::Imm(1 << bit));
            let cond = if u == "TBZ" { Cond::Eq } else { Cond::Ne };
            return cx.emit_to(Instr::Branch { cond, a: Operand::Reg(t), b: Operand::Imm(0), target: 0 }, ops[2]);
        }
        _ if u.starts_with("B.") => {
            count(m, &ops, 1)?;
            let code = cond_code(m.slice(2, m.s.len()))?;
            let flags = cx.flags_reg(m.off)?;
            let b = Instr::Branch { cond: Cond::Nzcv, a: Operand::Reg(flags), b: Operand::Imm(code), target: 0 };
            return cx.emit_to(b, ops[0]);
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
            cx.emit(Instr::Fence(k));
        }
        "ISB" => {
            if ops.len() > 1 || ops.first().is_some_and(|o| !o.s.eq_ignore_ascii_case("SY")) {
                return perr(ops[0].off, format!("unsupported barrier option {}", show(ops[0].s)));
            }
            cx.emit(Instr::Fence(FenceKind::Isb));
        }
        "NOP" => {
            count(m, &ops, 0)?;
            cx.emit(Instr::Nop);
        }
        _ => return rmw(cx, m, &u, &ops),
    }
    Ok(())
}

/// The operand `CSINC`/`CSINV`/`CSNEG` select when the condition fails.
fn alt_operand(cx: &mut Cx<'_>, u: &str, f: Operand, off: usize) -> PResult<Operand> {
    let (op, a, b) = match u {
        "CSINC" => (AluOp::Add, f, Operand::Imm(1)),
        "CSINV" => (AluOp::Xor, f, Operand::Imm(u64::MAX)),
        "CSNEG" => (AluOp::Sub, Operand::Imm(0), f),
        _ => return Ok(f),
    };
    let t = cx.temp(2, off)?;
    alu(cx, op, t, a, b);
    Ok(Operand::Reg(t))
}

/// `MUL`, `MNEG`, `MADD`, `MSUB` (`acc` is the addend of the last two).
fn mul_acc(cx: &mut Cx<'_>, kind: &str, d: (Reg, bool), a: Operand, b: Operand, acc: Option<Piece<'_>>) -> PResult<()> {
    match kind {
        "MUL" => alu(cx, AluOp::Mul, d.0, a, b),
        _ => {
            let t = cx.temp(3, acc.map_or(0, |p| p.off))?;
            alu(cx, AluOp::Mul, t, a, b);
            match (kind, acc) {
                ("MNEG", _) => alu(cx, AluOp::Sub, d.0, Operand::Imm(0), Operand::Reg(t)),
                (_, Some(p)) => {
                    let r = greg(cx, p)?.operand();
                    let op = if kind == "MADD" { AluOp::Add } else { AluOp::Sub };
                    alu(cx, op, d.0, r, Operand::Reg(t));
                }
                _ => {}
            }
        }
    }
    put(cx, d);
    Ok(())
}

/// `UBFM`/`SBFM d, s, #r, #sfield` on a `size`-bit register.
fn bitfield(cx: &mut Cx<'_>, d: (Reg, bool), s: GReg, signed: bool, r: u64, sfield: u64, size: u64) -> PResult<()> {
    let t = cx.temp(0, 0)?;
    let src = clean(cx, s.operand(), d.1, 0, 0)?;
    if sfield >= r {
        // Extract bits sfield..r to the bottom.
        let width = sfield - r + 1;
        alu(cx, AluOp::Shr, t, src, Operand::Imm(r));
        if signed {
            alu(cx, AluOp::Sext, d.0, Operand::Reg(t), Operand::Imm(width));
        } else {
            alu(cx, AluOp::And, d.0, Operand::Reg(t), Operand::Imm(u64::MAX >> (64 - width)));
        }
    } else {
        // Insert the low sfield+1 bits at size - r.
        let width = sfield + 1;
        if signed {
            alu(cx, AluOp::Sext, t, src, Operand::Imm(width));
        } else {
            alu(cx, AluOp::And, t, src, Operand::Imm(u64::MAX >> (64 - width)));
        }
        alu(cx, AluOp::Shl, d.0, Operand::Reg(t), Operand::Imm(size - r));
    }
    put(cx, d);
    Ok(())
}

/// A pair access (`LDP`, `STP`): two accesses `width` apart, one write-back.
fn pair(
    cx: &mut Cx<'_>,
    m: &super::a64ops::Mem,
    off: usize,
    width: Width,
    i: impl Fn(crate::instr::Addr, usize) -> Instr,
) {
    pair_in(cx, m, off, width, false, i)
}

/// [`pair`], the higher address's access first when `high_first`.
fn pair_in(
    cx: &mut Cx<'_>,
    m: &super::a64ops::Mem,
    off: usize,
    width: Width,
    high_first: bool,
    i: impl Fn(crate::instr::Addr, usize) -> Instr,
) {
    let base = m.base;
    if let Some(v) = m.pre {
        alu(cx, AluOp::Add, base, Operand::Reg(base), Operand::Imm(v as u64));
    }
    cx.pair_at(cx.pc());
    for k in if high_first { [1, 0] } else { [0, 1] } {
        let mut a = m.addr.sized(width);
        a.offset += k as i64 * width.bytes() as i64;
        cx.accesses.push((cx.pc() as u16, off));
        cx.emit(i(a, k));
    }
    if let Some(v) = m.post {
        alu(cx, AluOp::Add, base, Operand::Reg(base), Operand::Imm(v as u64));
    }
}

/// The atomics: `CAS`, `SWP`, `LD<op>`, `ST<op>`, with their ordering and size suffixes.
fn rmw<'a>(cx: &mut Cx<'a>, m: Piece<'a>, u: &str, ops: &[Piece<'a>]) -> PResult<()> {
    const ALL: &[&str] = &["", "A", "L", "AL"];
    let no_offset = |cx: &mut Cx<'a>, p: Piece<'a>| -> PResult<super::a64ops::Mem> {
        let mm = mem(cx, &[p], 0)?;
        if mm.addr.index.is_some() || mm.addr.offset != 0 || mm.pre.is_some() {
            return perr(p.off, format!("unsupported addressing mode {} for `{}`", show(p.s), m.s));
        }
        Ok(mm)
    };
    if let Some((_, suffix, size)) = family(u, &["CAS"], ALL) {
        count(m, ops, 3)?;
        let rs = greg(cx, ops[0])?;
        let width = size.unwrap_or(rs.width());
        let (expected, d) = (rs.operand(), rs.reg);
        let new = greg(cx, ops[1])?.operand();
        let mm = no_offset(cx, ops[2])?;
        let ord = rmw_ord(suffix);
        access(cx, &mm, m.off, |a| Instr::Rmw {
            op: RmwOp::Cmpxchg { expected, new },
            dst: d,
            addr: a.sized(width),
            ord,
        });
    } else if let Some((fam, suffix, size)) =
        family(u, &["SWP", "LDADD", "LDSET", "LDCLR", "LDEOR", "LDSMAX", "LDSMIN", "LDUMAX", "LDUMIN"], ALL)
    {
        count(m, ops, 3)?;
        let rs = greg(cx, ops[0])?;
        let width = size.unwrap_or(rs.width());
        let v = rs.operand();
        let d = greg(cx, ops[1])?.reg;
        let mm = no_offset(cx, ops[2])?;
        let ord = rmw_ord(suffix);
        access(cx, &mm, m.off, |a| Instr::Rmw { op: rmw_op(fam, v), dst: d, addr: a.sized(width), ord });
    } else if let Some((fam, suffix, size)) =
        family(u, &["STADD", "STSET", "STCLR", "STEOR", "STSMAX", "STSMIN", "STUMAX", "STUMIN"], &["", "L"])
    {
        count(m, ops, 2)?;
        let rs = greg(cx, ops[0])?;
        let width = size.unwrap_or(rs.width());
        let v = rs.operand();
        let mm = no_offset(cx, ops[1])?;
        let ord = rmw_ord(suffix);
        access(cx, &mm, m.off, |a| Instr::Rmw { op: rmw_op(fam, v), dst: None, addr: a.sized(width), ord });
    } else {
        return perr(m.off, format!("unsupported instruction {}", show(m.s)));
    }
    Ok(())
}

fn rmw_op(fam: &str, v: Operand) -> RmwOp {
    match fam {
        "SWP" => RmwOp::Xchg(v),
        "LDADD" | "STADD" => RmwOp::FetchAdd(v),
        "LDSET" | "STSET" => RmwOp::FetchOr(v),
        "LDCLR" | "STCLR" => RmwOp::FetchAndNot(v),
        "LDSMAX" | "STSMAX" => RmwOp::FetchSmax(v),
        "LDSMIN" | "STSMIN" => RmwOp::FetchSmin(v),
        "LDUMAX" | "STUMAX" => RmwOp::FetchUmax(v),
        "LDUMIN" | "STUMIN" => RmwOp::FetchUmin(v),
        _ => RmwOp::FetchXor(v),
    }
}
