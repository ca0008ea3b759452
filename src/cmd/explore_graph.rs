//! `weaksim explore --engine graph`: the search over execution graphs
//! (`sim::engine`), checked against the model's axioms.

use super::explore::ExploreArgs;
use super::{EXIT_BOUNDED, EXIT_OK, EXIT_VIOLATION};
use crate::target::Target;
use anyhow::Result;
use serde_json::json;
use sim::engine::{explore, GraphConfig};
use sim::graph::{Execution, Kind};
use sim::{Model, Verdict};
use std::sync::Arc;
use std::time::Instant;

pub fn go(a: &ExploreArgs, model: &Model, t: &Target) -> Result<u8> {
    if a.save_trace.is_some() || a.explain {
        anyhow::bail!(
            "--engine graph gives an execution, not yet a schedule: use --engine ops for --save-trace and --explain"
        );
    }
    let axioms = model.axioms()?;
    let prog = Arc::new(t.program.clone());
    let is_file = t.irq_work.is_none();
    let cfg = GraphConfig { max_nodes: a.max_states, stop_on_violation: !is_file, ..GraphConfig::default() };
    let t0 = Instant::now();
    let r = explore(&prog, axioms, &cfg)?;
    let elapsed_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let positive = r.finals.values().filter(|(h, _)| *h).count();
    let can_hold = if is_file { positive > 0 || r.violation.is_some() } else { r.violation.is_some() };
    let code = match r.verdict {
        Verdict::Bounded if r.violation.is_none() => EXIT_BOUNDED,
        _ if can_hold => EXIT_VIOLATION,
        _ => EXIT_OK,
    };
    if a.format == super::Format::Json {
        let mut o = json!({
            "workload": if is_file { a.target.target.clone() } else { "irq_work".to_string() },
            "variant": t.irq_work.as_ref().map(|c| c.variant.name()),
            "model": model.name(),
            "engine": "graph",
            "cores": prog.num_cores(),
            "verdict": r.verdict.name(),
            "nodes": r.nodes,
            "executions": r.executions,
            "rounds": r.rounds,
            "elapsed_ms": (elapsed_ms * 1000.0).round() / 1000.0,
            "violation": r.violation.as_ref().map(|(v, _)| v.to_string()),
        });
        if is_file {
            o["final_states"] = json!(r.finals.len());
            o["positive"] = json!(positive);
            o["condition_reachable"] = json!(positive > 0);
            let finals: Vec<String> = r.finals.keys().map(|f| sim::check::final_state_text(&prog, f)).collect();
            o["finals"] = json!(finals);
        }
        if let Some(b) = &r.bound {
            o["bound"] = json!(b);
        }
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }
    let headline = match (&prog.condition, r.verdict) {
        (_, Verdict::Violation) => "VIOLATION".to_string(),
        (_, Verdict::Bounded) => "BOUNDED (inconclusive)".to_string(),
        (Some(c), _) if is_file => format!(
            "condition {} ({})",
            if positive > 0 { "REACHABLE" } else { "NOT REACHABLE" },
            isa::cond::condition_text(&prog, c)
        ),
        _ => r.verdict.name().to_uppercase(),
    };
    println!("{} on {} (graph engine, {}): {headline}", t.title, model.title(), model.info().axioms);
    println!(
        "  {} consistent executions, {} search nodes, {} round(s), {:.1} ms",
        r.executions, r.nodes, r.rounds, elapsed_ms
    );
    if let Some(b) = &r.bound {
        println!("  inconclusive: {b}");
    }
    if is_file {
        println!("  {} final state(s):", r.finals.len());
        for (fs, (holds, _)) in &r.finals {
            println!("    {}{}", sim::check::final_state_text(&prog, fs), if *holds { "   <- condition" } else { "" });
        }
    }
    if let Some((v, exe)) = &r.violation {
        println!("\n{v}\n\nThe execution:");
        print!("{}", execution_text(exe));
    } else if let (Some((_, exe)), true) = (r.finals.values().find(|(h, _)| *h), is_file) {
        println!("\nAn execution reaching the condition:");
        print!("{}", execution_text(exe));
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
