//! Litmus tests as workloads: every final state a model allows, counted the way
//! herd7 counts them (valuations of the locations the condition names and the
//! `locations [...]` list), and herd's verdict (`Ok` / `No`).

use sim::{DynMachine, ExploreConfig, FinalState, PromiseMode, Transition, Verdict};
use std::sync::Arc;

/// What a model allows for a litmus test.
#[derive(Clone, Debug)]
pub struct Outcomes {
    /// Distinct final states, in order, with whether each satisfies the condition's expression.
    pub finals: Vec<(FinalState, bool)>,
    /// Final states satisfying / not satisfying the expression.
    pub positive: usize,
    pub negative: usize,
    /// herd's `Ok`: the quantified condition holds (`exists`: some state satisfies it;
    /// `~exists`: none does; `forall`: all do).
    pub ok: bool,
    /// For a reachable `exists` expression: a shortest schedule reaching a satisfying state.
    pub witness: Option<Vec<Transition>>,
    /// The promise mode the witness replays in (see `sim::ExploreResult::promise_mode`).
    pub promise_mode: PromiseMode,
    /// States the search visited.
    pub explored: u64,
    /// Set when a search bound stopped the search: the answer is then incomplete.
    pub bounded: Option<String>,
    /// A fault or deadlock met on the way, in words.
    pub problem: Option<String>,
    /// The instruction a fault stopped at, and why (a fault means the test could not run).
    pub fault: Option<(isa::Pc, String)>,
}

impl Outcomes {
    /// herd7's verdict word for the tsv: `allowed` when `Ok`, else `forbidden`.
    pub fn verdict(&self) -> &'static str {
        if self.ok {
            "allowed"
        } else {
            "forbidden"
        }
    }
}

/// Explores every execution of the program `start` runs (under its model) and
/// collects its final states.
pub fn outcomes(start: &dyn DynMachine, max_states: u64) -> Outcomes {
    let program = start.prog();
    let cfg = ExploreConfig { max_states, stop_on_violation: false, ..ExploreConfig::default() };
    let r = start.explore(&cfg);
    let finals: Vec<(FinalState, bool)> = r.finals.iter().map(|(f, i)| (f.clone(), i.holds)).collect();
    let positive = finals.iter().filter(|f| f.1).count();
    let negative = finals.len() - positive;
    let ok = match &program.condition {
        Some(c) => c.verdict(positive, negative),
        None => false,
    };
    let witness = r.finals.values().find(|f| f.holds).map(|f| f.schedule.clone());
    Outcomes {
        finals,
        positive,
        negative,
        ok,
        witness,
        promise_mode: r.promise_mode,
        explored: r.states,
        bounded: (r.verdict == Verdict::Bounded).then(|| r.bound.clone().unwrap_or_default()),
        fault: match &r.violation {
            Some((sim::Violation::Fault { pc, what, .. }, _)) => Some((*pc, what.clone())),
            _ => None,
        },
        problem: r.violation.map(|(v, _)| v.to_string()),
    }
}

/// A test whose run faulted could not run (herd rejects what faults here: an
/// access that does not name a location, a mixed-size access): the error, at the
/// source position of the faulting instruction.
pub fn fault_error(t: &isa::litmus::LitmusTest, file: &str, o: &Outcomes) -> Option<isa::litmus::LitmusError> {
    let (pc, what) = o.fault.as_ref()?;
    let (line, col) = t.access_pos.iter().find(|(p, _, _)| p == pc).map_or((1, 1), |&(_, l, c)| (l, c));
    let msg = if what.contains("mixed-size") {
        format!("unsupported mixed-size access (met at run time: {what})")
    } else {
        format!("unsupported: the test faults ({what})")
    };
    Some(isa::litmus::LitmusError { file: file.to_string(), line, col, msg })
}

/// herd7's result block for `t` (`Test`, `States` and the final states,
/// `Ok`/`No`, `Witnesses`, `Condition`, `Observation`, `Time`, `Hash`) as herd
/// prints it, so that the two diff line for line but for `Time` and `Hash`.
///
/// herd counts witnesses as candidate executions; here each final state counts
/// once (the same numbers whenever a final state has one execution: see
/// `docs/conformance.md`). A bounded search prints `Bounded` where the verdict
/// would be, and no verdict anywhere.
pub fn herd_block(t: &isa::litmus::LitmusTest, o: &Outcomes, secs: f64) -> String {
    use isa::Quantifier;
    use std::fmt::Write;
    let prog = &t.program;
    let mut s = String::new();
    let kind = match prog.condition.as_ref().map(|c| c.quant) {
        Some(Quantifier::Forall) => "Required",
        Some(Quantifier::NotExists) => "Forbidden",
        _ => "Allowed",
    };
    let _ = writeln!(s, "Test {} {kind}", t.name);
    let _ = writeln!(s, "States {}", o.finals.len());
    let mut states: Vec<&(FinalState, bool)> = o.finals.iter().collect();
    states.sort_by_cached_key(|(f, _)| t.herd_state_key(f));
    for (f, _) in states {
        let _ = writeln!(s, "{}", t.herd_state(f));
    }
    let bounded = o.bounded.is_some();
    let _ = writeln!(
        s,
        "{}",
        if bounded {
            "Bounded"
        } else if o.ok {
            "Ok"
        } else {
            "No"
        }
    );
    let _ = writeln!(s, "Witnesses");
    // herd's witnesses validate the test's claim: for `~exists P`, those where P fails
    // (its `Observation` line still counts those where P holds).
    let (pos, neg) = match prog.condition.as_ref().map(|c| c.quant) {
        Some(Quantifier::NotExists) => (o.negative, o.positive),
        _ => (o.positive, o.negative),
    };
    let _ = writeln!(s, "Positive: {pos} Negative: {neg}");
    if prog.condition.is_some() {
        let _ = writeln!(s, "Condition {}", t.herd_condition());
    }
    let obs = if bounded {
        "Bounded"
    } else if o.positive == 0 {
        "Never"
    } else if o.negative == 0 {
        "Always"
    } else {
        "Sometimes"
    };
    let _ = writeln!(s, "Observation {} {obs} {} {}", t.name, o.positive, o.negative);
    let _ = writeln!(s, "Time {} {:.2}", t.name, secs);
    let _ = writeln!(s, "Hash={:016x}", prog.fingerprint());
    s
}

/// Why [`outcomes_auto`] could not answer: the model has no machine, or its
/// axiomatic enumeration failed and it has no machine to fall back on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutcomesError {
    #[error(transparent)]
    Model(sim::ModelError),
    #[error(transparent)]
    Axiomatic(sim::models::AxiomaticError),
}

/// Whether a program has a loop (a branch or jump backwards).
pub fn has_loop(p: &isa::Program) -> bool {
    p.code.iter().enumerate().any(|(pc, i)| i.target().is_some_and(|t| (t as usize) <= pc))
}

/// Every final state `model` allows, by the fastest engine that answers
/// exactly: the model's axiomatic enumeration (herd's method: it grows with
/// executions, not interleavings, and gives no schedule) when it has one and
/// it answers, else exhaustive search of its machine. The program's `filter`
/// (herd's) removes the final states that do not satisfy it. `Err` when the
/// model can do neither.
pub fn outcomes_auto(
    program: Arc<isa::Program>,
    model: &sim::Model,
    max_states: u64,
) -> Result<Outcomes, OutcomesError> {
    // With a filter, observe its locations too, then project them away.
    let (prog, keep) = match (&program.filter, &program.condition) {
        (Some(f), Some(c)) => {
            let mut p = (*program).clone();
            let mut extra = Vec::new();
            f.locs(&mut extra);
            let cond = p.condition.as_mut().expect("condition");
            for l in extra {
                if !cond.locations.contains(&l) {
                    cond.locations.push(l);
                }
            }
            let observed = cond.observed();
            let keep: Vec<usize> =
                c.observed().iter().map(|l| observed.iter().position(|x| x == l).expect("kept")).collect();
            (Arc::new(p), Some((keep, observed)))
        }
        _ => (program.clone(), None),
    };
    let axiomatic = model.axiomatic_outcomes(&prog, &sim::axiom::enumerate::EnumConfig::default());
    let mut o = match (axiomatic, model.is_operational()) {
        (Ok(ax), _) => Outcomes {
            finals: ax.finals.into_iter().collect(),
            positive: 0,
            negative: 0,
            ok: false,
            witness: None,
            promise_mode: PromiseMode::First,
            explored: ax.candidates,
            bounded: None,
            problem: None,
            fault: None,
        },
        (Err(_), true) => {
            let m = model.machine(prog.clone()).map_err(OutcomesError::Model)?;
            outcomes(&*m, max_states)
        }
        (Err(e), false) => return Err(OutcomesError::Axiomatic(e)),
    };
    if let (Some((keep, observed)), Some(f)) = (&keep, &program.filter) {
        let mut seen = std::collections::BTreeSet::new();
        let mut finals = Vec::new();
        for (state, _) in &o.finals {
            let get = |l: isa::Loc| observed.iter().position(|x| *x == l).map(|i| state[i]).unwrap_or(0);
            if !f.eval(&program, &get) {
                continue;
            }
            let projected: FinalState = keep.iter().map(|&i| state[i]).collect();
            let holds = program.condition.as_ref().is_some_and(|c| {
                let get = |l: isa::Loc| c.observed().iter().position(|x| *x == l).map(|i| projected[i]).unwrap_or(0);
                c.expr.eval(&program, &get)
            });
            if seen.insert(projected.clone()) {
                finals.push((projected, holds));
            }
        }
        o.finals = finals;
        o.witness = None;
    }
    o.positive = o.finals.iter().filter(|f| f.1).count();
    o.negative = o.finals.len() - o.positive;
    o.ok = program.condition.as_ref().is_some_and(|c| c.verdict(o.positive, o.negative));
    Ok(o)
}
