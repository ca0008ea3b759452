//! Traces: a serialisable record of a run — the program, the model, the
//! scheduler, the seed and the chosen transitions — that replays bit for bit.

use crate::transition::Transition;
use isa::Program;
use serde::{Deserialize, Serialize};

pub const TRACE_FORMAT: &str = "weaksim-trace";
/// Version 2: the program fingerprint is XXH3 of the program's canonical text
/// ([`isa::Program::canonical_text`]); version 1 traces held an older hash.
pub const TRACE_VERSION: u32 = 2;

/// One chosen transition with its plain-words label (the label is for readers;
/// replay checks the transition itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    #[serde(flatten)]
    pub t: Transition,
    #[serde(default)]
    pub label: String,
    /// The cycle at which the step completed, in a timed run's trace (absent
    /// in traces of untimed runs and of weaksim versions before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<u64>,
}

/// A step without its label (what replaying needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BareStep {
    #[serde(flatten)]
    pub t: Transition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<u64>,
}

/// A trace whose steps are `S`: [`Step`] (with labels) in a [`Trace`],
/// [`BareStep`] when only the transitions matter (a long replay).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceOf<S> {
    pub format: String,
    pub version: u32,
    /// The workload that generated the program (e.g. irq_work's parameters), if any.
    #[serde(default)]
    pub workload: Option<serde_json::Value>,
    /// Identity of the program: its fingerprint, in hex.
    pub program_fingerprint: String,
    /// The program itself, so a trace replays without its source file.
    pub program: Program,
    pub model: String,
    /// When promise steps were offered (ARM); replay uses the same mode.
    #[serde(default)]
    pub promise_mode: crate::PromiseMode,
    pub scheduler: String,
    #[serde(default)]
    pub seed: Option<u64>,
    pub steps: Vec<S>,
    /// How the run ended, in words ("lost work: data1 ends as 1, ...").
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub cycles: u64,
}

/// A saved trace: the steps with their labels.
pub type Trace = TraceOf<Step>;

/// Why a trace file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("{file}: not a weaksim trace: {msg}")]
    Parse { file: String, msg: String },
    #[error("{file}: trace format '{found}' version {version} is not supported (expected {TRACE_FORMAT} version {TRACE_VERSION})")]
    Version { file: String, found: String, version: String },
    #[error("{file}: a {TRACE_FORMAT} version {version} trace, from an older weaksim whose program fingerprints are computed differently; this weaksim reads version {TRACE_VERSION}: record the run again (explore --save-trace or run --save-trace)")]
    OldVersion { file: String, version: u32 },
    #[error("{file}: the program in the trace does not match its fingerprint (edited by hand?)")]
    Fingerprint { file: String },
    #[error("{file}: the trace's program is invalid: {error}")]
    Program { file: String, error: isa::ProgramError },
}

impl Trace {
    pub fn new(program: &Program, model: &str, scheduler: &str, seed: Option<u64>, steps: Vec<Step>) -> Trace {
        Trace {
            format: TRACE_FORMAT.into(),
            version: TRACE_VERSION,
            workload: None,
            program_fingerprint: format!("{:016x}", program.fingerprint()),
            program: program.clone(),
            model: model.into(),
            promise_mode: crate::PromiseMode::Off,
            scheduler: scheduler.into(),
            seed,
            steps,
            outcome: None,
            cycles: 0,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a trace always serialises")
    }

    /// Parses and checks a trace (format, version, program identity).
    pub fn from_json(text: &str, file: &str) -> Result<Trace, TraceError> {
        TraceOf::parse(text, file)
    }

    pub fn transitions(&self) -> Vec<Transition> {
        self.steps.iter().map(|s| s.t).collect()
    }

    /// Each step's cycle, when the trace has them all (a timed run's trace).
    pub fn step_cycles(&self) -> Option<Vec<u64>> {
        self.steps.iter().map(|s| s.cycle).collect()
    }

    /// Records the cycle of each step (`cycles[i]` for step i), as a timed
    /// run's [`crate::RunOutcome::cycles`] gives them; ignored unless there is
    /// one per step.
    pub fn set_step_cycles(&mut self, cycles: &[u64]) {
        if cycles.len() == self.steps.len() {
            for (s, &c) in self.steps.iter_mut().zip(cycles) {
                s.cycle = Some(c);
            }
        }
    }
}

/// The format and version of a trace, as found (the rest of the file is
/// skipped without being kept).
#[derive(Deserialize)]
struct Head {
    #[serde(default, deserialize_with = "present")]
    format: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    version: Option<serde_json::Value>,
}

/// A field that is there, even as `null` (`None` only when it is missing).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

fn parse_error(text: &str, file: &str, e: serde_json::Error) -> TraceError {
    let _ = text;
    TraceError::Parse { file: format!("{file}:{}:{}", e.line(), e.column()), msg: e.to_string() }
}

/// Checks that `text` is a JSON object of this trace format and version.
fn check_head(text: &str, file: &str) -> Result<(), TraceError> {
    let first = text.trim_start_matches([' ', '\t', '\n', '\r']).chars().next();
    if first.is_some() && first != Some('{') {
        let (line, col) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find(|c: char| !c.is_whitespace()).map(|c| (i + 1, c + 1)))
            .unwrap_or((1, 1));
        return Err(TraceError::Parse {
            file: format!("{file}:{line}:{col}"),
            msg: "expected a JSON object (a trace written by --save-trace)".into(),
        });
    }
    let h: Head = serde_json::from_str(text).map_err(|e| parse_error(text, file, e))?;
    let shown = |v: &Option<serde_json::Value>| match v {
        None => "missing".to_string(),
        Some(v) => v.to_string(),
    };
    let found = match &h.format {
        Some(serde_json::Value::String(s)) => s.clone(),
        other => shown(other),
    };
    let version = h.version.as_ref().and_then(|v| v.as_u64());
    if let Some(v) = version.filter(|v| found == TRACE_FORMAT && (1..TRACE_VERSION as u64).contains(v)) {
        return Err(TraceError::OldVersion { file: file.into(), version: v as u32 });
    }
    let version_ok = version == Some(TRACE_VERSION as u64);
    if found != TRACE_FORMAT || !version_ok {
        return Err(TraceError::Version { file: file.into(), found, version: shown(&h.version) });
    }
    Ok(())
}

impl<S: serde::de::DeserializeOwned> TraceOf<S> {
    /// Parses and checks a trace (format, version, program identity); the
    /// steps are read straight into `S`, with no intermediate document.
    pub fn parse(text: &str, file: &str) -> Result<TraceOf<S>, TraceError> {
        check_head(text, file)?;
        let t: TraceOf<S> = serde_json::from_str(text).map_err(|e| parse_error(text, file, e))?;
        t.program.validate().map_err(|error| TraceError::Program { file: file.into(), error })?;
        if t.program_fingerprint != format!("{:016x}", t.program.fingerprint()) {
            return Err(TraceError::Fingerprint { file: file.into() });
        }
        Ok(t)
    }
}

/// Labels a schedule by replaying it from `start` (stops at the first step that is not enabled).
pub fn label_steps<M: memmodels::MemoryModel>(start: &crate::Machine<M>, schedule: &[Transition]) -> Vec<Step> {
    let mut m = start.clone();
    let mut out = Vec::with_capacity(schedule.len());
    for &t in schedule {
        let label = m.label(t);
        if m.apply(t).is_err() {
            break;
        }
        out.push(Step { t, label, cycle: None });
    }
    out
}

/// A trace of `schedule` run from `start`, labelled.
pub fn make_trace<M: memmodels::MemoryModel>(
    start: &crate::Machine<M>,
    schedule: &[Transition],
    scheduler: &str,
    seed: Option<u64>,
) -> Trace {
    let mut m = start.clone();
    let steps = label_steps(start, schedule);
    for s in &steps {
        let _ = m.apply(s.t);
    }
    let mut t = Trace::new(start.prog(), start.info().name, scheduler, seed, steps);
    t.promise_mode = start.promise_mode();
    t.cycles = m.cycle();
    t
}

/// Writes `text` to `path` (see [`crate::files::write_output`]): a regular
/// file is replaced atomically, a link is followed, a FIFO or a device is
/// written into.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    crate::files::write_output(path, text.as_bytes())
}
