//! The one type-erased machine: [`DynMachine`] is what a front end needs of a
//! machine whatever its model, implemented once for every [`Machine<M>`];
//! [`AnyMachine`] pairs it with its registry entry. The loops that matter for
//! speed — exhaustive search, random and timed runs — run inside, generic over
//! the model, behind one virtual call each.

use super::Model;
use crate::check::{FinalState, Violation};
use crate::explore::{explore, ExploreConfig, ExploreResult};
use crate::graph::{build_with, Execution, GraphError};
use crate::machine::{ApplyError, Core, Fault, Machine, PromiseMode};
use crate::rates::{Counts, RunSpec};
use crate::sched::{run, run_seed, RandomScheduler, RunOutcome, SchedKind};
use crate::timed::{run_timed, Applied, TimedScheduler};
use crate::timing::TimingModel;
use crate::trace::Trace;
use crate::transition::{Effect, Transition};
use isa::{Instr, Program};
use memmodels::{InFlight, MemoryModel, ModelInfo, Pending, Preview, Request, Write};
use std::sync::Arc;

/// How a machine stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Something can still happen.
    Running,
    /// Everything is done and drained; every invariant holds.
    Quiescent,
    /// An invariant is violated (lost work, fault, deadlock).
    Violation(Violation),
    /// Nothing can move, not quiescent and no violation (an ARM run with
    /// promises it can no longer fulfil): this run is discarded.
    DeadEnd,
}

/// A machine whatever its memory model (object safe). Every method is the
/// [`Machine`] method of the same name.
pub trait DynMachine: Send + Sync + std::fmt::Debug {
    fn clone_box(&self) -> Box<dyn DynMachine>;
    /// The model's name, title and description.
    fn info(&self) -> &'static ModelInfo;
    fn prog(&self) -> &Arc<Program>;
    fn num_cores(&self) -> usize;
    fn num_regs(&self) -> usize;
    fn steps(&self) -> u64;
    fn cycle(&self) -> u64;
    fn core(&self, c: usize) -> &Core;
    fn regs(&self, c: usize) -> &[u64];
    fn program_regs(&self, c: usize) -> &[u64];
    fn memory(&self, loc: usize) -> u64;
    fn next_instr(&self, c: usize) -> Option<&Instr>;
    fn next_text(&self, c: usize) -> String;
    fn where_is(&self, c: usize) -> String;
    /// Core `c`'s next memory access (its metadata left out), if its next instruction is one.
    fn access(&self, c: usize) -> Result<Option<Request<()>>, Fault>;
    fn observed(&self) -> &[(u16, u64)];
    fn faulted(&self) -> Option<&Fault>;
    fn enabled(&self) -> Vec<Transition>;
    fn is_enabled(&self, t: Transition) -> bool;
    fn label(&self, t: Transition) -> String;
    fn preview(&self, t: Transition) -> Option<Preview>;
    fn apply(&mut self, t: Transition) -> Result<Effect, ApplyError>;
    fn is_eager(&self, c: usize) -> bool;
    fn blocked_reason(&self, c: usize) -> Option<String>;
    fn pending(&self, c: usize) -> Vec<Pending>;
    fn in_flight(&self) -> InFlight;
    fn history(&self, loc: usize) -> Vec<Write>;
    fn seen(&self, c: usize, loc: usize) -> Option<u32>;
    fn notes(&self, c: usize) -> Vec<String>;
    /// The model's sentence on a read that overtook the core's store (`MemoryModel::overtaking`).
    fn overtaking(&self, core: usize, read: &str, wrote: &str, failed_rmw: bool) -> String;
    fn quiescent(&self) -> bool;
    fn violation(&self, enabled_is_empty: bool) -> Option<Violation>;
    fn final_state(&self) -> FinalState;
    fn condition_holds(&self) -> Option<bool>;
    fn loc_value(&self, l: isa::Loc) -> u64;
    fn promise_mode(&self) -> PromiseMode;
    fn set_promise_mode(&mut self, mode: PromiseMode);
    fn has_promises(&self) -> bool;
    /// Exhaustive search from this state ([`explore`]).
    fn explore(&self, cfg: &ExploreConfig) -> ExploreResult;
    /// One seeded run from this state (on a copy): its outcome and cycles ([`run_seed`]).
    fn run_seed(
        &self,
        kind: SchedKind,
        timing: &TimingModel,
        seed: u64,
        max_steps: u64,
        record: bool,
    ) -> (RunOutcome, u64);
    /// Counts the condition and the invariants over seeded runs from this state
    /// ([`crate::rates::count_par`]; one thread: [`crate::rates::count`]).
    fn count(&self, spec: &RunSpec, seeds: [u64; 2], keep_cycles: bool, threads: usize) -> Counts;
    /// A random run of this machine ([`run`] with a [`RandomScheduler`]).
    fn run_random(&mut self, seed: u64, max_steps: u64, record: bool, reduce: bool) -> RunOutcome;
    /// A timed run of this machine ([`run_timed`]).
    fn run_timed(&mut self, s: &mut TimedScheduler, max_steps: u64, record: bool) -> RunOutcome;
    /// Advances the timed scheduler by exactly one cycle ([`TimedScheduler::step_cycle`]).
    fn step_cycle(&mut self, s: &mut TimedScheduler) -> Vec<Applied>;
    /// Applies the timed scheduler's next transition, however far away ([`TimedScheduler::step_event`]).
    fn step_event(&mut self, s: &mut TimedScheduler) -> Option<Applied>;
    /// When each enabled transition would complete under the timed scheduler ([`TimedScheduler::completions`]).
    fn completions(&self, s: &TimedScheduler) -> Vec<(Transition, u64)>;
    /// The execution graph of `schedule` run from this state ([`build_with`]).
    fn execution(&self, schedule: &[Transition], alt_mask: u64) -> Result<(Execution, u32), GraphError>;
    /// The labelled trace of `schedule` run from this state.
    fn make_trace(&self, schedule: &[Transition], scheduler: &str, seed: Option<u64>) -> Trace;
    /// A schedule of this machine that runs `exe` (an execution of its program), and the
    /// promise mode it replays in ([`crate::engine::schedule::schedule`]).
    /// `max_states` and `budget` (time, memory, cancellation) bound the search.
    fn schedule_of(
        &self,
        exe: &Execution,
        max_states: u64,
        budget: Option<&crate::budget::Budget>,
    ) -> Result<(Vec<Transition>, PromiseMode), crate::engine::schedule::ScheduleError>;

    /// `0:r1=1; x=2;` — herd's rendering of a final state.
    fn final_state_text(&self, fs: &FinalState) -> String {
        crate::check::final_state_text(self.prog(), fs)
    }
}

impl<M: MemoryModel> DynMachine for Machine<M> {
    fn clone_box(&self) -> Box<dyn DynMachine> {
        Box::new(self.clone())
    }
    fn info(&self) -> &'static ModelInfo {
        Machine::info(self)
    }
    fn prog(&self) -> &Arc<Program> {
        Machine::prog(self)
    }
    fn num_cores(&self) -> usize {
        Machine::num_cores(self)
    }
    fn num_regs(&self) -> usize {
        Machine::num_regs(self)
    }
    fn steps(&self) -> u64 {
        Machine::steps(self)
    }
    fn cycle(&self) -> u64 {
        Machine::cycle(self)
    }
    fn core(&self, c: usize) -> &Core {
        Machine::core(self, c)
    }
    fn regs(&self, c: usize) -> &[u64] {
        Machine::regs(self, c)
    }
    fn program_regs(&self, c: usize) -> &[u64] {
        Machine::program_regs(self, c)
    }
    fn memory(&self, loc: usize) -> u64 {
        Machine::memory(self, loc)
    }
    fn next_instr(&self, c: usize) -> Option<&Instr> {
        Machine::next_instr(self, c)
    }
    fn next_text(&self, c: usize) -> String {
        Machine::next_text(self, c)
    }
    fn where_is(&self, c: usize) -> String {
        Machine::where_is(self, c)
    }
    fn access(&self, c: usize) -> Result<Option<Request<()>>, Fault> {
        Ok(self.request(c)?.map(|r| r.erase()))
    }
    fn observed(&self) -> &[(u16, u64)] {
        Machine::observed(self)
    }
    fn faulted(&self) -> Option<&Fault> {
        Machine::faulted(self)
    }
    fn enabled(&self) -> Vec<Transition> {
        Machine::enabled(self)
    }
    fn is_enabled(&self, t: Transition) -> bool {
        Machine::is_enabled(self, t)
    }
    fn label(&self, t: Transition) -> String {
        Machine::label(self, t)
    }
    fn preview(&self, t: Transition) -> Option<Preview> {
        Machine::preview(self, t)
    }
    fn apply(&mut self, t: Transition) -> Result<Effect, ApplyError> {
        Machine::apply(self, t)
    }
    fn is_eager(&self, c: usize) -> bool {
        Machine::is_eager(self, c)
    }
    fn blocked_reason(&self, c: usize) -> Option<String> {
        Machine::blocked_reason(self, c)
    }
    fn pending(&self, c: usize) -> Vec<Pending> {
        Machine::pending(self, c)
    }
    fn in_flight(&self) -> InFlight {
        Machine::in_flight(self)
    }
    fn history(&self, loc: usize) -> Vec<Write> {
        Machine::history(self, loc)
    }
    fn seen(&self, c: usize, loc: usize) -> Option<u32> {
        Machine::seen(self, c, loc)
    }
    fn notes(&self, c: usize) -> Vec<String> {
        Machine::notes(self, c)
    }
    fn overtaking(&self, core: usize, read: &str, wrote: &str, failed_rmw: bool) -> String {
        self.model().overtaking(core, read, wrote, failed_rmw)
    }
    fn quiescent(&self) -> bool {
        Machine::quiescent(self)
    }
    fn violation(&self, enabled_is_empty: bool) -> Option<Violation> {
        Machine::violation(self, enabled_is_empty)
    }
    fn final_state(&self) -> FinalState {
        Machine::final_state(self)
    }
    fn condition_holds(&self) -> Option<bool> {
        Machine::condition_holds(self)
    }
    fn loc_value(&self, l: isa::Loc) -> u64 {
        Machine::loc_value(self, l)
    }
    fn promise_mode(&self) -> PromiseMode {
        Machine::promise_mode(self)
    }
    fn set_promise_mode(&mut self, mode: PromiseMode) {
        Machine::set_promise_mode(self, mode)
    }
    fn has_promises(&self) -> bool {
        Machine::has_promises(self)
    }
    fn explore(&self, cfg: &ExploreConfig) -> ExploreResult {
        explore(self, cfg)
    }
    fn run_seed(
        &self,
        kind: SchedKind,
        timing: &TimingModel,
        seed: u64,
        max_steps: u64,
        record: bool,
    ) -> (RunOutcome, u64) {
        run_seed(self, kind, timing, seed, max_steps, record)
    }
    fn count(&self, spec: &RunSpec, seeds: [u64; 2], keep_cycles: bool, threads: usize) -> Counts {
        crate::rates::count_par(self, spec, seeds, keep_cycles, threads)
    }
    fn run_random(&mut self, seed: u64, max_steps: u64, record: bool, reduce: bool) -> RunOutcome {
        run(self, &mut RandomScheduler::new(seed), max_steps, record, reduce)
    }
    fn run_timed(&mut self, s: &mut TimedScheduler, max_steps: u64, record: bool) -> RunOutcome {
        run_timed(self, s, max_steps, record)
    }
    fn step_cycle(&mut self, s: &mut TimedScheduler) -> Vec<Applied> {
        s.step_cycle(self)
    }
    fn step_event(&mut self, s: &mut TimedScheduler) -> Option<Applied> {
        s.step_event(self)
    }
    fn completions(&self, s: &TimedScheduler) -> Vec<(Transition, u64)> {
        s.completions(self)
    }
    fn execution(&self, schedule: &[Transition], alt_mask: u64) -> Result<(Execution, u32), GraphError> {
        build_with(self, schedule, alt_mask)
    }
    fn make_trace(&self, schedule: &[Transition], scheduler: &str, seed: Option<u64>) -> Trace {
        crate::trace::make_trace(self, schedule, scheduler, seed)
    }
    fn schedule_of(
        &self,
        exe: &Execution,
        max_states: u64,
        budget: Option<&crate::budget::Budget>,
    ) -> Result<(Vec<Transition>, PromiseMode), crate::engine::schedule::ScheduleError> {
        crate::engine::schedule::schedule(self, exe, max_states, budget)
    }
}

/// A machine under a model of the registry: what every front end holds.
/// Dereferences to [`DynMachine`].
pub struct AnyMachine {
    model: Model,
    m: Box<dyn DynMachine>,
}

impl AnyMachine {
    pub(super) fn new(model: Model, m: Box<dyn DynMachine>) -> AnyMachine {
        AnyMachine { model, m }
    }

    /// The model it runs under (its registry entry: both faces).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// This machine with promise transitions offered as `mode`.
    pub fn with_promise_mode(mut self, mode: PromiseMode) -> AnyMachine {
        self.m.set_promise_mode(mode);
        self
    }

    /// Running, quiescent, violated or a dead end.
    pub fn status(&self) -> Status {
        let en = self.enabled();
        match self.violation(en.is_empty()) {
            Some(v) => Status::Violation(v),
            None if self.quiescent() => Status::Quiescent,
            None if en.is_empty() => Status::DeadEnd,
            None => Status::Running,
        }
    }

    /// The value `t` would read (a load's or RMW's result), if it reads.
    pub fn read_of(&self, t: Transition) -> Option<u64> {
        self.preview(t).and_then(|p| p.read)
    }

    /// What `t` would record with an `observe` instruction: `(symbol, value)`.
    pub fn observe_of(&self, t: Transition) -> Option<(u16, u64)> {
        let Transition::Exec { core, .. } = t else { return None };
        let c = core as usize;
        if c >= self.num_cores() {
            return None;
        }
        match self.next_instr(c)? {
            Instr::Observe { sym, src } => Some((*sym, self.regs(c)[*src as usize])),
            _ => None,
        }
    }

    /// Whether `t` is core `c`'s register-only step that the search runs eagerly.
    pub fn is_eager_step(&self, t: Transition) -> bool {
        match t {
            Transition::Exec { core, choice: 0 } => {
                (core as usize) < self.num_cores() && self.faulted().is_none() && self.is_eager(core as usize)
            }
            _ => false,
        }
    }

    /// The next eager step, in the order `sim::explore::close` takes them.
    pub fn next_eager(&self) -> Option<Transition> {
        (0..self.num_cores()).map(|c| Transition::Exec { core: c as u8, choice: 0 }).find(|t| self.is_eager_step(*t))
    }

    /// A core's `halt`, if one is next on some core (invisible to the others).
    pub fn halt_step(&self) -> Option<Transition> {
        (0..self.num_cores())
            .find(|&c| matches!(self.next_instr(c), Some(Instr::Halt)))
            .map(|c| Transition::Exec { core: c as u8, choice: 0 })
    }

    /// The final state as the program's condition observes it, and whether the
    /// condition holds (programs with a condition only).
    pub fn final_text(&self) -> Option<String> {
        self.prog().condition.as_ref()?;
        let holds = self.condition_holds().unwrap_or(false);
        let fs = self.final_state_text(&self.final_state());
        Some(format!("{fs} — the condition {}", if holds { "holds" } else { "does not hold" }))
    }
}

impl Clone for AnyMachine {
    fn clone(&self) -> AnyMachine {
        AnyMachine { model: self.model.clone(), m: self.m.clone_box() }
    }
}

impl std::fmt::Debug for AnyMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.m.fmt(f)
    }
}

impl std::ops::Deref for AnyMachine {
    type Target = dyn DynMachine;
    fn deref(&self) -> &(dyn DynMachine + 'static) {
        &*self.m
    }
}

impl std::ops::DerefMut for AnyMachine {
    fn deref_mut(&mut self) -> &mut (dyn DynMachine + 'static) {
        &mut *self.m
    }
}
