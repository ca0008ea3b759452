//! `weaksim explore`: exhaustive search.

use super::{write_atomic, EXIT_BOUNDED, EXIT_OK, EXIT_VIOLATION};
use crate::render::narrate;
use crate::target::{Target, TargetArgs};
use anyhow::Result;
use clap::Args;
use serde_json::json;
use sim::{AnyMachine, ExploreConfig, Model, Verdict};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Memory model, or a comma-separated list (`sc,tso,arm`) or `all` (every operational model): one result per
    /// model; with several, --save-trace FILE.json writes FILE.MODEL.json
    #[arg(long, default_value = "tso", value_parser = super::models::ModelsParser)]
    pub model: super::models::Models,
    /// Stop with verdict `bounded` (exit 3) after this many distinct states
    #[arg(long, default_value_t = 50_000_000)]
    pub max_states: u64,
    /// Stop with verdict `bounded` (exit 3) when the search would use more than this many MiB
    #[arg(long, default_value_t = 8192)]
    pub max_memory: u64,
    /// Worker threads (0: all cores); the answer is the same for any count. More
    /// than one pays off on searches of millions of states
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Output: text or json
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
    /// Save the counterexample (or, for a file, a witness of the condition) as a trace
    #[arg(long)]
    pub save_trace: Option<std::path::PathBuf>,
    /// After the counterexample (or witness), explain why it is not sequentially consistent (the cycle, in words)
    #[arg(long)]
    pub explain: bool,
}

pub fn explore_cmd(a: &ExploreArgs) -> Result<u8> {
    super::check_threads(a.threads)?;
    let models = &a.model.runnable();
    let mut codes = Vec::new();
    for (i, model) in models.iter().enumerate() {
        if i > 0 && a.format == super::Format::Text {
            println!();
        }
        let one =
            One { model, save_trace: super::models::per_model_path(a.save_trace.as_deref(), model, models.len()) };
        codes.push(explore_one(a, &one)?);
    }
    Ok(super::models::combine_exit_codes(&codes))
}

/// One model of the list, and where its trace goes.
struct One<'a> {
    model: &'a Model,
    save_trace: Option<std::path::PathBuf>,
}

fn explore_one(a: &ExploreArgs, one: &One) -> Result<u8> {
    if let Some(p) = &one.save_trace {
        super::check_not_input("--save-trace", p, [std::path::Path::new(&a.target.target)])?;
    }
    let t = a.target.resolve_for(one.model.info().c_mapping)?;
    if !one.model.is_operational() {
        return go_axiomatic(a, one, &t);
    }
    let start = one.model.machine(Arc::new(t.program.clone()))?;
    go(a, one, &t, start)
}

/// A model with only an axiomatic face (LKMM): every final state its axioms
/// allow, from its enumeration of candidate executions. There is no schedule
/// to save or explain.
fn go_axiomatic(a: &ExploreArgs, one: &One, t: &Target) -> Result<u8> {
    if one.save_trace.is_some() || a.explain {
        anyhow::bail!(
            "model {} is axiomatic only: it has no schedule to save or explain (use an operational model)",
            one.model.name()
        );
    }
    let prog = Arc::new(t.program.clone());
    let t0 = Instant::now();
    let o = one.model.axiomatic_outcomes(&prog, &sim::axiom::enumerate::EnumConfig::default())?;
    let elapsed_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let (_, pos, neg) = super::models::verdict(&prog, &o);
    let reachable = pos > 0;
    if a.format == super::Format::Json {
        let finals: Vec<serde_json::Value> = o
            .finals
            .iter()
            .map(|(f, holds)| json!({"state": super::models::state_text(&prog, f), "condition": holds}))
            .collect();
        let j = json!({
            "workload": a.target.target,
            "model": one.model.name(),
            "verdict": if reachable { "reachable" } else { "unreachable" },
            "condition_reachable": reachable,
            "final_states": o.finals.len(),
            "finals": finals,
            "positive": pos,
            "negative": neg,
            "candidates": o.candidates,
            "consistent": o.consistent,
            "elapsed_ms": (elapsed_ms * 1000.0).round() / 1000.0,
        });
        println!("{}", serde_json::to_string(&j)?);
    } else {
        let headline = match &t.program.condition {
            Some(c) => format!(
                "condition {} ({})",
                if reachable { "REACHABLE" } else { "NOT REACHABLE" },
                isa::cond::condition_text(&prog, c)
            ),
            None => "no condition".to_string(),
        };
        println!("{} on {} ({}, axiomatic): {headline}", t.title, one.model.title(), one.model.info().axioms);
        println!(
            "  {} candidate executions, {} consistent, {} final states, {:.1} ms",
            o.candidates,
            o.consistent,
            o.finals.len(),
            elapsed_ms
        );
        for f in o.finals.keys() {
            println!("  {}", super::models::state_text(&prog, f));
        }
        println!("  {pos} of {} final states satisfy the condition", pos + neg);
    }
    Ok(if reachable { EXIT_VIOLATION } else { EXIT_OK })
}

fn go(a: &ExploreArgs, one: &One, t: &Target, start: AnyMachine) -> Result<u8> {
    let is_file = t.irq_work.is_none();
    let cfg = ExploreConfig {
        max_states: a.max_states,
        max_memory: a.max_memory.saturating_mul(1 << 20),
        stop_on_violation: !is_file,
        reduce: true,
        threads: a.threads,
        ..ExploreConfig::default()
    };
    let t0 = Instant::now();
    let r = start.explore(&cfg);
    // The schedules found replay in the search's promise mode.
    let start = start.with_promise_mode(r.promise_mode);
    let elapsed_ms = t0.elapsed().as_secs_f64() * 1000.0;

    // The schedule worth saving: the counterexample, or a witness of the file's condition.
    let witness = r.finals.values().find(|f| f.holds).map(|f| f.schedule.clone());
    let positive = r.finals.values().filter(|f| f.holds).count();
    let (schedule, outcome) = match (&r.violation, &witness) {
        (Some((v, s)), _) => (Some(s.clone()), Some(v.to_string())),
        (None, Some(s)) if is_file => (Some(s.clone()), Some("the condition's outcome is reachable".to_string())),
        _ => (None, None),
    };
    let trace = schedule.as_ref().map(|s| {
        let mut tr = start.make_trace(s, "exhaustive", None);
        tr.workload = t.irq_work.as_ref().map(|c| json!({"name": "irq_work", "config": c}));
        tr.outcome = outcome.clone();
        tr
    });
    if let (Some(path), Some(tr)) = (&one.save_trace, &trace) {
        write_atomic(path, &tr.to_json())?;
    }
    // Asked to save, nothing to save: say so (on stderr with JSON, so stdout stays one object).
    let mut nothing_msg = None;
    if let (Some(path), None) = (&one.save_trace, &trace) {
        let what = if is_file && t.program.condition.is_some() {
            "the condition is not reachable and nothing went wrong"
        } else {
            "no counterexample"
        };
        nothing_msg = Some(nothing_saved(path, what));
    }
    if let (Some(m), super::Format::Json) = (&nothing_msg, a.format) {
        eprintln!("weaksim: {m}");
    }
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
            "model": one.model.name(),
            "cores": start.num_cores(),
            "verdict": r.verdict.name(),
            "states": r.states,
            "transitions": r.transitions,
            "elapsed_ms": (elapsed_ms * 1000.0).round() / 1000.0,
            "counterexample": r.violation.as_ref().and(trace.as_ref()),
        });
        if is_file {
            // A file's question is its condition: the verdict answers it
            // (unless the run itself went wrong: lost work, a fault, a deadlock).
            if t.program.condition.is_some() && r.violation.is_none() {
                o["verdict"] = json!(match (positive > 0, r.verdict) {
                    (true, _) => "reachable",
                    (false, Verdict::Bounded) => "bounded",
                    (false, _) => "unreachable",
                });
            }
            o["final_states"] = json!(r.finals.len());
            o["finals"] = json!(r
                .finals
                .iter()
                .map(|(fs, info)| json!({"state": start.final_state_text(fs), "condition": info.holds}))
                .collect::<Vec<_>>());
            o["positive"] = json!(positive);
            o["condition_reachable"] = json!(positive > 0);
            o["witness"] = json!(if r.violation.is_none() { trace.as_ref() } else { None });
        }
        if let Some(b) = &r.bound {
            o["bound"] = json!(b);
        }
        if r.terminals == 0 && r.bound.is_none() {
            o["never_quiesces"] = json!(true);
        }
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }

    let headline = match (&t.program.condition, r.verdict) {
        (_, Verdict::Violation) => "VIOLATION".to_string(),
        (_, Verdict::Bounded) => "BOUNDED (inconclusive)".to_string(),
        (Some(c), _) if is_file => format!(
            "condition {} ({})",
            if positive > 0 { "REACHABLE" } else { "NOT REACHABLE" },
            isa::cond::condition_text(&t.program, c)
        ),
        _ => r.verdict.name().to_uppercase(),
    };
    println!("{} on {}: {headline}", t.title, one.model.title());
    println!(
        "  {} states, {} transitions, depth {}, {:.1} ms ({:.2} M states/s)",
        r.states,
        r.transitions,
        r.depth,
        elapsed_ms,
        r.states as f64 / elapsed_ms.max(1e-3) / 1000.0
    );
    if let Some(b) = &r.bound {
        println!("  inconclusive: {b}");
    }
    if r.terminals == 0 && r.bound.is_none() {
        println!("  warning: no execution ever stops (every path loops forever): the program never reaches quiescence");
    }
    if is_file {
        println!("  {} final state(s):", r.finals.len());
        let m0 = &start;
        for (fs, info) in &r.finals {
            println!("    {}{}", m0.final_state_text(fs), if info.holds { "   <- condition" } else { "" });
        }
        if t.program.condition.is_some() {
            // herd's last word on a test: Never, Sometimes or Always, then the counts.
            let neg = r.finals.len() - positive;
            let obs = match (r.verdict, positive, neg) {
                (Verdict::Bounded, _, _) => "Bounded",
                (_, 0, _) => "Never",
                (_, _, 0) => "Always",
                _ => "Sometimes",
            };
            println!("  Observation {} {obs} {positive} {neg}", t.program.name);
        }
    }
    if let Some((v, s)) = &r.violation {
        println!("\n{v}\n\nShortest counterexample ({} steps):", s.len());
        let (text, _) = narrate(&start, s, true);
        print!("{text}");
        explain_hint(&start, s);
        if a.explain {
            print_explanation(&start, s);
        }
    } else if let (Some(s), true) = (&witness, is_file) {
        println!("\nShortest schedule reaching the condition ({} steps):", s.len());
        let (text, _) = narrate(&start, s, true);
        print!("{text}");
        if a.explain {
            print_explanation(&start, s);
        }
    }
    if let (Some(path), Some(_)) = (&one.save_trace, &trace) {
        println!("\nTrace saved to {} (replay: weaksim replay {})", path.display(), path.display());
    }
    if let Some(m) = &nothing_msg {
        println!("\n{m}");
    }
    Ok(code)
}

/// The sentence for `--save-trace PATH` when there is no trace to save.
pub fn nothing_saved(path: &std::path::Path, why: &str) -> String {
    let kept = if path.exists() { " (the existing file is left as it was)" } else { "" };
    format!("Nothing saved to {}: {why}, so there is no trace to save{kept}.", path.display())
}

/// The explanation of a schedule (`--explain`).
fn print_explanation(start: &AnyMachine, s: &[sim::Transition]) {
    match super::explain::explanation(start, s, "counterexample", false) {
        Ok((text, _)) => println!("\n{text}"),
        Err(e) => println!("\n(no explanation: {e})"),
    }
}

/// One closing line pointing at the replay command.
fn explain_hint(_start: &AnyMachine, _s: &[sim::Transition]) {
    println!("\nSave it with --save-trace FILE and step through it with `weaksim replay FILE` or `weaksim tui --trace FILE`.");
}
