//! `weaksim litmus`: run herd7 `.litmus` tests under a model and print herd's
//! result block (or JSON lines), so the output diffs against herd7's.

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
    /// Memory model (any test runs under any model)
    #[arg(long, default_value = "tso", value_parser = super::ModelParser)]
    pub model: Model,
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
struct FileResult {
    out: String,
    status: Status,
}

pub fn litmus_cmd(a: &LitmusArgs) -> anyhow::Result<u8> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(a.threads.unwrap_or(0)).build()?;
    let results: Vec<FileResult> = pool.install(|| a.files.par_iter().map(|f| one_file(a, f)).collect());
    let (mut failed, mut bounded) = (false, false);
    for r in results {
        bounded |= r.status == Status::Bounded;
        if r.status == Status::Error {
            failed = true;
            if a.format == super::Format::Json {
                println!("{}", r.out);
            } else {
                eprintln!("weaksim: {}", r.out);
            }
        } else {
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
    };
    let text = match std::fs::read(path) {
        Err(e) => return fail(format!("{file}: cannot read: {e}")),
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => t,
            Err(_) => return fail(format!("{file}:1:1: the file is not valid UTF-8 text")),
        },
    };
    let test = match isa::litmus::parse(&text, &file) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string()),
    };
    match a.model.machine(Arc::new(test.program.clone())) {
        Ok(m) => match run_test(a, &file, &test, m) {
            Ok(out) => out,
            Err(msg) => fail(msg),
        },
        Err(e) => fail(format!("{file}: {e}")),
    }
}

/// Runs one test; `Err` when it could not run (it faulted).
fn run_test(a: &LitmusArgs, file: &str, t: &LitmusTest, m: AnyMachine) -> Result<FileResult, String> {
    let t0 = Instant::now();
    let o = workloads::litmus::outcomes(&*m, a.max_states);
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    if let Some(e) = workloads::litmus::fault_error(t, file, &o) {
        return Err(e.to_string());
    }
    let status = if o.bounded.is_some() { Status::Bounded } else { Status::Ran };
    let verdict = if o.bounded.is_some() { "bounded" } else { o.verdict() };
    // The witness replays in the search's promise mode.
    let m = m.with_promise_mode(o.promise_mode);
    if a.format == super::Format::Json {
        let mut j = json!({
            "file": file,
            "name": t.name,
            "arch": t.arch.name(),
            "model": a.model.name(),
            "verdict": verdict,
            "states": o.finals.len(),
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
        if a.witness {
            j["witness"] = json!(o.witness.as_ref().map(|w| m.make_trace(w, "exhaustive", None)));
        }
        return Ok(FileResult { out: format!("{j}\n"), status });
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
    Ok(FileResult { out: s, status })
}
