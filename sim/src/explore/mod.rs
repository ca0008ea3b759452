//! Exhaustive search: breadth-first over the machine's states with visited-state
//! hashing, so the first violation found has a shortest schedule.
//!
//! States are deduplicated by a 64-bit fingerprint of the whole state,
//! like TLC and SPIN's hash-compaction mode: two distinct states collide with
//! probability about n²/2⁶⁵ (for ten million states, about 3·10⁻⁶).
//!
//! Reduction: an instruction that only touches its own core's registers and
//! program counter (mov, alu, branch, call, ret, `ipi self`, observe) commutes
//! with every other core's transitions and is invisible to them, so the search
//! runs it at once instead of interleaving it (a persistent set of size one).
//! Interrupt handlers run on their own register bank, initialised from the
//! core's boot registers, so taking an interrupt also commutes with such steps.
//!
//! The search is one level loop ([`level`]) that runs on one thread or on a
//! rayon pool with the same result; [`finals`] keeps what the terminal states
//! showed and builds the shortest schedules.

mod finals;
mod level;

use crate::budget::Budget;
use crate::check::{FinalState, Violation};
use crate::machine::{Machine, PromiseMode};
use crate::transition::Transition;
use memmodels::MemoryModel;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub use crate::machine::EAGER_LIMIT;

/// Bounds and options of a search.
#[derive(Clone, Debug)]
pub struct ExploreConfig {
    /// Stop with verdict `Bounded` after this many distinct states.
    pub max_states: u64,
    /// Stop with verdict `Bounded` when the process's resident memory would
    /// pass this many bytes (see [`crate::budget`]; inner searches count).
    pub max_memory: u64,
    /// Stop with verdict `Bounded` after this long (inner searches included).
    pub timeout: Option<std::time::Duration>,
    /// Stop at the first violation (true for invariant checking, false to
    /// collect every final state of a litmus test).
    pub stop_on_violation: bool,
    /// Run purely local steps eagerly (see the module documentation).
    pub reduce: bool,
    /// Worker threads (0: all cores). The result is the same for any count.
    pub threads: usize,
    /// How the search offers promise transitions on a model with promises
    /// (ignored by the others), whatever the start machine's own mode: the
    /// default [`PromiseMode::First`] is the promise-first machine, which reaches
    /// the same final states as [`PromiseMode::Anytime`] (the full machine,
    /// much larger; tests compare the two); [`PromiseMode::Off`] misses the
    /// behaviours that need promises (tests use it for inclusion). The schedules of the result replay
    /// from the start machine in this mode ([`ExploreResult::promise_mode`]).
    pub promises: PromiseMode,
    /// Shared with whoever started the search (a front end's worker thread):
    /// the search publishes its progress there and stops when asked.
    pub control: Option<Arc<Control>>,
}

/// A handle on a running search, shared between threads: the search reports
/// how many states it has visited and stops (verdict `Bounded`, bound "the
/// search was cancelled") soon after [`Control::cancel`].
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicBool,
    states: AtomicU64,
    depth: AtomicU64,
    memory: AtomicU64,
    inner: AtomicU64,
    held: AtomicU64,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }
    /// Asks the search to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    /// Distinct states visited so far.
    pub fn states(&self) -> u64 {
        self.states.load(Ordering::Relaxed)
    }
    /// The search's own report (also used by searches outside this module).
    pub fn report(&self, states: u64) {
        self.states.store(states, Ordering::Relaxed);
    }
    /// The depth (breadth-first level) the search has reached.
    pub fn depth(&self) -> u64 {
        self.depth.load(Ordering::Relaxed)
    }
    pub fn report_depth(&self, depth: u64) {
        self.depth.store(depth, Ordering::Relaxed);
    }
    /// The process's resident memory at the search's last reading, in bytes.
    pub fn memory(&self) -> u64 {
        self.memory.load(Ordering::Relaxed)
    }
    pub fn report_memory(&self, bytes: u64) {
        self.memory.store(bytes, Ordering::Relaxed);
    }
    /// States the running search's visited set holds now: 0 before it
    /// starts and again once that set has been dropped (the search ended,
    /// finished or cancelled, and gave its memory back).
    pub fn held(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }
    pub fn report_held(&self, states: u64) {
        self.held.store(states, Ordering::Relaxed);
    }
    /// States visited by inner searches (promise certification) so far.
    pub fn inner_states(&self) -> u64 {
        self.inner.load(Ordering::Relaxed)
    }
    pub fn add_inner_states(&self, n: u64) {
        self.inner.fetch_add(n, Ordering::Relaxed);
    }
}

/// The bound a cancelled search reports.
pub const CANCELLED: &str = "the search was cancelled";

impl Default for ExploreConfig {
    fn default() -> Self {
        ExploreConfig {
            max_states: 50_000_000,
            max_memory: crate::budget::default_max_memory().unwrap_or(8 << 30),
            timeout: None,
            stop_on_violation: true,
            reduce: true,
            threads: 1,
            promises: PromiseMode::First,
            control: None,
        }
    }
}

/// The answer of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every reachable state was visited and none violates an invariant.
    Safe,
    /// A reachable state violates an invariant.
    Violation,
    /// A bound was hit first: inconclusive.
    Bounded,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Violation => "violation",
            Verdict::Bounded => "bounded",
        }
    }
}

/// One distinct final state and what is known about it.
#[derive(Clone, Debug)]
pub struct FinalInfo {
    /// The condition's expression holds in it.
    pub holds: bool,
    /// A shortest schedule that reaches it.
    pub schedule: Vec<Transition>,
}

#[derive(Clone, Debug)]
pub struct ExploreResult {
    pub verdict: Verdict,
    /// Distinct states visited.
    pub states: u64,
    /// Transitions applied (edges of the reduced graph, eager steps included).
    pub transitions: u64,
    /// The first violation found and a shortest schedule reaching it.
    pub violation: Option<(Violation, Vec<Transition>)>,
    /// Distinct final (quiescent) states as the condition observes them.
    pub finals: BTreeMap<FinalState, FinalInfo>,
    /// Why the search stopped early, when it did.
    pub bound: Option<String>,
    /// Deepest BFS level reached.
    pub depth: u32,
    /// States with no enabled transition (final, violating or dead ends). Zero
    /// after a complete search means no execution ever stops: a livelock.
    pub terminals: u64,
    /// The promise mode the search ran in: its schedules replay from the start
    /// machine with this mode (`start.clone().with_promise_mode(r.promise_mode)`).
    pub promise_mode: PromiseMode,
    /// The process's peak resident memory when the search ended (Linux), bytes.
    pub peak_memory: Option<u64>,
}

/// 64-bit fingerprint of a machine state.
pub fn fingerprint<M: MemoryModel>(m: &Machine<M>) -> u64 {
    let mut h = crate::fp::FpHasher::default();
    m.state.hash(&mut h);
    h.finish()
}

/// Explores every state reachable from `start` (offering promises as
/// [`ExploreConfig::promises`] says, on models with promises), on
/// [`ExploreConfig::threads`] threads: the result is the same for any count.
///
/// Every bound (states, memory, time, cancellation) holds inside the inner
/// searches too (promise certification): whatever stops the search early makes
/// the verdict [`Verdict::Bounded`] (unless a violation was found) and
/// [`ExploreResult::bound`] says which bound.
pub fn explore<M: MemoryModel>(start: &Machine<M>, cfg: &ExploreConfig) -> ExploreResult {
    let inner = (cfg.max_states.min(crate::certify::SOLO_LIMIT as u64)) as usize;
    let budget = Arc::new(Budget::new(cfg.timeout, cfg.max_memory, inner, cfg.control.clone()));
    let mut start = start.clone().with_promise_mode(cfg.promises);
    start.set_budget(Some(budget.clone()));
    let mut r = explore_in(&start, cfg, &budget);
    r.peak_memory = crate::budget::peak_resident_bytes();
    r
}

fn explore_in<M: MemoryModel>(start: &Machine<M>, cfg: &ExploreConfig, budget: &Arc<Budget>) -> ExploreResult {
    let threads =
        if cfg.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { cfg.threads };
    if threads <= 1 {
        return level::search(start, cfg, budget, level::Driver::Serial);
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| level::search(start, cfg, budget, level::Driver::Parallel)),
        // No threads to be had: the one-thread search gives the same result.
        Err(_) => level::search(start, cfg, budget, level::Driver::Serial),
    }
}

/// Runs eager local steps until no core has one (or the limit is hit).
pub fn close<M: MemoryModel>(m: &mut Machine<M>, mut path: Option<&mut Vec<Transition>>) -> usize {
    let mut n = 0;
    loop {
        let mut progressed = false;
        for c in 0..m.num_cores() {
            while n < EAGER_LIMIT && m.faulted().is_none() && m.is_eager(c) {
                let t = Transition::Exec { core: c as u8, choice: 0 };
                m.apply_unchecked(t);
                if let Some(p) = path.as_deref_mut() {
                    p.push(t);
                }
                n += 1;
                progressed = true;
            }
        }
        if !progressed || n >= EAGER_LIMIT || m.faulted().is_some() {
            return n;
        }
    }
}

/// A rough size of one machine state in memory, for the memory budget.
pub fn approx_state_bytes<M: MemoryModel>(m: &Machine<M>) -> usize {
    let per_core = 2 * m.num_regs() * (8 + std::mem::size_of::<M::Meta>())
        + std::mem::size_of::<crate::machine::Core>()
        + std::mem::size_of::<M::Core>()
        + 64;
    std::mem::size_of::<Machine<M>>() + m.num_cores() * per_core + m.prog().symbols.len() * 16 + 128
}
