//! Helpers shared by the TUI tests: build an app, type keys, render a screen.
#![allow(dead_code)]

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui::{Action, App, Input, Options};
use workloads::Variant;

/// The default screen: irq_work racy, TSO, 2 cores, seed 1.
pub fn racy_tso() -> App {
    app(Variant::BusyXchg, "tso", 2)
}

pub fn app(v: Variant, m: &str, cores: usize) -> App {
    let mut o = Options::irq_work(v, sim::models::get(m).expect("a model"), cores, 1);
    o.save_dir = std::env::temp_dir();
    let mut a = App::new(o).expect("app");
    a.settle();
    a
}

/// Key events for a string of keys: each char is a key; `<enter>`, `<esc>`,
/// `<up>`, `<down>`, `<left>`, `<right>`, `<bs>`, `<pgup>`, `<pgdn>` name the others.
pub fn keys(s: &str) -> Vec<Event> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let code = match &rest[1..end] {
                    "enter" => KeyCode::Enter,
                    "esc" => KeyCode::Esc,
                    "up" => KeyCode::Up,
                    "down" => KeyCode::Down,
                    "left" => KeyCode::Left,
                    "right" => KeyCode::Right,
                    "bs" => KeyCode::Backspace,
                    "pgup" => KeyCode::PageUp,
                    "pgdn" => KeyCode::PageDown,
                    other => panic!("unknown key <{other}>"),
                };
                out.push(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
                rest = &rest[end + 1..];
                continue;
            }
        }
        out.push(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Runs the event loop on a `w`×`h` TestBackend with the given keys, each
/// followed by a wait for the searches it started (a patient user); returns the terminal.
pub fn drive(app: &mut App, w: u16, h: u16, input: &str) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let mut events = keys(input).into_iter().flat_map(|e| [Input::Event(e), Input::Settle]);
    tui::run(&mut t, app, |_| Ok(events.next().unwrap_or(Input::End))).expect("run");
    t
}

/// The whole screen as text.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| f.render_widget(app, f.area())).expect("draw");
    t.backend().to_string()
}

/// The screen's text without the quotes TestBackend puts around each line.
pub fn plain(screen: &str) -> String {
    screen
        .lines()
        .map(|l| {
            let l = l.strip_prefix('"').unwrap_or(l);
            l.strip_suffix('"').unwrap_or(l).trim_end()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The digits that pick, one by one, the transitions of the shortest
/// counterexample (what a person types to reproduce the race by hand).
pub fn counterexample_digits(v: Variant, m: &str) -> String {
    let mut a = app(v, m, 2);
    a.update(Action::Find);
    a.settle();
    let mut out = String::new();
    while let Some(t) = a.session().planned() {
        let i = a.session().snap().enabled.iter().position(|r| r.t == t).expect("planned step enabled");
        assert!(i < 9, "transition {} is not on a digit", i + 1);
        out.push(char::from(b'1' + i as u8));
        a.update(Action::Pick(i));
    }
    out
}

/// The text inside each box whose top border starts with `┌title` on
/// `screen` (a `plain` screen), top to bottom, left to right, its rows joined
/// by single spaces: a line wrapped inside the box reads as one, a line cut
/// by the border does not.
pub fn boxes_text(screen: &str, title: &str) -> Vec<String> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let head: Vec<char> = format!("┌{title}").chars().collect();
    let mut out = Vec::new();
    for (top, r) in rows.iter().enumerate() {
        for left in (0..r.len()).filter(|&x| r[x..].starts_with(&head)) {
            let right = (left + 1..r.len()).find(|&x| r[x] == '┐').expect("the box's right corner");
            let mut words = Vec::new();
            for row in &rows[top + 1..] {
                if row.get(left) == Some(&'└') {
                    break;
                }
                let inner: String = row.iter().skip(left + 1).take(right - left - 1).collect();
                words.extend(inner.split_whitespace().map(str::to_string));
            }
            out.push(words.join(" "));
        }
    }
    out
}

/// The text of the first box titled `title` (see `boxes_text`).
pub fn box_text(screen: &str, title: &str) -> String {
    boxes_text(screen, title).into_iter().next().unwrap_or_else(|| panic!("no box {title:?} on the screen:\n{screen}"))
}
