//! irq_work (interrupts, calls, loops: beyond the candidate enumeration) on the
//! axiomatic side: every counterexample the exhaustive search finds, and every
//! execution of a few hundred random runs, is consistent with its model's
//! axioms; and every lost-work counterexample is a non-SC cycle.

use memmodels::{Arm, MemoryModel, Sc, Tso};
use sim::axiom::crosscheck::consistent;
use sim::axiom::explain::sc_cycle;
use sim::{explore, ExploreConfig, Machine, PromiseMode, RandomScheduler, Verdict};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn program(v: Variant) -> Arc<isa::Program> {
    Arc::new(irq_work_program(&IrqWorkConfig::new(v, 2)).unwrap())
}

fn counterexamples<M: MemoryModel>(m: M) {
    let kind = m.kind();
    for v in Variant::ALL {
        let mut start = Machine::new(program(v), m.clone());
        start.promise_mode = PromiseMode::First;
        let r = explore(&start, &ExploreConfig { threads: 1, max_states: 3_000_000, ..ExploreConfig::default() });
        if r.verdict != Verdict::Violation {
            continue;
        }
        let (_, s) = r.violation.unwrap();
        let (exe, verdict) = consistent(&start, &s, kind).unwrap();
        assert_eq!(verdict, Ok(()), "{v} on {kind}: the counterexample breaks the axioms");
        assert!(sc_cycle(&exe).is_some(), "{v} on {kind}: lost work without a non-SC cycle");
    }
}

#[test]
fn counterexamples_are_axiomatically_consistent() {
    counterexamples(Tso);
    counterexamples(Arm);
}

fn random_runs<M: MemoryModel>(m: M, runs: u64) {
    let kind = m.kind();
    for v in Variant::ALL {
        let start = Machine::new(program(v), m.clone());
        for seed in 0..runs {
            let mut mm = start.clone();
            let out = sim::run(&mut mm, &mut RandomScheduler::new(seed), 10_000, true, false);
            let (_, verdict) = consistent(&start, &out.schedule, kind).unwrap();
            assert_eq!(verdict, Ok(()), "{v} on {kind}, seed {seed}");
        }
    }
}

#[test]
fn random_runs_are_axiomatically_consistent() {
    random_runs(Sc, 40);
    random_runs(Tso, 40);
    random_runs(Arm, 40);
}
