//! The machine: cores, registers, interrupts, memory (through the model), and the
//! one pure pair every front end drives: [`Machine::enabled`] and [`Machine::apply`].

use crate::certify::{self, SoloCache};
use crate::transition::{Effect, Transition};
use isa::{Base, Instr, IrqTarget, Operand, Pc, Program, Reg, RmwOp};
use memmodels::{
    InFlight, Internal, MemoryModel, Meta, Pending, Preview, Promising, Request, Response, RmwKind, Val, Write,
};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Longest run of eager local steps before the search branches again (a loop
/// made only of local instructions would otherwise never end).
pub const EAGER_LIMIT: usize = 256;

/// Deepest call stack a core may build.
pub const MAX_CALL_DEPTH: usize = 16;

/// Interrupt state of one core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Irq {
    /// Interrupts are enabled.
    pub enabled: bool,
    /// The interrupt latch is set (an interrupt was raised and not yet taken).
    pub pending: bool,
    /// In the handler: where to resume and whether interrupts were enabled before.
    pub ret: Option<Pc>,
}

/// Control state of one core (its registers live in [`State::regs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Core {
    pub pc: Pc,
    pub stack: crate::bank::Stack<MAX_CALL_DEPTH>,
    pub irq: Irq,
    /// The core executed HALT (it still takes interrupts).
    pub halted: bool,
    /// `pc` is the first half of a pair instruction whose second half has
    /// already taken effect (see [`SECOND_HALF`]).
    pub ahead: bool,
}

/// The bit of an [`Transition::Exec`] choice that makes a core perform the
/// second half of the pair instruction at its `pc` before the first (models
/// with [`MemoryModel::unordered_pairs`]); the other bits choose among the
/// model's alternatives for that half.
pub const SECOND_HALF: u16 = 0x8000;

impl Core {
    pub fn in_handler(&self) -> bool {
        self.irq.ret.is_some()
    }
}

/// A run-time fault of the program (not of the simulator).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fault {
    pub core: usize,
    pub pc: Pc,
    pub what: String,
}

/// The whole dynamic state: what exhaustive search hashes and compares.
/// Its parts are the machine's business; front ends read them through
/// [`Machine`]'s methods.
#[derive(Debug)]
pub struct State<M: MemoryModel> {
    pub(crate) cores: Vec<Core>,
    /// Every core's two register banks, `[core][bank][reg]`: bank 0 is active,
    /// bank 1 holds the interrupted code's registers while a handler runs (zero otherwise).
    pub(crate) regs: Vec<u64>,
    /// Metadata of each register, laid out like `regs` (ARM dependency views; `()` otherwise).
    pub(crate) metas: Vec<M::Meta>,
    pub(crate) mcores: Vec<M::Core>,
    pub(crate) shared: M::Shared,
    /// Ghost observations `(symbol, value)`, sorted and without duplicates.
    pub(crate) observed: Vec<(u16, u64)>,
    pub(crate) fault: Option<Box<Fault>>,
    /// Under [`PromiseMode::First`]: a core has made a memory step, so no more
    /// promises are offered.
    pub(crate) promises_closed: bool,
}

impl<M: MemoryModel> Clone for State<M> {
    fn clone(&self) -> Self {
        State {
            cores: self.cores.clone(),
            regs: self.regs.clone(),
            metas: self.metas.clone(),
            mcores: self.mcores.clone(),
            shared: self.shared.clone(),
            observed: self.observed.clone(),
            fault: self.fault.clone(),
            promises_closed: self.promises_closed,
        }
    }
    /// Reuses this state's allocations (the search's hot path).
    fn clone_from(&mut self, o: &Self) {
        self.cores.clone_from(&o.cores);
        self.regs.clone_from(&o.regs);
        self.metas.clone_from(&o.metas);
        self.mcores.clone_from(&o.mcores);
        self.shared.clone_from(&o.shared);
        self.observed.clone_from(&o.observed);
        self.fault.clone_from(&o.fault);
        self.promises_closed = o.promises_closed;
    }
}

impl<M: MemoryModel> std::hash::Hash for State<M> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.cores.hash(h);
        // The save area is all zero outside a handler: hash it only inside one.
        let n = self.regs.len() / (2 * self.cores.len().max(1));
        for (c, k) in self.cores.iter().enumerate() {
            let a = 2 * n * c;
            let end = if k.in_handler() { a + 2 * n } else { a + n };
            self.regs[a..end].hash(h);
            self.metas[a..end].hash(h);
        }
        self.mcores.hash(h);
        self.shared.hash(h);
        self.observed.hash(h);
        self.fault.hash(h);
        self.promises_closed.hash(h);
    }
}

impl<M: MemoryModel> PartialEq for State<M> {
    fn eq(&self, o: &Self) -> bool {
        self.cores == o.cores
            && self.regs == o.regs
            && self.metas == o.metas
            && self.mcores == o.mcores
            && self.shared == o.shared
            && self.observed == o.observed
            && self.fault == o.fault
            && self.promises_closed == o.promises_closed
    }
}

impl<M: MemoryModel> Eq for State<M> {}

/// When the machine offers promise transitions (models with promises only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseMode {
    /// Never: runs without promises (random and timed runs).
    #[default]
    Off,
    /// At any step, any certified promise (interactive stepping).
    Anytime,
    /// Only before the first memory step of any core (exhaustive search: the
    /// promise-first machine reaches the same final states).
    First,
}

/// A program running on a memory model.
#[derive(Clone, Debug)]
pub struct Machine<M: MemoryModel> {
    prog: Arc<Program>,
    model: M,
    /// When promise transitions are offered (ignored by models without promises).
    promise_mode: PromiseMode,
    pub(crate) state: State<M>,
    /// Transitions applied since the start.
    steps: u64,
    /// The cycle clock (advanced by the timed scheduler; not part of the state's identity).
    pub(crate) cycle: u64,
    nregs: usize,
    /// Some instruction raises another core's interrupt.
    cross_irq: bool,
    /// Solo-run analyses of this machine's states (shared by its clones), see `certify`.
    solo_cache: SoloCache,
    /// Each core's boot registers (the handler's bank starts from them).
    init_regs: Arc<Vec<Vec<u64>>>,
    /// The limits of the search this machine is in (its inner searches obey them).
    budget: Option<Arc<crate::budget::Budget>>,
}

/// Why a transition could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("transition {0} is not enabled in this state")]
    NotEnabled(String),
}

impl<M: MemoryModel> Machine<M> {
    /// A machine at the program's initial state. The program must be valid
    /// (the assembler and builders check it).
    pub fn new(prog: Arc<Program>, model: M) -> Machine<M> {
        let nregs = prog.regs_used().max(1);
        let ncores = prog.num_cores();
        let mut init_regs = Vec::with_capacity(ncores);
        let mut cores = Vec::with_capacity(ncores);
        let mut all_regs = vec![0u64; ncores * 2 * nregs];
        for (c, spec) in prog.cores.iter().enumerate() {
            let mut regs = vec![0u64; nregs];
            for (r, v) in &spec.regs {
                regs[*r as usize] = prog.value(*v);
            }
            all_regs[c * 2 * nregs..c * 2 * nregs + nregs].copy_from_slice(&regs);
            init_regs.push(regs);
            cores.push(Core {
                pc: spec.start,
                stack: Default::default(),
                irq: Irq { enabled: spec.irq_enabled, pending: false, ret: None },
                halted: false,
                ahead: false,
            });
        }
        let shared = model.new_shared(&prog.initial_memory(), ncores);
        let mcores = (0..ncores).map(|c| model.new_core(c)).collect();
        let cross_irq = prog.code.iter().any(|i| matches!(i, Instr::Raise { target: IrqTarget::Core(_) }));
        Machine {
            state: State {
                cores,
                regs: all_regs,
                metas: vec![M::Meta::default(); ncores * 2 * nregs],
                mcores,
                shared,
                observed: Vec::new(),
                fault: None,
                promises_closed: false,
            },
            prog,
            model,
            promise_mode: PromiseMode::Off,
            steps: 0,
            cycle: 0,
            nregs,
            cross_irq,
            solo_cache: Default::default(),
            init_regs: Arc::new(init_regs),
            budget: None,
        }
    }

    pub fn num_cores(&self) -> usize {
        self.state.cores.len()
    }

    /// The program.
    pub fn prog(&self) -> &Arc<Program> {
        &self.prog
    }

    /// The memory model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model's name, title and description.
    pub fn info(&self) -> &'static memmodels::ModelInfo {
        self.model.info()
    }

    /// The whole dynamic state (to compare or hash states; its parts are private).
    pub fn state(&self) -> &State<M> {
        &self.state
    }

    /// Transitions applied since the start.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The cycle clock (moved by the timed scheduler).
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Control state of core `c`: program counter, call stack, interrupts, halted.
    pub fn core(&self, c: usize) -> &Core {
        &self.state.cores[c]
    }

    /// When promise transitions are offered.
    pub fn promise_mode(&self) -> PromiseMode {
        self.promise_mode
    }

    /// Sets when promise transitions are offered (ignored by models without promises).
    pub fn set_promise_mode(&mut self, mode: PromiseMode) {
        self.promise_mode = mode;
    }

    /// This machine with promise transitions offered as `mode`.
    pub fn with_promise_mode(mut self, mode: PromiseMode) -> Self {
        self.promise_mode = mode;
        self
    }

    /// Puts this machine (and its clones) under a search's limits: promise
    /// certification obeys them (see `explore`).
    pub fn set_budget(&mut self, budget: Option<Arc<crate::budget::Budget>>) {
        self.budget = budget;
    }

    /// Whether the model has promises (Promising-ARM).
    pub fn has_promises(&self) -> bool {
        M::Promises::ENABLED
    }

    /// What core `c` has in flight, oldest first (store buffer entries, promises).
    pub fn pending(&self, c: usize) -> Vec<Pending> {
        self.model.pending(&self.state.shared, &self.state.mcores, c)
    }

    /// What [`Machine::pending`] lists.
    pub fn in_flight(&self) -> InFlight {
        self.model.in_flight()
    }

    /// Every write to word `loc` memory holds, oldest first ([`MemoryModel::history`];
    /// empty for a model with one value per word).
    pub fn history(&self, loc: usize) -> Vec<Write> {
        self.model.history(&self.state.shared, &self.state.mcores, loc)
    }

    /// The newest write to `loc` core `c` has seen ([`MemoryModel::seen`]).
    pub fn seen(&self, c: usize, loc: usize) -> Option<u32> {
        self.model.seen(&self.state.shared, &self.state.mcores, c, loc)
    }

    /// How many promises core `c` has not fulfilled.
    pub fn outstanding(&self, c: usize) -> usize {
        M::Promises::outstanding(&self.model, &self.state.shared, &self.state.mcores, c)
    }

    /// What alternative `choice` of `req` (core `c`'s access) would do, without doing it.
    pub fn preview_request(&self, c: usize, req: &Request<M::Meta>, choice: u16) -> Preview {
        self.model.preview(&self.state.shared, &self.state.mcores, c, req, choice)
    }

    /// What `t` would do, if it executes a memory instruction.
    pub fn preview(&self, t: Transition) -> Option<Preview> {
        let Transition::Exec { core, choice } = t else { return None };
        let c = core as usize;
        if c >= self.num_cores() {
            return None;
        }
        let req = self.request_for(c, choice).ok()??;
        Some(self.preview_request(c, &req, choice & !SECOND_HALF))
    }

    /// Model-specific lines about core `c` for people (ARM: its views and what its next read may take).
    pub fn notes(&self, c: usize) -> Vec<String> {
        let req = self.request(c).ok().flatten();
        let p = &self.prog;
        self.model.notes(&self.state.shared, &self.state.mcores, c, req.as_ref(), &|l| p.sym_name(l as u16).to_string())
    }

    /// Ghost observations `(symbol, value)` made so far, sorted.
    pub fn observed(&self) -> &[(u16, u64)] {
        &self.state.observed
    }

    /// Number of registers per bank in this machine.
    pub fn num_regs(&self) -> usize {
        self.nregs
    }

    /// The memory word at `loc` as memory holds it now.
    pub fn memory(&self, loc: usize) -> u64 {
        self.model.memory(&self.state.shared, loc)
    }

    /// The instruction core `c` executes next (None when halted).
    pub fn next_instr(&self, c: usize) -> Option<&Instr> {
        let core = &self.state.cores[c];
        if core.halted {
            None
        } else {
            self.prog.code.get(core.pc as usize)
        }
    }

    /// Index of register `r` of core `c`'s active bank in [`State::regs`].
    #[inline]
    fn ix(&self, c: usize, r: Reg) -> usize {
        c * 2 * self.nregs + r as usize
    }

    /// Register `r` of core `c` (active bank) with its metadata.
    #[inline]
    pub fn reg(&self, c: usize, r: Reg) -> Val<M::Meta> {
        let i = self.ix(c, r);
        Val { v: self.state.regs[i], meta: self.state.metas[i] }
    }

    #[inline]
    fn set_reg(&mut self, c: usize, r: Reg, v: Val<M::Meta>) {
        let i = self.ix(c, r);
        self.state.regs[i] = v.v;
        self.state.metas[i] = v.meta;
    }

    /// Core `c`'s active register bank.
    pub fn regs(&self, c: usize) -> &[u64] {
        let i = self.ix(c, 0);
        &self.state.regs[i..i + self.nregs]
    }

    #[inline]
    fn operand(&self, c: usize, o: Operand) -> Val<M::Meta> {
        match o {
            Operand::Reg(r) => self.reg(c, r),
            Operand::Imm(v) => Val::plain(v),
            Operand::SymAddr(s) => Val::plain(self.prog.sym_addr(s)),
        }
    }

    /// Resolves an address to a memory cell, with the address's metadata.
    fn address(&self, c: usize, a: &isa::Addr) -> Result<(usize, M::Meta), Fault> {
        // A symbol by name, no offset, no index, at its own word: that symbol (what the
        // lookup below gives, without it: this is on every step's path).
        if let (Base::Sym(s), 0, None) = (a.base, a.offset, a.index) {
            if let Some(sym) = self.prog.symbols.get(s as usize) {
                if sym.addr.is_none() && a.width <= sym.width {
                    return Ok((s as usize, M::Meta::default()));
                }
            }
        }
        let (base, mut meta) = match a.base {
            Base::Sym(s) => (self.prog.sym_addr(s), M::Meta::default()),
            Base::Reg(r) => {
                let v = self.reg(c, r);
                (v.v, v.meta)
            }
        };
        let mut addr = base.wrapping_add(a.offset as u64);
        if let Some(ix) = a.index {
            let v = self.reg(c, ix);
            addr = addr.wrapping_add(v.v);
            meta = meta.join(v.meta);
        }
        let pc = self.state.cores[c].pc;
        match self.prog.sym_at(addr) {
            Some(s) if a.width <= self.prog.symbols[s as usize].width => Ok((s as usize, meta)),
            Some(s) => Err(Fault {
                core: c,
                pc,
                what: format!(
                    "a {}-byte access to the {}-byte cell {} (mixed-size accesses are not modelled)",
                    a.width.bytes(),
                    self.prog.symbols[s as usize].width.bytes(),
                    self.prog.sym_name(s)
                ),
            }),
            None => Err(Fault {
                core: c,
                pc,
                what: format!("address {addr:#x} does not name a memory cell (mixed-size accesses are not modelled)"),
            }),
        }
    }

    /// The memory request core `c`'s next instruction makes, if it is a memory instruction.
    pub fn request(&self, c: usize) -> Result<Option<Request<M::Meta>>, Fault> {
        let Some(&instr) = self.next_instr(c) else {
            return Ok(None);
        };
        self.request_of(c, &instr)
    }

    /// The instruction the transition `Exec { core: c, choice }` executes:
    /// the next one, or with [`SECOND_HALF`] the one after it.
    pub fn instr_for(&self, c: usize, choice: u16) -> Option<&Instr> {
        if choice & SECOND_HALF == 0 {
            return self.next_instr(c);
        }
        let core = &self.state.cores[c];
        if core.halted {
            None
        } else {
            self.prog.code.get(core.pc as usize + 1)
        }
    }

    /// The memory request `Exec { core: c, choice }` makes, if it executes a memory instruction.
    pub fn request_for(&self, c: usize, choice: u16) -> Result<Option<Request<M::Meta>>, Fault> {
        match self.instr_for(c, choice) {
            Some(&i) => self.request_of(c, &i),
            None => Ok(None),
        }
    }

    /// Whether core `c` may perform the second half of the pair instruction at
    /// its `pc` first: the model leaves pairs unordered, the second half has
    /// not run yet, and neither half writes a register the other one reads.
    fn second_half_first(&self, c: usize) -> bool {
        let core = &self.state.cores[c];
        if core.halted
            || core.ahead
            || !self.model.unordered_pairs()
            || !self.prog.is_pair_first(core.pc)
            || self.prog.cores[c].handler.is_some()
        {
            return false;
        }
        let (Some(a), Some(b)) = (self.prog.code.get(core.pc as usize), self.prog.code.get(core.pc as usize + 1))
        else {
            return false;
        };
        let apart = |x: &Instr, y: &Instr| x.writes().is_none_or(|w| !y.reads().contains(&w));
        a.is_memory() && b.is_memory() && apart(a, b) && apart(b, a)
    }

    fn request_of(&self, c: usize, instr: &Instr) -> Result<Option<Request<M::Meta>>, Fault> {
        Ok(Some(match *instr {
            Instr::Load { addr, ord, exclusive, .. } => {
                let (loc, am) = self.address(c, &addr)?;
                Request::Load { loc, addr: am, ord, exclusive }
            }
            Instr::Store { src, addr, ord, status } => {
                let (loc, am) = self.address(c, &addr)?;
                let mut val = self.operand(c, src);
                val.v = addr.width.trunc(val.v);
                Request::Store { loc, val, addr: am, ord, exclusive: status.is_some() }
            }
            Instr::Rmw { op, dst, addr, ord } => {
                let (loc, am) = self.address(c, &addr)?;
                let (a, b) = op.operands();
                let kind = match op {
                    RmwOp::Xchg(_) => RmwKind::Xchg,
                    RmwOp::Cmpxchg { .. } => RmwKind::Cmpxchg,
                    RmwOp::FetchOr(_) => RmwKind::FetchOr,
                    RmwOp::FetchAdd(_) => RmwKind::FetchAdd,
                    RmwOp::FetchAndNot(_) => RmwKind::FetchAndNot,
                    RmwOp::FetchXor(_) => RmwKind::FetchXor,
                    RmwOp::FetchSmax(_) => RmwKind::FetchSmax,
                    RmwOp::FetchSmin(_) => RmwKind::FetchSmin,
                    RmwOp::FetchUmax(_) => RmwKind::FetchUmax,
                    RmwOp::FetchUmin(_) => RmwKind::FetchUmin,
                };
                Request::Rmw {
                    loc,
                    kind,
                    a: self.operand(c, a),
                    b: b.map(|b| self.operand(c, b)).unwrap_or_default(),
                    addr: am,
                    ord,
                    ret: dst.is_some(),
                    width: addr.width,
                }
            }
            Instr::Fence(k) => Request::Fence(k),
            _ => return Ok(None),
        }))
    }

    /// Whether a fault has stopped the machine.
    pub fn faulted(&self) -> Option<&Fault> {
        self.state.fault.as_deref()
    }

    /// Appends the transitions enabled in this state to `out`, in a fixed order:
    /// per core (ascending): interrupt, then the instruction's alternatives; then
    /// the model's internal steps.
    pub fn enabled_into(&self, out: &mut Vec<Transition>) {
        if self.state.fault.is_some() {
            return;
        }
        if self.promise_first() {
            // Promise-first search: once memory is fixed the cores are independent,
            // so which core closes the promise phase and in which order the cores
            // then run does not matter: only the lowest core that can move moves.
            let at = out.len();
            for c in 0..self.num_cores() {
                self.core_enabled(c, out);
                if out.len() > at {
                    break;
                }
            }
        } else {
            for c in 0..self.num_cores() {
                self.core_enabled(c, out);
            }
        }
        let mut internal = Vec::new();
        self.model.internal(&self.state.shared, &self.state.mcores, &mut internal);
        out.extend(internal.into_iter().map(|i| Transition::Internal { core: i.core as u8, id: i.id }));
        if M::Promises::ENABLED {
            let offer = match self.promise_mode {
                PromiseMode::Off => false,
                PromiseMode::Anytime => true,
                PromiseMode::First => !self.state.promises_closed,
            };
            if offer {
                certify::promise_transitions(self, out);
            }
        }
    }

    /// Whether the promise-first reduction applies: [`PromiseMode::First`] on a model
    /// with promises (which fixes memory once the promise phase ends, see
    /// `Promising::close`), and no core raises another core's interrupt
    /// (the only other way cores interact).
    fn promise_first(&self) -> bool {
        self.promise_mode == PromiseMode::First && M::Promises::ENABLED && !self.cross_irq
    }

    /// The enabled transitions of core `c` (interrupt and instruction; not internal steps).
    pub fn core_enabled(&self, c: usize, out: &mut Vec<Transition>) {
        let core = &self.state.cores[c];
        if core.irq.pending && core.irq.enabled && self.prog.cores[c].handler.is_some() {
            out.push(Transition::Interrupt { core: c as u8 });
        }
        if core.halted {
            return;
        }
        match self.request(c) {
            Err(_) => out.push(Transition::Exec { core: c as u8, choice: 0 }),
            Ok(None) => out.push(Transition::Exec { core: c as u8, choice: 0 }),
            Ok(Some(req)) => {
                if let Ok(n) = self.model.options(&self.state.shared, &self.state.mcores, c, &req) {
                    for choice in 0..n {
                        out.push(Transition::Exec { core: c as u8, choice });
                    }
                }
            }
        }
        if self.second_half_first(c) {
            if let Ok(Some(req)) = self.request_for(c, SECOND_HALF) {
                if let Ok(n) = self.model.options(&self.state.shared, &self.state.mcores, c, &req) {
                    for choice in 0..n.min(SECOND_HALF) {
                        out.push(Transition::Exec { core: c as u8, choice: choice | SECOND_HALF });
                    }
                }
            }
        }
    }

    pub fn enabled(&self) -> Vec<Transition> {
        let mut v = Vec::new();
        self.enabled_into(&mut v);
        v
    }

    /// Why core `c`'s next instruction cannot execute now, if it cannot.
    pub fn blocked_reason(&self, c: usize) -> Option<String> {
        match self.request(c) {
            Ok(Some(req)) => {
                self.model.options(&self.state.shared, &self.state.mcores, c, &req).err().map(|b| b.to_string())
            }
            _ => None,
        }
    }

    /// Whether `t` is enabled now.
    pub fn is_enabled(&self, t: Transition) -> bool {
        let mut v = Vec::new();
        match t {
            Transition::Internal { .. } | Transition::Promise { .. } => self.enabled_into(&mut v),
            Transition::Exec { core, .. } | Transition::Interrupt { core } => {
                if (core as usize) < self.num_cores() && self.state.fault.is_none() {
                    self.core_enabled(core as usize, &mut v)
                }
            }
        }
        v.contains(&t)
    }

    /// Applies `t`, which must be enabled, and says what it did.
    pub fn apply(&mut self, t: Transition) -> Result<Effect, ApplyError> {
        if !self.is_enabled(t) {
            return Err(ApplyError::NotEnabled(format!("{t:?}")));
        }
        Ok(self.apply_unchecked(t))
    }

    /// Applies `t` without checking that it is enabled (the search loops know it is).
    pub fn apply_unchecked(&mut self, t: Transition) -> Effect {
        self.steps += 1;
        match t {
            Transition::Interrupt { core } => {
                let c = core as usize;
                let handler = self.prog.cores[c].handler.expect("interrupt enabled without handler");
                let (n, a) = (self.nregs, self.ix(c, 0));
                // Save the interrupted bank; the handler starts from the boot registers.
                self.state.regs.copy_within(a..a + n, a + n);
                self.state.metas.copy_within(a..a + n, a + n);
                self.state.regs[a..a + n].copy_from_slice(&self.init_regs[c]);
                self.state.metas[a..a + n].fill(M::Meta::default());
                let k = &mut self.state.cores[c];
                k.irq.pending = false;
                k.irq.enabled = false;
                k.irq.ret = Some(k.pc);
                k.pc = handler;
                k.halted = false;
                Effect::InterruptTaken { core: c, handler }
            }
            Transition::Internal { core, id } => {
                let e = self.model.apply_internal(
                    &mut self.state.shared,
                    &mut self.state.mcores,
                    Internal { core: core as usize, id },
                );
                Effect::Internal { core: core as usize, effect: e }
            }
            Transition::Exec { core, choice } => self.exec(core as usize, choice),
            Transition::Promise { core, loc, val } => {
                let (c, l) = (core as usize, loc as usize);
                M::Promises::promise(&self.model, &mut self.state.shared, &mut self.state.mcores, c, l, val);
                Effect::Promised { core: c, loc: l, val }
            }
        }
    }

    fn fault(&mut self, f: Fault) -> Effect {
        let e = Effect::Fault { core: f.core, what: f.what.clone() };
        self.state.fault = Some(Box::new(f));
        e
    }

    fn exec(&mut self, c: usize, choice: u16) -> Effect {
        let second = choice & SECOND_HALF != 0;
        let choice = choice & !SECOND_HALF;
        let pc = self.state.cores[c].pc + second as Pc;
        let Some(&instr) = self.prog.code.get(pc as usize) else {
            return self.fault(Fault { core: c, pc, what: "execution ran past the end of the code".into() });
        };
        let req = match self.request_of(c, &instr) {
            Ok(r) => r,
            Err(f) => return self.fault(f),
        };
        if let Some(req) = req {
            let resp = self.model.perform(&mut self.state.shared, &mut self.state.mcores, c, &req, choice);
            if self.promise_mode == PromiseMode::First && !self.state.promises_closed {
                // This step (chosen among the alternatives of the promise phase) ends it.
                self.state.promises_closed = true;
                M::Promises::close(&self.model, &mut self.state.shared);
            }
            let mut value = None;
            if let Response::Value(mut v) = resp {
                let dst = match instr {
                    // A narrow access reads its cell's value truncated (zero-extended).
                    Instr::Load { dst, addr, .. } => {
                        v.v = addr.width.trunc(v.v);
                        Some(dst)
                    }
                    Instr::Rmw { dst, addr, .. } => {
                        v.v = addr.width.trunc(v.v);
                        dst
                    }
                    Instr::Store { status, .. } => status,
                    _ => None,
                };
                value = Some(v.v);
                if let Some(d) = dst {
                    self.set_reg(c, d, v);
                }
            }
            let k = &mut self.state.cores[c];
            if second {
                k.ahead = true; // the first half is still to come, at the same pc
            } else if k.ahead {
                k.ahead = false; // both halves done
                k.pc += 2;
            } else {
                k.pc += 1;
            }
            return Effect::Memory { core: c, pc, loc: req.loc(), value };
        }
        let mut next = pc + 1;
        match instr {
            Instr::Mov { dst, src } => {
                let v = self.operand(c, src);
                self.set_reg(c, dst, v);
            }
            Instr::Alu { op, dst, a, b } => {
                let (a, b) = (self.operand(c, a), self.operand(c, b));
                self.set_reg(c, dst, Val { v: op.eval(a.v, b.v), meta: a.meta.join(b.meta) });
            }
            Instr::Csel { dst, cond, a, b, t, f } => {
                let (a, b) = (self.operand(c, a), self.operand(c, b));
                let sel = if cond.eval(a.v, b.v) { self.operand(c, t) } else { self.operand(c, f) };
                let meta = self.model.csel_meta(sel.meta, a.meta.join(b.meta));
                self.set_reg(c, dst, Val { v: sel.v, meta });
            }
            Instr::Branch { cond, a, b, target } => {
                let (a, b) = (self.operand(c, a), self.operand(c, b));
                self.model.on_branch(&mut self.state.mcores[c], a.meta.join(b.meta));
                if cond.eval(a.v, b.v) {
                    next = target;
                }
            }
            Instr::Jmp { target } => next = target,
            Instr::Call { target } => {
                if !self.state.cores[c].stack.push(pc + 1) {
                    return self.fault(Fault { core: c, pc, what: format!("call stack deeper than {MAX_CALL_DEPTH}") });
                }
                next = target;
            }
            Instr::Ret => match self.state.cores[c].stack.pop() {
                Some(r) => next = r,
                None => return self.fault(Fault { core: c, pc, what: "ret with an empty call stack".into() }),
            },
            Instr::Raise { target } => {
                let to = match target {
                    IrqTarget::SelfCore => c as u64,
                    IrqTarget::Core(o) => self.operand(c, o).v,
                };
                if to as usize >= self.num_cores() {
                    return self.fault(Fault {
                        core: c,
                        pc,
                        what: format!("interrupt raised on core {to}, which does not exist"),
                    });
                }
                self.state.cores[to as usize].irq.pending = true;
                self.state.cores[c].pc = next;
                return Effect::Raised { core: c, pc, target: to as usize };
            }
            Instr::IrqEnable => self.state.cores[c].irq.enabled = true,
            Instr::IrqDisable => self.state.cores[c].irq.enabled = false,
            Instr::Iret => {
                let (n, a) = (self.nregs, self.ix(c, 0));
                let k = &mut self.state.cores[c];
                match k.irq.ret.take() {
                    Some(r) => {
                        next = r;
                        k.irq.enabled = true;
                        // Restore the interrupted bank and clear the save area.
                        self.state.regs.copy_within(a + n..a + 2 * n, a);
                        self.state.metas.copy_within(a + n..a + 2 * n, a);
                        self.state.regs[a + n..a + 2 * n].fill(0);
                        self.state.metas[a + n..a + 2 * n].fill(M::Meta::default());
                        let k = &mut self.state.cores[c];
                        // Returning to a HALT leaves the core halted again.
                        if matches!(self.prog.code.get(r as usize), Some(Instr::Halt)) {
                            k.halted = true;
                            k.pc = r;
                            return Effect::Iret { core: c, pc };
                        }
                    }
                    None => return self.fault(Fault { core: c, pc, what: "iret outside an interrupt handler".into() }),
                }
                self.state.cores[c].pc = next;
                return Effect::Iret { core: c, pc };
            }
            Instr::Halt => {
                self.state.cores[c].halted = true;
                return Effect::Local { core: c, pc };
            }
            Instr::Nop => {}
            Instr::Observe { sym, src } => {
                let v = self.reg(c, src).v;
                let obs = &mut self.state.observed;
                if let Err(i) = obs.binary_search(&(sym, v)) {
                    obs.insert(i, (sym, v));
                }
            }
            Instr::Load { .. } | Instr::Store { .. } | Instr::Rmw { .. } | Instr::Fence(_) => {
                unreachable!()
            }
        }
        self.state.cores[c].pc = next;
        Effect::Local { core: c, pc }
    }

    /// Whether core `c`'s next step is a purely local instruction that commutes
    /// with every other enabled transition (used by the search to skip
    /// interleavings that cannot differ; see `explore`).
    pub fn is_eager(&self, c: usize) -> bool {
        match self.next_instr(c) {
            Some(i) => {
                i.is_local() || matches!(i, Instr::Raise { target: IrqTarget::SelfCore } | Instr::Observe { .. })
            }
            None => false,
        }
    }

    /// Every core is halted outside its handler with no interrupt it could
    /// still take, and the model holds nothing back (buffers drained).
    pub fn quiescent(&self) -> bool {
        self.state.fault.is_none()
            && self.state.cores.iter().all(|k| k.halted && !k.in_handler() && !k.irq.pending)
            && self.model.quiescent(&self.state.shared, &self.state.mcores)
    }

    /// The registers of core `c` as the interrupted program sees them (the
    /// saved bank while a handler runs).
    pub fn program_regs(&self, c: usize) -> &[u64] {
        let a = self.ix(c, 0) + if self.state.cores[c].in_handler() { self.nregs } else { 0 };
        &self.state.regs[a..a + self.nregs]
    }

    /// Value of a condition location in the current state.
    pub fn loc_value(&self, l: isa::Loc) -> u64 {
        match l {
            isa::Loc::Reg { core, reg } => {
                let c = core as usize;
                if c >= self.num_cores() || reg as usize >= self.nregs {
                    return 0;
                }
                self.program_regs(c)[reg as usize]
            }
            isa::Loc::Mem(s) => self.memory(s as usize),
        }
    }
}

/// Certification runs a core of this machine alone (see `certify`).
impl<M: MemoryModel> certify::Solo for Machine<M> {
    fn num_cores(&self) -> usize {
        Machine::num_cores(self)
    }

    fn without_promises(&self) -> Self {
        self.clone().with_promise_mode(PromiseMode::Off)
    }

    fn solo_key(&self, c: usize) -> u64 {
        let mut h = crate::fp::FpHasher::default();
        let st = &self.state;
        let bank = st.regs.len() / self.num_cores().max(1);
        st.cores[c].hash(&mut h);
        st.regs[c * bank..(c + 1) * bank].hash(&mut h);
        st.metas[c * bank..(c + 1) * bank].hash(&mut h);
        st.mcores[c].hash(&mut h);
        st.shared.hash(&mut h);
        st.fault.is_some().hash(&mut h);
        h.finish()
    }

    fn outstanding(&self, c: usize) -> usize {
        Machine::outstanding(self, c)
    }

    fn is_faulted(&self) -> bool {
        self.state.fault.is_some()
    }

    fn core_steps(&self, c: usize, out: &mut Vec<Transition>) {
        self.core_enabled(c, out)
    }

    fn write_of(&self, c: usize, t: Transition) -> Option<(u16, u64)> {
        let Transition::Exec { choice, .. } = t else { return None };
        let req = self.request_for(c, choice).ok()??;
        let loc = req.loc()?;
        self.preview_request(c, &req, choice & !SECOND_HALF).wrote.map(|v| (loc as u16, v))
    }

    fn step(&mut self, t: Transition) {
        self.apply_unchecked(t);
    }

    fn run_local(&mut self, c: usize) {
        let mut n = 0;
        while n < EAGER_LIMIT && self.faulted().is_none() && self.is_eager(c) {
            self.apply_unchecked(Transition::Exec { core: c as u8, choice: 0 });
            n += 1;
        }
    }

    fn solo_cache(&self) -> &SoloCache {
        &self.solo_cache
    }

    fn budget(&self) -> Option<&crate::budget::Budget> {
        self.budget.as_deref()
    }

    fn pc(&self, c: usize) -> u32 {
        self.state.cores[c].pc as u32
    }

    fn program(&self) -> &isa::Program {
        &self.prog
    }
}
