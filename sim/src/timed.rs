//! The timed scheduler: a cycle-level clock over the machine's transitions.
//!
//! Each enabled transition gets the cycle at which it would complete, from a
//! [`TimingModel`] and the scheduler's own timing state, which lives outside
//! the machine's state:
//! - per core, the cycle its previous step completed ("busy until"): the next
//!   instruction completes its latency later; cores issue in parallel, one
//!   instruction at a time each;
//! - per store buffer entry, the cycle it entered the buffer: the oldest entry
//!   drains one `drain` after that (and after the previous drain) when the core
//!   owns the line, or after a `transfer` when another core holds it;
//! - per memory word, which cores hold it (MESI-like: one exclusive owner, or
//!   sharers): a load of a held line costs `l1_hit`, of a line another core
//!   holds `transfer`, of a line nobody holds `llc_hit`; a write (drain, RMW,
//!   SC store) takes the line exclusive;
//! - per core, the cycle its pending interrupt arrives: a raise costs
//!   `ipi_send`, delivery `self_ipi_delivery` or `ipi_delivery` later, taking it
//!   `irq_entry`, returning `irq_exit` (and waiting for the store buffer: `iret`
//!   is serialising);
//! - for a model whose writes are messages ([`Propagation::Messages`]: ARM),
//!   per write, the cycle it becomes visible to other cores: a `transfer`
//!   after it was made. Where the model lets a load read one of several
//!   writes, the load reads the newest write visible to its core when it
//!   reads memory (its own writes at once), or the oldest it may read when
//!   none is visible yet (propagation delay). A load reads memory at its issue
//!   plus its latency: one cycle after the previous instruction issued when
//!   that was a plain load (back-to-back independent loads overlap, as on an
//!   out-of-order core), else when the previous instruction completed. An access the model says waits for
//!   the core's own writes ([`MemoryModel::waits_for_own_writes`]: ARM's full
//!   or store barrier, release store, release RMW) also waits until they are
//!   visible everywhere (the barrier's "drain").
//!
//! The scheduler asks the model what it needs — when writes become visible,
//! what a fence costs ([`MemoryModel::fence_cost`]), whether pending entries
//! are store buffer entries ([`MemoryModel::in_flight`]) — and never which
//! model it is.
//!
//! The scheduler picks the enabled transition that completes earliest (ties
//! broken by its seeded RNG) and advances [`Machine::cycle`] to that cycle. It
//! never changes what is possible, only which enabled transition happens when:
//! every timed run is a run the random scheduler could make, and its schedule
//! replays exactly with [`crate::ReplayScheduler`]. Jitter comes from one
//! `ChaCha8Rng` built from the run's seed; each step's draw is taken when the
//! step becomes next in line, so a run is a pure function of (program, model,
//! timing, seed).
//!
//! Timed runs take no eager local steps (`reduce`): every instruction costs
//! its cycles. [`TimedScheduler::step_cycle`] advances exactly one cycle (the
//! TUI's "step one cycle" key); stepping cycle by cycle applies the same
//! transitions in the same order as [`run_timed`].

use crate::check::Violation;
use crate::machine::Machine;
use crate::sched::{RunEnd, RunOutcome, Scheduler};
use crate::timing::{Latency, TimingModel};
use crate::transition::{Effect, Transition};
use isa::{FenceKind, Instr, IrqTarget, Operand};
use memmodels::{FenceCost, InFlight, MemoryModel, Propagation, Request, Source};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// A ready time that never wins while anything else is enabled (an `iret`
/// waiting for its store buffer, a promise).
const LATER: u64 = u64::MAX / 4;
const NOBODY: u8 = u8::MAX;

#[derive(Clone, Debug)]
struct Entry {
    loc: u32,
    /// Cycle the store entered the buffer.
    enq: u64,
    draw: u64,
}

#[derive(Clone, Debug, Default)]
struct CoreTiming {
    /// Cycle at which the core's previous step completed.
    free: u64,
    /// Messages: the cycle at which the core's previous instruction issued. A
    /// plain load issues one cycle after it; anything else issues only when
    /// the previous instruction completed (`issued` = completion - 1).
    issued: u64,
    /// Random bits for the core's next instruction's latency.
    draw: u64,
    /// The core's next instruction could not execute at the last look.
    blocked: bool,
    /// Cycle at which the core's pending interrupt arrives.
    irq: Option<u64>,
    /// Its store buffer, oldest first (mirrors the model's pending entries).
    buf: VecDeque<Entry>,
    /// Cycle of the core's last drain.
    last_drain: u64,
    /// Messages: the cycle by which all the core's writes are visible to every core.
    visible_all: u64,
    /// Steady-state producers: the core thinks until this cycle before its next instruction.
    think_until: u64,
    /// The thinking left when an interrupt came (resumed at `iret`).
    saved_think: u64,
}

#[derive(Clone, Copy, Debug)]
struct Line {
    /// The core holding the word exclusively, or NOBODY.
    excl: u8,
    /// Cores holding a copy.
    sharers: u64,
}

impl Default for Line {
    fn default() -> Self {
        Line { excl: NOBODY, sharers: 0 }
    }
}

/// One transition applied by [`TimedScheduler::step_cycle`] or [`TimedScheduler::step_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub t: Transition,
    /// The cycle at which it completed.
    pub cycle: u64,
    /// Its plain-words label, taken before it was applied.
    pub label: String,
    pub effect: Effect,
}

/// The timed scheduler. See the module documentation.
#[derive(Clone, Debug)]
pub struct TimedScheduler {
    timing: TimingModel,
    rng: ChaCha8Rng,
    now: u64,
    /// Cycle of the last applied transition.
    last_event: u64,
    /// Machine steps accounted for (a mismatch means someone else moved the machine).
    steps_seen: u64,
    started: bool,
    cores: Vec<CoreTiming>,
    lines: Vec<Line>,
    /// Messages: per message (timestamp - 1), the cycle it becomes visible to other cores and its writer.
    msgs: Vec<(u64, u8)>,
    ties: Vec<usize>,
    /// Messages: per enabled transition, its rank among its core's alternatives.
    keys: Vec<(u8, i64)>,
    /// Steady-state producers: where and how long they think.
    think: Option<Think>,
    /// The core whose `ret` was just committed (it may have come back to the think point).
    returned: Option<usize>,
}

/// How long a steady-state producer thinks between two operations, in cycles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThinkTime {
    /// Exponential with this mean (operations arrive as a Poisson process).
    Exp { mean: u64 },
    /// Uniform on `[min, max]`.
    Uniform { min: u64, max: u64 },
}

impl ThinkTime {
    /// A draw for `u` uniform in `[0, 1)`.
    pub fn at(self, u: f64) -> u64 {
        match self {
            ThinkTime::Exp { mean } => (-(1.0 - u).ln() * mean as f64).round() as u64,
            ThinkTime::Uniform { min, max } => {
                min.saturating_add(((max - min).saturating_add(1) as f64 * u) as u64).min(max)
            }
        }
    }
}

impl std::fmt::Display for ThinkTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThinkTime::Exp { mean } => write!(f, "exp:{mean}"),
            ThinkTime::Uniform { min, max } => write!(f, "{min}..{max}"),
        }
    }
}

/// Why a think time (`exp:MEAN` or `MIN..MAX`) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThinkTimeError {
    #[error("'{text}' is not a number of cycles")]
    NotCycles { text: String },
    #[error("'{input}': the minimum is above the maximum")]
    MinAboveMax { input: String },
    #[error("'{input}': expected exp:MEAN or MIN..MAX (cycles)")]
    Syntax { input: String },
}

impl std::str::FromStr for ThinkTime {
    type Err = ThinkTimeError;
    /// `exp:MEAN` or `MIN..MAX` (cycles).
    fn from_str(s: &str) -> Result<ThinkTime, ThinkTimeError> {
        let num = |x: &str| x.trim().parse::<u64>().map_err(|_| ThinkTimeError::NotCycles { text: x.to_string() });
        if let Some(m) = s.strip_prefix("exp:") {
            return Ok(ThinkTime::Exp { mean: num(m)? });
        }
        if let Some((a, b)) = s.split_once("..") {
            let (min, max) = (num(a)?, num(b)?);
            if min > max {
                return Err(ThinkTimeError::MinAboveMax { input: s.to_string() });
            }
            return Ok(ThinkTime::Uniform { min, max });
        }
        Err(ThinkTimeError::Syntax { input: s.to_string() })
    }
}

/// Steady-state producers: a core that comes back (`ret`) to `pc`, outside an
/// interrupt handler, thinks for a draw of `time` before its next instruction.
/// Interrupts still arrive while it thinks; the handler's time counts as thinking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Think {
    pub pc: isa::Pc,
    pub time: ThinkTime,
}

#[inline]
fn bit(c: usize) -> u64 {
    1u64 << (c & 63)
}

#[inline]
fn halves(draw: u64) -> (f64, f64) {
    const S: f64 = 1.0 / 4_294_967_296.0;
    ((draw >> 32) as f64 * S, (draw & 0xffff_ffff) as f64 * S)
}

impl TimedScheduler {
    pub fn new(seed: u64, timing: TimingModel) -> TimedScheduler {
        TimedScheduler {
            timing,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now: 0,
            last_event: 0,
            steps_seen: 0,
            started: false,
            cores: Vec::new(),
            lines: Vec::new(),
            msgs: Vec::new(),
            ties: Vec::new(),
            keys: Vec::new(),
            think: None,
            returned: None,
        }
    }

    /// Producers think at `think` (draws from the run's RNG; a scheduler without it is unchanged).
    pub fn with_think(mut self, think: Think) -> TimedScheduler {
        self.think = Some(think);
        self
    }

    /// After a step: a core back at the think point starts thinking.
    fn after_apply<M: MemoryModel>(&mut self, m: &Machine<M>) {
        let (Some(th), Some(c)) = (self.think, self.returned.take()) else { return };
        let core = m.core(c);
        if core.pc == th.pc && !core.in_handler() && !core.halted {
            let d = th.time.at(self.rng.random::<f64>());
            let k = &mut self.cores[c];
            k.think_until = k.free + d;
        }
    }

    /// The current cycle.
    pub fn now(&self) -> u64 {
        self.now
    }

    pub fn timing(&self) -> &TimingModel {
        &self.timing
    }

    fn start<M: MemoryModel>(&mut self, m: &Machine<M>) {
        self.started = true;
        self.now = m.cycle;
        self.last_event = m.cycle;
        self.steps_seen = m.steps();
        self.lines = vec![Line::default(); m.prog().symbols.len()];
        self.cores = (0..m.num_cores())
            .map(|_| {
                let skew = self.rng.random_range(0..=self.timing.start_skew);
                let free = m.cycle + if m.steps() == 0 { skew } else { 0 };
                CoreTiming {
                    free,
                    issued: free.saturating_sub(1),
                    draw: self.rng.next_u64(),
                    last_drain: m.cycle,
                    visible_all: m.cycle,
                    ..Default::default()
                }
            })
            .collect();
        self.resync(m);
    }

    /// Brings the timing state in line with a machine that was moved by
    /// someone else (a user's pick in the TUI, eager steps of `sim::run`).
    fn resync<M: MemoryModel>(&mut self, m: &Machine<M>) {
        // Mirror the model's pending entries when they are store buffer entries.
        let buffers = m.in_flight() == InFlight::StoreBuffer;
        for c in 0..m.num_cores() {
            let pend = if buffers { m.pending(c) } else { Vec::new() };
            let k = &mut self.cores[c];
            while k.buf.len() > pend.len() {
                k.buf.pop_front();
            }
            while k.buf.len() < pend.len() {
                let draw = self.rng.next_u64();
                k.buf.push_back(Entry { loc: 0, enq: self.last_event, draw });
            }
            for (e, p) in k.buf.iter_mut().zip(&pend) {
                e.loc = p.loc as u32;
            }
            let core = m.core(c);
            if !core.irq.pending {
                k.irq = None;
            } else if k.irq.is_none() {
                k.irq = Some(self.last_event + self.timing.self_ipi_delivery.at(self.rng.random::<f64>()));
            }
        }
        self.steps_seen = m.steps();
        self.now = self.now.max(m.cycle);
    }

    /// Updates what depends on which transitions are enabled (idempotent).
    fn observe<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) {
        if !self.started || self.cores.len() != m.num_cores() {
            self.start(m);
        } else if m.steps() != self.steps_seen {
            self.resync(m);
        }
        let mut can_exec = 0u64;
        for t in enabled {
            if let Transition::Exec { core, .. } = *t {
                can_exec |= bit(core as usize);
            }
        }
        for (c, k) in self.cores.iter_mut().enumerate() {
            if can_exec & bit(c) != 0 {
                if k.blocked {
                    // It waited (a fence or RMW behind the store buffer, a full
                    // buffer): it starts when the step that freed it completed.
                    k.free = k.free.max(self.last_event);
                    k.blocked = false;
                }
            } else if !m.core(c).halted {
                k.blocked = true;
            }
        }
    }

    fn read_cost(&self, loc: usize, c: usize, u: f64) -> u64 {
        let t = &self.timing;
        match self.lines.get(loc) {
            Some(l) if l.sharers & bit(c) != 0 => t.l1_hit.at(u),
            Some(l) if l.sharers != 0 => t.transfer.at(u),
            _ => t.llc_hit.at(u),
        }
    }

    /// Extra cycles to get `loc` exclusive on core `c` (0 when it already is).
    fn ownership_cost(&self, loc: usize, c: usize, u: f64) -> u64 {
        let t = &self.timing;
        match self.lines.get(loc) {
            Some(l) if l.excl as usize == c || l.sharers == bit(c) => 0,
            Some(l) if l.sharers & !bit(c) != 0 => t.transfer.at(u),
            _ => t.llc_hit.at(u),
        }
    }

    fn on_read(&mut self, loc: usize, c: usize) {
        if let Some(l) = self.lines.get_mut(loc) {
            l.sharers |= bit(c);
            if l.excl as usize != c {
                l.excl = NOBODY;
            }
        }
    }

    fn on_write(&mut self, loc: usize, c: usize) {
        if let Some(l) = self.lines.get_mut(loc) {
            l.excl = c as u8;
            l.sharers = bit(c);
        }
    }

    fn fence_cost<M: MemoryModel>(&self, m: &Machine<M>, k: FenceKind, u: f64) -> u64 {
        match m.model().fence_cost(k) {
            FenceCost::Barrier => self.timing.dmb.at(u),
            FenceCost::Full => self.timing.fence.at(u),
            // E.g. TSO's load and store fences: it keeps those orders anyway.
            FenceCost::Free => self.timing.alu.at(u),
        }
    }

    /// The cycle at which core `c`'s next instruction (alternative `choice`)
    /// would complete, in this state.
    fn exec_ready<M: MemoryModel>(&self, m: &Machine<M>, c: usize, choice: u16) -> u64 {
        let k = &self.cores[c];
        let (u1, u2) = halves(k.draw);
        let t = &self.timing;
        let msgs = m.model().propagation() == Propagation::Messages;
        let free = k.free.max(k.think_until);
        let lat = match m.request(c) {
            Err(_) => t.alu.at(u1),
            Ok(None) => match m.next_instr(c) {
                Some(Instr::Raise { .. }) => t.ipi_send.at(u1),
                Some(Instr::Iret) if !k.buf.is_empty() => return LATER,
                Some(Instr::Iret) => t.irq_exit.at(u1),
                _ => t.alu.at(u1),
            },
            Ok(Some(req)) => {
                // E.g. ARM's barriers and releases: wait until the core's writes are visible everywhere.
                let waits = msgs && m.model().waits_for_own_writes(&req);
                let lat = match req {
                    Request::Load { loc, .. } => {
                        let pv = m.preview_request(c, &req, choice);
                        if pv.source == Source::OwnBuffer {
                            t.l1_hit.at(u1)
                        } else {
                            self.read_cost(loc, c, u1)
                        }
                    }
                    // Messages: a store retires at once; `self.msgs` has when others see it.
                    Request::Store { .. } if msgs => t.alu.at(u1),
                    Request::Store { loc, .. } => {
                        let pv = m.preview_request(c, &req, choice);
                        if pv.buffered {
                            t.alu.at(u1)
                        } else {
                            t.drain.at(u1) + self.ownership_cost(loc, c, u2)
                        }
                    }
                    Request::Rmw { loc, .. } => t.rmw.at(u1) + self.ownership_cost(loc, c, u2),
                    Request::Fence(f) => self.fence_cost(m, f, u1),
                };
                if waits {
                    return (free + lat).max(k.visible_all);
                }
                lat
            }
        };
        free.saturating_add(lat)
    }

    /// Messages: how much core `c` prefers alternative `choice` of its next
    /// instruction, completing at cycle `at` (higher is preferred): the newest
    /// write visible to it, else the oldest write it may read.
    fn read_key<M: MemoryModel>(&self, m: &Machine<M>, c: usize, choice: u16, at: u64) -> (u8, i64) {
        let Ok(Some(req)) = m.request(c) else { return (1, 0) };
        if !matches!(req, Request::Load { .. } | Request::Rmw { .. }) {
            return (1, 0);
        }
        match m.preview_request(c, &req, choice).source {
            Source::Message(ts) => {
                let seen = ts == 0
                    || match self.msgs.get(ts as usize - 1) {
                        Some(&(vis, writer)) => writer as usize == c || vis <= at,
                        None => true,
                    };
                if seen {
                    (1, ts as i64)
                } else {
                    (0, -(ts as i64))
                }
            }
            _ => (1, 0),
        }
    }

    /// Messages: the cycle at which core `c`'s next instruction, a load,
    /// reads memory: its issue plus its latency. An out-of-order core issues a
    /// load one cycle after the previous instruction issued when that was a
    /// plain load still in flight (back-to-back independent loads overlap), so
    /// the later load can be satisfied before the earlier one returns; after
    /// anything else it issues when that completed. Which writes the load may
    /// read is still the model's (barriers, acquires and dependencies order it
    /// through its views); this only decides which of them it prefers.
    fn load_sample<M: MemoryModel>(&self, m: &Machine<M>, c: usize) -> Option<u64> {
        let Ok(Some(Request::Load { loc, .. })) = m.request(c) else { return None };
        let k = &self.cores[c];
        let (u1, _) = halves(k.draw);
        let issue = (k.issued + 1).max(k.think_until);
        Some(issue + self.read_cost(loc, c, u1))
    }

    /// The cycle at which `t` would complete.
    fn ready<M: MemoryModel>(&self, m: &Machine<M>, t: Transition) -> u64 {
        let r = match t {
            Transition::Exec { core, choice } => self.exec_ready(m, core as usize, choice),
            Transition::Internal { core, id } => {
                let c = core as usize;
                let k = &self.cores[c];
                match k.buf.get(id as usize).or(k.buf.front()) {
                    Some(e) => {
                        let (u1, u2) = halves(e.draw);
                        let loc = e.loc as usize;
                        e.enq.max(k.last_drain) + self.timing.drain.at(u1) + self.ownership_cost(loc, c, u2)
                    }
                    None => self.last_event + self.timing.drain.typical,
                }
            }
            Transition::Interrupt { core } => {
                let k = &self.cores[core as usize];
                k.irq.unwrap_or(self.last_event).max(k.free)
            }
            Transition::Promise { .. } => LATER,
        };
        r.max(self.now)
    }

    /// The earliest completion among `enabled`; fills `self.ties` with the
    /// indices that reach it.
    fn earliest<M: MemoryModel>(&mut self, m: &Machine<M>, enabled: &[Transition]) -> u64 {
        let mut best = u64::MAX;
        let mut ties = std::mem::take(&mut self.ties);
        ties.clear();
        let msgs = m.model().propagation() == Propagation::Messages;
        if msgs {
            // A core's alternatives are listed together: keep only its preferred ones.
            let mut keys = std::mem::take(&mut self.keys);
            keys.clear();
            for &t in enabled {
                keys.push(match t {
                    Transition::Exec { core, choice } => {
                        let c = core as usize;
                        let several = enabled
                            .iter()
                            .filter(|x| matches!(x, Transition::Exec { core: o, .. } if *o == core))
                            .nth(1)
                            .is_some();
                        if several {
                            let done = self.exec_ready(m, c, choice).max(self.now);
                            let at = self.load_sample(m, c).map_or(done, |s| s.min(done));
                            self.read_key(m, c, choice, at)
                        } else {
                            (1, 0)
                        }
                    }
                    _ => (1, 0),
                });
            }
            self.keys = keys;
        }
        for (i, &t) in enabled.iter().enumerate() {
            let mut r = self.ready(m, t);
            if msgs {
                if let Transition::Exec { core, .. } = t {
                    let mine = self.keys[i];
                    let top = enabled
                        .iter()
                        .zip(&self.keys)
                        .filter(|(x, _)| matches!(x, Transition::Exec { core: o, .. } if *o == core))
                        .map(|(_, k)| *k)
                        .max()
                        .unwrap_or(mine);
                    if mine < top {
                        r = LATER.max(r);
                    }
                }
            }
            if r < best {
                best = r;
                ties.clear();
            }
            if r == best {
                ties.push(i);
            }
        }
        self.ties = ties;
        best
    }

    /// Records that `t` completes at cycle `at` (called just before it is applied).
    fn commit<M: MemoryModel>(&mut self, m: &Machine<M>, t: Transition, at: u64) {
        let at = if at >= LATER { self.now.max(self.last_event) } else { at };
        self.now = self.now.max(at);
        self.last_event = self.now;
        self.steps_seen += 1;
        let now = self.now;
        match t {
            Transition::Exec { core, choice } => {
                let c = core as usize;
                match m.request(c) {
                    Ok(Some(req)) => {
                        let pv = m.preview_request(c, &req, choice);
                        let msgs = m.model().propagation() == Propagation::Messages;
                        let (_, u2) = halves(self.cores[c].draw);
                        match req {
                            Request::Load { loc, .. } if pv.source != Source::OwnBuffer => self.on_read(loc, c),
                            Request::Store { loc, exclusive: false, .. } if pv.buffered => {
                                let draw = self.rng.next_u64();
                                self.cores[c].buf.push_back(Entry { loc: loc as u32, enq: now, draw });
                            }
                            // Messages: a write is a new message unless it fulfils a promise.
                            Request::Store { loc, .. } if msgs && pv.wrote.is_some() => {
                                if !matches!(pv.source, Source::Message(_)) {
                                    self.message(c, now, u2);
                                }
                                self.on_write(loc, c)
                            }
                            Request::Rmw { loc, .. } if msgs && pv.wrote.is_some() => {
                                self.message(c, now, u2);
                                self.on_write(loc, c)
                            }
                            // Messages: an RMW that does not write (a failed CAS) only reads.
                            Request::Rmw { loc, .. } if msgs => self.on_read(loc, c),
                            Request::Store { loc, exclusive, .. } if !exclusive || pv.read == Some(0) => {
                                self.on_write(loc, c)
                            }
                            // x86 takes the line for a locked RMW, a failed compare too.
                            Request::Rmw { loc, .. } => self.on_write(loc, c),
                            _ => {}
                        }
                    }
                    Ok(None) => {
                        match m.next_instr(c) {
                            Some(Instr::Ret) if self.think.is_some() => self.returned = Some(c),
                            Some(Instr::Iret) => {
                                let k = &mut self.cores[c];
                                k.think_until = std::mem::take(&mut k.saved_think);
                            }
                            _ => {}
                        }
                        if let Some(Instr::Raise { target }) = m.next_instr(c) {
                            let to = match *target {
                                IrqTarget::SelfCore => c as u64,
                                IrqTarget::Core(Operand::Reg(r)) => m.reg(c, r).v,
                                IrqTarget::Core(Operand::Imm(v)) => v,
                                IrqTarget::Core(Operand::SymAddr(s)) => m.prog().sym_addr(s),
                            };
                            if let Some(k) = self.cores.get(to as usize) {
                                if k.irq.is_none() {
                                    let d: &Latency = if to as usize == c {
                                        &self.timing.self_ipi_delivery
                                    } else {
                                        &self.timing.ipi_delivery
                                    };
                                    let arrive = now + d.at(self.rng.random::<f64>());
                                    self.cores[to as usize].irq = Some(arrive);
                                }
                            }
                        }
                    }
                    Err(_) => {}
                }
                let plain_load = m.model().propagation() == Propagation::Messages
                    && matches!(m.request(c), Ok(Some(Request::Load { ord: isa::LoadOrd::Plain, .. })));
                let k = &mut self.cores[c];
                k.issued = if plain_load { (k.issued + 1).max(k.think_until).min(now) } else { now.saturating_sub(1) };
                k.free = now;
                k.draw = self.rng.next_u64();
            }
            Transition::Internal { core, id } => {
                let c = core as usize;
                let k = &mut self.cores[c];
                let e = if (id as usize) < k.buf.len() { k.buf.remove(id as usize) } else { k.buf.pop_front() };
                k.last_drain = now;
                if let Some(e) = e {
                    self.on_write(e.loc as usize, c);
                }
            }
            Transition::Interrupt { core } => {
                let c = core as usize;
                let entry = self.timing.irq_entry.at(self.rng.random::<f64>());
                let k = &mut self.cores[c];
                k.irq = None;
                k.free = now + entry;
                k.issued = k.free.saturating_sub(1);
                k.saved_think = std::mem::take(&mut k.think_until);
                k.draw = self.rng.next_u64();
            }
            Transition::Promise { .. } => {}
        }
    }

    /// Messages: core `c` made a message at cycle `now`; others see it a transfer later.
    fn message(&mut self, c: usize, now: u64, u: f64) {
        let vis = now + self.timing.transfer.at(u);
        self.msgs.push((vis, c as u8));
        let k = &mut self.cores[c];
        k.visible_all = k.visible_all.max(vis);
    }

    /// The cycle at which the next transition would complete, without taking
    /// it (None when nothing is enabled).
    pub fn next_cycle<M: MemoryModel>(&mut self, m: &Machine<M>) -> Option<u64> {
        let enabled = m.enabled();
        if enabled.is_empty() {
            return None;
        }
        self.observe(m, &enabled);
        Some(self.earliest(m, &enabled).min(LATER))
    }

    fn pick(&mut self) -> usize {
        match self.ties.len() {
            1 => self.ties[0],
            n => self.ties[self.rng.random_range(0..n)],
        }
    }

    fn apply_one<M: MemoryModel>(&mut self, m: &mut Machine<M>, enabled: &[Transition], at: u64) -> Applied {
        let t = enabled[self.pick()];
        let label = m.label(t);
        self.commit(m, t, at);
        let effect = m.apply_unchecked(t);
        m.cycle = self.now;
        self.after_apply(m);
        Applied { t, cycle: self.now, label, effect }
    }

    /// Advances exactly one cycle: applies every transition that completes by
    /// the next cycle, in order, and returns them (empty when nothing completes
    /// in this cycle, or nothing is enabled: then the clock does not move).
    pub fn step_cycle<M: MemoryModel>(&mut self, m: &mut Machine<M>) -> Vec<Applied> {
        let target = self.now.max(m.cycle) + 1;
        let mut out = Vec::new();
        let mut enabled = Vec::new();
        loop {
            enabled.clear();
            m.enabled_into(&mut enabled);
            if enabled.is_empty() {
                return out;
            }
            self.observe(m, &enabled);
            let at = self.earliest(m, &enabled);
            if at > target && at < LATER {
                break;
            }
            out.push(self.apply_one(m, &enabled, at));
        }
        self.now = target;
        m.cycle = target;
        out
    }

    /// Each enabled transition with the cycle at which it would complete, in
    /// `enabled` order, without changing the scheduler (a look on a copy; the
    /// TUI shows what each core has in flight and when it lands).
    pub fn completions<M: MemoryModel>(&self, m: &Machine<M>) -> Vec<(Transition, u64)> {
        let enabled = m.enabled();
        if enabled.is_empty() {
            return Vec::new();
        }
        let mut s = self.clone();
        s.observe(m, &enabled);
        enabled.iter().map(|&t| (t, s.ready(m, t).max(s.now))).collect()
    }

    /// Applies the next transition, however many cycles away it is.
    pub fn step_event<M: MemoryModel>(&mut self, m: &mut Machine<M>) -> Option<Applied> {
        let enabled = m.enabled();
        if enabled.is_empty() {
            return None;
        }
        self.observe(m, &enabled);
        let at = self.earliest(m, &enabled);
        Some(self.apply_one(m, &enabled, at))
    }
}

impl Scheduler for TimedScheduler {
    /// Picks the transition that completes earliest. The caller must apply it
    /// (the scheduler books its timing now); [`run_timed`] also moves the
    /// machine's cycle clock.
    fn choose<M: MemoryModel>(
        &mut self,
        m: &Machine<M>,
        enabled: &[Transition],
    ) -> Result<Transition, crate::sched::SchedError> {
        self.observe(m, enabled);
        let at = self.earliest(m, enabled);
        let t = enabled[self.pick()];
        self.commit(m, t, at);
        Ok(t)
    }
    fn name(&self) -> &'static str {
        "timed"
    }
    fn applied<M: MemoryModel>(&mut self, m: &mut Machine<M>) {
        m.cycle = self.now;
        if self.returned.is_some() {
            self.after_apply(m);
        }
    }
}

/// Runs `m` under the timed scheduler until it stops moving, a violation, or
/// `max_steps`; [`Machine::cycle`] ends at the cycle of the last step.
pub fn run_timed<M: MemoryModel>(
    m: &mut Machine<M>,
    s: &mut TimedScheduler,
    max_steps: u64,
    record: bool,
) -> RunOutcome {
    // Every instruction takes its cycles here, so no step is taken eagerly.
    crate::sched::run(m, s, max_steps, record, false)
}

/// Whether a run ended in lost work (the violation a sweep counts).
pub fn is_lost_work(end: &RunEnd) -> bool {
    matches!(end, RunEnd::Violation(Violation::LostWork { .. }))
}
