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
//!
//! Model-specific extensions sit behind associated types with a no-op default:
//! promises ([`MemoryModel::Promises`], [`NoPromises`] for every model but ARM).
//!
//! A model may also bring an axiomatic face ([`axiom::Axiomatic`]): a
//! consistency check over execution graphs ([`graph`]), kept in the model's
//! folder next to its operational code. `sim::models` registers each model
//! (one line) with whichever faces it has.

use isa::{FenceKind, LoadOrd, RmwOrd, StoreOrd, Width};
use std::fmt::Debug;
use std::hash::Hash;

pub mod arm;
pub mod axiom;
pub mod exclusive;
pub mod graph;
pub mod lkmm;
pub mod rel;
pub mod sc;
pub mod tso;

pub use arm::{Arm, ArmAxioms};
pub use sc::{Sc, ScAxioms};
pub use tso::{Tso, TsoAxioms};

/// What a model is, for people and for the command line. Each model's folder
/// has one, shared by its operational and its axiomatic face.
#[derive(Debug)]
pub struct ModelInfo {
    /// The name on the command line and in traces: `tso`.
    pub name: &'static str,
    /// Other names the command line accepts: `x86`, `x86-tso`.
    pub aliases: &'static [&'static str],
    /// For people: `x86-TSO`.
    pub title: &'static str,
    /// One line: what the model is.
    pub description: &'static str,
    /// The axiomatic model its checker follows, for people: `herd's x86tso.cat`.
    pub axioms: &'static str,
    /// How a Linux-kernel C litmus test is compiled for this model: with its
    /// LKMM annotations, or as Linux compiles it for x86 or arm64.
    pub c_mapping: isa::litmus::c::Mapping,
}

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
    /// Signed and unsigned maximum and minimum (AArch64 `LDSMAX`, `LDSMIN`, `LDUMAX`, `LDUMIN`).
    FetchSmax,
    FetchSmin,
    FetchUmax,
    FetchUmin,
}

impl RmwKind {
    /// New memory value of an access `w` wide, or `None` when a compare-and-swap
    /// fails: computed on the old value truncated to `w`, and truncated to `w`.
    pub fn apply(self, old: u64, a: u64, b: u64, w: Width) -> Option<u64> {
        let old = w.trunc(old);
        let (a, b) = (w.trunc(a), w.trunc(b));
        let new = match self {
            RmwKind::Xchg => Some(a),
            RmwKind::Cmpxchg => (old == a).then_some(b),
            RmwKind::FetchOr => Some(old | a),
            RmwKind::FetchAdd => Some(old.wrapping_add(a)),
            RmwKind::FetchAndNot => Some(old & !a),
            RmwKind::FetchXor => Some(old ^ a),
            RmwKind::FetchSmax => Some(if (w.sext(old) as i64) >= (w.sext(a) as i64) { old } else { a }),
            RmwKind::FetchSmin => Some(if (w.sext(old) as i64) <= (w.sext(a) as i64) { old } else { a }),
            RmwKind::FetchUmax => Some(old.max(a)),
            RmwKind::FetchUmin => Some(old.min(a)),
        };
        new.map(|v| w.trunc(v))
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
        /// How wide the access is (see [`RmwKind::apply`]).
        width: Width,
    },
    Fence(FenceKind),
}

impl<M> Request<M> {
    /// The same request without metadata (for front ends that do not know the model).
    pub fn erase(&self) -> Request<()> {
        match self {
            &Request::Load { loc, ord, exclusive, .. } => Request::Load { loc, addr: (), ord, exclusive },
            &Request::Store { loc, ref val, ord, exclusive, .. } => {
                Request::Store { loc, val: Val { v: val.v, meta: () }, addr: (), ord, exclusive }
            }
            &Request::Rmw { loc, kind, ref a, ref b, ord, ret, width, .. } => Request::Rmw {
                loc,
                kind,
                a: Val { v: a.v, meta: () },
                b: Val { v: b.v, meta: () },
                addr: (),
                ord,
                ret,
                width,
            },
            &Request::Fence(k) => Request::Fence(k),
        }
    }

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
                    "needs an empty store buffer ({entries} entr{} still to drain)",
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

/// One write in a word's history, for front ends (models whose memory keeps
/// every write: ARM's messages; see [`MemoryModel::history`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Its place in memory as the model numbers it (ARM: the message's
    /// timestamp); 0 is the initial value.
    pub ts: u32,
    pub val: u64,
    /// The core that wrote it (None: the initial value).
    pub by: Option<usize>,
    /// An outstanding promise: in memory already, its store has not run yet.
    pub promised: bool,
}

/// What a core's pending entries ([`MemoryModel::pending`]) are, for front ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InFlight {
    /// Stores waiting in a store buffer; internal steps drain them (TSO; SC's is always empty).
    StoreBuffer,
    /// Writes promised ahead of time, fulfilled by later stores (Promising-ARM).
    Promises,
}

impl InFlight {
    /// The title of a pane listing them: "Store buffer".
    pub fn title(self) -> &'static str {
        match self {
            InFlight::StoreBuffer => "Store buffer",
            InFlight::Promises => "In flight / promises",
        }
    }
    /// A short tag for one-line states: `SB`.
    pub fn tag(self) -> &'static str {
        match self {
            InFlight::StoreBuffer => "SB",
            InFlight::Promises => "promises",
        }
    }
}

/// When other cores see a write (for the timed scheduler).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Propagation {
    /// When it reaches the one shared memory (at once, or when its store buffer
    /// drains), every core sees it: SC, TSO.
    Memory,
    /// Each write is a message that other cores see some time after it is made;
    /// a load that may read one of several writes reads the newest one visible
    /// to its core (ARM).
    Messages,
}

/// What a fence costs (for the timed scheduler's timing model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FenceCost {
    /// Nothing to wait for (TSO's load and store fences): an ALU step.
    Free,
    /// A full fence (x86 MFENCE): the timing model's `fence`.
    Full,
    /// A barrier instruction (ARM DMB/ISB): the timing model's `dmb`.
    Barrier,
}

/// Promises (Promising-ARM, see `sim::certify`): a core may promise a write
/// ahead of time. The machine offers promise transitions only when
/// [`Promising::ENABLED`]; every other model uses [`NoPromises`].
pub trait Promising<M: MemoryModel + ?Sized> {
    /// The model has promises.
    const ENABLED: bool;
    /// Core `core` promises to write `val` to `loc` later.
    fn promise(model: &M, shared: &mut M::Shared, cores: &mut [M::Core], core: usize, loc: Loc, val: u64);
    /// How many promises core `core` has not yet fulfilled.
    fn outstanding(model: &M, shared: &M::Shared, cores: &[M::Core], core: usize) -> usize;
    /// The promise phase is over (`sim`'s `PromiseMode::First`, at the first memory
    /// step): from now on every write must fulfil a promise (the promise-first
    /// machine, Promising-ARM's `pf_exec`), so memory is fixed and the cores no
    /// longer interact; a run that needs an unpromised write is a dead end.
    fn close(model: &M, shared: &mut M::Shared);
}

/// The no-op extension: a model without promises.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPromises;

impl<M: MemoryModel + ?Sized> Promising<M> for NoPromises {
    const ENABLED: bool = false;
    /// Never offered, so never called; does nothing.
    fn promise(_: &M, _: &mut M::Shared, _: &mut [M::Core], _: usize, _: Loc, _: u64) {}
    fn outstanding(_: &M, _: &M::Shared, _: &[M::Core], _: usize) -> usize {
        0
    }
    fn close(_: &M, _: &mut M::Shared) {}
}

/// A memory model. See the crate documentation.
pub trait MemoryModel: Clone + Debug + Send + Sync + 'static {
    type Meta: Meta;
    /// Per-core model state (TSO: the store buffer).
    type Core: Clone + Eq + Hash + Debug + Send + Sync;
    /// Shared model state (memory).
    type Shared: Clone + Eq + Hash + Debug + Send + Sync;
    /// Promises: [`NoPromises`] unless the model has them.
    type Promises: Promising<Self>;

    /// The model's name, title and description.
    fn info(&self) -> &'static ModelInfo;
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

    /// Every write to `loc` memory still holds, oldest first, the initial value
    /// included (ARM: its messages). Empty for a model with one value per word:
    /// front ends show [`MemoryModel::memory`].
    fn history(&self, _shared: &Self::Shared, _cores: &[Self::Core], _loc: Loc) -> Vec<Write> {
        Vec::new()
    }

    /// The newest write to `loc` core `core` has read or written (ARM: its
    /// `coh` view), as a [`Write::ts`] of [`MemoryModel::history`]; None for a
    /// model without a history.
    fn seen(&self, _shared: &Self::Shared, _cores: &[Self::Core], _core: usize, _loc: Loc) -> Option<u32> {
        None
    }

    /// What [`MemoryModel::pending`] lists.
    fn in_flight(&self) -> InFlight {
        InFlight::StoreBuffer
    }

    /// Model-specific lines about core `core` for people (ARM: its views and what
    /// its next read may take); `next` is the core's next access, `name` names a word.
    fn notes(
        &self,
        _shared: &Self::Shared,
        _cores: &[Self::Core],
        _core: usize,
        _next: Option<&Request<Self::Meta>>,
        _name: &dyn Fn(Loc) -> String,
    ) -> Vec<String> {
        Vec::new()
    }

    /// One sentence for people on how this model let core `core`'s later read of
    /// `read` take effect before its earlier store to `wrote` was seen (the
    /// TUI's lost-work explanation); `failed_rmw`: that read was a
    /// compare-and-swap that failed.
    fn overtaking(&self, core: usize, read: &str, wrote: &str, failed_rmw: bool) -> String {
        let _ = failed_rmw;
        format!("{} does not keep core {core}'s read of {read} after its store of {wrote}.", self.info().title)
    }

    /// When other cores see a write (timed scheduler).
    fn propagation(&self) -> Propagation {
        Propagation::Memory
    }

    /// Whether `req` waits until every earlier write of its core is visible to
    /// every core (ARM's barriers and releases; timed scheduler).
    fn waits_for_own_writes(&self, _req: &Request<Self::Meta>) -> bool {
        false
    }

    /// What a fence of kind `k` costs (timed scheduler).
    fn fence_cost(&self, k: FenceKind) -> FenceCost {
        match k {
            // Fences that order stores before loads drain a store buffer.
            FenceKind::Full | FenceKind::StoreAll => FenceCost::Full,
            _ => FenceCost::Free,
        }
    }

    /// A conditional branch depends on a value with this metadata.
    fn on_branch(&self, _core: &mut Self::Core, _cond: Self::Meta) {}

    /// Metadata of a `csel` result: the selected operand's and the condition's.
    fn csel_meta(&self, selected: Self::Meta, cond: Self::Meta) -> Self::Meta {
        selected.join(cond)
    }

    /// Whether the two halves of a pair instruction (`LDP`, `STP`: the
    /// program's `pairs`) may take effect in either order. Program order does
    /// not order them (herd's `po` relates instructions, not the accesses of
    /// one); a model that performs every access at once in program order says
    /// `true` so that the machine offers the second half first as well.
    fn unordered_pairs(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod rmw_kind_tests {
    use super::{RmwKind, Width};

    /// Minimum and maximum compare at the access's width: signed ones see the
    /// width's sign bit (herd's `LDSMIN00`/`LDSMIN01`), unsigned ones do not.
    #[test]
    fn min_max_at_width() {
        let m128 = (-128i64) as u64;
        assert_eq!(RmwKind::FetchSmin.apply(0, m128, 0, Width::W32), Some(0xffff_ff80));
        assert_eq!(RmwKind::FetchSmin.apply(0xffff_ffff, m128, 0, Width::W32), Some(0xffff_ff80));
        assert_eq!(RmwKind::FetchSmin.apply(0xffff_ffff, 1, 0, Width::W32), Some(0xffff_ffff));
        assert_eq!(RmwKind::FetchSmax.apply(0xffff_ffff, 1, 0, Width::W32), Some(1));
        assert_eq!(RmwKind::FetchSmax.apply(0x80, 1, 0, Width::W8), Some(1));
        assert_eq!(RmwKind::FetchSmax.apply(0x80, 1, 0, Width::W16), Some(0x80));
        assert_eq!(RmwKind::FetchUmin.apply(0, m128, 0, Width::W32), Some(0));
        assert_eq!(RmwKind::FetchUmax.apply(0, m128, 0, Width::W32), Some(0xffff_ff80));
        assert_eq!(RmwKind::FetchUmax.apply(7, m128, 0, Width::W64), Some(m128));
        assert_eq!(RmwKind::FetchSmax.apply(7, m128, 0, Width::W64), Some(7));
    }
}
