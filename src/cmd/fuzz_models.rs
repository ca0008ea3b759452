//! `weaksim fuzz-models`: the correctness campaign. For N generated programs
//! from fixed seeds (every RMW flavour and ordering, CAS that succeeds and
//! fails, exclusives, every barrier, dependencies, bounded loops), compares an
//! exhaustive engine's final states with the model's axiomatic checker, and
//! prints how to reproduce each disagreement.

use super::explore::Engine;
use super::{EXIT_BOUNDED, EXIT_OK, EXIT_VIOLATION};
use anyhow::Result;
use clap::Args;
use rayon::prelude::*;
use sim::axiom::crosscheck::{crosscheck_with, Agreement};
use sim::axiom::enumerate::EnumConfig;
use sim::axiom::gen::{GOp, GRmw, GenProgram};
use sim::engine::GraphConfig;
use sim::{ExploreConfig, Model};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct FuzzModelsArgs {
    /// Memory model (one with an operational and an axiomatic face: sc, tso, arm)
    #[arg(long, default_value = "arm", value_parser = super::ModelParser)]
    pub model: Model,
    /// First seed: program i is generated from seed SEED + i
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of programs
    #[arg(long, default_value_t = 100)]
    pub count: u64,
    /// Most operations per core
    #[arg(long, default_value_t = 4)]
    pub max_ops: usize,
    /// The exhaustive engine checked against the axiomatic enumeration: `ops` (the operational
    /// machine's states; also checks each reached execution's consistency) or `graph` (execution graphs)
    #[arg(long, value_enum, default_value_t = Engine::Ops)]
    pub engine: Engine,
    /// Worker threads (programs are checked in parallel; the report is the same for any count)
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// State bound of each search (a program that hits it counts as inconclusive)
    #[arg(long, default_value_t = 200_000)]
    pub max_states: u64,
    /// Time bound of each search, e.g. 10s (a program that hits it counts as inconclusive)
    #[arg(long, value_parser = super::explore::parse_duration, default_value = "20s")]
    pub timeout: std::time::Duration,
    /// Print each disagreeing program's text (with --count 1: the program, and why it was inconclusive)
    #[arg(long)]
    pub show: bool,
}

fn engine_name(e: Engine) -> &'static str {
    match e {
        Engine::Ops => "ops",
        Engine::Graph => "graph",
    }
}

/// The graph engine's final states against the axiomatic enumeration (the
/// graph engine's answer has no schedules to check one by one).
fn crosscheck_graph(
    prog: &Arc<isa::Program>,
    model: &Model,
    max_nodes: u64,
    timeout: std::time::Duration,
    ecfg: &EnumConfig,
) -> Agreement {
    let mut ag = Agreement {
        model: model.clone(),
        operational: Default::default(),
        axiomatic: Default::default(),
        unsound: Vec::new(),
        incomplete: None,
    };
    let axioms = match model.axioms() {
        Ok(a) => a,
        Err(e) => {
            ag.incomplete = Some(e.to_string());
            return ag;
        }
    };
    // The time bound: a watchdog cancels the search.
    let control = sim::Control::new();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let c = control.clone();
        std::thread::spawn(move || {
            if rx.recv_timeout(timeout).is_err() {
                c.cancel();
            }
        })
    };
    let cfg = GraphConfig { max_nodes, stop_on_violation: false, control: Some(control), ..GraphConfig::default() };
    let r = sim::engine::explore(prog, axioms, &cfg);
    let _ = tx.send(());
    let _ = watchdog.join();
    match r {
        Ok(r) => {
            ag.operational = r.finals.keys().cloned().collect();
            if let Some(b) = r.bound {
                ag.incomplete = Some(format!("graph: {b}"));
            }
            if let Some((v, _)) = r.violation {
                ag.incomplete.get_or_insert(format!("graph: {v}"));
            }
        }
        Err(e) => ag.incomplete = Some(format!("graph: {e}")),
    }
    match model.axiomatic_outcomes(prog, ecfg) {
        Ok(o) => ag.axiomatic = o.finals.into_keys().collect(),
        Err(e) => {
            ag.incomplete.get_or_insert(format!("axiomatic: {e}"));
        }
    }
    ag
}

/// What one program gave.
struct Case {
    seed: u64,
    gen: GenProgram,
    agreement: Agreement,
    ms: f64,
}

pub fn fuzz_models_cmd(a: &FuzzModelsArgs) -> Result<u8> {
    super::check_threads(a.threads)?;
    if a.count == 0 {
        anyhow::bail!("--count 0: expected at least one program");
    }
    if a.max_ops == 0 || a.max_ops > 8 {
        anyhow::bail!("--max-ops {}: expected 1 to 8", a.max_ops);
    }
    if a.seed.checked_add(a.count).is_none() {
        anyhow::bail!("--seed {} --count {}: the seeds run past 2^64", a.seed, a.count);
    }
    if !a.model.is_operational() || a.model.axioms().is_err() {
        anyhow::bail!("model {}: the campaign needs an operational and an axiomatic face", a.model.name());
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(a.threads.max(1)).build()?;
    let ecfg = EnumConfig { max_candidates: 300_000, max_combinations: 20_000, ..EnumConfig::default() };
    let t0 = Instant::now();
    let cases: Vec<Case> = pool.install(|| {
        (a.seed..a.seed + a.count)
            .into_par_iter()
            .map(|seed| {
                let gen = GenProgram::random_rich(seed, a.max_ops);
                let prog = Arc::new(gen.program(&format!("gen{seed}")));
                let cfg = ExploreConfig {
                    max_states: a.max_states,
                    timeout: Some(a.timeout),
                    stop_on_violation: false,
                    ..ExploreConfig::default()
                };
                let t = Instant::now();
                let agreement = match a.engine {
                    Engine::Ops => crosscheck_with(&prog, &a.model, &cfg, &ecfg),
                    Engine::Graph => crosscheck_graph(&prog, &a.model, a.max_states, a.timeout, &ecfg),
                };
                Case { seed, gen, agreement, ms: t.elapsed().as_secs_f64() * 1000.0 }
            })
            .collect()
    });
    let secs = t0.elapsed().as_secs_f64();
    let (mut agree, mut inconclusive, mut differ) = (0u64, 0u64, Vec::new());
    let mut features: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
    for c in &cases {
        let ag = &c.agreement;
        if ag.agrees() {
            agree += 1;
        } else if ag.unsound.is_empty() && ag.incomplete.is_some() {
            inconclusive += 1;
            let why = ag.incomplete.as_deref().unwrap_or_default();
            // The reason without the loop note.
            let key = why.split(';').next().unwrap_or_default().to_string();
            *reasons.entry(key).or_default() += 1;
            if a.count == 1 && a.show {
                println!("seed {}: inconclusive: {why}", c.seed);
            }
        } else {
            for f in feature_list(&c.gen) {
                *features.entry(f).or_default() += 1;
            }
            differ.push(c);
        }
    }
    if a.count == 1 && a.show && differ.is_empty() {
        for l in isa::asm::print(&cases[0].gen.program(&format!("gen{}", a.seed))).lines() {
            println!("    {l}");
        }
    }
    for c in &differ {
        let prog = c.gen.program(&format!("gen{}", c.seed));
        println!("seed {}: {}", c.seed, c.agreement.difference(&prog));
        println!("  features: {}", feature_list(&c.gen).join(", "));
        println!(
            "  reproduce: weaksim fuzz-models --model {} --engine {} --max-ops {} --seed {} --count 1 --show",
            a.model.name(),
            engine_name(a.engine),
            a.max_ops,
            c.seed
        );
        if a.show {
            for l in isa::asm::print(&prog).lines() {
                println!("    {l}");
            }
        }
    }
    let slowest = cases.iter().map(|c| c.ms).fold(0.0, f64::max);
    println!(
        "fuzz-models {} (engine {}): {} programs from seed {} (max {} ops per core): {agree} agree, {} disagree, \
         {inconclusive} inconclusive (a bound), {secs:.1} s (slowest {slowest:.0} ms)",
        a.model.name(),
        engine_name(a.engine),
        a.count,
        a.seed,
        a.max_ops,
        differ.len()
    );
    if !reasons.is_empty() {
        let r: Vec<String> = reasons.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        println!("  inconclusive because: {}", r.join("; "));
    }
    if !features.is_empty() {
        let f: Vec<String> = features.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("  in the disagreeing programs: {}", f.join(", "));
    }
    Ok(if !differ.is_empty() {
        EXIT_VIOLATION
    } else if inconclusive > 0 {
        EXIT_BOUNDED
    } else {
        EXIT_OK
    })
}

/// The kinds of operation a program uses (to see what the disagreements share).
fn feature_list(g: &GenProgram) -> Vec<&'static str> {
    let mut f = std::collections::BTreeSet::new();
    for op in g.threads.iter().flatten() {
        f.insert(match op {
            GOp::Load { .. } => "load",
            GOp::Store { .. } => "store",
            GOp::Rmw { op: GRmw::CasZero | GRmw::CasOne, .. } => "cas",
            GOp::Rmw { op: GRmw::Xchg, .. } => "swp",
            GOp::Rmw { .. } => "ldop",
            GOp::Fence(_) => "fence",
            GOp::Exclusive { .. } => "exclusive",
            GOp::Loop { .. } => "loop",
        });
    }
    f.into_iter().collect()
}
