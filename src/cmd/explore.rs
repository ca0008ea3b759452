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
    /// Stop with verdict `bounded` (exit 3) before the process's resident memory passes this:
    /// 200M, 2G, 512MiB (a bare number is MiB). Default: half the memory available to it
    #[arg(long, value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Stop with verdict `bounded` (exit 3) after this long: 30s, 5m, 1h (a bare number is seconds)
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
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
    /// Search engine: `ops` (the operational machine's states, breadth first) or
    /// `graph` (execution graphs checked against the model's axioms; see docs/engine.md)
    #[arg(long, value_enum, default_value_t = Engine::Ops)]
    pub engine: Engine,
}

/// The exhaustive search engines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Breadth-first over the operational machine's states
    Ops,
    /// Over execution graphs, checked against the model's axioms
    Graph,
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
    if a.engine == Engine::Graph {
        return super::explore_graph::go(a, one.model, one.save_trace.as_deref(), &t);
    }
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
    let (holds, pos, neg) = super::models::verdict(&prog, &o);
    let forall = is_forall(&prog);
    // The outcome of interest: a final state satisfying the expression, or for
    // `forall` one that does not (exit 1 when it is reachable).
    let reachable = if forall { neg > 0 } else { pos > 0 };
    if a.format == super::Format::Json {
        let finals: Vec<serde_json::Value> = o
            .finals
            .iter()
            .map(|(f, holds)| json!({"state": super::models::state_text(&prog, f), "condition": holds}))
            .collect();
        let j = json!({
            "workload": a.target.target,
            "model": one.model.name(),
            "verdict": verdict_word(forall, reachable),
            "condition_reachable": pos > 0,
            "condition_holds": holds,
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
            Some(c) => condition_headline(&prog, c, pos, neg),
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
        max_memory: a.max_memory.unwrap_or(ExploreConfig::default().max_memory),
        timeout: a.timeout,
        stop_on_violation: !is_file,
        reduce: true,
        threads: a.threads,
        ..ExploreConfig::default()
    };
    let t0 = Instant::now();
    let r = super::progress::with_progress(one.model.name(), |c| {
        start.explore(&ExploreConfig { control: Some(c), ..cfg.clone() })
    });
    // The schedules found replay in the search's promise mode.
    let start = start.with_promise_mode(r.promise_mode);
    let elapsed_ms = t0.elapsed().as_secs_f64() * 1000.0;
    // `forall P` is witnessed (refuted) by a final state where P fails.
    let forall = is_forall(&t.program);
    let witness = r.finals.values().find(|f| f.holds != forall).map(|f| Ok(f.schedule.clone()));
    let mut stats = serde_json::Map::new();
    stats.insert("states".into(), json!(r.states));
    stats.insert("transitions".into(), json!(r.transitions));
    stats.insert("elapsed_ms".into(), json!((elapsed_ms * 1000.0).round() / 1000.0));
    if let Some(p) = r.peak_memory {
        stats.insert("peak_memory_bytes".into(), json!(p));
    }
    let found = Found {
        verdict: r.verdict,
        finals: r.finals.iter().map(|(fs, f)| (fs.clone(), f.holds)).collect(),
        witness,
        violation: r.violation.as_ref().map(|(v, s)| (v.clone(), Ok(s.clone()))),
        bound: r.bound.clone(),
        never_quiesces: r.terminals == 0 && r.bound.is_none(),
        stats,
        title: format!("{} on {}", t.title, one.model.title()),
        summary: format!(
            "{} states, {} transitions, depth {}, {:.1} ms ({:.2} M states/s)",
            r.states,
            r.transitions,
            r.depth,
            elapsed_ms,
            r.states as f64 / elapsed_ms.max(1e-3) / 1000.0
        ),
        shortest: true,
    };
    report(a, one.save_trace.as_deref(), t, one.model, &start, found)
}

/// What an exhaustive search found, whichever engine ran it: what [`report`] needs.
pub(super) struct Found {
    pub verdict: Verdict,
    /// Every final state reached, and whether the condition's expression holds in it.
    pub finals: Vec<(sim::FinalState, bool)>,
    /// A schedule reaching a final state of interest (the expression's, or for
    /// `forall` one where it fails), or why there is none to give.
    pub witness: Option<Result<Vec<sim::Transition>, String>>,
    /// The violation found and its schedule (or why there is none to give).
    pub violation: Option<(sim::Violation, Result<Vec<sim::Transition>, String>)>,
    pub bound: Option<String>,
    pub never_quiesces: bool,
    /// The engine's own figures, for JSON.
    pub stats: serde_json::Map<String, serde_json::Value>,
    /// "irq_work ... on ARM ...", the text headline's start.
    pub title: String,
    /// The engine's figures in words (the text's second line).
    pub summary: String,
    /// The schedules are shortest ones.
    pub shortest: bool,
}

/// Verdict, exit code, saved trace, JSON and text of an exhaustive search:
/// one path for every engine.
pub(super) fn report(
    a: &ExploreArgs,
    save_trace: Option<&std::path::Path>,
    t: &Target,
    model: &Model,
    start: &AnyMachine,
    f: Found,
) -> Result<u8> {
    let is_file = t.irq_work.is_none();
    let forall = is_forall(&t.program);
    let positive = f.finals.iter().filter(|(_, h)| *h).count();
    let negative = f.finals.len() - positive;
    let interesting = if forall { negative } else { positive };
    let witness = f.witness.as_ref().and_then(|w| w.as_ref().ok());
    // The schedule worth saving: the counterexample, or a witness of the file's condition.
    let (schedule, outcome) = match (&f.violation, witness) {
        (Some((v, Ok(s))), _) => (Some(s.clone()), Some(v.to_string())),
        (Some((_, Err(_))), _) => (None, None),
        (None, Some(s)) if is_file && forall => {
            (Some(s.clone()), Some("a final state where the forall condition fails is reachable".to_string()))
        }
        (None, Some(s)) if is_file => (Some(s.clone()), Some("the condition's outcome is reachable".to_string())),
        _ => (None, None),
    };
    // Why a schedule that exists could not be given.
    let no_schedule = match (&f.violation, &f.witness) {
        (Some((_, Err(e))), _) => Some(e.clone()),
        (None, Some(Err(e))) if is_file => Some(e.clone()),
        _ => None,
    };
    let trace = schedule.as_ref().map(|s| {
        let mut tr = start.make_trace(s, "exhaustive", None);
        tr.workload = t.irq_work.as_ref().map(|c| json!({"name": "irq_work", "config": c}));
        tr.outcome = outcome.clone();
        tr
    });
    if let (Some(path), Some(tr)) = (save_trace, &trace) {
        write_atomic(path, &tr.to_json())?;
    }
    // Asked to save, nothing to save: say so (on stderr with JSON, so stdout stays one object).
    let mut nothing_msg = None;
    if let (Some(path), None) = (save_trace, &trace) {
        let what = if let Some(e) = &no_schedule {
            format!("the engine found an execution but no machine schedule for it ({e})")
        } else if is_file && forall {
            "the condition holds in every final state and nothing went wrong".to_string()
        } else if is_file && t.program.condition.is_some() {
            "the condition is not reachable and nothing went wrong".to_string()
        } else {
            "no counterexample".to_string()
        };
        nothing_msg = Some(nothing_saved(path, &what));
    }
    if let (Some(m), super::Format::Json) = (&nothing_msg, a.format) {
        eprintln!("weaksim: {m}");
    }
    let can_hold = if is_file { interesting > 0 || f.violation.is_some() } else { f.violation.is_some() };
    let code = match f.verdict {
        Verdict::Bounded if f.violation.is_none() => EXIT_BOUNDED,
        _ if can_hold => EXIT_VIOLATION,
        _ => EXIT_OK,
    };

    if a.format == super::Format::Json {
        let mut o = json!({
            "workload": if is_file { a.target.target.clone() } else { "irq_work".to_string() },
            "variant": t.irq_work.as_ref().map(|c| c.variant.name()),
            "model": model.name(),
            "engine": match a.engine { Engine::Ops => "ops", Engine::Graph => "graph" },
            "cores": start.num_cores(),
            "verdict": f.verdict.name(),
            "counterexample": f.violation.as_ref().and(trace.as_ref()),
        });
        for (k, v) in &f.stats {
            o[k] = v.clone();
        }
        if let Some((v, _)) = &f.violation {
            o["violation"] = json!(v.to_string());
        }
        if let Some(e) = &no_schedule {
            o["no_schedule"] = json!(e);
        }
        if is_file {
            // A file's question is its condition: the verdict answers it
            // (unless the run itself went wrong: lost work, a fault, a deadlock).
            if t.program.condition.is_some() && f.violation.is_none() {
                o["verdict"] = json!(match (interesting > 0, f.verdict) {
                    (false, Verdict::Bounded) => "bounded",
                    (found, _) => verdict_word(forall, found),
                });
            }
            o["final_states"] = json!(f.finals.len());
            o["finals"] = json!(f
                .finals
                .iter()
                .map(|(fs, holds)| json!({"state": start.final_state_text(fs), "condition": holds}))
                .collect::<Vec<_>>());
            o["positive"] = json!(positive);
            o["condition_reachable"] = json!(positive > 0);
            if let (Some(c), Verdict::Safe | Verdict::Violation) = (&t.program.condition, f.verdict) {
                o["condition_holds"] = json!(c.verdict(positive, negative));
            }
            o["witness"] = json!(if f.violation.is_none() { trace.as_ref() } else { None });
        }
        if let Some(b) = &f.bound {
            o["bound"] = json!(b);
        }
        if f.never_quiesces {
            o["never_quiesces"] = json!(true);
        }
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }

    let headline = match (&t.program.condition, f.verdict) {
        (_, Verdict::Violation) => "VIOLATION".to_string(),
        (_, Verdict::Bounded) => "BOUNDED (inconclusive)".to_string(),
        (Some(c), _) if is_file => condition_headline(&t.program, c, positive, negative),
        _ => f.verdict.name().to_uppercase(),
    };
    println!("{}: {headline}", f.title);
    println!("  {}", f.summary);
    if let Some(b) = &f.bound {
        println!("  inconclusive: {b}");
    }
    if f.never_quiesces {
        println!("  warning: no execution ever stops (every path loops forever): the program never reaches quiescence");
    }
    if is_file {
        println!("  {} final state(s):", f.finals.len());
        for (fs, holds) in &f.finals {
            let mark = match (forall, *holds) {
                (false, true) => "   <- condition",
                (true, false) => "   <- fails the condition",
                _ => "",
            };
            println!("    {}{mark}", start.final_state_text(fs));
        }
        if t.program.condition.is_some() {
            // herd's last word on a test: Never, Sometimes or Always, then the counts.
            let obs = match (f.verdict, positive, negative) {
                (Verdict::Bounded, _, _) => "Bounded",
                (_, 0, _) => "Never",
                (_, _, 0) => "Always",
                _ => "Sometimes",
            };
            println!("  Observation {} {obs} {positive} {negative}", t.program.name);
        }
    }
    let kind = if f.shortest { "Shortest counterexample" } else { "Counterexample" };
    if let Some((v, s)) = &f.violation {
        println!("\n{v}");
        if let Ok(s) = s {
            println!("\n{kind} ({} steps):", s.len());
            let (text, _) = narrate(start, s, true);
            print!("{text}");
            explain_hint(start, s);
            if a.explain {
                print_explanation(start, s);
            }
        }
    } else if let (Some(s), true) = (witness, is_file) {
        let what = if forall { "a final state where the condition fails" } else { "the condition" };
        let kind = if f.shortest { "Shortest schedule" } else { "A schedule" };
        println!("\n{kind} reaching {what} ({} steps):", s.len());
        let (text, _) = narrate(start, s, true);
        print!("{text}");
        if a.explain {
            print_explanation(start, s);
        }
    }
    if let Some(e) = &no_schedule {
        println!("\n(no machine schedule for it: {e})");
    }
    if let (Some(path), Some(_)) = (save_trace, &trace) {
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

/// The file's condition is a `forall`.
fn is_forall(p: &isa::Program) -> bool {
    p.condition.as_ref().is_some_and(|c| c.quant == isa::Quantifier::Forall)
}

/// The JSON verdict of a complete search of a file with a condition: whether
/// the outcome of interest was found (the expression's, or for `forall` a
/// final state where it fails).
fn verdict_word(forall: bool, found: bool) -> &'static str {
    match (forall, found) {
        (false, true) => "reachable",
        (false, false) => "unreachable",
        (true, true) => "fails",
        (true, false) => "holds",
    }
}

/// The headline of a complete search of a file with a condition: for `exists`
/// and `~exists`, whether the expression's outcome is reachable; for `forall`,
/// whether it holds in every final state (as `litmus` decides it).
fn condition_headline(p: &isa::Program, c: &isa::Condition, positive: usize, negative: usize) -> String {
    let text = isa::cond::condition_text(p, c);
    if c.quant == isa::Quantifier::Forall {
        if negative == 0 {
            format!("condition HOLDS in every final state ({text})")
        } else {
            format!("condition FAILS in {negative} final state(s) ({text})")
        }
    } else {
        format!("condition {} ({text})", if positive > 0 { "REACHABLE" } else { "NOT REACHABLE" })
    }
}

/// `--max-memory`: a size such as 200M or 2G.
pub fn parse_size(s: &str) -> Result<u64, sim::budget::BudgetError> {
    sim::budget::parse_size(s)
}

/// `--timeout`: a duration such as 30s or 5m.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, sim::budget::BudgetError> {
    sim::budget::parse_duration(s)
}
