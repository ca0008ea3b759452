//! Execution graphs: a candidate execution in the vocabulary of axiomatic
//! memory models (herd7's `.cat` files) — the data every model's axiomatic face
//! checks (see [`crate::axiom`]).
//!
//! An [`Execution`] has one event per memory access — a read, a write, both for
//! a read-modify-write (linked by `rmw`), a fence — with its core, instruction
//! and value, one initial write per memory word, and the relations:
//!
//! * `po`, program order: events of one core, in the order its instructions ran
//!   (two events of one instruction, an RMW's read and write, are not po-related);
//! * `rf`, reads-from: which write each read took its value from;
//! * `co`, coherence: per memory word, the order in which writes reached memory
//!   (initial write first);
//! * `fr`, from-reads: `rf⁻¹; co` — a read came before every write co-after its source;
//! * `addr`, `data`, `ctrl` dependencies (and herd's "pick" versions through a
//!   `csel` condition or a compare-and-swap's compare), computed from register
//!   dataflow along the path actually executed (see [`Deps`]).
//!
//! `sim::graph` builds the execution of any run (and draws it); the candidate
//! enumeration in `sim::axiom` builds every execution of a program.

use isa::{FenceKind, Pc, Program};
use std::sync::Arc;

/// Index of an event in [`Execution::events`].
pub type EventId = usize;

/// A sorted set of event ids (the reads a value depends on).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ids(pub Vec<u32>);

impl Ids {
    pub fn one(e: EventId) -> Ids {
        Ids(vec![e as u32])
    }
    pub fn contains(&self, e: EventId) -> bool {
        self.0.binary_search(&(e as u32)).is_ok()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = EventId> + '_ {
        self.0.iter().map(|&e| e as EventId)
    }
    pub fn union(&self, o: &Ids) -> Ids {
        let mut v = Vec::with_capacity(self.0.len() + o.0.len());
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() || j < o.0.len() {
            let x = self.0.get(i).copied().unwrap_or(u32::MAX);
            let y = o.0.get(j).copied().unwrap_or(u32::MAX);
            let m = x.min(y);
            v.push(m);
            if x == m {
                i += 1
            }
            if y == m {
                j += 1
            }
        }
        Ids(v)
    }
    pub fn is_subset(&self, o: &Ids) -> bool {
        self.0.iter().all(|e| o.0.binary_search(e).is_ok())
    }
    /// The same set with every id moved by `by` (when executions are combined).
    pub fn shifted(&self, by: isize) -> Ids {
        Ids(self.0.iter().map(|&e| (e as isize + by) as u32).collect())
    }
}

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The initial write of a memory word (no core).
    Init,
    Read,
    Write,
    Fence(FenceKind),
    /// A store-exclusive that failed: no memory event in herd's sense, kept
    /// because x86-TSO makes it wait for an empty store buffer like a fence.
    StxrFail,
}

/// Dependencies of an event on earlier reads of its core.
///
/// `addr`/`data`/`ctrl` follow herd's `dtrm` chains (aarch64deps.cat): register
/// dataflow from a read, plus `lrs` — a read inherits the chains of the nearest
/// po-earlier write to the same word, whatever it reads from. `ctrl` holds the
/// reads any po-earlier conditional branch depends on. The `p*` sets are the
/// "pick" versions (`pick-dtrm`), which may also pass through a `csel`
/// condition or a compare-and-swap's compare; each contains its plain set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Deps {
    pub addr: Ids,
    pub data: Ids,
    pub ctrl: Ids,
    pub paddr: Ids,
    pub pdata: Ids,
    pub pctrl: Ids,
}

/// One event of an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: Kind,
    /// The core, or `None` for an initial write.
    pub core: Option<usize>,
    /// Per-core number of the instruction instance (orders events in po).
    pub instance: u32,
    pub pc: Option<Pc>,
    /// The memory word.
    pub loc: Option<usize>,
    /// The value read or written.
    pub value: u64,
    /// Acquire (AArch64 `A`: LDAR, the read of an `A`/`AL` RMW, a failed CASA).
    pub acquire: bool,
    /// Acquire-PC (AArch64 `Q`: LDAPR).
    pub acquire_pc: bool,
    /// Release (AArch64 `L`: STLR, the write of an `L`/`AL` RMW).
    pub release: bool,
    /// Load- or store-exclusive.
    pub exclusive: bool,
    /// The read of an RMW whose result is discarded (herd's `NoRet`).
    pub noret: bool,
    /// Part of an RMW instruction (x86's locked instructions).
    pub locked: bool,
    /// The other half of an RMW pair (an RMW instruction, or a paired LDXR/STXR).
    pub rmw: Option<EventId>,
    /// Mnemonic for narration: `load`, `store`, `xchg`, `cmpxchg`, `fence`, ...
    pub op: &'static str,
    /// The instruction's text.
    pub text: String,
    pub deps: Deps,
}

impl Event {
    pub fn is_read(&self) -> bool {
        self.kind == Kind::Read
    }
    /// Writes, initial ones included.
    pub fn is_write(&self) -> bool {
        matches!(self.kind, Kind::Write | Kind::Init)
    }
    pub fn is_mem(&self) -> bool {
        matches!(self.kind, Kind::Read | Kind::Write | Kind::Init)
    }
    /// Same instruction instance (the two halves of an RMW).
    pub fn same_instance(&self, o: &Event) -> bool {
        self.core.is_some() && self.core == o.core && self.instance == o.instance
    }
    /// `self` is po-before `o`.
    pub fn po_before(&self, o: &Event) -> bool {
        self.core.is_some() && self.core == o.core && self.instance < o.instance
    }
}

/// A candidate execution: events and the relations `rf` and `co` (the others
/// are derived from these and from the events).
#[derive(Clone, Debug)]
pub struct Execution {
    pub prog: Arc<Program>,
    pub events: Vec<Event>,
    pub ncores: usize,
    /// For each read, the write it reads from.
    pub rf: Vec<Option<EventId>>,
    /// For each memory word, its writes in coherence order (initial write first).
    pub co: Vec<Vec<EventId>>,
    /// Each core's registers at the end (as the interrupted program sees them).
    pub final_regs: Vec<Vec<u64>>,
}

impl Execution {
    /// Events of core `c` in program order.
    pub fn po_of(&self, c: usize) -> Vec<EventId> {
        let mut v: Vec<EventId> = (0..self.events.len()).filter(|&e| self.events[e].core == Some(c)).collect();
        v.sort_by_key(|&e| (self.events[e].instance, e));
        v
    }

    /// Position of each write in its word's coherence order.
    pub fn co_pos(&self) -> Vec<usize> {
        let mut pos = vec![usize::MAX; self.events.len()];
        for ws in &self.co {
            for (i, &w) in ws.iter().enumerate() {
                pos[w] = i;
            }
        }
        pos
    }

    /// The writes a read `r` is fr-before: those co-after its source.
    pub fn fr_of(&self, r: EventId) -> Vec<EventId> {
        let (Some(src), Some(loc)) = (self.rf[r], self.events[r].loc) else { return Vec::new() };
        let ws = &self.co[loc];
        match ws.iter().position(|&w| w == src) {
            Some(i) => ws[i + 1..].to_vec(),
            None => Vec::new(),
        }
    }

    /// The value memory word `loc` ends with (its co-last write).
    pub fn final_value(&self, loc: usize) -> u64 {
        self.co[loc].last().map(|&w| self.events[w].value).unwrap_or(0)
    }

    /// The final state as the program's condition observes it.
    pub fn final_state(&self) -> Vec<u64> {
        let Some(c) = &self.prog.condition else { return Vec::new() };
        c.observed().into_iter().map(|l| c.norm(l, self.loc_value(l))).collect()
    }

    pub fn loc_value(&self, l: isa::Loc) -> u64 {
        match l {
            isa::Loc::Reg { core, reg } => {
                self.final_regs.get(core as usize).and_then(|r| r.get(reg as usize)).copied().unwrap_or(0)
            }
            isa::Loc::Mem(s) => self.final_value(s as usize),
        }
    }

    /// A short description of an event for people: "core 1's load of flags".
    pub fn describe(&self, e: EventId) -> String {
        let ev = &self.events[e];
        let loc = ev.loc.map(|l| self.prog.sym_name(l as u16).to_string()).unwrap_or_default();
        match (ev.kind, ev.core) {
            (Kind::Init, _) => format!("the initial value of {loc}"),
            (Kind::Fence(_), Some(c)) => format!("core {c}'s {}", ev.text),
            (Kind::Read, Some(c)) if ev.locked && ev.rmw.is_none() && ev.op == "cmpxchg" => {
                format!("core {c}'s failed cmpxchg")
            }
            (_, Some(c)) if ev.locked => format!("core {c}'s {}", ev.op),
            (_, Some(c)) => format!("core {c}'s {} of {loc}", ev.op),
            (_, None) => format!("a write of {loc}"),
        }
    }

    /// A one-line label: `c: W data1=2` (herd style), with the instruction.
    pub fn label(&self, e: EventId) -> String {
        let ev = &self.events[e];
        let loc = ev.loc.map(|l| self.prog.sym_name(l as u16).to_string()).unwrap_or_default();
        let mut ann = String::new();
        if ev.acquire {
            ann.push_str("Acq ");
        }
        if ev.acquire_pc {
            ann.push_str("AcqPC ");
        }
        if ev.release {
            ann.push_str("Rel ");
        }
        if ev.exclusive {
            ann.push_str("X ");
        }
        match ev.kind {
            Kind::Init => format!("{loc}={}", ev.value),
            Kind::Read if ev.locked && ev.rmw.is_none() => format!("R* {ann}{loc}={} (failed, no write)", ev.value),
            Kind::Read => format!("R{} {ann}{loc}={}", if ev.locked { "*" } else { "" }, ev.value),
            Kind::Write => format!("W{} {ann}{loc}={}", if ev.locked { "*" } else { "" }, ev.value),
            Kind::Fence(_) | Kind::StxrFail => ev.text.clone(),
        }
    }
}
