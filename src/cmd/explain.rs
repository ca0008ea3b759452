//! `weaksim explain`: the execution graph of a trace, why its outcome is not
//! sequentially consistent (the cycle, in words), and the graph as DOT / SVG.

use super::{write_atomic, EXIT_BAD_INPUT, EXIT_OK};
use anyhow::{bail, Result};
use clap::Args;
use sim::axiom::explain::explain_run;
use sim::{AnyMachine, Transition};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A trace written by --save-trace
    pub file: PathBuf,
    /// Write the execution graph as Graphviz DOT to this file
    #[arg(long)]
    pub dot: Option<PathBuf>,
    /// Render the execution graph to SVG with Graphviz `dot` (must be installed)
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Draw every event (default: the words on the cycle, and fences)
    #[arg(long)]
    pub all: bool,
}

pub fn explain_cmd(a: &ExplainArgs) -> Result<u8> {
    if let Some(p) = &a.dot {
        super::check_not_input("--dot", p, [a.file.as_path()])?;
    }
    if let Some(p) = &a.svg {
        super::check_not_input("--svg", p, [a.file.as_path()])?;
    }
    let tr = super::replay::load_trace(&a.file)?;
    let start = super::replay::trace_machine(&tr, &a.file)?;
    let name = a.file.file_name().map_or_else(|| a.file.display().to_string(), |n| n.to_string_lossy().to_string());
    go(a, &name, &start, &tr.transitions())
}

fn go(a: &ExplainArgs, name: &str, start: &AnyMachine, schedule: &[Transition]) -> Result<u8> {
    let (text, dot) = match explanation(start, schedule, name, a.all) {
        Ok(x) => x,
        Err(e) => bail!("{name}: {e}"),
    };
    print!("{text}");
    if let Some(p) = &a.dot {
        write_atomic(p, &dot)?;
        println!("DOT written to {}", p.display());
    }
    if let Some(p) = &a.svg {
        match render_svg(&dot, p) {
            Ok(()) => println!("SVG written to {}", p.display()),
            Err(why) => {
                let fallback = p.with_extension("dot");
                if a.dot.is_none() {
                    write_atomic(&fallback, &dot)?;
                }
                eprintln!(
                    "weaksim: cannot render {}: {why}; the DOT text is in {} (install Graphviz, e.g. `apt-get install graphviz`, or render it elsewhere)",
                    p.display(),
                    a.dot.as_ref().unwrap_or(&fallback).display()
                );
                return Ok(EXIT_BAD_INPUT);
            }
        }
    }
    Ok(EXIT_OK)
}

/// Renders DOT to an SVG file with Graphviz; says why when it cannot.
pub fn render_svg(dot: &str, out: &Path) -> Result<(), String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("Graphviz `dot` is not installed (not found on PATH)".into())
        }
        Err(e) => return Err(format!("cannot run Graphviz `dot`: {e}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot.as_bytes()).map_err(|e| format!("cannot feed Graphviz `dot`: {e}"))?;
    }
    let o = child.wait_with_output().map_err(|e| format!("Graphviz `dot` failed: {e}"))?;
    if !o.status.success() {
        return Err(format!("Graphviz `dot` failed: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    let svg = String::from_utf8(o.stdout).map_err(|_| "Graphviz `dot` wrote no text".to_string())?;
    write_atomic(out, &svg).map_err(|e| format!("{e:#}"))
}

/// The explanation of a run in words, and its graph as DOT.
pub fn explanation(
    start: &AnyMachine,
    schedule: &[Transition],
    title: &str,
    all: bool,
) -> Result<(String, String), String> {
    let model = start.model();
    let axioms = model.axioms().map_err(|e| e.to_string())?;
    let (exe, verdict, ex) = explain_run(&**start, schedule, axioms).map_err(|e| e.to_string())?;
    let mut s = String::new();
    let mem = exe.events.iter().filter(|e| e.is_mem() && e.core.is_some()).count();
    let _ =
        writeln!(s, "Execution graph: {mem} memory events on {} cores (po, rf, co, fr; herd's vocabulary)", exe.ncores);
    match &verdict {
        Ok(()) => {
            let _ = writeln!(s, "Axiomatic check: consistent with {} ({})", model.title(), model.info().axioms);
        }
        Err(f) => {
            let _ = writeln!(
                s,
                "Axiomatic check: NOT consistent with {} ({}): axiom `{}` fails — a disagreement between the operational and the axiomatic model",
                model.title(),
                model.info().axioms,
                f.axiom
            );
        }
    }
    if ex.cycle.is_empty() {
        let _ = writeln!(s, "{}", ex.summary);
    } else {
        let _ = writeln!(s, "\nWhy the outcome is not sequentially consistent:");
        let _ = write!(s, "  {}", ex.text().replace("\n  - ", "\n    - "));
        let checked = sim::axiom::fixes::check(&exe, &ex, axioms, model, start.prog(), FIX_BUDGET);
        s.push_str(&fixes_text(&checked, start.prog(), model.title()));
        let _ = writeln!(s, "\nThe cycle:");
        for e in &ex.cycle {
            let from = format!("{} [{}]", exe.label(e.from), exe.describe(e.from));
            let to = format!("{} [{}]", exe.label(e.to), exe.describe(e.to));
            let _ = writeln!(s, "  {from:<38} --{}--> {to}", e.rel);
        }
    }
    let cycle: Vec<(usize, usize, &str)> = ex.cycle.iter().map(|e| (e.from, e.to, e.rel)).collect();
    let title = format!("{} on {}: {}", start.prog().name, model.title(), title);
    let dot = sim::graph::dot::dot(&exe, &title, &cycle, !all);
    Ok((s, dot))
}

/// How long checking the fixes of one explanation may search in all.
const FIX_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

/// The fixes that searching again confirmed, and the changes it rejected.
fn fixes_text(c: &sim::axiom::fixes::Checked, p: &isa::Program, title: &str) -> String {
    let tried = c.fixes.len() + c.not_enough.len() + c.unknown.len() + usize::from(c.joint.is_some());
    if tried == 0 {
        return String::new();
    }
    let gone = match &p.condition {
        Some(cond) if cond.quant == isa::Quantifier::Forall => {
            format!("the condition then holds in every final state on {title}")
        }
        Some(_) => format!("the condition is then unreachable on {title}"),
        None => format!("no violation is then reachable on {title}"),
    };
    let stays = match &p.condition {
        Some(_) => "the outcome is still reachable",
        None => "the violation is still reachable",
    };
    let mut s = String::new();
    if !c.fixes.is_empty() {
        let _ = writeln!(s, "  Fixes, each checked by searching again with it applied ({gone}):");
        for f in &c.fixes {
            let _ = writeln!(s, "    - {}", f.text);
        }
    } else if let Some(j) = &c.joint {
        let _ = writeln!(
            s,
            "  No change to one edge is enough; together these are a fix, checked by searching again ({gone}):"
        );
        let _ = writeln!(s, "    - {}", j.text);
    } else {
        let _ = writeln!(s, "  No fix found among the changes checked by searching again with each applied.");
    }
    if !c.not_enough.is_empty() {
        let _ = writeln!(s, "  Not enough on its own (searched again: {stays}):");
        for f in &c.not_enough {
            let _ = writeln!(s, "    - {}", f.text);
        }
    }
    for (f, why) in &c.unknown {
        let _ = writeln!(s, "  Not checked to the end ({why}): {}", f.text);
    }
    s
}
