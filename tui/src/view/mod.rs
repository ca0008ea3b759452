//! Drawing: `impl Widget for &App`. A pure function of the app's state; it
//! never changes anything. Below [`MIN_W`]×[`MIN_H`] it says the window is
//! too small; above, every part that matters for the lesson stays on screen
//! at 80×24 (the status with the verdict, the flag word, every store buffer):
//! registers and the code listing give way first.

mod overlay;
pub use overlay::help_lines;
mod panes;
mod split;
pub(crate) mod text;

use crate::app::{plural, variant_name, App, Overlay, Tone};
use crate::keys;
use crate::search::FromHere;
use crate::session::Session;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use sim::Status;
use text::{flow, wrap};

pub(crate) const CHANGED: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub(crate) const DIM: Style = Style::new().fg(Color::DarkGray);
pub(crate) const TITLE: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
pub(crate) const BAD: Style = Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD);
pub(crate) const GOOD: Style = Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD);

/// The smallest window the screen is drawn in.
pub const MIN_W: u16 = 40;
pub const MIN_H: u16 = 12;

/// What shows in place of anything that would answer the demo's question.
pub const HIDDEN: &str = "hidden until the answer: space reveals it";

pub(crate) fn tone_style(t: Tone) -> Style {
    match t {
        Tone::Info => Style::new().fg(Color::White),
        Tone::Good => Style::new().fg(Color::LightGreen),
        Tone::Warn => Style::new().fg(Color::LightYellow),
        Tone::Bad => BAD,
    }
}

/// Small screens: borders and panes give way to content.
pub(crate) fn small(area: Rect) -> bool {
    area.height < 34
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        if area.width < MIN_W || area.height < MIN_H {
            too_small(area, buf);
            return;
        }
        let w = area.width as usize;
        let status = status_lines(self, w);
        let status_h = (status.len() as u16).min(3);
        let demo_h = overlay::demo_height(self, area);
        let mut banner = banner(self, area.width.saturating_sub(2) as usize);
        if let Some((lines, true)) = banner.as_mut() {
            // On a small screen the status line's "from here" says it: the banner keeps only the why.
            if small(area) && lines.len() > 1 && self.session().from_here().is_some() {
                let head = wrap(&safe_head(self.session()), area.width.saturating_sub(2) as usize).len();
                lines.drain(..head.min(lines.len() - 1));
            }
        }
        let banner_h = match &banner {
            Some((lines, _)) if self.split().is_none() => {
                let border = if small(area) { 1 } else { 2 };
                (lines.len() as u16 + border).min(area.height / 4).max(2)
            }
            _ => 0,
        };
        let msg_lines = self.message().map(|(t, _)| wrap(&format!(" {t}"), w)).unwrap_or_default();
        let msg_h = (msg_lines.len() as u16).min(if small(area) { 1 } else { 2 });
        let [status_a, demo, banner_a, main, msg, help] = Layout::vertical([
            Constraint::Length(status_h),
            Constraint::Length(demo_h),
            Constraint::Length(banner_h),
            Constraint::Min(0),
            Constraint::Length(msg_h),
            Constraint::Length(1),
        ])
        .areas(area);
        Paragraph::new(status).render(status_a, buf);
        if demo_h > 0 {
            overlay::demo_panel(self, small(area), demo, buf);
        }
        if let (Some((lines, safe)), true) = (&banner, banner_h > 0) {
            draw_banner(lines, *safe, small(area), banner_a, buf);
        }
        match self.split() {
            Some(sp) => split::render(self, sp, main, buf),
            None => panes::main_view(self, main, buf),
        }
        if let Some((_, tone)) = self.message() {
            let mut lines: Vec<Line> =
                msg_lines.iter().take(msg_h as usize).map(|l| Line::styled(l.clone(), tone_style(*tone))).collect();
            if msg_lines.len() > msg_h as usize {
                if let Some(last) = lines.last_mut() {
                    let t: String = last.spans.iter().map(|s| s.content.to_string()).collect();
                    *last = Line::styled(text::cut(&format!("{t} …"), w), tone_style(*tone));
                }
            }
            Paragraph::new(lines).render(msg, buf);
        }
        help_bar(self, help, buf);
        match self.overlay() {
            Overlay::None => {}
            Overlay::Help { scroll } => self.set_scroll_max(overlay::help(self, *scroll, area, buf)),
            Overlay::Page { title, lines, scroll } => {
                self.set_scroll_max(overlay::page(title, lines, *scroll, area, buf))
            }
            Overlay::Menu { kind, items, selected } => overlay::menu(kind, items, *selected, area, buf),
            Overlay::Prompt { title, text } => overlay::prompt(title, text, area, buf),
            Overlay::ConfirmQuit => overlay::confirm(area, buf),
        }
        if let Some(states) = self.searching() {
            overlay::spinner(self.ticks(), states, area, buf);
        }
    }
}

/// The memory pane alone (on ARM every write of each word, oldest first):
/// what the main screen draws below the cores.
pub fn memory_pane(app: &App, area: Rect, buf: &mut Buffer) {
    panes::memory(app.session().snap(), area, buf);
}

fn too_small(area: Rect, buf: &mut Buffer) {
    let text = format!(
        "Window too small: weaksim needs at least {MIN_W}×{MIN_H} (now {}×{}). Make it larger.",
        area.width, area.height
    );
    let lines: Vec<Line> = wrap(&text, area.width as usize)
        .into_iter()
        .map(|l| Line::styled(l, Style::new().fg(Color::LightYellow)))
        .collect();
    let h = (lines.len() as u16).min(area.height);
    let r = Rect { y: area.y + (area.height - h) / 2, height: h, ..area };
    Paragraph::new(lines).render(r, buf);
}

/// The verdict of a session in a few words, with its style.
pub fn verdict(s: &Session) -> (String, Style) {
    let p = s.prog();
    let litmus = p.lost_work.is_empty() && p.condition.is_some();
    match s.status() {
        Status::Running => ("running".into(), Style::new().fg(Color::White)),
        Status::Quiescent => match s.machine().final_text() {
            Some(f) if litmus => (format!("final: {f}"), GOOD),
            _ => ("quiescent: no lost work".into(), GOOD),
        },
        Status::Violation(sim::Violation::LostWork { .. }) => ("LOST WORK".into(), BAD),
        Status::Violation(v) => (v.to_string(), BAD),
        Status::DeadEnd => ("dead end (run discarded)".into(), Style::new().fg(Color::LightYellow)),
    }
}

/// What the search says about the states reachable from here (hidden while
/// the demo asks a question).
pub(crate) fn from_here(app: &App, s: &Session) -> Option<(String, Style)> {
    if app.hiding() {
        return None;
    }
    let p = s.prog();
    let litmus = p.lost_work.is_empty() && p.condition.is_some();
    if litmus {
        // A litmus test's question is its condition, answered by `f`, not lost work.
        return None;
    }
    Some(match s.from_here() {
        Some(FromHere::Reachable { steps }) => (
            format!("lost work still possible ({steps} step{} away)", plural(*steps)),
            Style::new().fg(Color::LightRed),
        ),
        Some(FromHere::Safe { states }) => {
            (format!("no lost work possible ({states} states)"), Style::new().fg(Color::LightGreen))
        }
        Some(FromHere::Bounded) => ("search bounded".into(), DIM),
        None if s.wants_from_here() => ("searching…".into(), DIM),
        None => return None,
    })
}

/// The status line's parts, flowed into as many lines as the width needs.
fn status_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let s = app.session();
    let what = match app.source().variant() {
        Some(v) => format!("irq_work {}", variant_name(v)),
        None => app.prog().name.clone(),
    };
    let (v, vs) = verdict(s);
    let mut chips: Vec<Vec<Span<'static>>> = vec![
        vec![
            Span::styled(" weaksim ", Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)),
            Span::raw(" "),
            Span::styled(s.model().title(), TITLE),
        ],
        vec![
            Span::styled(what, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(" · {} cores", app.prog().num_cores())),
        ],
        vec![Span::raw(format!("step {} · cycle {}", s.step_no(), s.machine().cycle()))],
        vec![Span::raw(format!("seed {}", app.seed()))],
    ];
    let mut verdict_chip = vec![Span::styled(v, vs)];
    if let Some((t, st)) = from_here(app, s) {
        verdict_chip.push(Span::styled(" · from here: ", DIM));
        verdict_chip.push(Span::styled(t, st));
    }
    chips.push(verdict_chip);
    if let Some(c) = litmus_condition(app) {
        chips.push(c);
    }
    if let Some(p) = s.plan() {
        let (done, all) = p.progress();
        chips.push(vec![Span::styled(format!("{} ({done}/{all})", p.name), Style::new().fg(Color::LightMagenta))]);
    }
    if !s.reduce() {
        chips.push(vec![Span::styled("every instruction a step", DIM)]);
    }
    if app.hints().is_some() {
        chips.push(vec![Span::styled("hints on", Style::new().fg(Color::LightMagenta))]);
    }
    flow(chips, " │ ", w)
}

/// A litmus test's question, and whether this run answers it.
fn litmus_condition(app: &App) -> Option<Vec<Span<'static>>> {
    let p = app.prog();
    if !p.lost_work.is_empty() {
        return None;
    }
    let c = p.condition.as_ref()?;
    let text = isa::cond::condition_text(p, c);
    let mut out = vec![Span::styled("question: ", DIM), Span::raw(text)];
    if app.session().status() == &Status::Quiescent {
        let holds = app.session().machine().condition_holds().unwrap_or(false);
        out.push(if holds {
            Span::styled(" — holds in this run: reachable", GOOD)
        } else {
            Span::styled(" — not in this run (f searches every run)", DIM)
        });
    }
    Some(out)
}

/// The banner: why work was lost (red), or why it cannot be lost from here (green).
pub(crate) fn banner(app: &App, width: usize) -> Option<(Vec<String>, bool)> {
    banner_for(app, app.session(), width)
}

/// The banner of session `s` (the main one, or a side of the split view).
pub(crate) fn banner_for(app: &App, s: &Session, width: usize) -> Option<(Vec<String>, bool)> {
    if let Some(l) = lost_lines(s, width) {
        return Some((l, false));
    }
    if app.hiding() || s.safe_why().is_empty() {
        return None;
    }
    let mut out = wrap(&safe_head(s), width);
    for l in s.safe_why() {
        out.extend(wrap(l, width));
    }
    Some((out, true))
}

/// The why-safe banner's first sentence.
fn safe_head(s: &Session) -> String {
    match s.from_here() {
        Some(FromHere::Safe { states }) => {
            format!("No lost work is possible from here: every continuation was checked ({states} states).")
        }
        _ => "Quiescent, and every write was read: no work was lost.".to_string(),
    }
}

/// The lost-work banner's lines: the violation, then why (wrapped to `width`).
pub(crate) fn lost_lines(s: &Session, width: usize) -> Option<Vec<String>> {
    let Status::Violation(v) = s.status() else { return None };
    let mut out = wrap(&v.to_string(), width);
    for l in s.explanation() {
        out.extend(wrap(l, width));
    }
    Some(out)
}

pub(crate) fn draw_banner(lines: &[String], safe: bool, small: bool, area: Rect, buf: &mut Buffer) {
    let (title, bg, border) = if safe {
        (" WHY SAFE ", Color::Green, Color::LightGreen)
    } else if lines.first().is_some_and(|l| l.starts_with("lost work")) {
        (" LOST WORK ", Color::Red, Color::LightRed)
    } else {
        (" VIOLATION ", Color::Red, Color::LightRed)
    };
    let borders = if small { Borders::TOP } else { Borders::ALL };
    let block = Block::new()
        .borders(borders)
        .title(Span::styled(title, Style::new().fg(Color::White).bg(bg).add_modifier(Modifier::BOLD)))
        .border_style(Style::new().fg(border));
    let inner_h = block.inner(area).height as usize;
    let first = if safe { GOOD } else { BAD };
    let mut text: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { Line::styled(l.clone(), first) } else { Line::raw(l.clone()) })
        .collect();
    if text.len() > inner_h && inner_h > 0 {
        text.truncate(inner_h);
        text[inner_h - 1] = Line::styled("… x shows all of it, full screen", DIM);
    }
    Paragraph::new(text).block(block).render(area, buf);
}

/// The key bar: the bindings of the active modes that fit, "? help" and "q quit" always.
fn help_bar(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let modes = app.modes();
    let chip = |b: &keys::Binding| -> Vec<Span<'static>> {
        vec![
            Span::styled(keys::keys_text(b, &modes), Style::new().fg(Color::Black).bg(Color::Gray)),
            Span::raw(format!(" {}", b.name)),
        ]
    };
    let all: Vec<&keys::Binding> = keys::bar(&modes).collect();
    let last = |b: &&keys::Binding| matches!(b.name, "help" | "quit");
    let tail: Vec<Vec<Span>> = all.iter().filter(|b| last(b)).map(|b| chip(b)).collect();
    let width = |chips: &[Vec<Span>]| -> usize {
        chips.iter().map(|c| c.iter().map(|s| s.width()).sum::<usize>() + 3).sum::<usize>()
    };
    let budget = (area.width as usize).saturating_sub(width(&tail));
    let mut chips: Vec<Vec<Span>> = Vec::new();
    for b in all.iter().filter(|b| !last(b)) {
        let c = chip(b);
        let mut with = chips.clone();
        with.push(c);
        if width(&with) > budget {
            break;
        }
        chips = with;
    }
    chips.extend(tail);
    let line = flow(chips, " · ", usize::MAX).into_iter().next().unwrap_or_default();
    Paragraph::new(line).render(area, buf);
}
