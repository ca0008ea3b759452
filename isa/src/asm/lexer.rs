//! Tokens of the `.ucode` format (also used for herd-style conditions).
//!
//! The lexer never fails: a malformed piece of text becomes a [`Tok::Error`]
//! token (and the rest of its line is skipped), which the parser reports when
//! it reaches it. That keeps errors in source order.

use super::error::AsmError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    /// `[A-Za-z_.][A-Za-z0-9_.]*`
    Ident(&'a str),
    /// A decimal or `0x` hexadecimal number that fits in 64 bits.
    Num(u64),
    /// A `"quoted string"`, escapes resolved.
    Str(String),
    Comma,
    Colon,
    Eq,
    /// `!=` (in conditions: the negation of `=`).
    Ne,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Plus,
    Minus,
    Amp,
    Tilde,
    /// `/\`
    And,
    /// `\/`
    Or,
    /// `;` inside square brackets (herd's `locations [x; y]`).
    Semi,
    /// End of a line (positioned just after the line's last token).
    Newline,
    Eof,
    /// Malformed text; the message is reported when the parser reaches it.
    Error(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    /// 1-based line and column (columns count characters).
    pub line: usize,
    pub col: usize,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
}

/// Splits `src` into tokens. The result always ends with [`Tok::Eof`].
/// How an invisible character is described (a lexical error that names one
/// is reported before any other error: it explains what looks like nonsense).
pub(crate) const INVISIBLE: &str = "an invisible character, or one that looks like a space: delete or retype it";

/// Characters that show as nothing or as a plain space: zero-width spaces and
/// joiners, direction marks, a byte-order mark inside the text, no-break spaces.
pub(crate) fn invisible(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{00AD}' | '\u{180E}' | '\u{2000}'..='\u{200F}' | '\u{2028}'..='\u{202F}'
        | '\u{205F}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{3000}' | '\u{FEFF}')
}

pub(crate) fn lex(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut chars = src.char_indices().peekable();
    let mut col = 1usize;
    // Column just after the last token of the current line (for Newline/Eof).
    let mut eol_col = 1usize;
    let mut bracket_depth = 0usize;
    let mut skip_line = false;

    while let Some(&(start, c)) = chars.peek() {
        if c == '\n' {
            chars.next();
            out.push(Token { tok: Tok::Newline, line, col: eol_col, start, end: start + 1 });
            line += 1;
            col = 1;
            eol_col = 1;
            bracket_depth = 0;
            skip_line = false;
            continue;
        }
        if skip_line || c.is_whitespace() {
            chars.next();
            col += 1;
            continue;
        }
        if c == '#' || (c == ';' && bracket_depth == 0) {
            skip_line = true;
            continue;
        }
        let tok_col = col;
        // Consumes one char and returns the token for single-char punctuation.
        let single = match c {
            ',' => Some(Tok::Comma),
            ':' => Some(Tok::Colon),
            '=' => Some(Tok::Eq),
            '[' => {
                bracket_depth += 1;
                Some(Tok::LBracket)
            }
            ']' => {
                bracket_depth = bracket_depth.saturating_sub(1);
                Some(Tok::RBracket)
            }
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '&' => Some(Tok::Amp),
            '~' => Some(Tok::Tilde),
            ';' => Some(Tok::Semi),
            _ => None,
        };
        let (tok, end, ncols) = if let Some(t) = single {
            chars.next();
            (t, start + 1, 1)
        } else if c == '!' {
            chars.next();
            match chars.peek() {
                Some(&(_, '=')) => {
                    chars.next();
                    (Tok::Ne, start + 2, 2)
                }
                _ => (Tok::Error("unexpected character '!' (did you mean '!=' or '~'?)".into()), start + 1, 1),
            }
        } else if c == '/' || c == '\\' {
            chars.next();
            let want = if c == '/' { '\\' } else { '/' };
            match chars.peek() {
                Some(&(_, d)) if d == want => {
                    chars.next();
                    (if c == '/' { Tok::And } else { Tok::Or }, start + 2, 2)
                }
                _ => (Tok::Error(format!("unexpected character '{c}' (did you mean '/\\' or '\\/'?)")), start + 1, 1),
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == '.' {
            let end = take_while(&mut chars, src.len(), |d| d.is_ascii_alphanumeric() || d == '_' || d == '.');
            (Tok::Ident(&src[start..end]), end, end - start)
        } else if c.is_ascii_digit() {
            let end = take_while(&mut chars, src.len(), |d| d.is_ascii_alphanumeric() || d == '_');
            (number(&src[start..end]), end, end - start)
        } else if c == '"' {
            chars.next();
            let (tok, end, n) = string(src, &mut chars);
            (tok, end, n + 1)
        } else {
            chars.next();
            let shown = if invisible(c) {
                format!("U+{:04X} ({INVISIBLE})", c as u32)
            } else if c.is_control() {
                format!("{c:?}")
            } else {
                format!("'{c}'")
            };
            (Tok::Error(format!("unexpected character {shown}")), start + c.len_utf8(), 1)
        };
        col += ncols;
        eol_col = col;
        if matches!(tok, Tok::Error(_)) {
            skip_line = true;
        }
        out.push(Token { tok, line, col: tok_col, start, end });
    }
    out.push(Token { tok: Tok::Eof, line, col: eol_col, start: src.len(), end: src.len() });
    out
}

fn take_while(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    len: usize,
    f: impl Fn(char) -> bool,
) -> usize {
    while let Some(&(i, d)) = chars.peek() {
        if !f(d) {
            return i;
        }
        chars.next();
    }
    len
}

/// Interprets a run of `[0-9A-Za-z_]` starting with a digit.
fn number(text: &str) -> Tok<'_> {
    let (digits, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (text, 10),
    };
    if digits.is_empty() || !digits.chars().all(|d| d.is_digit(radix)) {
        return Tok::Error(format!("invalid number '{text}'"));
    }
    match u64::from_str_radix(digits, radix) {
        Ok(n) => Tok::Num(n),
        Err(_) => Tok::Error(format!("number too large: '{text}' does not fit in 64 bits")),
    }
}

/// Lexes a string after its opening quote; returns the token, the end byte
/// offset and the number of characters consumed.
fn string<'a>(src: &'a str, chars: &mut std::iter::Peekable<std::str::CharIndices<'a>>) -> (Tok<'a>, usize, usize) {
    let mut s = String::new();
    let mut n = 0;
    loop {
        let Some(&(i, c)) = chars.peek() else {
            return (Tok::Error("unterminated string".into()), src.len(), n);
        };
        if c == '\n' {
            return (Tok::Error("unterminated string".into()), i, n);
        }
        chars.next();
        n += 1;
        match c {
            '"' => return (Tok::Str(s), i + 1, n),
            '\\' => {
                let Some((j, e)) = chars.next() else {
                    return (Tok::Error("unterminated string".into()), src.len(), n);
                };
                n += 1;
                match e {
                    '\\' => s.push('\\'),
                    '"' => s.push('"'),
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    '0' => s.push('\0'),
                    'u' => {
                        // \u{HEX}
                        let rest = &src[j + 1..];
                        let close = rest.find('}').filter(|_| rest.starts_with('{'));
                        let ch = close.and_then(|k| u32::from_str_radix(&rest[1..k], 16).ok()).and_then(char::from_u32);
                        match (close, ch) {
                            (Some(k), Some(ch)) => {
                                s.push(ch);
                                for _ in 0..=k {
                                    chars.next();
                                    n += 1;
                                }
                            }
                            _ => return (Tok::Error("invalid \\u{...} escape in string".into()), j + 1, n),
                        }
                    }
                    '\n' => return (Tok::Error("unterminated string".into()), j, n),
                    other => return (Tok::Error(format!("invalid escape '\\{other}' in string")), j + 1, n),
                }
            }
            _ => s.push(c),
        }
    }
}

/// A short description of a token for error messages.
pub(crate) fn describe(src: &str, t: &Token<'_>) -> String {
    match &t.tok {
        Tok::Newline => "end of line".into(),
        Tok::Eof => "end of file".into(),
        Tok::Str(_) => "a string".into(),
        _ => match src.get(t.start..t.end) {
            Some(s) => format!("'{s}'"),
            None => "?".into(),
        },
    }
}

/// Cursor over a token list, shared by the program parser and the condition parser.
pub(crate) struct Cursor<'a> {
    pub src: &'a str,
    pub file: &'a str,
    pub toks: Vec<Token<'a>>,
    pub pos: usize,
    /// Added to every reported line number minus one (for embedded text).
    pub first_line: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, file: &'a str, first_line: usize) -> Cursor<'a> {
        Cursor { src, file, toks: lex(src), pos: 0, first_line }
    }

    pub fn peek(&self) -> &Token<'a> {
        let i = self.pos.min(self.toks.len() - 1);
        &self.toks[i]
    }

    pub fn peek_at(&self, k: usize) -> &Token<'a> {
        let i = (self.pos + k).min(self.toks.len() - 1);
        &self.toks[i]
    }

    pub fn next(&mut self) -> Token<'a> {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// Consumes the next token if it is `t`.
    pub fn eat(&mut self, t: &Tok<'_>) -> bool {
        if &self.peek().tok == t {
            self.next();
            true
        } else {
            false
        }
    }

    pub fn at_eol(&self) -> bool {
        matches!(self.peek().tok, Tok::Newline | Tok::Eof)
    }

    pub fn err_at(&self, line: usize, col: usize, msg: impl Into<String>) -> AsmError {
        AsmError { file: self.file.to_string(), line: line + self.first_line - 1, col, msg: msg.into() }
    }

    pub fn err_tok(&self, t: &Token<'_>, msg: impl Into<String>) -> AsmError {
        self.err_at(t.line, t.col, msg)
    }

    /// An error at the current token: its own message if it is a lexical
    /// error, else `expected WHAT, found TOKEN`.
    pub fn expected(&self, what: &str) -> AsmError {
        let t = self.peek();
        match &t.tok {
            Tok::Error(m) => self.err_tok(t, m.clone()),
            _ => self.err_tok(t, format!("expected {what}, found {}", describe(self.src, t))),
        }
    }

    /// An error at the current token with a fixed message (unless it is a lexical error).
    pub fn error_here(&self, msg: impl Into<String>) -> AsmError {
        let t = self.peek();
        match &t.tok {
            Tok::Error(m) => self.err_tok(t, m.clone()),
            _ => self.err_tok(t, msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok<'_>> {
        lex(s).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn basic_tokens() {
        assert_eq!(
            toks("load.acq r1, [x+0x10] ; c\n"),
            vec![
                Tok::Ident("load.acq"),
                Tok::Ident("r1"),
                Tok::Comma,
                Tok::LBracket,
                Tok::Ident("x"),
                Tok::Plus,
                Tok::Num(16),
                Tok::RBracket,
                Tok::Newline,
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("locations [0:r1; x] # c"),
            vec![
                Tok::Ident("locations"),
                Tok::LBracket,
                Tok::Num(0),
                Tok::Colon,
                Tok::Ident("r1"),
                Tok::Semi,
                Tok::Ident("x"),
                Tok::RBracket,
                Tok::Eof
            ]
        );
        assert_eq!(toks("/\\ \\/ ~"), vec![Tok::And, Tok::Or, Tok::Tilde, Tok::Eof]);
        assert_eq!(toks("\"a\\\"b\\u{e9}\""), vec![Tok::Str("a\"bé".into()), Tok::Eof]);
    }

    #[test]
    fn positions() {
        let t = lex("  mov r1 ; x\nnop");
        assert_eq!((t[0].line, t[0].col), (1, 3));
        assert_eq!((t[1].line, t[1].col), (1, 7));
        assert_eq!((t[2].tok.clone(), t[2].line, t[2].col), (Tok::Newline, 1, 9));
        assert_eq!((t[3].line, t[3].col), (2, 1));
        assert_eq!((t[4].tok.clone(), t[4].col), (Tok::Eof, 4));
    }

    #[test]
    fn errors() {
        assert!(matches!(&toks("99999999999999999999")[0], Tok::Error(m) if m.starts_with("number too large")));
        assert!(matches!(&toks("12ab")[0], Tok::Error(m) if m == "invalid number '12ab'"));
        assert!(matches!(&toks("\"abc")[0], Tok::Error(m) if m == "unterminated string"));
        assert!(matches!(&toks("@")[0], Tok::Error(m) if m == "unexpected character '@'"));
        // An error skips the rest of its line only.
        assert_eq!(toks("@ x\ny").len(), 4);
    }
}
