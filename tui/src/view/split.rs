//! The split view: two models side by side on the same choices. The left is
//! driven by the keys; the right replays the left's choices under its model.

use super::panes::event_log;
use super::text::wrap;
use super::{banner_lines, from_here, verdict, BAD, CHANGED, DIM, TITLE};
use crate::app::{App, Split};
use crate::session::Session;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

pub fn render(app: &App, sp: &Split, area: Rect, buf: &mut Buffer) {
    let en_h = (app.session.snap.enabled.len() as u16 * 2 + 2).clamp(5, 12).min(area.height / 3);
    let [sides, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(en_h)]).areas(area);
    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sides);
    side(&app.session, &format!("{} · you choose", app.session.model().title()), None, left, buf);
    let report = {
        let mut v = vec![Line::styled(format!("the same choices: {}", sp.report.summary()), DIM)];
        let w = right.width.saturating_sub(2) as usize;
        if sp.report.reordered {
            for l in wrap("  each store taken when it reached memory on x86", w) {
                v.push(Line::styled(l, DIM));
            }
        }
        for s in sp.report.skipped.iter().chain(&sp.report.differed).take(3) {
            for l in wrap(&format!("  · {s}"), w) {
                v.push(Line::styled(l, DIM));
            }
        }
        v
    };
    side(&sp.session, &format!("{} · the same choices", sp.session.model().title()), Some(report), right, buf);
    super::panes::enabled(app, bottom, buf);
}

fn side(s: &Session, title: &str, extra: Option<Vec<Line<'static>>>, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let snap = &s.snap;
    let (v, vs) = verdict(s);
    let mut lines: Vec<Line> = Vec::new();
    let mut head = vec![Span::styled(v, vs), Span::raw(format!("  · step {}", s.step_no()))];
    if let Some((t, st)) = from_here(s) {
        head.push(Span::styled("  · from here: ", DIM));
        head.push(Span::styled(t, st));
    }
    lines.push(Line::from(head));
    if let Some(x) = extra {
        lines.extend(x);
    }
    for (i, l) in banner_lines(s, w).into_iter().enumerate() {
        lines.push(if i == 0 { Line::styled(l, BAD) } else { Line::styled(l, Style::new().fg(Color::LightRed)) });
    }
    for (c, cv) in snap.cores.iter().enumerate() {
        let mut t = format!("Core {c} · {}", cv.role);
        if cv.in_handler {
            t.push_str(" · in interrupt handler");
        } else if cv.halted {
            t.push_str(" · halted");
        }
        lines.push(Line::styled(t, TITLE));
        if !cv.halted {
            let st = if cv.pc_changed { CHANGED } else { Style::new() };
            lines.push(Line::from(vec![
                Span::styled("  next ", DIM),
                Span::styled(format!("{}: {}", cv.location, cv.next), st),
            ]));
        }
        if let Some(b) = &cv.blocked {
            lines.push(Line::styled(format!("  waits: {b}"), Style::new().fg(Color::LightYellow)));
        }
        let pend = if cv.pending.is_empty() { "(empty)".to_string() } else { cv.pending.join(", ") };
        lines.push(Line::from(vec![
            Span::styled(format!("  {}: ", snap.in_flight.title()), DIM),
            Span::styled(pend, if cv.pending_changed { CHANGED } else { Style::new() }),
        ]));
        if let Some(q) = &cv.queue {
            lines.push(Line::from(vec![Span::styled("  irq_work queue: ", DIM), Span::raw(q.clone())]));
        }
    }
    lines.push(Line::styled("Memory", TITLE));
    for m in &snap.memory {
        let st = if m.changed { CHANGED } else { Style::new() };
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<6} ", m.name)),
            Span::styled(m.text.clone(), st),
            Span::styled(format!("  {}", m.note), DIM),
        ]));
    }
    let block = Block::bordered().title(Span::styled(title.to_string(), TITLE)).border_style(DIM);
    let inner = block.inner(area);
    block.render(area, buf);
    let top_h = (lines.len() as u16).min(inner.height);
    let [top, log] = Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    Paragraph::new(lines).render(top, buf);
    event_log(s, log, buf);
}
