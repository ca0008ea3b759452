//! The `.ucode` assembler: program structure and directives. Instructions
//! and their operands are in `instrs.rs`, conditions in `cond.rs`.

use super::cond::{looks_like_reg, resolve_reg, CondParser, ProgramResolver, ResolveError};
use super::error::AsmError;
use super::lexer::{Cursor, Tok, Token, INVISIBLE};
use crate::cond::{Condition, Loc, LocType};
use crate::instr::{Instr, Pc, Reg, SymId, Width};
use crate::program::{CoreSpec, Label, Program, Symbol, Value, MAX_CORES};
use std::collections::{BTreeMap, HashMap};

pub(crate) type R<T> = Result<T, AsmError>;

/// Names that cannot be register aliases (they mean something else where a
/// register may appear).
pub(crate) const RESERVED_ALIASES: [&str; 5] = ["_", "self", "start", "handler", "irq"];

/// Where a label reference is patched in.
#[derive(Clone, Copy)]
pub(crate) enum Site {
    Instr(usize),
    Start(u64),
    Handler(u64),
}

pub(crate) struct Fixup<'a> {
    pub site: Site,
    pub name: &'a str,
    pub tok: Token<'a>,
}

struct CoreDecl<'a> {
    spec: CoreSpec,
    tok: Token<'a>,
}

pub(crate) struct Parser<'a> {
    pub cur: Cursor<'a>,
    pub prog: Program,
    /// Symbols (collected before parsing, so they may be used before their
    /// declaration): id and the index of the declaring name token.
    pub syms: HashMap<&'a str, (SymId, usize, usize)>,
    labels: HashMap<&'a str, (Pc, usize)>,
    pub fixups: Vec<Fixup<'a>>,
    cores: BTreeMap<u64, CoreDecl<'a>>,
    name_line: Option<usize>,
    lost_work_line: Option<usize>,
    locations: Option<(Vec<Loc>, Token<'a>)>,
    cond_line: Option<usize>,
    cond_locs: Vec<(Loc, usize, usize)>,
    /// Each instruction's mnemonic token (line, column), by pc.
    pub instr_pos: Vec<(usize, usize)>,
}

/// Parses a whole `.ucode` program.
pub(crate) fn parse_program(src: &str, file: &str, check_end: bool) -> R<Program> {
    let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
    let mut p = Parser {
        cur: Cursor::new(src, file, 1),
        prog: Program::empty(stem),
        syms: HashMap::new(),
        labels: HashMap::new(),
        fixups: Vec::new(),
        cores: BTreeMap::new(),
        name_line: None,
        lost_work_line: None,
        locations: None,
        cond_line: None,
        cond_locs: Vec::new(),
        instr_pos: Vec::new(),
    };
    // An invisible character first: it explains whatever error follows from it.
    let hidden = p.cur.toks.iter().find_map(|t| match &t.tok {
        Tok::Error(m) if m.contains(INVISIBLE) => Some((t, m)),
        _ => None,
    });
    if let Some((t, m)) = hidden {
        return Err(p.cur.err_tok(t, m.clone()));
    }
    p.collect_symbols();
    p.run()?;
    p.finish(check_end)
}

impl<'a> Parser<'a> {
    /// Pre-pass: every `sym NAME` line declares a symbol, numbered in order.
    fn collect_symbols(&mut self) {
        let toks = &self.cur.toks;
        let mut i = 0;
        while i < toks.len() {
            let line_start = i;
            // Skip leading labels.
            while matches!((&toks[i].tok, toks.get(i + 1).map(|t| &t.tok)), (Tok::Ident(_), Some(Tok::Colon))) {
                i += 2;
            }
            if let (Tok::Ident(kw), Some(Tok::Ident(name))) = (&toks[i].tok, toks.get(i + 1).map(|t| &t.tok)) {
                let fresh = !self.syms.contains_key(name);
                if kw.eq_ignore_ascii_case("sym") && fresh && self.prog.symbols.len() <= SymId::MAX as usize {
                    let id = self.prog.symbols.len() as SymId;
                    self.syms.insert(name, (id, i + 1, toks[i + 1].line));
                    self.prog.symbols.push(Symbol::new(name, Value::Num(0)));
                }
            }
            // Next line.
            i = line_start;
            while i < toks.len() && !matches!(toks[i].tok, Tok::Newline | Tok::Eof) {
                i += 1;
            }
            i += 1;
        }
    }

    fn run(&mut self) -> R<()> {
        loop {
            match self.cur.peek().tok {
                Tok::Newline => {
                    self.cur.next();
                    continue;
                }
                Tok::Eof => return Ok(()),
                _ => {}
            }
            while let Some(name) = self.label_here() {
                let t = self.cur.next();
                self.cur.next();
                self.define_label(name, &t)?;
            }
            if !self.cur.at_eol() {
                self.statement()?;
            }
        }
    }

    /// The label name if the next tokens are `NAME :`.
    fn label_here(&self) -> Option<&'a str> {
        match (&self.cur.peek().tok, &self.cur.peek_at(1).tok) {
            (Tok::Ident(name), Tok::Colon) => Some(name),
            _ => None,
        }
    }

    fn define_label(&mut self, name: &'a str, t: &Token<'a>) -> R<()> {
        if let Some(&(_, line)) = self.labels.get(name) {
            return Err(self.cur.err_tok(t, format!("duplicate label '{name}' (first defined on line {line})")));
        }
        let pc = self.prog.code.len() as Pc;
        self.labels.insert(name, (pc, t.line));
        self.prog.labels.push(Label { name: name.to_string(), pc });
        Ok(())
    }

    fn statement(&mut self) -> R<()> {
        let t = self.cur.peek().clone();
        let word = match t.tok {
            Tok::Ident(w) => w,
            Tok::Tilde => return self.condition(),
            _ => return Err(self.cur.expected("an instruction, a directive or a label")),
        };
        match word.to_ascii_lowercase().as_str() {
            "name" => self.name_directive(),
            "sym" => self.sym_directive(),
            "alias" => self.alias_directive(),
            "core" => self.core_directive(),
            "lost_work" => self.lost_work_directive(),
            "locations" => self.locations_directive(),
            "exists" | "forall" => self.condition(),
            _ => {
                self.cur.next();
                self.instruction(&t, word)
            }
        }?;
        self.end_of_line()
    }

    pub fn end_of_line(&mut self) -> R<()> {
        if self.cur.at_eol() {
            Ok(())
        } else {
            Err(self.cur.expected("end of line"))
        }
    }

    /// `name TOKEN` or `name "quoted string"`: TOKEN is any run of characters
    /// up to white space or a comment.
    fn name_directive(&mut self) -> R<()> {
        let kw = self.cur.next();
        if let Some(line) = self.name_line {
            return Err(self.cur.err_tok(&kw, format!("duplicate name directive (first on line {line})")));
        }
        self.name_line = Some(kw.line);
        let t = self.cur.peek().clone();
        match &t.tok {
            Tok::Str(s) => {
                self.prog.name = s.clone();
                self.cur.next();
                return Ok(());
            }
            Tok::Newline | Tok::Eof => return Err(self.cur.expected("a program name after 'name'")),
            // A malformed quoted string is an error, not a bare name.
            Tok::Error(m) if self.cur.src[t.start..].starts_with('"') => return Err(self.cur.err_tok(&t, m.clone())),
            _ => {}
        }
        let src = self.cur.src;
        let rest = &src[t.start..];
        let len = rest.find(|c: char| c.is_whitespace() || c == ';' || c == '#').unwrap_or(rest.len());
        self.prog.name = rest[..len].to_string();
        // Whatever follows on the line must be a comment.
        let after = &rest[len..];
        let line_rest = &after[..after.find('\n').unwrap_or(after.len())];
        let trimmed = line_rest.trim_start();
        if !(trimmed.is_empty() || trimmed.starts_with(';') || trimmed.starts_with('#')) {
            let col = t.col + rest[..len].chars().count() + (line_rest.chars().count() - trimmed.chars().count());
            return Err(self.cur.err_at(t.line, col, "expected end of line after the program name"));
        }
        while !self.cur.at_eol() {
            self.cur.next();
        }
        Ok(())
    }

    /// `sym NAME [= VALUE]`.
    fn sym_directive(&mut self) -> R<()> {
        self.cur.next();
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = t.tok else {
            return Err(self.cur.expected("a symbol name after 'sym'"));
        };
        if looks_like_reg(name) {
            return Err(self.cur.err_tok(&t, format!("symbol name '{name}' is a register name")));
        }
        let id = match self.syms.get(name) {
            Some(&(id, at, _)) if at == self.cur.pos => id,
            Some(&(_, _, line)) => {
                return Err(self.cur.err_tok(&t, format!("duplicate symbol '{name}' (first declared on line {line})")))
            }
            None => {
                return Err(self.cur.err_tok(&t, format!("too many symbols (at most {})", SymId::MAX as usize + 1)))
            }
        };
        self.cur.next();
        let init = if self.cur.eat(&Tok::Eq) {
            self.init_value()?
        } else if self.cur.at_eol() {
            Value::Num(0)
        } else {
            return Err(self.cur.expected("'=' after the symbol name"));
        };
        self.prog.symbols[id as usize].init = init;
        Ok(())
    }

    /// A number (possibly negative) or `&sym` (symbol and register initial values).
    fn init_value(&mut self) -> R<Value> {
        match self.cur.peek().tok {
            Tok::Num(n) => {
                self.cur.next();
                Ok(Value::Num(n))
            }
            Tok::Minus => Ok(Value::Num(self.negative_number()?)),
            Tok::Amp => {
                self.cur.next();
                Ok(Value::Addr(self.sym_ref()?))
            }
            _ => Err(self.cur.expected("a number, -number or &symbol")),
        }
    }

    /// `-N` (at the minus sign) as its 64-bit two's complement; `N` at most 2^63.
    pub fn negative_number(&mut self) -> R<u64> {
        let minus = self.cur.next();
        let t = self.cur.peek().clone();
        let Tok::Num(n) = t.tok else {
            return Err(self.cur.expected("a number after '-'"));
        };
        if n > 1 << 63 {
            return Err(self
                .cur
                .err_tok(&minus, format!("-{n} is out of range (the smallest number is -{})", 1u64 << 63)));
        }
        self.cur.next();
        Ok(n.wrapping_neg())
    }

    /// A symbol name (in `&sym`, `observe`, `lost_work`).
    pub fn sym_ref(&mut self) -> R<SymId> {
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = t.tok else {
            return Err(self.cur.expected("a symbol name"));
        };
        let id = self.lookup_sym(name).map_err(|e| self.cur.err_tok(&t, e.to_string()))?;
        self.cur.next();
        Ok(id)
    }

    pub fn lookup_sym(&self, name: &str) -> Result<SymId, ResolveError> {
        self.syms.get(name).map(|s| s.0).ok_or_else(|| ResolveError::UndefinedSymbol { name: name.to_string() })
    }

    /// `alias NAME = rN`.
    fn alias_directive(&mut self) -> R<()> {
        self.cur.next();
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = t.tok else {
            return Err(self.cur.expected("an alias name after 'alias'"));
        };
        let bad = |m: String| Err(self.cur.err_tok(&t, m));
        if looks_like_reg(name) {
            return bad(format!("alias '{name}' looks like a register name"));
        }
        if RESERVED_ALIASES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return bad(format!("'{name}' is reserved and cannot be an alias"));
        }
        if self.prog.reg_names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return bad(format!("duplicate alias '{name}'"));
        }
        if let Some(s) = self.prog.symbols.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
            return bad(format!("alias '{name}' clashes with symbol '{}'", s.name));
        }
        self.cur.next();
        if !self.cur.eat(&Tok::Eq) {
            return Err(self.cur.expected("'=' after the alias name"));
        }
        let rt = self.cur.peek().clone();
        let reg = match rt.tok {
            Tok::Ident(r) if looks_like_reg(r) => {
                Program::empty("").reg_by_name(r).ok_or_else(|| self.cur.err_tok(&rt, resolve_reg_msg(r)))?
            }
            _ => return Err(self.cur.expected("a register r0..r31")),
        };
        self.cur.next();
        let i = reg as usize;
        if let Some(old) = self.prog.reg_names.get(i).filter(|n| !n.is_empty()) {
            return Err(self.cur.err_tok(&rt, format!("register r{reg} already has the alias '{old}'")));
        }
        if self.prog.reg_names.len() <= i {
            self.prog.reg_names.resize(i + 1, String::new());
        }
        self.prog.reg_names[i] = name.to_string();
        Ok(())
    }

    /// `core N start=L [handler=L] [rK=V]... [irq=on|off]`.
    fn core_directive(&mut self) -> R<()> {
        let kw = self.cur.next();
        let nt = self.cur.peek().clone();
        let Tok::Num(n) = nt.tok else {
            return Err(self.cur.expected("a core number after 'core'"));
        };
        if n >= MAX_CORES as u64 {
            let m = format!("core {n} is out of range (at most {MAX_CORES} cores, numbered 0..{})", MAX_CORES - 1);
            return Err(self.cur.err_tok(&nt, m));
        }
        if let Some(d) = self.cores.get(&n) {
            return Err(self.cur.err_tok(&nt, format!("core {n} declared twice (first on line {})", d.tok.line)));
        }
        self.cur.next();
        let mut spec = CoreSpec::new(0);
        let (mut start, mut handler, mut irq) = (false, false, false);
        while !self.cur.at_eol() {
            let kt = self.cur.peek().clone();
            let Tok::Ident(key) = kt.tok else {
                return Err(self.cur.expected("a core attribute (start=, handler=, irq= or a register)"));
            };
            let lkey = key.to_ascii_lowercase();
            let reg = match lkey.as_str() {
                "start" | "handler" | "irq" => None,
                _ => match resolve_reg(&self.prog, key) {
                    Ok(r) => Some(r),
                    Err(e) if looks_like_reg(key) => return Err(self.cur.err_tok(&kt, e.to_string())),
                    Err(_) => {
                        let m =
                            format!("unknown core attribute '{key}' (expected start=, handler=, irq= or a register)");
                        return Err(self.cur.err_tok(&kt, m));
                    }
                },
            };
            let dup = |done: bool| -> R<()> {
                if done {
                    Err(self.cur.err_tok(&kt, format!("duplicate {lkey}= for core {n}")))
                } else {
                    Ok(())
                }
            };
            match lkey.as_str() {
                "start" => dup(std::mem::replace(&mut start, true))?,
                "handler" => dup(std::mem::replace(&mut handler, true))?,
                "irq" => dup(std::mem::replace(&mut irq, true))?,
                _ => {}
            }
            self.cur.next();
            if !self.cur.eat(&Tok::Eq) {
                return Err(self.cur.expected(&format!("'=' after '{key}'")));
            }
            match (lkey.as_str(), reg) {
                ("start", _) => self.label_ref(Site::Start(n), "a label after 'start='")?,
                ("handler", _) => self.label_ref(Site::Handler(n), "a label after 'handler='")?,
                ("irq", _) => {
                    spec.irq_enabled = match self.cur.peek().tok {
                        Tok::Ident(w) if w.eq_ignore_ascii_case("on") => true,
                        Tok::Ident(w) if w.eq_ignore_ascii_case("off") => false,
                        _ => return Err(self.cur.expected("'on' or 'off' after 'irq='")),
                    };
                    self.cur.next();
                }
                (_, Some(r)) => {
                    if spec.regs.iter().any(|&(q, _)| q == r) {
                        let m = format!("register {} initialised twice for core {n}", self.prog.reg_name(r));
                        return Err(self.cur.err_tok(&kt, m));
                    }
                    let v = self.init_value()?;
                    spec.regs.push((r as Reg, v));
                }
                _ => {}
            }
        }
        if !start {
            return Err(self.cur.err_tok(&kw, format!("core {n} has no start= label")));
        }
        self.cores.insert(n, CoreDecl { spec, tok: nt });
        Ok(())
    }

    /// A label name, patched in at the end.
    pub fn label_ref(&mut self, site: Site, what: &str) -> R<()> {
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = t.tok else {
            return Err(self.cur.expected(what));
        };
        self.cur.next();
        self.fixups.push(Fixup { site, name, tok: t });
        Ok(())
    }

    /// `lost_work sym, sym...`.
    fn lost_work_directive(&mut self) -> R<()> {
        let kw = self.cur.next();
        if let Some(line) = self.lost_work_line {
            return Err(self.cur.err_tok(&kw, format!("duplicate lost_work directive (first on line {line})")));
        }
        self.lost_work_line = Some(kw.line);
        loop {
            let s = self.sym_ref()?;
            self.prog.lost_work.push(s);
            if !self.cur.eat(&Tok::Comma) {
                return Ok(());
            }
        }
    }

    /// `locations [loc; loc...]`.
    fn locations_directive(&mut self) -> R<()> {
        let kw = self.cur.next();
        if self.cond_line.is_some() {
            return Err(self.cur.err_tok(&kw, "locations must come before the condition"));
        }
        if let Some((_, t)) = &self.locations {
            return Err(self.cur.err_tok(&kw, format!("duplicate locations directive (first on line {})", t.line)));
        }
        let mut res = ProgramResolver { program: &self.prog, check_cores: false };
        let mut cp = CondParser::new(&mut self.cur, &mut res, false);
        let locs = cp.locations_list()?;
        self.cond_locs.extend(cp.seen);
        self.locations = Some((locs, kw));
        Ok(())
    }

    /// `exists EXPR`, `~exists EXPR` or `forall EXPR`.
    fn condition(&mut self) -> R<()> {
        let kw = self.cur.peek().clone();
        if let Some(line) = self.cond_line {
            return Err(self.cur.err_tok(&kw, format!("duplicate condition (first on line {line})")));
        }
        self.cond_line = Some(kw.line);
        let mut res = ProgramResolver { program: &self.prog, check_cores: false };
        let mut cp = CondParser::new(&mut self.cur, &mut res, false);
        let Some(quant) = cp.quantifier() else {
            self.cur.next();
            return Err(self.cur.expected("'exists' after '~'"));
        };
        let expr = cp.expr()?;
        self.cond_locs.extend(cp.seen);
        // A location compared with a number written negative holds a signed
        // word: its final values print signed (`0:r1=-1`, not 18446744073709551615).
        let mut types: Vec<(Loc, LocType)> = Vec::new();
        for (l, _) in cp.negative {
            if !types.iter().any(|t| t.0 == l) {
                types.push((l, LocType { width: Width::W64, signed: true }));
            }
        }
        if self.cur.peek().tok == Tok::RParen {
            return Err(self.cur.error_here("unbalanced parenthesis in condition"));
        }
        self.prog.condition = Some(Condition { quant, expr, locations: Vec::new(), types });
        Ok(())
    }

    fn finish(mut self, check_end: bool) -> R<Program> {
        let n = self.prog.code.len();
        if n == 0 {
            return Err(self.cur.err_at(1, 1, "empty program (no instructions)"));
        }
        if self.cores.is_empty() {
            return Err(self.cur.err_at(1, 1, "no core declared (add a line like 'core 0 start=<label>')"));
        }
        for (i, (&c, d)) in self.cores.iter().enumerate() {
            if c != i as u64 {
                return Err(self.cur.err_tok(&d.tok, format!("core {c} declared but core {i} is missing")));
            }
        }
        let fixups = std::mem::take(&mut self.fixups);
        let mut named = Vec::new();
        for f in fixups {
            let pc = match self.labels.get(f.name) {
                None => return Err(self.cur.err_tok(&f.tok, format!("undefined label '{}'", f.name))),
                Some(&(pc, _)) if pc as usize >= n => {
                    let m = format!("label '{}' is at the end of the code, not at an instruction", f.name);
                    return Err(self.cur.err_tok(&f.tok, m));
                }
                Some(&(pc, _)) => pc,
            };
            match f.site {
                Site::Instr(i) => {
                    self.prog.code[i] = self.prog.code[i].with_target(pc);
                    named.push((i, f.name));
                }
                Site::Start(c) => {
                    if let Some(d) = self.cores.get_mut(&c) {
                        d.spec.start = pc
                    }
                }
                Site::Handler(c) => {
                    if let Some(d) = self.cores.get_mut(&c) {
                        d.spec.handler = Some(pc)
                    }
                }
            }
        }
        for (i, name) in named {
            self.prog.set_target_label(i, name);
        }
        let ncores = self.cores.len();
        self.prog.cores = std::mem::take(&mut self.cores).into_values().map(|d| d.spec).collect();
        for &(loc, line, col) in &self.cond_locs {
            if let Loc::Reg { core, .. } = loc {
                if core as usize >= ncores {
                    let plural = if ncores == 1 { "core" } else { "cores" };
                    let m = format!("core {core} does not exist (the program declares {ncores} {plural})");
                    return Err(self.cur.err_at(line, col, m));
                }
            }
        }
        if let Some((locs, t)) = self.locations.take() {
            match &mut self.prog.condition {
                Some(c) => c.locations = locs,
                None => return Err(self.cur.err_tok(&t, "locations given without a condition")),
            }
        }
        self.prog.validate().map_err(|e| self.cur.err_at(1, 1, e.to_string()))?;
        if check_end {
            self.check_end()?;
        }
        Ok(self.prog)
    }

    /// No core can run past the last instruction: from each core's entry and
    /// handler, following every branch both ways (and each `call` to its
    /// return), the pc never reaches the end of the code. Reported at the
    /// last instruction, which is the one that would fall through.
    fn check_end(&self) -> R<()> {
        let n = self.prog.code.len();
        for (c, core) in self.prog.cores.iter().enumerate() {
            let mut seen = vec![false; n + 1];
            let mut stack: Vec<usize> = std::iter::once(core.start).chain(core.handler).map(|p| p as usize).collect();
            while let Some(pc) = stack.pop() {
                if pc > n || seen[pc] {
                    continue;
                }
                seen[pc] = true;
                if pc == n {
                    let (line, col) = self.instr_pos[n - 1];
                    let last = super::instr_text_at(&self.prog, n - 1, &self.prog.code[n - 1]);
                    let m = format!(
                        "core {c} can run past the end of the code after '{last}' (the last instruction): \
                         end its path with halt, jmp, ret or iret"
                    );
                    return Err(self.cur.err_at(line, col, m));
                }
                let next = pc + 1;
                match self.prog.code[pc] {
                    Instr::Halt | Instr::Iret | Instr::Ret => {}
                    Instr::Jmp { target } => stack.push(target as usize),
                    Instr::Branch { target, .. } | Instr::Call { target } => {
                        stack.push(target as usize);
                        stack.push(next);
                    }
                    _ => stack.push(next),
                }
            }
        }
        Ok(())
    }
}

fn resolve_reg_msg(r: &str) -> String {
    resolve_reg(&Program::empty(""), r).err().map(|e| e.to_string()).unwrap_or_default()
}
