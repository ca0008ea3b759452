//! Programs on which the operational and the axiomatic models once disagreed,
//! kept as they were found: each must give equal final-state sets on every model.
//!
//! `failed_casl_then_acquire_rmw` (found by the generated run, seed 8959, then
//! minimised; seed 9785, also kept, has the same cause) is an OPEN GAP of the ARM
//! model, pinned below so that it cannot grow or change unnoticed (the test fails if
//! the gap changes, and also once it closes, so the pin gets removed): herd7 7.57's aarch64.cat allows
//! `0:r1=1 /\ x=6` — core 0's cmpxchg.release fails (reading core 1's y=1), and a
//! failed CAS has no release semantics, so nothing orders it before core 0's
//! xchg.acquire, whose write x=4 may then be co-before core 1's release store
//! x=6 — but the Promising-ARM model cannot reach it: core 0 must promise x=4
//! before y=1 exists, and its certification run (alone, seeing only y=0) makes
//! the CAS succeed with a release write, after which the acquire xchg may not
//! read the initial x (its `[L]; po; [A]` pre-view covers the promise).

use sim::axiom::crosscheck::crosscheck;
use sim::axiom::enumerate::EnumConfig;
use std::sync::Arc;

fn model(name: &str) -> sim::Model {
    sim::models::get(name).unwrap()
}

fn check(name: &str, src: &str) {
    let prog = Arc::new(isa::asm::parse(src, name).unwrap());
    let one = |m: &str| {
        let a = crosscheck(&prog, &model(m), 2_000_000, &EnumConfig::default());
        (!a.agrees()).then(|| format!("{m}: {}", a.difference(&prog)))
    };
    let bad: Vec<String> = [one("sc"), one("tso"), one("arm")].into_iter().flatten().collect();
    assert!(bad.is_empty(), "{name}: operational and axiomatic disagree\n{}\n{src}", bad.join("\n"));
}

/// SC and TSO agree; on ARM the operational final states are a subset of the
/// axiomatic ones, missing exactly `missing` of them (the known gap above).
/// Returns the difference in words.
fn check_known_arm_gap(name: &str, src: &str, missing: usize) -> String {
    let prog = Arc::new(isa::asm::parse(src, name).unwrap());
    for a in [
        crosscheck(&prog, &model("sc"), 2_000_000, &EnumConfig::default()),
        crosscheck(&prog, &model("tso"), 2_000_000, &EnumConfig::default()),
    ] {
        assert!(a.agrees(), "{name}: {} disagrees: {}", a.model, a.difference(&prog));
    }
    let a = crosscheck(&prog, &model("arm"), 2_000_000, &EnumConfig::default());
    let m = &*prog;
    assert!(a.incomplete.is_none() && a.unsound.is_empty(), "{name}: {}", a.difference(m));
    assert!(
        a.operational.is_subset(&a.axiomatic),
        "{name}: operational states outside the axiomatic set: {}",
        a.difference(m)
    );
    let gap = a.axiomatic.difference(&a.operational).count();
    assert_eq!(
        gap,
        missing,
        "{name}: the known ARM gap changed ({gap} states instead of {missing}): {}",
        a.difference(m)
    );
    a.difference(m)
}

#[test]
fn failed_casl_then_acquire_rmw() {
    check_known_arm_gap(
        "failed_casl_then_acquire_rmw",
        "name failed_casl_then_acquire_rmw
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1
P0:
    cmpxchg.release r1, [y], 0, 2
    xchg.acquire r2, [x], 4
    halt
P1:
    store.rel [x], 6
    fetch_add.acquire r1, [y], 1
    halt
locations [0:r1; 0:r2; 1:r1; x; y]
exists (0:r1=1 /\\ x=6)
",
        1,
    );
}

/// KNOWN FAILURE for the exhaustive-engine issue (11), found by a random run of
/// `axiom_diff` (issue 10 quotes it): herd7 7.57's aarch64.cat allows the state
/// below, the Promising-ARM model does not reach it. Core 0's compare-and-swap
/// fails (it reads core 1's y=3, not 0); a failed CAS writes nothing, so the
/// `fence.st` orders no store before core 0's xchg, whose write x=2 may then be
/// read by core 1's first load before core 1's release store y=3 exists. The
/// operational side must promise x=2 first, and certification (core 0 alone,
/// seeing only y=0) makes the CAS succeed, a write that `fence.st` orders
/// before the xchg. Pinned exactly, so main stays green and any change (the
/// engine closing the gap included) makes this test fail and be updated.
#[test]
fn failed_cas_then_store_fence() {
    let diff = check_known_arm_gap(
        "failed_cas_then_store_fence",
        "name generated
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1

P0:
    cmpxchg.relaxed r1, [y], 0, 1
    fence.st
    xchg.relaxed r2, [x], 2
    halt
P1:
    load r1, [x]
    beq r1, 57005, P1.1
P1.1:
    store.rel [y], 3
    load.acq r2, [y]
    halt

locations [0:r1; 0:r2; 1:r1; 1:r2; x; y]
exists (true)
",
        1,
    );
    assert_eq!(diff, "only axiomatic: 0:r1=3; 0:r2=0; 1:r1=2; 1:r2=3; x=2; y=3;");
}

/// Seed 9785 of the generated run, as generated: the same failed-CASL cause.
#[test]
fn generated_seed_9785() {
    check_known_arm_gap(
        "generated_seed_9785",
        "name generated
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1
core 2 start=P2
P0:
    cmpxchg.release r1, [y], 0, 1
    xchg.acquire r2, [x], 2
    load.acqpc r3, [x]
    halt
P1:
    load.acq r1, [y]
    xor r0, r1, r1
    load r2, [x+r0]
    load.acq r3, [y]
    cmpxchg.release _, [x], 0, 3
    halt
P2:
    load.acq r1, [x]
    xor r0, r1, r1
    add r0, r0, 4
    xchg.acquire r2, [y], r0
    store.rel [x], 5
    halt
locations [0:r1; 0:r2; 0:r3; 1:r1; 1:r2; 1:r3; 2:r1; 2:r2; x; y]
exists (true)
",
        18,
    );
}

/// The values a fetch_add loop can produce grow without end; the enumeration
/// bounds its value sets by the writes a candidate can hold (was: bounded).
#[test]
fn fetch_add_values_are_bounded() {
    check(
        "fetch_add_values",
        "name fetch_add_values
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1
P0:
    store [x], 1
    store.rel [y], 1
    halt
P1:
    fetch_add r1, [y], 1
    fence.ld
    load r2, [x]
    halt
locations [1:r1; 1:r2; y]
exists (1:r1=1 /\\ 1:r2=0)
",
    );
}
