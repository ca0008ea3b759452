//! `weaksim litmus`: run herd7 `.litmus` tests under a model and print herd's
//! result block (or JSON lines), so the output diffs against herd7's. With a
//! list of models (`--model lkmm,sc,tso,arm`, `all`), one line per model.
//!
//! A Linux-kernel C test runs under each model lowered as the model says
//! (`ModelInfo::c_mapping`): LKMM (axiomatic only) with its annotations, `sc`
//! and `tso` the x86 compilation, `arm` the arm64 one. Without `--witness` a C
//! test goes to the fastest exact engine (the model's axiomatic enumeration
//! when it answers, else exhaustive search), which also applies herd's `filter`.

use super::{EXIT_BAD_INPUT, EXIT_BOUNDED, EXIT_OK};
use crate::render::narrate;
use clap::Args;
use isa::litmus::LitmusTest;
use rayon::prelude::*;
use serde_json::json;
use sim::{AnyMachine, Model};
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct LitmusArgs {
    /// Memory model (any test runs under any operational model; lkmm runs C tests),
    /// or a comma-separated list (`lkmm,sc,tso,arm`) or `all`: one line per model
    #[arg(long, default_value = "tso", value_parser = super::models::ModelsParser)]
    pub model: super::models::Models,
    /// Output: text (herd7's block) or json (one object per file and line)
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
    /// For an allowed condition, also print a shortest schedule that reaches it, and
    /// why its outcome is not sequentially consistent (the cycle, in words)
    #[arg(long)]
    pub witness: bool,
    /// Stop a test's search after this many states (its result is then marked bounded)
    #[arg(long, default_value_t = 20_000_000)]
    pub max_states: u64,
    /// Worker threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// The .litmus files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// How a file went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Ran to a verdict.
    Ran,
    /// A search bound stopped it: no verdict.
    Bounded,
    /// Could not run (unreadable, does not parse, unsupported, faulted).
    Error,
}

/// The result for one file: its printed text or JSON line, and how it went.
/// With several models (`table`), a model that cannot run the test (no mapping
/// for a primitive) has its own line among the others: the text goes to
/// standard output and the file still counts as failed.
struct FileResult {
    out: String,
    status: Status,
    table: bool,
}

pub fn litmus_cmd(a: &LitmusArgs) -> anyhow::Result<u8> {
    super::check_threads(a.threads.unwrap_or(0))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?;
    let results: Vec<FileResult> = pool.install(|| a.files.par_iter().map(|f| one_file(a, f)).collect());
    let (mut failed, mut bounded) = (false, false);
    for r in results {
        bounded |= r.status == Status::Bounded;
        if r.status == Status::Error && !r.table {
            failed = true;
            if a.format == super::Format::Json {
                println!("{}", r.out);
            } else {
                eprintln!("weaksim: {}", r.out);
            }
        } else {
            failed |= r.status == Status::Error;
            print!("{}", r.out);
        }
    }
    Ok(if failed {
        EXIT_BAD_INPUT
    } else if bounded {
        EXIT_BOUNDED
    } else {
        EXIT_OK
    })
}

fn one_file(a: &LitmusArgs, path: &PathBuf) -> FileResult {
    let file = path.display().to_string();
    let fail = |msg: String| FileResult {
        out: if a.format == super::Format::Json { json!({"file": file, "error": msg}).to_string() } else { msg },
        status: Status::Error,
        table: false,
    };
    let text = match sim::files::read_text(path) {
        Err(e) => return fail(e.to_string()),
        Ok(t) => t,
    };
    let models = &a.model.0;
    let several = models.len() > 1;
    let text_out = a.format == super::Format::Text;
    let mut out = String::new();
    let mut status = Status::Ran;
    if several && text_out {
        let _ = writeln!(out, "{file}");
    }
    for model in models {
        let test = match isa::litmus::parse_with(&text, &file, model.info().c_mapping) {
            Ok(t) => t,
            Err(e) if several && e.msg.starts_with("unsupported on ") => {
                status = Status::Error;
                out.push_str(&cannot_run_line(a, &file, model, &e.to_string()));
                continue;
            }
            Err(e) => return fail(e.to_string()),
        };
        let r = if several {
            summary_line(a, &file, &test, model)
        } else if !model.is_operational() || (test.arch == isa::litmus::Arch::C && !a.witness) {
            auto_block(a, &file, &test, model)
        } else {
            match model.machine(Arc::new(test.program.clone())) {
                Ok(m) => run_test(a, &file, &test, m),
                Err(e) => Err(format!("{file}: {e}")),
            }
        };
        match r {
            Ok((s, st)) => {
                out.push_str(&s);
                if status != Status::Error && st != Status::Ran {
                    status = st;
                }
            }
            Err(e) if several => {
                status = Status::Error;
                out.push_str(&cannot_run_line(a, &file, model, &e));
            }
            Err(e) => return fail(e),
        }
    }
    if several && text_out {
        out.push('\n');
    }
    FileResult { out, status, table: several }
}

/// The line of a multi-model run for a model that cannot run the test.
fn cannot_run_line(a: &LitmusArgs, file: &str, model: &Model, why: &str) -> String {
    if a.format == super::Format::Json {
        return format!("{}\n", json!({"file": file, "model": model.name(), "error": why}));
    }
    format!("  {:<5} cannot run: {why}\n", model.name())
}

/// The JSON object for one test under one model.
fn json_line(file: &str, t: &LitmusTest, model: &str, o: &workloads::litmus::Outcomes, ms: f64) -> serde_json::Value {
    let mut j = json!({
        "file": file,
        "name": t.name,
        "arch": t.arch.name(),
        "model": model,
        "verdict": if o.bounded.is_some() { "bounded" } else { o.verdict() },
        "states": o.finals.len(),
        "condition_reachable": o.positive > 0,
        "positive": o.positive,
        "negative": o.negative,
        "elapsed_ms": (ms * 1000.0).round() / 1000.0,
    });
    if let Some(b) = &o.bounded {
        j["bounded"] = json!(b);
    }
    if let Some(p) = &o.problem {
        j["problem"] = json!(p);
    }
    j
}

/// Every final state `model` allows for `t` from the fastest exact engine
/// (no witness), with the time in ms; `Err` when the test could not run.
fn auto_outcomes(
    a: &LitmusArgs,
    file: &str,
    t: &LitmusTest,
    model: &Model,
) -> Result<(workloads::litmus::Outcomes, f64), String> {
    let t0 = Instant::now();
    let o = workloads::litmus::outcomes_auto(Arc::new(t.program.clone()), model, a.max_states)
        .map_err(|e| format!("{file}: {e}"))?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    if let Some(e) = workloads::litmus::fault_error(t, file, &o) {
        return Err(e.to_string());
    }
    Ok((o, ms))
}

fn status_of(o: &workloads::litmus::Outcomes) -> Status {
    if o.bounded.is_some() {
        Status::Bounded
    } else {
        Status::Ran
    }
}

/// One line of a multi-model run: the model, herd's verdict word, the number
/// of final states, the time.
fn summary_line(a: &LitmusArgs, file: &str, t: &LitmusTest, model: &Model) -> Result<(String, Status), String> {
    let (o, ms) = auto_outcomes(a, file, t, model)?;
    if a.format == super::Format::Json {
        return Ok((format!("{}\n", json_line(file, t, model.name(), &o, ms)), status_of(&o)));
    }
    let verdict = if o.bounded.is_some() { "bounded" } else { o.verdict() };
    let note = o.bounded.as_ref().map(|b| format!("  ({b})")).unwrap_or_default();
    let line =
        format!("  {:<5} {verdict:<9} {:>5} states  {:>8.3} s{note}\n", model.name(), o.finals.len(), ms / 1000.0);
    Ok((line, status_of(&o)))
}

/// herd's block (or a JSON line) from the fastest exact engine, without a witness.
fn auto_block(a: &LitmusArgs, file: &str, t: &LitmusTest, model: &Model) -> Result<(String, Status), String> {
    let (o, ms) = auto_outcomes(a, file, t, model)?;
    if a.format == super::Format::Json {
        return Ok((format!("{}\n", json_line(file, t, model.name(), &o, ms)), status_of(&o)));
    }
    let mut s = workloads::litmus::herd_block(t, &o, ms / 1000.0);
    if let Some(b) = &o.bounded {
        let _ = writeln!(s, "Bounded: {b}: no verdict (the states listed are those found before the bound)");
    }
    s.push('\n');
    Ok((s, status_of(&o)))
}

/// Runs one test by exhaustive search; `Err` when it could not run (it faulted).
fn run_test(a: &LitmusArgs, file: &str, t: &LitmusTest, m: AnyMachine) -> Result<(String, Status), String> {
    let t0 = Instant::now();
    let o = workloads::litmus::outcomes(&*m, a.max_states);
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    if let Some(e) = workloads::litmus::fault_error(t, file, &o) {
        return Err(e.to_string());
    }
    let status = status_of(&o);
    // The witness replays in the search's promise mode.
    let m = m.with_promise_mode(o.promise_mode);
    if a.format == super::Format::Json {
        let mut j = json_line(file, t, m.info().name, &o, ms);
        if a.witness {
            j["witness"] = json!(o.witness.as_ref().map(|w| m.make_trace(w, "exhaustive", None)));
        }
        return Ok((format!("{j}\n"), status));
    }
    let mut s = workloads::litmus::herd_block(t, &o, ms / 1000.0);
    if let Some(b) = &o.bounded {
        let _ = writeln!(s, "Bounded: {b}: no verdict (the states listed are those found before the bound)");
    }
    if a.witness {
        match &o.witness {
            Some(w) => {
                let _ = writeln!(s, "Witness ({} steps, shortest):", w.len());
                let (text, _) = narrate(&m, w, true);
                s.push_str(&text);
                match super::explain::explanation(&m, w, &t.name, false) {
                    Ok((why, _)) => {
                        s.push('\n');
                        s.push_str(&why);
                    }
                    Err(e) => {
                        let _ = writeln!(s, "(no explanation: {e})");
                    }
                }
            }
            None => {
                let _ = writeln!(s, "Witness: none (no final state satisfies the condition)");
            }
        }
    }
    s.push('\n');
    Ok((s, status))
}
