//! `weaksim run`: seeded runs under the random or the timed scheduler.

use super::{load_timing, sched_kind, write_atomic, EXIT_OK, EXIT_VIOLATION};
use crate::target::{Target, TargetArgs};
use anyhow::Result;
use clap::Args;
use serde_json::json;
use sim::rates::state_holds;
use sim::{AnyMachine, Counts, Model, RunSpec, SchedKind, TimingModel};
use std::sync::Arc;
use std::time::Instant;

/// `--max-steps` unless given.
pub const DEFAULT_MAX_STEPS: u64 = 100_000;

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
    #[arg(long, default_value_t = DEFAULT_MAX_STEPS)]
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
    /// Worker threads (default: all cores); the counts are the same for any number
    #[arg(long)]
    pub threads: Option<usize>,
    /// Set one field of the timing model: FIELD=VALUE (as a point of `sweep --vary`); repeatable
    #[arg(long, value_name = "FIELD=VALUE")]
    pub vary: Vec<String>,
}

/// The timing model with `--vary FIELD=VALUE` put in (one value each).
pub fn timing_with(base: sim::TimingModel, vary: &[String]) -> Result<sim::TimingModel> {
    let mut point = sweeps::Params::default();
    let mut grid = Vec::new();
    for v in vary {
        let g = sweeps::grid::parse_vary(v)?;
        if g.values.len() != 1 {
            anyhow::bail!("--vary {v}: run takes one value per field (sweep takes several)");
        }
        point.0.push((g.field.clone(), g.values[0].clone()));
        grid.push(g);
    }
    sweeps::grid::check(&base, &grid)?;
    sweeps::grid::apply(&base, &point).map_err(|e| anyhow::anyhow!("--vary {e}"))
}

pub fn run_cmd(a: &RunArgs) -> Result<u8> {
    let threads = match a.threads {
        Some(0) => anyhow::bail!("--threads 0: expected at least 1"),
        Some(t) => {
            super::check_threads(t)?;
            t
        }
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    if a.max_steps == 0 {
        anyhow::bail!("--max-steps 0: expected at least 1");
    }
    let kind = sched_kind(a.scheduler, a.timing.as_deref())?;
    if !a.vary.is_empty() && kind != SchedKind::Timed {
        anyhow::bail!("--vary sets a field of the timing model: it needs --scheduler timed");
    }
    let timing = timing_with(load_timing(a.timing.as_deref())?, &a.vary)?;
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
        codes.push(go(a, model, save.as_deref(), &t, &start, kind, &timing, threads)?);
    }
    Ok(super::models::combine_exit_codes(&codes))
}

/// The command line that reruns one seed of this workload and saves its trace
/// (`lost.json` for a violation, `witness.json` for a run that shows the condition).
pub fn replay_command(a: &RunArgs, model: &Model, seed: u64, t: &Target) -> String {
    replay_command_to(a, model, seed, t, "lost.json")
}

fn replay_command_to(a: &RunArgs, model: &Model, seed: u64, t: &Target, save: &str) -> String {
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
        for v in &a.vary {
            s.push_str(&format!(" --vary {v}"));
        }
    }
    if a.max_steps != DEFAULT_MAX_STEPS {
        s.push_str(&format!(" --max-steps {}", a.max_steps));
    }
    s.push_str(&format!(" --seed {seed} --runs 1 --save-trace {save}"));
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
    threads: usize,
) -> Result<u8> {
    let t0 = Instant::now();
    let spec = RunSpec::new(kind, timing.clone(), a.max_steps);
    let seeds = [a.seed, a.seed.saturating_add(a.runs)];
    let c: Counts = start.count(&spec, seeds, false, threads);
    let secs = t0.elapsed().as_secs_f64();
    let runs = c.runs;
    let violations = c.violations;
    let first = c.first_violation.as_ref().map(|(f, v)| (f.seed, v.to_string(), f.cycles));
    let prog = &t.program;
    let cond = prog.condition.as_ref();
    // The run worth saving: the first violation, else (a file's condition) the first witness.
    let keep = match (&c.first_violation, &c.first_witness) {
        (Some((f, v)), _) => Some((f.seed, Some(v.to_string()))),
        (None, Some(w)) if cond.is_some() => Some((w.seed, None)),
        _ => None,
    };
    let mut saved = false;
    if let (Some(path), Some((seed, outcome))) = (save_trace, &keep) {
        let (out, cycles) = start.run_seed(kind, timing, *seed, a.max_steps, true);
        let mut tr = start.make_trace(&out.schedule, kind.name(), Some(*seed));
        tr.workload = t.irq_work.as_ref().map(|c| json!({"name": "irq_work", "config": c}));
        tr.outcome = outcome.clone();
        tr.cycles = cycles;
        if kind == SchedKind::Timed {
            tr.set_step_cycles(&out.cycles);
        }
        write_atomic(path, &tr.to_json())?;
        saved = true;
    }
    let code = if violations > 0 { EXIT_VIOLATION } else { EXIT_OK };
    let nothing_saved = match (save_trace, saved) {
        (Some(p), false) => Some(super::explore::nothing_saved(
            p,
            if cond.is_some() {
                "no run ended in a violation or satisfied the condition"
            } else {
                "no run ended in a violation"
            },
        )),
        _ => None,
    };
    let states: Vec<(String, u64, bool)> =
        c.histogram.iter().map(|(fs, n)| (start.final_state_text(fs), *n, state_holds(prog, fs))).collect();
    let observation = cond.map(|_| c.observation());
    if a.format == super::Format::Json {
        if let Some(m) = &nothing_saved {
            eprintln!("weaksim: {m}");
        }
        let mut o = json!({
            "workload": a.target.target,
            "variant": t.irq_work.as_ref().map(|c| c.variant.name()),
            "model": model.name(),
            "scheduler": kind.name(),
            "cores": start.num_cores(),
            "runs": runs,
            "violations": violations,
            "rate": violations as f64 / runs.max(1) as f64,
            "step_limit": c.step_limit,
            "dead_ends": c.dead_ends,
            "first_failing_seed": first.as_ref().map(|f| f.0),
            "first_violation": first.as_ref().map(|f| f.1.clone()),
            "first_violation_cycle": first.as_ref().map(|f| f.2),
            "replay_command": first.as_ref().map(|f| replay_command(a, model, f.0, t)),
            "steps": c.steps,
            "cycles": c.cycles,
            "elapsed_ms": (secs * 1e6).round() / 1e3,
        });
        if let (Some(cd), Some(obs)) = (cond, observation) {
            o["name"] = json!(prog.name);
            o["condition"] = json!(isa::cond::condition_text(prog, cd));
            o["histogram"] = states
                .iter()
                .map(|(s, n, holds)| json!({"state": s, "count": n, "holds": holds}))
                .collect::<serde_json::Value>();
            o["positive"] = json!(c.positive);
            o["negative"] = json!(c.negative);
            o["observation"] = json!(obs.name());
            o["condition_rate"] = json!(c.positive as f64 / c.finals().max(1) as f64);
            o["first_witness_seed"] = json!(c.first_witness.as_ref().map(|w| w.seed));
            o["witness_command"] =
                json!(c.first_witness.as_ref().map(|w| replay_command_to(a, model, w.seed, t, "witness.json")));
        }
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }
    println!(
        "{} on {}, {} scheduler: {} runs (seeds {}..={})",
        t.title,
        model.title(),
        kind.name(),
        runs,
        a.seed,
        a.seed.wrapping_add(runs.saturating_sub(1))
    );
    if let (Some(cd), Some(obs)) = (cond, observation) {
        // litmus7's report: each final state with its count, `*>` where the condition's expression holds.
        println!("  Histogram ({} states)", states.len());
        let w = states.iter().map(|s| s.1.to_string().len()).max().unwrap_or(1);
        for (s, n, holds) in &states {
            println!("  {n:<w$}{}{s}", if *holds { "*>" } else { ":>" });
        }
        println!("  Positive: {}, Negative: {}", c.positive, c.negative);
        println!("  Condition {}", isa::cond::condition_text(prog, cd));
        println!("  Observation {} {obs} {} {}", prog.name, c.positive, c.negative);
    }
    println!(
        "  violations: {violations} ({:.3}%), {} steps, {} {} in {:.3} s ({:.1} M steps/s)",
        100.0 * violations as f64 / runs.max(1) as f64,
        c.steps,
        c.cycles,
        kind.cycles_word(),
        secs,
        c.steps as f64 / secs.max(1e-9) / 1e6
    );
    if c.step_limit > 0 {
        println!("  {} run(s) did not quiesce within {} steps", c.step_limit, a.max_steps);
    }
    if c.dead_ends > 0 {
        println!("  {} run(s) ended with no final state (discarded)", c.dead_ends);
    }
    if let Some((seed, v, cycles)) = &first {
        println!("  first failing seed: {seed}: {v} (at {} {cycles})", kind.cycle_word());
        println!("  reproduce: {}", replay_command(a, model, *seed, t));
    } else if let (Some(w), Some(_)) = (&c.first_witness, cond) {
        println!("  first witness seed: {} (at {} {})", w.seed, kind.cycle_word(), w.cycles);
        println!("  reproduce: {}", replay_command_to(a, model, w.seed, t, "witness.json"));
    }
    if let (true, Some(p)) = (saved, save_trace) {
        println!("  trace saved to {} (step through it: weaksim replay {})", p.display(), p.display());
    }
    if let Some(m) = &nothing_saved {
        println!("  {m}");
    }
    Ok(code)
}
