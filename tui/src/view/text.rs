//! Text helpers: word wrapping by display width.

use ratatui::text::Line;

fn width(s: &str) -> usize {
    Line::raw(s).width()
}

/// Splits `s` into lines of at most `w` columns, at spaces where possible;
/// leading spaces indent every line.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    if w == 0 {
        return Vec::new();
    }
    let body = s.trim_start_matches(' ');
    let indent = s.len() - body.len();
    if indent > 0 && indent < w {
        let pad = " ".repeat(indent);
        return wrap_plain(body, w - indent).into_iter().map(|l| format!("{pad}{l}")).collect();
    }
    wrap_plain(body, w)
}

fn wrap_plain(s: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let sep = usize::from(!cur.is_empty());
        if width(&cur) + sep + width(word) <= w {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(word);
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        // A word longer than the line: cut it.
        let mut piece = String::new();
        for ch in word.chars() {
            if width(&piece) + width(ch.encode_utf8(&mut [0; 4])) > w {
                out.push(std::mem::take(&mut piece));
            }
            piece.push(ch);
        }
        cur = piece;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Flows `chips` (each a run of spans) into lines of at most `w` columns,
/// `sep` between chips on a line; a chip wider than the line gets a line of its own (cut).
pub fn flow(chips: Vec<Vec<ratatui::text::Span<'static>>>, sep: &str, w: usize) -> Vec<Line<'static>> {
    use ratatui::text::Span;
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let sep_w = width(sep);
    for chip in chips {
        let cw: usize = chip.iter().map(|s| s.width()).sum();
        if !cur.is_empty() && used + sep_w + cw > w {
            out.push(Line::from(std::mem::take(&mut cur)));
            used = 0;
        }
        if !cur.is_empty() {
            cur.push(Span::styled(sep.to_string(), super::DIM));
            used += sep_w;
        }
        used += cw;
        cur.extend(chip);
    }
    if !cur.is_empty() {
        out.push(Line::from(cur));
    }
    out
}

/// `s` cut to `w` columns, with "…" when it was longer.
pub fn cut(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        if width(&out) + width(ch.encode_utf8(&mut [0; 4])) + 1 > w {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    fn check(s: &str, w: usize, expect: &[&str]) {
        assert_eq!(wrap(s, w), expect, "wrap({s:?}, {w})");
    }

    #[test]
    fn wraps() {
        check("a bb ccc", 4, &["a bb", "ccc"]);
        check("abcdefgh", 3, &["abc", "def", "gh"]);
        check("", 5, &[""]);
        check("x", 0, &[]);
        check("core 1 → ∅", 8, &["core 1 →", "∅"]);
        check("  ab cd", 5, &["  ab", "  cd"]);
    }
}
