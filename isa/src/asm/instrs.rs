//! Instructions, their mnemonic suffixes and operands.

use super::cond::{looks_like_reg, resolve_reg};
use super::lexer::{Tok, Token};
use super::parse::{Parser, Site, R};
use crate::instr::*;

/// Suffix groups per mnemonic: each suffix belongs to one group, and at most
/// one suffix of each group may be given.
const LOAD_SFX: &[&[&str]] = &[&["acq", "acqpc"], &["ex"], WIDTH_SFX];
const STORE_SFX: &[&[&str]] = &[&["rel"], &["ex"], WIDTH_SFX];
const RMW_SFX: &[&[&str]] = &[&["relaxed", "acq", "rel", "full"], WIDTH_SFX];
/// Access widths narrower than 64 bits: byte, halfword, word.
const WIDTH_SFX: &[&str] = &["b", "h", "w"];
const WIDTHS: [Width; 4] = [Width::W64, Width::W8, Width::W16, Width::W32];
const FENCE_SFX: &[&[&str]] = &[&["ld", "st", "sa"]];
const COND_SFX: &[&[&str]] = &[&["eq", "ne", "lt", "ge", "nzcv"]];
const CONDS: [Cond; 5] = [Cond::Eq, Cond::Ne, Cond::Lt, Cond::Ge, Cond::Nzcv];
/// Suffixes with two spellings, one scheme everywhere: the short one (loads'
/// and stores' own) and the long one (the RMWs' and the kernel's).
const SFX_SPELLINGS: &[(&str, &str)] = &[("acq", "acquire"), ("rel", "release")];

/// The Linux kernel's names, taken as aliases of microcode: (alias, the
/// mnemonic it stands for, the suffixes it implies). The operands are the
/// microcode's (`smp_store_release [x], 1`, `read_once r1, [x]`).
const KERNEL_ALIASES: &[(&str, &str, &[&str])] = &[
    ("smp_mb", "fence", &[]),
    ("smp_rmb", "fence", &["ld"]),
    ("smp_wmb", "fence", &["st"]),
    ("smp_load_acquire", "load", &["acq"]),
    ("smp_store_release", "store", &["rel"]),
    ("read_once", "load", &[]),
    ("write_once", "store", &[]),
];

/// Every mnemonic the assembler knows besides the ALU's (for "did you mean").
const MNEMONICS: &[&str] = &[
    "load",
    "store",
    "xchg",
    "cmpxchg",
    "fetch_or",
    "fetch_add",
    "fetch_andnot",
    "fetch_xor",
    "fetch_smax",
    "fetch_smin",
    "fetch_umax",
    "fetch_umin",
    "fence",
    "mov",
    "csel",
    "beq",
    "bne",
    "blt",
    "bge",
    "bnzcv",
    "beqz",
    "bnz",
    "bnez",
    "jmp",
    "call",
    "ipi",
    "observe",
    "isb",
    "ret",
    "irq_enable",
    "irq_disable",
    "iret",
    "halt",
    "nop",
];

/// Edit distance with adjacent transpositions (optimal string alignment),
/// for "did you mean": `smp_wbm` is one slip from `smp_wmb`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let sub = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j - 1] + sub).min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The known name closest to `word`, when it is close enough to be a slip.
fn closest<'n>(word: &str, names: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
    let limit = (word.chars().count() / 3).max(1).min(3);
    names
        .into_iter()
        .map(|n| (distance(word, n), n))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// `.acq/.acquire, .acqpc, .ex, ...`: the suffixes of `groups`, both spellings.
fn list_suffixes(groups: &[&[&str]]) -> String {
    let spell = |o: &str| match SFX_SPELLINGS.iter().find(|(short, _)| *short == o) {
        Some((short, long)) => format!(".{short}/.{long}"),
        None if SFX_SPELLINGS.iter().any(|(_, long)| *long == o) => String::new(),
        None => format!(".{o}"),
    };
    let all: Vec<String> = groups.iter().flat_map(|g| g.iter()).map(|o| spell(o)).filter(|s| !s.is_empty()).collect();
    all.join(", ")
}

impl<'a> Parser<'a> {
    /// Parses the operands of the instruction whose mnemonic token `mn`
    /// (text `word`) has just been consumed, and appends it to the code.
    pub(crate) fn instruction(&mut self, mn: &Token<'a>, word: &'a str) -> R<()> {
        let mut parts = word.split('.');
        let written = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut offset = written.len();
        let mut sfx: Vec<(String, usize)> = parts
            .map(|s| {
                let col = mn.col + offset;
                offset += s.len() + 1;
                (s.to_ascii_lowercase(), col)
            })
            .collect();
        // A kernel name stands for a microcode mnemonic and its suffixes.
        let (base, implied) = match KERNEL_ALIASES.iter().find(|(alias, _, _)| *alias == written) {
            Some((_, m, implied)) => {
                sfx.splice(0..0, implied.iter().map(|s| (s.to_string(), mn.col)));
                (m.to_string(), implied.len())
            }
            None => (written.clone(), 0),
        };
        let groups = |p: &Self, g: &[&[&str]]| p.suffixes(mn.line, &written, &sfx, implied, g);
        let pc = self.prog.code.len();
        if pc >= Pc::MAX as usize {
            return Err(self.cur.err_tok(mn, format!("too many instructions (at most {})", Pc::MAX)));
        }
        let instr = match base.as_str() {
            "load" => {
                let g = groups(self, LOAD_SFX)?;
                let ord = [LoadOrd::Plain, LoadOrd::Acquire, LoadOrd::AcquirePc][g[0]];
                let dst = self.reg("a destination register")?;
                self.comma("destination register")?;
                let addr = self.addr()?.sized(WIDTHS[g[2]]);
                Instr::Load { dst, addr, ord, exclusive: g[1] == 1 }
            }
            "store" => {
                let g = groups(self, STORE_SFX)?;
                let ord = [StoreOrd::Plain, StoreOrd::Release][g[0]];
                let addr = self.addr()?.sized(WIDTHS[g[2]]);
                self.comma("address")?;
                let src = self.operand()?;
                let status = if g[1] == 1 {
                    self.comma("operand (store.ex needs a status register)")?;
                    Some(self.reg("a status register")?)
                } else {
                    if self.cur.peek().tok == Tok::Comma {
                        return Err(self.cur.error_here("only store.ex takes a status register"));
                    }
                    None
                };
                Instr::Store { src, addr, ord, status }
            }
            "xchg" | "cmpxchg" | "fetch_or" | "fetch_add" | "fetch_andnot" | "fetch_xor" | "fetch_smax"
            | "fetch_smin" | "fetch_umax" | "fetch_umin" => {
                let g = groups(self, RMW_SFX)?;
                let ord = [RmwOrd::Full, RmwOrd::Relaxed, RmwOrd::Acquire, RmwOrd::Release, RmwOrd::Full][g[0]];
                let dst = match self.cur.peek().tok {
                    Tok::Ident("_") => {
                        self.cur.next();
                        None
                    }
                    _ => Some(self.reg("a destination register or '_'")?),
                };
                self.comma("destination register")?;
                let addr = self.addr()?.sized(WIDTHS[g[1]]);
                self.comma("address")?;
                let a = self.operand()?;
                let op = match base.as_str() {
                    "xchg" => RmwOp::Xchg(a),
                    "cmpxchg" => {
                        self.comma("expected value")?;
                        RmwOp::Cmpxchg { expected: a, new: self.operand()? }
                    }
                    "fetch_or" => RmwOp::FetchOr(a),
                    "fetch_add" => RmwOp::FetchAdd(a),
                    "fetch_andnot" => RmwOp::FetchAndNot(a),
                    "fetch_smax" => RmwOp::FetchSmax(a),
                    "fetch_smin" => RmwOp::FetchSmin(a),
                    "fetch_umax" => RmwOp::FetchUmax(a),
                    "fetch_umin" => RmwOp::FetchUmin(a),
                    _ => RmwOp::FetchXor(a),
                };
                Instr::Rmw { op, dst, addr, ord }
            }
            "fence" => {
                let g = groups(self, FENCE_SFX)?;
                Instr::Fence([FenceKind::Full, FenceKind::LoadLoad, FenceKind::StoreStore, FenceKind::StoreAll][g[0]])
            }
            "mov" => {
                groups(self, &[])?;
                let dst = self.reg("a destination register")?;
                self.comma("destination register")?;
                Instr::Mov { dst, src: self.operand()? }
            }
            "csel" => {
                let g = groups(self, COND_SFX)?;
                if g[0] == 0 {
                    let m = "csel needs a condition suffix: csel.eq, csel.ne, csel.lt, csel.ge or csel.nzcv";
                    return Err(self.cur.err_tok(mn, m));
                }
                let dst = self.reg("a destination register")?;
                self.comma("destination register")?;
                let a = self.operand()?;
                self.comma("operand")?;
                let b = self.operand()?;
                self.comma("operand")?;
                let t = self.operand()?;
                self.comma("operand")?;
                let f = self.operand()?;
                Instr::Csel { dst, cond: CONDS[g[0] - 1], a, b, t, f }
            }
            "beq" | "bne" | "blt" | "bge" | "bnzcv" => {
                groups(self, &[])?;
                let cond = CONDS[["beq", "bne", "blt", "bge", "bnzcv"].iter().position(|&b| b == base).unwrap_or(0)];
                let a = self.operand()?;
                self.comma("operand")?;
                let b = self.operand()?;
                self.comma("operand")?;
                self.label_ref(Site::Instr(pc), "a label")?;
                Instr::Branch { cond, a, b, target: 0 }
            }
            "beqz" | "bnz" | "bnez" => {
                groups(self, &[])?;
                let cond = if base == "beqz" { Cond::Eq } else { Cond::Ne };
                let a = self.operand()?;
                self.comma("operand")?;
                self.label_ref(Site::Instr(pc), "a label")?;
                Instr::Branch { cond, a, b: Operand::Imm(0), target: 0 }
            }
            "jmp" | "call" => {
                groups(self, &[])?;
                self.label_ref(Site::Instr(pc), "a label")?;
                if base == "jmp" {
                    Instr::Jmp { target: 0 }
                } else {
                    Instr::Call { target: 0 }
                }
            }
            "ipi" => {
                groups(self, &[])?;
                match self.cur.peek().tok {
                    Tok::Ident(w) if w.eq_ignore_ascii_case("self") => {
                        self.cur.next();
                        Instr::Raise { target: IrqTarget::SelfCore }
                    }
                    _ if self.cur.at_eol() => return Err(self.cur.expected("'self' or an operand after 'ipi'")),
                    _ => Instr::Raise { target: IrqTarget::Core(self.operand()?) },
                }
            }
            "observe" => {
                groups(self, &[])?;
                let sym = self.sym_ref()?;
                self.comma("symbol")?;
                Instr::Observe { sym, src: self.reg("a register")? }
            }
            _ => {
                if let Some(op) = AluOp::EVERY.into_iter().find(|o| o.mnemonic() == base) {
                    groups(self, &[])?;
                    let dst = self.reg("a destination register")?;
                    self.comma("destination register")?;
                    let a = self.operand()?;
                    self.comma("operand")?;
                    Instr::Alu { op, dst, a, b: self.operand()? }
                } else {
                    let simple = match base.as_str() {
                        "isb" => Instr::Fence(FenceKind::Isb),
                        "ret" => Instr::Ret,
                        "irq_enable" => Instr::IrqEnable,
                        "irq_disable" => Instr::IrqDisable,
                        "iret" => Instr::Iret,
                        "halt" => Instr::Halt,
                        "nop" => Instr::Nop,
                        _ => return Err(self.cur.err_tok(mn, unknown_mnemonic(&written))),
                    };
                    groups(self, &[])?;
                    simple
                }
            }
        };
        self.prog.code.push(instr);
        self.instr_pos.push((mn.line, mn.col));
        Ok(())
    }

    /// Checks the suffixes against `groups`; returns, per group, 0 when no
    /// suffix of the group was given, else 1 + the index of the given one.
    /// The first `implied` suffixes are those a kernel name stands for.
    fn suffixes(
        &self,
        line: usize,
        base: &str,
        sfx: &[(String, usize)],
        implied: usize,
        groups: &[&[&str]],
    ) -> R<Vec<usize>> {
        let mut chosen = vec![0usize; groups.len()];
        let mut by_name = vec![false; groups.len()];
        for (n, (s, col)) in sfx.iter().enumerate() {
            let err = |m: String| Err(self.cur.err_at(line, *col, m));
            // One scheme: `.acquire` is `.acq`, `.release` is `.rel`, on every mnemonic.
            let short = SFX_SPELLINGS.iter().find(|(_, long)| long == s).map_or(s.as_str(), |(short, _)| short);
            let Some((g, i)) =
                groups.iter().enumerate().find_map(|(g, opts)| opts.iter().position(|o| *o == short).map(|i| (g, i)))
            else {
                if groups.is_empty() {
                    return err(format!("'{base}' takes no suffix (found '.{s}')"));
                }
                let valid = list_suffixes(groups);
                let names = groups.iter().flat_map(|g| g.iter().copied()).chain(SFX_SPELLINGS.iter().map(|(_, l)| *l));
                let hint = match closest(s, names) {
                    Some(n) => format!("did you mean '.{n}'? "),
                    None => String::new(),
                };
                return err(format!("unknown suffix '.{s}' for '{base}' ({hint}valid: {valid})"));
            };
            let by = if by_name[g] { format!(" (implied by '{base}')") } else { String::new() };
            match chosen[g] {
                0 => (chosen[g], by_name[g]) = (i + 1, n < implied),
                k if k == i + 1 => return err(format!("duplicate suffix '.{s}'{by}")),
                k => return err(format!("suffix '.{s}' conflicts with '.{}'{by}", groups[g][k - 1])),
            }
        }
        Ok(chosen)
    }

    fn comma(&mut self, after: &str) -> R<()> {
        if self.cur.eat(&Tok::Comma) {
            Ok(())
        } else {
            Err(self.cur.error_here(format!("expected ',' after {after}")))
        }
    }

    /// A register (`rN` or an alias).
    fn reg(&mut self, what: &str) -> R<Reg> {
        let t = self.cur.peek().clone();
        if let Tok::Ident(name) = t.tok {
            match resolve_reg(&self.prog, name) {
                Ok(r) => {
                    self.cur.next();
                    return Ok(r);
                }
                Err(e) if looks_like_reg(name) => return Err(self.cur.err_tok(&t, e.to_string())),
                Err(_) => {}
            }
        }
        Err(self.cur.expected(what))
    }

    /// A register, a number or `&sym`.
    fn operand(&mut self) -> R<Operand> {
        let t = self.cur.peek().clone();
        match t.tok {
            Tok::Num(n) => {
                self.cur.next();
                Ok(Operand::Imm(n))
            }
            Tok::Minus => Ok(Operand::Imm(self.negative_number()?)),
            Tok::Amp => {
                self.cur.next();
                Ok(Operand::SymAddr(self.sym_ref()?))
            }
            Tok::Ident(name) => match resolve_reg(&self.prog, name) {
                Ok(r) => {
                    self.cur.next();
                    Ok(Operand::Reg(r))
                }
                Err(e) if looks_like_reg(name) => Err(self.cur.err_tok(&t, e.to_string())),
                Err(_) if self.syms.contains_key(name) => Err(self.cur.err_tok(
                    &t,
                    format!("'{name}' is a symbol: write &{name} for its address or [{name}] for its contents"),
                )),
                Err(_) => Err(self.cur.expected("an operand (register, number, -number or &symbol)")),
            },
            _ => Err(self.cur.expected("an operand (register, number, -number or &symbol)")),
        }
    }

    /// `[base]`, `[base+rI]`, `[base+8]`, `[base-8]`, `[base+rI+8]`; the base is
    /// a register or a symbol.
    fn addr(&mut self) -> R<Addr> {
        if !self.cur.eat(&Tok::LBracket) {
            return Err(self.cur.expected("an address ([sym] or [reg])"));
        }
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = t.tok else {
            return Err(self.cur.expected("a symbol or register after '['"));
        };
        let base = match resolve_reg(&self.prog, name) {
            Ok(r) => Base::Reg(r),
            Err(e) if looks_like_reg(name) => return Err(self.cur.err_tok(&t, e.to_string())),
            Err(_) => Base::Sym(self.lookup_sym(name).map_err(|e| self.cur.err_tok(&t, e.to_string()))?),
        };
        self.cur.next();
        let mut addr = Addr { base, index: None, offset: 0, width: Width::W64 };
        if self.cur.peek().tok == Tok::Plus && matches!(self.cur.peek_at(1).tok, Tok::Ident(_)) {
            self.cur.next();
            addr.index = Some(self.reg("an index register or an offset after '+'")?);
        }
        let neg = match self.cur.peek().tok {
            Tok::Plus => false,
            Tok::Minus => true,
            Tok::RBracket => {
                self.cur.next();
                return Ok(addr);
            }
            _ => return Err(self.cur.expected("'+', '-' or ']' in the address")),
        };
        self.cur.next();
        let nt = self.cur.peek().clone();
        let Tok::Num(n) = nt.tok else {
            return Err(self.cur.expected(if neg { "a number after '-'" } else { "a number after '+'" }));
        };
        let off = if neg { 0i128 - n as i128 } else { n as i128 };
        addr.offset = i64::try_from(off).map_err(|_| self.cur.err_tok(&nt, "offset out of range (64-bit signed)"))?;
        self.cur.next();
        if !self.cur.eat(&Tok::RBracket) {
            return Err(self.cur.expected("']' to close the address"));
        }
        Ok(addr)
    }
}

/// `unknown mnemonic 'x'`, with the closest known name (a kernel alias included).
fn unknown_mnemonic(word: &str) -> String {
    let alu = AluOp::EVERY.into_iter().map(|o| o.mnemonic());
    let names = MNEMONICS.iter().copied().chain(KERNEL_ALIASES.iter().map(|a| a.0)).chain(alu);
    match closest(word, names) {
        Some(n) => format!("unknown mnemonic '{word}' (did you mean '{n}'?)"),
        None => format!("unknown mnemonic '{word}'"),
    }
}
