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
