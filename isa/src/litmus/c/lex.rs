//! Tokens of the kernel's C litmus dialect (the code, the initial state and the
//! parameter lists; the final condition has its own tokenizer in `litmus::cond`).
//!
//! As in herd7's C lexer, a number may carry a leading `-` (`-1`), and `/* */`
//! and `//` are comments. OCaml-style `(* *)` comments are removed from the
//! whole file before lexing, except inside thread bodies, where `(*p)` is code.

use crate::litmus::text::{perr, PResult};

/// One token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub t: T,
    pub off: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum T {
    Ident(String),
    /// A number as written (two's complement when negative).
    Num(u64),
    /// Punctuation: `( ) { } [ ] ; , * & + - / ^ | = == != < > <= >= ~ ! : .`
    /// and the two-character `&&`, `||`, `<<`, `>>`, `->`, `%`.
    P(&'static str),
    Eof,
}

impl T {
    pub fn is(&self, p: &str) -> bool {
        matches!(self, T::P(q) if *q == p)
    }
}

/// Describes a token for an error message.
pub(crate) fn describe(t: &T) -> String {
    match t {
        T::Ident(s) => format!("`{s}`"),
        T::Num(n) => format!("`{}`", *n as i64),
        T::P(p) => format!("`{p}`"),
        T::Eof => "end of file".to_string(),
    }
}

const PUNCT2: [&str; 10] = ["==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "->", "/\\"];
const PUNCT1: [&str; 24] = [
    "(", ")", "{", "}", "[", "]", ";", ",", "*", "&", "+", "-", "/", "^", "|", "=", "<", ">", "~", "!", ":", ".", "%",
    "?",
];

/// Tokenizes `src[start..end]`; offsets are those of the whole `src`.
pub(crate) fn lex(src: &str, start: usize, end: usize) -> PResult<Vec<Tok>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match src[i + 2..end].find("*/") {
                Some(k) => i = i + 2 + k + 2,
                None => return perr(i, "unterminated comment `/*`"),
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = src[i..end].find('\n').map(|k| i + k).unwrap_or(end);
            continue;
        }
        let at = i;
        let digit_follows = b.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_digit() || (c == b'-' && digit_follows && !ends_operand(&out)) {
            let neg = c == b'-';
            let s = if neg { i + 1 } else { i };
            let mut j = s;
            let hex = b.get(s) == Some(&b'0') && matches!(b.get(s + 1), Some(b'x' | b'X'));
            if hex {
                j += 2;
            }
            while j < end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let body = &src[s..j];
            let v = if hex {
                u64::from_str_radix(&body[2..], 16).ok()
            } else {
                body.trim_end_matches(['u', 'U', 'l', 'L']).parse::<u64>().ok()
            };
            let Some(v) = v else {
                return perr(at, format!("bad number `{}`", &src[at..j]));
            };
            out.push(Tok { t: T::Num(if neg { v.wrapping_neg() } else { v }), off: at });
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i + 1;
            while j < end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            out.push(Tok { t: T::Ident(src[i..j].to_string()), off: at });
            i = j;
            continue;
        }
        if let Some(p) = PUNCT2.iter().find(|p| src[i..end].starts_with(**p)) {
            out.push(Tok { t: T::P(p), off: at });
            i += 2;
            continue;
        }
        if let Some(p) = PUNCT1.iter().find(|p| p.as_bytes()[0] == c) {
            out.push(Tok { t: T::P(p), off: at });
            i += 1;
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return perr(at, format!("unexpected character `{ch}`"));
    }
    out.push(Tok { t: T::Eof, off: end });
    Ok(out)
}

/// Whether the last token ends an operand, so that a following `-` is a binary minus.
fn ends_operand(out: &[Tok]) -> bool {
    matches!(out.last(), Some(Tok { t: T::Ident(_) | T::Num(_) | T::P(")") | T::P("]"), .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<T> {
        lex(s, 0, s.len()).unwrap().into_iter().map(|t| t.t).collect()
    }

    #[test]
    fn numbers_operators_comments() {
        assert_eq!(
            kinds("r1 = x-1; /* c */ y == -2 // d\n"),
            vec![
                T::Ident("r1".into()),
                T::P("="),
                T::Ident("x".into()),
                T::P("-"),
                T::Num(1),
                T::P(";"),
                T::Ident("y".into()),
                T::P("=="),
                T::Num(2u64.wrapping_neg()),
                T::Eof
            ]
        );
        assert!(lex("a /* b", 0, 6).is_err());
        assert!(lex("a @", 0, 3).is_err());
    }
}
