//! The split view: two models side by side on the same choices. The left is
//! driven by the keys; the right replays the left's choices under its model.
//! Each side lists, most important first: the verdict, each core's next
//! instruction and store buffer (or promised writes), the flag word and the
//! rest of memory, the replay report, the banner; then its event log.

use super::panes::{event_log, in_flight_title};
use super::text::wrap;
use super::{banner_for, from_here, verdict, CHANGED, DIM, TITLE};
use crate::app::{App, Split};
use crate::session::Session;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

pub fn render(app: &App, sp: &Split, area: Rect, buf: &mut Buffer) {
    let rows = app.session().snap().enabled.len() as u16 + app.session().snap().blocked.len() as u16;
    let en_h =
        if super::small(area) { (rows + 2).clamp(3, 5) } else { (rows * 2 + 2).clamp(5, 12) }.min(area.height / 3);
    let [sides, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(en_h)]).areas(area);
    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sides);
    side(app, app.session(), &format!("{} · you choose", app.session().model().title()), None, left, buf);
    let report = {
        let w = right.width.saturating_sub(2) as usize;
        let mut v: Vec<Line> = wrap(&format!("the same choices: {}", sp.report().summary()), w)
            .into_iter()
            .map(|l| Line::styled(l, DIM))
            .collect();
        if sp.report().reordered {
            for l in wrap("  each store taken when it reached memory on x86", w) {
                v.push(Line::styled(l, DIM));
            }
        }
        for s in sp.report().skipped.iter().chain(&sp.report().differed).take(3) {
            for l in wrap(&format!("  · {s}"), w) {
                v.push(Line::styled(l, DIM));
            }
        }
        v
    };
    side(app, sp.session(), &format!("{} · the same choices", sp.session().model().title()), Some(report), right, buf);
    super::panes::enabled(app, bottom, buf);
}

fn side(app: &App, s: &Session, title: &str, extra: Option<Vec<Line<'static>>>, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let snap = s.snap();
    let (v, vs) = verdict(s);
    let mut lines: Vec<Line> = Vec::new();
    let mut head = vec![Span::styled(v, vs), Span::raw(format!("  · step {}", s.step_no()))];
    if let Some((t, st)) = from_here(app, s) {
        head.push(Span::styled("  · from here: ", DIM));
        head.push(Span::styled(t, st));
    }
    lines.extend(super::text::flow(head.into_iter().map(|s| vec![s]).collect(), "", w));
    for (c, cv) in snap.cores.iter().enumerate() {
        let mut t = format!("Core {c}");
        if cv.in_handler {
            t.push_str(" (handler)");
        }
        let next = if cv.halted { "halted".to_string() } else { cv.next.clone() };
        let st = if cv.pc_changed { CHANGED } else { Style::new() };
        lines.push(Line::from(vec![Span::styled(format!("{t}: "), TITLE), Span::styled(next, st)]));
        if let (Some(b), false) = (&cv.waits, app.hiding()) {
            lines.push(Line::styled(format!("  {}", b.full), Style::new().fg(Color::LightYellow)));
        }
        let pend = if cv.pending.is_empty() { "(empty)".to_string() } else { cv.pending.join(", ") };
        lines.push(Line::from(vec![
            Span::styled(format!("  {}: ", in_flight_title(snap.in_flight)), DIM),
            Span::styled(pend, if cv.pending_changed { CHANGED } else { Style::new() }),
        ]));
    }
    let mut mem: Vec<_> = snap.memory.iter().collect();
    mem.sort_by_key(|m| m.name != "flags");
    for m in mem {
        let st = if m.changed { CHANGED } else { Style::new() };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<6} ", m.name)),
            Span::styled(m.text.clone(), st),
            Span::styled(format!("  {}", m.note), DIM),
        ]));
    }
    if let Some(x) = extra {
        lines.extend(x);
    }
    if let Some((bl, safe)) = banner_for(app, s, w) {
        let style = if safe { Style::new().fg(Color::LightGreen) } else { Style::new().fg(Color::LightRed) };
        for l in bl {
            lines.push(Line::styled(l, style));
        }
    }
    let block = Block::bordered().title(Span::styled(title.to_string(), TITLE)).border_style(DIM);
    let inner = block.inner(area);
    block.render(area, buf);
    let top_h = (lines.len() as u16).min(inner.height);
    let [top, log] = Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    Paragraph::new(lines).render(top, buf);
    event_log(s, log, buf);
}
