//! Whole-screen snapshots after scripted key presses (TestBackend + insta).

mod common;

use common::*;
use tui::Status;
use workloads::Variant;

/// The keys that reproduce the racy/TSO race by picking transitions.
const RACE: &str = "111211111111111111111";

#[test]
fn race_digits_are_the_shortest_counterexample() {
    assert_eq!(counterexample_digits(Variant::BusyXchg, "tso"), RACE, "update RACE");
}

#[test]
fn opening_screen() {
    let mut app = racy_tso();
    let t = drive(&mut app, 160, 50, "");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn mid_race_with_a_buffered_store() {
    let mut app = racy_tso();
    // Up to core 1's load of flags, which reads 3 while data1 := 1 waits in core 1's store buffer.
    let t = drive(&mut app, 140, 45, &RACE[..8]);
    assert!(app.session().snap().cores[1].pending.iter().any(|p| p.starts_with("data1 := 1")));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn lost_work_banner() {
    let mut app = racy_tso();
    let t = drive(&mut app, 140, 45, RACE);
    assert!(matches!(app.session().status(), Status::Violation(_)), "{:?}", app.session().status());
    insta::assert_snapshot!(t.backend());
}

#[test]
fn side_by_side_fixed_tso_and_arm() {
    let mut app = racy_tso();
    // The race by hand, the fixed variant (two presses of v), then the split view with ARM on the right.
    let t = drive(&mut app, 160, 50, &format!("{RACE}v4t"));
    let sp = app.split().expect("split");
    assert_eq!(sp.session().model().name(), "arm");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn help() {
    let mut app = racy_tso();
    let t = drive(&mut app, 140, 45, "?");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn found_counterexample_on_arm() {
    let mut app = app(Variant::ClaimCmpxchg, "arm", 2);
    let t = drive(&mut app, 140, 45, "fr");
    assert!(matches!(app.session().status(), Status::Violation(_)), "{:?}", app.session().status());
    insta::assert_snapshot!(t.backend());
}

#[test]
fn eight_cores() {
    let mut app = app(Variant::BusyXchg, "tso", 8);
    let t = drive(&mut app, 160, 50, "   ");
    insta::assert_snapshot!(t.backend());
}

/// ARM's memory pane: every write of each word, oldest first, with its
/// timestamp, writer and step; a promise with when it was promised and when
/// its store wrote it (or that it has not yet).
#[test]
fn arm_memory_history_pane() {
    use tui::Action;
    let mut a = app(Variant::ClaimCmpxchg, "arm", 2);
    a.update(Action::TogglePromises);
    let pick = |a: &mut tui::App, label: &str| {
        let i = a.session().snap().enabled.iter().position(|r| r.label.starts_with(label));
        a.update(Action::Pick(i.unwrap_or_else(|| panic!("no {label:?}: {:#?}", a.session().snap().enabled))));
    };
    pick(&mut a, "core 1: promises data1 := 1");
    pick(&mut a, "core 0: store [data], val");
    pick(&mut a, "core 1: store [data], val — data1 := 1, fulfilling");
    pick(&mut a, "core 1: promises flags := 3");
    pick(&mut a, "core 0: load want, [flags] — reads 0");
    a.settle();
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(70, 16)).expect("terminal");
    t.draw(|f| tui::view::memory_pane(&a, f.area(), f.buffer_mut())).expect("draw");
    let text = plain(&t.backend().to_string());
    for want in [
        "Memory: every write, oldest first",
        "1 (t1, core 1: promised at step 1, written at step 3)",
        "(t3, core 1: promised at step 4, not yet written)",
        "(t2, core 0, step 2)",
        "(initial)",
    ] {
        assert!(text.contains(want), "{want:?} not in the memory pane:\n{text}");
    }
    insta::assert_snapshot!(text);
}

/// At 80×24 on ARM with promises, a promise entry (with the store that
/// fulfils it) and a word's write history are drawn whole: wrapped at spaces
/// inside their boxes, not cut at the border.
#[test]
fn arm_promises_and_history_whole_at_80x24() {
    use tui::Action;
    let mut a = app(Variant::ClaimCmpxchg, "arm", 2);
    a.update(Action::TogglePromises);
    let pick = |a: &mut tui::App, label: &str| {
        let i = a.session().snap().enabled.iter().position(|r| r.label.starts_with(label));
        a.update(Action::Pick(i.unwrap_or_else(|| panic!("no {label:?}: {:#?}", a.session().snap().enabled))));
    };
    pick(&mut a, "core 1: promises data1 := 1");
    pick(&mut a, "core 0: store [data], val");
    pick(&mut a, "core 1: store [data], val — data1 := 1, fulfilling");
    a.settle();
    // Histories that fit are whole; the flag word stays on top though only its initial value shows.
    let text = plain(&screen(&a, 80, 24));
    let mem = box_text(&text, "Memory");
    assert!(mem.starts_with("flags 0"), "the flag word is not first ({mem:?}):\n{text}");
    assert!(mem.contains("1 (t1, core 1: promised at step 1, written at step 3)"), "{mem:?}:\n{text}");
    pick(&mut a, "core 1: promises flags := 3");
    a.settle();
    let text = plain(&screen(&a, 80, 24));
    let pending = &a.session().snap().cores[1].pending;
    assert!(pending.iter().any(|p| p.len() > 38), "an entry wider than the cell: {pending:?}");
    let core1 = box_text(&text, "Core 1");
    for p in pending {
        assert!(core1.contains(p.as_str()), "{p:?} not whole in core 1's box ({core1:?}):\n{text}");
    }
    let mem = box_text(&text, "Memory");
    for want in ["flags 0 (initial) → 3 (t3, core 1: promised at step 4, not yet written) [PENDING|BUSY]", "data1 1"]
    {
        assert!(mem.contains(want), "{want:?} not whole in the memory box ({mem:?}):\n{text}");
    }
    insta::assert_snapshot!(text);
}

/// At 80×24, the moment both claims wait on x86 (the fixed variant, the
/// race's first eight choices): each greyed row says in words what it waits
/// for (the store still in its core's buffer), and so does each core's box.
#[test]
fn greyed_rows_say_what_they_wait_for_at_80x24() {
    let mut app = app(Variant::ClaimCmpxchg, "tso", 2);
    let t = drive(&mut app, 80, 24, &RACE[..8]);
    let text = plain(&t.backend().to_string());
    let blocked: Vec<usize> = app.session().snap().blocked.iter().map(|b| b.core).collect();
    assert_eq!(blocked, [0, 1], "both claims wait:\n{text}");
    let list = box_text(&text, "Enabled transitions");
    for want in ["core 0: cmpxchg waits for work := 0 to drain", "core 1: cmpxchg waits for data1 := 1 to drain"] {
        assert!(list.contains(want), "{want:?} not in the transition list ({list:?}):\n{text}");
    }
    for (c, want) in [(0, "waits for work := 0 to drain"), (1, "waits for data1 := 1 to drain")] {
        let cell = box_text(&text, &format!("Core {c}"));
        assert!(cell.contains(want), "core {c}'s box lacks {want:?} ({cell:?}):\n{text}");
    }
    // With room, the row also gives the rule.
    let wide = plain(&screen(&app, 160, 50));
    let list = box_text(&wide, "Enabled transitions");
    assert!(list.contains("waits for data1 := 1 to drain: a locked instruction needs an empty store buffer"), "{wide}");
}
