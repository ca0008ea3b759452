//! `weaksim run`: seeded runs under the random or the timed scheduler.

use super::sweep::{load_timing, sched_kind};
use super::{write_atomic, EXIT_OK, EXIT_VIOLATION};
use crate::target::{Target, TargetArgs};
use anyhow::Result;
use clap::Args;
use serde_json::json;
use sim::{AnyMachine, Model, RunEnd, SchedKind, TimingModel};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Memory model, or a comma-separated list (`sc,tso,arm`) or `all` (every operational model): one result per
    /// model; with several, --save-trace FILE.json writes FILE.MODEL.json
    #[arg(long, default_value = "tso", value_parser = super::models::ModelsParser)]
    pub model: super::models::Models,
    /// Seed of the first run; run i uses seed + i
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of runs
    #[arg(long, default_value_t = 1)]
    pub runs: u64,
    /// Step bound per run (a run that hits it is reported as not quiescing)
    #[arg(long, default_value_t = 100_000)]
    pub max_steps: u64,
    /// Save the first failing run's trace here
    #[arg(long)]
    pub save_trace: Option<std::path::PathBuf>,
    /// Output: text or json
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
    /// Scheduler: random (uniform over enabled transitions) or timed (cycle-level latencies with seeded jitter)
    #[arg(long, value_enum, default_value_t = super::Scheduler::Random)]
    pub scheduler: super::Scheduler,
    /// Timing model for --scheduler timed (TOML or JSON; docs/timing.md); default: the built-in model
    #[arg(long)]
    pub timing: Option<std::path::PathBuf>,
}

pub fn run_cmd(a: &RunArgs) -> Result<u8> {
    let kind = sched_kind(a.scheduler, a.timing.as_deref())?;
    let timing = load_timing(a.timing.as_deref())?;
    let models = &a.model.runnable();
    let mut codes = Vec::new();
    for (i, model) in models.iter().enumerate() {
        if i > 0 && a.format == super::Format::Text {
            println!();
        }
        let t = a.target.resolve_for(model.info().c_mapping)?;
        let start = model.machine(Arc::new(t.program.clone()))?;
        let save = super::models::per_model_path(a.save_trace.as_deref(), model, models.len());
        if let Some(p) = &save {
            let inputs = [Some(std::path::Path::new(&a.target.target)), a.timing.as_deref()];
            super::check_not_input("--save-trace", p, inputs.into_iter().flatten())?;
        }
        codes.push(go(a, model, save.as_deref(), &t, &start, kind, &timing)?);
    }
    Ok(super::models::combine_exit_codes(&codes))
}

/// The command line that reruns one seed of this workload.
pub fn replay_command(a: &RunArgs, model: &Model, seed: u64, t: &Target) -> String {
    let mut s = format!("weaksim run {}", a.target.target);
    if let Some(c) = &t.irq_work {
        s.push_str(&format!(" --variant {} --cores {}", c.variant, c.cores));
        if c.producers.len() != c.cores {
            let p: Vec<String> = c.producers.iter().map(|p| p.to_string()).collect();
            s.push_str(&format!(" --producers {}", p.join(",")));
        }
        if c.writes != 1 {
            s.push_str(&format!(" --writes {}", c.writes));
        }
    }
    s.push_str(&format!(" --model {}", model.name()));
    if a.scheduler == super::Scheduler::Timed {
        s.push_str(" --scheduler timed");
        if let Some(f) = &a.timing {
            s.push_str(&format!(" --timing {}", f.display()));
        }
    }
    s.push_str(&format!(" --seed {seed} --runs 1 --save-trace lost.json"));
    s
}

#[allow(clippy::too_many_arguments)]
fn go(
    a: &RunArgs,
    model: &Model,
    save_trace: Option<&std::path::Path>,
    t: &Target,
    start: &AnyMachine,
    kind: SchedKind,
    timing: &TimingModel,
) -> Result<u8> {
    let t0 = Instant::now();
    let (mut violations, mut step_limit, mut dead, mut total_steps) = (0u64, 0u64, 0u64, 0u64);
    let mut total_cycles = 0u64;
    let mut first: Option<(u64, String, u64)> = None;
    for i in 0..a.runs {
        let seed = a.seed.wrapping_add(i);
        let (out, cycles) = start.run_seed(kind, timing, seed, a.max_steps, first.is_none() && save_trace.is_some());
        total_steps += out.steps;
        total_cycles += cycles;
        match out.end {
            RunEnd::Violation(v) => {
                violations += 1;
                if first.is_none() {
                    if let Some(path) = &save_trace {
                        let mut tr = start.make_trace(&out.schedule, kind.name(), Some(seed));
                        tr.workload = t.irq_work.as_ref().map(|c| json!({"name": "irq_work", "config": c}));
                        tr.outcome = Some(v.to_string());
                        tr.cycles = cycles;
                        if kind == SchedKind::Timed {
                            tr.set_step_cycles(&out.cycles);
                        }
                        write_atomic(path, &tr.to_json())?;
                    }
                    first = Some((seed, v.to_string(), cycles));
                }
            }
            RunEnd::StepLimit => step_limit += 1,
            RunEnd::DeadEnd => dead += 1,
            RunEnd::Quiescent | RunEnd::SchedulerError(_) => {}
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let code = if violations > 0 { EXIT_VIOLATION } else { EXIT_OK };
    let nothing_saved = match (save_trace, &first) {
        (Some(p), None) => Some(super::explore::nothing_saved(p, "no run ended in a violation")),
        _ => None,
    };
    if a.format == super::Format::Json {
        if let Some(m) = &nothing_saved {
            eprintln!("weaksim: {m}");
        }
        let o = json!({
            "workload": a.target.target,
            "variant": t.irq_work.as_ref().map(|c| c.variant.name()),
            "model": model.name(),
            "scheduler": kind.name(),
            "cores": start.num_cores(),
            "runs": a.runs,
            "violations": violations,
            "rate": violations as f64 / a.runs.max(1) as f64,
            "step_limit": step_limit,
            "dead_ends": dead,
            "first_failing_seed": first.as_ref().map(|f| f.0),
            "first_violation": first.as_ref().map(|f| f.1.clone()),
            "first_violation_cycle": first.as_ref().map(|f| f.2),
            "replay_command": first.as_ref().map(|f| replay_command(a, model, f.0, t)),
            "steps": total_steps,
            "cycles": total_cycles,
            "elapsed_ms": (secs * 1e6).round() / 1e3,
        });
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }
    println!(
        "{} on {}, {} scheduler: {} runs (seeds {}..={})",
        t.title,
        model.title(),
        kind.name(),
        a.runs,
        a.seed,
        a.seed.wrapping_add(a.runs.saturating_sub(1))
    );
    println!(
        "  violations: {violations} ({:.3}%), {total_steps} steps, {total_cycles} {} in {:.3} s ({:.1} M steps/s)",
        100.0 * violations as f64 / a.runs.max(1) as f64,
        kind.cycles_word(),
        secs,
        total_steps as f64 / secs.max(1e-9) / 1e6
    );
    if step_limit > 0 {
        println!("  {step_limit} run(s) did not quiesce within {} steps", a.max_steps);
    }
    if let Some((seed, v, cycles)) = &first {
        println!("  first failing seed: {seed}: {v} (at {} {cycles})", kind.cycle_word());
        println!("  reproduce: {}", replay_command(a, model, *seed, t));
        if let Some(p) = &save_trace {
            println!("  trace saved to {} (step through it: weaksim replay {})", p.display(), p.display());
        }
    }
    if let Some(m) = &nothing_saved {
        println!("  {m}");
    }
    Ok(code)
}
