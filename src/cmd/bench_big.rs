//! `weaksim bench --big`: the exhaustive engine's table of issue 11 (loops,
//! spinlocks, irq_work on 2–4 cores, SB with n threads), one row per case with
//! its verdict, states and seconds. Every row has a time cap (`--row-timeout`),
//! so the table always ends; a row stopped by a cap says `bounded` and which.

use super::explore::Engine;
use anyhow::Result;
use sim::engine::GraphConfig;
use sim::{ExploreConfig, Model, Verdict};
use std::sync::Arc;
use std::time::{Duration, Instant};
use workloads::{irq_work_program, IrqWorkConfig, Variant};

/// One row's case: a name and a program.
struct Case {
    name: String,
    program: isa::Program,
}

fn ucode(name: &str, text: &str) -> Result<Case> {
    let program = isa::asm::parse(text, name).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok(Case { name: name.to_string(), program })
}

/// One core stores `n` times (`exists (0:r1=n)`: reachable).
fn store_loop(n: u32) -> Result<Case> {
    ucode(
        &format!("store loop x{n}"),
        &format!(
            "name storeloop\nsym x = 0\ncore 0 start=L\nL:\n    store [x], 1\n    add r1, r1, 1\n    bne r1, {n}, L\n    \
             halt\nexists (0:r1={n})\n"
        ),
    )
}

/// A test-and-set spinlock around an increment on `n` cores (`forall` increments counted: holds).
fn spinlock(n: usize) -> Result<Case> {
    let mut t = String::from("name spinlock\nsym lock = 0\nsym count = 0\n");
    for c in 0..n {
        t.push_str(&format!("core {c} start=cpu\n"));
    }
    t.push_str(
        "cpu:\n    xchg.acquire r1, [lock], 1\n    bnz r1, cpu\n    load r2, [count]\n    add r2, r2, 1\n    \
         store [count], r2\n    store.release [lock], 0\n    halt\n",
    );
    t.push_str(&format!("forall (count={n})\n"));
    ucode(&format!("spinlock {n} cores"), &t)
}

/// SB with `n` threads (diyone7's ring): thread i stores x_i, then loads x_{i+1}.
fn sb(n: usize) -> Result<Case> {
    let mut t = format!("name SB{n}\n");
    for i in 0..n {
        t.push_str(&format!("sym x{i} = 0\n"));
    }
    for i in 0..n {
        t.push_str(&format!("core {i} start=P{i}\n"));
    }
    for i in 0..n {
        t.push_str(&format!("P{i}:\n    store [x{i}], 1\n    load r1, [x{}]\n    halt\n", (i + 1) % n));
    }
    let cond: Vec<String> = (0..n).map(|i| format!("{i}:r1=0")).collect();
    t.push_str(&format!("exists ({})\n", cond.join(" /\\ ")));
    ucode(&format!("SB n={n}"), &t)
}

fn irq(v: Variant, cores: usize) -> Result<Case> {
    let program = irq_work_program(&IrqWorkConfig::new(v, cores)).map_err(anyhow::Error::msg)?;
    Ok(Case { name: format!("irq_work {cores} cores {}", v.name()), program })
}

/// The rows to run: the engine, and which cases.
struct Rows<'a> {
    engine: Engine,
    only: Option<&'a str>,
}

/// What a row's search found, whichever engine.
struct Outcome {
    verdict: Verdict,
    /// States (ops) or search nodes (graph).
    states: u64,
    positive: usize,
    negative: usize,
    bound: Option<String>,
    peak_memory: Option<u64>,
}

/// Runs one row and prints it as a Markdown table line.
fn row(rows: &Rows, case: &Case, model: &str, threads: usize, max_states: u64, cap: Duration) -> Result<()> {
    if rows.only.is_some_and(|o| !case.name.contains(o)) {
        return Ok(());
    }
    let model: Model = sim::models::get(model)?;
    let stop_on_violation = case.program.condition.is_none();
    // The peak column is this row's own (where the kernel lets the peak be reset).
    let own_peak = sim::budget::reset_peak_resident();
    let t0 = Instant::now();
    let r = match rows.engine {
        Engine::Ops => {
            let m = model.machine(Arc::new(case.program.clone()))?;
            let cfg = ExploreConfig {
                threads,
                max_states,
                timeout: Some(cap),
                stop_on_violation,
                ..ExploreConfig::default()
            };
            let r = m.explore(&cfg);
            let positive = r.finals.values().filter(|f| f.holds).count();
            Outcome {
                verdict: r.verdict,
                states: r.states,
                positive,
                negative: r.finals.len() - positive,
                bound: r.bound,
                peak_memory: r.peak_memory,
            }
        }
        Engine::Graph => {
            let cfg = GraphConfig {
                threads,
                max_nodes: max_states,
                timeout: Some(cap),
                stop_on_violation,
                ..GraphConfig::default()
            };
            let r = sim::engine::explore(&Arc::new(case.program.clone()), model.axioms()?, &cfg)?;
            let positive = r.finals.values().filter(|(h, _)| *h).count();
            Outcome {
                verdict: r.verdict,
                states: r.nodes,
                positive,
                negative: r.finals.len() - positive,
                bound: r.bound,
                peak_memory: sim::budget::peak_resident_bytes(),
            }
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    let (positive, negative) = (r.positive, r.negative);
    let verdict = match (r.verdict, &case.program.condition) {
        (Verdict::Bounded, _) => "bounded".to_string(),
        (Verdict::Violation, _) => "violation".to_string(),
        (_, Some(c)) if c.quant == isa::Quantifier::Forall => if negative == 0 { "holds" } else { "fails" }.to_string(),
        (_, Some(_)) if positive > 0 => "reachable".to_string(),
        (_, Some(_)) => "unreachable".to_string(),
        (v, None) => v.name().to_string(),
    };
    let peak = match r.peak_memory {
        Some(b) if own_peak => format!("{}", b >> 20),
        Some(b) => format!("≤{}", b >> 20),
        None => "-".to_string(),
    };
    println!(
        "| {} | {} | {} | {} | {} | {:.2} | {} | {} |",
        case.name,
        model.name(),
        threads,
        verdict,
        r.states,
        secs,
        peak,
        r.bound.as_deref().unwrap_or("")
    );
    Ok(())
}

/// The whole table.
pub fn bench_big(cap: Duration, engine: Engine, only: Option<&str>) -> Result<()> {
    let (name, unit) = match engine {
        Engine::Ops => ("ops", "states"),
        Engine::Graph => ("graph", "nodes"),
    };
    println!("weaksim bench --big: {name} engine, each row capped at {}", sim::budget::duration_text(cap));
    println!();
    println!("| case | model | threads | verdict | {unit} | seconds | peak MiB | bound |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let rows = Rows { engine, only };
    let big = 50_000_000;
    row(&rows, &store_loop(20)?, "arm", 1, big, cap)?;
    row(&rows, &store_loop(1000)?, "arm", 1, big, cap)?;
    let forever = ucode(
        "store forever, --max-states 10",
        "name forever\nsym x = 0\ncore 0 start=L\nL:\n    store [x], 1\n    jmp L\n",
    )?;
    row(&rows, &forever, "arm", 1, 10, cap)?;
    row(&rows, &spinlock(2)?, "arm", 1, big, cap)?;
    row(&rows, &spinlock(3)?, "arm", 1, big, cap)?;
    for cores in [2, 3] {
        for v in Variant::ALL {
            row(&rows, &irq(v, cores)?, "arm", 1, big, cap)?;
        }
    }
    for threads in [1, 2] {
        row(&rows, &irq(Variant::ClaimCmpxchg, 4)?, "tso", threads, big, cap)?;
    }
    for v in Variant::ALL {
        row(&rows, &irq(v, 4)?, "arm", 1, big, cap)?;
    }
    for model in ["tso", "arm"] {
        for n in 2..=8 {
            row(&rows, &sb(n)?, model, 1, big, cap)?;
        }
    }
    Ok(())
}
