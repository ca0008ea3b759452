//! herd-style final conditions: `locations [0:r1; x]` and
//! `exists (0:r1=0 /\ [x]=1)`. The parser is reusable: names of locations and
//! values are turned into [`Loc`]s and [`Value`]s by a [`CondResolver`], so the
//! litmus importer can plug in its own register and symbol tables.

use super::error::AsmError;
use super::lexer::{Cursor, Tok};
use crate::cond::{CondExpr, Condition, Loc, Quantifier};
use crate::instr::{Reg, NUM_REGS};
use crate::program::{Program, Value, MAX_CORES};

/// A location as written in a condition, before resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocName<'a> {
    /// `N:reg` (the register name exactly as written).
    Reg { core: u64, reg: &'a str },
    /// `x` (`bracketed: false`) or `[x]` (`bracketed: true`).
    Mem { name: &'a str, bracketed: bool },
}

/// A value as written in a condition, before resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueName<'a> {
    /// A decimal or `0x` hexadecimal number.
    Num(u64),
    /// `-N` (the magnitude `N`).
    Neg(u64),
    /// `x` or `&x`: the address of a symbol.
    Sym(&'a str),
}

/// Turns the names in a condition into locations and values. An `Err` is
/// reported at the location's or value's first token.
pub trait CondResolver {
    fn loc(&mut self, loc: LocName<'_>) -> Result<Loc, ResolveError>;
    fn value(&mut self, v: ValueName<'_>) -> Result<Value, ResolveError>;
}

/// Why a name in a condition (or a register operand) could not be resolved.
/// The parser places it at the name's token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// `rN` with `N` past the last register.
    #[error("unknown register {name} (registers are r0..r{})", NUM_REGS - 1)]
    RegisterNumber { name: String },
    /// A name that is neither `rN` nor an alias of the program.
    #[error("unknown register '{name}' (registers are r0..r{} or an alias)", NUM_REGS - 1)]
    RegisterName { name: String },
    /// A register name that the resolver's architecture does not have.
    #[error("no register {name}")]
    NoRegister { name: String },
    #[error("core {core} is out of range (at most {MAX_CORES} cores)")]
    CoreOutOfRange { core: u64 },
    #[error("core {core} does not exist (the program declares {declared} {})", if *declared == 1 { "core" } else { "cores" })]
    NoSuchCore { core: u64, declared: usize },
    #[error("undefined symbol '{name}'")]
    UndefinedSymbol { name: String },
    /// A location that the resolver's tables do not have.
    #[error("unknown location {name}")]
    UnknownLocation { name: String },
    /// `-N` with `N` past 2^63.
    #[error("value -{magnitude} is out of range")]
    NegativeOutOfRange { magnitude: u64 },
}

/// Resolves names against a [`Program`]: its symbols, its registers `rN` and
/// their aliases. Negative numbers become their 64-bit two's complement.
pub struct ProgramResolver<'p> {
    pub program: &'p Program,
    /// Reject `N:reg` when core `N` is not declared by the program (otherwise
    /// only `N < MAX_CORES` is checked).
    pub check_cores: bool,
}

/// Looks up a register by name (`r3`, `R3` or an alias of the program).
pub(crate) fn resolve_reg(p: &Program, name: &str) -> Result<Reg, ResolveError> {
    if let Some(r) = p.reg_by_name(name) {
        return Ok(r);
    }
    let name = name.to_string();
    if looks_like_reg(&name) {
        Err(ResolveError::RegisterNumber { name })
    } else {
        Err(ResolveError::RegisterName { name })
    }
}

/// `r` or `R` followed by digits.
pub(crate) fn looks_like_reg(name: &str) -> bool {
    let mut c = name.chars();
    matches!(c.next(), Some('r' | 'R')) && name.len() > 1 && c.all(|d| d.is_ascii_digit())
}

impl CondResolver for ProgramResolver<'_> {
    fn loc(&mut self, loc: LocName<'_>) -> Result<Loc, ResolveError> {
        match loc {
            LocName::Reg { core, reg } => {
                if core >= MAX_CORES as u64 {
                    return Err(ResolveError::CoreOutOfRange { core });
                }
                if self.check_cores && core >= self.program.cores.len() as u64 {
                    return Err(ResolveError::NoSuchCore { core, declared: self.program.cores.len() });
                }
                let reg = resolve_reg(self.program, reg)?;
                Ok(Loc::Reg { core: core as u8, reg })
            }
            LocName::Mem { name, .. } => self.program.sym_by_name(name).map(Loc::Mem).ok_or_else(|| undefined(name)),
        }
    }

    fn value(&mut self, v: ValueName<'_>) -> Result<Value, ResolveError> {
        match v {
            ValueName::Num(n) => Ok(Value::Num(n)),
            ValueName::Neg(n) if n <= 1 << 63 => Ok(Value::Num(n.wrapping_neg())),
            ValueName::Neg(magnitude) => Err(ResolveError::NegativeOutOfRange { magnitude }),
            ValueName::Sym(s) => self.program.sym_by_name(s).map(Value::Addr).ok_or_else(|| undefined(s)),
        }
    }
}

fn undefined(name: &str) -> ResolveError {
    ResolveError::UndefinedSymbol { name: name.to_string() }
}

/// Parses a condition's expression and `locations` list from a token cursor.
pub(crate) struct CondParser<'c, 'a> {
    pub cur: &'c mut Cursor<'a>,
    pub res: &'c mut dyn CondResolver,
    /// Newlines are insignificant everywhere (stand-alone conditions); otherwise
    /// only inside parentheses.
    pub multiline: bool,
    /// Open parentheses.
    depth: usize,
    /// Open parentheses and `~`s (bounded by [`MAX_NEST`]).
    nest: usize,
    /// Every resolved location with its (unadjusted) line and column.
    pub seen: Vec<(Loc, usize, usize)>,
    /// Each location compared with a number written negative (`0:r1=-1`), and that number.
    pub negative: Vec<(Loc, u64)>,
    /// Whether the last value parsed was written with a minus sign.
    last_value_negative: bool,
}

type R<T> = Result<T, AsmError>;

/// Deepest nesting of parentheses and `~` accepted in a condition.
pub(crate) const MAX_NEST: usize = 200;

impl<'c, 'a> CondParser<'c, 'a> {
    pub fn new(cur: &'c mut Cursor<'a>, res: &'c mut dyn CondResolver, multiline: bool) -> Self {
        CondParser {
            cur,
            res,
            multiline,
            depth: 0,
            nest: 0,
            seen: Vec::new(),
            negative: Vec::new(),
            last_value_negative: false,
        }
    }

    fn skip_nl(&mut self) {
        if self.multiline || self.depth > 0 {
            while self.cur.peek().tok == Tok::Newline {
                self.cur.next();
            }
        }
    }

    fn peek_tok(&mut self) -> Tok<'a> {
        self.skip_nl();
        self.cur.peek().tok.clone()
    }

    /// `exists`, `~exists` or `forall`, if the next tokens are one.
    pub fn quantifier(&mut self) -> Option<Quantifier> {
        match self.peek_tok() {
            Tok::Ident(w) if w.eq_ignore_ascii_case("exists") => {
                self.cur.next();
                Some(Quantifier::Exists)
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("forall") => {
                self.cur.next();
                Some(Quantifier::Forall)
            }
            Tok::Tilde => match &self.cur.peek_at(1).tok {
                Tok::Ident(w) if w.eq_ignore_ascii_case("exists") => {
                    self.cur.next();
                    self.cur.next();
                    Some(Quantifier::NotExists)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A whole expression (`\/` binds weaker than `/\`, which binds weaker than `~`).
    pub fn expr(&mut self) -> R<CondExpr> {
        let first = self.and()?;
        if self.peek_tok() != Tok::Or {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.peek_tok() == Tok::Or {
            self.cur.next();
            v.push(self.and()?);
        }
        Ok(CondExpr::Or(v))
    }

    fn and(&mut self) -> R<CondExpr> {
        let first = self.unary()?;
        if self.peek_tok() != Tok::And {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.peek_tok() == Tok::And {
            self.cur.next();
            v.push(self.unary()?);
        }
        Ok(CondExpr::And(v))
    }

    fn unary(&mut self) -> R<CondExpr> {
        if self.peek_tok() == Tok::Tilde {
            self.cur.next();
            // Bound the recursion: pathological input must not overflow the stack.
            if self.nest >= MAX_NEST {
                return Err(self.cur.error_here("condition nested too deeply"));
            }
            self.nest += 1;
            let e = self.unary();
            self.nest -= 1;
            return Ok(CondExpr::Not(Box::new(e?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> R<CondExpr> {
        match self.peek_tok() {
            Tok::LParen => {
                let open = self.cur.next();
                if self.nest >= MAX_NEST {
                    return Err(self.cur.err_tok(&open, "condition nested too deeply"));
                }
                self.depth += 1;
                self.nest += 1;
                let e = self.expr()?;
                let t = self.peek_tok();
                self.depth -= 1;
                self.nest -= 1;
                if t == Tok::RParen {
                    self.cur.next();
                    return Ok(e);
                }
                let here = self.cur.peek();
                if matches!(t, Tok::Newline | Tok::Eof) || here.line > open.line {
                    return Err(self.cur.err_tok(&open, "unbalanced parenthesis in condition"));
                }
                Err(self.cur.expected("'/\\', '\\/' or ')' in condition"))
            }
            Tok::Ident(w)
                if (w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false"))
                    && self.cur.peek_at(1).tok != Tok::Eq =>
            {
                self.cur.next();
                Ok(if w.eq_ignore_ascii_case("true") { CondExpr::True } else { CondExpr::False })
            }
            Tok::RParen => Err(self.cur.error_here("unbalanced parenthesis in condition")),
            _ => {
                let loc = self.loc()?;
                let ne = match self.peek_tok() {
                    Tok::Eq => false,
                    Tok::Ne => true,
                    _ => return Err(self.cur.expected("'=' or '!=' after the location")),
                };
                self.cur.next();
                // `loc = loc`: another core's register (`1:r3 = 1:r4`) or `[x]`.
                let e = if self.at_loc() {
                    CondExpr::EqLoc(loc, self.loc()?)
                } else {
                    let v = self.value()?;
                    if let (Value::Num(n), true) = (v, self.last_value_negative) {
                        self.negative.push((loc, n));
                    }
                    CondExpr::Eq(loc, v)
                };
                // `a != b` is `~(a = b)` (herd has no `!=`; printed as `~a=b`).
                Ok(if ne { CondExpr::Not(Box::new(e)) } else { e })
            }
        }
    }

    /// Whether the next tokens are a location that cannot be a value: `N:reg` or `[x]`.
    fn at_loc(&mut self) -> bool {
        match self.peek_tok() {
            Tok::Num(_) => self.cur.peek_at(1).tok == Tok::Colon,
            Tok::LBracket => true,
            _ => false,
        }
    }

    /// `N:reg`, `x` or `[x]`.
    pub fn loc(&mut self) -> R<Loc> {
        let first = {
            self.skip_nl();
            self.cur.peek().clone()
        };
        let name = match first.tok {
            Tok::Num(core) => {
                self.cur.next();
                if !self.cur.eat(&Tok::Colon) {
                    return Err(self.cur.expected("':' after the core number (as in 0:r1)"));
                }
                let Tok::Ident(reg) = self.cur.peek().tok else {
                    return Err(self.cur.expected("a register name after ':'"));
                };
                self.cur.next();
                LocName::Reg { core, reg }
            }
            Tok::Ident(name) => {
                self.cur.next();
                LocName::Mem { name, bracketed: false }
            }
            Tok::LBracket => {
                self.cur.next();
                let Tok::Ident(name) = self.cur.peek().tok else {
                    return Err(self.cur.expected("a symbol name after '['"));
                };
                self.cur.next();
                if !self.cur.eat(&Tok::RBracket) {
                    return Err(self.cur.expected("']'"));
                }
                LocName::Mem { name, bracketed: true }
            }
            _ => return Err(self.cur.expected("a location (N:reg, x or [x])")),
        };
        let loc = self.res.loc(name).map_err(|e| self.cur.err_tok(&first, e.to_string()))?;
        self.seen.push((loc, first.line, first.col));
        Ok(loc)
    }

    fn value(&mut self) -> R<Value> {
        self.skip_nl();
        let first = self.cur.peek().clone();
        let mut negative = false;
        let v = match first.tok {
            Tok::Num(n) => {
                self.cur.next();
                ValueName::Num(n)
            }
            Tok::Minus => {
                self.cur.next();
                let Tok::Num(n) = self.cur.peek().tok else {
                    return Err(self.cur.expected("a number after '-'"));
                };
                self.cur.next();
                negative = true;
                ValueName::Neg(n)
            }
            Tok::Amp => {
                self.cur.next();
                let Tok::Ident(s) = self.cur.peek().tok else {
                    return Err(self.cur.expected("a symbol name after '&'"));
                };
                self.cur.next();
                ValueName::Sym(s)
            }
            Tok::Ident(s) => {
                self.cur.next();
                ValueName::Sym(s)
            }
            _ => return Err(self.cur.expected("a value (a number or a symbol name)")),
        };
        self.last_value_negative = negative;
        self.res.value(v).map_err(|e| self.cur.err_tok(&first, e.to_string()))
    }

    /// `[loc; loc; ...]` (after the `locations` keyword); `,` also separates.
    pub fn locations_list(&mut self) -> R<Vec<Loc>> {
        if !self.cur.eat(&Tok::LBracket) {
            return Err(self.cur.expected("'[' after 'locations'"));
        }
        let mut v = Vec::new();
        loop {
            if self.peek_tok() == Tok::RBracket {
                self.cur.next();
                return Ok(v);
            }
            v.push(self.loc()?);
            match self.peek_tok() {
                Tok::Semi | Tok::Comma => {
                    self.cur.next();
                }
                Tok::RBracket => {}
                _ => return Err(self.cur.expected("';' or ']' in the locations list")),
            }
        }
    }

    /// `[locations [...]] quantifier expr`, newlines allowed anywhere.
    pub fn whole(&mut self) -> R<Condition> {
        let mut locations = Vec::new();
        if matches!(self.peek_tok(), Tok::Ident(w) if w.eq_ignore_ascii_case("locations"))
            && self.cur.peek_at(1).tok == Tok::LBracket
        {
            self.cur.next();
            locations = self.locations_list()?;
        }
        let Some(quant) = self.quantifier() else {
            return Err(self.cur.expected("'exists', '~exists' or 'forall'"));
        };
        let expr = self.expr()?;
        match self.peek_tok() {
            Tok::Eof | Tok::Newline => Ok(Condition { quant, expr, locations, types: Vec::new() }),
            Tok::RParen => Err(self.cur.error_here("unbalanced parenthesis in condition")),
            _ => Err(self.cur.expected("'/\\', '\\/' or the end of the condition")),
        }
    }
}

/// Parses a stand-alone condition (`[locations [...]] exists|~exists|forall EXPR`)
/// with a custom resolver. Newlines are insignificant. Errors are reported with
/// line numbers starting at `first_line` (the line `src` starts on in `file`).
pub fn parse_condition_with(
    src: &str,
    file: &str,
    first_line: usize,
    resolver: &mut dyn CondResolver,
) -> Result<Condition, AsmError> {
    let mut cur = Cursor::new(src, file, first_line.max(1));
    CondParser::new(&mut cur, resolver, true).whole()
}

/// Parses a stand-alone condition against a program's symbols, registers
/// (and aliases) and cores, e.g. `exists (0:r1=0 /\ x=1)`.
pub fn parse_condition(src: &str, p: &Program, file: &str) -> Result<Condition, AsmError> {
    parse_condition_with(src, file, 1, &mut ProgramResolver { program: p, check_cores: true })
}
