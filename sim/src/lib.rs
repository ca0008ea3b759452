//! The weaksim machine and everything that drives it.
//!
//! [`Machine::enabled`] lists what may happen next; [`Machine::apply`] makes one
//! of those things happen. Random runs, exhaustive search, replay and the TUI are
//! loops around those two calls. Nothing in this crate prints.

pub mod axiom;
pub mod bank;
pub mod budget;
pub mod certify;
pub mod check;
pub mod engine;
pub mod explore;
pub mod files;
pub mod fp;
pub mod graph;
pub mod lkmm;
pub mod machine;
pub mod models;
pub mod narrate;
pub mod rates;
pub mod sched;
pub mod timed;
pub mod timeline;
pub mod timing;
pub mod trace;
pub mod transition;

pub use check::{FinalState, Violation};
pub use explore::{explore, Control, ExploreConfig, ExploreResult, Verdict};
pub use machine::{ApplyError, Core, Fault, Machine, PromiseMode, State};
pub use models::{AnyMachine, DynMachine, Model, ModelError, Status};
pub use rates::{count, count_par, Counts, FirstRun, Observation, RunSpec};
pub use sched::{
    run, run_seed, run_seed_on, RandomScheduler, ReplayScheduler, RunEnd, RunOutcome, SchedError, SchedKind, Scheduler,
};
pub use timed::{run_timed, TimedScheduler};
pub use timing::{Latency, LatencyError, TimingModel};
pub use trace::{Step, Trace, TraceError};
pub use transition::{Effect, Transition};
