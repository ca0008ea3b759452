//! The timed scheduler: deterministic, replayable, cycle-stepped, and it only
//! picks among enabled transitions.

use memmodels::MemoryModel;
use memmodels::{Arm, Sc, Tso};
use sim::timed::{is_lost_work, run_timed, TimedScheduler};
use sim::{run, Latency, Machine, ReplayScheduler, RunEnd, RunOutcome, TimingModel};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn machine<M: MemoryModel>(v: Variant, cores: usize, writes: u64, model: M) -> Machine<M> {
    let mut cfg = IrqWorkConfig::new(v, cores);
    cfg.writes = writes;
    Machine::new(Arc::new(irq_work_program(&cfg).unwrap()), model)
}

fn timed<M: MemoryModel>(start: &Machine<M>, seed: u64) -> (RunOutcome, Machine<M>) {
    let mut m = start.clone();
    let out = run_timed(&mut m, &mut TimedScheduler::new(seed, TimingModel::default()), 100_000, true);
    (out, m)
}

#[test]
fn same_seed_same_run_and_cycles() {
    let start = machine(Variant::BusyXchg, 3, 2, Tso);
    for seed in 0..30 {
        let (a, ma) = timed(&start, seed);
        let (b, mb) = timed(&start, seed);
        assert_eq!(a.schedule, b.schedule, "seed {seed}");
        assert_eq!((ma.cycle(), ma.state()), (mb.cycle(), mb.state()), "seed {seed}");
        assert!(ma.cycle() > 1000, "seed {seed}: {} cycles is too few for an IPI round trip", ma.cycle());
    }
    let distinct: std::collections::BTreeSet<u64> = (0..30).map(|s| timed(&start, s).1.cycle()).collect();
    assert!(distinct.len() > 20, "jitter makes runs differ: {distinct:?}");
}

/// A timed schedule is a schedule of the machine: it replays step by step.
#[test]
fn timed_schedules_replay() {
    let start = machine(Variant::BusyXchg, 2, 3, Tso);
    for seed in 0..20 {
        let (out, end) = timed(&start, seed);
        let mut m = start.clone();
        let rep = run(&mut m, &mut ReplayScheduler::new(out.schedule.clone()), 100_000, false, false);
        assert_eq!(rep.end, out.end, "seed {seed}");
        assert_eq!(m.state(), end.state(), "seed {seed}");
    }
}

/// Stepping one cycle at a time takes the same transitions at the same cycles.
#[test]
fn step_cycle_matches_the_run() {
    let start = machine(Variant::ClaimCmpxchg, 2, 2, Tso);
    for seed in 0..5 {
        let (out, end) = timed(&start, seed);
        let mut m = start.clone();
        let mut s = TimedScheduler::new(seed, TimingModel::default());
        let mut taken = Vec::new();
        let mut cycles = 0u64;
        while !m.enabled().is_empty() {
            let applied = s.step_cycle(&mut m);
            for a in &applied {
                assert_eq!(a.cycle, m.cycle(), "seed {seed}: every transition of a step completes in its cycle");
            }
            taken.extend(applied.into_iter().map(|a| a.t));
            cycles += 1;
            assert!(cycles < 1_000_000);
        }
        assert_eq!(taken, out.schedule, "seed {seed}");
        assert_eq!(m.cycle(), end.cycle(), "seed {seed}");
        assert_eq!(cycles, end.cycle(), "seed {seed}: one call per cycle");
    }
}

#[test]
fn step_event_matches_the_run() {
    let start = machine(Variant::BusyXchg, 2, 1, Tso);
    let (out, end) = timed(&start, 7);
    let mut m = start.clone();
    let mut s = TimedScheduler::new(7, TimingModel::default());
    let mut taken = Vec::new();
    let mut last = 0;
    while let Some(a) = s.step_event(&mut m) {
        assert!(a.cycle >= last, "the clock never goes back");
        last = a.cycle;
        taken.push(a.t);
    }
    assert_eq!(taken, out.schedule);
    assert_eq!(m.cycle(), end.cycle());
}

/// Safe cells stay safe: the timed scheduler only picks among enabled transitions.
#[test]
fn fixed_variants_never_lose_work() {
    for v in [Variant::ClaimCmpxchg, Variant::ClaimFetchOr, Variant::SmpMb] {
        let start = machine(v, 3, 2, Tso);
        for seed in 0..100 {
            let (out, _) = timed(&start, seed);
            assert_eq!(out.end, RunEnd::Quiescent, "{v} seed {seed}");
        }
    }
    let start = machine(Variant::BusyXchg, 3, 2, Sc);
    for seed in 0..100 {
        assert_eq!(timed(&start, seed).0.end, RunEnd::Quiescent, "SC seed {seed}");
    }
}

/// With a slow drain (every store waits far longer than the claim), the
/// stale read happens: the timing model decides how often, not whether.
#[test]
fn slow_drains_expose_the_race() {
    let start = machine(Variant::BusyXchg, 2, 4, Tso);
    let slow = TimingModel { drain: Latency::new(2000, 1000, 4000), ..TimingModel::default() };
    let lost = (0..200)
        .filter(|&seed| {
            let mut m = start.clone();
            is_lost_work(&run_timed(&mut m, &mut TimedScheduler::new(seed, slow.clone()), 100_000, false).end)
        })
        .count();
    assert!(lost > 0, "no lost work in 200 runs with 2000-cycle drains");
}

#[test]
fn latencies_follow_the_model() {
    // One core, one write: every step's cycle is the sum of the model's latencies.
    let start = machine(Variant::ClaimFetchOr, 1, 1, Tso);
    let mut fixed = TimingModel::default();
    for l in [
        &mut fixed.l1_hit,
        &mut fixed.llc_hit,
        &mut fixed.transfer,
        &mut fixed.rmw,
        &mut fixed.fence,
        &mut fixed.self_ipi_delivery,
        &mut fixed.irq_entry,
        &mut fixed.irq_exit,
    ] {
        *l = Latency::fixed(l.typical);
    }
    fixed.start_skew = 0;
    let mut m = start.clone();
    let mut s = TimedScheduler::new(0, fixed.clone());
    let mut log = Vec::new();
    while let Some(a) = s.step_event(&mut m) {
        log.push((a.cycle, a.label));
    }
    let at =
        |needle: &str| log.iter().find(|(_, l)| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {log:?}")).0;
    // mov at 1, store into the buffer at 2; its drain takes the cold line (1 + 50).
    assert_eq!(at("into its store buffer"), 2);
    assert_eq!(at("drain data0"), 2 + 1 + 50);
    // The fetch_or waits for the drain, then takes the cold flags line: 20 + 50.
    assert_eq!(at("fetch_or"), 2 + 1 + 50 + 20 + 50);
    let raise = at("ipi self");
    let taken = at("takes its interrupt");
    assert_eq!(taken - raise, 300, "self-IPI delivery");
    let iret = at("iret");
    assert!(iret > taken + 300, "entry and exit costs");
    assert_eq!(m.cycle(), iret);
}

/// ARM: the same guarantees, with loads picking among writes by propagation delay.
#[test]
fn arm_runs_are_deterministic_replayable_and_sound() {
    for v in [Variant::BusyXchg, Variant::ClaimCmpxchg, Variant::ClaimFetchOr, Variant::SmpMb] {
        let start = machine(v, 3, 2, Arm);
        for seed in 0..40 {
            let (a, ma) = timed(&start, seed);
            let (b, mb) = timed(&start, seed);
            assert_eq!((&a.schedule, ma.cycle()), (&b.schedule, mb.cycle()), "{v} seed {seed}");
            let mut m = start.clone();
            let rep = run(&mut m, &mut ReplayScheduler::new(a.schedule.clone()), 100_000, false, false);
            assert_eq!(rep.end, a.end, "{v} seed {seed}");
            if matches!(v, Variant::ClaimFetchOr | Variant::SmpMb) {
                assert_eq!(a.end, RunEnd::Quiescent, "{v} is safe on ARM, seed {seed}");
            }
        }
    }
}

/// The seed's fix (claim-cmpxchg) loses work on ARM, where a failed cmpxchg
/// orders nothing, and never on TSO: the default timing shows both.
#[test]
fn default_timing_shows_the_arm_only_race() {
    let lost = |start: Machine<Arm>| {
        (0..3000)
            .filter(|&seed| {
                let mut m = start.clone();
                let mut s = TimedScheduler::new(seed, TimingModel::default());
                is_lost_work(&run_timed(&mut m, &mut s, 100_000, false).end)
            })
            .count()
    };
    let n = lost(machine(Variant::ClaimCmpxchg, 2, 3, Arm));
    assert!(n > 0, "no lost work for claim-cmpxchg on ARM in 3000 timed runs");
    assert_eq!(lost(machine(Variant::ClaimFetchOr, 2, 3, Arm)), 0);
    let tso = machine(Variant::ClaimCmpxchg, 2, 3, Tso);
    assert!((0..3000).all(|seed| timed(&tso, seed).0.end == RunEnd::Quiescent));
}

/// docs/timing.md shows the whole default model as a timing file: it must be the built-in one.
#[test]
fn the_documented_default_is_the_default() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/timing.md")).unwrap();
    let block = doc.split("```toml\n").nth(1).and_then(|b| b.split("```").next()).expect("a toml block");
    assert_eq!(TimingModel::parse(block, "docs/timing.md.toml").unwrap(), TimingModel::default());
}

/// A recorded timed run keeps each step's cycle (non-decreasing, the last is
/// the run's), and the store buffer timeline built from them has every store
/// enter before it leaves, at an earlier or equal cycle, all drained at the end.
#[test]
fn step_cycles_and_store_buffer_timeline() {
    use sim::timeline::{At, BufferTimeline};
    let start = machine(Variant::BusyXchg, 2, 3, Tso);
    let any = sim::models::get("tso").unwrap().machine(start.prog().clone()).unwrap();
    for seed in 0..20 {
        let (out, m) = timed(&start, seed);
        assert_eq!(out.cycles.len(), out.schedule.len(), "seed {seed}");
        assert!(out.cycles.windows(2).all(|w| w[0] <= w[1]), "seed {seed}: cycles go back");
        assert_eq!(out.cycles.last().copied(), Some(m.cycle()), "seed {seed}");
        let mut tl = BufferTimeline::new();
        let mut a = any.clone();
        for (i, (&t, &c)) in out.schedule.iter().zip(&out.cycles).enumerate() {
            a.apply(t).unwrap();
            tl.after_step(&a, t, At { step: i + 1, cycle: Some(c) });
        }
        // Each producer writes data 3 times, and queueing stores the work's next pointer.
        assert!(tl.spans().len() >= 6, "seed {seed}: {} stores", tl.spans().len());
        for s in tl.spans() {
            let left = s.left.unwrap_or_else(|| panic!("seed {seed}: {s:?} never left its buffer"));
            assert!(left.step > s.entered.step && left.cycle >= s.entered.cycle, "seed {seed}: {s:?}");
            assert!(
                matches!(out.schedule[left.step - 1], sim::Transition::Internal { core, .. } if core as usize == s.core)
            );
        }
    }
}
