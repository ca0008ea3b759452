//! `weaksim sweep`: race rates over variants × models × core counts × seeds,
//! in parallel (rayon), crash-safe (a journal line per finished unit of work),
//! splittable into shards for a cluster.
//!
//! The work is a list of units, each one cell's chunk of seeds, in a fixed
//! order; shard k of n takes every n-th unit. Each unit's result depends only
//! on its seeds, and cells are assembled in a fixed order, so the output is the
//! same for any number of threads, any sharding, and any kill-and-resume.

use super::cells::{self, Cell, SweepOutput, SweepSpec, Unit, UnitResult, Workload};
use super::journal::{journal_path, open_journal, Journal, JournalHeader, Opened, JOURNAL_FORMAT};
use super::{load_timing, sched_kind};
use anyhow::{bail, Context, Result};
use clap::Args;
use rayon::prelude::*;
use sim::{AnyMachine, Model, RunEnd, SchedKind, TimingModel};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

pub const DEFAULT_MAX_STEPS: u64 = 100_000;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The workload: irq_work
    pub target: String,
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
    /// Also draw the rates as an SVG: rate against cores, a line per model, a panel per variant
    #[arg(long)]
    pub plot: Option<PathBuf>,
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

/// Rust's ranges: `2..8` (2 to 7), `2..=8` (2 to 8); a list `2,4,8`; `4`.
pub fn parse_cores(s: &str) -> Result<Vec<usize>> {
    let bad = || {
        anyhow::anyhow!(
            "--cores {s}: expected a range such as 2..=8 (2 to 8) or 2..8 (2 to 7), or a list such as 2,4,8"
        )
    };
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        if let Some((a, b)) = part.split_once("..") {
            let (b, inclusive) = match b.strip_prefix('=') {
                Some(b) => (b, true),
                None => (b, false),
            };
            let (a, b): (usize, usize) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
            let end = if inclusive { b.saturating_add(1) } else { b };
            if a >= end {
                bail!("--cores {s}: the range {part} is empty");
            }
            out.extend(a..end);
        } else {
            out.push(part.parse().map_err(|_| bad())?);
        }
    }
    let max = workloads::irq_work::MAX_IRQ_WORK_CORES;
    if let Some(c) = out.iter().find(|&&c| c == 0 || c > max) {
        bail!("--cores {s}: {c} cores is out of range (1..={max})");
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Rust's ranges: `A..B` (B excluded) or `A..=B`.
pub fn parse_seeds(s: &str) -> Result<[u64; 2]> {
    let bad = || anyhow::anyhow!("--seeds {s}: expected a range such as 0..1000 (seeds 0 to 999) or 0..=999");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (b, inclusive) = match b.strip_prefix('=') {
        Some(b) => (b, true),
        None => (b, false),
    };
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    let end = match inclusive {
        // Seeds are u64; the range's end (excluded) must be one too.
        true => b.checked_add(1).ok_or_else(|| {
            anyhow::anyhow!(
                "--seeds {s}: the last seed can be at most {} (a range's end must fit in 64 bits)",
                u64::MAX - 1
            )
        })?,
        false => b,
    };
    if end <= a {
        bail!("--seeds {s}: the range has no seeds");
    }
    Ok([a, end])
}

/// `k/n` with 1 <= k <= n.
pub fn parse_shard(s: &str) -> Result<(u64, u64)> {
    let bad = || anyhow::anyhow!("--shard {s}: expected k/n, such as 1/4 (shards are numbered 1 to n)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k == 0 || k > n {
        bail!("--shard {s}: k must be 1..={n} (shards are numbered 1 to n)");
    }
    Ok((k, n))
}

/// `all` (every model with operational semantics) or a list such as `sc,tso`, in the registry's order.
fn parse_models(s: &str) -> Result<Vec<Model>> {
    let known = sim::models::operational();
    if s.trim() == "all" {
        return Ok(known);
    }
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim) {
        let m = sim::models::get(p).map_err(|e| anyhow::anyhow!("--models {s}: {e}"))?;
        if !m.is_operational() {
            bail!("--models {s}: {}", sim::ModelError::NoOperational(m.name()));
        }
        out.push(m);
    }
    if out.is_empty() {
        bail!("--models: the list is empty");
    }
    out.sort_by_key(|m| known.iter().position(|k| k == m));
    out.dedup();
    Ok(out)
}

fn parse_list<T: std::str::FromStr<Err: std::fmt::Display> + Ord + Copy>(
    flag: &str,
    s: &str,
    all: &[T],
) -> Result<Vec<T>> {
    if s.trim() == "all" {
        return Ok(all.to_vec());
    }
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim) {
        out.push(p.parse::<T>().map_err(|e| anyhow::anyhow!("--{flag} {s}: {e}"))?);
    }
    if out.is_empty() {
        bail!("--{flag}: the list is empty");
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The sweep's parameters from its arguments (checked: bad input is exit 2).
pub fn spec_of(a: &SweepArgs) -> Result<SweepSpec> {
    if a.target != "irq_work" && a.target != "irq-work" {
        bail!("sweep {}: only the irq_work workload can be swept", a.target);
    }
    let kind = sched_kind(a.scheduler, a.timing.as_deref())?;
    let variants = parse_list("variants", &a.variants, &Variant::ALL)?;
    let models = parse_models(&a.models)?;
    let cores = parse_cores(&a.cores)?;
    let seeds = parse_seeds(&a.seeds)?;
    IrqWorkConfig { writes: a.writes, ..IrqWorkConfig::new(Variant::BusyXchg, 1) }
        .validate()
        .map_err(anyhow::Error::msg)?;
    if a.max_steps == 0 {
        bail!("--max-steps 0: expected at least 1");
    }
    let n = seeds[1] - seeds[0];
    let chunk = match a.chunk {
        Some(0) => bail!("--chunk 0: expected at least 1 seed per unit"),
        Some(c) => c,
        None => n.div_ceil(16).clamp(1, 10_000),
    };
    let cells = (variants.len() * models.len()).saturating_mul(cores.len()) as u64;
    if cells.checked_mul(n.div_ceil(chunk)).is_none() {
        bail!("--seeds {}: {n} seeds in chunks of {chunk} over {cells} cells are too many units of work to count (raise --chunk)", a.seeds);
    }
    let timing = match kind {
        SchedKind::Timed => Some(load_timing(a.timing.as_deref())?),
        SchedKind::Random => None,
    };
    Ok(SweepSpec {
        workload: Workload::IrqWork,
        variants,
        models: models.iter().map(|m| m.name().to_string()).collect(),
        cores,
        seeds,
        scheduler: kind,
        writes: a.writes,
        max_steps: a.max_steps,
        chunk,
        timing_file: a.timing.as_ref().map(|p| p.display().to_string()),
        timing,
    })
}

/// A cell's starting machine.
pub(super) fn start_of(spec: &SweepSpec, cell: &Cell) -> Result<AnyMachine> {
    let cfg = IrqWorkConfig { writes: spec.writes, ..IrqWorkConfig::new(cell.variant, cell.cores) };
    let p = Arc::new(irq_work_program(&cfg).map_err(anyhow::Error::msg)?);
    Ok(sim::models::get(&cell.model)?.machine(p)?)
}

fn run_unit(starts: &[AnyMachine], spec: &SweepSpec, timing: &TimingModel, u: &Unit) -> UnitResult {
    let start = &starts[u.cell];
    let kind = spec.scheduler;
    let mut r = UnitResult { unit: u.id, cell: u.cell, seeds: u.seeds, ..Default::default() };
    for seed in u.seeds[0]..u.seeds[1] {
        let (out, cycles) = start.run_seed(kind, timing, seed, spec.max_steps, false);
        r.runs += 1;
        r.steps += out.steps;
        r.cycles += cycles;
        match out.end {
            RunEnd::Violation(_) => {
                r.violations += 1;
                r.violation_cycles.push(cycles);
                r.first_failing_seed.get_or_insert(seed);
            }
            RunEnd::StepLimit => r.step_limit += 1,
            RunEnd::DeadEnd | RunEnd::SchedulerError(_) => r.dead_ends += 1,
            RunEnd::Quiescent => {}
        }
    }
    r
}

/// Progress on stderr: a bar on a terminal, a line per finished cell otherwise.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines,
    Quiet,
}

impl Progress {
    fn new(quiet: bool, runs: u64, done: u64) -> Progress {
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Lines;
        }
        let pb = indicatif::ProgressBar::new(runs);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ETA {eta}  {msg}",
            )
            .expect("a valid template"),
        );
        pb.set_position(done);
        pb.reset_eta();
        pb.enable_steady_tick(std::time::Duration::from_millis(250));
        Progress::Bar(pb)
    }
}

pub fn sweep_cmd(a: &SweepArgs) -> Result<u8> {
    let spec = spec_of(a)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    cells::out_kind(&a.out)?;
    if let Some(p) = &a.plot {
        super::plot::check_path(p)?;
        super::check_not_input("--plot", p, a.timing.as_deref())?;
        if p == &a.out || sim::files::same_file(p, &a.out) {
            bail!("--plot {}: this is also the --out file: choose another file", p.display());
        }
    }
    super::check_not_input("--out", &a.out, a.timing.as_deref())?;
    let threads = match a.threads {
        Some(0) => bail!("--threads 0: expected at least 1"),
        Some(t) if t > super::MAX_THREADS => bail!("--threads {t}: at most {}", super::MAX_THREADS),
        Some(t) => t,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    sim::budget::threads_fit(threads).map_err(|e| anyhow::anyhow!("--threads {threads}: {e}"))?;
    let cells = spec.cells();
    let starts: Vec<AnyMachine> = cells.iter().map(|c| start_of(&spec, c)).collect::<Result<_>>()?;
    let timing = spec.timing.clone().unwrap_or_default();
    let shard_name = shard.map(|(k, n)| format!("{k}/{n}"));
    let header = JournalHeader {
        format: JOURNAL_FORMAT.into(),
        version: cells::VERSION,
        sweep: spec.clone(),
        shard: shard_name.clone(),
    };
    let jpath = journal_path(&a.out);
    // Files a killed write left behind (`.NAME.tmpPID`) go before the work starts.
    super::remove_leftovers(&a.out);
    if let Some(p) = &a.plot {
        super::remove_leftovers(p);
    }
    let Journal { file: mut journal, mut done } = match open_journal(&a.out, &jpath, &header, a.resume)? {
        Opened::Journal(j) => j,
        Opened::AlreadyDone(out) => {
            if let Some(p) = &a.plot {
                super::plot::plot(p, &out)?;
            }
            // Said even with --quiet: the command did nothing, and this is why.
            eprintln!("sweep: nothing left to do: {} already holds this sweep's results", a.out.display());
            if !a.quiet {
                print_table(&out);
            }
            return Ok(if out.cells.iter().any(|c| c.violations > 0) { super::EXIT_VIOLATION } else { super::EXIT_OK });
        }
    };
    let finished: std::collections::BTreeSet<u64> = done.iter().map(|u| u.unit).collect();

    // Units left per cell, to report cells as they complete; the units themselves
    // are generated as the workers take them.
    let work = spec.shard_cell_work(shard);
    let mut left: Vec<u64> = work.iter().map(|w| w.0).collect();
    let mut tally = vec![(0u64, 0u64); cells.len()];
    for u in &done {
        tally[u.cell].0 += u.violations;
        tally[u.cell].1 += u.runs;
        left[u.cell] -= 1;
    }
    let cells_here = work.iter().filter(|w| w.0 > 0).count();
    let mut cells_done = cells_here - left.iter().filter(|&&n| n > 0).count();
    let total_runs: u64 = work.iter().map(|w| w.1).sum::<u128>().try_into().unwrap_or(u64::MAX);
    let done_runs: u64 = done.iter().map(|u| u.runs).sum();
    if !a.quiet {
        eprintln!(
            "sweep: {} cells ({} variants × {} models × cores {}), seeds {}..{}, {} scheduler{}, {} threads{}",
            cells.len(),
            spec.variants.len(),
            spec.models.len(),
            spec.cores.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","),
            spec.seeds[0],
            spec.seeds[1],
            spec.scheduler.name(),
            shard_name.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default(),
            threads,
            if done.is_empty() { String::new() } else { format!(", resuming: {} units already done", done.len()) }
        );
    }
    let progress = Progress::new(a.quiet, total_runs, done_runs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?;
    let stop = AtomicBool::new(false);
    let t0 = Instant::now();
    let mut runs_now = 0u64;
    let (tx, rx) = std::sync::mpsc::channel::<UnitResult>();
    let result: Result<()> = std::thread::scope(|s| {
        let (starts, spec, timing, stop, finished) = (&starts, &spec, &timing, &stop, &finished);
        s.spawn(move || {
            let pending = spec
                .shard_unit_ids(shard)
                .take_while(|_| !stop.load(Ordering::Relaxed))
                .filter(|id| !finished.contains(id))
                .filter_map(|id| spec.unit(id));
            pool.install(|| {
                pending.par_bridge().for_each_with(tx, |tx, u| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if tx.send(run_unit(starts, spec, timing, &u)).is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                })
            })
        });
        for r in rx {
            let mut line = serde_json::to_string(&r)?;
            line.push('\n');
            if let Err(e) = journal.write_all(line.as_bytes()).and_then(|_| journal.sync_data()) {
                stop.store(true, Ordering::Relaxed);
                return Err(e).with_context(|| format!("cannot write {}", jpath.display()));
            }
            runs_now += r.runs;
            let cell = r.cell;
            tally[cell].0 += r.violations;
            tally[cell].1 += r.runs;
            done.push(r);
            left[cell] -= 1;
            if left[cell] == 0 {
                cells_done += 1;
            }
            match &progress {
                Progress::Bar(pb) => {
                    pb.inc(done.last().map_or(0, |u| u.runs));
                    let rate = runs_now as f64 / t0.elapsed().as_secs_f64().max(1e-9);
                    pb.set_message(format!("{cells_done}/{cells_here} cells, {rate:.0} runs/s"));
                }
                Progress::Lines if left[cell] == 0 => {
                    let c = &cells[cell];
                    let (k, n) = tally[cell];
                    let secs = t0.elapsed().as_secs_f64().max(1e-9);
                    let rate = runs_now as f64 / secs;
                    let rest = total_runs.saturating_sub(done_runs + runs_now);
                    eprintln!(
                        "[{cells_done}/{cells_here} cells] {} {} {} cores: {k}/{n} violations ({:.3}%) | {:.0} runs/s | ETA {}",
                        c.variant,
                        c.model,
                        c.cores,
                        100.0 * k as f64 / n.max(1) as f64,
                        rate,
                        eta(rest as f64 / rate.max(1e-9))
                    );
                }
                _ => {}
            }
        }
        Ok(())
    });
    if let Progress::Bar(pb) = &progress {
        pb.finish_and_clear();
    }
    result?;
    let secs = t0.elapsed().as_secs_f64();
    let parts = cells::unit_parts(&spec, &done)?;
    let out = cells::assemble(&spec, shard_name, &parts)?;
    cells::write_output(&a.out, &out)?;
    if let Some(p) = &a.plot {
        super::plot::plot(p, &out)?;
    }
    journal.sync_all().ok();
    // Removed while still locked: a resumer waiting for the lock then finds the work done.
    match std::fs::remove_file(&jpath) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", jpath.display()))
        }
        _ => {}
    }
    drop(journal);
    if !a.quiet {
        let cycles: u64 = done.iter().map(|u| u.cycles).sum();
        eprintln!(
            "sweep: {runs_now} runs in {secs:.2} s ({:.0} runs/s, {:.1} M simulated cycles/s); wrote {}{}",
            runs_now as f64 / secs.max(1e-9),
            cycles as f64 / secs.max(1e-9) / 1e6,
            a.out.display(),
            a.plot.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default()
        );
        print_table(&out);
    }
    Ok(if out.cells.iter().any(|c| c.violations > 0) { super::EXIT_VIOLATION } else { super::EXIT_OK })
}

fn eta(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A short table on stdout for people (the file is the result).
pub fn print_table(o: &SweepOutput) {
    println!(
        "{:<15} {:<4} {:>5} {:>8} {:>10} {:>9} {:>19} {:>12} {:>12}",
        "variant", "model", "cores", "runs", "violations", "rate", "95% interval", "median cyc", "first seed"
    );
    for c in &o.cells {
        println!(
            "{:<15} {:<4} {:>5} {:>8} {:>10} {:>8.3}% {:>8.3}%..{:>7.3}% {:>12} {:>12}",
            c.variant,
            c.model,
            c.cores,
            c.runs,
            c.violations,
            100.0 * c.rate,
            100.0 * c.ci_low,
            100.0 * c.ci_high,
            c.median_cycles_to_violation.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
            c.first_failing_seed.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_cores("2..4").unwrap(), [2, 3]);
        assert_eq!(parse_cores("2..=4").unwrap(), [2, 3, 4]);
        assert_eq!(parse_cores("8,2,4,2").unwrap(), [2, 4, 8]);
        assert_eq!(parse_cores("3").unwrap(), [3]);
        for bad in ["", "x", "4..2", "3..3", "0", "2..=65", "2..x", "1,,2"] {
            assert!(parse_cores(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_seeds("0..10").unwrap(), [0, 10]);
        assert_eq!(parse_seeds("5..=9").unwrap(), [5, 10]);
        for bad in ["10", "3..3", "5..2", "a..b", "0..=18446744073709551615", "-1..4"] {
            assert!(parse_seeds(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/4/2"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
