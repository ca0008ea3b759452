//! The help screen, the file-name prompt and the demo's caption panel.

use super::text::wrap;
use super::{BAD, DIM, TITLE};
use crate::app::App;
use crate::demo::Phase;
use crate::keys::{self, Mode};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// A rectangle of at most `w`×`h`, centred in `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

const PANES: &[(&str, &str)] = &[
    ("Core N", "the core's microcode; ▶ marks the instruction it executes next"),
    ("Registers · interrupts", "interrupts enabled / pending / in the handler; the registers (changes in yellow)"),
    ("Store buffer", "TSO: the core's stores not yet in memory, oldest first (ARM: in flight / promises)"),
    ("irq_work queue", "the core's lock-free list, read from memory: head → work → ∅"),
    ("Memory", "every word; flags decoded (PENDING = 1, BUSY = 2); each data word with what func() last read"),
    ("Enabled transitions", "what may happen next, numbered: press its digit (or ↑↓ Enter) to make it happen"),
    ("Event log", "what happened, step by step; register-only steps in grey"),
];

pub fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let mut modes = vec![Mode::Main];
    if app.demo.is_some() {
        modes.insert(0, Mode::Demo);
    }
    let mut lines = vec![Line::styled("Keys", TITLE)];
    for b in keys::help(&modes) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<12}", keys::keys_text(b, &modes)), Style::new().fg(Color::LightYellow)),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Panes", TITLE));
    for (p, what) in PANES {
        lines.push(Line::from(vec![
            Span::styled(format!("  {p:<22}"), Style::new().fg(Color::LightYellow)),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Switching model (m) or variant (v) restarts on the same seed and replays the same choices.",
        DIM,
    ));
    let r = centred(area, 110, lines.len() as u16 + 2);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .block(Block::bordered().title(Span::styled(" Help — ? or Esc closes ", TITLE)))
        .render(r, buf);
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

fn demo_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let Some(d) = &app.demo else { return Vec::new() };
    let Some(step) = d.current() else { return Vec::new() };
    let mut out = Vec::new();
    for l in wrap(step.caption.trim(), w) {
        out.push(Line::raw(l));
    }
    if let Some(q) = &step.ask {
        let ask_style = Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD);
        for l in wrap(&format!("Predict: {}", q.trim()), w) {
            out.push(Line::styled(l, ask_style));
        }
        match (d.phase, &step.answer) {
            (Phase::Asking, _) => out.push(Line::styled("(space reveals the answer)", DIM)),
            (Phase::Shown, Some(a)) => {
                for l in wrap(&format!("Answer: {}", a.trim()), w) {
                    out.push(Line::styled(l, Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD)));
                }
            }
            _ => {}
        }
    }
    for p in &d.problems {
        for l in wrap(&format!("script problem: {p}"), w) {
            out.push(Line::styled(l, BAD));
        }
    }
    out
}

pub fn demo_height(app: &App, area: Rect) -> u16 {
    if app.demo.is_none() || area.height < 12 {
        return 0;
    }
    let n = demo_lines(app, area.width.saturating_sub(2) as usize).len() as u16;
    (n + 2).min(area.height / 3)
}

pub fn demo_panel(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(d) = &app.demo else { return };
    let title = match d.current() {
        Some(s) => format!(" {} — {}/{} · {} ", d.script.title, d.pos + 1, d.script.steps.len(), s.title),
        None => format!(" {} ", d.script.title),
    };
    let lines = demo_lines(app, area.width.saturating_sub(2) as usize);
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(Span::styled(title, Style::new().fg(Color::Black).bg(Color::LightYellow)))
                .border_style(Style::new().fg(Color::LightYellow)),
        )
        .render(area, buf);
}
