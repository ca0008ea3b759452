//! `weaksim explore --engine graph`: the search over execution graphs
//! (`sim::engine`), checked against the model's axioms.

use super::explore::{report, ExploreArgs, Found};
use crate::target::Target;
use anyhow::Result;
use serde_json::json;
use sim::engine::{explore, GraphConfig};
use sim::graph::{Execution, Kind};
use sim::Model;
use std::sync::Arc;
use std::time::Instant;

pub fn go(a: &ExploreArgs, model: &Model, save_trace: Option<&std::path::Path>, t: &Target) -> Result<u8> {
    let axioms = model.axioms()?;
    let prog = Arc::new(t.program.clone());
    let is_file = t.irq_work.is_none();
    let max_memory = a.max_memory.unwrap_or(GraphConfig::default().max_memory);
    let cfg = GraphConfig {
        max_nodes: a.max_states,
        stop_on_violation: !is_file,
        max_memory,
        timeout: a.timeout,
        threads: a.threads,
        ..GraphConfig::default()
    };
    let t0 = Instant::now();
    let r = super::progress::with_progress_of(model.name(), "search nodes", |c| {
        explore(&prog, axioms, &GraphConfig { control: Some(c), ..cfg.clone() })
    })?;
    let elapsed_ms = t0.elapsed().as_secs_f64() * 1000.0;
    // The machine every front end steps: the engine's executions become its
    // schedules, found under the same bounds (what is left of the time).
    let start = model.machine(prog.clone())?;
    let left = a.timeout.map(|t| t.saturating_sub(t0.elapsed()));
    let budget = sim::budget::Budget::new(left, max_memory, 0, None);
    let mut mode = None;
    let mut to_schedule = |exe: &Execution| -> Result<Vec<sim::Transition>, String> {
        let (s, m) = start.schedule_of(exe, a.max_states, Some(&budget)).map_err(|e| e.to_string())?;
        mode = Some(m);
        Ok(s)
    };
    let forall = prog.condition.as_ref().is_some_and(|c| c.quant == isa::Quantifier::Forall);
    let violation = r.violation.as_ref().map(|(v, exe)| (v.clone(), to_schedule(exe)));
    let witness = if violation.is_none() && is_file {
        r.finals.values().find(|(h, _)| *h != forall).map(|(_, exe)| to_schedule(exe))
    } else {
        None
    };
    let unscheduled = matches!(violation, Some((_, Err(_)))) || matches!(witness, Some(Err(_)));
    let start = match mode {
        Some(m) => start.with_promise_mode(m),
        None => start,
    };
    let mut stats = serde_json::Map::new();
    stats.insert("nodes".into(), json!(r.nodes));
    stats.insert("executions".into(), json!(r.executions));
    stats.insert("rounds".into(), json!(r.rounds));
    stats.insert("elapsed_ms".into(), json!((elapsed_ms * 1000.0).round() / 1000.0));
    let found = Found {
        verdict: r.verdict,
        finals: r.finals.iter().map(|(fs, (h, _))| (fs.clone(), *h)).collect(),
        witness,
        violation,
        bound: r.bound.clone(),
        never_quiesces: false,
        stats,
        title: format!("{} on {} (graph engine, {})", t.title, model.title(), model.info().axioms),
        summary: format!(
            "{} consistent executions, {} search nodes, {} round(s), {:.1} ms",
            r.executions, r.nodes, r.rounds, elapsed_ms
        ),
        shortest: false,
    };
    let code = report(a, save_trace, t, model, &start, found)?;
    // Without a schedule, the execution itself is the evidence.
    if a.format == super::Format::Text && unscheduled {
        let exe = match &r.violation {
            Some((_, exe)) => Some(exe),
            None if is_file => r.finals.values().find(|(h, _)| *h != forall).map(|(_, e)| e),
            None => None,
        };
        if let Some(exe) = exe {
            println!("\nThe execution (events in program order, each read with the write it reads):");
            print!("{}", execution_text(exe));
        }
    }
    Ok(code)
}

/// Each core's events in program order, each read with the write it reads from.
pub fn execution_text(exe: &Execution) -> String {
    let mut out = String::new();
    for c in 0..exe.ncores {
        out.push_str(&format!("  core {c}:\n"));
        for e in exe.po_of(c) {
            let ev = &exe.events[e];
            let from = match (ev.kind, exe.rf.get(e).copied().flatten()) {
                (Kind::Read, Some(w)) => format!("   (reads {})", exe.describe(w)),
                _ => String::new(),
            };
            out.push_str(&format!("    {:<28} {}{from}\n", exe.label(e), ev.text));
        }
    }
    out
}
