//! BRIEF's irq_work verdict table (SC and TSO columns), from exhaustive search
//! of the full irq_work microcode with 2 producing cores.

use memmodels::{MemoryModel, Sc, Tso};
use sim::{explore, ExploreConfig, Machine, Verdict};
use std::sync::Arc;
use workloads::{irq_work_program, IrqWorkConfig, Variant};

fn verdict<M: MemoryModel>(model: M, v: Variant, cores: usize) -> (Verdict, u64) {
    let p = irq_work_program(&IrqWorkConfig::new(v, cores)).unwrap();
    let m = Machine::new(Arc::new(p), model);
    let r = explore(&m, &ExploreConfig::default());
    (r.verdict, r.states)
}

fn expect(v: Variant, sc: Verdict, tso: Verdict) {
    let (got_sc, n_sc) = verdict(Sc, v, 2);
    let (got_tso, n_tso) = verdict(Tso, v, 2);
    assert_eq!(got_sc, sc, "{v} on SC ({n_sc} states)");
    assert_eq!(got_tso, tso, "{v} on TSO ({n_tso} states)");
}

use Verdict::{Safe, Violation as Lost};

#[test]
fn v36() {
    expect(Variant::V36, Safe, Lost);
}
#[test]
fn busy_xchg() {
    expect(Variant::BusyXchg, Safe, Lost);
}
#[test]
fn plain_busy() {
    expect(Variant::PlainBusy, Safe, Lost);
}
#[test]
fn claim_cmpxchg() {
    expect(Variant::ClaimCmpxchg, Safe, Safe);
}
#[test]
fn claim_fetch_or() {
    expect(Variant::ClaimFetchOr, Safe, Safe);
}
#[test]
fn smp_mb() {
    expect(Variant::SmpMb, Safe, Safe);
}

/// `weaksim show` prints what the assembler reads back: the generated program
/// survives print → parse unchanged, for every variant.
#[test]
fn generated_microcode_round_trips() {
    for v in Variant::ALL {
        for cores in [1, 2, 3] {
            let p = irq_work_program(&IrqWorkConfig::new(v, cores)).unwrap();
            let text = isa::asm::print(&p);
            let back = isa::asm::parse(&text, "gen.ucode").unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(back, p, "{v} with {cores} cores");
        }
    }
}

/// Three producing cores on TSO: racy still loses work, the fix still holds.
#[test]
fn three_cores_tso() {
    assert_eq!(verdict(Tso, Variant::BusyXchg, 3).0, Lost);
    assert_eq!(verdict(Tso, Variant::ClaimCmpxchg, 3).0, Safe);
}
