//! Steady-state irq_work: producers that queue again and again, with a think
//! time between operations, so that lost work is a rate per operation over a
//! long run (as on a running machine), not per one-shot start.
//!
//! The program is irq_work's with `ops` writes per producer; the timed
//! scheduler makes each producer think (a seeded draw, see
//! [`sim::timed::ThinkTime`]) after every `irq_work_queue()` returns, while
//! interrupts still arrive and the runners (the handler on any core) may still
//! be in `func()` when new work is queued.
//!
//! An operation is one producer's write of `v` to its data word followed by
//! its `irq_work_queue()`. irq_work promises: the run that clears PENDING after
//! the operation's claim read `flags` (the run the claim set PENDING for, or
//! the pending run it trusted when it found PENDING set) calls `func()`, which
//! reads the data word and must see `v` or later. The operation is **lost**
//! when that `func()` reads an older value. Each operation is judged on its
//! own, so a later operation that happens to be seen does not hide it.
//! (Stated for store-buffer and SC models, where `flags` has one order of
//! writes that every claim reads in; on ARM the count is indicative.)

use crate::irq_work::{generate, ConfigError, IrqWorkConfig, PENDING};
use isa::{Pc, Program};
use memmodels::Request;
use sim::timed::{Think, ThinkTime};
use sim::{AnyMachine, RunEnd, TimedScheduler, TimingModel, Transition};

/// Register holding the producer's current value (`val`, see irq_work.rs).
const R_VAL: usize = 3;

/// Where the per-operation check looks in an irq_work program.
#[derive(Clone, Debug)]
pub struct Points {
    /// The producer's first instruction after `irq_work_queue()` returns (where it thinks).
    pub think: Pc,
    /// `func()`'s first instruction: flags writes in the handler before it clear PENDING.
    pub func: Pc,
    pub flags: usize,
    /// Per core, the index of its data word among the producers (None: not a producer).
    pub producer: Vec<Option<usize>>,
    /// The data words' locations, in producer order.
    pub data: Vec<usize>,
}

fn label_pc(p: &Program, name: &str) -> Option<Pc> {
    (0..p.code.len() as Pc).find(|&pc| p.label_at(pc) == Some(name))
}

impl Points {
    pub fn of(p: &Program, cfg: &IrqWorkConfig) -> Points {
        let think = label_pc(p, "producer.loop").expect("irq_work has producer.loop") + 2;
        let func = label_pc(p, "func").expect("irq_work has func");
        let flags = p.symbols.iter().position(|s| s.name == "flags").expect("irq_work has flags");
        let mut producer = vec![None; cfg.cores];
        for (k, &c) in cfg.producers.iter().enumerate() {
            producer[c] = Some(k);
        }
        Points { think, func, flags, producer, data: p.lost_work.iter().map(|&d| d as usize).collect() }
    }
}

/// The irq_work program of `cfg` with `ops` operations per producer, and where to look in it.
pub fn steady_program(cfg: &IrqWorkConfig, ops: u64) -> Result<(Program, Points), ConfigError> {
    let mut c = cfg.clone();
    c.writes = ops;
    let p = generate(&c)?;
    let pts = Points::of(&p, &c);
    Ok((p, pts))
}

/// What one steady-state run gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SteadyRun {
    /// Operations judged.
    pub ops: u64,
    /// Operations whose promised func() read an older value.
    pub lost: u64,
    pub cycles: u64,
    pub steps: u64,
    /// The run did not reach quiescence within the step bound.
    pub step_limit: bool,
}

/// One steady-state run from `start` (a machine of [`steady_program`]'s
/// program) with seed `seed`: the timed scheduler with `timing` and the
/// producers' think time `think`; every operation judged as the module says.
pub fn run_steady(
    start: &AnyMachine,
    pts: &Points,
    timing: &TimingModel,
    think: ThinkTime,
    seed: u64,
    max_steps: u64,
) -> SteadyRun {
    let mut m = start.clone();
    let mut s = TimedScheduler::new(seed, timing.clone()).with_think(Think { pc: pts.think, time: think });
    let out = m.run_timed(&mut s, max_steps, true);
    let (ops, lost) = judge(start, pts, &out.schedule);
    SteadyRun { ops, lost, cycles: m.cycle(), steps: out.steps, step_limit: out.end == RunEnd::StepLimit }
}

/// Counts the operations of `schedule` run from `start`, and the lost ones.
pub fn judge(start: &AnyMachine, pts: &Points, schedule: &[Transition]) -> (u64, u64) {
    let mut m = start.clone();
    let n = m.num_cores();
    // Per run of the handler (numbered as their clears execute): what its func() read of each data word.
    let mut reads: Vec<Vec<Option<u64>>> = Vec::new();
    // Per core: its current run, and its runs whose clear is not yet visible (store buffers), oldest first.
    let mut current: Vec<Option<usize>> = vec![None; n];
    let mut unseen: Vec<std::collections::VecDeque<usize>> = vec![Default::default(); n];
    // The runs in the order their clears of PENDING became visible.
    let mut cleared: Vec<usize> = Vec::new();
    // Per producer: the operation being queued (its value, clears visible at its claim read).
    let mut claim: Vec<Option<(u64, usize)>> = vec![None; pts.data.len()];
    let mut judged: Vec<(usize, u64, usize)> = Vec::new();
    let mut flags = m.memory(pts.flags);
    for &t in schedule {
        let c = t.core();
        let obs = m.observe_of(t);
        if let Transition::Exec { .. } = t {
            let in_handler = m.core(c).in_handler();
            let pc = m.core(c).pc;
            let touches_flags = matches!(m.access(c), Ok(Some(
                Request::Load { loc, .. } | Request::Store { loc, .. } | Request::Rmw { loc, .. })) if loc == pts.flags);
            if touches_flags && in_handler && pc < pts.func {
                // The run side's clear of PENDING executes: a new run on core c.
                reads.push(vec![None; pts.data.len()]);
                current[c] = Some(reads.len() - 1);
                unseen[c].push_back(reads.len() - 1);
            } else if touches_flags && !in_handler {
                if let Some(k) = pts.producer.get(c).copied().flatten() {
                    // The claim's read of flags (the last one of the operation decides).
                    claim[k] = Some((m.regs(c)[R_VAL], cleared.len()));
                }
            }
        }
        if m.apply(t).is_err() {
            break;
        }
        if let Some((sym, v)) = obs {
            if let (Some(run), Some(k)) = (current[c], pts.data.iter().position(|&d| d == sym as usize)) {
                reads[run][k].get_or_insert(v);
            }
        }
        let now = m.memory(pts.flags);
        if flags & PENDING != 0 && now & PENDING == 0 {
            if let Some(run) = unseen[c].pop_front() {
                cleared.push(run);
            }
        }
        flags = now;
        if let Transition::Exec { .. } = t {
            if m.core(c).pc == pts.think && !m.core(c).in_handler() {
                if let Some(k) = pts.producer.get(c).copied().flatten() {
                    if let Some((v, at)) = claim[k].take() {
                        judged.push((k, v, at));
                    }
                }
            }
        }
    }
    let lost = judged
        .iter()
        .filter(|&&(k, v, at)| {
            let read = cleared.get(at).and_then(|&run| reads[run][k]);
            !read.is_some_and(|r| r >= v)
        })
        .count();
    (judged.len() as u64, lost as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Variant;
    use std::sync::Arc;

    fn start(v: Variant, model: &str, ops: u64) -> (AnyMachine, Points) {
        let (p, pts) = steady_program(&IrqWorkConfig::new(v, 2), ops).unwrap();
        (sim::models::get(model).unwrap().machine(Arc::new(p)).unwrap(), pts)
    }

    /// Judged on random schedules (any interleaving): the fixed variant on TSO
    /// never loses an operation, the racy one does; every operation is judged;
    /// a run that ends in lost work has a lost operation.
    #[test]
    fn per_operation_judgement_agrees_with_the_verdicts() {
        for (v, racy) in [
            (Variant::ClaimCmpxchg, false),
            (Variant::ClaimFetchOr, false),
            (Variant::BusyXchg, true),
            (Variant::V36, true),
        ] {
            let (m, pts) = start(v, "tso", 4);
            let mut lost = 0;
            for seed in 0..3000 {
                let mut r = m.clone();
                let out = r.run_random(seed, 100_000, true, true);
                let (ops, l) = judge(&m, &pts, &out.schedule);
                assert_eq!(ops, 8, "{v} seed {seed}");
                if matches!(out.end, RunEnd::Violation(sim::Violation::LostWork { .. })) {
                    assert!(l > 0, "{v} seed {seed}: the run lost work, no operation did");
                }
                lost += l;
            }
            assert_eq!(lost > 0, racy, "{v}: {lost} operations lost in 3000 random runs");
        }
    }

    /// Steady-state timed runs are deterministic, think between operations
    /// (more cycles with a longer think time), and judge every operation.
    #[test]
    fn steady_runs_are_deterministic_and_think() {
        let (m, pts) = start(Variant::BusyXchg, "tso", 50);
        let t = TimingModel::default();
        let short = run_steady(&m, &pts, &t, ThinkTime::Exp { mean: 100 }, 7, 1_000_000);
        assert_eq!(short, run_steady(&m, &pts, &t, ThinkTime::Exp { mean: 100 }, 7, 1_000_000));
        let long = run_steady(&m, &pts, &t, ThinkTime::Uniform { min: 5000, max: 5000 }, 7, 1_000_000);
        assert_eq!((short.ops, long.ops), (100, 100));
        assert!(long.cycles >= 50 * 5000, "{long:?}");
        assert!(long.cycles > 3 * short.cycles, "{short:?} {long:?}");
    }
}
