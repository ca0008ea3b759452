//! The ARM column of BRIEF's irq_work verdict table, from exhaustive
//! promise-first search of the full irq_work microcode with 2 producing cores;
//! and the lost-work counterexample of the seed's fix, replayed step by step.

use isa::{Base, Instr, Operand, RmwOp};
use memmodels::Arm;
use sim::{explore, ExploreConfig, ExploreResult, Machine, PromiseMode, Transition, Verdict, Violation};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn machine(v: Variant) -> Machine<Arm> {
    let p = irq_work_program(&IrqWorkConfig::new(v, 2)).unwrap();
    // The search's schedules replay in its promise mode (promise-first).
    Machine::new(Arc::new(p), Arm).with_promise_mode(PromiseMode::First)
}

fn search(v: Variant) -> ExploreResult {
    explore(&machine(v), &ExploreConfig::default())
}

fn expect(v: Variant, want: Verdict) {
    let r = search(v);
    let why = r.violation.as_ref().map(|(v, _)| v.to_string()).unwrap_or_default();
    assert_eq!(r.verdict, want, "{v} on ARM ({} states) {why}", r.states);
    if want == Verdict::Violation {
        assert!(matches!(r.violation, Some((Violation::LostWork { .. }, _))), "{v}: {why}");
    }
}

use Verdict::{Safe, Violation as Lost};

#[test]
fn v36_loses_work() {
    expect(Variant::V36, Lost);
}
#[test]
fn busy_xchg_loses_work() {
    expect(Variant::BusyXchg, Lost);
}
#[test]
fn plain_busy_loses_work() {
    expect(Variant::PlainBusy, Lost);
}
/// The heart of the demo: the seed's fix is not enough on arm64 (a failed
/// cmpxchg is only a read and orders nothing).
#[test]
fn claim_cmpxchg_loses_work() {
    expect(Variant::ClaimCmpxchg, Lost);
}
#[test]
fn claim_fetch_or_is_safe() {
    expect(Variant::ClaimFetchOr, Safe);
}
#[test]
fn smp_mb_is_safe() {
    expect(Variant::SmpMb, Safe);
}

/// The counterexample of `claim-cmpxchg` replays with checked steps and ends in
/// the lost work; on the way a producer's claim cmpxchg fails (reads PENDING).
#[test]
fn claim_cmpxchg_counterexample_replays() {
    let r = search(Variant::ClaimCmpxchg);
    let (violation, schedule) = r.violation.expect("claim-cmpxchg loses work on ARM");
    let mut m = machine(Variant::ClaimCmpxchg);
    let flags = m.prog().sym_by_name("flags").unwrap();
    let mut promised = 0;
    let mut failed_claim = false;
    for (i, &t) in schedule.iter().enumerate() {
        if let Transition::Exec { core, .. } = t {
            // The claim's cmpxchg: on `flags`, expecting a register (the run side's
            // cmpxchg expects the constant BUSY).
            let claim = matches!(
                m.next_instr(core as usize),
                Some(Instr::Rmw { op: RmwOp::Cmpxchg { expected: Operand::Reg(_), .. }, addr, .. })
                    if addr.base == Base::Sym(flags)
            );
            let effect = m.apply(t).unwrap_or_else(|e| panic!("step {i} ({t:?}): {e}"));
            if let sim::Effect::Memory { value: Some(v), .. } = effect {
                failed_claim |= claim && v & workloads::irq_work::PENDING != 0;
            }
        } else {
            promised += matches!(t, Transition::Promise { .. }) as usize;
            m.apply(t).unwrap_or_else(|e| panic!("step {i} ({t:?}): {e}"));
        }
    }
    assert!(m.enabled().is_empty(), "the schedule ends where nothing can move");
    assert_eq!(m.violation(true), Some(violation.clone()), "replay ends in the violation");
    assert!(failed_claim, "a producer's claim cmpxchg read PENDING and gave up");
    assert!(promised > 0, "the race needs a promise (a write that propagates early)");
}
