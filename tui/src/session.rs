//! One simulation as the TUI drives it: the machine, the choices made so far,
//! the event log, the undo history and a loaded trace to follow. Every change
//! goes through [`Session::choose`] (one user step: the chosen transition, then
//! the register-only steps that follow it) so that undo, replay, saving and the
//! explanation of a lost work all see the same record.

use crate::explain::explain;
use crate::snapshot::{Extra, Snapshot};
use isa::Program;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sim::{AnyMachine, ExploreConfig, Model, PromiseMode, Status, Transition, Verdict};
use std::sync::Arc;

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
    pub pos: usize,
}

/// What exhaustive search says about the states reachable from the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FromHere {
    /// Lost work (or another violation) is still reachable, in this many more transitions.
    Reachable { transitions: usize },
    /// No continuation violates an invariant.
    Safe { states: u64 },
    /// The search hit its bound.
    Bounded,
}

/// How a replay of choices under another model or variant went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub total: usize,
    pub applied: usize,
    /// Choices that are not possible here, in words.
    pub skipped: Vec<String>,
    /// Choices that read another value here than in the original run.
    pub differed: Vec<String>,
    /// The choices were taken in the order their stores reached memory (from TSO).
    pub reordered: bool,
}

impl ReplayReport {
    pub fn summary(&self) -> String {
        let mut s = format!("replayed {} of {} choices", self.applied, self.total);
        if !self.skipped.is_empty() {
            s.push_str(&format!("; {} not possible here", self.skipped.len()));
        }
        if !self.differed.is_empty() {
            s.push_str(&format!("; {} read another value", self.differed.len()));
        }
        s
    }
}

#[derive(Clone, Debug)]
struct Frame {
    machine: AnyMachine,
    timed: sim::TimedScheduler,
    rng: ChaCha8Rng,
    choices: usize,
    applied: usize,
    log: usize,
    last_read: Vec<Option<u64>>,
    plan_pos: Option<usize>,
}

/// One machine being stepped, with its history.
#[derive(Clone, Debug)]
pub struct Session {
    /// The initial state (before any step): traces and explanations start here.
    pub start: AnyMachine,
    pub machine: AnyMachine,
    rng: ChaCha8Rng,
    pub seed: u64,
    /// Run register-only steps at once after each chosen transition.
    pub reduce: bool,
    pub choices: Vec<Choice>,
    /// Every transition applied, register-only steps included: the trace.
    pub applied: Vec<Transition>,
    /// The user step each applied transition belongs to.
    pub applied_step: Vec<usize>,
    pub log: Vec<LogEntry>,
    /// Per symbol: the value func() last read from it.
    pub last_read: Vec<Option<u64>>,
    pub plan: Option<Plan>,
    history: Vec<Frame>,
    /// The cycle-level scheduler behind "step one cycle" (default timing model, the session's seed).
    pub timed: sim::TimedScheduler,
    pub snap: Arc<Snapshot>,
    /// Lines explaining a violation, once one happened.
    pub explanation: Vec<String>,
    pub from_here: Option<FromHere>,
    /// Search from the current state after every step (small machines only).
    pub search_from_here: bool,
}

impl Session {
    /// A session at the program's initial state (register-only steps taken when `reduce`).
    pub fn new(prog: Arc<Program>, model: Model, seed: u64, reduce: bool) -> Result<Session, String> {
        let machine = model.machine(prog.clone()).map_err(|e| e.to_string())?;
        let nsym = prog.symbols.len();
        let snap = Arc::new(Snapshot::of(&machine, &Extra { last_read: &vec![None; nsym], planned: None, prev: None }));
        let mut s = Session {
            start: machine.clone(),
            machine,
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            reduce,
            choices: Vec::new(),
            applied: Vec::new(),
            applied_step: Vec::new(),
            log: Vec::new(),
            last_read: vec![None; nsym],
            plan: None,
            history: Vec::new(),
            timed: sim::TimedScheduler::new(seed, sim::TimingModel::default()),
            snap,
            explanation: Vec::new(),
            from_here: None,
            search_from_here: prog.num_cores() <= FROM_HERE_MAX_CORES,
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
    ) -> Result<Session, String> {
        let mut s = Session::new(prog, model, seed, false)?;
        s.reduce = reduce;
        // A trace from the search on a model with promises was made promise-first;
        // one made interactively may have promised at any time, or never.
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
        s.plan = Some(Plan { name: name.to_string(), steps: plan, pos: 0 });
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

    /// User steps taken so far.
    pub fn step_no(&self) -> usize {
        self.choices.len()
    }

    pub fn status(&self) -> &Status {
        &self.snap.status
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
    fn apply_logged(&mut self, t: Transition, kind: LogKind) -> Result<(), String> {
        let label = self.machine.label(t);
        let obs = self.machine.observe_of(t);
        self.machine.apply(t).map_err(|e| e.to_string())?;
        if let Some((sym, v)) = obs {
            if let Some(slot) = self.last_read.get_mut(sym as usize) {
                *slot = Some(v);
            }
        }
        self.applied.push(t);
        self.applied_step.push(self.choices.len());
        self.note(kind, label);
        Ok(())
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
            rng: self.rng.clone(),
            choices: self.choices.len(),
            applied: self.applied.len(),
            log: self.log.len(),
            last_read: self.last_read.clone(),
            plan_pos: self.plan.as_ref().map(|p| p.pos),
        });
    }

    /// One user step, then [`Session::refresh`].
    pub fn pick(&mut self, t: Transition) -> Result<(), String> {
        let r = self.choose(t);
        self.refresh();
        r
    }

    /// One user step: apply `t` (which must be enabled), then follow the loaded
    /// trace's register-only steps, or take every register-only step at once.
    /// The derived view is stale until [`Session::refresh`].
    pub fn choose(&mut self, t: Transition) -> Result<(), String> {
        if !self.machine.enabled().contains(&t) {
            return Err(format!("{t:?} is not enabled"));
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

    /// The scheduler's step (the loaded trace's next step, else a seeded random
    /// choice), then [`Session::refresh`].
    pub fn step(&mut self) -> Result<(), String> {
        let r = self.step_raw();
        self.refresh();
        r
    }

    fn step_raw(&mut self) -> Result<(), String> {
        let en = self.machine.enabled();
        if en.is_empty() {
            return Err("nothing can happen: the run is over".into());
        }
        let t = match self.planned() {
            Some(t) if en.contains(&t) => t,
            _ => en[self.rng.random_range(0..en.len())],
        };
        self.choose(t)
    }

    /// Advances the cycle clock by one cycle under the timed scheduler (the
    /// default timing model): every transition that completes in that cycle is
    /// taken and recorded like a chosen one. Returns how many completed.
    pub fn step_cycle(&mut self) -> Result<usize, String> {
        if self.machine.enabled().is_empty() {
            return Err("nothing can happen: the run is over".into());
        }
        self.push_frame();
        if let Some(p) = self.plan.take() {
            self.note(LogKind::Note, format!("left the loaded trace ({}) here", p.name));
        }
        let mut m = self.machine.clone();
        let done = self.machine.step_cycle(&mut self.timed);
        for a in &done {
            let pv = m.preview(a.t);
            if let Some((sym, v)) = m.observe_of(a.t) {
                if let Some(slot) = self.last_read.get_mut(sym as usize) {
                    *slot = Some(v);
                }
            }
            self.choices.push(Choice {
                t: a.t,
                read: pv.and_then(|p| p.read),
                buffered: pv.is_some_and(|p| p.buffered),
                label: a.label.clone(),
            });
            m.apply(a.t).map_err(|e| e.to_string())?;
            self.applied.push(a.t);
            self.applied_step.push(self.choices.len());
            self.note(LogKind::Step, format!("cycle {}: {}", a.cycle, a.label));
        }
        if done.is_empty() {
            let c = self.machine.cycle();
            self.note(LogKind::Note, format!("cycle {c}: nothing completes"));
        }
        if let Status::Violation(v) = self.machine.status() {
            self.note(LogKind::Alert, v.to_string());
        }
        self.refresh();
        Ok(done.len())
    }

    /// Writes the axiomatic explanation of the run so far into the event log
    /// (the execution graph's cycle and what would close it); returns its headline.
    pub fn explain_axiomatic(&mut self) -> Result<String, String> {
        let lines = axiomatic_lines(&self.start, &self.applied)?;
        for l in &lines {
            self.note(LogKind::Note, l.clone());
        }
        self.refresh();
        Ok(lines.get(1).cloned().unwrap_or_default())
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
        self.rng = f.rng;
        self.choices.truncate(f.choices);
        self.applied.truncate(f.applied);
        self.applied_step.truncate(f.applied);
        self.log.truncate(f.log);
        self.last_read = f.last_read;
        if let (Some(p), Some(pos)) = (self.plan.as_mut(), f.plan_pos) {
            p.pos = pos;
        }
        self.refresh();
        true
    }

    /// Replays `choices` (made under model `from`, maybe on another variant):
    /// each one as far as it is possible here, picking the alternative that
    /// reads the same value. From a model with store buffers (TSO) to another
    /// model, a core's buffered store and the core's later steps are taken
    /// when that store drained, so each store happens when it became visible.
    /// Here on TSO, a locked instruction waiting for its core's store buffer
    /// drains it first.
    pub fn replay(&mut self, choices: &[Choice], from: &Model) -> ReplayReport {
        let mut r = ReplayReport { total: choices.len(), ..Default::default() };
        let order = if from != self.model() { drain_order(choices) } else { (0..choices.len()).collect() };
        if order.iter().enumerate().any(|(k, i)| k != *i) {
            r.reordered = true;
        }
        for i in order {
            let c = &choices[i];
            let mut t = self.translate(c);
            if t.is_none() {
                t = self.drain_for(c);
            }
            match t {
                Some(t) => {
                    let read = self.machine.read_of(t);
                    if c.read.is_some() && read != c.read {
                        r.differed.push(format!(
                            "choice {}: {} (read {} there)",
                            i + 1,
                            self.machine.label(t),
                            c.read.unwrap_or_default()
                        ));
                    }
                    if self.choose(t).is_ok() {
                        r.applied += 1;
                    }
                }
                None => r.skipped.push(format!("choice {}: {}", i + 1, c.label)),
            }
        }
        // Cores left just before their `halt` halt (nothing another core can see).
        for _ in 0..self.machine.num_cores() {
            match self.machine.halt_step() {
                Some(t) if self.choose(t).is_ok() => {}
                _ => break,
            }
        }
        self.refresh();
        r
    }

    /// Drains the store buffer of the choice's core while that is what keeps
    /// the choice's instruction from running (TSO's locked instructions).
    fn drain_for(&mut self, c: &Choice) -> Option<Transition> {
        let Transition::Exec { core, .. } = c.t else { return None };
        let mut n = 0;
        while n < 64 && self.machine.blocked_reason(core as usize).is_some() {
            let drain = self
                .machine
                .enabled()
                .into_iter()
                .find(|t| matches!(t, Transition::Internal { core: k, .. } if *k == core))?;
            self.choose(drain).ok()?;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        self.translate(c)
    }

    /// The transition here that matches a choice made elsewhere.
    fn translate(&self, c: &Choice) -> Option<Transition> {
        let en = self.machine.enabled();
        match c.t {
            Transition::Exec { core, .. } => {
                let cands: Vec<Transition> = en
                    .iter()
                    .copied()
                    .filter(|t| matches!(t, Transition::Exec { core: k, .. } if *k == core))
                    .collect();
                if let Some(v) = c.read {
                    if let Some(t) = cands.iter().find(|t| self.machine.read_of(**t) == Some(v)) {
                        return Some(*t);
                    }
                }
                if cands.contains(&c.t) {
                    return Some(c.t);
                }
                cands.first().copied()
            }
            t => en.contains(&t).then_some(t),
        }
    }

    /// Recomputes everything derived from the machine.
    pub fn refresh(&mut self) {
        let prev = self
            .history
            .last()
            .map(|f| Snapshot::of(&f.machine, &Extra { last_read: &f.last_read, planned: None, prev: None }));
        let snap = Snapshot::of(
            &self.machine,
            &Extra { last_read: &self.last_read, planned: self.planned(), prev: prev.as_ref() },
        );
        self.snap = Arc::new(snap);
        self.explanation.clear();
        if let Status::Violation(v) = &self.snap.status {
            self.explanation = explain(&self.start, &self.applied, &self.applied_step, v);
        }
        self.from_here = match self.snap.status {
            Status::Running if self.search_from_here => Some(self.search_here()),
            _ => None,
        };
    }

    fn search_here(&self) -> FromHere {
        let cfg = ExploreConfig { max_states: 200_000, max_memory: 1 << 30, threads: 1, ..Default::default() };
        let r = self.machine.explore(&cfg);
        match (r.verdict, r.violation) {
            (Verdict::Violation, Some((_, s))) => FromHere::Reachable { transitions: s.len() },
            (Verdict::Safe, _) => FromHere::Safe { states: r.states },
            _ => FromHere::Bounded,
        }
    }
}

/// The axiomatic account of `applied` run from `start`: the cycle that makes the
/// outcome non-SC and what would close it, as lines.
pub fn axiomatic_lines(start: &AnyMachine, applied: &[Transition]) -> Result<Vec<String>, String> {
    let axioms = start.model().axioms().map_err(|e| e.to_string())?;
    let (_, verdict, ex) = sim::axiom::explain::explain_run(&**start, applied, axioms).map_err(|e| e.to_string())?;
    let title = start.model().title();
    let mut lines = vec![match verdict {
        Ok(()) => format!("axiomatic check: consistent with {title}"),
        Err(f) => format!("axiomatic check: NOT consistent with {title}: {f:?}"),
    }];
    lines.push(format!("why: {}", ex.summary));
    lines.extend(ex.details.iter().map(|d| format!("  - {d}")));
    Ok(lines)
}

/// The order in which TSO choices took effect in memory: a core's buffered
/// store, and every later step of that core up to its next buffered store,
/// move to the drain that made the store visible (or to the end, if it never
/// drained). Drains themselves are kept (a model without them skips them).
pub fn drain_order(choices: &[Choice]) -> Vec<usize> {
    use std::collections::{BTreeMap, VecDeque};
    let mut out = Vec::with_capacity(choices.len());
    // Per core: deferred choices, grouped by the buffered store that starts each group.
    let mut deferred: BTreeMap<usize, VecDeque<Vec<usize>>> = BTreeMap::new();
    for (i, c) in choices.iter().enumerate() {
        let core = c.t.core();
        if let Transition::Internal { .. } = c.t {
            out.push(i);
            if let Some(q) = deferred.get_mut(&core) {
                if let Some(group) = q.pop_front() {
                    out.extend(group);
                }
            }
            continue;
        }
        let q = deferred.entry(core).or_default();
        if c.buffered {
            q.push_back(vec![i]);
        } else if let Some(last) = q.back_mut() {
            last.push(i);
        } else {
            out.push(i);
        }
    }
    for q in deferred.into_values() {
        out.extend(q.into_iter().flatten());
    }
    out
}
