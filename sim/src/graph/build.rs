//! Replaying a trace into an [`Execution`].
//!
//! [`Recorder`] turns each executed memory instruction into events and keeps a
//! shadow of every register's dependency chains (the machine's own metadata
//! belongs to the model; this is model-independent). [`build`] adds `rf` and
//! `co` from what the model says each step did:
//!
//! * a read whose preview says `Source::Memory` reads the co-latest write that
//!   has reached memory for its word; `Source::OwnBuffer` the newest write of
//!   its core's store buffer to that word; `Source::Message(ts)` the write that
//!   created message `ts` (0: the initial value);
//! * a write joins `co` when it reaches memory: at once (SC, locked RMWs,
//!   store-exclusives), when its buffer drains (`InternalEffect::Drained`), or
//!   at its timestamp's position (models with messages).

use super::{Deps, Event, EventId, Execution, Ids, Kind};
use crate::machine::Machine;
use crate::transition::{Effect, Transition};
use isa::{Instr, LoadOrd, Operand, Program, RmwOp, StoreOrd};
use memmodels::{InternalEffect, MemoryModel, Preview, Propagation, Source};
use std::collections::VecDeque;
use std::sync::Arc;

/// Why a trace could not be turned into an execution.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// `step` counts from 1; the end of the run is the schedule's length.
    #[error("step {step}: {what}")]
    Step { step: usize, what: StepFault },
}

/// What went wrong at a step of the trace.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepFault {
    #[error("transition {0:?} is not enabled")]
    NotEnabled(Transition),
    #[error("unexpected effect of an internal step: {0:?}")]
    UnexpectedEffect(Box<Effect>),
    /// `from`: where the model said the read's value came from.
    #[error("a read of {read} resolved to a write of {write} ({from:?})")]
    ReadMismatch { read: u64, write: u64, from: Source },
    #[error("no write found for a read ({from:?})")]
    NoWrite { from: Source },
    #[error("core {core} fulfilled a promise the trace did not make")]
    UnmadePromise { core: usize },
    #[error("core {core}'s buffer drained a write the trace did not buffer")]
    UnbufferedDrain { core: usize },
    #[error("the run ends with promises not yet fulfilled")]
    UnfulfilledPromises,
    #[error("a read of message {ts} does not match its write")]
    MessageMismatch { ts: u32 },
}

/// A register's chains: (data-only `dtrm`, pick `pick-dtrm`).
type Taint = (Ids, Ids);

#[derive(Clone, Debug)]
struct Shadow {
    /// Two banks like the machine's: 0 active, 1 saved while a handler runs.
    regs: Vec<Taint>,
    ctrl: Taint,
    /// Per word: the core's po-latest write (the `lrs` source of its next read).
    last_write: Vec<Option<EventId>>,
    /// The last load-exclusive not yet followed by another exclusive event.
    last_x: Option<EventId>,
    instance: u32,
}

/// Records the events of executed instructions with their dependencies.
#[derive(Clone, Debug)]
pub struct Recorder {
    pub prog: Arc<Program>,
    pub events: Vec<Event>,
    /// Per write: the chains a read inherits from it through `lrs`.
    lrs_taint: Vec<Taint>,
    cores: Vec<Shadow>,
    nregs: usize,
    /// Which alternative each successful compare-and-swap takes for its result
    /// register (bit k for the k-th point): 0 = from the old `expected`
    /// register plus a pick edge (herd's `DataFromRRs`), 1 = from memory (`DataFromRx`).
    alt_mask: u64,
    /// How many successful compare-and-swaps had two genuinely different alternatives.
    pub alt_points: u32,
}

fn union3(a: &Ids, b: &Ids, c: &Ids) -> Ids {
    a.union(b).union(c)
}

impl Recorder {
    /// A recorder with one initial-write event per memory word (ids 0..symbols).
    pub fn new(prog: Arc<Program>, nregs: usize, alt_mask: u64) -> Recorder {
        let nsym = prog.symbols.len();
        let events = prog
            .initial_memory()
            .into_iter()
            .enumerate()
            .map(|(l, v)| Event {
                kind: Kind::Init,
                core: None,
                instance: 0,
                pc: None,
                loc: Some(l),
                value: v,
                acquire: false,
                acquire_pc: false,
                release: false,
                exclusive: false,
                noret: false,
                locked: false,
                rmw: None,
                op: "init",
                text: String::new(),
                deps: Deps::default(),
            })
            .collect();
        let shadow = Shadow {
            regs: vec![Taint::default(); 2 * nregs],
            ctrl: Taint::default(),
            last_write: vec![None; nsym],
            last_x: None,
            instance: 0,
        };
        Recorder {
            cores: vec![shadow; prog.num_cores()],
            lrs_taint: vec![Taint::default(); nsym],
            prog,
            events,
            nregs,
            alt_mask,
            alt_points: 0,
        }
    }

    fn op_taint(&self, c: usize, o: Operand) -> Taint {
        match o {
            Operand::Reg(r) => self.cores[c].regs[r as usize].clone(),
            _ => Taint::default(),
        }
    }

    fn set(&mut self, c: usize, r: isa::Reg, t: Taint) {
        self.cores[c].regs[r as usize] = t;
    }

    /// Makes the `k`-th compare-and-swap alternative point take its result from
    /// memory (herd's `DataFromRx`) instead of the old `expected` register.
    pub(crate) fn set_alt_bit(&mut self, k: u32) {
        if k < 64 {
            self.alt_mask |= 1 << k;
        }
    }

    /// The core takes an interrupt: the handler starts from untainted boot registers.
    pub fn interrupt(&mut self, c: usize) {
        let n = self.nregs;
        let s = &mut self.cores[c];
        for r in 0..n {
            s.regs[n + r] = std::mem::take(&mut s.regs[r]);
        }
    }

    fn push(&mut self, ev: Event, lrs: Taint) -> EventId {
        self.events.push(ev);
        self.lrs_taint.push(lrs);
        self.events.len() - 1
    }

    /// Records core `c` executing its next instruction, before the machine applies it.
    /// Returns the new events (none for register-only instructions) and the
    /// model's preview of a memory access.
    pub fn exec<M: MemoryModel>(&mut self, m: &Machine<M>, c: usize, choice: u16) -> (Vec<EventId>, Option<Preview>) {
        let Some(&instr) = m.instr_for(c, choice) else { return (Vec::new(), None) };
        let second = choice & crate::machine::SECOND_HALF != 0;
        let req = match m.request_for(c, choice) {
            Ok(Some(r)) => r,
            Ok(None) => {
                self.local(m, c, &instr);
                return (Vec::new(), None);
            }
            Err(_) => return (Vec::new(), None),
        };
        let pv = m.preview_request(c, &req, choice & !crate::machine::SECOND_HALF);
        let pc = m.core(c).pc + second as isa::Pc;
        let text = isa::disasm::instr_text(&self.prog, &instr);
        let loc = req.loc();
        let sh = &self.cores[c];
        let instance = sh.instance;
        let ctrl = sh.ctrl.clone();
        let base = Event {
            kind: Kind::Read,
            core: Some(c),
            instance,
            pc: Some(pc),
            loc,
            value: 0,
            acquire: false,
            acquire_pc: false,
            release: false,
            exclusive: false,
            noret: false,
            locked: false,
            rmw: None,
            op: "load",
            text,
            deps: Deps { ctrl: ctrl.0.clone(), pctrl: ctrl.1.clone(), ..Deps::default() },
        };
        let addr_taint = |me: &Self, a: &isa::Addr| -> Taint {
            let mut t = Taint::default();
            for r in a.regs() {
                let x = &me.cores[c].regs[r as usize];
                t = (t.0.union(&x.0), t.1.union(&x.1));
            }
            t
        };
        // What a read at `loc` inherits through lrs.
        let inherit = |me: &Self, loc: usize| -> Taint {
            match me.cores[c].last_write[loc] {
                Some(w) => me.lrs_taint[w].clone(),
                None => Taint::default(),
            }
        };
        let mut out = Vec::new();
        match instr {
            Instr::Load { dst, addr, ord, exclusive } => {
                let l = loc.unwrap_or(0);
                let at = addr_taint(self, &addr);
                let inh = inherit(self, l);
                let mut ev = base;
                ev.value = pv.read.unwrap_or(0);
                ev.acquire = ord == LoadOrd::Acquire;
                ev.acquire_pc = ord == LoadOrd::AcquirePc;
                ev.exclusive = exclusive;
                ev.deps.addr = at.0;
                ev.deps.paddr = at.1;
                let e = self.push(ev, Taint::default());
                let one = Ids::one(e);
                self.set(c, dst, (one.union(&inh.0), one.union(&inh.1)));
                if exclusive {
                    self.cores[c].last_x = Some(e);
                }
                out.push(e);
            }
            Instr::Store { src, addr, ord, status } => {
                let l = loc.unwrap_or(0);
                let at = addr_taint(self, &addr);
                let dt = self.op_taint(c, src);
                let failed = status.is_some() && pv.read == Some(1);
                let mut ev = base;
                ev.op = if status.is_some() { "store-exclusive" } else { "store" };
                ev.exclusive = status.is_some();
                if failed {
                    ev.kind = Kind::StxrFail;
                    let e = self.push(ev, Taint::default());
                    self.cores[c].last_x = None;
                    out.push(e);
                } else {
                    ev.kind = Kind::Write;
                    ev.value = pv.wrote.unwrap_or(0);
                    ev.release = ord == StoreOrd::Release;
                    ev.deps.addr = at.0.clone();
                    ev.deps.paddr = at.1.clone();
                    ev.deps.data = dt.0.clone();
                    ev.deps.pdata = dt.1.clone();
                    let lrs = (at.0.union(&dt.0), at.1.union(&dt.1));
                    let e = self.push(ev, lrs);
                    if status.is_some() {
                        // herd pairs a store-exclusive with the po-previous load-exclusive
                        // to the same word when no exclusive event lies between them.
                        if let Some(r) = self.cores[c].last_x.take() {
                            if self.events[r].loc == loc {
                                self.events[r].rmw = Some(e);
                                self.events[e].rmw = Some(r);
                            }
                        }
                    }
                    self.cores[c].last_write[l] = Some(e);
                    out.push(e);
                }
                if let Some(s) = status {
                    // The status register carries no dependency (herd's defaults).
                    self.set(c, s, Taint::default());
                }
            }
            Instr::Rmw { op, dst, addr, ord } => {
                let l = loc.unwrap_or(0);
                let at = addr_taint(self, &addr);
                let inh = inherit(self, l);
                let (a, b) = op.operands();
                let ta = self.op_taint(c, a);
                let tb = b.map(|b| self.op_taint(c, b)).unwrap_or_default();
                let noret = dst.is_none();
                let mut r = base.clone();
                r.op = op.mnemonic();
                r.value = pv.read.unwrap_or(0);
                r.locked = true;
                r.noret = noret;
                r.acquire = ord.acquire() && !noret;
                r.deps.addr = at.0.clone();
                r.deps.paddr = at.1.clone();
                let re = self.push(r, Taint::default());
                out.push(re);
                let one = Ids::one(re);
                let from_mem: Taint = (one.union(&inh.0), one.union(&inh.1));
                if let Some(v) = pv.wrote {
                    let mut w = base;
                    w.kind = Kind::Write;
                    w.op = op.mnemonic();
                    w.value = v;
                    w.locked = true;
                    w.release = ord.release();
                    w.deps.addr = at.0.clone();
                    w.deps.paddr = at.1.clone();
                    // The value written: from the operand (xchg), operand and old
                    // value (fetch ops), `new` with a pick edge from the compare (cas).
                    let (data, pdata, lrs_d, lrs_p) = match op {
                        RmwOp::Xchg(_) => (ta.0.clone(), ta.1.clone(), ta.0.clone(), ta.1.clone()),
                        RmwOp::Cmpxchg { .. } => {
                            let p = union3(&tb.1, &ta.1, &from_mem.1);
                            (tb.0.clone(), p.clone(), tb.0.clone(), p)
                        }
                        _ => (ta.0.clone(), ta.1.clone(), ta.0.union(&from_mem.0), ta.1.union(&from_mem.1)),
                    };
                    w.deps.data = data;
                    w.deps.pdata = pdata;
                    let lrs = (at.0.union(&lrs_d), at.1.union(&lrs_p));
                    let we = self.push(w, lrs);
                    self.events[re].rmw = Some(we);
                    self.events[we].rmw = Some(re);
                    self.cores[c].last_write[l] = Some(we);
                    out.push(we);
                }
                if let Some(d) = dst {
                    let t = match (op, pv.wrote.is_some()) {
                        (RmwOp::Cmpxchg { .. }, true) => {
                            // herd's two event structures for a successful CAS (aarch64_cas_ok):
                            // the result from the old expected register with a pick edge from
                            // the compare, or from memory. Keep both only when neither is
                            // weaker than the other (fewer dependencies are never less allowed).
                            let rrs: Taint = (ta.0.clone(), union3(&ta.1, &from_mem.1, &Ids::default()));
                            let rx = from_mem.clone();
                            if rrs.0.is_subset(&rx.0) && rrs.1.is_subset(&rx.1) {
                                rrs
                            } else if rx.0.is_subset(&rrs.0) && rx.1.is_subset(&rrs.1) {
                                rx
                            } else {
                                let k = self.alt_points;
                                self.alt_points += 1;
                                if k < 64 && self.alt_mask >> k & 1 == 1 {
                                    rx
                                } else {
                                    rrs
                                }
                            }
                        }
                        _ => from_mem,
                    };
                    self.set(c, d, t);
                }
            }
            Instr::Fence(k) => {
                let mut ev = base;
                ev.kind = Kind::Fence(k);
                ev.op = "fence";
                out.push(self.push(ev, Taint::default()));
            }
            _ => {}
        }
        self.cores[c].instance += 1;
        (out, Some(pv))
    }

    /// A register-only instruction: move the chains along.
    fn local<M: MemoryModel>(&mut self, m: &Machine<M>, c: usize, instr: &Instr) {
        let val = |o: Operand| -> u64 {
            match o {
                Operand::Reg(r) => m.reg(c, r).v,
                Operand::Imm(v) => v,
                Operand::SymAddr(s) => m.prog().sym_addr(s),
            }
        };
        match *instr {
            Instr::Mov { dst, src } => {
                let t = self.op_taint(c, src);
                self.set(c, dst, t);
            }
            Instr::Alu { dst, a, b, .. } => {
                let (x, y) = (self.op_taint(c, a), self.op_taint(c, b));
                self.set(c, dst, (x.0.union(&y.0), x.1.union(&y.1)));
            }
            Instr::Csel { dst, cond, a, b, t, f } => {
                // The selected operand is data; the condition only a pick edge.
                let sel = if cond.eval(val(a), val(b)) { t } else { f };
                let s = self.op_taint(c, sel);
                let (x, y) = (self.op_taint(c, a), self.op_taint(c, b));
                self.set(c, dst, (s.0, union3(&s.1, &x.1, &y.1)));
            }
            Instr::Branch { a, b, .. } => {
                let (x, y) = (self.op_taint(c, a), self.op_taint(c, b));
                let sh = &mut self.cores[c];
                sh.ctrl = (union3(&sh.ctrl.0, &x.0, &y.0), union3(&sh.ctrl.1, &x.1, &y.1));
            }
            Instr::Iret => {
                let n = self.nregs;
                let s = &mut self.cores[c];
                for r in 0..n {
                    s.regs[r] = std::mem::take(&mut s.regs[n + r]);
                }
            }
            _ => {}
        }
    }
}

/// Where writes are on their way to memory: `rf` and `co` as the run goes.
struct Tracker {
    bufs: Vec<VecDeque<EventId>>,
    co: Vec<Vec<EventId>>,
    rf: Vec<Option<EventId>>,
    /// Models with promises (messages with timestamps): `co` is timestamp order.
    ts_mode: bool,
    /// Messages created so far (the next timestamp is `count + 1`).
    count: u32,
    /// Each core's outstanding promises (timestamps), in the model's order.
    promises: Vec<Vec<u32>>,
    /// Timestamp of each write (ts mode).
    ts_of: Vec<(u32, EventId)>,
    /// Reads of a message, resolved at the end (a promise may be read before it is fulfilled).
    by_ts: Vec<(EventId, u32)>,
}

impl Tracker {
    fn new(nsym: usize, ncores: usize, ts_mode: bool) -> Tracker {
        Tracker {
            bufs: vec![VecDeque::new(); ncores],
            co: (0..nsym).map(|l| vec![l]).collect(),
            rf: vec![None; nsym],
            ts_mode,
            count: 0,
            promises: vec![Vec::new(); ncores],
            ts_of: Vec::new(),
            by_ts: Vec::new(),
        }
    }

    fn on_exec(&mut self, events: &[Event], c: usize, new: &[EventId], pv: &Preview) -> Result<(), StepFault> {
        self.rf.resize(events.len(), None);
        for &e in new {
            let ev = &events[e];
            let Some(loc) = ev.loc else { continue };
            match ev.kind {
                Kind::Read => {
                    let src = match pv.source {
                        Source::Memory => self.co[loc].last().copied(),
                        Source::OwnBuffer => self.bufs[c].iter().rev().copied().find(|&w| events[w].loc == Some(loc)),
                        Source::Message(0) => Some(loc),
                        Source::Message(ts) => {
                            self.by_ts.push((e, ts));
                            continue;
                        }
                    };
                    match src {
                        Some(w) if events[w].value == ev.value => self.rf[e] = Some(w),
                        Some(w) => {
                            return Err(StepFault::ReadMismatch {
                                read: ev.value,
                                write: events[w].value,
                                from: pv.source,
                            })
                        }
                        None => return Err(StepFault::NoWrite { from: pv.source }),
                    }
                }
                Kind::Write if self.ts_mode => {}
                Kind::Write if pv.buffered => self.bufs[c].push_back(e),
                Kind::Write => self.co[loc].push(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Ts mode: the write `e` of core `c` either fulfilled the promise that left
    /// the core's pending list (`gone`: its index) or made a new message.
    fn placed(&mut self, c: usize, e: EventId, gone: Option<usize>) -> Result<(), StepFault> {
        let ts = match gone {
            Some(i) if i < self.promises[c].len() => self.promises[c].remove(i),
            Some(_) => return Err(StepFault::UnmadePromise { core: c }),
            None => {
                self.count += 1;
                self.count
            }
        };
        self.ts_of.push((ts, e));
        Ok(())
    }

    fn promise(&mut self, c: usize) {
        self.count += 1;
        self.promises[c].push(self.count);
    }

    /// A buffered write of core `c` reached memory: its oldest buffered write to
    /// `loc` (the buffer's oldest entry under TSO; a model may drain words out
    /// of order, as long as each word's writes drain in order).
    fn drain(&mut self, events: &[Event], c: usize, loc: usize, val: u64) -> Result<(), StepFault> {
        let at = self.bufs[c].iter().position(|&w| events[w].loc == Some(loc));
        match at.and_then(|i| self.bufs[c].remove(i)) {
            Some(w) if events[w].value == val => {
                self.co[loc].push(w);
                Ok(())
            }
            _ => Err(StepFault::UnbufferedDrain { core: c }),
        }
    }

    /// Ts mode: coherence is timestamp order; reads of messages find their writes.
    fn finish(&mut self, events: &[Event]) -> Result<(), StepFault> {
        self.rf.resize(events.len(), None);
        if !self.ts_mode {
            return Ok(());
        }
        if self.promises.iter().any(|p| !p.is_empty()) {
            return Err(StepFault::UnfulfilledPromises);
        }
        self.ts_of.sort();
        for &(_, w) in &self.ts_of {
            let l = events[w].loc.unwrap_or(0);
            self.co[l].push(w);
        }
        for &(r, ts) in &self.by_ts {
            match self.ts_of.iter().find(|m| m.0 == ts) {
                Some(&(_, w)) if events[w].value == events[r].value && events[w].loc == events[r].loc => {
                    self.rf[r] = Some(w)
                }
                _ => return Err(StepFault::MessageMismatch { ts }),
            }
        }
        Ok(())
    }
}

/// The execution of `schedule` run from `start`.
pub fn build<M: MemoryModel>(start: &Machine<M>, schedule: &[Transition]) -> Result<Execution, GraphError> {
    build_with(start, schedule, 0).map(|(e, _)| e)
}

/// Like [`build`], with the compare-and-swap alternatives chosen by `alt_mask`;
/// also returns how many alternative points the run has.
pub fn build_with<M: MemoryModel>(
    start: &Machine<M>,
    schedule: &[Transition],
    alt_mask: u64,
) -> Result<(Execution, u32), GraphError> {
    build_inner(start, schedule, alt_mask, true)
}

/// With `track` false only the events are recorded (`rf` empty, `co` initial
/// writes only): the candidate enumeration chooses those itself.
pub(crate) fn build_inner<M: MemoryModel>(
    start: &Machine<M>,
    schedule: &[Transition],
    alt_mask: u64,
    track: bool,
) -> Result<(Execution, u32), GraphError> {
    let mut m = start.clone();
    let prog = start.prog().clone();
    let mut rec = Recorder::new(prog.clone(), m.num_regs(), alt_mask);
    // Writes are timestamped messages (ARM): `co` is timestamp order.
    let ts_mode = m.model().propagation() == Propagation::Messages;
    let mut tr = Tracker::new(prog.symbols.len(), m.num_cores(), ts_mode);
    for (i, &t) in schedule.iter().enumerate() {
        let err = |what: StepFault| GraphError::Step { step: i + 1, what };
        if !m.is_enabled(t) {
            return Err(err(StepFault::NotEnabled(t)));
        }
        match t {
            Transition::Exec { core, choice } => {
                let c = core as usize;
                let (new, pv) = rec.exec(&m, c, choice);
                if let (Some(pv), true) = (pv, track) {
                    tr.on_exec(&rec.events, c, &new, &pv).map_err(err)?;
                }
                let before = if ts_mode { m.pending(c) } else { Vec::new() };
                m.apply_unchecked(t);
                if let (true, Some(&w)) = (ts_mode && track, new.iter().find(|&&e| rec.events[e].kind == Kind::Write)) {
                    let after = m.pending(c);
                    let gone = (after.len() < before.len())
                        .then(|| (0..before.len()).find(|&i| after.get(i) != Some(&before[i])).unwrap_or(0));
                    tr.placed(c, w, gone).map_err(err)?;
                }
            }
            Transition::Interrupt { core } => {
                rec.interrupt(core as usize);
                m.apply_unchecked(t);
            }
            Transition::Internal { core, .. } => match m.apply_unchecked(t) {
                Effect::Internal { effect: InternalEffect::Drained { loc, val }, .. } => {
                    tr.drain(&rec.events, core as usize, loc, val).map_err(err)?
                }
                e => return Err(err(StepFault::UnexpectedEffect(Box::new(e)))),
            },
            Transition::Promise { core, .. } => {
                tr.promise(core as usize);
                m.apply_unchecked(t);
            }
        }
    }
    // Writes still buffered at the end reach memory after everything else, in buffer order.
    for b in tr.bufs.iter_mut() {
        while let Some(w) = b.pop_front() {
            let l = rec.events[w].loc.unwrap_or(0);
            tr.co[l].push(w);
        }
    }
    if !track {
        tr.bufs.iter_mut().for_each(|b| b.clear());
        tr.ts_mode = false;
    }
    tr.finish(&rec.events).map_err(|what| GraphError::Step { step: schedule.len(), what })?;
    let final_regs = (0..m.num_cores()).map(|c| m.program_regs(c).to_vec()).collect();
    let exe = Execution { prog, ncores: m.num_cores(), events: rec.events, rf: tr.rf, co: tr.co, final_regs };
    Ok((exe, rec.alt_points))
}
