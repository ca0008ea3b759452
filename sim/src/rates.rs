//! Rates of a program's condition over seeded runs, as litmus7 counts them.
//!
//! [`count`] runs a program again and again from one start state under the
//! random or the timed scheduler, one seed per run, and keeps a histogram of
//! the final states (the values of the locations the condition observes) with
//! how many runs ended in each, how many satisfied the condition's expression
//! (`positive`) and how many did not (`negative`): herd's and litmus7's
//! `Observation NAME Never|Sometimes|Always k n`. Runs that end without a final
//! state (a fault, a deadlock, the step bound, an ARM dead end) are counted
//! apart. Invariant violations (irq_work's lost work) are counted as well, so
//! one pass answers both questions.
//!
//! The result depends only on the program, the model, the scheduler, the timing
//! model and the seeds: [`count_par`] splits the seeds into chunks and adds the
//! chunks' counts, which gives the same [`Counts`] for any number of threads.

use crate::check::{FinalState, Violation};
use crate::machine::Machine;
use crate::sched::{RunEnd, SchedKind};
use crate::timing::TimingModel;
use memmodels::MemoryModel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How seeded runs are made: the scheduler, its timing model (used by the
/// timed scheduler only) and the step bound of one run.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub scheduler: SchedKind,
    pub timing: TimingModel,
    pub max_steps: u64,
}

impl RunSpec {
    pub fn new(scheduler: SchedKind, timing: TimingModel, max_steps: u64) -> RunSpec {
        RunSpec { scheduler, timing, max_steps }
    }
}

/// herd's and litmus7's word on a condition's expression over the final states
/// seen: no run satisfied it, some did, or every run that ended did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Observation {
    Never,
    Sometimes,
    Always,
}

impl Observation {
    /// From the counts of final states (or runs) that satisfy the expression
    /// and that do not. No final state at all is `Never`.
    pub fn of(positive: u64, negative: u64) -> Observation {
        match (positive, negative) {
            (0, _) => Observation::Never,
            (_, 0) => Observation::Always,
            _ => Observation::Sometimes,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Observation::Never => "Never",
            Observation::Sometimes => "Sometimes",
            Observation::Always => "Always",
        }
    }
}

impl std::fmt::Display for Observation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The first run (lowest seed) that ended some way, with its cycle count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRun {
    pub seed: u64,
    pub cycles: u64,
}

/// What a set of seeded runs gave. Adding two disjoint sets' counts
/// ([`Counts::add`]) gives the counts of their union.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Runs made.
    pub runs: u64,
    /// Final states (the condition's locations, in [`isa::cond::Condition::observed`]
    /// order) and how many runs ended in each; empty without a condition.
    pub histogram: BTreeMap<FinalState, u64>,
    /// Runs whose final state satisfies the condition's expression.
    pub positive: u64,
    /// Runs whose final state does not.
    pub negative: u64,
    /// Runs that ended in an invariant violation (lost work, a fault, a deadlock).
    pub violations: u64,
    /// Runs that hit the step bound.
    pub step_limit: u64,
    /// Runs that could not finish (an ARM run with promises it cannot fulfil).
    pub dead_ends: u64,
    /// Steps over all runs.
    pub steps: u64,
    /// Cycles over all runs (steps under the random scheduler).
    pub cycles: u64,
    /// The first violating run and the violation.
    pub first_violation: Option<(FirstRun, Violation)>,
    /// The first run whose final state satisfies the expression (for `exists`
    /// and `~exists`) or fails it (for `forall`): the run worth replaying.
    pub first_witness: Option<FirstRun>,
    /// The cycle at which each violating run ended, in seed order (kept only
    /// when asked for: sweeps report their median).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violation_cycles: Vec<u64>,
}

impl Counts {
    /// herd's Observation, for a program with a condition (runs with no final state left out).
    pub fn observation(&self) -> Observation {
        Observation::of(self.positive, self.negative)
    }

    /// Runs that ended in a final state.
    pub fn finals(&self) -> u64 {
        self.positive + self.negative
    }

    /// Adds the counts of runs disjoint from these ones. The firsts are those of
    /// the lowest seed; violation cycles follow in the order added (add in
    /// seed order to keep them in seed order).
    pub fn add(&mut self, o: Counts) {
        self.runs += o.runs;
        for (k, v) in o.histogram {
            *self.histogram.entry(k).or_default() += v;
        }
        self.positive += o.positive;
        self.negative += o.negative;
        self.violations += o.violations;
        self.step_limit += o.step_limit;
        self.dead_ends += o.dead_ends;
        self.steps += o.steps;
        self.cycles += o.cycles;
        if let Some(f) = o.first_violation {
            if self.first_violation.as_ref().is_none_or(|s| f.0.seed < s.0.seed) {
                self.first_violation = Some(f);
            }
        }
        if let Some(f) = o.first_witness {
            if self.first_witness.as_ref().is_none_or(|s| f.seed < s.seed) {
                self.first_witness = Some(f);
            }
        }
        self.violation_cycles.extend(o.violation_cycles);
    }
}

/// Counts the runs of `start` (each on a copy) for the seeds `seeds[0]..seeds[1]`.
/// `keep_cycles` keeps each violation's cycle in [`Counts::violation_cycles`].
pub fn count<M: MemoryModel>(start: &Machine<M>, spec: &RunSpec, seeds: [u64; 2], keep_cycles: bool) -> Counts {
    let cond = start.prog().condition.as_ref();
    // A `forall` is worth replaying where it fails, the others where their expression holds.
    let witness_when = !matches!(cond.map(|c| c.quant), Some(isa::cond::Quantifier::Forall));
    let mut c = Counts::default();
    for seed in seeds[0]..seeds[1] {
        let (out, cycles, end) = run_seed_final(start, spec, seed);
        c.runs += 1;
        c.steps += out;
        c.cycles += cycles;
        let finished = match &end {
            Ended::Final(m) => Some(m),
            Ended::Violation(v, m) => {
                c.violations += 1;
                if keep_cycles {
                    c.violation_cycles.push(cycles);
                }
                if c.first_violation.is_none() {
                    c.first_violation = Some((FirstRun { seed, cycles }, v.clone()));
                }
                // Lost work is found at quiescence: the state is still a final state.
                matches!(v, Violation::LostWork { .. }).then_some(m)
            }
            Ended::StepLimit => {
                c.step_limit += 1;
                None
            }
            Ended::DeadEnd => {
                c.dead_ends += 1;
                None
            }
        };
        if let (Some(m), Some(_)) = (finished, cond) {
            let holds = m.condition_holds() == Some(true);
            if holds {
                c.positive += 1;
            } else {
                c.negative += 1;
            }
            if holds == witness_when && c.first_witness.is_none() {
                c.first_witness = Some(FirstRun { seed, cycles });
            }
            *c.histogram.entry(m.final_state()).or_default() += 1;
        }
    }
    c
}

/// [`count`] on `threads` worker threads (rayon): the seeds in chunks, the
/// chunks' counts added in seed order, so the result is the same for any
/// number of threads.
pub fn count_par<M: MemoryModel>(
    start: &Machine<M>,
    spec: &RunSpec,
    seeds: [u64; 2],
    keep_cycles: bool,
    threads: usize,
) -> Counts {
    use rayon::prelude::*;
    let n = seeds[1].saturating_sub(seeds[0]);
    if threads <= 1 || n < 2 {
        return count(start, spec, seeds, keep_cycles);
    }
    let chunk = n.div_ceil(threads as u64 * 8).max(1);
    let chunks: Vec<[u64; 2]> =
        (0..n.div_ceil(chunk)).map(|i| [seeds[0] + i * chunk, (seeds[0] + (i + 1) * chunk).min(seeds[1])]).collect();
    let work = || chunks.par_iter().map(|s| count(start, spec, *s, keep_cycles)).collect::<Vec<_>>();
    let parts = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    let mut total = Counts::default();
    for p in parts {
        total.add(p);
    }
    total
}

/// Whether the final state `fs` (as [`Counts::histogram`] holds it) satisfies
/// `prog`'s condition's expression (false without a condition).
pub fn state_holds(prog: &isa::Program, fs: &FinalState) -> bool {
    let Some(c) = &prog.condition else { return false };
    let locs = c.observed();
    c.holds(prog, &|l| locs.iter().position(|x| *x == l).and_then(|i| fs.get(i)).copied().unwrap_or(0))
}

enum Ended<M: MemoryModel> {
    Final(Machine<M>),
    Violation(Violation, Machine<M>),
    StepLimit,
    DeadEnd,
}

/// One seeded run, keeping the machine it ended in: (steps, cycles, end).
fn run_seed_final<M: MemoryModel>(start: &Machine<M>, spec: &RunSpec, seed: u64) -> (u64, u64, Ended<M>) {
    let mut m = start.clone();
    let out = crate::sched::run_seed_on(&mut m, spec.scheduler, &spec.timing, seed, spec.max_steps, false);
    let cycles = match spec.scheduler {
        SchedKind::Random => out.steps,
        SchedKind::Timed => m.cycle(),
    };
    let end = match out.end {
        RunEnd::Quiescent => Ended::Final(m),
        RunEnd::Violation(v) => Ended::Violation(v, m),
        RunEnd::StepLimit => Ended::StepLimit,
        RunEnd::DeadEnd | RunEnd::SchedulerError(_) => Ended::DeadEnd,
    };
    (out.steps, cycles, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observation_words() {
        assert_eq!(Observation::of(0, 5), Observation::Never);
        assert_eq!(Observation::of(0, 0), Observation::Never);
        assert_eq!(Observation::of(3, 0), Observation::Always);
        assert_eq!(Observation::of(3, 2), Observation::Sometimes);
    }
}
