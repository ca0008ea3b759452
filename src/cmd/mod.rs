pub mod bench;
pub mod cells;
pub mod demo;
pub mod explain;
pub mod explore;
pub mod journal;
pub mod litmus;
pub mod merge;
pub mod plot;
pub mod replay;
pub mod run;
pub mod show;
pub mod sweep;
pub mod sweep_bench;
pub mod tui;

use memmodels::ModelKind;

/// Runs `$body` with `$m` bound to the memory model named by `$kind`.
#[macro_export]
macro_rules! with_model {
    ($kind:expr, $m:ident => $body:expr) => {
        match $kind {
            memmodels::ModelKind::Sc => {
                let $m = memmodels::Sc;
                $body
            }
            memmodels::ModelKind::Tso => {
                let $m = memmodels::Tso;
                $body
            }
            memmodels::ModelKind::Arm => {
                let $m = memmodels::Arm::default();
                $body
            }
        }
    };
}

/// Parses a model name for clap.
pub fn parse_model(s: &str) -> Result<ModelKind, String> {
    s.parse()
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
