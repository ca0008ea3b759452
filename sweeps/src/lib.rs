//! Sweeps: rates of lost work (irq_work) or of a program's condition (any
//! `.ucode` / `.litmus` file) over models × cores × timing-grid points × seeds,
//! in parallel, crash-safe and splittable into shards. Nothing here prints:
//! a front end (the `weaksim` command line, the TUI, a web page) parses its
//! input into a [`SweepSpec`], calls [`run`] with an observer for progress,
//! and shows the [`SweepOutput`].
//!
//! One forward path:
//!
//! 1. [`spec`]: what the sweep is ([`SweepSpec`]), its cells and its units of
//!    work (a cell's chunk of seeds), dealt round robin to shards;
//! 2. [`engine`]: runs the units (each one [`sim::rates::count`]), one
//!    [`UnitResult`] per unit, appended to the [`journal`] as it finishes;
//! 3. [`output`]: unit results → cells ([`CellResult`], with [`stats`]'
//!    Wilson intervals and percentiles) → the CSV / JSON output.
//!
//! Each unit's result depends only on its seeds, and cells are assembled in a
//! fixed order, so the output is the same for any number of threads, any
//! sharding, and any kill-and-resume.

pub mod engine;
pub mod grid;
pub mod journal;
pub mod output;
pub mod programs;
pub mod spec;
pub mod stats;

pub use engine::{run, Event, Finished, Plan};
pub use grid::{Params, Vary};
pub use output::{CellResult, SweepOutput, UnitResult};
pub use spec::{Cell, ProgramFile, Subject, SweepSpec, Unit, Workload, DEFAULT_MAX_STEPS};
pub use stats::{percentile, wilson};
