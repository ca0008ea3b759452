//! irq_work (interrupts, calls, loops: beyond the candidate enumeration) on the
//! axiomatic side: every counterexample the exhaustive search finds, and every
//! execution of a few hundred random runs, is consistent with its model's
//! axioms; and every lost-work counterexample is a non-SC cycle.

use sim::axiom::crosscheck::consistent;
use sim::axiom::explain::sc_cycle;
use sim::{ExploreConfig, Verdict};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn program(v: Variant) -> Arc<isa::Program> {
    Arc::new(irq_work_program(&IrqWorkConfig::new(v, 2)).unwrap())
}

fn counterexamples(kind: &str) {
    let model = sim::models::get(kind).unwrap();
    for v in Variant::ALL {
        let start = model.machine(program(v)).unwrap();
        let r = start.explore(&ExploreConfig { threads: 1, max_states: 3_000_000, ..ExploreConfig::default() });
        if r.verdict != Verdict::Violation {
            continue;
        }
        let start = start.with_promise_mode(r.promise_mode);
        let (_, s) = r.violation.unwrap();
        let (exe, verdict) = consistent(&*start, &s, model.axioms().unwrap()).unwrap();
        assert_eq!(verdict, Ok(()), "{v} on {kind}: the counterexample breaks the axioms");
        assert!(sc_cycle(&exe).is_some(), "{v} on {kind}: lost work without a non-SC cycle");
    }
}

#[test]
fn counterexamples_are_axiomatically_consistent() {
    counterexamples("tso");
    counterexamples("arm");
}

fn random_runs(kind: &str, runs: u64) {
    let model = sim::models::get(kind).unwrap();
    for v in Variant::ALL {
        let start = model.machine(program(v)).unwrap();
        for seed in 0..runs {
            let mut mm = start.clone();
            let out = mm.run_random(seed, 10_000, true, false);
            let (_, verdict) = consistent(&*start, &out.schedule, model.axioms().unwrap()).unwrap();
            assert_eq!(verdict, Ok(()), "{v} on {kind}, seed {seed}");
        }
    }
}

#[test]
fn random_runs_are_axiomatically_consistent() {
    random_runs("sc", 40);
    random_runs("tso", 40);
    random_runs("arm", 40);
}
