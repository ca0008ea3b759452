//! `weaksim replay`: replay a saved trace with narration.

use super::{EXIT_OK, EXIT_VIOLATION};
use crate::render::{narrate, state_line};
use anyhow::{bail, Context, Result};
use clap::Args;
use sim::{AnyMachine, Trace};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A trace written by --save-trace
    pub file: std::path::PathBuf,
    /// Print only the outcome
    #[arg(long)]
    pub quiet: bool,
}

pub fn load_trace(path: &std::path::Path) -> Result<Trace> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = path.display().to_string();
    let Ok(text) = String::from_utf8(bytes) else { bail!("{file}:1:1: the file is not valid UTF-8 text") };
    Ok(Trace::from_json(&text, &file)?)
}

pub fn replay_cmd(a: &ReplayArgs) -> Result<u8> {
    let tr = load_trace(&a.file)?;
    let start = trace_machine(&tr, &a.file)?;
    go(a, &tr, start)
}

/// The machine a trace starts from: its program under its model, promises offered as it says.
pub fn trace_machine(tr: &Trace, file: &std::path::Path) -> Result<AnyMachine> {
    let model = sim::models::get(&tr.model).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let m = model.machine(Arc::new(tr.program.clone())).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(m.with_promise_mode(tr.promise_mode))
}

fn go(a: &ReplayArgs, tr: &Trace, start: AnyMachine) -> Result<u8> {
    let schedule = tr.transitions();
    // Check every step first: a trace that does not fit is bad input, not a result.
    let mut m = start.clone();
    for (i, &t) in schedule.iter().enumerate() {
        if let Err(e) = m.apply(t) {
            bail!("{}: step {}: {e} (is the trace from another program or model?)", a.file.display(), i + 1);
        }
    }
    if !a.quiet {
        println!(
            "Replaying {} on {} ({} steps, scheduler {}{})",
            tr.program.name,
            start.model().title(),
            schedule.len(),
            tr.scheduler,
            tr.seed.map(|s| format!(", seed {s}")).unwrap_or_default()
        );
        println!("      {}", state_line(&start));
        let (text, _) = narrate(&start, &schedule, true);
        print!("{text}");
    }
    let enabled = m.enabled();
    match m.violation(enabled.is_empty()) {
        Some(v) => {
            println!("Outcome: {v}");
            Ok(EXIT_VIOLATION)
        }
        None if m.quiescent() => {
            println!("Outcome: quiescent, no invariant violated");
            Ok(EXIT_OK)
        }
        None => {
            println!("Outcome: the trace ends before quiescence ({} transition(s) still enabled)", enabled.len());
            Ok(EXIT_OK)
        }
    }
}
