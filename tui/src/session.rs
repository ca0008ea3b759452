//! One simulation as the TUI drives it: the machine, the choices made so far,
//! the event log, the undo history and a loaded trace to follow. Every change
//! goes through [`Session::choose`] (one user step: the chosen transition, then
//! the register-only steps that follow it) so that undo, replay, saving and the
//! explanation of a lost work all see the same record.
//!
//! A session never searches: what the search says about the current state
//! ([`Session::from_here`]) is computed on a worker thread by the app and
//! handed in with [`Session::set_from_here`], for the state it was asked about
//! ([`Session::generation`]).

use crate::error::{ExplainError, SessionError};
use crate::explain::{explain, waiting_claim, why_safe};
use crate::search::FromHere;
use crate::snapshot::{Extra, Snapshot, WriteRec};
use isa::Program;
use sim::timeline::{BufferTimeline, StoreSpan};
use sim::{AnyMachine, Model, PromiseMode, RandomScheduler, Status, Transition};
use std::sync::Arc;

mod replay;
pub use replay::{drain_order, ReplayReport};

/// Longest run of register-only steps taken at once (as the search's `close`).
pub const EAGER_LIMIT: usize = sim::explore::EAGER_LIMIT;

/// Most cores for which the "from here" search runs after every step.
pub const FROM_HERE_MAX_CORES: usize = 3;

/// One transition the user (or the scheduler) chose, with what it read, so
/// that a replay under another model can pick the alternative reading the same value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub t: Transition,
    pub read: Option<u64>,
    /// A store that went into a store buffer (TSO): it reaches memory at a later drain.
    pub buffered: bool,
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// A chosen transition.
    Step,
    /// A register-only step taken automatically after a chosen one.
    Local,
    /// A remark (replay, search, trace).
    Note,
    /// A violation.
    Alert,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The user step it belongs to (0: before the first).
    pub step: usize,
    pub kind: LogKind,
    pub text: String,
}

/// A trace being followed: space takes its next step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub name: String,
    /// Every transition of the trace, register-only steps included.
    pub steps: Vec<Transition>,
    /// Per transition: a step the viewer sees (not a register-only step taken at once).
    pub visible: Vec<bool>,
    pub pos: usize,
    /// Per transition, the cycle at which it completed (a timed run's trace), if known.
    pub cycles: Option<Vec<u64>>,
}

impl Plan {
    /// Visible steps taken so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        let done = self.visible[..self.pos.min(self.visible.len())].iter().filter(|v| **v).count();
        (done, self.visible.iter().filter(|v| **v).count())
    }
}

#[derive(Clone, Debug)]
struct Frame {
    machine: AnyMachine,
    timed: sim::TimedScheduler,
    sched: RandomScheduler,
    choices: usize,
    applied: usize,
    log: usize,
    last_read: Vec<Option<u64>>,
    writes: Vec<WriteRec>,
    timeline: BufferTimeline,
    plan_pos: Option<usize>,
}

/// One machine being stepped, with its history.
#[derive(Clone, Debug)]
pub struct Session {
    /// The initial state (before any step): traces and explanations start here.
    start: AnyMachine,
    machine: AnyMachine,
    /// The scheduler behind "step" when no trace is loaded.
    sched: RandomScheduler,
    /// Run register-only steps at once after each chosen transition.
    reduce: bool,
    choices: Vec<Choice>,
    /// Every transition applied, register-only steps included: the trace.
    applied: Vec<Transition>,
    /// The user step each applied transition belongs to.
    applied_step: Vec<usize>,
    /// The cycle at which each applied transition completed, when the clock
    /// gave it one (`c`/`C`, or a timed trace being followed): the saved trace keeps it.
    applied_cycle: Vec<Option<u64>>,
    log: Vec<LogEntry>,
    /// Per symbol: the value func() last read from it.
    last_read: Vec<Option<u64>>,
    /// Models that keep every write (ARM): per write, when it was made.
    writes: Vec<WriteRec>,
    /// Store buffer models: when each store entered its buffer and left it.
    timeline: BufferTimeline,
    plan: Option<Plan>,
    history: Vec<Frame>,
    /// The cycle-level scheduler behind "step one cycle" (default timing model, the session's seed).
    timed: sim::TimedScheduler,
    /// The cycle clock has been used (`c`): the panes show when things complete.
    timed_used: bool,
    snap: Arc<Snapshot>,
    /// Lines explaining a violation, once one happened.
    explanation: Vec<String>,
    /// Lines explaining why no work can be lost from here, once the search says so.
    safe_why: Vec<String>,
    /// With `safe_why`: the core whose waiting claim forces the order it explains.
    safe_wait: Option<usize>,
    from_here: Option<FromHere>,
    /// Changes with every change of the state: a search result is for one generation.
    generation: u64,
}

impl Session {
    /// A session at the program's initial state (register-only steps taken when `reduce`).
    pub fn new(prog: Arc<Program>, model: Model, seed: u64, reduce: bool) -> Result<Session, SessionError> {
        let machine = model.machine(prog.clone())?;
        let nsym = prog.symbols.len();
        let snap = Arc::new(Snapshot::of(
            &machine,
            &Extra {
                last_read: &vec![None; nsym],
                planned: None,
                prev: None,
                writes: &[],
                timed: None,
                timeline: None,
            },
        ));
        let mut s = Session {
            start: machine.clone(),
            machine,
            sched: RandomScheduler::new(seed),
            reduce,
            choices: Vec::new(),
            applied: Vec::new(),
            applied_step: Vec::new(),
            applied_cycle: Vec::new(),
            log: Vec::new(),
            last_read: vec![None; nsym],
            writes: Vec::new(),
            timeline: BufferTimeline::new(),
            plan: None,
            history: Vec::new(),
            timed: sim::TimedScheduler::new(seed, sim::TimingModel::default()),
            timed_used: false,
            snap,
            explanation: Vec::new(),
            safe_why: Vec::new(),
            safe_wait: None,
            from_here: None,
            generation: 0,
        };
        if reduce {
            s.close_logged();
        }
        s.refresh();
        Ok(s)
    }

    /// A session at the initial state, following `plan` (a trace's transitions),
    /// with the promise mode `hint` if the trace fits it.
    pub fn with_plan(
        prog: Arc<Program>,
        model: Model,
        seed: u64,
        reduce: bool,
        name: &str,
        plan: Vec<Transition>,
        hint: Option<PromiseMode>,
    ) -> Result<Session, SessionError> {
        Session::with_timed_plan(prog, model, seed, reduce, name, plan, None, hint)
    }

    /// [`Session::with_plan`] for a timed run's trace: `cycles` (one per
    /// transition of `plan`, else ignored) are when its steps completed there;
    /// the event log says at which cycle each step completed, the store buffer
    /// pane since when each store has been waiting.
    #[allow(clippy::too_many_arguments)]
    pub fn with_timed_plan(
        prog: Arc<Program>,
        model: Model,
        seed: u64,
        reduce: bool,
        name: &str,
        plan: Vec<Transition>,
        cycles: Option<Vec<u64>>,
        hint: Option<PromiseMode>,
    ) -> Result<Session, SessionError> {
        let cycles = cycles.filter(|c| c.len() == plan.len());
        let mut s = Session::new(prog, model, seed, false)?;
        s.reduce = reduce;
        // A trace from the search on a model with promises was made promise-first
        // (or without promises); one made interactively may have promised at any time.
        if s.machine.has_promises() {
            let fits = |mode| {
                let mut m = s.start.clone();
                m.set_promise_mode(mode);
                plan.iter().all(|t| m.apply(*t).is_ok())
            };
            let mode = hint
                .into_iter()
                .chain([PromiseMode::First, PromiseMode::Off, PromiseMode::Anytime])
                .find(|m| fits(*m))
                .unwrap_or(PromiseMode::First);
            s.start.set_promise_mode(mode);
            s.machine.set_promise_mode(mode);
        }
        let visible = {
            let mut m = s.start.clone();
            plan.iter()
                .map(|&t| {
                    let v = !m.is_eager_step(t);
                    let _ = m.apply(t);
                    v
                })
                .collect()
        };
        s.plan = Some(Plan { name: name.to_string(), steps: plan, visible, pos: 0, cycles });
        s.follow_eager_plan();
        s.refresh();
        Ok(s)
    }

    /// Sets when the machine offers promise transitions (models with promises only).
    pub fn set_promise_mode(&mut self, mode: PromiseMode) {
        self.start.set_promise_mode(mode);
        self.machine.set_promise_mode(mode);
        self.refresh();
    }

    pub fn prog(&self) -> &Arc<Program> {
        self.machine.prog()
    }

    pub fn model(&self) -> &Model {
        self.machine.model()
    }

    /// The machine now.
    pub fn machine(&self) -> &AnyMachine {
        &self.machine
    }

    /// The machine before the first step.
    pub fn start(&self) -> &AnyMachine {
        &self.start
    }

    /// User steps taken so far.
    pub fn step_no(&self) -> usize {
        self.choices.len()
    }

    pub fn status(&self) -> &Status {
        &self.snap.status
    }

    /// What the screen shows of the machine.
    pub fn snap(&self) -> &Snapshot {
        &self.snap
    }

    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    /// Every transition applied so far (register-only steps included).
    pub fn applied(&self) -> &[Transition] {
        &self.applied
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref()
    }

    /// Why work was lost (after a violation).
    pub fn explanation(&self) -> &[String] {
        &self.explanation
    }

    /// Why no work can be lost from here (once the search says so).
    pub fn safe_why(&self) -> &[String] {
        &self.safe_why
    }

    /// The core whose claim waits for its store buffer now, when that is why
    /// no work can be lost (the step the why-safe banner names first).
    pub fn safe_wait(&self) -> Option<usize> {
        self.safe_wait
    }

    pub fn from_here(&self) -> Option<&FromHere> {
        self.from_here.as_ref()
    }

    /// Whether the "from here" search is worth running for this state.
    pub fn wants_from_here(&self) -> bool {
        self.prog().num_cores() <= FROM_HERE_MAX_CORES
            && self.from_here.is_none()
            && matches!(self.snap.status, Status::Running)
    }

    /// Changes with every change of the state.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Hands in the search's answer for state `generation` (ignored if the state changed since).
    pub fn set_from_here(&mut self, generation: u64, f: FromHere) {
        if generation != self.generation {
            return;
        }
        self.from_here = Some(f);
        self.explain_safe();
    }

    /// Register-only instructions run at once after each step.
    pub fn reduce(&self) -> bool {
        self.reduce
    }

    pub fn set_reduce(&mut self, on: bool) {
        self.reduce = on;
    }

    /// The cycle clock has been used.
    pub fn timed_used(&self) -> bool {
        self.timed_used
    }

    /// The loaded trace's next transition, if one is loaded and not finished.
    pub fn planned(&self) -> Option<Transition> {
        self.plan.as_ref().and_then(|p| p.steps.get(p.pos).copied())
    }

    fn note(&mut self, kind: LogKind, text: String) {
        self.log.push(LogEntry { step: self.choices.len(), kind, text });
    }

    /// Adds a remark to the event log.
    pub fn remark(&mut self, text: impl Into<String>) {
        self.note(LogKind::Note, text.into());
    }

    /// Applies one transition and records it.
    fn apply_logged(&mut self, t: Transition, kind: LogKind) -> Result<(), SessionError> {
        let mut label = self.machine.label(t);
        if let Some(ts) = crate::snapshot::fulfils(&self.machine, t) {
            label.push_str(&crate::snapshot::fulfil_text(ts, &self.writes));
        }
        let obs = self.machine.observe_of(t);
        // Following a timed run's trace: the cycle at which this step completed there.
        let cycle = match &self.plan {
            Some(p) if p.steps.get(p.pos) == Some(&t) => p.cycles.as_ref().and_then(|c| c.get(p.pos).copied()),
            _ => None,
        };
        self.machine.apply(t)?;
        self.after_apply(t, obs, cycle);
        let at = sim::timeline::At { step: self.applied.len(), cycle };
        let left = self.timeline.after_step(&self.machine, t, at);
        let drained = spans_left(&self.machine, &self.timeline, left);
        match cycle {
            Some(c) => self.note(kind, format!("cycle {c}: {label}")),
            None => self.note(kind, label),
        }
        for d in drained {
            self.note(LogKind::Note, d);
        }
        Ok(())
    }

    /// Follows the store buffers after `t` (already applied: `after` is the
    /// machine after it); returns a line for each store that left its buffer,
    /// with when it entered and when it became visible.
    fn track(&mut self, after: &AnyMachine, t: Transition, cycle: Option<u64>) -> Vec<String> {
        let at = sim::timeline::At { step: self.applied.len(), cycle };
        let left = self.timeline.after_step(after, t, at);
        spans_left(after, &self.timeline, left)
    }

    /// Bookkeeping after `t` was applied: what func() read, the trace, and (models with a write history) when each write was made.
    fn after_apply(&mut self, t: Transition, obs: Option<(u16, u64)>, cycle: Option<u64>) {
        if let Some((sym, v)) = obs {
            if let Some(slot) = self.last_read.get_mut(sym as usize) {
                *slot = Some(v);
            }
        }
        self.applied.push(t);
        self.applied_step.push(self.choices.len());
        self.applied_cycle.push(cycle);
        let step = self.choices.len();
        for loc in 0..self.prog().symbols.len() {
            for w in self.machine.history(loc) {
                if w.ts == 0 {
                    continue;
                }
                let i = w.ts as usize - 1;
                if i >= self.writes.len() {
                    self.writes.resize(i + 1, WriteRec::default());
                }
                let r = &mut self.writes[i];
                if r.made.is_none() {
                    r.made = Some(step);
                    r.promised = w.promised;
                }
                if !w.promised && r.written.is_none() {
                    r.written = Some(step);
                }
            }
        }
    }

    /// Takes the register-only steps every core can take now (as the search does).
    fn close_logged(&mut self) {
        let mut n = 0;
        while n < EAGER_LIMIT {
            let Some(t) = self.machine.next_eager() else { break };
            if self.apply_logged(t, LogKind::Local).is_err() {
                break;
            }
            n += 1;
        }
    }

    /// Takes the loaded trace's register-only steps that come next.
    fn follow_eager_plan(&mut self) {
        loop {
            let Some(t) = self.planned() else { return };
            if !self.machine.is_eager_step(t) || self.apply_logged(t, LogKind::Local).is_err() {
                return;
            }
            if let Some(p) = self.plan.as_mut() {
                p.pos += 1;
            }
        }
    }

    fn push_frame(&mut self) {
        self.history.push(Frame {
            machine: self.machine.clone(),
            timed: self.timed.clone(),
            sched: self.sched.clone(),
            choices: self.choices.len(),
            applied: self.applied.len(),
            log: self.log.len(),
            last_read: self.last_read.clone(),
            writes: self.writes.clone(),
            timeline: self.timeline.clone(),
            plan_pos: self.plan.as_ref().map(|p| p.pos),
        });
    }

    /// One user step, then [`Session::refresh`].
    pub fn pick(&mut self, t: Transition) -> Result<(), SessionError> {
        let r = self.choose(t);
        self.refresh();
        r
    }

    /// One user step: apply `t` (which must be enabled), then follow the loaded
    /// trace's register-only steps, or take every register-only step at once.
    /// The derived view is stale until [`Session::refresh`].
    pub(crate) fn choose(&mut self, t: Transition) -> Result<(), SessionError> {
        if !self.machine.enabled().contains(&t) {
            return Err(SessionError::NotEnabled(t));
        }
        self.push_frame();
        let pv = self.machine.preview(t);
        let choice = Choice {
            t,
            read: pv.and_then(|p| p.read),
            buffered: pv.is_some_and(|p| p.buffered),
            label: self.machine.label(t),
        };
        self.choices.push(choice);
        self.apply_logged(t, LogKind::Step)?;
        let on_plan = self.planned() == Some(t);
        if on_plan {
            if let Some(p) = self.plan.as_mut() {
                p.pos += 1;
            }
            self.follow_eager_plan();
        } else {
            if let Some(p) = self.plan.take() {
                self.note(LogKind::Note, format!("left the loaded trace ({}) here", p.name));
            }
            if self.reduce {
                self.close_logged();
            }
        }
        if let Status::Violation(v) = self.machine.status() {
            self.note(LogKind::Alert, v.to_string());
        }
        Ok(())
    }

    /// The scheduler's step (the loaded trace's next step, else the seeded
    /// random scheduler's choice), then [`Session::refresh`].
    pub fn step(&mut self) -> Result<(), SessionError> {
        let r = self.step_raw();
        self.refresh();
        r
    }

    fn step_raw(&mut self) -> Result<(), SessionError> {
        let en = self.machine.enabled();
        let t = match self.planned() {
            Some(t) if en.contains(&t) => t,
            _ => self.sched.pick(&en).ok_or(SessionError::RunOver)?,
        };
        self.choose(t)
    }

    /// Advances the cycle clock by one cycle under the timed scheduler (the
    /// default timing model): every transition that completes in that cycle is
    /// taken and recorded like a chosen one. Returns how many completed.
    pub fn step_cycle(&mut self) -> Result<usize, SessionError> {
        self.timed_step(false)
    }

    /// Advances the cycle clock to the next cycle where a transition completes, and takes it.
    pub fn step_event(&mut self) -> Result<usize, SessionError> {
        self.timed_step(true)
    }

    fn timed_step(&mut self, to_event: bool) -> Result<usize, SessionError> {
        if self.machine.enabled().is_empty() {
            return Err(SessionError::RunOver);
        }
        self.push_frame();
        self.timed_used = true;
        if let Some(p) = self.plan.take() {
            self.note(LogKind::Note, format!("left the loaded trace ({}) here", p.name));
        }
        let mut m = self.machine.clone();
        let from = self.machine.cycle();
        let done = if to_event {
            self.machine.step_event(&mut self.timed).into_iter().collect()
        } else {
            self.machine.step_cycle(&mut self.timed)
        };
        for a in &done {
            let pv = m.preview(a.t);
            let obs = m.observe_of(a.t);
            self.choices.push(Choice {
                t: a.t,
                read: pv.and_then(|p| p.read),
                buffered: pv.is_some_and(|p| p.buffered),
                label: a.label.clone(),
            });
            m.apply(a.t)?;
            self.after_apply(a.t, obs, Some(a.cycle));
            let drained = self.track(&m, a.t, Some(a.cycle));
            self.note(LogKind::Step, format!("cycle {}: {}", a.cycle, a.label));
            for d in drained {
                self.note(LogKind::Note, d);
            }
        }
        if done.is_empty() {
            let c = self.machine.cycle();
            self.note(LogKind::Note, format!("cycle {c}: nothing completes"));
        } else if to_event && self.machine.cycle() > from + 1 {
            self.note(LogKind::Note, format!("jumped from cycle {from} to cycle {}", self.machine.cycle()));
        }
        if let Status::Violation(v) = self.machine.status() {
            self.note(LogKind::Alert, v.to_string());
        }
        self.refresh();
        Ok(done.len())
    }

    /// The axiomatic explanation of the run so far (the execution graph's
    /// cycle and what would close it), as lines; noted in the event log.
    pub fn explain_axiomatic(&mut self) -> Result<Vec<String>, ExplainError> {
        let lines = axiomatic_lines(&self.start, &self.applied)?;
        if let Some(h) = lines.get(1) {
            self.note(LogKind::Note, format!("explained (x): {h}"));
        }
        Ok(lines)
    }

    /// Runs the scheduler until the run ends or `limit` steps; returns the steps taken.
    pub fn run(&mut self, limit: usize) -> usize {
        let mut n = 0;
        while n < limit && self.machine.status() == Status::Running && self.step_raw().is_ok() {
            n += 1;
        }
        self.refresh();
        n
    }

    /// Undoes the last user step; false at the start.
    pub fn back(&mut self) -> bool {
        let Some(f) = self.history.pop() else { return false };
        self.machine = f.machine;
        self.timed = f.timed;
        self.sched = f.sched;
        self.choices.truncate(f.choices);
        self.applied.truncate(f.applied);
        self.applied_step.truncate(f.applied);
        self.applied_cycle.truncate(f.applied);
        self.log.truncate(f.log);
        self.last_read = f.last_read;
        self.writes = f.writes;
        self.timeline = f.timeline;
        if let (Some(p), Some(pos)) = (self.plan.as_mut(), f.plan_pos) {
            p.pos = pos;
        }
        self.refresh();
        true
    }

    /// Steps back until core `core`'s next instruction must wait (at most the
    /// whole run); false when no earlier state has it waiting (nothing is undone then).
    pub fn back_to_wait(&mut self, core: usize) -> bool {
        let Some(k) = self.history.iter().rposition(|f| f.machine.blocked_reason(core).is_some()) else {
            return false;
        };
        while self.history.len() > k + 1 {
            self.history.pop();
        }
        self.back()
    }

    /// Recomputes everything derived from the machine (never searches: the
    /// "from here" answer is asked for again, see [`Session::set_from_here`]).
    pub fn refresh(&mut self) {
        // Unique across sessions, so that an answer for a replaced session is never taken for this one.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.generation = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let prev = self.history.last().map(|f| {
            Snapshot::of(
                &f.machine,
                &Extra {
                    last_read: &f.last_read,
                    planned: None,
                    prev: None,
                    writes: &f.writes,
                    timed: None,
                    timeline: Some(&f.timeline),
                },
            )
        });
        let snap = Snapshot::of(
            &self.machine,
            &Extra {
                last_read: &self.last_read,
                planned: self.planned(),
                prev: prev.as_ref(),
                writes: &self.writes,
                timed: self.timed_used.then_some(&self.timed),
                timeline: Some(&self.timeline),
            },
        );
        self.snap = Arc::new(snap);
        self.explanation.clear();
        if let Status::Violation(v) = &self.snap.status {
            self.explanation = explain(&self.start, &self.applied, &self.applied_step, v);
        }
        self.from_here = None;
        self.explain_safe();
    }

    /// The why-safe lines, when the run cannot lose work from here.
    fn explain_safe(&mut self) {
        let safe = match (&self.snap.status, &self.from_here) {
            (Status::Running, Some(FromHere::Safe { .. })) => true,
            (Status::Quiescent, _) => !self.prog().lost_work.is_empty(),
            _ => false,
        };
        self.safe_why = if safe { why_safe(&self.start, &self.applied, &self.applied_step) } else { Vec::new() };
        self.safe_wait = if self.safe_why.is_empty() { None } else { waiting_claim(&self.machine) };
    }

    /// The run so far as a trace. Once the cycle clock has timed a step (`c`,
    /// `C`, a followed timed trace), every step has a cycle: its own, or for a
    /// step taken by hand (or before the clock started) the clock's cycle then,
    /// which did not move for it.
    pub fn trace(&self, seed: u64) -> sim::Trace {
        let mut tr = self.start.make_trace(&self.applied, "interactive", Some(seed));
        if self.applied_cycle.iter().any(Option::is_some) {
            let mut clock = self.start.cycle();
            for (s, c) in tr.steps.iter_mut().zip(&self.applied_cycle) {
                clock = c.unwrap_or(clock);
                s.cycle = Some(clock);
            }
            tr.cycles = self.machine.cycle();
        }
        tr
    }
}

/// The axiomatic account of `applied` run from `start`: the cycle that makes the
/// outcome non-SC and what would close it, as lines.
pub fn axiomatic_lines(start: &AnyMachine, applied: &[Transition]) -> Result<Vec<String>, ExplainError> {
    let axioms = start.model().axioms()?;
    let (_, verdict, ex) = sim::axiom::explain::explain_run(&**start, applied, axioms)?;
    let title = start.model().title();
    let mut lines = vec![match verdict {
        Ok(()) => format!("axiomatic check: consistent with {title}"),
        Err(f) => format!("axiomatic check: NOT consistent with {title}: {f:?}"),
    }];
    lines.push(format!("why: {}", ex.summary));
    lines.extend(ex.details.iter().map(|d| format!("  - {d}")));
    Ok(lines)
}

/// The event log's line for each store that left its buffer (`left`: indices
/// into the timeline), when the timing is known: when it entered and when it
/// became visible to the other cores, the store-buffer race window.
fn spans_left(m: &AnyMachine, tl: &BufferTimeline, left: Vec<usize>) -> Vec<String> {
    left.into_iter()
        .map(|i| &tl.spans()[i])
        .filter(|s| s.left.is_some_and(|l| l.cycle.is_some()))
        .map(|s| span_line(m, s))
        .collect()
}

/// "data0 := 1 left core 0's store buffer: buffered at cycle 250 (step 7), visible at cycle 318 (step 12), 68 cycles".
pub fn span_line(m: &AnyMachine, s: &StoreSpan) -> String {
    let p = m.prog();
    let at = |a: &sim::timeline::At| match a.cycle {
        Some(c) => format!("cycle {c} (step {})", a.step),
        None => format!("step {}", a.step),
    };
    let mut text = format!(
        "{} := {} left core {}'s store buffer: buffered at {}",
        p.sym_name(s.loc as u16),
        crate::snapshot::value_text(p, s.val),
        s.core,
        at(&s.entered)
    );
    if let Some(l) = &s.left {
        text.push_str(&format!(", visible at {}", at(l)));
    }
    if let Some(n) = s.cycles() {
        text.push_str(&format!(", {n} cycle{} in the buffer", if n == 1 { "" } else { "s" }));
    }
    text
}
