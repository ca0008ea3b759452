//! Text helpers for the litmus parser: byte-offset errors, pieces of the source
//! that remember where they start, and OCaml-style comment removal.

/// A parse error at a byte offset of the source (turned into line:col later).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PErr {
    pub off: usize,
    pub msg: String,
}

pub(crate) type PResult<T> = Result<T, PErr>;

pub(crate) fn perr<T>(off: usize, msg: impl Into<String>) -> PResult<T> {
    Err(PErr { off, msg: msg.into() })
}

/// A slice of the source together with its byte offset in the whole text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece<'a> {
    pub s: &'a str,
    pub off: usize,
}

impl<'a> Piece<'a> {
    pub fn new(s: &'a str, off: usize) -> Piece<'a> {
        Piece { s, off }
    }

    pub fn end(self) -> usize {
        self.off + self.s.len()
    }

    pub fn is_empty(self) -> bool {
        self.s.is_empty()
    }

    /// The sub-piece at byte range `a..b` of this piece.
    pub fn slice(self, a: usize, b: usize) -> Piece<'a> {
        Piece { s: &self.s[a..b], off: self.off + a }
    }

    pub fn trim(self) -> Piece<'a> {
        let t = self.s.trim_start();
        let off = self.off + (self.s.len() - t.len());
        Piece { s: t.trim_end(), off }
    }

    /// Splits at every `c` (the separators are dropped).
    pub fn split(self, c: char) -> Vec<Piece<'a>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, ch) in self.s.char_indices() {
            if ch == c {
                out.push(self.slice(start, i));
                start = i + ch.len_utf8();
            }
        }
        out.push(self.slice(start, self.s.len()));
        out
    }

    /// Splits at the commas that are outside brackets and parentheses.
    pub fn split_top_commas(self) -> Vec<Piece<'a>> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut depth = 0i32;
        for (i, ch) in self.s.char_indices() {
            match ch {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(self.slice(start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(self.slice(start, self.s.len()));
        out
    }

    /// Whitespace-separated words.
    pub fn words(self) -> Vec<Piece<'a>> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        for (i, ch) in self.s.char_indices() {
            if ch.is_whitespace() {
                if let Some(s) = start.take() {
                    out.push(self.slice(s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push(self.slice(s, self.s.len()));
        }
        out
    }

    /// Splits at the first `c`.
    pub fn split_once(self, c: char) -> Option<(Piece<'a>, Piece<'a>)> {
        let i = self.s.find(c)?;
        Some((self.slice(0, i), self.slice(i + c.len_utf8(), self.s.len())))
    }

    /// The first whitespace-separated word and the (trimmed) rest.
    pub fn first_word(self) -> (Piece<'a>, Piece<'a>) {
        let t = self.trim();
        match t.s.find(char::is_whitespace) {
            Some(i) => (t.slice(0, i), t.slice(i, t.s.len()).trim()),
            None => (t, t.slice(t.s.len(), t.s.len())),
        }
    }
}

/// The source lines (without their line terminators), as pieces.
pub(crate) fn lines(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut off = 0;
    for l in text.split('\n') {
        let body = l.strip_suffix('\r').unwrap_or(l);
        out.push(Piece::new(body, off));
        off += l.len() + 1;
    }
    out
}

/// 1-based line and column (in characters) of byte offset `off` of `src`.
pub(crate) fn line_col(src: &str, off: usize) -> (usize, usize) {
    let mut off = off.min(src.len());
    while !src.is_char_boundary(off) {
        off -= 1;
    }
    let before = &src[..off];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = src[start..off].chars().count() + 1;
    (line, col)
}

/// Replaces OCaml-style comments `(* ... *)` (nested) by spaces, keeping line
/// breaks, so that byte offsets stay those of the original text. Double-quoted
/// strings are copied as they are (a `(*` inside one does not open a comment).
pub(crate) fn strip_comments(src: &str) -> PResult<String> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut depth = 0usize;
    let mut open_at = 0usize;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if depth > 0 {
            if c == b'(' && next == Some(b'*') {
                depth += 1;
                out.extend_from_slice(b"  ");
                i += 2;
            } else if c == b'*' && next == Some(b')') {
                depth -= 1;
                out.extend_from_slice(b"  ");
                i += 2;
            } else {
                out.push(if c == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
        } else if in_str {
            if c == b'"' {
                in_str = false;
            }
            out.push(c);
            i += 1;
        } else if c == b'"' {
            in_str = true;
            out.push(c);
            i += 1;
        } else if c == b'(' && next == Some(b'*') {
            depth = 1;
            open_at = i;
            out.extend_from_slice(b"  ");
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    if depth > 0 {
        return perr(open_at, "unterminated comment `(*`");
    }
    // Only whole characters were replaced (every byte of a multi-byte
    // character inside a comment became a space), so this cannot fail.
    String::from_utf8(out).map_err(|_| PErr { off: 0, msg: "invalid UTF-8".into() })
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub(crate) fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Label names: identifiers, also allowing `.` after the first character.
pub(crate) fn is_label(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '.')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// A number: decimal, `0x` hexadecimal, optionally negative (two's complement).
pub(crate) fn parse_num(s: &str) -> Option<u64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(h, 16).ok()?
    } else {
        if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        body.parse::<u64>().ok()?
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Shows a piece of source in a message, shortened if long.
pub(crate) fn show(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        let t: String = s.chars().take(37).collect();
        format!("`{t}...`")
    } else {
        format!("`{s}`")
    }
}
