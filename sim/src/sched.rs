//! Schedulers: the only source of nondeterminism. A scheduler picks one of the
//! enabled transitions; a run records the picks so that replay feeds them back.

use crate::check::Violation;
use crate::machine::Machine;
use crate::transition::Transition;
use memmodels::MemoryModel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Picks the next transition among the enabled ones (never empty).
pub trait Scheduler {
    fn choose<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) -> Result<Transition, String>;
    fn name(&self) -> &'static str;
    /// Called after the chosen transition was applied (the timed scheduler moves
    /// the machine's cycle clock here).
    fn applied<M: MemoryModel>(&mut self, _m: &mut Machine<M>) {}
}

/// Uniform choice among the enabled transitions, from a seeded ChaCha8 stream.
pub struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl RandomScheduler {
    pub fn new(seed: u64) -> RandomScheduler {
        RandomScheduler { rng: ChaCha8Rng::seed_from_u64(seed) }
    }
}

impl Scheduler for RandomScheduler {
    #[inline]
    fn choose<M: MemoryModel>(&mut self, _: &Machine<M>, enabled: &[Transition]) -> Result<Transition, String> {
        Ok(enabled[self.rng.random_range(0..enabled.len())])
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
    fn choose<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) -> Result<Transition, String> {
        let Some(&t) = self.steps.get(self.pos) else {
            return Err(format!("the schedule ended after {} steps but the machine can still move", self.pos));
        };
        if !enabled.contains(&t) {
            return Err(format!(
                "step {}: {t:?} is not enabled here (is the trace from another program or model?); enabled: {}",
                self.pos + 1,
                enabled.iter().map(|t| m.label(*t)).collect::<Vec<_>>().join("; ")
            ));
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
    SchedulerError(String),
    /// Every transition is disabled but the state is not a valid final state
    /// (an ARM run with unfulfilled promises): the run is discarded.
    DeadEnd,
}

#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub end: RunEnd,
    /// The chosen transitions (empty unless recording).
    pub schedule: Vec<Transition>,
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
    let mut steps = 0;
    loop {
        if reduce {
            steps += if record { crate::explore::close(m, Some(&mut schedule)) } else { crate::explore::close(m, None) }
                as u64;
        }
        enabled.clear();
        m.enabled_into(&mut enabled);
        if enabled.is_empty() {
            let end = match m.violation(true) {
                Some(v) => RunEnd::Violation(v),
                None if m.quiescent() => RunEnd::Quiescent,
                None => RunEnd::DeadEnd,
            };
            return RunOutcome { end, schedule, steps };
        }
        if steps >= max_steps {
            return RunOutcome { end: RunEnd::StepLimit, schedule, steps };
        }
        let t = match s.choose(m, &enabled) {
            Ok(t) => t,
            Err(e) => return RunOutcome { end: RunEnd::SchedulerError(e), schedule, steps },
        };
        m.apply_unchecked(t);
        s.applied(m);
        steps += 1;
        if record {
            schedule.push(t);
        }
    }
}
