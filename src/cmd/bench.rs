//! `weaksim bench`: throughput of the engine — states/s of exhaustive search
//! and transitions/s of random runs — on the irq_work workload.

use super::EXIT_OK;
use anyhow::Result;
use clap::Args;
use sim::{AnyMachine, ExploreConfig};
use std::sync::Arc;
use std::time::Instant;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Repetitions per measurement (the best is reported)
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Random runs per measurement
    #[arg(long, default_value_t = 200_000)]
    pub runs: u64,
    /// The exhaustive engine's big table instead (issue 11: store loops, spinlocks, irq_work on 2-4 cores,
    /// SB with 2-8 threads), each row capped by --row-timeout (so it always ends; a capped row says bounded)
    #[arg(long)]
    pub big: bool,
    /// Time cap of each --big row: 30s, 5m
    #[arg(long, value_parser = super::explore::parse_duration, default_value = "60s")]
    pub row_timeout: std::time::Duration,
    /// With --big: the engine of the rows (`ops` or `graph`; graph rows count search nodes as states)
    #[arg(long, value_enum, default_value_t = super::explore::Engine::Ops, requires = "big")]
    pub engine: super::explore::Engine,
    /// With --big: only the rows whose case contains this text (`SB`, `irq_work 2 cores`)
    #[arg(long, requires = "big")]
    pub only: Option<String>,
    /// Only the sweep rows: runs/s and simulated cycles/s on 1 and 2 threads, time to the first lost work
    #[arg(long)]
    pub sweep: bool,
    /// Only the LKMM row: every C litmus test under DIR under linux-kernel.cat, timed
    /// against herd7 (default DIR: ../shared/litmus/lkmm-corpus)
    #[arg(long, num_args = 0..=1, default_missing_value = "../shared/litmus/lkmm-corpus")]
    pub lkmm: Option<std::path::PathBuf>,
}

fn machine(v: Variant, cores: usize, model: &str) -> Result<AnyMachine> {
    let p = irq_work_program(&IrqWorkConfig::new(v, cores)).map_err(anyhow::Error::msg)?;
    Ok(sim::models::get(model)?.machine(Arc::new(p))?)
}

fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let r = f();
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.unwrap())
}

fn explore_row(a: &BenchArgs, v: Variant, cores: usize, model: &str, threads: usize) -> Result<()> {
    let m = machine(v, cores, model)?;
    let cfg = ExploreConfig { threads, ..ExploreConfig::default() };
    let (secs, r) = best(a.repeat, || m.explore(&cfg));
    println!(
        "explore  {:<15} {:<4} {} cores {} thr {:>10} states {:>11} transitions {:>9.1} ms {:>7.2} M states/s  {}",
        v.name(),
        m.model().name(),
        cores,
        threads,
        r.states,
        r.transitions,
        secs * 1e3,
        r.states as f64 / secs / 1e6,
        r.verdict.name()
    );
    Ok(())
}

fn random_row(a: &BenchArgs, v: Variant, cores: usize, model: &str) -> Result<()> {
    let m = machine(v, cores, model)?;
    let (secs, (steps, lost)) = best(a.repeat, || {
        let (mut steps, mut lost) = (0u64, 0u64);
        for seed in 0..a.runs {
            let (out, _) = m.run_seed(sim::SchedKind::Random, &sim::TimingModel::default(), seed, 100_000, false);
            steps += out.steps;
            lost += matches!(out.end, sim::RunEnd::Violation(_)) as u64;
        }
        (steps, lost)
    });
    println!(
        "random   {:<15} {:<4} {} cores  {:>10} runs {:>12} transitions {:>9.1} ms {:>7.1} M transitions/s  {:.0} runs/s, {} lost",
        v.name(),
        m.model().name(),
        cores,
        a.runs,
        steps,
        secs * 1e3,
        steps as f64 / secs / 1e6,
        a.runs as f64 / secs,
        lost
    );
    Ok(())
}

pub fn bench_cmd(a: &BenchArgs) -> Result<u8> {
    if let Some(dir) = &a.lkmm {
        return super::bench_lkmm::bench_lkmm(dir);
    }
    if a.big {
        super::bench_big::bench_big(a.row_timeout, a.engine, a.only.as_deref())?;
        return Ok(EXIT_OK);
    }
    if a.sweep {
        super::sweep_bench::bench_rows(a.repeat, a.runs.min(20_000))?;
        return Ok(EXIT_OK);
    }
    println!("weaksim bench (best of {})", a.repeat);
    for v in Variant::ALL {
        explore_row(a, v, 2, "sc", 1)?;
        explore_row(a, v, 2, "tso", 1)?;
    }
    for threads in [1, 2] {
        for v in [Variant::BusyXchg, Variant::ClaimCmpxchg] {
            explore_row(a, v, 3, "tso", threads)?;
        }
    }
    for (v, c) in [(Variant::BusyXchg, 2), (Variant::ClaimCmpxchg, 2), (Variant::BusyXchg, 4)] {
        random_row(a, v, c, "tso")?;
    }
    Ok(EXIT_OK)
}
