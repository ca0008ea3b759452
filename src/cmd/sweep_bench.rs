//! `weaksim bench --sweep`: throughput of sweeps (runs/s and simulated
//! cycles/s on 1 and 2 threads, with the CPU time the threads got) and the
//! time to the first lost work.

use anyhow::Result;
use rayon::prelude::*;
use sim::{AnyMachine, RunEnd, SchedKind, TimingModel};
use std::sync::Arc;
use std::time::Instant;
use sweeps::engine::start_of;
use sweeps::{Cell, Subject, SweepSpec, Workload, DEFAULT_MAX_STEPS};
use workloads::{irq_work_program, IrqWorkConfig, Variant};

/// Runs for `weaksim bench`: throughput of sweeps on 1 and 2 threads, and the
/// time to the first lost work on racy/TSO.
pub fn bench_rows(repeat: usize, runs: u64) -> Result<()> {
    let racy = |cores| {
        let p = irq_work_program(&IrqWorkConfig::new(Variant::BusyXchg, cores)).map_err(anyhow::Error::msg)?;
        anyhow::Ok(sim::models::get("tso")?.machine(Arc::new(p))?)
    };
    let timing = TimingModel::default();
    for kind in [SchedKind::Timed, SchedKind::Random] {
        for cores in [2, 4] {
            let start = racy(cores)?;
            let mut per_thread = Vec::new();
            for threads in [1usize, 2] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
                let mut best = f64::INFINITY;
                let mut cpu_best = 0.0;
                let mut cycles = 0u64;
                for _ in 0..repeat.max(1) {
                    let t0 = Instant::now();
                    let c0 = cpu_seconds();
                    cycles = pool.install(|| {
                        (0..runs as usize)
                            .into_par_iter()
                            .with_min_len(64)
                            .map(|seed| start.run_seed(kind, &timing, seed as u64, DEFAULT_MAX_STEPS, false).1)
                            .sum::<u64>()
                    });
                    let wall = t0.elapsed().as_secs_f64();
                    if wall < best {
                        best = wall;
                        cpu_best = cpu_seconds() - c0;
                    }
                }
                per_thread.push(runs as f64 / best);
                println!(
                    "sweep    busy-xchg       tso  {cores} cores  {:<6} {threads} thread{}  {runs:>8} runs {:>9.1} ms {:>10.0} runs/s {:>8.1} M {}/s  (CPU {:.0}%, {:.0} runs per CPU-second)",
                    kind.name(),
                    if threads == 1 { " " } else { "s" },
                    best * 1e3,
                    runs as f64 / best,
                    cycles as f64 / best / 1e6,
                    if kind == SchedKind::Timed { "cycles" } else { "steps" },
                    100.0 * cpu_best / best,
                    runs as f64 / cpu_best.max(1e-9),
                );
            }
            println!("         scaling 1 -> 2 threads: {:.2}x", per_thread[1] / per_thread[0]);
        }
    }
    let first = |v: Variant, m: &str, cores: usize, kind: SchedKind, limit: u64| -> Result<()> {
        let m = sim::models::get(m)?;
        let cell = Cell { subject: Subject::IrqWork(v), model: m.clone(), cores, params: Default::default() };
        let spec = SweepSpec {
            workload: Workload::IrqWork,
            variants: vec![v],
            models: vec![cell.model.clone()],
            cores: vec![cores],
            programs: Vec::new(),
            seeds: [0, limit],
            scheduler: kind,
            writes: 1,
            max_steps: DEFAULT_MAX_STEPS,
            chunk: limit,
            timing_file: None,
            timing: Some(timing.clone()),
            grid: Vec::new(),
        };
        let mut best = f64::INFINITY;
        let mut found = None;
        for _ in 0..repeat.max(1) {
            let t0 = Instant::now();
            found = first_lost(&start_of(&spec, &cell)?, kind, &timing, limit);
            best = best.min(t0.elapsed().as_secs_f64());
        }
        let what = format!("first lost work, {} {} {cores} cores, {} scheduler:", v.name(), m.name(), kind.name());
        match found {
            Some((seed, cycles)) => println!(
                "{what} seed {seed} ({} runs, {} {cycles}) after {:.2} ms",
                seed + 1,
                kind.cycle_word(),
                best * 1e3
            ),
            None => println!("{what} none in {limit} runs ({:.0} ms)", best * 1e3),
        }
        Ok(())
    };
    first(Variant::BusyXchg, "tso", 2, SchedKind::Random, 1_000_000)?;
    first(Variant::BusyXchg, "tso", 2, SchedKind::Timed, 1_000_000)?;
    first(Variant::V36, "tso", 4, SchedKind::Timed, 1_000_000)?;
    first(Variant::ClaimCmpxchg, "arm", 2, SchedKind::Timed, 1_000_000)?;
    Ok(())
}

/// CPU time this process has used (user + system), in seconds: with the wall
/// time it shows whether a second thread found a free core on a shared machine.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 * 1e-6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// The first seed (from 0) whose run loses work, and the cycles it ended at.
fn first_lost(start: &AnyMachine, kind: SchedKind, t: &TimingModel, limit: u64) -> Option<(u64, u64)> {
    (0..limit).find_map(|seed| {
        let (out, cycles) = start.run_seed(kind, t, seed, DEFAULT_MAX_STEPS, false);
        matches!(out.end, RunEnd::Violation(_)).then_some((seed, cycles))
    })
}
