//! `weaksim steady`: steady-state irq_work under the timed scheduler — the
//! rate of lost work per operation over long runs (workloads::steady).

use super::load_timing;
use super::{EXIT_OK, EXIT_VIOLATION};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;
use sim::timed::ThinkTime;
use std::sync::Arc;
use std::time::Instant;
use workloads::{IrqWorkConfig, Variant};

#[derive(Args, Debug)]
pub struct SteadyArgs {
    /// irq_work variant: v3.6, busy-xchg (racy), plain-busy, claim-cmpxchg (fixed), claim-fetch-or, smp-mb
    #[arg(long, default_value = "busy-xchg")]
    pub variant: Variant,
    /// Memory model
    #[arg(long, default_value = "tso", value_parser = super::ModelParser)]
    pub model: sim::Model,
    /// Number of cores; every core produces and runs the work
    #[arg(long, default_value_t = 2)]
    pub cores: usize,
    /// Operations in all (each producer's write followed by irq_work_queue()); at least one run
    #[arg(long, default_value_t = 100_000)]
    pub ops: u64,
    /// Operations per producer in one run (1..=1000)
    #[arg(long, default_value_t = 1000)]
    pub ops_per_run: u64,
    /// Think time between a producer's operations, in cycles: exp:MEAN (exponential) or MIN..MAX (uniform)
    #[arg(long, default_value = "exp:1000")]
    pub think: ThinkTime,
    /// Seed of the first run; run i uses seed + i
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Timing model (TOML or JSON; docs/timing.md); default: the built-in model
    #[arg(long)]
    pub timing: Option<std::path::PathBuf>,
    /// Output: text or json
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
}

pub fn steady_cmd(a: &SteadyArgs) -> Result<u8> {
    let timing = load_timing(a.timing.as_deref())?;
    if !a.model.is_operational() {
        bail!("--model {}: steady-state runs need an operational model", a.model.name());
    }
    if !(1..=1000).contains(&a.ops_per_run) {
        bail!("--ops-per-run {}: expected 1..=1000", a.ops_per_run);
    }
    let cfg = IrqWorkConfig::new(a.variant, a.cores);
    let (prog, pts) = workloads::steady::steady_program(&cfg, a.ops_per_run)?;
    let start = a.model.machine(Arc::new(prog))?;
    let per_run = a.ops_per_run * a.cores as u64;
    let runs = a.ops.div_ceil(per_run).max(1);
    let t0 = Instant::now();
    let (mut ops, mut lost, mut cycles, mut limited, mut runs_losing) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut first: Option<u64> = None;
    for i in 0..runs {
        let seed = a.seed.wrapping_add(i);
        let r = workloads::steady::run_steady(&start, &pts, &timing, a.think, seed, 50 * per_run + 100_000);
        ops += r.ops;
        lost += r.lost;
        cycles += r.cycles;
        limited += r.step_limit as u64;
        if r.lost > 0 {
            runs_losing += 1;
            first.get_or_insert(seed);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let (lo, hi) = sweeps::stats::wilson(lost, ops);
    let rate = lost as f64 / ops.max(1) as f64;
    let code = if lost > 0 { EXIT_VIOLATION } else { EXIT_OK };
    if a.format == super::Format::Json {
        let o = json!({
            "variant": a.variant.name(),
            "model": a.model.name(),
            "cores": a.cores,
            "think": a.think.to_string(),
            "runs": runs,
            "ops_per_run": per_run,
            "ops": ops,
            "lost": lost,
            "rate": rate,
            "ci95": [lo, hi],
            "runs_losing": runs_losing,
            "first_losing_seed": first,
            "step_limit": limited,
            "cycles": cycles,
            "elapsed_ms": (secs * 1e6).round() / 1e3,
        });
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }
    println!(
        "steady-state irq_work {} on {}, {} cores, think {} cycles: {runs} runs of {per_run} operations (seeds {}..={})",
        a.variant.name(),
        a.model.title(),
        a.cores,
        a.think,
        a.seed,
        a.seed.wrapping_add(runs - 1)
    );
    println!(
        "  lost work: {lost} of {ops} operations = {:.3e} per operation (95% CI {:.3e} .. {:.3e}), in {runs_losing} of {runs} runs",
        rate, lo, hi
    );
    println!(
        "  {cycles} simulated cycles ({:.0} cycles per operation), {:.2} s ({:.0} operations/s)",
        cycles as f64 / ops.max(1) as f64,
        secs,
        ops as f64 / secs.max(1e-9)
    );
    if limited > 0 {
        println!("  {limited} run(s) did not quiesce within the step bound");
    }
    if let Some(s) = first {
        println!("  first run losing work: seed {s}");
    }
    Ok(code)
}
