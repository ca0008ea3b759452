//! What is drawn over the screen: the help (scrollable), full-screen pages
//! (the explanation), menus, the file-name prompt, the demo's quit question,
//! the search spinner; and the demo's caption panel.

use super::text::{cut, wrap};
use super::{small, tone_style, BAD, DIM, TITLE};
use crate::app::{App, MenuItem, MenuKind, Tone};
use crate::demo::Phase;
use crate::keys::{self, Mode};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

/// A rectangle of at most `w`×`h`, centred in `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

const PANES: &[(&str, &str)] = &[
    ("Core N", "the core's microcode; ▶ marks the instruction it executes next"),
    ("Registers · interrupts", "interrupts enabled / pending / in the handler; the registers (changes in yellow)"),
    ("Store buffer", "TSO: the core's stores not yet in memory, oldest first (ARM: its promised writes)"),
    ("irq_work queue", "the core's lock-free list, read from memory: head → work → ∅"),
    ("Memory", "every word; flags decoded (PENDING = 1, BUSY = 2); each data word with what func() last read; on ARM every write each word holds (t = its timestamp), and who wrote it at which step"),
    ("Enabled transitions", "what may happen next, numbered: press its digit (or ↑↓ Enter) to make it happen; greyed: what must wait, and why"),
    ("Event log", "what happened, step by step; register-only steps in grey"),
];

/// The help's lines, wrapped to `w` (every word of every line is on screen somewhere when scrolled).
pub fn help_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let mut modes = vec![Mode::Main];
    if app.demo().is_some() {
        modes.insert(0, Mode::Demo);
    }
    let key_w = 14.min(w / 3);
    let mut lines = vec![Line::styled("Keys", TITLE)];
    // A name too long for the key column gets a line of its own (nothing is cut).
    let entry = |lines: &mut Vec<Line<'static>>, k: String, what: &str| {
        let key = Style::new().fg(Color::LightYellow);
        let own_line = k.chars().count() >= key_w;
        if own_line {
            for l in wrap(&k, w.saturating_sub(2).max(1)) {
                lines.push(Line::styled(format!("  {l}"), key));
            }
        }
        let body = wrap(what, w.saturating_sub(key_w + 3).max(1));
        for (i, l) in body.into_iter().enumerate() {
            let head = if i == 0 && !own_line { format!("  {k:<key_w$} ") } else { " ".repeat(key_w + 3) };
            lines.push(Line::from(vec![Span::styled(head, key), Span::raw(l)]));
        }
    };
    for b in keys::help(&modes) {
        entry(&mut lines, keys::keys_text(b, &modes), b.help);
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Panes", TITLE));
    for (p, what) in PANES {
        entry(&mut lines, p.to_string(), what);
    }
    lines.push(Line::raw(""));
    for l in wrap(
        "Switching model (m) or variant (v) restarts on the same seed and replays the same choices. Esc closes \
         whatever is open and never quits.",
        w,
    ) {
        lines.push(Line::styled(l, DIM));
    }
    lines
}

/// The help, scrolled; returns the furthest it can scroll.
pub fn help(app: &App, scroll: usize, area: Rect, buf: &mut Buffer) -> usize {
    let r = centred(area, 110, area.height);
    let lines = help_lines(app, r.width.saturating_sub(2) as usize);
    scrolled(" Help — ↑↓ PgUp PgDn scroll · ? or Esc closes ", lines, scroll, r, buf)
}

/// A bordered, scrollable text box; the title says where you are when it
/// does not all fit. Returns the furthest it can scroll.
fn scrolled(title: &str, lines: Vec<Line<'static>>, scroll: usize, r: Rect, buf: &mut Buffer) -> usize {
    Clear.render(r, buf);
    let h = r.height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(h);
    let first = scroll.min(max);
    let title = if lines.len() > h {
        format!("{title}· lines {}-{} of {} ", first + 1, (first + h).min(lines.len()), lines.len())
    } else {
        title.to_string()
    };
    let shown: Vec<Line> = lines.into_iter().skip(first).take(h).collect();
    Paragraph::new(shown).block(Block::bordered().title(Span::styled(title, TITLE))).render(r, buf);
    max
}

/// A full-screen page of text, scrolled; returns the furthest it can scroll.
pub fn page(title: &str, lines: &[(String, Tone)], scroll: usize, area: Rect, buf: &mut Buffer) -> usize {
    let w = area.width.saturating_sub(2) as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    for (l, tone) in lines {
        let indent = l.len() - l.trim_start().len();
        for (i, piece) in wrap(l, w).into_iter().enumerate() {
            let piece = if i == 0 || indent > 0 { piece } else { format!("  {piece}") };
            out.push(Line::styled(piece, tone_style(*tone)));
        }
    }
    scrolled(&format!(" {title} — ↑↓ PgUp PgDn scroll · x or Esc closes "), out, scroll, area, buf)
}

pub fn menu(kind: &MenuKind, items: &[MenuItem], selected: usize, area: Rect, buf: &mut Buffer) {
    let title = match kind {
        MenuKind::Model => " Memory model — replays the same choices ",
        MenuKind::Variant => " irq_work variant — replays the same choices ",
    };
    let w = items.iter().map(|i| i.label.chars().count() + 6).max().unwrap_or(20).max(title.chars().count() + 2) as u16;
    let r = centred(area, w + 2, items.len() as u16 + 3);
    let inner_w = r.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let mark = if it.current { "●" } else { " " };
            let text = cut(&format!("{} {mark} {}", i + 1, it.label), inner_w);
            let st = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            Line::styled(text, st)
        })
        .collect();
    lines.push(Line::styled(cut("1-9 or ↑↓ Enter: choose · Esc: close", inner_w), DIM));
    Clear.render(r, buf);
    Paragraph::new(lines).block(Block::bordered().title(Span::styled(title, TITLE))).render(r, buf);
}

pub fn prompt(title: &str, text: &str, area: Rect, buf: &mut Buffer) {
    let r = centred(area, 70, 4);
    Clear.render(r, buf);
    let lines = vec![
        Line::from(vec![Span::raw(text.to_string()), Span::styled("█", Style::new().fg(Color::Gray))]),
        Line::styled("Enter: load · Esc: cancel", DIM),
    ];
    Paragraph::new(lines).block(Block::bordered().title(Span::styled(format!(" {title} "), TITLE))).render(r, buf);
}

pub fn confirm(area: Rect, buf: &mut Buffer) {
    let r = centred(area, 44, 4);
    Clear.render(r, buf);
    let lines = vec![
        Line::styled("Quit the demo?", Style::new().add_modifier(Modifier::BOLD)),
        Line::styled("y or q: quit · any other key: stay", DIM),
    ];
    Paragraph::new(lines)
        .block(Block::bordered().border_style(Style::new().fg(Color::LightYellow)).title(Span::styled(" Quit ", TITLE)))
        .render(r, buf);
}

const SPIN: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The search is running: a spinner, the states so far, how to stop it.
pub fn spinner(ticks: u64, states: u64, area: Rect, buf: &mut Buffer) {
    let r = centred(area, 46, 4);
    Clear.render(r, buf);
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", SPIN[(ticks % 8) as usize]), TITLE),
            Span::raw(format!("Searching every interleaving… {states} states")),
        ]),
        Line::styled("Esc stops the search (other keys wait)", DIM),
    ];
    Paragraph::new(lines)
        .block(Block::bordered().border_style(Style::new().fg(Color::Cyan)).title(Span::styled(" searching ", TITLE)))
        .render(r, buf);
}

/// The caption panel's lines at width `w`, at most `max` of them: when they
/// do not all fit, the caption gives way to the question and its answer.
fn demo_lines(app: &App, w: usize, max: usize) -> Vec<Line<'static>> {
    let Some(d) = app.demo() else { return Vec::new() };
    let Some(step) = d.current() else { return Vec::new() };
    let caption: Vec<Line> = wrap(step.caption.trim(), w).into_iter().map(Line::raw).collect();
    let mut rest = Vec::new();
    if let Some(q) = &step.ask {
        let ask_style = Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD);
        for l in wrap(&format!("Predict: {}", q.trim()), w) {
            rest.push(Line::styled(l, ask_style));
        }
        match (d.phase(), &step.answer) {
            (Phase::Asking, _) => rest.push(Line::styled("(space reveals the answer)", DIM)),
            (Phase::Shown, Some(a)) => {
                for l in wrap(&format!("Answer: {}", a.trim()), w) {
                    rest.push(Line::styled(l, Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD)));
                }
            }
            _ => {}
        }
    }
    for p in d.problems() {
        for l in wrap(&format!("script problem: {p}"), w) {
            rest.push(Line::styled(l, BAD));
        }
    }
    if caption.len() + rest.len() <= max {
        return caption.into_iter().chain(rest).collect();
    }
    // The caption has been read once its answer shows: the answer matters now.
    let answered = d.phase() == Phase::Shown && step.answer.is_some();
    let keep = max.saturating_sub(rest.len()).max(usize::from(!answered));
    let mut out = cut_caption(caption, keep, w);
    out.extend(rest);
    out.truncate(max);
    out
}

/// The first `keep` lines of a caption; when some are left out, the last one
/// shown ends in "…" (nothing is cut silently).
fn cut_caption(mut caption: Vec<Line<'static>>, keep: usize, w: usize) -> Vec<Line<'static>> {
    if keep >= caption.len() {
        return caption;
    }
    caption.truncate(keep);
    if let Some(last) = caption.last_mut() {
        let t: String = last.spans.iter().map(|s| s.content.to_string()).collect();
        // Whole words, then " …".
        let mut t = t.trim_end();
        while Line::raw(t).width() + 2 > w {
            match t.rsplit_once(' ') {
                Some((head, _)) => t = head.trim_end(),
                None => break,
            }
        }
        *last = Line::raw(cut(&format!("{t} …"), w));
    }
    caption
}

/// Rows of the caption panel (its top border included; a bottom border on large screens).
pub fn demo_height(app: &App, area: Rect) -> u16 {
    if app.demo().is_none() {
        return 0;
    }
    let border = if small(area) { 1 } else { 2 };
    // A third of the screen, a quarter on a small one (the store buffers need the rest).
    let share = if small(area) { area.height / 4 } else { area.height / 3 };
    let max = share.saturating_sub(border).max(1) as usize;
    let n = demo_lines(app, area.width.saturating_sub(2) as usize, max).len() as u16;
    n + border
}

pub fn demo_panel(app: &App, small: bool, area: Rect, buf: &mut Buffer) {
    let Some(d) = app.demo() else { return };
    let title = match d.current() {
        Some(s) => format!(" {}/{} · {} ", d.pos() + 1, d.script().steps.len(), s.title),
        None => format!(" {} ", d.script().title),
    };
    let borders = if small { Borders::TOP } else { Borders::ALL };
    let block = Block::new()
        .borders(borders)
        .title(Span::styled(title, Style::new().fg(Color::Black).bg(Color::LightYellow)))
        .border_style(Style::new().fg(Color::LightYellow));
    let inner = block.inner(area);
    let lines = demo_lines(app, area.width.saturating_sub(2) as usize, inner.height as usize);
    Paragraph::new(lines).block(block).render(area, buf);
}
