//! The initial state `{ ... }` of a litmus test: typed declarations, arrays and
//! their initialisers, register and memory values.
//!
//! ```text
//! { 0:X1=x; int64_t 0:X2; int 0: X3 = 5;     registers (a type only names how herd prints them)
//!   uint8_t y = 1; int x[2] = {1,2};          memory cells and arrays
//!   int *p = &x; [z]=3; }
//! ```
//!
//! A declared type fixes the width of a memory cell ([`crate::Symbol::width`]);
//! array elements are cells of their own (`x[0]`, `x[1]`) laid out
//! contiguously, as herd lays them out (`x+4` is `x[1]` of an `int` array).

use super::text::{is_ident, perr, show, PResult, Piece};
use crate::instr::{Width, ADDR_BASE};

/// Integer types accepted in typed declarations, with their width.
const TYPES: &[(&str, Width)] = &[
    ("char", Width::W8),
    ("int8_t", Width::W8),
    ("uint8_t", Width::W8),
    ("short", Width::W16),
    ("int16_t", Width::W16),
    ("uint16_t", Width::W16),
    ("int", Width::W32),
    ("unsigned", Width::W32),
    ("signed", Width::W32),
    ("int32_t", Width::W32),
    ("uint32_t", Width::W32),
    ("atomic_int", Width::W32),
    ("long", Width::W64),
    ("int64_t", Width::W64),
    ("uint64_t", Width::W64),
    ("intptr_t", Width::W64),
    ("uintptr_t", Width::W64),
];

/// The width of a cell of type `t`.
pub(crate) fn type_width(t: &str) -> Option<Width> {
    TYPES.iter().find(|(n, _)| *n == t).map(|(_, w)| *w)
}

/// A declared type: its spelling and the width of a cell of that type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ty<'a> {
    pub name: Piece<'a>,
    pub width: Width,
    /// `T *p`: a pointer (8 bytes).
    pub pointer: bool,
}

pub(crate) enum InitLhs<'a> {
    Reg {
        thread: Piece<'a>,
        reg: Piece<'a>,
    },
    Mem(Piece<'a>),
    /// `T x[N]`
    Array {
        name: Piece<'a>,
        len: usize,
    },
}

pub(crate) enum InitVal<'a> {
    One(Piece<'a>),
    /// `{a, b, ...}`
    Vector(Piece<'a>, Vec<Piece<'a>>),
}

pub(crate) struct InitItem<'a> {
    pub ty: Option<Ty<'a>>,
    pub lhs: InitLhs<'a>,
    pub value: Option<InitVal<'a>>,
}

/// The byte offset of the `}` closing the `{` at `open`, skipping nested braces.
pub(crate) fn closing_brace(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the body of the initial state at the `;` outside braces.
pub(crate) fn items(body: Piece<'_>) -> PResult<Vec<InitItem<'_>>> {
    let mut out = Vec::new();
    let (mut start, mut depth) = (0, 0i32);
    let mut pieces = Vec::new();
    for (i, c) in body.s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => {
                pieces.push(body.slice(start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(body.slice(start, body.s.len()));
    for p in pieces {
        let p = p.trim();
        super::vmsa(p)?;
        if !p.is_empty() {
            out.push(item(p)?);
        }
    }
    Ok(out)
}

fn is_thread(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn item(item: Piece<'_>) -> PResult<InitItem<'_>> {
    let (lhs, value) = match item.split_once('=') {
        Some((l, v)) => {
            let v = v.trim();
            if v.is_empty() {
                return perr(v.off, format!("missing value after {}", show(&format!("{}=", l.s.trim()))));
            }
            (l.trim(), Some(value(v)?))
        }
        None => (item, None),
    };
    // `0:X1`, `0: X1`, `0 : X1` without a type.
    if let Some((thread, reg)) = lhs.split_once(':') {
        let (thread, reg) = (thread.trim(), reg.trim());
        if is_thread(thread.s) {
            if reg.is_empty() || reg.words().len() > 1 {
                return perr(lhs.off, format!("bad location {}", show(lhs.s)));
            }
            return Ok(InitItem { ty: None, lhs: InitLhs::Reg { thread, reg }, value });
        }
    }
    // A type, then the location: `int64_t 0:X1`, `int64_t 0: X1`, `int *p`, `int x[2]`.
    let words = lhs.words();
    let Some(first) = words.first() else {
        return perr(lhs.off, "missing location before `=`");
    };
    let mut ty: Option<Ty<'_>> = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        match TYPES.iter().find(|(n, _)| *n == w.s) {
            Some(&(_, width)) => {
                // `unsigned int`, `long long`: the last word decides.
                ty = Some(Ty { name: w, width, pointer: false });
                i += 1;
            }
            None => break,
        }
    }
    let rest: Vec<Piece<'_>> = words[i..].to_vec();
    if rest.is_empty() {
        return perr(first.off, format!("missing location after the type {}", show(lhs.s)));
    }
    if ty.is_none() && rest.len() > 1 && !rest[0].s.starts_with('*') && !rest[0].s.ends_with(':') {
        return perr(rest[0].off, format!("unsupported type {}", show(rest[0].s)));
    }
    // The location: the rest of the words, re-joined (`0: X1`, `* p`).
    let loc = Piece::new(&item.s[rest[0].off - item.off..rest[rest.len() - 1].end() - item.off], rest[0].off);
    let mut name = loc;
    if let Some(r) = name.s.strip_prefix('*') {
        let Some(t) = ty.as_mut() else {
            return perr(name.off, format!("bad location {}", show(loc.s)));
        };
        t.pointer = true;
        t.width = Width::W64;
        name = name.slice(name.s.len() - r.len(), name.s.len()).trim();
    }
    if let Some((thread, reg)) = name.split_once(':') {
        let (thread, reg) = (thread.trim(), reg.trim());
        if !is_thread(thread.s) || reg.is_empty() || reg.words().len() > 1 {
            return perr(name.off, format!("bad location {}", show(name.s)));
        }
        return Ok(InitItem { ty, lhs: InitLhs::Reg { thread, reg }, value });
    }
    if name.words().len() > 1 {
        return perr(name.off, format!("unsupported type {}", show(name.words()[0].s)));
    }
    // `x[2]`: an array of 2 cells.
    if let (Some(open @ 1..), true) = (name.s.find('['), name.s.ends_with(']')) {
        let base = name.slice(0, open);
        let len = name.slice(open + 1, name.s.len() - 1).trim();
        if !is_ident(base.s) {
            return perr(name.off, format!("bad location {}", show(name.s)));
        }
        let Ok(n) = len.s.parse::<usize>() else {
            return perr(len.off, format!("bad array size {}", show(len.s)));
        };
        if n == 0 || n > 256 {
            return perr(len.off, format!("unsupported array size {n} (1 to 256)"));
        }
        if ty.is_none() {
            return perr(name.off, format!("array {} needs a type", show(name.s)));
        }
        return Ok(InitItem { ty, lhs: InitLhs::Array { name: base, len: n }, value });
    }
    let name = match name.s.strip_prefix('[') {
        Some(r) => match r.strip_suffix(']') {
            Some(_) => name.slice(1, name.s.len() - 1).trim(),
            None => return perr(name.off, format!("bad location {}", show(name.s))),
        },
        None => name,
    };
    if name.s.starts_with('%') && is_ident(&name.s[1..]) {
        return perr(name.off, format!("unsupported symbolic register {} (herd7's `%name` registers)", show(name.s)));
    }
    if !is_ident(name.s) {
        return perr(name.off, format!("bad location {}", show(name.s)));
    }
    Ok(InitItem { ty, lhs: InitLhs::Mem(name), value })
}

fn value(v: Piece<'_>) -> PResult<InitVal<'_>> {
    if v.s.starts_with('{') {
        if !v.s.ends_with('}') {
            return perr(v.off, format!("bad array initialiser {}", show(v.s)));
        }
        let inner = v.slice(1, v.s.len() - 1);
        let elems: Vec<Piece<'_>> = inner.split(',').into_iter().map(|e| e.trim()).collect();
        if elems.iter().any(|e| e.is_empty()) {
            return perr(v.off, format!("bad array initialiser {}", show(v.s)));
        }
        return Ok(InitVal::Vector(v, elems));
    }
    if v.s.starts_with("instr:") {
        return perr(
            v.off,
            format!(
                "unsupported instruction as a value {} (code that reads or writes instructions is not modelled)",
                show(v.s)
            ),
        );
    }
    let w = v.words();
    if w.len() > 1 {
        return perr(w[1].off, format!("missing `;` before {}", show(w[1].s)));
    }
    Ok(InitVal::One(v))
}

/// Places the cells: each at the next multiple of its width, the elements of an
/// array one after the other. Returns `None` when every cell is a 64-bit word
/// (then the default places serve).
pub(crate) fn layout(widths: &[Width]) -> Option<Vec<u64>> {
    if widths.iter().all(|w| w.is_w64()) {
        return None;
    }
    let mut at = ADDR_BASE;
    let mut out = Vec::with_capacity(widths.len());
    for w in widths {
        let b = w.bytes();
        at = at.div_ceil(b) * b;
        out.push(at);
        at += b;
    }
    Some(out)
}
