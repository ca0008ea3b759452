pub mod bench;
pub mod bench_big;
pub mod bench_lkmm;
pub mod calibrate;
pub mod demo;
pub mod explain;
pub mod explore;
pub mod explore_graph;
pub mod fuzz_models;
pub mod litmus;
pub mod merge;
pub mod models;
pub mod plot;
pub mod progress;
pub mod replay;
pub mod run;
pub mod show;
pub mod steady;
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

impl From<Scheduler> for sim::SchedKind {
    fn from(s: Scheduler) -> sim::SchedKind {
        match s {
            Scheduler::Random => sim::SchedKind::Random,
            Scheduler::Timed => sim::SchedKind::Timed,
        }
    }
}

/// The scheduler named on the command line; `--timing` only goes with `timed`.
pub fn sched_kind(s: Scheduler, timing: Option<&std::path::Path>) -> anyhow::Result<sim::SchedKind> {
    let k = sim::SchedKind::from(s);
    if k == sim::SchedKind::Random && timing.is_some() {
        anyhow::bail!("--timing applies to the timed scheduler: add --scheduler timed");
    }
    Ok(k)
}

/// The timing model in `path`, or the default one.
pub fn load_timing(path: Option<&std::path::Path>) -> anyhow::Result<sim::TimingModel> {
    let Some(p) = path else { return Ok(sim::TimingModel::default()) };
    let file = p.display().to_string();
    let text = read_text(p).map_err(|e| e.context("--timing"))?;
    Ok(sim::TimingModel::parse(&text, &file)?)
}

/// The most worker threads any command starts (`--threads`).
pub const MAX_THREADS: usize = 1024;

/// Refuses a `--threads` count above [`MAX_THREADS`] (thousands of threads
/// only cost time and memory).
pub fn check_threads(t: usize) -> anyhow::Result<()> {
    if t > MAX_THREADS {
        anyhow::bail!("--threads {t}: at most {MAX_THREADS}");
    }
    let n = if t == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { t };
    sim::budget::threads_fit(n).map_err(|e| anyhow::anyhow!("--threads {t}: {e}"))
}

/// Exit statuses (scripts depend on them).
pub const EXIT_OK: u8 = 0;
pub const EXIT_VIOLATION: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_BOUNDED: u8 = 3;

/// Writes `text` to `path`: a regular file atomically (temporary file in the
/// same folder, then rename), through a symbolic link to its target, straight
/// into a FIFO or a device (see [`sim::files::write_output`]).
pub fn write_atomic(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    sim::files::write_output(path, text.as_bytes()).with_context(|| format!("{}: cannot write", path.display()))
}

/// Reads an input file whole as UTF-8 text, within the input limit (see
/// [`sim::files::read_text`]).
pub fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    Ok(sim::files::read_text(path)?)
}

/// Refuses an output that is also one of the inputs (`--save-trace in.ucode`,
/// `merge p1.json p2.json --out p1.json`): writing it would destroy the input.
pub fn check_not_input<'a>(
    flag: &str,
    out: &std::path::Path,
    inputs: impl IntoIterator<Item = &'a std::path::Path>,
) -> anyhow::Result<()> {
    for i in inputs {
        if sim::files::same_file(out, i) {
            anyhow::bail!(
                "{flag} {}: this is also an input ({}); writing it would destroy it: choose another file",
                out.display(),
                i.display()
            );
        }
    }
    Ok(())
}

/// Removes the temporary files (`.NAME.tmpPID`) that a write of `path` killed
/// before its rename left behind, unless their process is still running.
pub fn remove_leftovers(path: &std::path::Path) {
    let Ok(target) = sim::files::resolve_output(path) else { return };
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().to_string()) else { return };
    let prefix = format!(".{name}.tmp");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().to_string();
        let Some(pid) = f.strip_prefix(&prefix).and_then(|p| p.parse::<i32>().ok()) else { continue };
        if pid != std::process::id() as i32 && !process_alive(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether process `pid` exists.
#[cfg(unix)]
fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    pid > 0
        && (unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

#[cfg(not(unix))]
fn process_alive(_: i32) -> bool {
    true
}
