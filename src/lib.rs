//! The `weaksim` command line's subcommands, as a library so that the binary
//! (`src/main.rs`) stays a thin front door and the fuzz targets can reach the
//! file loaders (sweep outputs and journals).

pub mod cmd;
pub mod render;
pub mod target;

/// The sweep engine (units, journal, cells, statistics), for the fuzz targets and other front ends.
pub use sweeps;
