//! Running a sweep: the units of this shard not yet in the journal, on a pool
//! of worker threads; each finished unit is appended to the journal (and
//! synced) before the next is taken into account, and the output is assembled
//! from the journal's units when all are done.

use crate::journal::{journal_path, open_journal, Journal, JournalHeader, Opened};
use crate::output::{self, SweepOutput, UnitResult};
use crate::spec::{Cell, Subject, SweepSpec, Unit};
use anyhow::{Context, Result};
use rayon::prelude::*;
use sim::{AnyMachine, RunSpec};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// How to run a sweep: where its output goes, which shard, how many threads.
#[derive(Clone, Debug)]
pub struct Plan {
    pub spec: SweepSpec,
    /// `(k, n)`: shard k of n (1-based); `None` for the whole sweep.
    pub shard: Option<(u64, u64)>,
    pub threads: usize,
    /// The output file (`.csv` or `.json`); the journal is beside it (`OUT.journal`).
    pub out: PathBuf,
    /// Continue from the journal of an interrupted run.
    pub resume: bool,
}

/// What a running sweep tells its front end.
pub enum Event<'a> {
    /// `--resume` waits for another process that holds the journal's lock.
    Waiting,
    /// The work starts: units already done (a resumed journal), runs to make in all and done.
    Started { cells: &'a [Cell], resumed_units: usize, total_runs: u64, done_runs: u64 },
    /// A unit finished (and is in the journal).
    Unit(UnitDone<'a>),
}

/// A finished unit, with the progress so far.
pub struct UnitDone<'a> {
    pub result: &'a UnitResult,
    pub cell: &'a Cell,
    /// The cell's counts so far (hits, runs); the cell is complete when `cell_complete`.
    pub cell_hits: u64,
    pub cell_runs: u64,
    pub cell_complete: bool,
    pub cells_done: usize,
    pub cells_here: usize,
    /// Runs made by this process, and by earlier ones (a resumed journal).
    pub runs_now: u64,
    pub done_runs: u64,
    pub total_runs: u64,
    pub elapsed: f64,
}

/// How a sweep ended.
pub enum Finished {
    /// The units ran and the output is written.
    Ran { output: SweepOutput, runs: u64, cycles: u64, secs: f64 },
    /// `--resume` found the output already complete (another process finished it).
    AlreadyDone(SweepOutput),
}

/// The starting machine of each cell, and the run spec of each cell.
pub fn starts(spec: &SweepSpec) -> Result<(Vec<AnyMachine>, Vec<RunSpec>)> {
    let cells = spec.cells();
    let timings = spec.point_timings()?;
    let points = spec.points();
    let mut machines: Vec<AnyMachine> = Vec::with_capacity(cells.len());
    let mut runs = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter().enumerate() {
        // Cells differ only by their point within one subject × model × cores: reuse the machine.
        let reuse = i % points.len() != 0;
        let m = if reuse { machines[i - 1].clone() } else { start_of(spec, c)? };
        machines.push(m);
        runs.push(RunSpec::new(spec.scheduler, timings[i % points.len()].clone(), spec.max_steps));
    }
    Ok((machines, runs))
}

/// A cell's starting machine.
pub fn start_of(spec: &SweepSpec, cell: &Cell) -> Result<AnyMachine> {
    let prog = match cell.subject {
        Subject::IrqWork(v) => {
            let cfg = workloads::IrqWorkConfig { writes: spec.writes, ..workloads::IrqWorkConfig::new(v, cell.cores) };
            workloads::irq_work_program(&cfg).map_err(anyhow::Error::msg)?
        }
        Subject::Program(i) => {
            let f = spec.programs.get(i).context("a program index outside the sweep")?;
            f.program(&cell.model)?
        }
    };
    Ok(cell.model.machine(Arc::new(prog))?)
}

/// Runs one unit: [`sim::rates::count`] over its seeds.
pub fn run_unit(spec: &SweepSpec, start: &AnyMachine, run: &RunSpec, u: &Unit) -> UnitResult {
    let counts = start.count(run, u.seeds, true, 1);
    UnitResult::of(u, counts, !spec.programs.is_empty())
}

/// Runs a sweep (or its shard) to its output file, resuming from the journal
/// when asked; `on` hears about progress.
pub fn run(plan: &Plan, on: &mut dyn FnMut(Event)) -> Result<Finished> {
    let spec = &plan.spec;
    let shard = plan.shard;
    let cells = spec.cells();
    let (machines, runspecs) = starts(spec)?;
    let shard_name = shard.map(|(k, n)| format!("{k}/{n}"));
    let header = JournalHeader::new(spec, shard_name.clone());
    let jpath = journal_path(&plan.out);
    let Journal { file: mut journal, mut done } =
        match open_journal(&plan.out, &jpath, &header, plan.resume, &mut || on(Event::Waiting))? {
            Opened::Journal(j) => j,
            Opened::AlreadyDone(out) => return Ok(Finished::AlreadyDone(out)),
        };
    let finished: std::collections::BTreeSet<u64> = done.iter().map(|u| u.unit).collect();

    // Units left per cell, to report cells as they complete; the units themselves
    // are generated as the workers take them.
    let work = spec.shard_cell_work(shard);
    let mut left: Vec<u64> = work.iter().map(|w| w.0).collect();
    let mut tally = vec![(0u64, 0u64); cells.len()];
    let hits = |u: &UnitResult| u.positive.unwrap_or(u.violations);
    for u in &done {
        tally[u.cell].0 += hits(u);
        tally[u.cell].1 += u.runs;
        left[u.cell] -= 1;
    }
    let cells_here = work.iter().filter(|w| w.0 > 0).count();
    let mut cells_done = cells_here - left.iter().filter(|&&n| n > 0).count();
    let total_runs: u64 = work.iter().map(|w| w.1).sum::<u128>().try_into().unwrap_or(u64::MAX);
    let done_runs: u64 = done.iter().map(|u| u.runs).sum();
    on(Event::Started { cells: &cells, resumed_units: done.len(), total_runs, done_runs });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.threads)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?;
    let stop = AtomicBool::new(false);
    let t0 = Instant::now();
    let mut runs_now = 0u64;
    let mut cycles_now = 0u64;
    let (tx, rx) = std::sync::mpsc::channel::<UnitResult>();
    let result: Result<()> = std::thread::scope(|s| {
        let (machines, runspecs, stop, finished) = (&machines, &runspecs, &stop, &finished);
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
                    let r = run_unit(spec, &machines[u.cell], &runspecs[u.cell], &u);
                    if tx.send(r).is_err() {
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
                return Err(e).with_context(|| format!("{}: cannot write", jpath.display()));
            }
            runs_now += r.runs;
            cycles_now += r.cycles;
            let cell = r.cell;
            tally[cell].0 += hits(&r);
            tally[cell].1 += r.runs;
            left[cell] -= 1;
            if left[cell] == 0 {
                cells_done += 1;
            }
            on(Event::Unit(UnitDone {
                result: &r,
                cell: &cells[cell],
                cell_hits: tally[cell].0,
                cell_runs: tally[cell].1,
                cell_complete: left[cell] == 0,
                cells_done,
                cells_here,
                runs_now,
                done_runs,
                total_runs,
                elapsed: t0.elapsed().as_secs_f64(),
            }));
            done.push(r);
        }
        Ok(())
    });
    result?;
    let secs = t0.elapsed().as_secs_f64();
    let parts = output::unit_parts(spec, &done)?;
    let out = output::assemble(spec, shard_name, &parts)?;
    output::write_output(&plan.out, &out)?;
    journal.sync_all().ok();
    // Removed while still locked: a resumer waiting for the lock then finds the work done.
    match std::fs::remove_file(&jpath) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", jpath.display()))
        }
        _ => {}
    }
    drop(journal);
    Ok(Finished::Ran { output: out, runs: runs_now, cycles: cycles_now, secs })
}

/// Whether exhaustive search (at most `max_states` states) proves that no run
/// of `cell` can hit: irq_work never loses work, a program's condition's
/// expression holds in no final state. `false` when the search finds a hit
/// or stops at its bound. Timing plays no part: a timed run is a run.
pub fn proven_never(spec: &SweepSpec, cell: &Cell, max_states: u64) -> Result<bool> {
    let start = start_of(spec, cell)?;
    let irq = matches!(cell.subject, Subject::IrqWork(_));
    let cfg = sim::ExploreConfig { max_states, stop_on_violation: irq, ..Default::default() };
    let r = start.explore(&cfg);
    if r.bound.is_some() {
        return Ok(false);
    }
    if irq {
        return Ok(r.verdict == sim::Verdict::Safe);
    }
    let prog = match cell.subject {
        Subject::Program(i) => spec.programs[i].program(&cell.model)?,
        Subject::IrqWork(_) => unreachable!("handled above"),
    };
    Ok(!r.finals.keys().any(|fs| sim::rates::state_holds(&prog, fs)))
}
