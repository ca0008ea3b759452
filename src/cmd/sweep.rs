//! `weaksim sweep`: parses a sweep's arguments into a [`sweeps::SweepSpec`],
//! runs it with the `sweeps` library (parallel, crash-safe, shardable) and
//! prints its progress and results.

use super::{load_timing, sched_kind};
use anyhow::{bail, Result};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use sweeps::engine::{Event, Finished, Plan};
use sweeps::spec::{parse_cores, parse_models, parse_seeds, parse_shard, parse_variants};
use sweeps::{ProgramFile, SweepOutput, SweepSpec, Workload};
use workloads::{IrqWorkConfig, Variant};

pub use sweeps::DEFAULT_MAX_STEPS;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The workload: irq_work (or give --programs instead)
    pub target: Option<String>,
    /// Program files (.ucode, .litmus) whose condition to count, instead of irq_work: every file × model × seed
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub programs: Vec<PathBuf>,
    /// Variants: `all`, or a list such as `racy,fixed,smp-mb`
    #[arg(long, default_value = "all")]
    pub variants: String,
    /// Memory models: `all`, or a list such as `sc,tso,arm`
    #[arg(long, default_value = "sc,tso,arm")]
    pub models: String,
    /// Core counts: a range, Rust's way (`2..=8` is 2 to 8, `2..8` is 2 to 7), or a list `2,4,8`
    #[arg(long, default_value = "2..=4")]
    pub cores: String,
    /// Seeds: a range, Rust's way (`0..1000` is 0 to 999, `0..=999` the same); every cell runs every seed
    #[arg(long, default_value = "0..1000")]
    pub seeds: String,
    /// Scheduler: timed (cycle-level latencies with seeded jitter) or random (uniform)
    #[arg(long, value_enum, default_value_t = super::Scheduler::Timed)]
    pub scheduler: super::Scheduler,
    /// Timing model for the timed scheduler (TOML or JSON; docs/timing.md)
    #[arg(long)]
    pub timing: Option<PathBuf>,
    /// Vary a timing field: FIELD=v1,v2,... or FIELD=a..b:step (a..=b includes b); repeatable: a grid
    #[arg(long, value_name = "FIELD=VALUES")]
    pub vary: Vec<String>,
    /// A grid file (TOML or JSON): vary = ["FIELD=...", ...], as --vary
    #[arg(long)]
    pub grid: Option<PathBuf>,
    /// Writes per producer
    #[arg(long, default_value_t = 1)]
    pub writes: u64,
    /// Step bound per run
    #[arg(long, default_value_t = DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// Worker threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Results: a .csv or a .json file (a shard's part: use .json, `weaksim merge` reads it)
    #[arg(long)]
    pub out: PathBuf,
    /// Also draw the rates as an SVG: rate against cores (or --plot-x), a line per model
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub plot_opts: super::plot::PlotOpts,
    /// Run only part k of n (1-based) of the work: cells and seed chunks, dealt round robin
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted sweep from its journal (OUT.journal)
    #[arg(long)]
    pub resume: bool,
    /// Seeds per unit of work (a journal line); default: the seeds in 16 chunks, at most 10000 each
    #[arg(long)]
    pub chunk: Option<u64>,
    /// No progress output
    #[arg(long)]
    pub quiet: bool,
}

/// The sweep's parameters from its arguments (checked: bad input is exit 2).
pub fn spec_of(a: &SweepArgs) -> Result<SweepSpec> {
    let workload = match (&a.target, a.programs.is_empty()) {
        (Some(t), true) if t == "irq_work" || t == "irq-work" => Workload::IrqWork,
        (Some(t), true) => {
            bail!("sweep {t}: only the irq_work workload can be swept this way; for program files use --programs {t}")
        }
        (None, false) => Workload::Programs,
        (Some(t), false) => bail!("sweep {t} --programs ...: give either irq_work or --programs FILE..., not both"),
        (None, true) => bail!("sweep: give the workload (irq_work) or --programs FILE..."),
    };
    let kind = sched_kind(a.scheduler, a.timing.as_deref())?;
    let models = parse_models(&a.models)?;
    let (variants, cores, programs) = match workload {
        Workload::IrqWork => {
            IrqWorkConfig { writes: a.writes, ..IrqWorkConfig::new(Variant::BusyXchg, 1) }
                .validate()
                .map_err(anyhow::Error::msg)?;
            (parse_variants(&a.variants)?, parse_cores(&a.cores)?, Vec::new())
        }
        Workload::Programs => {
            let mut files = Vec::new();
            for p in &a.programs {
                let path = p.display().to_string();
                if files.iter().any(|f: &ProgramFile| f.path == path) {
                    bail!("--programs: {path} is given twice");
                }
                files.push(ProgramFile::load(&path, &models)?);
            }
            (Vec::new(), Vec::new(), files)
        }
    };
    let seeds = parse_seeds(&a.seeds)?;
    if a.max_steps == 0 {
        bail!("--max-steps 0: expected at least 1");
    }
    let mut grid = Vec::new();
    if let Some(g) = &a.grid {
        grid.extend(sweeps::grid::read_grid_file(g).map_err(|e| e.context("--grid"))?);
    }
    for v in &a.vary {
        grid.push(sweeps::grid::parse_vary(v)?);
    }
    if !grid.is_empty() && kind != sim::SchedKind::Timed {
        bail!("--vary/--grid vary the timing model: they need --scheduler timed");
    }
    let timing = match kind {
        sim::SchedKind::Timed => Some(load_timing(a.timing.as_deref())?),
        sim::SchedKind::Random => None,
    };
    sweeps::grid::check(timing.as_ref().unwrap_or(&Default::default()), &grid)?;
    let n = seeds[1] - seeds[0];
    let chunk = match a.chunk {
        Some(0) => bail!("--chunk 0: expected at least 1 seed per unit"),
        Some(c) => c,
        None => n.div_ceil(16).clamp(1, 10_000),
    };
    let spec = SweepSpec {
        workload,
        variants,
        models,
        cores,
        programs,
        seeds,
        scheduler: kind,
        writes: a.writes,
        max_steps: a.max_steps,
        chunk,
        timing_file: a.timing.as_ref().map(|p| p.display().to_string()),
        timing,
        grid,
    };
    let cells = spec.cell_count().unwrap_or(u64::MAX);
    if spec.unit_count().is_none() {
        bail!("--seeds {}: {n} seeds in chunks of {chunk} over {cells} cells are too many units of work to count (raise --chunk)", a.seeds);
    }
    Ok(spec)
}

/// Progress on stderr: a bar on a terminal, a line per finished cell otherwise.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines,
    Quiet,
}

fn eta(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub fn sweep_cmd(a: &SweepArgs) -> Result<u8> {
    let spec = spec_of(a)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    sweeps::output::out_kind(&a.out)?;
    let inputs: Vec<&std::path::Path> =
        a.timing.iter().chain(a.grid.iter()).chain(a.programs.iter()).map(|p| p.as_path()).collect();
    if let Some(p) = &a.plot {
        super::plot::check_path(p)?;
        super::check_not_input("--plot", p, inputs.iter().copied())?;
        if p == &a.out || sim::files::same_file(p, &a.out) {
            bail!("--plot {}: this is also the --out file: choose another file", p.display());
        }
        a.plot_opts.check(&spec)?;
    }
    super::check_not_input("--out", &a.out, inputs.iter().copied())?;
    let threads = match a.threads {
        Some(0) => bail!("--threads 0: expected at least 1"),
        Some(t) if t > super::MAX_THREADS => bail!("--threads {t}: at most {}", super::MAX_THREADS),
        Some(t) => t,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    sim::budget::threads_fit(threads).map_err(|e| anyhow::anyhow!("--threads {threads}: {e}"))?;
    // Files a killed write left behind (`.NAME.tmpPID`) go before the work starts.
    super::remove_leftovers(&a.out);
    if let Some(p) = &a.plot {
        super::remove_leftovers(p);
    }
    let plan = Plan { spec: spec.clone(), shard, threads, out: a.out.clone(), resume: a.resume };
    let shard_name = a.shard.as_deref().map(|_| shard.map(|(k, n)| format!("{k}/{n}")).unwrap_or_default());
    let mut progress = Progress::Quiet;
    let out = a.out.clone();
    let finished = sweeps::run(&plan, &mut |e| match e {
        Event::Waiting => eprintln!("sweep: waiting for the other sweep writing {} to finish", out.display()),
        Event::Started { cells, resumed_units, total_runs, done_runs } => {
            if a.quiet {
                return;
            }
            eprintln!(
                "sweep: {} cells ({}), seeds {}..{}, {} scheduler{}, {} threads{}",
                cells.len(),
                describe(&spec),
                spec.seeds[0],
                spec.seeds[1],
                spec.scheduler.name(),
                shard_name.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default(),
                threads,
                if resumed_units == 0 {
                    String::new()
                } else {
                    format!(", resuming: {resumed_units} units already done")
                }
            );
            progress = if !std::io::stderr().is_terminal() {
                Progress::Lines
            } else {
                let pb = indicatif::ProgressBar::new(total_runs);
                pb.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ETA {eta}  {msg}",
                    )
                    .expect("a valid template"),
                );
                pb.set_position(done_runs);
                pb.reset_eta();
                pb.enable_steady_tick(std::time::Duration::from_millis(250));
                Progress::Bar(pb)
            };
        }
        Event::Unit(u) => {
            let rate = u.runs_now as f64 / u.elapsed.max(1e-9);
            match &progress {
                Progress::Bar(pb) => {
                    pb.inc(u.result.runs);
                    pb.set_message(format!("{}/{} cells, {rate:.0} runs/s", u.cells_done, u.cells_here));
                }
                Progress::Lines if u.cell_complete => {
                    let blank = sweeps::CellResult::empty(&spec, u.cell);
                    let rest = u.total_runs.saturating_sub(u.done_runs + u.runs_now);
                    eprintln!(
                        "[{}/{} cells] {}: {}/{} {} ({:.3}%) | {:.0} runs/s | ETA {}",
                        u.cells_done,
                        u.cells_here,
                        blank.label(),
                        u.cell_hits,
                        u.cell_runs,
                        if blank.program.is_some() { "positive" } else { "violations" },
                        100.0 * u.cell_hits as f64 / u.cell_runs.max(1) as f64,
                        rate,
                        eta(rest as f64 / rate.max(1e-9))
                    );
                }
                _ => {}
            }
        }
    });
    if let Progress::Bar(pb) = &progress {
        pb.finish_and_clear();
    }
    let out = match finished? {
        Finished::AlreadyDone(out) => {
            if let Some(p) = &a.plot {
                super::plot::plot(p, &out, &a.plot_opts)?;
            }
            // Said even with --quiet: the command did nothing, and this is why.
            eprintln!("sweep: nothing left to do: {} already holds this sweep's results", a.out.display());
            if !a.quiet {
                print_table(&out);
            }
            return Ok(exit_code(&out));
        }
        Finished::Ran { output, runs, cycles, secs } => {
            if let Some(p) = &a.plot {
                super::plot::plot(p, &output, &a.plot_opts)?;
            }
            if !a.quiet {
                eprintln!(
                    "sweep: {runs} runs in {secs:.2} s ({:.0} runs/s, {:.1} M simulated cycles/s); wrote {}{}",
                    runs as f64 / secs.max(1e-9),
                    cycles as f64 / secs.max(1e-9) / 1e6,
                    a.out.display(),
                    a.plot.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default()
                );
            }
            output
        }
    };
    if !a.quiet {
        print_table(&out);
    }
    Ok(exit_code(&out))
}

/// 1 when some run lost work (irq_work) or satisfied a program's condition.
pub fn exit_code(o: &SweepOutput) -> u8 {
    if o.cells.iter().any(|c| c.hits() > 0) {
        super::EXIT_VIOLATION
    } else {
        super::EXIT_OK
    }
}

/// `2 variants × 3 models × cores 2,3` or `2 programs × 1 models`, and the grid.
fn describe(spec: &SweepSpec) -> String {
    let mut s = match spec.workload {
        Workload::IrqWork => format!(
            "{} variants × {} models × cores {}",
            spec.variants.len(),
            spec.models.len(),
            spec.cores.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",")
        ),
        Workload::Programs => format!("{} programs × {} models", spec.programs.len(), spec.models.len()),
    };
    for v in &spec.grid {
        s.push_str(&format!(" × {} {}", v.values.len(), v.field));
    }
    s
}

/// A short table on stdout for people (the file is the result).
pub fn print_table(o: &SweepOutput) {
    let programs = o.sweep.workload == Workload::Programs;
    let first = if programs { "program" } else { "variant" };
    let params: Vec<&str> = o.sweep.grid.iter().map(|v| v.field.as_str()).collect();
    let mut head = format!("{:<15} {:<4} {:>5}", first, "model", "cores");
    for p in &params {
        head.push_str(&format!(" {:>12}", p));
    }
    head.push_str(&format!(
        " {:>8} {:>10} {:>9} {:>19} {:>12} {:>12}",
        "runs",
        if programs { "positive" } else { "violations" },
        "rate",
        "95% interval",
        if programs { "observation" } else { "median cyc" },
        if programs { "first witness" } else { "first seed" }
    ));
    println!("{head}");
    for c in &o.cells {
        let name = match (&c.variant, &c.program) {
            (Some(v), _) => v.name().to_string(),
            (None, Some(p)) => p.clone(),
            _ => String::new(),
        };
        let mut line = format!("{:<15} {:<4} {:>5}", name, c.model.name(), c.cores);
        for p in &params {
            let v = c.params.0.iter().find(|(k, _)| k == p).map(|(_, v)| v.to_string()).unwrap_or_default();
            line.push_str(&format!(" {:>12}", v));
        }
        let (col5, col6) = if programs {
            (c.observation.map(|o| o.name().to_string()).unwrap_or_else(|| "-".into()), c.first_witness_seed)
        } else {
            (c.median_cycles_to_violation.map(|x| x.to_string()).unwrap_or_else(|| "-".into()), c.first_failing_seed)
        };
        line.push_str(&format!(
            " {:>8} {:>10} {:>8.3}% {:>8.3}%..{:>7.3}% {:>12} {:>12}",
            c.runs,
            c.hits(),
            100.0 * c.rate,
            100.0 * c.ci_low,
            100.0 * c.ci_high,
            col5,
            col6.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
        ));
        println!("{line}");
    }
}
