//! The main screen's panes: per core its code, registers and interrupt state,
//! store buffer (or in-flight window) and irq_work queue; below, memory, the
//! enabled transitions and the event log.

use super::text::wrap;
use super::{CHANGED, DIM, TITLE};
use crate::app::App;
use crate::session::{LogKind, Session};
use crate::snapshot::{CoreView, ListingLine, Snapshot};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

fn block(title: impl Into<String>) -> Block<'static> {
    Block::bordered().title(Span::styled(title.into(), TITLE)).border_style(DIM)
}

pub fn main_view(app: &App, area: Rect, buf: &mut Buffer) {
    let snap = &app.session.snap;
    let enabled_rows = snap.enabled.len() as u16 + 2;
    let mem_rows = snap.memory.len() as u16 + 2;
    let want = enabled_rows.max(mem_rows).max(10).max(area.height * 2 / 5);
    let bottom_h = want.min(area.height / 2).max(area.height.min(3));
    let [cores, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(area);
    core_grid(app, cores, buf);
    let mem_w = snap.memory.iter().map(|m| m.name.len() + m.text.len() + m.note.len() + 5).max().unwrap_or(10) as u16;
    let [mem, rest] =
        Layout::horizontal([Constraint::Length(mem_w.min(area.width / 4)), Constraint::Min(0)]).areas(bottom);
    let [en, log] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest);
    memory(snap, mem, buf);
    enabled(app, en, buf);
    event_log(&app.session, log, buf);
}

fn core_grid(app: &App, area: Rect, buf: &mut Buffer) {
    let snap = &app.session.snap;
    let n = snap.cores.len().max(1);
    let cols = ((area.width / 34).max(1) as usize).min(4).min(n);
    let rows = n.div_ceil(cols);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows as u32); rows]).split(area);
    for (r, ra) in row_areas.iter().enumerate() {
        let col_areas = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(*ra);
        for (k, ca) in col_areas.iter().enumerate() {
            let c = r * cols + k;
            if let Some(cv) = snap.cores.get(c) {
                core_cell(app, snap, c, cv, *ca, buf);
            }
        }
    }
}

fn core_cell(app: &App, snap: &Snapshot, c: usize, cv: &CoreView, area: Rect, buf: &mut Buffer) {
    let state_lines = state_lines(cv, area.width.saturating_sub(2) as usize);
    let pend_h = (cv.pending.len().max(1) as u16 + 2).min(6);
    let queue_h = if cv.queue.is_some() { 3 } else { 0 };
    let state_h = state_lines.len() as u16 + 2;
    let [code, state, pend, queue] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(state_h),
        Constraint::Length(pend_h),
        Constraint::Length(queue_h),
    ])
    .areas(area);
    let mut title = format!("Core {c} · {}", cv.role);
    if cv.in_handler {
        title.push_str(" · in interrupt handler");
    } else if cv.halted {
        title.push_str(" · halted");
    }
    listing(&app.listing, cv, Block::bordered().title(Span::styled(title, TITLE)).border_style(DIM), code, buf);
    Paragraph::new(state_lines).block(block("Registers · interrupts")).render(state, buf);
    let pend_style = if cv.pending_changed { CHANGED } else { Style::new() };
    let pend_lines: Vec<Line> = if cv.pending.is_empty() {
        vec![Line::styled("(empty)", DIM)]
    } else {
        cv.pending.iter().map(|p| Line::styled(p.clone(), pend_style)).collect()
    };
    let ptitle = format!("{} (oldest first)", snap.in_flight.title());
    Paragraph::new(pend_lines).block(block(ptitle)).render(pend, buf);
    if let Some(q) = &cv.queue {
        Paragraph::new(Line::raw(q.clone())).block(block("irq_work queue")).render(queue, buf);
    }
}

/// Interrupt state, blocked reason and registers, wrapped.
fn state_lines(cv: &CoreView, w: usize) -> Vec<Line<'static>> {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut out = Vec::new();
    if cv.has_handler {
        out.push(Line::from(vec![
            Span::styled("irq ", DIM),
            Span::raw(format!(
                "enabled {} · pending {} · in handler {}",
                yes_no(cv.irq_enabled),
                yes_no(cv.irq_pending),
                yes_no(cv.in_handler)
            )),
        ]));
    }
    if let Some(b) = &cv.blocked {
        out.push(Line::styled(format!("waits: {b}"), Style::new().fg(Color::LightYellow)));
    }
    for n in &cv.notes {
        out.push(Line::styled(n.clone(), Style::new().fg(Color::LightMagenta)));
    }
    // Registers, packed into lines of width w.
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for r in &cv.regs {
        let cell = format!("{}={}", r.name, r.text);
        let len = cell.chars().count() + 1;
        if used + len > w && !line.is_empty() {
            out.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        line.push(Span::styled(cell, if r.changed { CHANGED } else { Style::new() }));
        line.push(Span::raw(" "));
        used += len;
    }
    if !line.is_empty() {
        out.push(Line::from(line));
    }
    out
}

/// The listing around the core's pc, the next instruction highlighted.
fn listing(lines: &[ListingLine], cv: &CoreView, block: Block, area: Rect, buf: &mut Buffer) {
    let h = area.height.saturating_sub(2) as usize;
    let at = lines.iter().position(|l| l.pc == Some(cv.pc)).unwrap_or(0);
    let first = at.saturating_sub(h / 3).min(lines.len().saturating_sub(h));
    let style_now = if cv.pc_changed {
        Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::Black).bg(Color::LightCyan).add_modifier(Modifier::BOLD)
    };
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(i, l)| match l.pc {
            None => Line::styled(l.text.clone(), Style::new().fg(Color::LightBlue)),
            Some(pc) if i == at && !cv.halted => Line::styled(format!("▶{pc:>3}  {}", l.text), style_now),
            Some(pc) => Line::raw(format!(" {pc:>3}  {}", l.text)),
        })
        .collect();
    Paragraph::new(text).block(block).render(area, buf);
}

pub fn memory(snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let name_w = snap.memory.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let val_w = snap.memory.iter().map(|m| m.text.len()).max().unwrap_or(0);
    let lines: Vec<Line> = snap
        .memory
        .iter()
        .map(|m| {
            let st = if m.changed { CHANGED } else { Style::new() };
            Line::from(vec![
                Span::raw(format!("{:<name_w$} ", m.name)),
                Span::styled(format!("{:>val_w$}", m.text), st),
                Span::styled(format!("  {}", m.note), if m.name == "flags" { st.fg(Color::LightMagenta) } else { DIM }),
            ])
        })
        .collect();
    Paragraph::new(lines).block(block("Memory")).render(area, buf);
}

/// The enabled transitions, numbered, wrapped, the selected one reversed and
/// scrolled into view.
pub fn enabled(app: &App, area: Rect, buf: &mut Buffer) {
    let snap = &app.session.snap;
    let w = area.width.saturating_sub(2) as usize;
    let h = area.height.saturating_sub(2) as usize;
    let mut rows: Vec<Vec<Line>> = Vec::new();
    for (i, r) in snap.enabled.iter().enumerate() {
        let num = if i < 9 { format!("{}", i + 1) } else { " ".into() };
        let mark = if r.planned { "▶" } else { " " };
        let mut st = if r.planned { Style::new().fg(Color::LightMagenta) } else { Style::new() };
        if i == app.selected {
            st = st.add_modifier(Modifier::REVERSED);
        }
        let wrapped = wrap(&r.label, w.saturating_sub(3).max(1));
        rows.push(
            wrapped
                .into_iter()
                .enumerate()
                .map(|(k, l)| {
                    let head = if k == 0 { format!("{num}{mark} ") } else { "   ".into() };
                    Line::styled(format!("{head}{l}"), st)
                })
                .collect(),
        );
    }
    // Scroll so that the selected row is visible.
    let mut first = 0;
    let upto = |a: usize, b: usize| rows[a..=b].iter().map(Vec::len).sum::<usize>();
    while first < app.selected && app.selected < rows.len() && upto(first, app.selected) > h {
        first += 1;
    }
    let mut lines: Vec<Line> = rows.into_iter().skip(first).flatten().take(h).collect();
    if lines.is_empty() {
        lines.push(Line::styled("(none: the run is over)", DIM));
    }
    let title = if app.session.plan.is_some() {
        format!("Enabled transitions on {} (▶ = the trace's next step)", snap.model.title())
    } else {
        format!("Enabled transitions on {} (1-9, ↑↓ Enter)", snap.model.title())
    };
    Paragraph::new(lines).block(block(title)).render(area, buf);
}

/// The event log's lines, newest last: chosen steps numbered, register-only
/// steps folded into one dim line per run.
pub fn log_lines(s: &Session, w: usize, h: usize) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = Vec::new();
    // Only the tail can show: every entry takes at least one line, a run of
    // register-only steps one line for all.
    let from = s.log.len().saturating_sub(h.saturating_mul(8));
    let log = &s.log[from..];
    let mut i = 0;
    while i < log.len() {
        let e = &log[i];
        match e.kind {
            LogKind::Local => {
                let mut j = i;
                let mut parts = Vec::new();
                while j < log.len() && log[j].kind == LogKind::Local {
                    parts.push(log[j].text.clone());
                    j += 1;
                }
                let text = if parts.len() > 3 {
                    format!("{} … ({} register-only steps)", parts[..2].join("; "), parts.len())
                } else {
                    parts.join("; ")
                };
                for l in wrap(&format!("     {text}"), w) {
                    out.push(Line::styled(l, DIM));
                }
                i = j;
                continue;
            }
            LogKind::Step => {
                for (k, l) in wrap(&format!("{:>3}. {}", e.step, e.text), w).into_iter().enumerate() {
                    let l = if k == 0 { l } else { format!("     {l}") };
                    out.push(Line::raw(l));
                }
            }
            LogKind::Note => {
                for l in wrap(&format!("   ─ {}", e.text), w) {
                    out.push(Line::styled(l, Style::new().fg(Color::LightBlue)));
                }
            }
            LogKind::Alert => {
                for l in wrap(&format!("   ! {}", e.text), w) {
                    out.push(Line::styled(l, super::BAD));
                }
            }
        }
        i += 1;
    }
    out
}

pub fn event_log(s: &Session, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let h = area.height.saturating_sub(2) as usize;
    let lines = log_lines(s, w, h);
    let skip = lines.len().saturating_sub(h);
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    Paragraph::new(lines).block(block("Event log")).render(area, buf);
}
