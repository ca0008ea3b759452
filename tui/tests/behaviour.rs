//! What the keys do, the replay of choices across models and variants, traces,
//! the demo script, and that no terminal size breaks the screen.

mod common;

use common::*;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui::app::Overlay;
use tui::keys::{self, Action, Mode};
use tui::search::FromHere;
use tui::{App, Input, Status};
use workloads::Variant;

/// The keys that reproduce the racy/TSO race by picking transitions (see screens.rs).
const RACE: &str = "111211111111111111111";

fn lost(app: &App) -> bool {
    matches!(app.session().status(), Status::Violation(sim::Violation::LostWork { .. }))
}

/// `check(keys, expect)`: after typing `keys` on the default screen, `expect` holds.
fn check(input: &str, expect: impl Fn(&App) -> bool, what: &str) {
    let mut app = racy_tso();
    drive(&mut app, 120, 40, input);
    assert!(
        expect(&app),
        "after {input:?}: expected {what}; status {:?}, message {:?}",
        app.session().status(),
        app.message()
    );
}

#[test]
fn keys_do_what_the_table_says() {
    check("q", |a| a.quit(), "q quits");
    check("<esc>", |a| !a.quit(), "Esc never quits");
    check("", |a| !a.quit() && a.session().step_no() == 0, "nothing happened");
    check("1", |a| a.session().step_no() == 1, "a digit picks a transition");
    check("12", |a| a.session().step_no() == 2, "two picks");
    check("9", |a| a.session().step_no() == 0 && a.message().is_some(), "a missing transition is refused");
    check("s", |a| a.session().step_no() == 1, "s steps");
    check(" ", |a| a.session().step_no() == 1, "space steps");
    check("  b", |a| a.session().step_no() == 1, "b steps back");
    check("  bbbb", |a| a.session().step_no() == 0, "b stops at the start");
    check("<down><enter>", |a| a.session().choices()[0].t.core() == 1, "arrows and Enter pick the second transition");
    check(RACE, lost, "the race by hand loses work");
    check(&format!("{RACE}b"), |a| a.session().status() == &Status::Running, "stepping back undoes the loss");
    check("r", |a| a.session().status() != &Status::Running, "r runs to the end");
    check("   R", |a| a.session().step_no() == 0, "R restarts");
    check("fr", lost, "f finds the counterexample, r follows it");
    check("f   ", |a| a.session().plan().as_ref().is_some_and(|p| p.pos > 0), "space follows the loaded trace");
    check("m", |a| matches!(a.overlay(), Overlay::Menu { .. }) && a.model().name() == "tso", "m opens the model menu");
    check("m3", |a| a.model().name() == "arm", "m 3: ARM");
    check("m1", |a| a.model().name() == "sc", "m 1: SC");
    check("m<down><enter>", |a| a.model().name() == "arm", "m ↓ Enter: the one below TSO");
    check("m<esc>", |a| a.model().name() == "tso" && *a.overlay() == Overlay::None, "Esc closes the menu");
    check("v4", |a| a.source().variant() == Some(Variant::ClaimCmpxchg), "v 4: straight to the fixed variant");
    check("t", |a| a.split().is_some(), "t opens the split view");
    check("tt", |a| a.split().is_none(), "t closes it");
    check("?", |a| matches!(a.overlay(), Overlay::Help { .. }), "? opens the help");
    check("??", |a| *a.overlay() == Overlay::None, "? closes it");
    check("?<esc>", |a| *a.overlay() == Overlay::None && !a.quit(), "Esc closes it");
    check("?q", |a| a.quit(), "q quits from the help too");
    check("n", |a| a.seed() == 2, "n: next seed");
    check("l", |a| !a.session().reduce(), "l: every instruction a step");
    check("L<esc>", |a| *a.overlay() == Overlay::None, "Esc closes the prompt");
    check("x", |a| matches!(a.overlay(), Overlay::Page { .. }), "x opens the explanation");
    check("x<esc>", |a| *a.overlay() == Overlay::None, "Esc closes it");
}

/// `c` steps one cycle of the timed scheduler: the clock moves one cycle at a
/// time, the transitions that complete are recorded, and `b` undoes a cycle.
#[test]
fn c_steps_one_cycle() {
    check("c", |a| a.session().machine().cycle() == 1, "one cycle");
    check(
        &"c".repeat(40),
        |a| a.session().machine().cycle() == 40 && a.session().step_no() > 0,
        "forty cycles, some transitions",
    );
    check(&("c".repeat(40) + "b"), |a| a.session().machine().cycle() == 39, "back undoes one cycle");
    let mut app = racy_tso();
    drive(&mut app, 120, 40, &"c".repeat(5000));
    assert_ne!(*app.session().status(), Status::Running, "the timed run ends: {:?}", app.session().status());
    assert!(app.session().machine().cycle() > 100, "cycle {}", app.session().machine().cycle());
}

/// `x` explains the run axiomatically: after the race, the log names the
/// store-buffering cycle.
#[test]
fn x_explains_the_race() {
    let mut app = racy_tso();
    drive(&mut app, 120, 40, &format!("{RACE}x"));
    assert!(lost(&app), "the race was reproduced");
    let log: Vec<&str> = app.session().log().iter().map(|e| e.text.as_str()).collect();
    assert!(log.iter().any(|l| l.contains("store-buffering cycle")), "{log:#?}");
}

#[test]
fn every_action_has_a_key_and_the_bar_comes_from_the_table() {
    let main = [Mode::Main];
    let bar: Vec<&str> = keys::bar(&main).map(|b| b.name).collect();
    for want in ["step", "pick", "back", "run", "find", "model", "variant", "split", "explain", "help", "quit"] {
        assert!(bar.contains(&want), "{want} missing from the help bar {bar:?}");
    }
    let screen = screen(&racy_tso(), 160, 50);
    let last = screen.lines().last().unwrap_or_default();
    for b in keys::bar(&main) {
        let k = keys::keys_text(b, &main);
        assert!(!k.is_empty() && last.contains(&k) && last.contains(b.name), "help bar lacks {}: {last}", b.name);
    }
    // In the demo, space is the demo's: the step binding shows only `s`.
    let demo = [Mode::Demo, Mode::Main];
    let step = keys::bar(&demo).find(|b| b.name == "step").expect("step");
    assert_eq!(keys::keys_text(step, &demo), "s");
    let mut actions: Vec<Action> = Vec::new();
    for b in keys::KEYS {
        actions.push((b.action)('1'));
    }
    for a in [
        Action::Step,
        Action::Back,
        Action::Run,
        Action::Restart,
        Action::Find,
        Action::ModelMenu,
        Action::VariantMenu,
        Action::Explain,
        Action::ToggleHints,
        Action::Dismiss,
        Action::ToggleSplit,
        Action::ToggleHelp,
        Action::Quit,
        Action::Save,
        Action::Load,
        Action::DemoNext,
        Action::DemoPrev,
    ] {
        assert!(actions.contains(&a), "{a:?} has no key");
    }
}

#[test]
fn the_same_choices_on_the_fixed_variant_and_on_arm() {
    let mut app = racy_tso();
    drive(&mut app, 120, 40, RACE);
    assert!(lost(&app));
    // Straight to claim-cmpxchg (fixed): the same choices, no lost work.
    drive(&mut app, 120, 40, "v4");
    assert_eq!(app.source().variant(), Some(Variant::ClaimCmpxchg));
    assert_eq!(app.session().status(), &Status::Quiescent, "{:?}", app.message());
    // The fixed claim's cmpxchg drained core 1's store buffer before reading flags.
    assert!(app.session().choices().iter().any(|c| c.label.contains("core 1: drain data1 := 1")));
    // The same (original) choices on ARM lose the work again.
    drive(&mut app, 120, 40, "m3");
    assert_eq!(app.model().name(), "arm");
    assert!(lost(&app), "{:?}", app.session().status());
    assert!(app.session().explanation().iter().any(|l| l.contains("a failed cmpxchg is only a read")));
    // And back on TSO: safe again.
    drive(&mut app, 120, 40, "m2");
    assert_eq!(app.model().name(), "tso");
    assert_eq!(app.session().status(), &Status::Quiescent);
}

#[test]
fn lost_work_explanation_names_the_buffered_store_and_the_stale_load() {
    let mut app = racy_tso();
    drive(&mut app, 120, 40, RACE);
    let e = app.session().explanation().join("\n");
    assert!(e.contains("core 0's func() loaded data1 and read 0"), "{e}");
    assert!(e.contains("core 1's store data1 := 1 (step 3) was still in core 1's store buffer"), "{e}");
    assert!(e.contains("core 1's claim (load want, [flags]) read flags = 3 (PENDING|BUSY)"), "{e}");
}

#[test]
fn find_on_safe_and_unsafe_configurations() {
    for (v, m, loses) in [
        (Variant::BusyXchg, "sc", false),
        (Variant::BusyXchg, "tso", true),
        (Variant::ClaimCmpxchg, "tso", false),
        (Variant::ClaimCmpxchg, "arm", true),
        (Variant::ClaimFetchOr, "arm", false),
    ] {
        let mut a = app(v, m, 2);
        drive(&mut a, 100, 30, "fr");
        assert_eq!(lost(&a), loses, "{v} on {m}: {:?} {:?}", a.session().status(), a.message());
    }
}

#[test]
fn from_here_says_what_the_search_says() {
    let a = app(Variant::ClaimCmpxchg, "tso", 2);
    assert!(matches!(a.session().from_here(), Some(FromHere::Safe { .. })), "{:?}", a.session().from_here());
    let a = racy_tso();
    assert!(matches!(a.session().from_here(), Some(FromHere::Reachable { .. })), "{:?}", a.session().from_here());
}

#[test]
fn save_and_load_a_trace_round_trip() {
    let dir = std::env::temp_dir().join(format!("weaksim-tui-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut app = racy_tso();
    app.set_save_dir(dir.clone());
    drive(&mut app, 120, 40, &format!("{RACE}S"));
    let path = app.trace_path().map(|p| p.to_path_buf()).expect("saved");
    let applied = app.session().applied().to_vec();
    // A fresh app loads it (L, the prompt is prefilled with the last path) and follows it to the same end.
    let mut b = racy_tso();
    b.set_trace_path(path.clone());
    drive(&mut b, 120, 40, "L<enter>r");
    assert_eq!(b.session().applied(), applied);
    assert!(lost(&b));
    // The CLI's replay reads it too.
    let text = std::fs::read_to_string(&path).unwrap();
    let tr = sim::Trace::from_json(&text, "t").expect("a valid trace");
    assert_eq!(tr.transitions(), applied);
    std::fs::remove_dir_all(&dir).ok();
}

/// `S` after `c` (the cycle clock) saves each step's cycle: the trace has one
/// per step, as the clock gave them (never going back), and loads back into a
/// session that shows them.
#[test]
fn save_after_cycles_keeps_the_cycles() {
    let dir = std::env::temp_dir().join(format!("weaksim-tui-cycles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut app = racy_tso();
    app.set_save_dir(dir.clone());
    // The clock until well past the cores' start skew, then one step by hand, then save.
    drive(&mut app, 120, 40, &format!("{}1S", "C".repeat(40)));
    let path = app.trace_path().map(|p| p.to_path_buf()).expect("saved");
    let text = std::fs::read_to_string(&path).unwrap();
    let tr = sim::Trace::from_json(&text, "t").expect("a valid trace");
    assert_eq!(tr.transitions(), app.session().applied());
    assert!(tr.steps.len() >= 40, "{} steps", tr.steps.len());
    let cycles = tr.step_cycles().expect("every step has its cycle");
    assert!(cycles.windows(2).all(|w| w[0] <= w[1]), "{cycles:?}");
    assert!(*cycles.last().unwrap() > 0, "{cycles:?}");
    assert_eq!(tr.cycles, *cycles.last().unwrap());
    // Without the clock, a saved run has no cycles.
    let mut plain = racy_tso();
    plain.set_save_dir(dir.clone());
    drive(&mut plain, 120, 40, "1S");
    let text = std::fs::read_to_string(plain.trace_path().expect("saved")).unwrap();
    let tr = sim::Trace::from_json(&text, "t").expect("a valid trace");
    assert!(tr.steps.iter().all(|s| s.cycle.is_none()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn demo_script_plays_to_the_end_without_problems() {
    let script = tui::demo::parse(tui::demo::DEFAULT_SCRIPT, "default").expect("parses");
    let n = script.steps.len();
    let mut app = racy_tso();
    tui::demo::start(&mut app, script);
    app.settle();
    let mut presses = 0;
    while !app.demo().unwrap().at_end() && presses < 100 {
        app.update(Action::DemoNext);
        app.settle();
        let _ = screen(&app, 160, 50);
        presses += 1;
    }
    let d = app.demo().unwrap();
    assert!(d.problems().is_empty(), "script problems: {:?}", d.problems());
    assert_eq!(d.pos(), n - 1);
    // Back one caption from the end, and again.
    app.update(Action::DemoPrev);
    app.update(Action::DemoPrev);
    assert!(app.demo().unwrap().pos() < n - 1);
    assert!(app.demo().unwrap().problems().is_empty());
    // Space after the last caption ends the demo: space steps again.
    tui::demo::goto(&mut app, n - 1);
    app.update(Action::DemoNext);
    assert!(app.demo().is_none());
}

#[test]
fn demo_script_errors_are_reported_with_the_file() {
    let e = tui::demo::parse("title = 1", "x.toml").unwrap_err();
    assert!(matches!(&e, tui::DemoError::Toml { file, .. } if file == "x.toml"), "{e:?}");
    assert!(e.to_string().starts_with("x.toml:"), "{e}");
    let e =
        tui::demo::parse("title = \"t\"\n[[step]]\ntitle = \"a\"\ncaption = \"b\"\ndo = [{ dance = 1 }]\n", "y.toml")
            .unwrap_err();
    assert!(e.to_string().starts_with("y.toml:"), "{e}");
    let e = tui::demo::parse("title = \"t\"\nstep = []\n", "z.toml").unwrap_err();
    assert_eq!(e, tui::DemoError::NoSteps { file: "z.toml".into() });
    assert_eq!(e.to_string(), "z.toml: the script has no [[step]]");
}

/// Every screen an app can show, at every size from 1×1 up: no panic.
#[test]
fn no_panic_at_any_size() {
    let mut states: Vec<App> = Vec::new();
    states.push(racy_tso());
    for input in [&RACE[..8], RACE, &format!("{RACE}v4t"), "?", "L", "fr"] {
        let mut a = racy_tso();
        drive(&mut a, 80, 24, input);
        states.push(a);
    }
    let mut demo = racy_tso();
    tui::demo::start(&mut demo, tui::demo::parse(tui::demo::DEFAULT_SCRIPT, "d").unwrap());
    demo.update(Action::DemoNext);
    demo.settle();
    states.push(demo);
    let mut eight = app(Variant::BusyXchg, "tso", 8);
    drive(&mut eight, 80, 24, "   ");
    states.push(eight);
    for a in &states {
        for w in (1..=32).chain([40, 47, 60, 79, 80, 100, 120, 160, 200]) {
            for h in (1..=14).chain([20, 24, 30, 50, 60]) {
                let _ = screen(a, w, h);
            }
        }
    }
}

#[test]
fn resize_while_running() {
    let mut app = racy_tso();
    let mut t = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let sizes = [(20, 6), (1, 1), (200, 60), (33, 7), (80, 24), (2, 50), (160, 3), (20, 6)];
    for (i, (w, h)) in sizes.iter().enumerate() {
        t.backend_mut().resize(*w, *h);
        let mut ev = keys(if i % 2 == 0 { " " } else { "?" }).into_iter();
        tui::run(&mut t, &mut app, |_| Ok(ev.next().map(Input::Event).unwrap_or(Input::End))).unwrap();
        t.draw(|f| f.render_widget(&app, f.area())).unwrap();
        assert_eq!(t.backend().buffer().area.width, *w);
    }
}

const SB: &str = "X86 SB\n\"Fre PodWR Fre PodWR\"\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n";

/// A litmus test: `f` finds a witness of its condition where the model allows it.
#[test]
fn litmus_condition_witness() {
    let prog = std::sync::Arc::new(isa::litmus::parse(SB, "SB.litmus").expect("parses").program);
    for (model, reachable) in [("sc", false), ("tso", true), ("arm", true)] {
        let opts = tui::Options {
            source: tui::Source::Program(prog.clone()),
            model: sim::models::get(model).expect("a model"),
            seed: 1,
            trace: None,
            save_dir: std::env::temp_dir(),
        };
        let mut a = App::new(opts).expect("app");
        drive(&mut a, 120, 40, "fr");
        let (v, _) = tui::view::verdict(a.session());
        assert_eq!(v.contains("the condition holds"), reachable, "{model}: {v} / {:?}", a.message());
    }
}

/// An input flood: thousands of seeded random keys and resizes (sizes down to
/// 1×1) never panic the TUI and leave it in a consistent state.
#[test]
fn input_flood() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use rand::{Rng, SeedableRng};
    // 4 cores: no "from here" search after each step, so the flood stays fast.
    let mut app = app(Variant::BusyXchg, "tso", 4);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let chars: Vec<char> = "sc123456789bmvtMlpn?jk Rsssscccc".chars().collect();
    let mut events = Vec::new();
    for _ in 0..5000 {
        let e = match rng.random_range(0..20) {
            0 => Event::Resize(rng.random_range(1..200), rng.random_range(1..60)),
            1 => Event::Key(KeyEvent::new(
                [KeyCode::Enter, KeyCode::Up, KeyCode::Down, KeyCode::Left][rng.random_range(0..4)],
                KeyModifiers::NONE,
            )),
            _ => Event::Key(KeyEvent::new(KeyCode::Char(chars[rng.random_range(0..chars.len())]), KeyModifiers::NONE)),
        };
        events.push(e);
    }
    let n = events.len();
    let mut it = events.into_iter();
    let mut fed = 0;
    let mut t = Terminal::new(TestBackend::new(100, 40)).expect("terminal");
    tui::run(&mut t, &mut app, |_| {
        let e = it.next();
        fed += e.is_some() as usize;
        Ok(e.map(Input::Event).unwrap_or(Input::End))
    })
    .expect("the event loop survives the flood");
    assert_eq!(fed, n, "every event was read (nothing quit early)");
    assert!(!app.quit());
    // Still usable afterwards: a step and a back work, and the screen draws.
    let before = app.session().step_no();
    app.update(Action::Restart);
    app.update(Action::Step);
    assert!(app.session().step_no() <= before.max(1));
    let _ = screen(&app, 80, 24);
}

/// `f` on 8 cores searches on a worker thread: the UI keeps drawing frames
/// (with the spinner and the state count), keys typed meanwhile are dropped,
/// and Esc stops the search and gives its thread back.
#[test]
fn frames_keep_coming_while_f_searches_and_esc_stops_it() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |c: KeyCode| Input::Event(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)));
    let mut app = app(Variant::BusyXchg, "tso", 8);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    // f, then idle ticks and typed keys while it searches, then Esc.
    let mut script: Vec<Input> = vec![key(KeyCode::Char('f'))];
    for i in 0..30 {
        script.push(if i % 3 == 0 { key(KeyCode::Char('s')) } else { Input::Idle });
    }
    script.push(key(KeyCode::Esc));
    let mut it = script.into_iter();
    let mut frames_while_searching = 0;
    tui::run(&mut t, &mut app, |a| {
        if a.searching().is_some() {
            frames_while_searching += 1;
        }
        Ok(it.next().unwrap_or(Input::End))
    })
    .unwrap();
    assert!(frames_while_searching >= 30, "the UI drew {frames_while_searching} frames while searching");
    assert!(app.searching().is_none(), "Esc stopped the search");
    assert!(!app.quit(), "Esc does not quit");
    assert_eq!(app.session().step_no(), 0, "the keys typed during the search were dropped");
    assert!(app.message().is_some_and(|(m, _)| m.starts_with("Search stopped after")), "{:?}", app.message());
    // The stopped worker ends (its memory goes with it).
    app.settle();
    assert_eq!(app.workers(), 0);
}

/// While `f` searches, the screen says so (a spinner and the states so far).
#[test]
fn searching_is_visible() {
    let mut app = app(Variant::BusyXchg, "tso", 8);
    app.update(Action::Find);
    assert!(app.searching().is_some(), "the search runs on a worker thread");
    let s = screen(&app, 120, 40);
    assert!(s.contains("Searching every interleaving"), "{s}");
    app.update(Action::Dismiss);
    assert!(app.searching().is_none());
    app.settle();
}

/// ARM, fixed claim: `f` finds a schedule with no promise step before the
/// first claim (none at all), and "N steps away" counts what `f` counts.
#[test]
fn arm_find_needs_no_promise_and_counts_agree() {
    let mut a = app(Variant::ClaimCmpxchg, "arm", 2);
    let away = match a.session().from_here() {
        Some(FromHere::Reachable { steps }) => *steps,
        other => panic!("lost work is reachable on ARM: {other:?}"),
    };
    a.update(Action::Find);
    a.settle();
    let plan = a.session().plan().expect("f loaded a counterexample").clone();
    let flags = a.prog().sym_by_name("flags").expect("flags") as usize;
    let mut m = a.session().start().clone();
    for &t in &plan.steps {
        let claim = m.access(t.core()).ok().flatten().is_some_and(|r| r.loc() == Some(flags));
        if claim {
            break;
        }
        assert!(!matches!(t, sim::Transition::Promise { .. }), "a promise before the first claim: {t:?}");
        m.apply(t).expect("the schedule replays");
    }
    assert!(plan.steps.iter().all(|t| !matches!(t, sim::Transition::Promise { .. })), "a promise step");
    assert_eq!(plan.progress().1, away, "f's steps and the status line's 'steps away' differ");
    let msg = a.message().map(|(m, _)| m.clone()).unwrap_or_default();
    assert!(msg.contains(&format!("{away} steps")), "{msg}");
    // Following it, no two enabled transitions ever read the same.
    while a.session().planned().is_some() {
        let labels: Vec<&str> = a.session().snap().enabled.iter().map(|r| r.label.as_str()).collect();
        let mut uniq = labels.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), labels.len(), "identical transitions at step {}: {labels:#?}", a.session().step_no());
        a.update(Action::Step);
    }
}

/// A timed run's trace, opened in the TUI: each step of the event log says at
/// which cycle it completed, the store buffer pane since when each store has
/// been waiting, and each drain when the store entered and left the buffer.
#[test]
fn a_timed_trace_shows_its_cycles_and_the_store_buffer_window() {
    let mut cfg = workloads::IrqWorkConfig::new(Variant::BusyXchg, 2);
    cfg.writes = 2;
    let prog = std::sync::Arc::new(workloads::irq_work_program(&cfg).unwrap());
    let start = sim::models::get("tso").unwrap().machine(prog).unwrap();
    let mut m = start.clone();
    let mut s = sim::TimedScheduler::new(3, sim::TimingModel::default());
    let out = m.run_timed(&mut s, 100_000, true);
    let mut tr = start.make_trace(&out.schedule, "timed", Some(3));
    tr.set_step_cycles(&out.cycles);
    let cycles = tr.step_cycles().expect("every step has its cycle");
    let mut o = tui::Options::irq_work(Variant::BusyXchg, sim::models::get("tso").unwrap(), 2, 3);
    o.trace = Some(("timed.json".into(), tr));
    let mut app = App::new(o).expect("app");
    app.settle();
    let mut seen_pane = false;
    for _ in 0..cycles.len() {
        if app.session().plan().is_none_or(|p| p.pos >= p.steps.len()) {
            break;
        }
        app.update(Action::Step);
        app.settle();
        let buffered = app.session().snap().cores.iter().any(|c| c.pending.iter().any(|p| p.contains("(since cycle ")));
        if buffered && !seen_pane {
            let text = plain(&screen(&app, 160, 50));
            assert!(text.contains("(since cycle "), "the store buffer pane shows the cycle:\n{text}");
            seen_pane = true;
        }
    }
    assert!(seen_pane, "a store was buffered at some step");
    let log: Vec<&str> = app.session().log().iter().map(|e| e.text.as_str()).collect();
    let stepped: Vec<u64> =
        log.iter().filter_map(|l| l.strip_prefix("cycle ")?.split(':').next()?.parse().ok()).collect();
    assert_eq!(stepped, cycles, "each step of the trace, at its cycle:\n{log:#?}");
    let window: Vec<&&str> =
        log.iter().filter(|l| l.contains("left core ") && l.contains(" buffered at cycle ")).collect();
    assert!(window.len() >= 4, "each drained store says when it entered and left:\n{log:#?}");
    assert!(window.iter().all(|l| l.contains("visible at cycle") && l.contains("in the buffer")), "{window:#?}");
}

/// The index of the enabled transition labelled `label` (panics with the list when there is none).
fn enabled_at(a: &App, label: &str) -> usize {
    let rows: Vec<&str> = a.session().snap().enabled.iter().map(|r| r.label.as_str()).collect();
    rows.iter().position(|r| *r == label).unwrap_or_else(|| panic!("no transition {label:?} in {rows:#?}"))
}

/// ARM with promises offered (`p`): a promise shows in its core's pane with
/// the store that fulfils it (or that none can yet); that store's row and its
/// event-log line say which promise it fulfils; the memory history says when
/// it was promised and when written.
#[test]
fn promises_show_the_store_that_fulfils_them() {
    let mut a = app(Variant::ClaimCmpxchg, "arm", 2);
    a.update(Action::TogglePromises);
    a.settle();
    a.update(Action::Pick(enabled_at(&a, "core 1: promises data1 := 1")));
    a.update(Action::Pick(enabled_at(&a, "core 1: promises flags := 3")));
    a.settle();
    assert_eq!(
        a.session().snap().cores[1].pending,
        [
            "data1 := 1 (t1, promised at step 1) → written by store [data], val, enabled now",
            "flags := 3 (t2, promised at step 2) → not yet written",
        ]
    );
    // Drawn whole (wrapped, not cut) in its own box at 160×50 and in the compact cell at 80×24.
    for (w, h) in [(160, 50), (80, 24)] {
        let text = plain(&screen(&a, w, h));
        let boxes = if w == 160 { boxes_text(&text, "Promised writes") } else { boxes_text(&text, "Core 1") };
        for p in &a.session().snap().cores[1].pending {
            assert!(boxes.iter().any(|b| b.contains(p.as_str())), "{p:?} cut at {w}×{h}:\n{text}");
        }
    }
    let fulfil = "core 1: store [data], val — data1 := 1, fulfilling its promise of step 1 (t1)";
    a.update(Action::Pick(enabled_at(&a, fulfil)));
    a.settle();
    assert_eq!(a.session().snap().cores[1].pending, ["flags := 3 (t2, promised at step 2) → not yet written"]);
    let last = a.session().log().iter().rfind(|e| e.kind == tui::session::LogKind::Step).expect("a step");
    assert_eq!(last.text, fulfil);
    let data1 = a.session().snap().memory.iter().find(|m| m.name == "data1").expect("data1");
    let h = data1.history.last().expect("a write");
    assert_eq!((h.ts, h.made, h.promise), (1, Some(1), Some(Some(3))), "{data1:?}");
    // No other transition claims to fulfil anything: core 0 has no promises.
    assert!(a.session().snap().enabled.iter().filter(|r| r.label.contains("fulfilling")).all(|r| r.t.core() == 1));
}

/// Below the minimum the screen says the window is too small (and nothing else); at the minimum it draws.
#[test]
fn window_too_small_notice() {
    let a = racy_tso();
    let (w, h) = (tui::view::MIN_W, tui::view::MIN_H);
    for (sw, sh) in [(w - 1, h), (w, h - 1), (20, 6)] {
        let s = plain(&screen(&a, sw, sh));
        assert!(s.contains("Window too small"), "{sw}×{sh}:\n{s}");
        assert!(!s.contains("flags"), "{sw}×{sh} draws panes:\n{s}");
    }
    let s = plain(&screen(&a, w, h));
    assert!(!s.contains("Window too small") && s.contains("weaksim"), "{w}×{h}:\n{s}");
}

/// Hint mode (`h`) marks every enabled transition with what the search says after it.
#[test]
fn hint_mode_marks_each_transition() {
    for (v, want) in [(Variant::BusyXchg, "→ lost work reachable"), (Variant::ClaimCmpxchg, "→ safe from here")] {
        let mut a = app(v, "tso", 2);
        drive(&mut a, 160, 50, "h");
        let n = a.session().snap().enabled.len();
        let s = plain(&screen(&a, 160, 50));
        assert_eq!(s.matches(want).count(), n, "{v}: {n} transitions, each marked {want:?}:\n{s}");
        drive(&mut a, 160, 50, "h");
        assert!(!plain(&screen(&a, 160, 50)).contains(want), "h again turns the marks off");
    }
}

/// `C` jumps to the next cycle where a transition completes; `c`, cycle by
/// cycle, gets to the same place; once the clock runs, each core's pane shows
/// what is in flight and at which cycle it completes.
#[test]
fn next_event_and_what_is_in_flight() {
    let mut a = racy_tso();
    drive(&mut a, 160, 50, "C");
    let (cycle, steps) = (a.session().machine().cycle(), a.session().step_no());
    assert!(cycle > 0 && steps > 0, "C moved the clock to a completion: cycle {cycle}, {steps} steps");
    let mut b = racy_tso();
    drive(&mut b, 160, 50, &"c".repeat(cycle as usize));
    // c takes everything that completes in the cycle, C the first of it.
    assert_eq!(b.session().machine().cycle(), cycle);
    assert!(b.session().step_no() >= steps, "c × {cycle}: {} steps, C: {steps}", b.session().step_no());
    let s = plain(&screen(&a, 160, 50));
    assert!(s.contains("completes at cycle "), "the pane shows when the next steps complete:\n{s}");
}

/// The 2019 fix (`claim-fetch-or`) gets its why-safe banner. On ARM: core 0
/// stores data0 and claims (its fetch_or sets PENDING|BUSY), core 1 stores
/// data1 and claims: its fetch_or finds PENDING and gives up, and the banner
/// says the fully ordered RMW made data1 := 1 visible first. On x86: core 1's
/// fetch_or, a locked instruction, waits for data1 := 1 to drain.
#[test]
fn why_safe_banner_on_claim_fetch_or() {
    let mut a = app(Variant::ClaimFetchOr, "arm", 2);
    drive(&mut a, 160, 50, "112");
    assert!(a.session().safe_why().is_empty(), "no claim has given up yet: {:?}", a.session().safe_why());
    assert!(!plain(&screen(&a, 160, 50)).contains("WHY SAFE"));
    drive(&mut a, 160, 50, "2");
    let why = a.session().safe_why().join("\n");
    for want in [
        "core 1's claim (fetch_or oflags, [flags], 3) is a fully ordered read-modify-write",
        "data1 := 1 (step 3) was visible to every core before it read flags = 3 (PENDING|BUSY) and gave up",
        "its func() will read data1 = 1",
    ] {
        assert!(why.contains(want), "{want:?} not in the why-safe lines:\n{why}");
    }
    for (w, h) in [(160, 50), (80, 24)] {
        let s = plain(&screen(&a, w, h));
        assert!(s.contains("WHY SAFE") && s.contains("fully ordered"), "no banner at {w}×{h}:\n{s}");
    }

    let mut t = app(Variant::ClaimFetchOr, "tso", 2);
    let pick = |a: &mut App, label: &str| {
        let i = a.session().snap().enabled.iter().position(|r| r.label.starts_with(label));
        a.update(Action::Pick(i.unwrap_or_else(|| panic!("no {label:?}: {:#?}", a.session().snap().enabled))));
        a.settle();
    };
    pick(&mut t, "core 0: store [data], val");
    pick(&mut t, "core 0: drain data0 := 1");
    pick(&mut t, "core 0: fetch_or");
    pick(&mut t, "core 1: store [data], val");
    let why = t.session().safe_why().join("\n");
    assert!(
        why.contains("Core 1's claim, fetch_or oflags, [flags], 3, cannot run yet")
            && why.contains("data1 := 1 (step 4) reaches memory before the claim reads flags"),
        "{why}"
    );
    assert_eq!(t.session().safe_wait(), Some(1));
}

/// `x`'s explanation is a scrollable page: ↓ and PgDn move it, the title says
/// which lines show, the end of the event log is reachable, and ↑ from past
/// the end moves back at once.
#[test]
fn x_page_scrolls() {
    let mut a = racy_tso();
    drive(&mut a, 80, 24, &format!("{RACE}x"));
    let first = plain(&screen(&a, 80, 24));
    let total: usize = first
        .lines()
        .next()
        .and_then(|l| l.split(" of ").nth(1))
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the title counts the lines:\n{first}"));
    let h = 22;
    assert!(total > 2 * h, "the explanation is several pages ({total} lines)");
    assert!(first.contains(&format!("lines 1-{h} of {total}")), "{first}");
    let row = |s: &str, k: usize| s.lines().nth(k).unwrap_or_default().to_string();
    drive(&mut a, 80, 24, "<down>");
    let down = plain(&screen(&a, 80, 24));
    assert!(down.contains(&format!("lines 2-{} of {total}", h + 1)), "{down}");
    assert_eq!(row(&down, 1), row(&first, 2), "one line up");
    drive(&mut a, 80, 24, "<pgdn>");
    assert!(plain(&screen(&a, 80, 24)).contains(&format!("lines 12-{} of {total}", h + 11)));
    // Far past the end: the last page, ending with the event log's last entry.
    drive(&mut a, 80, 24, &"<pgdn>".repeat(total / 10 + 5));
    let end = plain(&screen(&a, 80, 24));
    assert!(end.contains(&format!("lines {}-{total} of {total}", total - h + 1)), "{end}");
    let last = a.session().log().last().expect("a log").text.clone();
    let tail: String = end.lines().rev().skip(1).take(4).collect::<Vec<_>>().join(" ");
    assert!(tail.contains(last.split(' ').next_back().unwrap_or_default()), "the log's last entry {last:?}:\n{end}");
    drive(&mut a, 80, 24, "<up>");
    let up = plain(&screen(&a, 80, 24));
    assert!(up.contains(&format!("lines {}-{} of {total}", total - h, total - 1)), "↑ moved back one line:\n{up}");
    drive(&mut a, 80, 24, "<esc>");
    assert_eq!(*a.overlay(), tui::app::Overlay::None);
}

/// A search cancelled from the TUI gives back what it held: while `f`
/// searches 8 cores its visited set holds states; after Esc the worker ends
/// and the set has been dropped (`Control::held` back to 0).
#[test]
fn a_cancelled_search_gives_its_memory_back() {
    let mut a = app(Variant::BusyXchg, "tso", 8);
    a.update(Action::Find);
    let c = a.search_control().expect("f runs on a worker");
    // Wait (bounded) until the worker holds states, so the test cannot pass before the search built anything.
    let mut spins = 0;
    while c.held() == 0 {
        assert!(a.searching().is_some(), "the search ended before it held any state");
        assert!(spins < 60_000, "the search held no state after a minute");
        std::thread::sleep(std::time::Duration::from_millis(1));
        spins += 1;
    }
    assert!(c.held() > 0);
    a.update(Action::Dismiss);
    assert!(a.searching().is_none() && c.cancelled(), "Esc stopped it");
    a.settle();
    assert_eq!(a.workers(), 0, "the worker ended");
    assert_eq!(c.held(), 0, "the visited set was dropped ({} states visited)", c.states());
    assert!(c.states() > 0);
}
