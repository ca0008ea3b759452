//! The Linux-kernel memory model (LKMM), as herd7 7.57 runs it with
//! `linux-kernel.cfg` (`linux-kernel.bell`, `linux-kernel.cat`, `lock.cat`):
//! an axiomatic model only, checked on candidate executions.
//!
//! An [`Exec`] is a candidate: events with the tags of `linux-kernel.bell`
//! ([`tag`]), their dependencies, and the communication relations `rf` and `co`.
//! [`Static`] computes once, for a set of events, every relation that does not
//! depend on `rf`/`co` (program order, fences, dependencies, critical
//! sections); [`Static::check`] then tests one candidate against the axioms:
//! `coherence`, `atomic`, `happens-before`, `propagation`, `rcu` and
//! `plain-coherence` (`check.rs` restates each definition next to its code).
//!
//! Locks follow `lock.cat`, with values: a lock word holds 0 (unlocked) or 1;
//! `spin_lock` is an RMW reading 0 (`LKR`) and writing 1 (`LKW`), `spin_unlock`
//! a write of 0 (`UL`). With `rf` choosing same-value writes and `atomic`, this
//! gives exactly `lock.cat`'s `rf` and `co` for lock events.

mod check;
pub mod rel;

pub use check::{Axiom, Static};

/// The model as the registry lists it. It has no operational face: its
/// outcomes come from `sim::lkmm`'s enumeration of candidate executions.
pub static INFO: crate::ModelInfo = crate::ModelInfo {
    name: "lkmm",
    aliases: &["linux", "linux-kernel"],
    title: "LKMM",
    description: "the Linux-kernel memory model (axiomatic only): runs Linux-kernel C litmus tests",
    axioms: "herd7 7.57's linux-kernel.cat, with linux-kernel.bell and lock.cat",
    c_mapping: isa::litmus::c::Mapping::Lkmm,
};

/// Event tags (bit flags): the annotations of `linux-kernel.bell` and `lock.cat`.
pub mod tag {
    /// `READ_ONCE`/`WRITE_ONCE` and the once-annotated halves of RMWs.
    pub const ONCE: u32 = 1 << 0;
    pub const ACQUIRE: u32 = 1 << 1;
    pub const RELEASE: u32 = 1 << 2;
    /// The read of a non-value-returning atomic (`atomic_inc`, ...).
    pub const NORETURN: u32 = 1 << 3;
    /// An event of an RMW primitive (herd's `RMW` set: xchg, cmpxchg even when
    /// it fails, the atomic_t operations).
    pub const ATOMIC: u32 = 1 << 4;
    /// Lock read, lock write, unlock, failed trylock (and `spin_is_locked` read
    /// as held: `RL`, which `lock.cat` treats as `LF`), `spin_is_locked` read as free.
    pub const LKR: u32 = 1 << 5;
    pub const LKW: u32 = 1 << 6;
    pub const UL: u32 = 1 << 7;
    pub const LF: u32 = 1 << 8;
    pub const RU: u32 = 1 << 9;
    /// Fences.
    pub const MB: u32 = 1 << 10;
    pub const RMB: u32 = 1 << 11;
    pub const WMB: u32 = 1 << 12;
    pub const BARRIER: u32 = 1 << 13;
    pub const RCU_LOCK: u32 = 1 << 14;
    pub const RCU_UNLOCK: u32 = 1 << 15;
    pub const SYNC_RCU: u32 = 1 << 16;
    pub const BEFORE_ATOMIC: u32 = 1 << 17;
    pub const AFTER_ATOMIC: u32 = 1 << 18;
    pub const AFTER_SPINLOCK: u32 = 1 << 19;
    pub const AFTER_UNLOCK_LOCK: u32 = 1 << 20;
    /// SRCU events (on the `srcu_struct` location).
    pub const SRCU_LOCK: u32 = 1 << 21;
    pub const SRCU_UNLOCK: u32 = 1 << 22;
    pub const SYNC_SRCU: u32 = 1 << 23;

    /// The names of the tags set in `t`, for listings.
    pub fn names(t: u32) -> Vec<&'static str> {
        const N: [&str; 24] = [
            "once",
            "acquire",
            "release",
            "noreturn",
            "rmw",
            "LKR",
            "LKW",
            "UL",
            "LF",
            "RU",
            "mb",
            "rmb",
            "wmb",
            "barrier",
            "rcu-lock",
            "rcu-unlock",
            "sync-rcu",
            "before-atomic",
            "after-atomic",
            "after-spinlock",
            "after-unlock-lock",
            "srcu-lock",
            "srcu-unlock",
            "sync-srcu",
        ];
        (0..24).filter(|b| t >> b & 1 == 1).map(|b| N[b]).collect()
    }
}

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The initial write of a memory word (`IW`).
    Init,
    Read,
    Write,
    /// A fence or an SRCU event: no memory access.
    Fence,
}

/// One event of a candidate execution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    pub kind: Kind,
    /// The thread, or `None` for an initial write.
    pub core: Option<u8>,
    /// Position in its thread's program order.
    pub po: u32,
    /// The memory word (the `srcu_struct` for SRCU events).
    pub loc: Option<u16>,
    pub value: u64,
    /// [`tag`] bits.
    pub tags: u32,
    /// The other half of an RMW (an RMW primitive, or a lock's `LKR`/`LKW`).
    pub rmw: Option<usize>,
    /// Reads this event depends on, by address, data, or control (herd's C
    /// semantics: register dataflow; control from an `if` condition to the
    /// events of its branches).
    pub addr: rel::Set,
    pub data: rel::Set,
    pub ctrl: rel::Set,
    /// The instruction, for explanations.
    pub pc: Option<u16>,
}

impl Event {
    pub fn is(&self, t: u32) -> bool {
        self.tags & t != 0
    }
    pub fn is_read(&self) -> bool {
        self.kind == Kind::Read
    }
    pub fn is_write(&self) -> bool {
        matches!(self.kind, Kind::Write | Kind::Init)
    }
}

/// A candidate execution.
#[derive(Clone, Debug)]
pub struct Exec {
    pub events: Vec<Event>,
    /// For each read, the write it reads from (indexed by event).
    pub rf: Vec<Option<usize>>,
    /// Per memory word, its writes in coherence order, initial write first.
    pub co: Vec<Vec<usize>>,
}
