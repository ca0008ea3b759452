//! Determinism and replay: the same seed gives the same trace; a saved trace
//! replays bit for bit; the RNG stream is pinned.

use memmodels::Tso;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sim::{run, Machine, RandomScheduler, ReplayScheduler, RunEnd, Trace};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn racy() -> Machine<Tso> {
    let p = irq_work_program(&IrqWorkConfig::new(Variant::BusyXchg, 2)).unwrap();
    Machine::new(Arc::new(p), Tso)
}

/// An upgrade of rand_chacha that changes the stream must fail loudly.
#[test]
fn chacha8_stream_is_pinned() {
    let mut r = ChaCha8Rng::seed_from_u64(42);
    let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
    assert_eq!(
        got,
        [0xae90_bfb5_395d_5ba1_u64, 0xf345_3fc6_2579_9188, 0x6d71_b708_c5b6_538c],
        "ChaCha8 stream changed: {got:x?}"
    );
}

#[test]
fn same_seed_same_trace() {
    for seed in 0..50 {
        let (mut a, mut b) = (racy(), racy());
        let ra = run(&mut a, &mut RandomScheduler::new(seed), 10_000, true, true);
        let rb = run(&mut b, &mut RandomScheduler::new(seed), 10_000, true, true);
        assert_eq!(ra.schedule, rb.schedule, "seed {seed}");
        assert_eq!(a.state(), b.state(), "seed {seed}");
    }
}

#[test]
fn different_seeds_differ() {
    let schedules: std::collections::BTreeSet<_> = (0..20)
        .map(|seed| {
            let mut m = racy();
            run(&mut m, &mut RandomScheduler::new(seed), 10_000, true, true).schedule
        })
        .collect();
    assert!(schedules.len() > 10, "only {} distinct schedules out of 20 seeds", schedules.len());
}

/// A random run that loses work on racy/TSO, saved as JSON and replayed, gives the
/// identical schedule and final state.
#[test]
fn lost_work_trace_round_trips() {
    let start = racy();
    let (seed, out, end_state) = (0..100_000u64)
        .find_map(|seed| {
            let mut m = start.clone();
            let out = run(&mut m, &mut RandomScheduler::new(seed), 10_000, true, true);
            matches!(out.end, RunEnd::Violation(_)).then(|| (seed, out, m.state().clone()))
        })
        .expect("some seed below 100000 loses work on racy/TSO");
    let trace = sim::trace::make_trace(&start, &out.schedule, "random", Some(seed));
    let json = trace.to_json();
    let back = Trace::from_json(&json, "t.json").unwrap();
    assert_eq!(back, trace);
    let mut m = Machine::new(Arc::new(back.program.clone()), Tso);
    let replayed = run(&mut m, &mut ReplayScheduler::new(back.transitions()), 10_000, true, false);
    assert_eq!(replayed.schedule, out.schedule);
    assert_eq!(m.state(), &end_state);
    assert!(matches!(replayed.end, RunEnd::Violation(sim::Violation::LostWork { .. })), "{:?}", replayed.end);
}

#[test]
fn tampered_trace_is_rejected() {
    let start = racy();
    let mut m = start.clone();
    let out = run(&mut m, &mut RandomScheduler::new(1), 10_000, true, true);
    let trace = sim::trace::make_trace(&start, &out.schedule, "random", Some(1));
    let edited = trace.to_json().replacen("\"Halt\"", "\"Nop\"", 1);
    let e = Trace::from_json(&edited, "t.json").unwrap_err();
    assert!(e.to_string().contains("does not match its fingerprint"), "{e}");
    let old = trace.to_json().replacen("\"version\": 2,", "\"version\": 1,", 1);
    let e = Trace::from_json(&old, "t.json").unwrap_err();
    assert!(e.to_string().contains("version 1 trace, from an older weaksim"), "{e}");
    let e = Trace::from_json("{\"format\": \"x\"}", "t.json").unwrap_err();
    assert!(e.to_string().contains("not supported"), "{e}");
    let e = Trace::from_json("{\"format\": ", "t.json").unwrap_err();
    assert!(e.to_string().starts_with("t.json:1:"), "{e}");
}

/// Exhaustive search gives the same answer, state count, transition count and
/// counterexample with 1 thread or several.
#[test]
fn explore_is_the_same_on_any_thread_count() {
    use sim::{explore, ExploreConfig};
    for (v, cores) in
        [(Variant::BusyXchg, 2), (Variant::ClaimCmpxchg, 2), (Variant::BusyXchg, 3), (Variant::PlainBusy, 3)]
    {
        let p = irq_work_program(&IrqWorkConfig::new(v, cores)).unwrap();
        let m = Machine::new(Arc::new(p), Tso);
        let one = explore(&m, &ExploreConfig { threads: 1, ..ExploreConfig::default() });
        for threads in [2, 3, 8] {
            let many = explore(&m, &ExploreConfig { threads, ..ExploreConfig::default() });
            assert_eq!(
                (one.verdict, one.states, one.transitions, one.depth),
                (many.verdict, many.states, many.transitions, many.depth),
                "{v} {cores} cores, {threads} threads"
            );
            assert_eq!(one.violation, many.violation, "{v} {cores} cores, {threads} threads");
        }
        // Bounded searches stop at the same place too.
        let b1 = explore(&m, &ExploreConfig { threads: 1, max_states: 300, ..ExploreConfig::default() });
        let b2 = explore(&m, &ExploreConfig { threads: 2, max_states: 300, ..ExploreConfig::default() });
        assert_eq!((b1.verdict, b1.states, b1.transitions), (b2.verdict, b2.states, b2.transitions));
    }
}

/// The parts of a search's result that must not depend on the thread count:
/// counts, the counterexample (with its schedule) and every final state with
/// its shortest schedule.
fn comparable(r: &sim::ExploreResult) -> String {
    let finals: Vec<String> =
        r.finals.iter().map(|(fs, fi)| format!("{fs:?} {} {:?}", fi.holds, fi.schedule)).collect();
    format!(
        "{:?} states={} transitions={} depth={} terminals={} bound={:?} promises={:?}\nviolation={:?}\nfinals={finals:#?}",
        r.verdict, r.states, r.transitions, r.depth, r.terminals, r.bound, r.promise_mode, r.violation
    )
}

/// The same on ARM, where the search offers promises: irq_work (a violation
/// and a safe variant, with their schedules), a load-buffering test that needs
/// a promise (every final state and its schedule) and a bounded search.
#[test]
fn explore_is_the_same_on_any_thread_count_on_arm() {
    use memmodels::Arm;
    use sim::{explore, ExploreConfig, Verdict};
    let one_two = |m: &Machine<Arm>, cfg: ExploreConfig| {
        let one = explore(m, &ExploreConfig { threads: 1, ..cfg.clone() });
        let two = explore(m, &ExploreConfig { threads: 2, ..cfg });
        assert_eq!(comparable(&one), comparable(&two));
        one
    };
    for (v, want) in [(Variant::ClaimCmpxchg, Verdict::Violation), (Variant::ClaimFetchOr, Verdict::Safe)] {
        let p = irq_work_program(&IrqWorkConfig::new(v, 2)).unwrap();
        let m = Machine::new(Arc::new(p), Arm);
        let r = one_two(&m, ExploreConfig::default());
        assert_eq!(r.verdict, want, "{v} on ARM");
        assert!(r.states > 1000, "{v} on ARM: only {} states", r.states);
        let b = one_two(&m, ExploreConfig { max_states: 500, ..ExploreConfig::default() });
        assert_eq!(b.verdict, Verdict::Bounded, "{v} on ARM, 500 states");
    }
    // Load buffering: each thread reads one location and then writes the other;
    // both reads seeing the other's write needs a promise.
    let lb = "AArch64 LB-threads\n{\n0:X1=x; 0:X3=y;\n1:X1=y; 1:X3=x;\n}\n \
              P0          | P1          ;\n \
              LDR W0,[X1] | LDR W0,[X1] ;\n \
              MOV W2,#1   | MOV W2,#1   ;\n \
              STR W2,[X3] | STR W2,[X3] ;\n\
              exists\n(0:X0=1 /\\ 1:X0=1)\n";
    let t = isa::litmus::parse(lb, "lb.litmus").unwrap();
    let m = Machine::new(Arc::new(t.program), Arm);
    let r = one_two(&m, ExploreConfig { stop_on_violation: false, ..ExploreConfig::default() });
    assert_eq!(r.finals.len(), 4, "{}", comparable(&r));
    assert!(r.finals.values().any(|f| f.holds), "LB is allowed on ARM: {}", comparable(&r));
}
