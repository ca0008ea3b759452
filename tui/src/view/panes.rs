//! The main screen's panes: per core its code, registers and interrupt state,
//! store buffer (or promised writes) and irq_work queue; below, memory (on
//! ARM, every write each word holds), the enabled transitions (and those that
//! must wait, greyed, with the reason) and the event log.
//!
//! Two layouts: roomy (a code listing, registers and boxes per core) when the
//! height allows it, compact otherwise (one box per core: the next
//! instruction, what it waits for, the store buffer, the queue). What a demo
//! question would give away is hidden while it is asked.

use super::text::{cut, flow, wrap};
use super::{CHANGED, DIM, HIDDEN, TITLE};
use crate::app::App;
use crate::search::FromHere;
use crate::session::{LogKind, Session};
use crate::snapshot::{CoreView, HistoryEntry, ListingLine, MemRow, Snapshot};
use memmodels::InFlight;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

fn block(title: impl Into<String>) -> Block<'static> {
    Block::bordered().title(Span::styled(title.into(), TITLE)).border_style(DIM)
}

/// What a core's pending entries are called.
pub(crate) fn in_flight_title(k: InFlight) -> &'static str {
    match k {
        InFlight::StoreBuffer => "Store buffer",
        InFlight::Promises => "Promised writes",
    }
}

/// Columns of the core grid.
fn grid_cols(width: u16, n: usize) -> usize {
    ((width / 34).max(1) as usize).min(4).min(n.max(1))
}

pub fn main_view(app: &App, area: Rect, buf: &mut Buffer) {
    let snap = app.session().snap();
    let n = snap.cores.len().max(1);
    let cols = grid_cols(area.width, n);
    let grid_rows = n.div_ceil(cols) as u16;
    let cell_w = (area.width / cols as u16).saturating_sub(2) as usize;
    let compact_h =
        snap.cores.iter().map(|cv| compact_lines(app, snap, cv, cell_w, false).len()).max().unwrap_or(1) as u16 + 2;
    let roomy_h = snap.cores.iter().map(|cv| roomy_min(cv, cell_w)).max().unwrap_or(10);
    let mem_w = memory_width(snap, area.width);
    let mem_rows = memory_lines(snap, mem_w.saturating_sub(2) as usize, usize::MAX).len() as u16;
    let en_rows = snap.enabled.len() as u16 + snap.blocked.len() as u16;
    let bottom_want = (mem_rows.max(en_rows) + 2).max(6);
    let roomy = area.height >= grid_rows * roomy_h + bottom_want;
    let (cores_h, bottom_h) = if roomy {
        let bottom = bottom_want.max(area.height * 2 / 5).min(area.height - grid_rows * roomy_h);
        (area.height - bottom, bottom)
    } else {
        let cores = (grid_rows * compact_h).min(area.height.saturating_sub(4));
        (cores, area.height - cores)
    };
    let [cores, bottom] = Layout::vertical([Constraint::Length(cores_h), Constraint::Length(bottom_h)]).areas(area);
    core_grid(app, snap, cols, roomy, cores, buf);
    let [mem, rest] = Layout::horizontal([Constraint::Length(mem_w), Constraint::Min(0)]).areas(bottom);
    let [en, log] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(rest);
    memory(snap, mem, buf);
    enabled(app, en, buf);
    event_log(app.session(), log, buf);
}

fn core_grid(app: &App, snap: &Snapshot, cols: usize, roomy: bool, area: Rect, buf: &mut Buffer) {
    let n = snap.cores.len().max(1);
    let rows = n.div_ceil(cols);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows as u32); rows]).split(area);
    for (r, ra) in row_areas.iter().enumerate() {
        let col_areas = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(*ra);
        for (k, ca) in col_areas.iter().enumerate() {
            let c = r * cols + k;
            if let Some(cv) = snap.cores.get(c) {
                if roomy {
                    roomy_cell(app, snap, c, cv, *ca, buf);
                } else {
                    compact_cell(app, snap, c, cv, *ca, buf);
                }
            }
        }
    }
}

fn core_title(c: usize, cv: &CoreView) -> String {
    let mut title = format!("Core {c} · {}", cv.role);
    if cv.in_handler {
        title.push_str(" · in interrupt handler");
    } else if cv.halted {
        title.push_str(" · halted");
    }
    title
}

/// The next instruction, marked.
fn next_line(cv: &CoreView) -> Line<'static> {
    if cv.halted {
        return Line::styled("halted", DIM);
    }
    let st = if cv.pc_changed { CHANGED } else { Style::new().add_modifier(Modifier::BOLD) };
    Line::styled(format!("▶{:>3}  {}", cv.pc, cv.next), st)
}

/// "Store buffer: data0 := 1, …", wrapped. Short entries flow after the
/// title; an entry wider than the cell (a promise and the store that fulfils
/// it) starts a line of its own and wraps at spaces, nothing cut.
fn pending_lines(snap: &Snapshot, cv: &CoreView, w: usize) -> Vec<Line<'static>> {
    let title = in_flight_title(snap.in_flight);
    let style = if cv.pending_changed { CHANGED } else { Style::new() };
    let mut out = Vec::new();
    let mut chips = vec![vec![Span::styled(format!("{title}:"), DIM)]];
    if cv.pending.is_empty() {
        chips.push(vec![Span::styled("(empty)", DIM)]);
    }
    for (i, p) in cv.pending.iter().enumerate() {
        let sep = if i + 1 < cv.pending.len() { "," } else { "" };
        let entry = format!("{p}{sep}");
        if Line::raw(entry.as_str()).width() <= w {
            chips.push(vec![Span::styled(entry, style)]);
        } else {
            out.extend(flow(std::mem::take(&mut chips), " ", w));
            out.extend(wrap(&entry, w).into_iter().map(|l| Line::styled(l, style)));
        }
    }
    out.extend(flow(chips, " ", w));
    out
}

/// ARM: the newest write of each word the core has seen.
fn seen_line(cv: &CoreView) -> Option<String> {
    if cv.seen.is_empty() {
        return None;
    }
    let parts: Vec<String> = cv
        .seen
        .iter()
        .map(|(w, ts, step)| match step {
            Some(s) => format!("{w} up to the write at step {s} (t{ts})"),
            None => format!("{w} up to t{ts}"),
        })
        .collect();
    Some(format!("has seen {}", parts.join(", ")))
}

/// The timed scheduler's look ahead: when each of the core's next steps completes.
fn timing_lines(cv: &CoreView, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (label, at) in cv.timing.iter().take(3) {
        let what = label.split_once(": ").map(|(_, r)| r).unwrap_or(label);
        for l in wrap(&format!("completes at cycle {at}: {what}"), w) {
            out.push(Line::styled(l, Style::new().fg(Color::LightBlue)));
        }
    }
    out
}

/// The compact cell's lines, most important first.
fn compact_lines(app: &App, snap: &Snapshot, cv: &CoreView, w: usize, regs: bool) -> Vec<Line<'static>> {
    compact_sections(app, snap, cv, w, regs).into_iter().flat_map(|(_, l)| l).collect()
}

/// A compact cell's sections in display order, each with its priority (0
/// goes last): the store buffer stays longest, then the next instruction and
/// what it waits for; the registers go first.
fn compact_sections(app: &App, snap: &Snapshot, cv: &CoreView, w: usize, regs: bool) -> Vec<(u8, Vec<Line<'static>>)> {
    let mut out = vec![(5, vec![next_line(cv)])];
    if let (Some(b), false) = (&cv.waits, app.hiding()) {
        let st = Style::new().fg(Color::LightYellow);
        out.push((4, wrap(&b.short, w).into_iter().map(|l| Line::styled(l, st)).collect()));
    }
    out.push((6, pending_lines(snap, cv, w)));
    if let Some(q) = &cv.queue {
        out.push((3, vec![Line::from(vec![Span::styled("queue: ", DIM), Span::raw(q.clone())])]));
    }
    if let Some(s) = seen_line(cv) {
        let st = Style::new().fg(Color::LightMagenta);
        out.push((2, wrap(&s, w).into_iter().map(|l| Line::styled(l, st)).collect()));
    }
    out.push((1, timing_lines(cv, w)));
    if regs {
        out.push((0, reg_lines(cv, w)));
    }
    out
}

/// The lines of a compact cell with `room` rows: lowest priorities dropped
/// first; a section that still does not fit is cut, the store buffer last.
fn fit_sections(mut secs: Vec<(u8, Vec<Line<'static>>)>, room: usize, w: usize) -> Vec<Line<'static>> {
    let total = |s: &[(u8, Vec<Line<'static>>)]| s.iter().map(|(_, l)| l.len()).sum::<usize>();
    while total(&secs) > room {
        let Some(low) =
            secs.iter().enumerate().filter(|(_, (_, l))| !l.is_empty()).min_by_key(|(_, (p, _))| *p).map(|(i, _)| i)
        else {
            break;
        };
        if secs[low].0 < 4 {
            secs[low].1.clear();
            continue;
        }
        // Only the top three are left: shorten the longest (the lower priority on a tie), else drop the lowest.
        let long = secs
            .iter()
            .enumerate()
            .filter(|(_, (_, l))| l.len() > 1)
            .max_by_key(|(_, (p, l))| (l.len(), u8::MAX - *p))
            .map(|(i, _)| i);
        match long {
            Some(j) => {
                secs[j].1.pop();
                mark_cut(secs[j].1.last_mut(), w);
            }
            None => secs[low].1.clear(),
        }
    }
    let mut lines: Vec<Line<'static>> = secs.into_iter().flat_map(|(_, l)| l).collect();
    lines.truncate(room);
    lines
}

/// Ends a line whose continuation was left out with " …" (in its first
/// span's style), within `w` columns.
fn mark_cut(line: Option<&mut Line<'static>>, w: usize) {
    let Some(line) = line else { return };
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let mut text: String = line.spans.iter().map(|s| s.content.to_string()).collect();
    while !text.is_empty() && Line::raw(text.trim_end()).width() + 2 > w {
        text.pop();
    }
    *line = Line::styled(format!("{} …", text.trim_end()), style);
}

fn compact_cell(app: &App, snap: &Snapshot, c: usize, cv: &CoreView, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let room = area.height.saturating_sub(2) as usize;
    let mut lines = fit_sections(compact_sections(app, snap, cv, w, false), room, w);
    if lines.len() < room {
        lines = fit_sections(compact_sections(app, snap, cv, w, true), room, w);
    }
    Paragraph::new(lines)
        .block(Block::bordered().title(Span::styled(core_title(c, cv), TITLE)).border_style(DIM))
        .render(area, buf);
}

/// Rows a roomy cell needs at least (a few listing lines and every box).
fn roomy_min(cv: &CoreView, w: usize) -> u16 {
    let state = state_lines(cv, w, false).len() as u16 + 2;
    let pend = (pending_rows(cv, w) + 2).min(6);
    let queue = if cv.queue.is_some() { 3 } else { 0 };
    7 + state + pend + queue
}

/// Rows the roomy store buffer (or promises) box needs: each entry wrapped.
fn pending_rows(cv: &CoreView, w: usize) -> u16 {
    cv.pending.iter().map(|p| wrap(p, w).len() as u16).sum::<u16>().max(1)
}

fn roomy_cell(app: &App, snap: &Snapshot, c: usize, cv: &CoreView, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let state_lines = state_lines(cv, w, app.hiding());
    let pend_h = (pending_rows(cv, w) + 2).min(6);
    let queue_h = if cv.queue.is_some() { 3 } else { 0 };
    let state_h = state_lines.len() as u16 + 2;
    let [code, state, pend, queue] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(state_h),
        Constraint::Length(pend_h),
        Constraint::Length(queue_h),
    ])
    .areas(area);
    listing(
        app.listing(),
        cv,
        Block::bordered().title(Span::styled(core_title(c, cv), TITLE)).border_style(DIM),
        code,
        buf,
    );
    Paragraph::new(state_lines).block(block("Registers · interrupts")).render(state, buf);
    let pend_style = if cv.pending_changed { CHANGED } else { Style::new() };
    let pend_lines: Vec<Line> = if cv.pending.is_empty() {
        vec![Line::styled("(empty)", DIM)]
    } else {
        cv.pending.iter().flat_map(|p| wrap(p, w)).map(|l| Line::styled(l, pend_style)).collect()
    };
    let ptitle = format!("{} (oldest first)", in_flight_title(snap.in_flight));
    Paragraph::new(pend_lines).block(block(ptitle)).render(pend, buf);
    if let Some(q) = &cv.queue {
        Paragraph::new(Line::raw(q.clone())).block(block("irq_work queue")).render(queue, buf);
    }
}

/// The registers, packed into lines of width `w`.
fn reg_lines(cv: &CoreView, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
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

/// Interrupt state, blocked reason, model notes, what it has seen, timing and registers, wrapped.
fn state_lines(cv: &CoreView, w: usize, hiding: bool) -> Vec<Line<'static>> {
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
    if !hiding {
        if let Some(b) = &cv.waits {
            for l in wrap(&b.full, w) {
                out.push(Line::styled(l, Style::new().fg(Color::LightYellow)));
            }
        }
        for n in &cv.notes {
            for l in wrap(n, w) {
                out.push(Line::styled(l, Style::new().fg(Color::LightMagenta)));
            }
        }
    }
    if let Some(s) = seen_line(cv) {
        for l in wrap(&s, w) {
            out.push(Line::styled(l, Style::new().fg(Color::LightMagenta)));
        }
    }
    out.extend(timing_lines(cv, w));
    out.extend(reg_lines(cv, w));
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

/// Width of the memory pane: wide enough for its rows (wider on a model that keeps every write).
fn memory_width(snap: &Snapshot, total: u16) -> u16 {
    let history = snap.memory.iter().any(|m| !m.history.is_empty());
    if history {
        return (total * 2 / 5).max(30.min(total));
    }
    let want = snap.memory.iter().map(|m| m.name.len() + m.text.len() + m.note.len() + 5).max().unwrap_or(10) as u16;
    want.min(total / 3).max(18.min(total))
}

fn history_text(e: &HistoryEntry) -> String {
    match (e.by, e.promise) {
        (None, _) => format!("{} (initial)", e.text),
        (Some(c), Some(Some(w))) => {
            format!("{} (t{}, core {c}: promised at step {}, written at step {w})", e.text, e.ts, e.made.unwrap_or(0))
        }
        (Some(c), Some(None)) => {
            format!("{} (t{}, core {c}: promised at step {}, not yet written)", e.text, e.ts, e.made.unwrap_or(0))
        }
        (Some(c), None) => match e.made {
            Some(s) => format!("{} (t{}, core {c}, step {s})", e.text, e.ts),
            None => format!("{} (t{}, core {c})", e.text, e.ts),
        },
    }
}

/// A data word's note in fewer columns.
fn short_note(note: &str) -> String {
    note.replace("func() has not read it", "not read").replace("func() last read", "read")
}

/// One word: `name value  note`, or on a model that keeps every write, its writes oldest first.
fn memory_row(m: &MemRow, name_w: usize, val_w: usize, w: usize) -> Vec<Line<'static>> {
    let st = if m.changed { CHANGED } else { Style::new() };
    let note_style = if m.name == "flags" { st.fg(Color::LightMagenta) } else { DIM };
    if m.history.is_empty() {
        let mut spans =
            vec![Span::raw(format!("{:<name_w$} ", m.name)), Span::styled(format!("{:>val_w$}", m.text), st)];
        if !m.note.is_empty() {
            let used = name_w + 1 + val_w.max(m.text.len()) + 2;
            let note = if used + m.note.chars().count() > w { short_note(&m.note) } else { m.note.clone() };
            spans.push(Span::styled(format!("  {note}"), note_style));
        }
        return vec![Line::from(spans)];
    }
    // Continuation lines are indented under the values: every line leaves room for that.
    let flow_w = w.saturating_sub(name_w + 1).max(1);
    let mut chips: Vec<Vec<Span<'static>>> = vec![vec![Span::raw(format!("{:<name_w$}", m.name))]];
    let n = m.history.len();
    for (i, e) in m.history.iter().enumerate() {
        let arrow = if i + 1 < n { " →" } else { "" };
        let style = if i + 1 == n { st.add_modifier(Modifier::BOLD) } else { DIM };
        let entry = format!("{}{arrow}", history_text(e));
        if Line::raw(entry.as_str()).width() <= flow_w {
            chips.push(vec![Span::styled(entry, style)]);
        } else {
            // Wider than the pane (a promise with when it was written): word by word, nothing cut.
            chips.extend(entry.split(' ').map(|word| vec![Span::styled(word.to_string(), style)]));
        }
    }
    if !m.note.is_empty() {
        let note = m.note.strip_prefix('(').and_then(|n| n.strip_suffix(')')).unwrap_or(&m.note);
        chips.push(vec![Span::styled(format!("[{note}]"), note_style)]);
    }
    let mut out = flow(chips, " ", flow_w);
    for l in out.iter_mut().skip(1) {
        l.spans.insert(0, Span::raw(" ".repeat(name_w + 1)));
    }
    out
}

/// The memory pane's lines: one (or a few) per word when `max` rows allow;
/// else, on a model that keeps every write, as many words' histories whole
/// as fit (the flag word first, then words with a promise), the other words
/// flowed after them; else every word flowed into fewer lines, the flag word first.
fn memory_lines(snap: &Snapshot, w: usize, max: usize) -> Vec<Line<'static>> {
    let name_w = snap.memory.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let val_w = snap.memory.iter().map(|m| m.text.len()).max().unwrap_or(0);
    let mut rows: Vec<&MemRow> = snap.memory.iter().collect();
    rows.sort_by_key(|m| m.name != "flags");
    let full: Vec<Line> = rows.iter().flat_map(|m| memory_row(m, name_w, val_w, w)).collect();
    if full.len() <= max {
        return full;
    }
    let with = |whole: &[bool]| -> Vec<Line<'static>> {
        let mut out: Vec<Line> = Vec::new();
        let mut rest = Vec::new();
        for (m, &keep) in rows.iter().zip(whole) {
            if keep {
                out.extend(memory_row(m, name_w, val_w, w));
            } else {
                rest.push(*m);
            }
        }
        let mut flowed = flowed_memory(&rest, w);
        // The flag word stays on top even when only its newest value shows.
        if rest.first().is_some_and(|m| m.name == "flags") && !flowed.is_empty() {
            out.insert(0, flowed.remove(0));
        }
        out.extend(flowed);
        out
    };
    let mut whole = vec![false; rows.len()];
    let mut order: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].history.len() > 1).collect();
    order.sort_by_key(|&i| (rows[i].name != "flags", !rows[i].history.iter().any(|e| e.promise.is_some()), i));
    for i in order {
        whole[i] = true;
        if with(&whole).len() > max {
            whole[i] = false;
        }
    }
    with(&whole)
}

/// Every word as a chip with its newest value, the flag word on its own (first) line.
fn flowed_memory(rows: &[&MemRow], w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut chips = Vec::new();
    for m in rows.iter().copied() {
        let st = if m.changed { CHANGED } else { Style::new() };
        let mut chip = vec![Span::raw(format!("{} ", m.name)), Span::styled(m.text.clone(), st)];
        if !m.note.is_empty() {
            let note = short_note(&m.note);
            let note = if note.starts_with('(') { note } else { format!("({note})") };
            chip.push(Span::styled(
                format!(" {note}"),
                if m.name == "flags" { st.fg(Color::LightMagenta) } else { DIM },
            ));
        }
        if m.name == "flags" {
            out.push(Line::from(chip));
        } else {
            chips.push(chip);
        }
    }
    out.extend(flow(chips, " · ", w));
    out
}

pub fn memory(snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let history = snap.memory.iter().any(|m| !m.history.is_empty());
    let w = area.width.saturating_sub(2) as usize;
    let long = "Memory: every write, oldest first";
    let title = match history {
        false => "Memory",
        true if long.chars().count() <= w => long,
        true => "Memory: writes, oldest first",
    };
    let lines = memory_lines(snap, w, area.height.saturating_sub(2) as usize);
    Paragraph::new(lines).block(block(cut(title, w))).render(area, buf);
}

/// A hint mark for one enabled transition.
fn hint(h: Option<&FromHere>) -> Span<'static> {
    match h {
        Some(FromHere::Reachable { steps: 0 }) => Span::styled(" → lost work", Style::new().fg(Color::LightRed)),
        Some(FromHere::Reachable { steps }) => Span::styled(
            format!(" → lost work reachable ({steps} step{})", crate::app::plural(*steps)),
            Style::new().fg(Color::LightRed),
        ),
        Some(FromHere::Safe { .. }) => Span::styled(" → safe from here", Style::new().fg(Color::LightGreen)),
        Some(FromHere::Bounded) => Span::styled(" → search bounded", DIM),
        None => Span::styled(" → searching…", DIM),
    }
}

/// One row of the transition list: its lines in full, its one-line form,
/// and how much it matters when the pane is too small for every row.
struct ListRow {
    full: Vec<Line<'static>>,
    /// A short form of a few lines (a waiting step: what it waits for), else the one line.
    mid: Vec<Line<'static>>,
    one: Line<'static>,
    keep: u8,
}

impl ListRow {
    /// The row's lines in form `f` (0: one line, 1: short, 2: full).
    fn lines(&self, f: u8) -> usize {
        match f {
            0 => 1,
            1 => self.mid.len(),
            _ => self.full.len(),
        }
    }
}

/// Which rows of `rows` to show in `h` lines, and in which form (0: one
/// line, 1: short, 2: full): rows are taken by `keep` (then in order) while
/// their one-line forms fit, then widened to their short form and then to
/// full in the same order while the lines fit.
fn fit_rows(rows: &[ListRow], h: usize) -> Vec<Option<u8>> {
    let total: usize = rows.iter().map(|r| r.full.len()).sum();
    if total <= h {
        return vec![Some(2); rows.len()];
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (u8::MAX - rows[i].keep, i));
    let mut shown = vec![None; rows.len()];
    let mut used = 0;
    for &i in &order {
        if used < h {
            shown[i] = Some(0);
            used += 1;
        }
    }
    for form in [1, 2] {
        for &i in &order {
            let Some(now) = shown[i] else { continue };
            let extra = rows[i].lines(form).saturating_sub(rows[i].lines(now));
            if extra > 0 && used + extra <= h {
                shown[i] = Some(form);
                used += extra;
            }
        }
    }
    shown
}

/// A line cut to `w` columns, ending in " …" when something was left out.
fn one_line(text: &str, w: usize, style: Style) -> Line<'static> {
    let lines = wrap(text, w);
    let mut line = Line::styled(lines.first().cloned().unwrap_or_default(), style);
    if lines.len() > 1 {
        mark_cut(Some(&mut line), w);
    }
    line
}

/// The enabled transitions, numbered, wrapped, the selected one reversed;
/// then those that must wait, greyed, with the reason. When the pane is too
/// small for all of them, rows become one line each and the selected row and
/// the waiting step that the why-safe banner names stay on screen (rows that
/// do not fit are counted in the title).
pub fn enabled(app: &App, area: Rect, buf: &mut Buffer) {
    let snap = app.session().snap();
    let w = area.width.saturating_sub(2) as usize;
    let h = area.height.saturating_sub(2) as usize;
    let title = if app.session().plan().is_some() {
        format!("Enabled transitions on {} (▶ = the trace's next step)", snap.model.title())
    } else {
        format!("Enabled transitions on {} (1-9, ↑↓ Enter)", snap.model.title())
    };
    if app.hiding() {
        let lines: Vec<Line> = wrap(&format!("({HIDDEN})"), w).into_iter().map(|l| Line::styled(l, DIM)).collect();
        Paragraph::new(lines).block(block(cut("Enabled transitions", w))).render(area, buf);
        return;
    }
    let hints = app.hints();
    let text_w = w.saturating_sub(3).max(1);
    let mut rows: Vec<ListRow> = Vec::new();
    for (i, r) in snap.enabled.iter().enumerate() {
        let num = if i < 9 { format!("{}", i + 1) } else { " ".into() };
        let mark = if r.planned { "▶" } else { " " };
        let mut st = if r.planned { Style::new().fg(Color::LightMagenta) } else { Style::new() };
        if i == app.selected() {
            st = st.add_modifier(Modifier::REVERSED);
        }
        let mark_span = hints.map(|h| hint(h.and_then(|h| h.get(i))));
        let mut chips: Vec<Vec<Span<'static>>> =
            r.label.split(' ').map(|word| vec![Span::styled(word.to_string(), st)]).collect();
        if let Some(m) = mark_span.clone() {
            chips.push(vec![m]);
        }
        let head = format!("{num}{mark} ");
        let full = flow(chips, " ", text_w)
            .into_iter()
            .enumerate()
            .map(|(k, mut l)| {
                let h = if k == 0 { head.clone() } else { "   ".into() };
                l.spans.insert(0, Span::styled(h, st));
                l
            })
            .collect();
        // One line: the hint mark first (it is the point of hint mode), then the label.
        let one_text = match &mark_span {
            Some(m) => format!("{head}{}: {}", m.content.trim_start_matches(" → "), r.label),
            None => format!("{head}{}", r.label),
        };
        let keep = if i == app.selected() { 3 } else { u8::from(r.planned) };
        let one = one_line(&one_text, w, st);
        rows.push(ListRow { full, mid: vec![one.clone()], one, keep });
    }
    let greyed = |text: &str| -> Vec<Line<'static>> {
        wrap(text, text_w)
            .into_iter()
            .enumerate()
            .map(|(k, l)| Line::styled(format!("{}{l}", if k == 0 { "–  " } else { "   " }), DIM))
            .collect()
    };
    for b in &snap.blocked {
        let full = greyed(&format!("{} — {}", b.label, b.waits.full));
        // Short: the instruction's mnemonic and what it waits for, in two lines at most.
        let what = b.label.split_once(": ").map(|(c, i)| (c, i.split(' ').next().unwrap_or(i)));
        let short = match what {
            Some((core, op)) => format!("{core}: {op} {}", b.waits.short),
            None => format!("{} {}", b.label, b.waits.short),
        };
        let mut mid = greyed(&short);
        if mid.len() > 2 {
            mid.truncate(2);
            mark_cut(mid.last_mut(), w);
        }
        let keep = if app.session().safe_wait() == Some(b.core) { 3 } else { 2 };
        rows.push(ListRow { full, mid, one: one_line(&format!("–  {short}"), w, DIM), keep });
    }
    let shown = fit_rows(&rows, h);
    let hidden = shown.iter().filter(|s| s.is_none()).count();
    let mut lines: Vec<Line> = Vec::new();
    for (r, s) in rows.into_iter().zip(&shown) {
        match s {
            Some(2) => lines.extend(r.full),
            Some(1) => lines.extend(r.mid),
            Some(_) => lines.push(r.one),
            None => {}
        }
    }
    lines.truncate(h);
    if lines.is_empty() {
        lines.push(Line::styled("(none: the run is over)", DIM));
    }
    let title = if hidden > 0 { format!("Transitions · {hidden} not shown") } else { title };
    Paragraph::new(lines).block(block(cut(&title, w))).render(area, buf);
}

/// The event log's lines, newest last: chosen steps numbered, register-only
/// steps folded into one dim line per run. Wrapped lines keep every word.
pub fn log_lines(s: &Session, w: usize, h: usize) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = Vec::new();
    // Only the tail can show: every entry takes at least one line, a run of
    // register-only steps one line for all.
    let from = s.log().len().saturating_sub(h.saturating_mul(8));
    let log = &s.log()[from..];
    let indent = "     ";
    let body_w = w.saturating_sub(indent.len()).max(1);
    let push = |out: &mut Vec<Line<'static>>, head: String, text: &str, style: Style| {
        for (k, l) in wrap(text, body_w).into_iter().enumerate() {
            let h = if k == 0 { head.clone() } else { indent.to_string() };
            out.push(Line::styled(format!("{h}{l}"), style));
        }
    };
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
                push(&mut out, indent.to_string(), &text, DIM);
                i = j;
                continue;
            }
            LogKind::Step => push(&mut out, format!("{:>3}. ", e.step), &e.text, Style::new()),
            LogKind::Note => push(&mut out, "   ─ ".into(), &e.text, Style::new().fg(Color::LightBlue)),
            LogKind::Alert => push(&mut out, "   ! ".into(), &e.text, super::BAD),
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
