//! View arithmetic of single steps (the rules of arm-model.md §2.2, one by one).
//! Whole-program discriminators (§3.3, §3.4) are in `sim/tests/arm_rules.rs`.

use super::*;
use crate::{MemoryModel, Promising, RmwKind};
use isa::{FenceKind, LoadOrd, RmwOrd, StoreOrd, Width};

const X: Loc = 0;
const Y: Loc = 1;

/// Two cores, locations x and y at 0; `msgs` are `(loc, val, core)` already in memory.
fn setup(msgs: &[(Loc, u64, usize)]) -> (ArmShared, Vec<ArmCore>) {
    let mut s = Arm.new_shared(&[0, 0], 2);
    for &(loc, val, tid) in msgs {
        s.push(loc, val, tid);
    }
    let mut cores = vec![Arm.new_core(0), Arm.new_core(1)];
    for k in &mut cores {
        k.sized(2);
    }
    (s, cores)
}

fn load(loc: Loc, addr: Views, ord: LoadOrd) -> Request<Views> {
    Request::Load { loc, addr, ord, exclusive: false }
}

fn store(loc: Loc, v: u64, addr: Views) -> Request<Views> {
    Request::Store { loc, val: Val { v, meta: Views::BOT }, addr, ord: StoreOrd::Plain, exclusive: false }
}

fn rmw(loc: Loc, kind: RmwKind, a: u64, b: u64, ord: RmwOrd, ret: bool) -> Request<Views> {
    Request::Rmw { loc, kind, a: Val::plain(a), b: Val::plain(b), addr: Views::BOT, ord, ret, width: Width::W64 }
}

fn alts(s: &ArmShared, cores: &[ArmCore], core: usize, req: &Request<Views>) -> Vec<Alt> {
    Arm.alternatives(s, cores, core, req).to_vec()
}

/// Performs the alternative equal to `alt` and returns the register view, if any.
fn run(s: &mut ArmShared, cores: &mut [ArmCore], core: usize, req: &Request<Views>, alt: Alt) -> Option<Val<Views>> {
    let i = alts(s, cores, core, req).iter().position(|a| *a == alt).expect("alternative not offered");
    match Arm.perform(s, cores, core, req, i as u16) {
        Response::Value(v) => Some(v),
        Response::Done => None,
    }
}

#[test]
fn latest_uses_the_data_component_of_the_address() {
    let (s, cores) = setup(&[(X, 1, 1), (Y, 1, 1)]);
    // A pick-only dependency on ts 2 does not stop a read of x from taking ts 0.
    let reads = |addr| alts(&s, &cores, 0, &load(X, addr, LoadOrd::Plain));
    assert_eq!(reads(Views::pick(2)), vec![Alt::Read { ts: 0 }, Alt::Read { ts: 1 }]);
    // A data dependency on ts 2 does: x@1 is within the pre-view.
    assert_eq!(reads(Views::at(2)), vec![Alt::Read { ts: 1 }]);
}

#[test]
fn a_write_waits_for_pick_dependencies() {
    let (mut s, mut cores) = setup(&[(X, 1, 1)]);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, Y, 1); // ts 2
    let w = |addr| alts(&s, &cores, 0, &store(Y, 1, addr));
    // Fulfilling is the only place: an append would leave the promise to y unfulfillable.
    assert_eq!(w(Views::BOT), vec![Alt::Write { at: WriteAt::Promise(2) }]);
    // `[Exp]; pick-dep; [W]`: the promise at ts 2 is not above a pick view of 2,
    // and appending would strand it: the write has nowhere to go (a dead run).
    assert_eq!(w(Views::pick(2)), vec![]);
    assert!(Arm.options(&s, &cores, 0, &store(Y, 1, Views::pick(2))).is_err());
    // Without the promise, the write appends.
    let (s, cores) = setup(&[(X, 1, 1)]);
    assert_eq!(alts(&s, &cores, 0, &store(Y, 1, Views::pick(2))), vec![Alt::Write { at: WriteAt::Append }]);
}

#[test]
fn reads_take_coh_into_account_and_skip_own_promises() {
    let (mut s, mut cores) = setup(&[(X, 1, 1), (X, 2, 1)]);
    run(&mut s, &mut cores, 0, &load(X, Views::BOT, LoadOrd::Plain), Alt::Read { ts: 2 });
    // CoRR: after reading ts 2, ts 0 and ts 1 are excluded by `coh`.
    assert_eq!(alts(&s, &cores, 0, &load(X, Views::BOT, LoadOrd::Plain)), vec![Alt::Read { ts: 2 }]);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, X, 3); // ts 3
    assert_eq!(alts(&s, &cores, 0, &load(X, Views::BOT, LoadOrd::Plain)), vec![Alt::Read { ts: 2 }]);
    let e = Arm.explain(&s, &cores, 0, Some(&load(X, Views::BOT, LoadOrd::Plain)));
    let why: Vec<Option<Excluded>> = e.next_read.unwrap().candidates.iter().map(|c| c.excluded).collect();
    assert_eq!(
        why,
        vec![Some(Excluded::Coh { coh: 2 }), Some(Excluded::Coh { coh: 2 }), None, Some(Excluded::OwnPromise)]
    );
}

#[test]
fn noret_escapes_dmb_ld() {
    for (ret, want) in [(true, Views::at(1)), (false, Views::BOT)] {
        let (mut s, mut cores) = setup(&[(X, 1, 1)]);
        let req = rmw(X, RmwKind::FetchAdd, 1, 0, RmwOrd::Relaxed, ret);
        run(&mut s, &mut cores, 0, &req, Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: false });
        assert_eq!(cores[0].vr_old, Views::at(1), "DMB SY still waits for a NoRet read");
        run(&mut s, &mut cores, 0, &Request::Fence(FenceKind::LoadLoad), Alt::Fence);
        assert_eq!(cores[0].vr_new, want, "ret = {ret}");
    }
}

#[test]
fn noret_loses_acquire() {
    for (ret, want) in [(true, Views::at(1)), (false, Views::BOT)] {
        let (mut s, mut cores) = setup(&[(X, 1, 1)]);
        let req = rmw(X, RmwKind::Xchg, 5, 0, RmwOrd::Acquire, ret);
        run(&mut s, &mut cores, 0, &req, Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: false });
        assert_eq!(cores[0].vr_new, want, "ret = {ret}");
    }
}

#[test]
fn isb_lifts_the_pick_component_of_vcap() {
    let (mut s, mut cores) = setup(&[(X, 1, 1), (X, 2, 1), (X, 3, 1)]);
    Arm.on_branch(&mut cores[0], Views { r: 1, w: 3 });
    assert_eq!(cores[0].v_cap, Views { r: 1, w: 3 });
    assert_eq!(cores[0].vr_new, Views::BOT, "a branch alone orders no read");
    run(&mut s, &mut cores, 0, &Request::Fence(FenceKind::Isb), Alt::Fence);
    assert_eq!(cores[0].vr_new, Views::at(3));
    assert_eq!(cores[0].vw_new, Views::at(3));
}

#[test]
fn successful_cas_has_two_result_views() {
    let (mut s, mut cores) = setup(&[(X, 1, 1)]);
    let rs = Val { v: 1, meta: Views { r: 0, w: 0 } };
    let req = Request::Rmw {
        loc: X,
        kind: RmwKind::Cmpxchg,
        a: rs,
        b: Val::plain(2),
        addr: Views::BOT,
        ord: RmwOrd::Relaxed,
        ret: true,
        width: Width::W64,
    };
    let both = alts(&s, &cores, 0, &req);
    assert!(both.contains(&Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: false }));
    assert!(both.contains(&Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: true }));
    // A failed CAS (reading ts 0 = 0 ≠ 1) is a read only.
    assert!(both.contains(&Alt::Rmw { rts: 0, write: None, cas_rs: false }));
    let mut s2 = s.clone();
    let mut c2 = cores.clone();
    let from_rx = run(&mut s, &mut cores, 0, &req, Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: false });
    let from_rs = run(&mut s2, &mut c2, 0, &req, Alt::Rmw { rts: 1, write: Some(WriteAt::Append), cas_rs: true });
    // DataFromRx: data from the read; DataFromRRs: data from Rs, pick from the compare.
    assert_eq!(from_rx.unwrap().meta, Views::at(1));
    assert_eq!(from_rs.unwrap().meta, Views { r: 0, w: 1 });
    // The write's forwarding view carries the compare (extension 7).
    assert_eq!(cores[0].fwd[X].view, Views::pick(1));
}

#[test]
fn acquire_forwarded_from_an_rmw_write_is_ordered_after_its_read() {
    let (mut s, mut cores) = setup(&[(X, 1, 1), (Y, 7, 1)]);
    // LDXR x whose address depends on a read of ts 2 (its post-view is 2).
    let ldxr = Request::Load { loc: X, addr: Views::at(2), ord: LoadOrd::Plain, exclusive: true };
    run(&mut s, &mut cores, 0, &ldxr, Alt::Read { ts: 1 });
    let stxr = Request::Store { loc: X, val: Val::plain(5), addr: Views::BOT, ord: StoreOrd::Plain, exclusive: true };
    assert_eq!(run(&mut s, &mut cores, 0, &stxr, Alt::Write { at: WriteAt::Append }).unwrap().v, 0);
    // ts 3 is the store-exclusive's write. A plain read forwarded from it gets only
    // the write's (empty) address and data views (`rfi` is not in `ob`) ...
    let mut c = cores.clone();
    let plain = run(&mut s.clone(), &mut c, 0, &load(X, Views::BOT, LoadOrd::Plain), Alt::Read { ts: 3 });
    assert_eq!(plain.unwrap().meta, Views::BOT);
    // ... an acquire read also the LDXR's post-view (`rmw; lrs; [A | Q]`), not the write's ts.
    let acq = run(&mut s, &mut cores, 0, &load(X, Views::BOT, LoadOrd::AcquirePc), Alt::Read { ts: 3 });
    assert_eq!(acq.unwrap().meta, Views::at(2));
}

#[test]
fn store_exclusive_fails_after_another_cores_write() {
    let (mut s, mut cores) = setup(&[]);
    let ldxr = Request::Load { loc: X, addr: Views::BOT, ord: LoadOrd::Plain, exclusive: true };
    run(&mut s, &mut cores, 0, &ldxr, Alt::Read { ts: 0 });
    run(&mut s, &mut cores, 1, &store(X, 9, Views::BOT), Alt::Write { at: WriteAt::Append });
    let stxr = Request::Store { loc: X, val: Val::plain(1), addr: Views::BOT, ord: StoreOrd::Plain, exclusive: true };
    assert_eq!(alts(&s, &cores, 0, &stxr), vec![Alt::StoreExFail]);
    // Without the intervening write it may succeed (or fail spuriously).
    let (mut s, mut cores) = setup(&[]);
    run(&mut s, &mut cores, 0, &ldxr, Alt::Read { ts: 0 });
    assert_eq!(alts(&s, &cores, 0, &stxr), vec![Alt::Write { at: WriteAt::Append }, Alt::StoreExFail]);
}

#[test]
fn release_orders_earlier_reads_and_acquire_sc_waits_for_release() {
    let (mut s, mut cores) = setup(&[(X, 1, 1)]);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, Y, 1); // ts 2
    run(&mut s, &mut cores, 0, &load(X, Views::BOT, LoadOrd::Plain), Alt::Read { ts: 1 });
    let stlr =
        Request::Store { loc: Y, val: Val::plain(1), addr: Views::BOT, ord: StoreOrd::Release, exclusive: false };
    assert_eq!(alts(&s, &cores, 0, &stlr), vec![Alt::Write { at: WriteAt::Promise(2) }]);
    run(&mut s, &mut cores, 0, &stlr, Alt::Write { at: WriteAt::Promise(2) });
    assert_eq!(cores[0].v_rel, Views::at(2));
    // `[L]; po; [A]`: LDAR's pre includes vRel, LDAPR's does not.
    let e = |ord| Arm.explain(&s, &cores, 0, Some(&load(X, Views::BOT, ord))).next_read.unwrap().pre;
    assert_eq!(e(LoadOrd::Acquire), Views::at(2));
    assert_eq!(e(LoadOrd::AcquirePc), Views::BOT);
}

#[test]
fn after_the_promise_phase_writes_only_fulfil_promises() {
    let (mut s, mut cores) = setup(&[]);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, X, 1);
    ArmPromises::close(&Arm, &mut s);
    assert_eq!(alts(&s, &cores, 0, &store(X, 1, Views::BOT)), vec![Alt::Write { at: WriteAt::Promise(1) }]);
    assert_eq!(alts(&s, &cores, 0, &store(X, 2, Views::BOT)), vec![Alt::Dead]);
    run(&mut s, &mut cores, 0, &store(X, 2, Views::BOT), Alt::Dead);
    assert!(!Arm.quiescent(&s, &cores), "a dead end is never final");
    assert!(Arm.options(&s, &cores, 1, &load(X, Views::BOT, LoadOrd::Plain)).is_err());
}

#[test]
fn explain_names_the_rule_that_excludes_each_write() {
    let (mut s, mut cores) = setup(&[(X, 1, 1), (Y, 1, 1), (X, 2, 1)]);
    // Read y@2, then DMB: the next read of x has pre = 2, so x@0 is not the latest.
    run(&mut s, &mut cores, 0, &load(Y, Views::BOT, LoadOrd::Plain), Alt::Read { ts: 2 });
    run(&mut s, &mut cores, 0, &Request::Fence(FenceKind::Full), Alt::Fence);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, X, 7); // ts 4
    let e = Arm.explain(&s, &cores, 0, Some(&load(X, Views::BOT, LoadOrd::Plain)));
    let text = e.to_string();
    assert!(text.contains("vrNew=2"), "{text}");
    assert!(text.contains("promise ts 4: loc0 := 7"), "{text}");
    assert!(text.contains("ts 0 = 0 (init): excluded by latest at pre=2 (ts 1 is newer)"), "{text}");
    assert!(text.contains("ts 1 = 1 (core 1): may read"), "{text}");
    assert!(text.contains("ts 3 = 2 (core 1): may read"), "{text}");
    assert!(text.contains("ts 4 = 7 (core 0): excluded by own unfulfilled promise"), "{text}");
    let pending = Arm.pending(&s, &cores, 0);
    assert_eq!(pending, vec![crate::Pending { loc: X, val: 7, note: "promise ts 4".into() }]);
}

#[test]
fn a_write_fulfils_the_oldest_promise_to_its_word() {
    // Two promises of y := 1 (ts 2, 3): a write of y := 1 fulfils ts 2 only (fulfilling
    // ts 3 would set coh[y] = 3 and strand ts 2), and after it ts 3.
    let (mut s, mut cores) = setup(&[(X, 1, 1)]);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, Y, 1);
    ArmPromises::promise(&Arm, &mut s, &mut cores, 0, Y, 1);
    let st = store(Y, 1, Views::BOT);
    assert_eq!(alts(&s, &cores, 0, &st), vec![Alt::Write { at: WriteAt::Promise(2) }]);
    run(&mut s, &mut cores, 0, &st, Alt::Write { at: WriteAt::Promise(2) });
    assert_eq!(alts(&s, &cores, 0, &st), vec![Alt::Write { at: WriteAt::Promise(3) }]);
    run(&mut s, &mut cores, 0, &st, Alt::Write { at: WriteAt::Promise(3) });
    assert_eq!(alts(&s, &cores, 0, &st), vec![Alt::Write { at: WriteAt::Append }]);
}
