//! The final condition of a litmus test, in herd's syntax:
//!
//! ```text
//! [locations [loc; loc; ...]]
//! (exists | ~exists | forall) prop
//! prop := prop \/ prop | prop /\ prop | ~prop | (prop) | true | false | loc = value
//! loc  := N:reg | [sym] | sym
//! ```
//!
//! Locations and values are resolved through [`CondEnv`], so the same parser
//! serves any architecture.

use super::text::{perr, show, PResult, Piece};
use crate::cond::{CondExpr, Condition, Loc, Quantifier};
use crate::program::Value;

/// Resolves the names a condition uses.
pub(crate) trait CondEnv {
    /// `thread:reg` (`thread` is the text before the colon).
    fn reg_loc(&mut self, thread: Piece<'_>, reg: Piece<'_>) -> PResult<Loc>;
    /// A memory location `sym` or `[sym]`.
    fn mem_loc(&mut self, sym: Piece<'_>) -> PResult<Loc>;
    /// An array element `sym[index]`.
    fn elem_loc(&mut self, sym: Piece<'_>, index: Piece<'_>) -> PResult<Loc> {
        let _ = index;
        perr(sym.off, format!("unsupported array element of {}", show(sym.s)))
    }
    /// Element `i` of array `sym` (for `sym={v0,v1,...}`).
    fn array_elem(&mut self, sym: Piece<'_>, i: usize) -> PResult<Loc> {
        let _ = i;
        perr(sym.off, format!("unsupported array value of {}", show(sym.s)))
    }
    /// A value: a number or a symbol (its address).
    fn value(&mut self, v: Piece<'_>) -> PResult<Value>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    Word,
    Colon,
    Eq,
    /// `<>`: not equal.
    Ne,
    LBrack,
    RBrack,
    LParen,
    RParen,
    And,
    Or,
    Not,
    Semi,
    /// `{`, `,`, `}`: an array's value (`t={1,2}`).
    LBrace,
    Comma,
    RBrace,
    Eof,
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    t: T,
    p: Piece<'a>,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '%')
}

fn tokenize(src: Piece<'_>) -> PResult<Vec<Tok<'_>>> {
    let s = src.s;
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let two = &b[i..(i + 2).min(b.len())];
        let (t, len) = match c {
            ':' => (T::Colon, 1),
            '=' => (T::Eq, 1),
            '<' if two == b"<>" => (T::Ne, 2),
            '[' => (T::LBrack, 1),
            ']' => (T::RBrack, 1),
            '(' => (T::LParen, 1),
            ')' => (T::RParen, 1),
            '~' => (T::Not, 1),
            ';' => (T::Semi, 1),
            '{' => (T::LBrace, 1),
            ',' => (T::Comma, 1),
            '}' => (T::RBrace, 1),
            '/' if two == b"/\\" => (T::And, 2),
            '\\' if two == b"\\/" => (T::Or, 2),
            '-' if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                let n = 1 + s[i + 1..].find(|c: char| !is_word_char(c)).unwrap_or(s.len() - i - 1);
                (T::Word, n)
            }
            c if is_word_char(c) => {
                let n = s[i..].find(|c: char| !is_word_char(c)).unwrap_or(s.len() - i);
                (T::Word, n)
            }
            c => return perr(src.off + i, format!("unexpected character `{c}` in the condition")),
        };
        out.push(Tok { t, p: src.slice(i, i + len) });
        i += len;
    }
    let end = src.trim().end();
    out.push(Tok { t: T::Eof, p: Piece::new("", end) });
    Ok(out)
}

struct P<'a, 'e> {
    toks: Vec<Tok<'a>>,
    i: usize,
    env: &'e mut dyn CondEnv,
    /// Open `(`s and negations around the current atom (bounded by [`MAX_NEST`]).
    nest: usize,
}

/// The deepest nesting of `(` and `~` a condition may have, as in .ucode: a
/// pathological condition must not overflow the stack.
const MAX_NEST: usize = crate::asm::cond::MAX_NEST;

fn describe(t: &Tok<'_>) -> String {
    match t.t {
        T::Eof => "end of file".to_string(),
        _ => show(t.p.s),
    }
}

impl<'a> P<'a, '_> {
    fn peek(&self) -> Tok<'a> {
        self.toks[self.i]
    }
    fn bump(&mut self) -> Tok<'a> {
        let t = self.toks[self.i];
        if t.t != T::Eof {
            self.i += 1;
        }
        t
    }
    fn is_word(&self, w: &str) -> bool {
        let t = self.peek();
        t.t == T::Word && t.p.s == w
    }

    fn loc(&mut self) -> PResult<(Loc, Piece<'a>)> {
        let t = self.bump();
        match t.t {
            T::LBrack => {
                let s = self.bump();
                if s.t != T::Word {
                    return perr(s.p.off, format!("expected a location name after `[`, found {}", describe(&s)));
                }
                if s.p.s.ends_with('(') || self.peek().t == T::LParen {
                    return perr(s.p.off, format!("unsupported location {} in the condition", show(s.p.s)));
                }
                let loc = if self.peek().t == T::LBrack {
                    self.bump();
                    let i = self.bump();
                    let r = self.bump();
                    if i.t != T::Word || r.t != T::RBrack {
                        return perr(i.p.off, format!("expected an index and `]` after `{}[`", s.p.s));
                    }
                    self.env.elem_loc(s.p, i.p)?
                } else {
                    self.env.mem_loc(s.p)?
                };
                let r = self.bump();
                if r.t != T::RBrack {
                    return perr(r.p.off, format!("expected `]`, found {}", describe(&r)));
                }
                Ok((loc, s.p))
            }
            T::Word if self.peek().t == T::LBrack => {
                self.bump();
                let i = self.bump();
                let r = self.bump();
                if i.t != T::Word || r.t != T::RBrack {
                    return perr(i.p.off, format!("expected an index and `]` after `{}[`", t.p.s));
                }
                Ok((self.env.elem_loc(t.p, i.p)?, t.p))
            }
            T::Word if self.peek().t == T::Colon => {
                self.bump();
                let r = self.bump();
                if r.t != T::Word {
                    return perr(r.p.off, format!("expected a register after `{}:`, found {}", t.p.s, describe(&r)));
                }
                Ok((self.env.reg_loc(t.p, r.p)?, r.p))
            }
            T::Word => Ok((self.env.mem_loc(t.p)?, t.p)),
            _ => perr(t.p.off, format!("expected a location, found {}", describe(&t))),
        }
    }

    /// An atom nested one level deeper (under a `(` or a negation at `off`).
    fn nested<T>(&mut self, off: usize, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.nest >= MAX_NEST {
            return perr(off, format!("condition nested too deeply (more than {MAX_NEST} levels of `(` and `~`)"));
        }
        self.nest += 1;
        let r = f(self);
        self.nest -= 1;
        r
    }

    fn atom(&mut self) -> PResult<CondExpr> {
        let t = self.peek();
        let next = self.toks.get(self.i + 1).map_or(T::Eof, |t| t.t);
        match t.t {
            T::Not => {
                self.bump();
                Ok(CondExpr::Not(Box::new(self.nested(t.p.off, Self::atom)?)))
            }
            // herd also spells negation `not`.
            T::Word if t.p.s == "not" && !matches!(next, T::Eq | T::Ne | T::Colon) => {
                self.bump();
                Ok(CondExpr::Not(Box::new(self.nested(t.p.off, Self::atom)?)))
            }
            T::Word if next == T::LParen => {
                perr(t.p.off, format!("unsupported {} in the condition", show(&format!("{}(...)", t.p.s))))
            }
            T::LParen => {
                self.bump();
                let e = self.nested(t.p.off, Self::disj)?;
                let r = self.peek();
                match r.t {
                    T::RParen => {
                        self.bump();
                        Ok(e)
                    }
                    T::Eof => perr(t.p.off, "unbalanced parentheses: this `(` is never closed"),
                    _ => perr(r.p.off, format!("expected `)`, `/\\` or `\\/`, found {}", describe(&r))),
                }
            }
            T::Word if t.p.s == "not" && self.toks[self.i + 1].t == T::LParen => {
                self.bump();
                Ok(CondExpr::Not(Box::new(self.nested(t.p.off, Self::atom)?)))
            }
            T::Word if t.p.s == "true" && self.toks[self.i + 1].t != T::Eq => {
                self.bump();
                Ok(CondExpr::True)
            }
            T::Word if t.p.s == "false" && self.toks[self.i + 1].t != T::Eq => {
                self.bump();
                Ok(CondExpr::False)
            }
            T::Word | T::LBrack => {
                let (l, name) = self.loc()?;
                let e = self.bump();
                if e.t != T::Eq && e.t != T::Ne {
                    return perr(e.p.off, format!("expected `=`, found {}", describe(&e)));
                }
                if self.peek().t == T::LBrace {
                    // `t={1,2}`: each element of array `t`.
                    let eqs = self.array_value(name)?;
                    let all = CondExpr::And(eqs);
                    return Ok(if e.t == T::Ne { CondExpr::Not(Box::new(all)) } else { all });
                }
                // `N:reg` or `[sym]` on the right: a comparison of two locations.
                let two_locs =
                    (self.peek().t == T::Word && self.toks[self.i + 1].t == T::Colon) || self.peek().t == T::LBrack;
                if two_locs {
                    let (r, _) = self.loc()?;
                    return Ok(CondExpr::EqLoc(l, r));
                }
                let v = self.bump();
                if v.t != T::Word {
                    return perr(v.p.off, format!("expected a value after `=`, found {}", describe(&v)));
                }
                let eq = CondExpr::Eq(l, self.env.value(v.p)?);
                Ok(if e.t == T::Ne { CondExpr::Not(Box::new(eq)) } else { eq })
            }
            _ => perr(t.p.off, format!("expected a condition, found {}", describe(&t))),
        }
    }

    /// `{v0, v1, ...}` after `sym=`: one equation per element.
    fn array_value(&mut self, sym: Piece<'a>) -> PResult<Vec<CondExpr>> {
        self.bump();
        let mut out = Vec::new();
        loop {
            let v = self.bump();
            if v.t != T::Word {
                return perr(v.p.off, format!("expected a value in `{{...}}`, found {}", describe(&v)));
            }
            let l = self.env.array_elem(sym, out.len())?;
            out.push(CondExpr::Eq(l, self.env.value(v.p)?));
            let t = self.bump();
            match t.t {
                T::Comma => {}
                T::RBrace => break,
                _ => return perr(t.p.off, format!("expected `,` or `}}`, found {}", describe(&t))),
            }
        }
        let n = out.len();
        // Every element: the value of the whole array.
        if self.env.array_elem(sym, n).is_ok() {
            return perr(sym.off, format!("{} has more than the {n} values given", show(sym.s)));
        }
        Ok(out)
    }

    fn conj(&mut self) -> PResult<CondExpr> {
        let mut v = vec![self.atom()?];
        while self.peek().t == T::And {
            self.bump();
            v.push(self.atom()?);
        }
        Ok(if v.len() == 1 { v.pop().unwrap_or(CondExpr::True) } else { CondExpr::And(v) })
    }

    fn disj(&mut self) -> PResult<CondExpr> {
        let mut v = vec![self.conj()?];
        while self.peek().t == T::Or {
            self.bump();
            v.push(self.conj()?);
        }
        Ok(if v.len() == 1 { v.pop().unwrap_or(CondExpr::False) } else { CondExpr::Or(v) })
    }

    fn locations(&mut self) -> PResult<Vec<Loc>> {
        let kw = self.bump();
        let l = self.bump();
        if l.t != T::LBrack {
            return perr(l.p.off, format!("expected `[` after `locations`, found {}", describe(&l)));
        }
        let mut out = Vec::new();
        loop {
            let t = self.peek();
            match t.t {
                T::RBrack => {
                    self.bump();
                    return Ok(out);
                }
                T::Eof => return perr(kw.p.off, "unterminated `locations [` (missing `]`)"),
                _ => {
                    let (loc, _) = self.loc()?;
                    if !out.contains(&loc) {
                        out.push(loc);
                    }
                    let s = self.peek();
                    match s.t {
                        T::Semi => {
                            self.bump();
                        }
                        T::RBrack => {}
                        _ => return perr(s.p.off, format!("expected `;` or `]`, found {}", describe(&s))),
                    }
                }
            }
        }
    }

    fn condition(&mut self, allow_filter: bool) -> PResult<(Condition, Option<CondExpr>)> {
        let locations = if self.is_word("locations") { self.locations()? } else { Vec::new() };
        let filter = if allow_filter && self.is_word("filter") {
            self.bump();
            Some(self.disj()?)
        } else {
            None
        };
        let t = self.peek();
        let quant = match t.t {
            T::Word if t.p.s == "exists" => Quantifier::Exists,
            T::Word if t.p.s == "forall" => Quantifier::Forall,
            T::Not if self.toks[self.i + 1].t == T::Word && self.toks[self.i + 1].p.s == "exists" => {
                self.bump();
                Quantifier::NotExists
            }
            // No condition: herd's is `forall (true)`.
            T::Eof => {
                return Ok((
                    Condition { quant: Quantifier::Forall, expr: CondExpr::True, locations, types: Vec::new() },
                    filter,
                ))
            }
            T::Word if t.p.s == "filter" || t.p.s == "cases" => {
                return perr(t.p.off, format!("unsupported `{}` clause", t.p.s))
            }
            _ => return perr(t.p.off, format!("expected `exists`, `~exists` or `forall`, found {}", describe(&t))),
        };
        self.bump();
        let expr = self.disj()?;
        if self.peek().t == T::Semi {
            // herd tolerates a `;` after the condition.
            self.bump();
        }
        let t = self.peek();
        match t.t {
            T::Eof => Ok((Condition { quant, expr, locations, types: Vec::new() }, filter)),
            T::RParen => perr(t.p.off, "unbalanced parentheses: unexpected `)`"),
            _ => perr(t.p.off, format!("unexpected {} after the condition", describe(&t))),
        }
    }
}

/// Parses the `locations` clause (if any) and the final condition, up to the
/// end of `src`.
pub(crate) fn parse_condition(src: Piece<'_>, env: &mut dyn CondEnv) -> PResult<Condition> {
    let toks = tokenize(src)?;
    P { toks, i: 0, env, nest: 0 }.condition(false).map(|(c, _)| c)
}

/// Like [`parse_condition`], also accepting herd's `filter PROP` before the
/// quantifier (C tests).
pub(crate) fn parse_condition_filter(src: Piece<'_>, env: &mut dyn CondEnv) -> PResult<(Condition, Option<CondExpr>)> {
    let toks = tokenize(src)?;
    P { toks, i: 0, env, nest: 0 }.condition(true)
}
