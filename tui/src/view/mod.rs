//! Drawing: `impl Widget for &App`. A pure function of the app's state; it
//! never changes anything. Every size works, down to 1×1 (parts that do not
//! fit are left out).

mod overlay;
mod panes;
mod split;
pub(crate) mod text;

use crate::app::{variant_name, App, Overlay, Tone};
use crate::keys;
use crate::session::{FromHere, Session};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};
use sim::Status;
use text::wrap;

pub(crate) const CHANGED: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub(crate) const DIM: Style = Style::new().fg(Color::DarkGray);
pub(crate) const TITLE: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
pub(crate) const BAD: Style = Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD);
pub(crate) const GOOD: Style = Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD);

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let demo_h = overlay::demo_height(self, area);
        let banner_lines = banner_lines(&self.session, area.width.saturating_sub(2) as usize);
        let banner_h = if self.split.is_some() || banner_lines.is_empty() {
            0
        } else {
            (banner_lines.len() as u16 + 2).min(area.height / 4).max(3.min(area.height / 4))
        };
        let msg_h = u16::from(self.message.is_some() && area.height >= 8);
        let [status, demo, banner, main, msg, help] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(demo_h),
            Constraint::Length(banner_h),
            Constraint::Min(0),
            Constraint::Length(msg_h),
            Constraint::Length(u16::from(area.height >= 3)),
        ])
        .areas(area);
        status_line(self, status, buf);
        if demo_h > 0 {
            overlay::demo_panel(self, demo, buf);
        }
        if banner_h > 0 {
            draw_banner(&banner_lines, banner, buf);
        }
        match &self.split {
            Some(sp) => split::render(self, sp, main, buf),
            None => panes::main_view(self, main, buf),
        }
        if let Some((text, tone)) = &self.message {
            let style = match tone {
                Tone::Info => Style::new().fg(Color::White),
                Tone::Good => Style::new().fg(Color::LightGreen),
                Tone::Warn => Style::new().fg(Color::LightYellow),
            };
            Paragraph::new(Line::styled(format!(" {text}"), style)).render(msg, buf);
        }
        help_bar(self, help, buf);
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help => overlay::help(self, area, buf),
            Overlay::Prompt { title, text } => overlay::prompt(title, text, area, buf),
        }
    }
}

/// The verdict of a session in a few words, with its style.
pub fn verdict(s: &Session) -> (String, Style) {
    match s.status() {
        Status::Running => ("running".into(), Style::new().fg(Color::White)),
        Status::Quiescent => match s.machine.final_text() {
            Some(f) if s.prog().lost_work.is_empty() => (format!("final: {f}"), GOOD),
            _ => ("quiescent: no lost work".into(), GOOD),
        },
        Status::Violation(sim::Violation::LostWork { .. }) => ("LOST WORK".into(), BAD),
        Status::Violation(v) => (v.to_string(), BAD),
        Status::DeadEnd => ("dead end (run discarded)".into(), Style::new().fg(Color::LightYellow)),
    }
}

/// What the search says about the states reachable from here.
pub(crate) fn from_here(s: &Session) -> Option<(String, Style)> {
    Some(match s.from_here.as_ref()? {
        FromHere::Reachable { transitions } => {
            (format!("lost work still possible ({transitions} transitions away)"), Style::new().fg(Color::LightRed))
        }
        FromHere::Safe { states } => {
            (format!("no lost work possible ({states} states)"), Style::new().fg(Color::LightGreen))
        }
        FromHere::Bounded => ("search bounded".into(), DIM),
    })
}

fn status_line(app: &App, area: Rect, buf: &mut Buffer) {
    let s = &app.session;
    let sep = Span::styled(" │ ", DIM);
    let what = match app.source.variant() {
        Some(v) => format!("irq_work {}", variant_name(v)),
        None => app.prog.name.clone(),
    };
    let (v, vs) = verdict(s);
    let mut spans = vec![
        Span::styled(" weaksim ", Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        Span::styled(s.model().title(), TITLE),
        sep.clone(),
        Span::styled(what, Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" · {} cores", app.prog.num_cores())),
        sep.clone(),
        Span::raw(format!("step {} · cycle {}", s.step_no(), s.machine.cycle())),
        sep.clone(),
        Span::raw(format!("seed {}", app.seed)),
        sep.clone(),
        Span::styled(v, vs),
    ];
    if let Some((t, st)) = from_here(s) {
        spans.push(Span::styled(" · from here: ", DIM));
        spans.push(Span::styled(t, st));
    }
    if let Some(p) = &s.plan {
        spans.push(sep);
        spans.push(Span::styled(
            format!("{} ({}/{})", p.name, p.pos, p.steps.len()),
            Style::new().fg(Color::LightMagenta),
        ));
    }
    if !s.reduce {
        spans.push(Span::styled(" · every instruction a step", DIM));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The lost-work banner's lines: the violation, then why (wrapped to `width`).
pub(crate) fn banner_lines(s: &Session, width: usize) -> Vec<String> {
    let Status::Violation(v) = s.status() else { return Vec::new() };
    let mut out = wrap(&v.to_string(), width);
    for l in &s.explanation {
        out.extend(wrap(l, width));
    }
    out
}

pub(crate) fn draw_banner(lines: &[String], area: Rect, buf: &mut Buffer) {
    let title = if lines.first().is_some_and(|l| l.starts_with("lost work")) { " LOST WORK " } else { " VIOLATION " };
    let block = Block::bordered()
        .title(Span::styled(title, Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)))
        .border_style(Style::new().fg(Color::LightRed));
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { Line::styled(l.clone(), BAD) } else { Line::raw(l.clone()) })
        .collect();
    Paragraph::new(text).block(block).render(area, buf);
}

fn help_bar(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let modes = app.modes();
    let mut spans = Vec::new();
    for b in keys::bar(&modes) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", DIM));
        }
        spans.push(Span::styled(keys::keys_text(b, &modes), Style::new().fg(Color::Black).bg(Color::Gray)));
        spans.push(Span::raw(format!(" {}", b.name)));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
