//! Searches, off the UI thread. Each search runs on a worker thread of its
//! own, reports its progress through a shared [`Control`] (the spinner shows
//! the states visited so far) and stops soon after [`Job::cancel`]; a finished
//! or cancelled worker drops everything it built, so memory is given back.
//!
//! Two questions are asked of the machine, each behind one function, so that
//! another engine (the exhaustive engine of issue 11) can be swapped in
//! without touching the app: [`counterexample`] (`f`: the shortest way to lose
//! work, or a witness of a litmus test's condition) and [`from_here`] (can the
//! run still lose work from the current state?).

use sim::{AnyMachine, Control, ExploreConfig, PromiseMode, Transition, Verdict};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Bounds of the `f` search.
pub const FIND_MAX_STATES: u64 = 2_000_000;
pub const FIND_MAX_MEMORY: u64 = 2 << 30;
/// Bounds of the "from here" search after each step.
pub const FROM_HERE_MAX_STATES: u64 = 200_000;
pub const FROM_HERE_MAX_MEMORY: u64 = 1 << 30;

/// A schedule the search found, ready to be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Every transition, register-only steps included (what a trace records).
    pub steps: Vec<Transition>,
    /// The steps a viewer sees (register-only steps run at once are not counted).
    pub visible: usize,
    /// The promise mode the schedule replays in.
    pub promises: PromiseMode,
    /// Promise transitions in it.
    pub promise_steps: usize,
}

/// What `f` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A shortest schedule to a violation (its text).
    Counterexample {
        schedule: Schedule,
        what: String,
        states: u64,
    },
    /// A shortest schedule to a final state where the litmus condition holds.
    Witness {
        schedule: Schedule,
        states: u64,
    },
    /// Every reachable state was visited: no violation (or the condition never holds).
    Safe {
        states: u64,
        finals: usize,
    },
    /// A bound was hit first.
    Bounded {
        why: String,
        states: u64,
    },
    Cancelled {
        states: u64,
    },
}

/// What the search says about the states reachable from the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FromHere {
    /// Lost work (or another violation) is still reachable, in this many more visible steps.
    Reachable { steps: usize },
    /// No continuation violates an invariant.
    Safe { states: u64 },
    /// The search hit its bound.
    Bounded,
}

/// The steps of `schedule` a viewer sees from `start`: every transition but
/// the register-only ones the TUI takes at once.
pub fn visible_steps(start: &AnyMachine, schedule: &[Transition]) -> usize {
    let mut m = start.clone();
    let mut n = 0;
    for &t in schedule {
        if !m.is_eager_step(t) {
            n += 1;
        }
        if m.apply(t).is_err() {
            break;
        }
    }
    n
}

fn schedule(start: &AnyMachine, steps: Vec<Transition>, promises: PromiseMode) -> Schedule {
    let start = start.clone().with_promise_mode(promises);
    Schedule {
        visible: visible_steps(&start, &steps),
        promise_steps: steps.iter().filter(|t| matches!(t, Transition::Promise { .. })).count(),
        steps,
        promises,
    }
}

/// `f`: the shortest counterexample from `start` (or, with `witness`, the
/// shortest witness of the program's condition). On a model with promises it
/// first searches without any: a schedule found that way needs none, so no
/// promise comes before the first claim; only when that finds nothing does it
/// search again offering promises (promise-first, where every promise comes
/// at the start).
pub fn counterexample(start: &AnyMachine, witness: bool, control: &Arc<Control>) -> Found {
    let modes: &[PromiseMode] =
        if start.has_promises() { &[PromiseMode::Off, PromiseMode::First] } else { &[PromiseMode::First] };
    let mut total = 0;
    for (k, &mode) in modes.iter().enumerate() {
        let complete = k + 1 == modes.len();
        let cfg = ExploreConfig {
            max_states: FIND_MAX_STATES,
            max_memory: FIND_MAX_MEMORY,
            threads: 1,
            stop_on_violation: !witness,
            promises: mode,
            control: Some(control.clone()),
            ..Default::default()
        };
        let r = start.explore(&cfg);
        total += r.states;
        if control.cancelled() {
            return Found::Cancelled { states: total };
        }
        if let (Some((v, s)), false) = (&r.violation, witness) {
            return Found::Counterexample {
                schedule: schedule(start, s.clone(), r.promise_mode),
                what: v.to_string(),
                states: total,
            };
        }
        if witness {
            if let Some(f) = r.finals.values().find(|f| f.holds) {
                return Found::Witness { schedule: schedule(start, f.schedule.clone(), r.promise_mode), states: total };
            }
        }
        // A search without promises proves nothing on a model that has them.
        if complete {
            return match r.verdict {
                Verdict::Bounded => {
                    Found::Bounded { why: r.bound.unwrap_or_else(|| "the search stopped early".into()), states: total }
                }
                _ => Found::Safe { states: total, finals: r.finals.len() },
            };
        }
    }
    Found::Bounded { why: "no search ran".into(), states: total }
}

/// Whether a violation is reachable from `m` (the current state). Counted as
/// `f` counts: on a model with promises a continuation without any is looked
/// for first, so "N steps away" and `f`'s "N steps" agree.
pub fn from_here(m: &AnyMachine, control: &Arc<Control>) -> Option<FromHere> {
    let cfg = |promises| ExploreConfig {
        max_states: FROM_HERE_MAX_STATES,
        max_memory: FROM_HERE_MAX_MEMORY,
        threads: 1,
        promises,
        control: Some(control.clone()),
        ..Default::default()
    };
    let away = |r: &sim::ExploreResult, s: &[Transition]| FromHere::Reachable {
        steps: visible_steps(&m.clone().with_promise_mode(r.promise_mode), s),
    };
    if m.has_promises() {
        let r = m.explore(&cfg(PromiseMode::Off));
        if control.cancelled() {
            return None;
        }
        if let (Verdict::Violation, Some((_, s))) = (r.verdict, &r.violation) {
            return Some(away(&r, s));
        }
    }
    let r = m.explore(&cfg(PromiseMode::First));
    if control.cancelled() {
        return None;
    }
    Some(match (r.verdict, &r.violation) {
        (Verdict::Violation, Some((_, s))) => away(&r, s),
        (Verdict::Safe, _) => FromHere::Safe { states: r.states },
        _ => FromHere::Bounded,
    })
}

/// The verdict after each of `choices` taken from `m` (with the register-only
/// steps that follow it when `reduce`): the hint mode's marks.
pub fn hints(m: &AnyMachine, choices: &[Transition], reduce: bool, control: &Arc<Control>) -> Option<Vec<FromHere>> {
    let mut out = Vec::with_capacity(choices.len());
    for &t in choices {
        let mut next = m.clone();
        if next.apply(t).is_err() {
            out.push(FromHere::Bounded);
            continue;
        }
        if reduce {
            let mut n = 0;
            while let Some(e) = next.next_eager() {
                if n >= sim::explore::EAGER_LIMIT || next.apply(e).is_err() {
                    break;
                }
                n += 1;
            }
        }
        let here = match next.status() {
            sim::Status::Violation(_) => FromHere::Reachable { steps: 0 },
            sim::Status::Quiescent => FromHere::Safe { states: 1 },
            sim::Status::DeadEnd => FromHere::Bounded,
            sim::Status::Running => from_here(&next, control)?,
        };
        out.push(here);
    }
    Some(out)
}

/// A search running on its own thread.
#[derive(Debug)]
pub struct Job<T> {
    control: Arc<Control>,
    rx: Receiver<T>,
    handle: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread with a fresh [`Control`].
    pub fn spawn(work: impl FnOnce(&Arc<Control>) -> T + Send + 'static) -> Job<T> {
        let control = Control::new();
        let (tx, rx) = mpsc::channel();
        let c = control.clone();
        let handle = std::thread::Builder::new()
            .name("weaksim-search".into())
            .spawn(move || {
                let r = work(&c);
                let _ = tx.send(r);
            })
            .ok();
        Job { control, rx, handle }
    }

    /// The result, once the worker has finished (it has then exited).
    pub fn poll(&mut self) -> Option<T> {
        match self.rx.try_recv() {
            Ok(r) => {
                self.join();
                Some(r)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => None,
        }
    }

    /// Waits for the result.
    pub fn wait(mut self) -> Option<T> {
        let r = self.rx.recv().ok();
        self.join();
        r
    }

    fn join(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }

    /// States visited so far.
    pub fn states(&self) -> u64 {
        self.control.states()
    }

    /// The worker's progress and stop switch.
    pub fn control(&self) -> &Arc<Control> {
        &self.control
    }

    /// Asks the worker to stop; returns its thread, which ends soon.
    pub fn cancel(mut self) -> Option<JoinHandle<()>> {
        self.control.cancel();
        self.handle.take()
    }
}
