//! Memory models behind one trait.
//!
//! A model decides what a memory access may do *now*: which values a load may
//! return, whether an access must wait (a TSO fence behind a non-empty store
//! buffer), and which model-internal steps are possible (a TSO buffer drain).
//! It never picks among alternatives, never owns randomness and never prints:
//! the machine (`sim`) asks for the alternatives and a scheduler chooses.
//!
//! What the trait allows, so that SC, TSO and ARM fit without changing `sim`:
//! 1. per-core model state ([`MemoryModel::Core`]) and shared state ([`MemoryModel::Shared`]);
//! 2. metadata carried with every register value ([`MemoryModel::Meta`]: ARM's
//!    dependency views; `()` for SC and TSO);
//! 3. transitions that are not instruction executions ([`MemoryModel::internal`]);
//! 4. a say in whether an access may execute now and what a load may read
//!    ([`MemoryModel::options`]).

use isa::{FenceKind, LoadOrd, RmwOrd, StoreOrd};
use std::fmt::Debug;
use std::hash::Hash;

pub mod arm;
mod exclusive;
pub mod lkmm;
pub mod sc;
pub mod tso;

pub use arm::Arm;
pub use sc::Sc;
pub use tso::Tso;

/// Metadata carried with register values (dependencies, views).
pub trait Meta: Copy + Default + Eq + Hash + Debug + Send + Sync + 'static {
    /// The metadata of a value computed from two others (ALU result).
    fn join(self, other: Self) -> Self;
}

impl Meta for () {
    #[inline]
    fn join(self, _: ()) {}
}

/// A value with its metadata.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Val<M> {
    pub v: u64,
    pub meta: M,
}

impl<M: Meta> Val<M> {
    pub fn plain(v: u64) -> Self {
        Val { v, meta: M::default() }
    }
}

/// Index of a memory word (the symbol's index in the program).
pub type Loc = usize;

/// The kind of read-modify-write, with operands already evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RmwKind {
    Xchg,
    Cmpxchg,
    FetchOr,
    FetchAdd,
    FetchAndNot,
    FetchXor,
}

impl RmwKind {
    /// New memory value, or `None` when a compare-and-swap fails.
    pub fn apply(self, old: u64, a: u64, b: u64) -> Option<u64> {
        match self {
            RmwKind::Xchg => Some(a),
            RmwKind::Cmpxchg => (old == a).then_some(b),
            RmwKind::FetchOr => Some(old | a),
            RmwKind::FetchAdd => Some(old.wrapping_add(a)),
            RmwKind::FetchAndNot => Some(old & !a),
            RmwKind::FetchXor => Some(old ^ a),
        }
    }
}

/// A memory access a core wants to perform, with its operands evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Request<M> {
    Load {
        loc: Loc,
        addr: M,
        ord: LoadOrd,
        exclusive: bool,
    },
    /// With `exclusive`, a store-exclusive: the response is its status (0 = success).
    Store {
        loc: Loc,
        val: Val<M>,
        addr: M,
        ord: StoreOrd,
        exclusive: bool,
    },
    /// `a` is the operand (expected value for compare-and-swap), `b` the new
    /// value of a compare-and-swap. `ret`: the result is used (false is ARM's NoRet).
    Rmw {
        loc: Loc,
        kind: RmwKind,
        a: Val<M>,
        b: Val<M>,
        addr: M,
        ord: RmwOrd,
        ret: bool,
    },
    Fence(FenceKind),
}

impl<M> Request<M> {
    pub fn loc(&self) -> Option<Loc> {
        match self {
            Request::Load { loc, .. } | Request::Store { loc, .. } | Request::Rmw { loc, .. } => Some(*loc),
            Request::Fence(_) => None,
        }
    }
}

/// What performing a request produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Response<M> {
    /// Nothing for a register (a plain store, a fence).
    Done,
    /// The value a load or RMW returns (to its destination register).
    Value(Val<M>),
}

/// Where a load's value came from, and what the access did — for narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// From shared memory.
    Memory,
    /// Forwarded from the core's own store buffer (TSO).
    OwnBuffer,
    /// A message in the ARM model's memory, by timestamp (0 = initial value).
    Message(u32),
}

/// A description of one alternative of a request, computed without performing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Preview {
    /// The value read (loads, RMWs), or the status (store-exclusive).
    pub read: Option<u64>,
    pub source: Source,
    /// The value written to memory or to the buffer, if any.
    pub wrote: Option<u64>,
    /// The store went into the core's store buffer rather than memory.
    pub buffered: bool,
}

/// Why a request cannot be performed now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// TSO: a locked RMW or fence waits for the store buffer to drain.
    StoreBufferNotEmpty { entries: usize },
    /// Any other reason, in words.
    Other(String),
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocked::StoreBufferNotEmpty { entries } => {
                write!(
                    f,
                    "waits for its store buffer to drain ({entries} entr{})",
                    if *entries == 1 { "y" } else { "ies" }
                )
            }
            Blocked::Other(s) => f.write_str(s),
        }
    }
}

/// A model-internal step (not an instruction execution).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Internal {
    pub core: usize,
    /// Model-specific identifier of the step (for TSO: always 0, drain the oldest entry).
    pub id: u16,
}

/// What an internal step did, for narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InternalEffect {
    /// A buffered store reached memory.
    Drained { loc: Loc, val: u64 },
}

/// One entry a core has in flight (TSO store buffer entry, ARM promise), for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub loc: Loc,
    pub val: u64,
    /// Extra words for display ("promise", "ts 3").
    pub note: String,
}

/// The models weaksim knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelKind {
    Sc,
    Tso,
    Arm,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [ModelKind::Sc, ModelKind::Tso, ModelKind::Arm];
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Sc => "sc",
            ModelKind::Tso => "tso",
            ModelKind::Arm => "arm",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ModelKind::Sc => "SC",
            ModelKind::Tso => "x86-TSO",
            ModelKind::Arm => "ARMv8",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "sc" => Ok(ModelKind::Sc),
            "tso" | "x86" | "x86-tso" => Ok(ModelKind::Tso),
            "arm" | "aarch64" | "arm64" | "armv8" => Ok(ModelKind::Arm),
            _ => Err(format!("unknown model '{s}' (expected sc, tso or arm)")),
        }
    }
}

/// A memory model. See the crate documentation.
pub trait MemoryModel: Clone + Debug + Send + Sync + 'static {
    type Meta: Meta;
    /// Per-core model state (TSO: the store buffer).
    type Core: Clone + Eq + Hash + Debug + Send + Sync;
    /// Shared model state (memory).
    type Shared: Clone + Eq + Hash + Debug + Send + Sync;

    fn kind(&self) -> ModelKind;
    fn new_shared(&self, init: &[u64], cores: usize) -> Self::Shared;
    fn new_core(&self, core: usize) -> Self::Core;

    /// How many alternatives `req` has on `core` now (at least 1), or why it must wait.
    fn options(
        &self,
        shared: &Self::Shared,
        cores: &[Self::Core],
        core: usize,
        req: &Request<Self::Meta>,
    ) -> Result<u16, Blocked>;

    /// Describes alternative `choice` of `req` without performing it.
    fn preview(
        &self,
        shared: &Self::Shared,
        cores: &[Self::Core],
        core: usize,
        req: &Request<Self::Meta>,
        choice: u16,
    ) -> Preview;

    /// Performs alternative `choice` of `req` (which `options` allowed).
    fn perform(
        &self,
        shared: &mut Self::Shared,
        cores: &mut [Self::Core],
        core: usize,
        req: &Request<Self::Meta>,
        choice: u16,
    ) -> Response<Self::Meta>;

    /// Model-internal steps possible now, appended to `out` in a fixed order.
    fn internal(&self, shared: &Self::Shared, cores: &[Self::Core], out: &mut Vec<Internal>);

    fn apply_internal(&self, shared: &mut Self::Shared, cores: &mut [Self::Core], step: Internal) -> InternalEffect;

    /// No store is buffered and nothing is outstanding: the memory is final.
    fn quiescent(&self, shared: &Self::Shared, cores: &[Self::Core]) -> bool;

    /// The coherence-latest value of a word (what memory holds once everything drains
    /// is not implied: this is what memory holds *now*).
    fn memory(&self, shared: &Self::Shared, loc: Loc) -> u64;

    /// What the core has in flight, oldest first (store buffer entries, promises).
    fn pending(&self, shared: &Self::Shared, cores: &[Self::Core], core: usize) -> Vec<Pending>;

    /// Whether cores may promise writes ahead of time (Promising-ARM). The
    /// machine then offers `Promise` transitions for the writes a core can be
    /// certified to fulfil (see `sim::certify`).
    fn supports_promises(&self) -> bool {
        false
    }

    /// Core `core` promises to write `val` to `loc` later.
    fn promise(&self, _shared: &mut Self::Shared, _cores: &mut [Self::Core], _core: usize, _loc: Loc, _val: u64) {
        unreachable!("this model has no promises")
    }

    /// How many promises core `core` has not yet fulfilled.
    fn outstanding(&self, _shared: &Self::Shared, _cores: &[Self::Core], _core: usize) -> usize {
        0
    }

    /// The promise phase is over (`sim`'s `PromiseMode::First`, at the first memory
    /// step): from now on every write must fulfil a promise (the promise-first
    /// machine, Promising-ARM's `pf_exec`), so memory is fixed and the cores no
    /// longer interact; a run that needs an unpromised write is a dead end.
    fn close_promises(&self, _shared: &mut Self::Shared) {}

    /// A conditional branch depends on a value with this metadata.
    fn on_branch(&self, _core: &mut Self::Core, _cond: Self::Meta) {}

    /// Metadata of a `csel` result: the selected operand's and the condition's.
    fn csel_meta(&self, selected: Self::Meta, cond: Self::Meta) -> Self::Meta {
        selected.join(cond)
    }
}
