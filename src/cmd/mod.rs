pub mod bench;
pub mod bench_lkmm;
pub mod cells;
pub mod demo;
pub mod explain;
pub mod explore;
pub mod journal;
pub mod litmus;
pub mod merge;
pub mod models;
pub mod plot;
pub mod replay;
pub mod run;
pub mod show;
pub mod sweep;
pub mod sweep_bench;
pub mod tui;

use clap::builder::{PossibleValue, TypedValueParser};
use sim::Model;

/// The `--model` value parser, built from the model registry (`sim::models`):
/// any registered name or alias, in any case; `--help` lists the names.
#[derive(Clone, Copy, Debug, Default)]
pub struct ModelParser;

impl TypedValueParser for ModelParser {
    type Value = Model;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Model, clap::Error> {
        let s = value.to_string_lossy();
        sim::models::get(&s).map_err(|e| {
            let flag = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("invalid value '{s}'{flag}: {e}\n"))
                .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(sim::models::all().into_iter().map(|m| {
            let i = m.info();
            PossibleValue::new(i.name).aliases(i.aliases.iter().copied()).help(i.description)
        })))
    }
}

/// Output for people (`text`) or for programs (`json`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text for people
    Text,
    /// JSON for programs
    Json,
}

/// Which scheduler drives seeded runs (`--scheduler`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduler {
    /// Uniform over the enabled transitions
    Random,
    /// Cycle-level latencies with seeded jitter (docs/timing.md)
    Timed,
}

impl Scheduler {
    pub fn kind(self) -> sim::SchedKind {
        match self {
            Scheduler::Random => sim::SchedKind::Random,
            Scheduler::Timed => sim::SchedKind::Timed,
        }
    }
}

/// Exit statuses (scripts depend on them).
pub const EXIT_OK: u8 = 0;
pub const EXIT_VIOLATION: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_BOUNDED: u8 = 3;

/// Writes `text` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    sim::trace::write_atomic(path, text).with_context(|| format!("cannot write {}", path.display()))
}
