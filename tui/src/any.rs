//! One machine whatever its memory model: the TUI switches models live, so it
//! holds an [`AnyMachine`] and reaches the generic [`Machine`] through
//! [`dispatch!`]. Adding a model is one variant here and one arm in the macro.

use isa::{Instr, Program};
use memmodels::{Arm, MemoryModel, ModelKind, Pending, Preview, Sc, Tso};
use sim::{explore, ExploreConfig, ExploreResult, Machine, PromiseMode, Transition, Violation};
use std::sync::Arc;

/// A machine under one of the models this build has.
#[derive(Clone, Debug)]
pub enum AnyMachine {
    Sc(Machine<Sc>),
    Tso(Machine<Tso>),
    Arm(Machine<Arm>),
}

/// Runs `$body` with `$m` bound to the inner `Machine<M>` (by reference or
/// mutable reference, following `$s`).
macro_rules! dispatch {
    ($s:expr, $m:ident => $body:expr) => {
        match $s {
            AnyMachine::Sc($m) => $body,
            AnyMachine::Tso($m) => $body,
            AnyMachine::Arm($m) => $body,
        }
    };
}
pub(crate) use dispatch;

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

impl AnyMachine {
    /// Whether this build has the model.
    pub fn available(kind: ModelKind) -> bool {
        matches!(kind, ModelKind::Sc | ModelKind::Tso | ModelKind::Arm)
    }

    /// The models this build has, in cycling order.
    pub fn models() -> Vec<ModelKind> {
        ModelKind::ALL.into_iter().filter(|k| Self::available(*k)).collect()
    }

    /// A machine at the program's initial state.
    pub fn new(prog: Arc<Program>, kind: ModelKind) -> Result<AnyMachine, String> {
        match kind {
            ModelKind::Sc => Ok(AnyMachine::Sc(Machine::new(prog, Sc))),
            ModelKind::Tso => Ok(AnyMachine::Tso(Machine::new(prog, Tso))),
            ModelKind::Arm => Ok(AnyMachine::Arm(Machine::new(prog, Arm))),
        }
    }

    pub fn kind(&self) -> ModelKind {
        dispatch!(self, m => m.model.kind())
    }

    pub fn prog(&self) -> &Arc<Program> {
        dispatch!(self, m => &m.prog)
    }

    pub fn num_cores(&self) -> usize {
        dispatch!(self, m => m.num_cores())
    }

    pub fn enabled(&self) -> Vec<Transition> {
        dispatch!(self, m => m.enabled())
    }

    /// The plain-words label of `t` in this state.
    pub fn label(&self, t: Transition) -> String {
        dispatch!(self, m => m.label(t))
    }

    /// What `t` would do, if it executes a memory instruction.
    pub fn preview(&self, t: Transition) -> Option<Preview> {
        dispatch!(self, m => preview(m, t))
    }

    /// The value `t` would read (a load's or RMW's result), if it reads.
    pub fn read_of(&self, t: Transition) -> Option<u64> {
        self.preview(t).and_then(|p| p.read)
    }

    /// What `t` would record with an `observe` instruction: `(symbol, value)`.
    pub fn observe_of(&self, t: Transition) -> Option<(u16, u64)> {
        dispatch!(self, m => observe_of(m, t))
    }

    /// Applies `t` if it is enabled.
    pub fn apply(&mut self, t: Transition) -> Result<(), String> {
        dispatch!(self, m => m.apply(t).map(|_| ()).map_err(|e| e.to_string()))
    }

    /// Whether `t` is core `c`'s register-only step that the search runs eagerly.
    pub fn is_eager_step(&self, t: Transition) -> bool {
        match t {
            Transition::Exec { core, choice: 0 } => {
                (core as usize) < self.num_cores()
                    && dispatch!(self, m => m.faulted().is_none() && m.is_eager(core as usize))
            }
            _ => false,
        }
    }

    /// A core's `halt`, if one is next on some core (invisible to the others).
    pub fn halt_step(&self) -> Option<Transition> {
        dispatch!(self, m => (0..m.num_cores())
            .find(|&c| matches!(m.next_instr(c), Some(Instr::Halt)))
            .map(|c| Transition::Exec { core: c as u8, choice: 0 }))
    }

    /// The next eager step, in the order `sim::explore::close` takes them.
    pub fn next_eager(&self) -> Option<Transition> {
        (0..self.num_cores()).map(|c| Transition::Exec { core: c as u8, choice: 0 }).find(|t| self.is_eager_step(*t))
    }

    /// Why core `c`'s next instruction cannot run now, if it cannot.
    pub fn blocked_reason(&self, c: usize) -> Option<String> {
        if c >= self.num_cores() {
            return None;
        }
        dispatch!(self, m => m.blocked_reason(c))
    }

    /// What core `c` has in flight, oldest first.
    pub fn pending(&self, c: usize) -> Vec<Pending> {
        dispatch!(self, m => m.model.pending(&m.state.shared, &m.state.mcores, c))
    }

    pub fn memory(&self, loc: usize) -> u64 {
        dispatch!(self, m => m.memory(loc))
    }

    pub fn status(&self) -> Status {
        dispatch!(self, m => {
            let en = m.enabled();
            match m.violation(en.is_empty()) {
                Some(v) => Status::Violation(v),
                None if m.quiescent() => Status::Quiescent,
                None if en.is_empty() => Status::DeadEnd,
                None => Status::Running,
            }
        })
    }

    /// Sets when promise transitions are offered (ignored by models without promises).
    pub fn set_promise_mode(&mut self, p: PromiseMode) {
        dispatch!(self, m => m.promise_mode = p)
    }

    pub fn promise_mode(&self) -> PromiseMode {
        dispatch!(self, m => m.promise_mode)
    }

    /// Whether the model has promises (ARM).
    pub fn supports_promises(&self) -> bool {
        dispatch!(self, m => m.model.supports_promises())
    }

    /// Model-specific lines about core `c` (ARM: its views and what its next read may take).
    pub fn notes(&self, c: usize) -> Vec<String> {
        match self {
            AnyMachine::Arm(m) => arm_notes(m, c),
            _ => Vec::new(),
        }
    }

    /// Exhaustive search from this state.
    pub fn explore(&self, cfg: &ExploreConfig) -> ExploreResult {
        dispatch!(self, m => {
            let mut start = m.clone();
            if m.model.supports_promises() {
                start.promise_mode = PromiseMode::First;
            }
            explore(&start, cfg)
        })
    }

    /// The final state as the program's condition observes it, and whether the
    /// condition holds (programs with a condition only).
    pub fn final_text(&self) -> Option<String> {
        dispatch!(self, m => {
            m.prog.condition.as_ref()?;
            let holds = m.condition_holds().unwrap_or(false);
            let fs = m.final_state_text(&m.final_state());
            Some(format!("{fs} — the condition {}", if holds { "holds" } else { "does not hold" }))
        })
    }

    /// Transitions applied since the start.
    pub fn steps(&self) -> u64 {
        dispatch!(self, m => m.steps)
    }

    /// The machine's cycle clock (moved by the timed scheduler).
    pub fn cycle(&self) -> u64 {
        dispatch!(self, m => m.cycle)
    }

    /// Advances the timed scheduler by exactly one cycle; the transitions that completed.
    pub fn step_cycle(&mut self, s: &mut sim::TimedScheduler) -> Vec<sim::timed::Applied> {
        dispatch!(self, m => s.step_cycle(m))
    }
}

/// The trace of `applied` run from `start`, labelled.
pub fn make_trace(start: &AnyMachine, applied: &[Transition], scheduler: &str, seed: Option<u64>) -> sim::Trace {
    dispatch!(start, m => sim::trace::make_trace(m, applied, scheduler, seed))
}

fn preview<M: MemoryModel>(m: &Machine<M>, t: Transition) -> Option<Preview> {
    let Transition::Exec { core, choice } = t else { return None };
    let c = core as usize;
    if c >= m.num_cores() {
        return None;
    }
    let req = m.request(c).ok()??;
    Some(m.model.preview(&m.state.shared, &m.state.mcores, c, &req, choice))
}

fn observe_of<M: MemoryModel>(m: &Machine<M>, t: Transition) -> Option<(u16, u64)> {
    let Transition::Exec { core, .. } = t else { return None };
    let c = core as usize;
    match m.next_instr(c)? {
        Instr::Observe { sym, src } => Some((*sym, m.reg(c, *src).v)),
        _ => None,
    }
}

fn arm_notes(m: &Machine<Arm>, c: usize) -> Vec<String> {
    let p = &m.prog;
    let req = m.request(c).ok().flatten();
    let e = m.model.explain(&m.state.shared, &m.state.mcores, c, req.as_ref());
    let mut out = Vec::new();
    let views: Vec<String> = e.views.iter().filter(|(_, v)| v.w != 0).map(|(n, v)| format!("{n}={v}")).collect();
    if !views.is_empty() {
        out.push(format!("views {}", views.join(" ")));
    }
    if let Some(r) = &e.next_read {
        let name = p.sym_name(r.loc as u16);
        let cands: Vec<String> = r
            .candidates
            .iter()
            .map(|k| {
                let by = k.by.map_or("init".to_string(), |b| format!("core {b}"));
                match k.excluded {
                    None => format!("ts {} ={} ({by}) may be read", k.ts, k.val),
                    Some(x) => format!("ts {} ={} ({by}) no: {x}", k.ts, k.val),
                }
            })
            .collect();
        out.push(format!("next read of {name}: {}", cands.join("; ")));
    }
    out
}

impl AnyMachine {
    /// The axiomatic account of `applied` run from this (start) state: the cycle
    /// that makes the outcome non-SC and what would close it, as lines.
    pub fn explain(&self, applied: &[Transition]) -> Result<Vec<String>, String> {
        dispatch!(self, m => {
            let (_, verdict, ex) = sim::axiom::explain::explain_run(m, applied).map_err(|e| e.to_string())?;
            let mut lines = vec![match verdict {
                Ok(()) => format!("axiomatic check: consistent with {}", m.model.kind().title()),
                Err(f) => format!("axiomatic check: NOT consistent with {}: {f:?}", m.model.kind().title()),
            }];
            lines.push(format!("why: {}", ex.summary));
            lines.extend(ex.details.iter().map(|d| format!("  - {d}")));
            Ok(lines)
        })
    }
}
