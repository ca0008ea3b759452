//! The parser of C litmus files: the sections (header, doc string, `Key=Value`
//! lines, initial state, threads, final condition), and the code of each thread.
//!
//! The code follows herd7's C grammar: declarations one variable at a time
//! (`int r1;`, `int r1 = e;`), assignments to locals, plain stores `*p = e;`,
//! `if`/`else` with blocks or single statements, expression statements, and
//! expressions over `+ - * / & | ^ == != < > <= >=` (herd's precedences: `|`
//! loosest, then `^`, `&`, the comparisons, `+ -`, `* /`), casts, `*p` and calls.

use super::ast::*;
use super::lex::{describe, lex, Tok, T};
use crate::litmus::text::{perr, PResult};

/// A C litmus file split into its parts; the condition is parsed later, once
/// the names it uses are known.
#[derive(Clone, Debug)]
pub(crate) struct CFile {
    pub name: String,
    pub name_off: usize,
    pub doc: Option<String>,
    pub meta: Vec<(String, String)>,
    pub init: Vec<InitItem>,
    pub threads: Vec<Thread>,
    /// Where the condition part starts (`locations`, `filter`, `exists`, ...).
    pub cond_off: usize,
}

/// Skips whitespace and comments of every kind (outside thread bodies).
fn skip_top(src: &str, mut i: usize) -> PResult<usize> {
    let b = src.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"(*") {
            let mut depth = 0usize;
            let start = i;
            while i < b.len() {
                if b[i..].starts_with(b"(*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*)") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    // Byte by byte: the slices above compare bytes, so a
                    // multi-byte character inside the comment is fine.
                    i += 1;
                }
            }
            if depth > 0 {
                return perr(start, "unterminated comment `(*`");
            }
        } else if b[i..].starts_with(b"/*") {
            match src[i + 2..].find("*/") {
                Some(k) => i = i + 2 + k + 2,
                None => return perr(i, "unterminated comment `/*`"),
            }
        } else if b[i..].starts_with(b"//") {
            i = src[i..].find('\n').map(|k| i + k).unwrap_or(src.len());
        } else {
            return Ok(i);
        }
    }
}

fn line_end(src: &str, i: usize) -> usize {
    src[i..].find('\n').map(|k| i + k).unwrap_or(src.len())
}

fn ident_at(src: &str, i: usize) -> &str {
    let n = src[i..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(src.len() - i);
    &src[i..i + n]
}

/// Replaces `(* ... *)` comments by spaces (offsets kept).
fn blank_ocaml_comments(s: &str) -> PResult<String> {
    crate::litmus::text::strip_comments(s)
}

/// The index just after the `}` matching the `{` at `open` (C comments skipped).
fn matching_brace(src: &str, open: usize) -> PResult<usize> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            match src[i + 2..].find("*/") {
                Some(k) => i = i + 2 + k + 2,
                None => return perr(i, "unterminated comment `/*`"),
            }
            continue;
        }
        if b[i..].starts_with(b"//") {
            i = line_end(src, i);
            continue;
        }
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    perr(open, "this `{` is never closed")
}

pub(crate) fn parse_file(src: &str) -> PResult<CFile> {
    // Header: `C NAME`.
    let mut i = skip_top(src, 0)?;
    if i >= src.len() {
        return perr(0, "empty file");
    }
    let arch = ident_at(src, i);
    if arch != "C" {
        return perr(i, format!("expected the header `C NAME`, found `{}`", src[i..line_end(src, i)].trim()));
    }
    let le = line_end(src, i);
    let rest = &src[i + 1..le];
    let name = rest.trim();
    if name.is_empty() {
        return perr(le, "missing test name after `C`");
    }
    let name_off = i + 1 + (rest.len() - rest.trim_start().len());
    if let Some(sp) = name.find(char::is_whitespace) {
        let extra = name[sp..].trim_start();
        let at = name_off + name.len() - extra.len();
        return perr(at, format!("unexpected `{extra}` after the test name"));
    }
    let name = name.to_string();
    i = le;

    // Up to the initial state: a doc string, `Key=Value` lines; like herd, any
    // other text before the `{` is skipped.
    let mut doc = None;
    let mut meta = Vec::new();
    loop {
        i = skip_top(src, i)?;
        if i >= src.len() {
            return perr(src.len(), "missing initial state `{ ... }`");
        }
        let c = src.as_bytes()[i];
        if c == b'{' {
            break;
        }
        if c == b'"' && doc.is_none() && meta.is_empty() {
            let Some(k) = src[i + 1..].find('"') else { return perr(i, "unterminated doc string") };
            doc = Some(src[i + 1..i + 1 + k].to_string());
            i = i + 1 + k + 1;
            continue;
        }
        let key = ident_at(src, i);
        let le = line_end(src, i);
        if key.len() > 1 && key.starts_with('P') && key[1..].chars().all(|c| c.is_ascii_digit()) {
            return perr(i, "missing initial state `{ ... }` before the threads");
        }
        if !key.is_empty() && src[i + key.len()..le].trim_start().starts_with('=') {
            let v = src[i + key.len()..le].trim_start()[1..].trim();
            meta.push((key.to_string(), v.to_string()));
        }
        // Stop at a `{` on the line, else skip the line.
        i = match src[i..le].find('{') {
            Some(k) if key.is_empty() || !src[i + key.len()..le].trim_start().starts_with('=') => i + k,
            _ => le,
        };
    }

    // Initial state.
    let close = matching_brace(src, i)?;
    let init_text = blank_ocaml_comments(&src[..close - 1])?;
    let toks = lex(&init_text, i + 1, close - 1)?;
    let init = parse_init(&toks)?;
    i = close;

    // Threads.
    let mut threads: Vec<Thread> = Vec::new();
    loop {
        i = skip_top(src, i)?;
        let start = i;
        let mut w = ident_at(src, i);
        if w == "void" {
            let j = skip_top(src, i + 4)?;
            let j = if src[j..].starts_with('*') { skip_top(src, j + 1)? } else { j };
            if ident_at(src, j).starts_with('P') {
                i = j;
                w = ident_at(src, i);
            }
        }
        let is_thread = w.len() > 1 && w.starts_with('P') && w[1..].chars().all(|c| c.is_ascii_digit());
        if !is_thread {
            break;
        }
        let index: usize = match w[1..].parse() {
            Ok(n) if n < 1000 => n,
            _ => return perr(i, format!("bad thread name `{w}`")),
        };
        if index != threads.len() {
            return perr(i, format!("expected thread P{}, found `{w}`", threads.len()));
        }
        let j = skip_top(src, i + w.len())?;
        if !src[j..].starts_with('(') {
            return perr(j, format!("expected `(` after `{w}`"));
        }
        let Some(k) = src[j..].find(')') else { return perr(j, "this `(` is never closed") };
        let ptoks = lex(src, j + 1, j + k)?;
        let params = parse_params(&ptoks)?;
        let o = skip_top(src, j + k + 1)?;
        if !src[o..].starts_with('{') {
            return perr(o, format!("expected the body `{{ ... }}` of {w}"));
        }
        let end = matching_brace(src, o)?;
        let btoks = lex(src, o + 1, end - 1)?;
        let mut p = Parser { toks: &btoks, i: 0, nest: 0 };
        let body = p.stmts_until_eof()?;
        threads.push(Thread { index, params, body, off: start });
        i = end;
    }
    if threads.is_empty() {
        return perr(i, "missing threads (expected `P0(...) { ... }`)");
    }
    Ok(CFile { name, name_off, doc, meta, init, threads, cond_off: i })
}

/// `int *x, spinlock_t *s, struct srcu_struct *ss`
fn parse_params(toks: &[Tok]) -> PResult<Vec<Param>> {
    let mut p = Parser { toks, i: 0, nest: 0 };
    let mut out = Vec::new();
    if p.peek().t == T::Eof {
        return Ok(out);
    }
    if matches!(&p.peek().t, T::Ident(s) if s == "void") && p.toks.get(1).is_some_and(|t| t.t == T::Eof) {
        return Ok(out);
    }
    loop {
        let off = p.peek().off;
        let Some(ty) = p.ctype()? else {
            return perr(off, format!("expected a parameter such as `int *x`, found {}", describe(&p.peek().t)));
        };
        let name = p.ident("a parameter name")?;
        if ty.ptr == 0 {
            return perr(
                off,
                format!("parameter `{name}` must be a pointer (herd passes shared variables by address)"),
            );
        }
        out.push(Param { ty, name, off });
        match &p.bump().t {
            T::Eof => return Ok(out),
            t if t.is(",") => {}
            t => return perr(p.prev_off(), format!("expected `,` or `)`, found {}", describe(t))),
        }
    }
}

const BASE_TYPES: &[&str] = &[
    "int",
    "long",
    "char",
    "short",
    "unsigned",
    "signed",
    "intptr_t",
    "uintptr_t",
    "int8_t",
    "int16_t",
    "int32_t",
    "int64_t",
    "uint8_t",
    "uint16_t",
    "uint32_t",
    "uint64_t",
    "spinlock_t",
    "atomic_t",
    "void",
    "bool",
    "_Bool",
];

/// `x = 1; int *p = &x; 1:r1 = y; atomic_t v = ATOMIC_INIT(2); int * 1:r1;`
fn parse_init(toks: &[Tok]) -> PResult<Vec<InitItem>> {
    let mut p = Parser { toks, i: 0, nest: 0 };
    let mut out = Vec::new();
    loop {
        while p.peek().t.is(";") {
            p.bump();
        }
        if p.peek().t == T::Eof {
            return Ok(out);
        }
        let off = p.peek().off;
        let ty = p.ctype()?;
        // `N:name` or `name`
        let (thread, name) = match (&p.peek().t, p.toks.get(p.i + 1).map(|t| &t.t)) {
            (T::Num(n), Some(c)) if c.is(":") => {
                let n = *n;
                p.bump();
                p.bump();
                (Some(n as usize), p.ident("a local variable name")?)
            }
            _ => (None, p.ident("a variable name")?),
        };
        let mut value = None;
        let mut value_off = p.peek().off;
        if p.peek().t.is("=") {
            p.bump();
            value_off = p.peek().off;
            value = Some(p.init_value()?);
        }
        out.push(InitItem { thread, name, ty, value, off, value_off });
        match &p.bump().t {
            T::Eof => return Ok(out),
            t if t.is(";") => {}
            t => return perr(p.prev_off(), format!("expected `;` in the initial state, found {}", describe(t))),
        }
    }
}

struct Parser<'t> {
    toks: &'t [Tok],
    i: usize,
    /// Open blocks, parentheses and dereferences around the current point
    /// (bounded by [`MAX_NEST`]: pathological input must not overflow the stack).
    nest: usize,
}

/// The deepest nesting of blocks, `if`s, parentheses and `*` in C code.
const MAX_NEST: usize = crate::asm::cond::MAX_NEST;

impl<'t> Parser<'t> {
    /// Runs `f` one level of nesting deeper (a block, a parenthesis, a `*` at `off`).
    fn nested<T>(&mut self, off: usize, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.nest >= MAX_NEST {
            return perr(off, format!("nested too deeply (more than {MAX_NEST} levels)"));
        }
        self.nest += 1;
        let r = f(self);
        self.nest -= 1;
        r
    }

    fn peek(&self) -> &'t Tok {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }
    fn peek_at(&self, k: usize) -> &'t Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)]
    }
    fn bump(&mut self) -> &'t Tok {
        let t = self.peek();
        if t.t != T::Eof {
            self.i += 1;
        }
        t
    }
    fn prev_off(&self) -> usize {
        self.toks[self.i.saturating_sub(1)].off
    }
    fn expect(&mut self, p: &str) -> PResult<usize> {
        let t = self.bump();
        if t.t.is(p) {
            Ok(t.off)
        } else {
            perr(t.off, format!("expected `{p}`, found {}", describe(&t.t)))
        }
    }
    fn ident(&mut self, what: &str) -> PResult<String> {
        let t = self.bump();
        match &t.t {
            T::Ident(s) => Ok(s.clone()),
            other => perr(t.off, format!("expected {what}, found {}", describe(other))),
        }
    }

    /// Whether a type starts here.
    fn at_type(&self, k: usize) -> bool {
        match &self.peek_at(k).t {
            T::Ident(s) => {
                BASE_TYPES.contains(&s.as_str()) || matches!(s.as_str(), "volatile" | "const" | "struct" | "_Atomic")
            }
            _ => false,
        }
    }

    /// An optional type: qualifiers, a base type (or `struct NAME`), stars.
    fn ctype(&mut self) -> PResult<Option<CType>> {
        if !self.at_type(0) {
            return Ok(None);
        }
        let mut base = String::new();
        loop {
            let t = self.peek();
            match &t.t {
                T::Ident(s) if matches!(s.as_str(), "volatile" | "const" | "_Atomic") => {
                    self.bump();
                }
                T::Ident(s) if s == "struct" => {
                    self.bump();
                    let n = self.ident("a struct name")?;
                    base = format!("struct {n}");
                }
                T::Ident(s) if BASE_TYPES.contains(&s.as_str()) => {
                    self.bump();
                    if base.is_empty() {
                        base = s.clone();
                    } else {
                        base = format!("{base} {s}");
                    }
                }
                _ => break,
            }
        }
        if base.is_empty() {
            return perr(self.peek().off, format!("expected a type, found {}", describe(&self.peek().t)));
        }
        let mut ptr = 0u8;
        loop {
            let t = self.peek();
            if t.t.is("*") {
                self.bump();
                ptr = ptr.saturating_add(1);
            } else if matches!(&t.t, T::Ident(s) if s == "volatile" || s == "const") {
                self.bump();
            } else {
                break;
            }
        }
        Ok(Some(CType { base, ptr }))
    }

    /// `1`, `-1`, `x`, `&x`, `ATOMIC_INIT(1)`
    fn init_value(&mut self) -> PResult<InitVal> {
        let t = self.bump();
        match &t.t {
            T::Num(n) => Ok(InitVal::Num(*n)),
            T::P("&") => Ok(InitVal::Addr(self.ident("a variable name after `&`")?)),
            T::Ident(s) if s == "ATOMIC_INIT" => {
                self.expect("(")?;
                let v = self.bump();
                let T::Num(n) = v.t else {
                    return perr(v.off, format!("expected a number in ATOMIC_INIT, found {}", describe(&v.t)));
                };
                self.expect(")")?;
                Ok(InitVal::Num(n))
            }
            T::Ident(s) if s == "NULL" => Ok(InitVal::Num(0)),
            T::Ident(s) => Ok(InitVal::Addr(s.clone())),
            other => perr(t.off, format!("expected an initial value, found {}", describe(other))),
        }
    }

    fn stmts_until_eof(&mut self) -> PResult<Vec<Stmt>> {
        let mut v = Vec::new();
        while self.peek().t != T::Eof {
            v.push(self.stmt()?);
        }
        Ok(v)
    }

    fn block_or_stmt(&mut self) -> PResult<Vec<Stmt>> {
        if self.peek().t.is("{") {
            let off = self.bump().off;
            let mut v = Vec::new();
            loop {
                let t = self.peek();
                if t.t.is("}") {
                    self.bump();
                    return Ok(v);
                }
                if t.t == T::Eof {
                    return perr(off, "this `{` is never closed");
                }
                v.push(self.stmt()?);
            }
        }
        Ok(vec![self.stmt()?])
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let off = self.peek().off;
        self.nested(off, Self::stmt_inner)
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        let t = self.peek();
        let off = t.off;
        match &t.t {
            T::P("{") => {
                let body = self.block_or_stmt()?;
                Ok(Stmt::Block { body, off })
            }
            T::P(";") => {
                self.bump();
                Ok(Stmt::Block { body: Vec::new(), off })
            }
            T::Ident(k) if k == "if" => {
                self.bump();
                self.expect("(")?;
                let cond = self.expr()?;
                self.expect(")")?;
                let then = self.block_or_stmt()?;
                let els = if matches!(&self.peek().t, T::Ident(e) if e == "else") {
                    self.bump();
                    Some(self.block_or_stmt()?)
                } else {
                    None
                };
                Ok(Stmt::If { cond, then, els, off })
            }
            T::Ident(k) if matches!(k.as_str(), "while" | "for" | "do" | "goto" | "return" | "switch") => {
                perr(off, format!("unsupported statement `{k}` (loops and jumps are not supported in C litmus tests)"))
            }
            _ if self.at_type(0) => {
                let ty = self.ctype()?.expect("at_type");
                let name = self.ident("a variable name")?;
                let init = if self.peek().t.is("=") {
                    self.bump();
                    Some(self.expr()?)
                } else {
                    None
                };
                if self.peek().t.is(",") {
                    return perr(self.peek().off, "declare one variable per declaration (`int r1; int r2;`)");
                }
                self.expect(";")?;
                Ok(Stmt::Decl { ty, name, init, off })
            }
            T::Ident(name) if self.peek_at(1).t.is("=") => {
                let name = name.clone();
                self.bump();
                self.bump();
                let value = self.expr()?;
                self.expect(";")?;
                Ok(Stmt::Assign { name, value, off })
            }
            T::P("*") => {
                // `*p = e;` or an expression statement starting with a dereference.
                let save = self.i;
                self.bump();
                let ptr = self.unary()?;
                if self.peek().t.is("=") {
                    self.bump();
                    let value = self.expr()?;
                    self.expect(";")?;
                    return Ok(Stmt::Store { ptr, value, off });
                }
                self.i = save;
                let e = self.expr()?;
                self.expect(";")?;
                Ok(Stmt::Expr { e, off })
            }
            _ => {
                let e = self.expr()?;
                if self.peek().t.is("=") {
                    return perr(self.peek().off, "unsupported assignment target (assign to a local variable or `*p`)");
                }
                self.expect(";")?;
                Ok(Stmt::Expr { e, off })
            }
        }
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.binary(0)
    }

    /// Precedence climbing over herd's levels: `|` < `^` < `&` < comparisons < `+ -` < `* /`.
    fn binary(&mut self, level: u8) -> PResult<Expr> {
        const LEVELS: [&[(&str, BinOp)]; 5] = [
            &[("|", BinOp::Or)],
            &[("^", BinOp::Xor)],
            &[("&", BinOp::And)],
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
            ],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
        ];
        if level as usize == LEVELS.len() {
            return self.mul();
        }
        let mut a = self.binary(level + 1)?;
        loop {
            let t = self.peek();
            let Some(&(_, op)) = LEVELS[level as usize].iter().find(|(p, _)| t.t.is(p)) else {
                if let T::P(p @ ("&&" | "||" | "<<" | ">>" | "%" | "?")) = t.t {
                    return perr(t.off, format!("unsupported operator `{p}` (herd's C has no such operator)"));
                }
                return Ok(a);
            };
            self.bump();
            let b = self.binary(level + 1)?;
            if op.is_comparison() {
                if let Expr::Bin { op: o2, .. } = &a {
                    if o2.is_comparison() {
                        return perr(t.off, "chained comparison: add parentheses");
                    }
                }
            }
            a = Expr::Bin { op, a: Box::new(a), b: Box::new(b), off: t.off };
        }
    }

    fn mul(&mut self) -> PResult<Expr> {
        let mut a = self.unary()?;
        loop {
            let t = self.peek();
            let op = if t.t.is("*") {
                BinOp::Mul
            } else if t.t.is("/") {
                BinOp::Div
            } else {
                return Ok(a);
            };
            self.bump();
            let b = self.unary()?;
            a = Expr::Bin { op, a: Box::new(a), b: Box::new(b), off: t.off };
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let off = self.peek().off;
        self.nested(off, Self::unary_inner)
    }

    fn unary_inner(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let off = t.off;
        match &t.t {
            T::P("*") => {
                self.bump();
                let e = self.unary()?;
                Ok(Expr::Deref { e: Box::new(e), off })
            }
            T::P("(") if self.at_type(1) => {
                // A cast: herd ignores it.
                self.bump();
                self.ctype()?;
                self.expect(")")?;
                self.unary()
            }
            T::P("(") => {
                self.bump();
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            T::Num(v) => {
                self.bump();
                Ok(Expr::Num { v: *v, off })
            }
            T::Ident(s) if s == "NULL" => {
                self.bump();
                Ok(Expr::Num { v: 0, off })
            }
            T::Ident(s) if matches!(s.as_str(), "true" | "false") => {
                self.bump();
                Ok(Expr::Num { v: (s == "true") as u64, off })
            }
            T::Ident(name) => {
                self.bump();
                if self.peek().t.is("(") {
                    self.bump();
                    let mut args = Vec::new();
                    if !self.peek().t.is(")") {
                        loop {
                            args.push(self.expr()?);
                            let s = self.bump();
                            if s.t.is(")") {
                                break;
                            }
                            if !s.t.is(",") {
                                return perr(s.off, format!("expected `,` or `)`, found {}", describe(&s.t)));
                            }
                        }
                    } else {
                        self.bump();
                    }
                    return Ok(Expr::Call { name: name.clone(), args, off });
                }
                if let T::P(p @ ("->" | "." | "[")) = self.peek().t {
                    return perr(
                        self.peek().off,
                        format!("unsupported `{p}` (structures and arrays are not supported)"),
                    );
                }
                Ok(Expr::Var { name: name.clone(), off })
            }
            T::P(p @ ("&" | "!" | "~" | "-")) => perr(
                off,
                format!(
                    "unsupported unary `{p}` (herd's C has no unary `{p}` in code; write e.g. `r == 0` or `0 - r`)"
                ),
            ),
            other => perr(off, format!("expected an expression, found {}", describe(other))),
        }
    }
}
