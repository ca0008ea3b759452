//! Traces: a serialisable record of a run — the program, the model, the
//! scheduler, the seed and the chosen transitions — that replays bit for bit.

use crate::transition::Transition;
use isa::Program;
use serde::{Deserialize, Serialize};

pub const TRACE_FORMAT: &str = "weaksim-trace";
pub const TRACE_VERSION: u32 = 1;

/// One chosen transition with its plain-words label (the label is for readers;
/// replay checks the transition itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    #[serde(flatten)]
    pub t: Transition,
    #[serde(default)]
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
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
    pub steps: Vec<Step>,
    /// How the run ended, in words ("lost work: data1 ends as 1, ...").
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub cycles: u64,
}

/// Why a trace file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("{file}: not a weaksim trace: {msg}")]
    Parse { file: String, msg: String },
    #[error("{file}: trace format '{found}' version {version} is not supported (expected {TRACE_FORMAT} version {TRACE_VERSION})")]
    Version { file: String, found: String, version: u32 },
    #[error("{file}: the program in the trace does not match its fingerprint (edited by hand?)")]
    Fingerprint { file: String },
    #[error("{file}: the trace's program is invalid: {msg}")]
    Program { file: String, msg: String },
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
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| TraceError::Parse {
            file: format!("{file}:{}:{}", e.line(), e.column()),
            msg: e.to_string(),
        })?;
        let found = v.get("format").and_then(|f| f.as_str()).unwrap_or("").to_string();
        let version = v.get("version").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
        if found != TRACE_FORMAT || version != TRACE_VERSION {
            return Err(TraceError::Version { file: file.into(), found, version });
        }
        let t: Trace =
            serde_json::from_value(v).map_err(|e| TraceError::Parse { file: file.into(), msg: e.to_string() })?;
        t.program.validate().map_err(|msg| TraceError::Program { file: file.into(), msg })?;
        if t.program_fingerprint != format!("{:016x}", t.program.fingerprint()) {
            return Err(TraceError::Fingerprint { file: file.into() });
        }
        Ok(t)
    }

    pub fn transitions(&self) -> Vec<Transition> {
        self.steps.iter().map(|s| s.t).collect()
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
        out.push(Step { t, label });
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

/// Writes `text` to `path` atomically: a temporary file in the same folder,
/// then a rename, so a reader (or a kill) finds the old file or the new one,
/// never a torn one.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
