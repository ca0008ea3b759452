//! Schedulers: the only source of nondeterminism. A scheduler picks one of the
//! enabled transitions; a run records the picks so that replay feeds them back.

use crate::check::Violation;
use crate::machine::Machine;
use crate::timed::{run_timed, TimedScheduler};
use crate::timing::TimingModel;
use crate::transition::Transition;
use memmodels::MemoryModel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Why a scheduler could not pick a transition.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchedError {
    #[error("nothing is enabled")]
    NothingEnabled,
    /// A replayed schedule ran out while the machine could still move.
    #[error("the schedule ended after {steps} steps but the machine can still move")]
    ScheduleEnded { steps: usize },
    /// A replayed step (1-based) is not enabled; `enabled` lists what is, in words.
    #[error("step {step}: {transition:?} is not enabled here (is the trace from another program or model?); enabled: {enabled}")]
    NotEnabled { step: usize, transition: Transition, enabled: String },
}

/// Picks the next transition among the enabled ones (never empty).
pub trait Scheduler {
    fn choose<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) -> Result<Transition, SchedError>;
    fn name(&self) -> &'static str;
    /// Called after the chosen transition was applied (the timed scheduler moves
    /// the machine's cycle clock here).
    fn applied<M: MemoryModel>(&mut self, _m: &mut Machine<M>) {}
}

/// Uniform choice among the enabled transitions, from a seeded ChaCha8 stream.
#[derive(Clone, Debug)]
pub struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl RandomScheduler {
    pub fn new(seed: u64) -> RandomScheduler {
        RandomScheduler { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// One uniform choice among `enabled` (None when it is empty): what
    /// [`Scheduler::choose`] picks, for front ends that hold a type-erased machine.
    #[inline]
    pub fn pick(&mut self, enabled: &[Transition]) -> Option<Transition> {
        (!enabled.is_empty()).then(|| enabled[self.rng.random_range(0..enabled.len())])
    }
}

impl Scheduler for RandomScheduler {
    #[inline]
    fn choose<M: MemoryModel>(&mut self, _: &Machine<M>, enabled: &[Transition]) -> Result<Transition, SchedError> {
        self.pick(enabled).ok_or(SchedError::NothingEnabled)
    }
    fn name(&self) -> &'static str {
        "random"
    }
}

/// Feeds back a recorded schedule, checking that each step is enabled.
pub struct ReplayScheduler {
    steps: Vec<Transition>,
    pos: usize,
}

impl ReplayScheduler {
    pub fn new(steps: Vec<Transition>) -> ReplayScheduler {
        ReplayScheduler { steps, pos: 0 }
    }
    pub fn done(&self) -> bool {
        self.pos >= self.steps.len()
    }
}

impl Scheduler for ReplayScheduler {
    fn choose<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) -> Result<Transition, SchedError> {
        let Some(&t) = self.steps.get(self.pos) else {
            return Err(SchedError::ScheduleEnded { steps: self.pos });
        };
        if !enabled.contains(&t) {
            return Err(SchedError::NotEnabled {
                step: self.pos + 1,
                transition: t,
                enabled: enabled.iter().map(|t| m.label(*t)).collect::<Vec<_>>().join("; "),
            });
        }
        self.pos += 1;
        Ok(t)
    }
    fn name(&self) -> &'static str {
        "replay"
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// Quiescent, invariants hold.
    Quiescent,
    Violation(Violation),
    /// The step bound was hit first (a program that never quiesces).
    StepLimit,
    /// The scheduler could not continue (replay mismatch).
    SchedulerError(SchedError),
    /// Every transition is disabled but the state is not a valid final state
    /// (an ARM run with unfulfilled promises): the run is discarded.
    DeadEnd,
}

#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub end: RunEnd,
    /// The chosen transitions (empty unless recording).
    pub schedule: Vec<Transition>,
    /// The machine's cycle after each recorded step, one per entry of
    /// `schedule` (the timed scheduler's clock; empty unless recording).
    pub cycles: Vec<u64>,
    pub steps: u64,
}

/// Runs `m` under `s` until it stops moving, a violation, or `max_steps`.
///
/// With `reduce`, register-only steps run at once (as in exhaustive search, see
/// [`crate::explore::close`]): the scheduler chooses only among the steps that
/// other cores can observe. Every step is still recorded in the schedule.
pub fn run<M: MemoryModel, S: Scheduler>(
    m: &mut Machine<M>,
    s: &mut S,
    max_steps: u64,
    record: bool,
    reduce: bool,
) -> RunOutcome {
    let mut enabled = Vec::with_capacity(8);
    let mut schedule = Vec::new();
    let mut cycles = Vec::new();
    let mut steps = 0;
    loop {
        if reduce {
            steps += if record { crate::explore::close(m, Some(&mut schedule)) } else { crate::explore::close(m, None) }
                as u64;
            if record {
                cycles.resize(schedule.len(), m.cycle());
            }
        }
        enabled.clear();
        m.enabled_into(&mut enabled);
        if enabled.is_empty() {
            let end = match m.violation(true) {
                Some(v) => RunEnd::Violation(v),
                None if m.quiescent() => RunEnd::Quiescent,
                None => RunEnd::DeadEnd,
            };
            return RunOutcome { end, schedule, cycles, steps };
        }
        if steps >= max_steps {
            return RunOutcome { end: RunEnd::StepLimit, schedule, cycles, steps };
        }
        let t = match s.choose(m, &enabled) {
            Ok(t) => t,
            Err(e) => return RunOutcome { end: RunEnd::SchedulerError(e), schedule, cycles, steps },
        };
        m.apply_unchecked(t);
        s.applied(m);
        steps += 1;
        if record {
            schedule.push(t);
            cycles.push(m.cycle());
        }
    }
}

/// Which scheduler drives a seeded run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedKind {
    /// Uniform over the enabled transitions (register-only steps taken at once).
    Random,
    /// Cycle-level latencies with seeded jitter ([`TimedScheduler`]).
    Timed,
}

impl SchedKind {
    pub fn name(self) -> &'static str {
        match self {
            SchedKind::Random => "random",
            SchedKind::Timed => "timed",
        }
    }
    /// What a run's "cycles" count: the random scheduler has no clock and counts one per step.
    pub fn cycles_word(self) -> &'static str {
        match self {
            SchedKind::Random => "cycles (random scheduler: one per step)",
            SchedKind::Timed => "simulated cycles",
        }
    }
    /// The unit of [`run_seed`]'s cycles, singular.
    pub fn cycle_word(self) -> &'static str {
        match self {
            SchedKind::Random => "step",
            SchedKind::Timed => "cycle",
        }
    }
}

/// One seeded run from `start` (on a copy); returns the outcome and its cycles
/// (the machine's clock for timed runs; the number of steps for random runs).
pub fn run_seed<M: MemoryModel>(
    start: &Machine<M>,
    kind: SchedKind,
    timing: &TimingModel,
    seed: u64,
    max_steps: u64,
    record: bool,
) -> (RunOutcome, u64) {
    let mut m = start.clone();
    let out = run_seed_on(&mut m, kind, timing, seed, max_steps, record);
    let cycles = match kind {
        SchedKind::Random => out.steps,
        SchedKind::Timed => m.cycle(),
    };
    (out, cycles)
}

/// One seeded run of `m` itself, which is left in the state the run ended in.
pub fn run_seed_on<M: MemoryModel>(
    m: &mut Machine<M>,
    kind: SchedKind,
    timing: &TimingModel,
    seed: u64,
    max_steps: u64,
    record: bool,
) -> RunOutcome {
    match kind {
        SchedKind::Random => run(m, &mut RandomScheduler::new(seed), max_steps, record, true),
        SchedKind::Timed => run_timed(m, &mut TimedScheduler::new(seed, timing.clone()), max_steps, record),
    }
}
