//! The lesson of docs/classroom.md, played by a test: the whole default demo
//! script at 80×24 and at 160×50, every caption and every predict pause, as
//! insta snapshots, with what a classroom needs asserted on every screen.

mod common;

use common::*;
use tui::keys::Action;
use tui::view::HIDDEN;

/// One screen of the lesson: where the demo is, and the text on screen.
struct Shot {
    caption: usize,
    asking: bool,
    /// What would answer a question is hidden (asked now, or asked next).
    hiding: bool,
    text: String,
}

/// Plays the default script from the start to its last caption, rendering
/// every screen (a caption shown, a question asked, its answer revealed) at `w`×`h`.
fn lesson(w: u16, h: u16) -> Vec<Shot> {
    let script = tui::demo::parse(tui::demo::DEFAULT_SCRIPT, "irq_work.toml").expect("the script parses");
    let mut app = racy_tso();
    tui::demo::start(&mut app, script);
    app.settle();
    let mut shots = Vec::new();
    for _ in 0..100 {
        let d = app.demo().expect("the demo runs");
        assert!(d.problems().is_empty(), "script problems: {:?}", d.problems());
        shots.push(Shot {
            caption: d.pos() + 1,
            asking: d.asking(),
            hiding: app.hiding(),
            text: plain(&screen(&app, w, h)),
        });
        if d.at_end() {
            return shots;
        }
        app.update(Action::DemoNext);
        app.settle();
    }
    panic!("the demo did not reach its end in 100 presses");
}

/// What every screen of the lesson must show, and what a pause must not.
fn check(shots: &[Shot], w: u16, h: u16) {
    for s in shots {
        let at = format!("{w}×{h}, caption {}{}:\n{}", s.caption, if s.asking { " (asking)" } else { "" }, s.text);
        assert!(s.text.contains("flags "), "the flag word is not on screen at {at}");
        let buffers = s.text.matches("Store buffer").count() + s.text.matches("Promised writes").count();
        assert!(buffers >= 2, "both cores' store buffers are not on screen at {at}");
        let status = s.text.lines().take(2).collect::<Vec<_>>().join(" ");
        assert!(
            ["running", "LOST WORK", "quiescent"].iter().any(|v| status.contains(v)),
            "the verdict is not in the status line at {at}"
        );
        assert!(!s.text.contains("…x shows"), "{at}");
        assert!(!s.asking || s.hiding, "{at}");
        if s.hiding {
            // Nothing that would answer the question: no transition list, no `waits` line, no verdict from here.
            assert!(s.text.contains(&HIDDEN[..20]), "the transitions are not hidden at {at}");
            for answer in ["waits:", "waits for", "from here", "WHY SAFE", "steps away"] {
                assert!(!s.text.contains(answer), "{answer:?} gives the answer away at {at}");
            }
        }
    }
    // Caption 8, after its question: the moment CPU 1's cmpxchg waits, with the why-safe banner.
    let eight = shots.iter().rfind(|s| s.caption == 8 && !s.asking).expect("caption 8 revealed");
    for want in ["WHY SAFE", "Core 1's claim", "cannot run yet", "waits for data1 := 1 to drain"] {
        assert!(eight.text.contains(want), "caption 8 lacks {want:?} at {w}×{h}:\n{}", eight.text);
    }
    // The step the question is about stays in the transition list, greyed, with what it waits for.
    assert!(
        eight.text.lines().any(|l| l.contains("│–  core 1: cmpxchg") && l.contains("waits")),
        "core 1's waiting cmpxchg is not in the transition list at {w}×{h}:\n{}",
        eight.text
    );
}

/// The help at `w`×`h`, scrolled to the end page by page: every line of it
/// appears on some page, whole.
fn check_help(w: u16, h: u16) {
    let mut app = racy_tso();
    let want: Vec<String> = tui::view::help_lines(&app, (110.min(w) - 2) as usize)
        .iter()
        .map(|l| l.to_string().trim_end().to_string())
        .collect();
    drive(&mut app, w, h, "?");
    let mut seen = String::new();
    for _ in 0..want.len() {
        seen.push_str(&plain(&screen(&app, w, h)));
        seen.push('\n');
        drive(&mut app, w, h, "<down>");
    }
    for l in &want {
        assert!(l.chars().count() <= 108, "a help line wider than the box: {l:?}");
        assert!(seen.contains(l.as_str()), "help line never shown whole at {w}×{h}: {l:?}");
    }
}

fn snapshot(shots: &[Shot]) -> String {
    let mut out = String::new();
    for s in shots {
        out.push_str(&format!("===== caption {}{}\n", s.caption, if s.asking { " · asking" } else { "" }));
        out.push_str(&s.text);
        out.push('\n');
    }
    out
}

#[test]
fn the_lesson_at_80x24() {
    let shots = lesson(80, 24);
    check(&shots, 80, 24);
    check_help(80, 24);
    insta::assert_snapshot!(snapshot(&shots));
}

#[test]
fn the_lesson_at_160x50() {
    let shots = lesson(160, 50);
    check(&shots, 160, 50);
    check_help(160, 50);
    insta::assert_snapshot!(snapshot(&shots));
}

/// In front of a class nothing quits by accident: Esc never quits (main
/// screen, demo, popups), and `q` in the demo asks once.
#[test]
fn esc_never_quits_and_q_in_the_demo_asks() {
    let mut app = racy_tso();
    drive(&mut app, 80, 24, "<esc><esc>?<esc>x<esc>m<esc>v<esc><esc>");
    assert!(!app.quit(), "Esc quit the main screen");
    let script = tui::demo::parse(tui::demo::DEFAULT_SCRIPT, "irq_work.toml").expect("parses");
    let mut demo = racy_tso();
    tui::demo::start(&mut demo, script);
    demo.settle();
    drive(&mut demo, 80, 24, " <esc><esc> ?<esc><esc>");
    assert!(!demo.quit() && demo.demo().is_some(), "Esc left the demo");
    drive(&mut demo, 80, 24, "q");
    assert!(!demo.quit(), "q quit the demo without asking");
    assert_eq!(*demo.overlay(), tui::app::Overlay::ConfirmQuit);
    drive(&mut demo, 80, 24, "<esc>");
    assert!(!demo.quit() && demo.demo().is_some(), "Esc on the question quit");
    drive(&mut demo, 80, 24, "qq");
    assert!(demo.quit(), "q, then q again, quits");
}
