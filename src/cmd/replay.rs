//! `weaksim replay`: replay a saved trace with narration.

use super::{EXIT_OK, EXIT_VIOLATION};
use crate::render::{narrate_to, span_text, state_line};
use anyhow::{bail, Result};
use clap::Args;
use sim::trace::{BareStep, TraceOf};
use sim::{AnyMachine, Trace};
use std::io::Write;
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
    let text = super::read_text(path)?;
    let file = path.display().to_string();
    Ok(Trace::from_json(&text, &file)?)
}

/// A trace without its steps' labels: what replaying needs, 16 bytes a step.
fn load_bare_trace(path: &std::path::Path) -> Result<TraceOf<BareStep>> {
    let text = super::read_text(path)?;
    let file = path.display().to_string();
    Ok(TraceOf::parse(&text, &file)?)
}

pub fn replay_cmd(a: &ReplayArgs) -> Result<u8> {
    let tr = load_bare_trace(&a.file)?;
    let model = sim::models::get(&tr.model).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let start = model
        .machine(Arc::new(tr.program.clone()))
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?
        .with_promise_mode(tr.promise_mode);
    go(a, &tr, start)
}

/// The machine a trace starts from: its program under its model, promises offered as it says.
pub fn trace_machine(tr: &Trace, file: &std::path::Path) -> Result<AnyMachine> {
    let model = sim::models::get(&tr.model).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let m = model.machine(Arc::new(tr.program.clone())).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(m.with_promise_mode(tr.promise_mode))
}

fn go(a: &ReplayArgs, tr: &TraceOf<BareStep>, start: AnyMachine) -> Result<u8> {
    let schedule = || tr.steps.iter().map(|s| s.t);
    // Check every step first: a trace that does not fit is bad input, not a result.
    let mut m = start.clone();
    for (i, t) in schedule().enumerate() {
        if let Err(e) = m.apply(t) {
            bail!("{}: step {}: {e} (is the trace from another program or model?)", a.file.display(), i + 1);
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let cannot = |e: std::io::Error| anyhow::anyhow!("cannot write to standard output: {e}");
    if !a.quiet {
        writeln!(
            out,
            "Replaying {} on {} ({} steps, scheduler {}{})",
            tr.program.name,
            start.model().title(),
            tr.steps.len(),
            tr.scheduler,
            tr.seed.map(|s| format!(", seed {s}")).unwrap_or_default()
        )
        .map_err(cannot)?;
        writeln!(out, "      {}", state_line(&start)).map_err(cannot)?;
        // Step by step, straight to the output: a long trace is never held as text.
        let steps = tr.steps.iter().map(|s| (s.t, s.cycle));
        let (_, tl) = narrate_to(&start, steps, true, true, &mut out).map_err(cannot)?;
        if !tl.spans().is_empty() {
            writeln!(out, "Store buffer timeline (when each store entered its buffer and became visible):")
                .map_err(cannot)?;
            for s in tl.spans() {
                writeln!(out, "  {}", span_text(&m, s)).map_err(cannot)?;
            }
        }
    }
    let enabled = m.enabled();
    if !a.quiet {
        write!(out, "{}", final_summary(&m)).map_err(cannot)?;
    }
    let (line, code) = match m.violation(enabled.is_empty()) {
        Some(v) => (format!("Outcome: {v}"), EXIT_VIOLATION),
        None if m.quiescent() => ("Outcome: quiescent, no invariant violated".to_string(), EXIT_OK),
        None => (
            format!("Outcome: the trace ends before quiescence ({} transition(s) still enabled)", enabled.len()),
            EXIT_OK,
        ),
    };
    writeln!(out, "{line}").and_then(|_| out.flush()).map_err(cannot)?;
    Ok(code)
}

/// Where the trace leaves the machine: each core's registers that are not 0
/// (by their alias when they have one) and the memory; with a condition, the
/// locations it observes and whether its expression holds.
pub fn final_summary(m: &AnyMachine) -> String {
    use std::fmt::Write;
    let p = m.prog();
    let mut out = String::from("Final registers:");
    for c in 0..m.num_cores() {
        let regs: Vec<String> = m
            .program_regs(c)
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0)
            .map(|(r, &v)| format!("{}={}", p.reg_name(r as isa::Reg), sim::narrate::value_text(p, v)))
            .collect();
        let regs = if regs.is_empty() { "all 0".to_string() } else { regs.join(" ") };
        let _ = write!(out, "{}core {c}: {regs}", if c == 0 { " " } else { "; " });
    }
    out.push('\n');
    let mem: Vec<String> = (0..p.symbols.len())
        .map(|l| format!("{}={}", p.sym_name(l as u16), sim::narrate::value_text(p, m.memory(l))))
        .collect();
    let _ = writeln!(out, "Final memory: {}", mem.join(" "));
    if let (Some(c), Some(holds)) = (&p.condition, m.condition_holds()) {
        let fs = m.final_state();
        let _ = writeln!(
            out,
            "Condition: {} — {} in this final state ({})",
            isa::cond::condition_text(p, c),
            if holds { "its expression holds" } else { "its expression does not hold" },
            m.final_state_text(&fs)
        );
    }
    out
}
