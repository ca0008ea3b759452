//! The Promising-ARM thread steps, with the seven extensions that make it agree
//! with herd7 7.57's `aarch64.cat` (arm-model.md §2.2).
//!
//! Every instruction is one step. A request's alternatives ([`Alt`]) are which
//! message a read takes, which promise a write fulfils (or a fresh message at the
//! end of memory), whether a store-exclusive succeeds, and for a successful CAS
//! which of herd's two result-register structures is used.

use super::state::{ArmCore, ArmShared, Fwd, Xcl};
use super::view::{Ts, Views};
use crate::{Loc, Request, RmwKind};
use isa::{FenceKind, LoadOrd, StoreOrd};
use smallvec::SmallVec;

/// Where a write goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WriteAt {
    /// Fulfil the core's promise at this timestamp (Promising `fulfil`).
    Promise(Ts),
    /// A fresh message at the end of memory (Promising: promise + fulfil at once).
    Append,
}

/// One alternative of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alt {
    /// A load reads the message at `ts`.
    Read {
        ts: Ts,
    },
    /// A store (plain, release, or a successful store-exclusive).
    Write {
        at: WriteAt,
    },
    /// A store-exclusive fails (status 1, no write).
    StoreExFail,
    /// An LSE RMW reads `rts`; `write` is `None` when a CAS fails (then it is only a
    /// read). `cas_rs`: a successful CAS's result takes herd's `DataFromRRs`
    /// structure (the result register's data comes from Rs) rather than `DataFromRx`.
    Rmw {
        rts: Ts,
        write: Option<WriteAt>,
        cas_rs: bool,
    },
    Fence,
    /// Promise-first, after the promise phase: the request has no alternative (a
    /// write nobody promised, or a read of nothing). Performing it ends the run.
    Dead,
}

pub type Alts = SmallVec<[Alt; 8]>;

/// Why a read may not take a message (for the blocked reason and the TUI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excluded {
    /// `coh`: the core already read or wrote a co-later write (`coh[loc] > ts`):
    /// CoRR / CoWR (`Exp-haz-ob`, `coWR-Exp`).
    Coh { coh: Ts },
    /// `latest`: a newer write to the location, at `newer`, is within the read's
    /// pre-view `pre` (what the read is ordered after has seen it).
    Latest { newer: Ts, pre: Ts },
    /// The core's own promise, not yet fulfilled: a read of it could never be
    /// followed by its fulfilment (`coRW1-Exp`; the fulfil would need `ts > coh`).
    OwnPromise,
}

impl std::fmt::Display for Excluded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Excluded::Coh { coh } => write!(f, "coh (already at ts {coh})"),
            Excluded::Latest { newer, pre } => write!(f, "latest at pre={pre} (ts {newer} is newer)"),
            Excluded::OwnPromise => f.write_str("own unfulfilled promise"),
        }
    }
}

/// `pre` of a read (Promising `read`): `va ⊔ vrNew ⊔ (A ? vRel : ⊥)`.
/// The `vRel` term is `[L]; po; [A]` (RCsc); it does not apply to LDAPR (`Q`).
#[inline]
pub fn read_pre(k: &ArmCore, va: Views, acquire_sc: bool) -> Views {
    let mut pre = va.join(k.vr_new);
    if acquire_sc {
        pre.join_assign(k.v_rel);
    }
    pre
}

/// Whether a read of `loc` with pre-view `pre` may take the write at `ts`.
pub fn read_check(s: &ArmShared, k: &ArmCore, loc: Loc, pre: Views, ts: Ts) -> Result<(), Excluded> {
    if k.promised(ts) {
        return Err(Excluded::OwnPromise);
    }
    let coh = k.coh(loc);
    if ts < coh {
        return Err(Excluded::Coh { coh });
    }
    // `latest` tests the data-only component: a pick dependency into a read orders nothing.
    if let Some(newer) = s.loc_msgs_in(loc, ts, pre.r).next() {
        return Err(Excluded::Latest { newer, pre: pre.r });
    }
    Ok(())
}

/// The writes to `loc` a read with pre-view `pre` may take, oldest first: those
/// above `pre` and the newest one at or below it (`latest`), none below `coh`.
pub fn read_choices(s: &ArmShared, k: &ArmCore, loc: Loc, pre: Views) -> SmallVec<[Ts; 4]> {
    let mut out: SmallVec<[Ts; 4]> = SmallVec::new();
    let coh = k.coh(loc);
    let mut reached_pre = false;
    for ts in s.loc_desc(loc) {
        if ts < coh {
            break;
        }
        if !k.promised(ts) {
            out.push(ts);
        }
        if ts <= pre.r {
            reached_pre = true;
            break;
        }
    }
    if !reached_pre && coh == 0 {
        out.push(0);
    }
    out.reverse();
    out
}

/// `vmsg` of a read of `ts`: forwarded from the core's own write (its address and
/// data views: `addr; [Exp]; lrs`, `data; [Exp]; lrs`), else the message's timestamp.
/// herd 7.57 forwards to acquire reads from an RMW write too, ordering the read after
/// the RMW's read (`rmw; lrs; [A | Q]`, extension 5), where Coq/rmem refuse forwarding.
#[inline]
pub fn vmsg(k: &ArmCore, loc: Loc, ts: Ts, acquire: bool) -> Views {
    let f = k.fwd(loc);
    if ts != 0 && f.ts == ts {
        match f.rmw_read {
            Some(r) if acquire => f.view.join(r),
            _ => f.view,
        }
    } else {
        Views::at(ts)
    }
}

/// `vext` of a write: `va ⊔ vd ⊔ vCAP ⊔ vwNew ⊔ (L ? vrOld ⊔ vwOld : ⊥)`.
/// `vCAP` gives `ctrl; [W]`, `addr; po; [W]` and their pick forms; `vwNew` the
/// barriers and acquires before it; `L` is `po; [L]`.
#[inline]
pub fn write_vext(k: &ArmCore, va: Views, vd: Views, release: bool) -> Views {
    let mut v = va.join(vd).join(k.v_cap).join(k.vw_new);
    if release {
        v.join_assign(k.vr_old.join(k.vw_old));
    }
    v
}

/// Atomicity constraint of a write that pairs with the read of `rts`.
#[derive(Clone, Copy, Debug)]
pub struct Atomic {
    pub rts: Ts,
    /// Only other cores' messages count (exclusives: `atomic` excuses the core's own
    /// intervening writes, `fri; [Exp & W]; coi`); for LSE every message counts.
    pub others_only: bool,
}

fn atomic_ok(s: &ArmShared, tid: usize, loc: Loc, ts: Ts, a: Option<Atomic>) -> bool {
    match a {
        None => true,
        Some(a) => s.loc_msgs_in(loc, a.rts, ts - 1).all(|t| a.others_only && s.msg(t).tid as usize == tid),
    }
}

/// Where a write of `val` to `loc` with `vext` may go: each promise it can fulfil
/// (`ts > vext.w`, `ts > coh[loc]`, same location and value), then a fresh message.
///
/// Only places that keep every other promise of the core fulfillable are offered:
/// a write at `ts` sets `coh[loc] = ts`, so an own promise to `loc` below `ts`
/// could never be fulfilled (fulfilling needs `ts > coh`). So the write fulfils
/// the core's oldest promise to `loc`, or appends when it has none there. The
/// runs cut are dead ends (never final); without the cut, `n` promises to one
/// location gave 2^n states (every subset fulfilled) and the certification of
/// a loop of stores ran past its bound (wrong NOT REACHABLE answers).
pub fn write_choices(
    s: &ArmShared,
    k: &ArmCore,
    tid: usize,
    loc: Loc,
    val: u64,
    vext: Views,
    atomic: Option<Atomic>,
) -> SmallVec<[WriteAt; 2]> {
    let mut out = SmallVec::new();
    let coh = k.coh(loc);
    // The core's oldest outstanding promise to `loc` (`prom` is ascending).
    match k.prom.iter().copied().find(|&ts| s.msg(ts).loc as usize == loc) {
        Some(ts) => {
            if s.msg(ts).val == val && ts > vext.w && ts > coh && atomic_ok(s, tid, loc, ts, atomic) {
                out.push(WriteAt::Promise(ts));
            }
        }
        // Promise-first: once the promise phase is over, memory is fixed.
        None => {
            if !s.closed && atomic_ok(s, tid, loc, s.next_ts(), atomic) {
                out.push(WriteAt::Append);
            }
        }
    }
    out
}

/// The data view of an LSE RMW's write, and the extra pick view of a CAS compare.
/// SWP: the write's data is Rs only (the read → write edge is not `data`).
/// LD<op>: Rs and the read. CAS: Rt, and through the compare (`iico_ctrl`, a pick
/// edge) Rs and the read (extension 2; and in `fwdb`, extension 7).
#[inline]
pub fn rmw_write_view(kind: RmwKind, a: Views, b: Views, post: Views) -> Views {
    match kind {
        RmwKind::Xchg => a,
        RmwKind::Cmpxchg => b.join(Views::pick(a.w.max(post.w))),
        _ => a.join(post),
    }
}

/// Facts about a request that the steps need.
struct ReadKind {
    /// `A` or `Q` and not NoRet: `[A | Q]; po`.
    acquire: bool,
    /// `A` only: `[L]; po; [A]`.
    acquire_sc: bool,
}

fn load_kind(ord: LoadOrd) -> ReadKind {
    ReadKind { acquire: ord != LoadOrd::Plain, acquire_sc: ord == LoadOrd::Acquire }
}

/// NoRet drops acquire (arm-model.md §1.5, extension 4).
fn rmw_read_kind(ord: isa::RmwOrd, ret: bool) -> ReadKind {
    let a = ord.acquire() && ret;
    ReadKind { acquire: a, acquire_sc: a }
}

/// The alternatives of `req` for core `tid`, in a fixed order.
pub fn alternatives(s: &ArmShared, k: &ArmCore, tid: usize, req: &Request<Views>) -> Alts {
    let mut out = Alts::new();
    match *req {
        Request::Load { loc, addr, ord, .. } => {
            let rk = load_kind(ord);
            let pre = read_pre(k, addr, rk.acquire_sc);
            out.extend(read_choices(s, k, loc, pre).into_iter().map(|ts| Alt::Read { ts }));
        }
        Request::Store { loc, val, addr, ord, exclusive } => {
            let rel = ord == StoreOrd::Release;
            let vext = write_vext(k, addr, val.meta, rel);
            if exclusive {
                // Success needs the reservation on the same location; the write must
                // follow the paired read (`rmw`) with no other core's write between.
                if let Some(x) = k.xcl.filter(|x| x.loc as usize == loc) {
                    let atomic = Atomic { rts: x.ts, others_only: true };
                    let at = write_choices(s, k, tid, loc, val.v, vext.join(x.post), Some(atomic));
                    out.extend(at.into_iter().map(|at| Alt::Write { at }));
                }
                // A store-exclusive may always fail (herd: STXR-FAIL allowed).
                out.push(Alt::StoreExFail);
            } else {
                out.extend(write_choices(s, k, tid, loc, val.v, vext, None).into_iter().map(|at| Alt::Write { at }));
            }
        }
        Request::Rmw { loc, kind, a, b, addr, ord, ret, width } => {
            let rk = rmw_read_kind(ord, ret);
            let pre = read_pre(k, addr, rk.acquire_sc);
            for rts in read_choices(s, k, loc, pre) {
                let old = s.val(loc, rts);
                let post = pre.join(vmsg(k, loc, rts, rk.acquire));
                let Some(new) = kind.apply(old, a.v, b.v, width) else {
                    // A failed CAS is only a read (extension 6).
                    out.push(Alt::Rmw { rts, write: None, cas_rs: false });
                    continue;
                };
                let vd = rmw_write_view(kind, a.meta, b.meta, post);
                // The read is ordered before the write (`rmw`), and so is everything
                // the read is ordered after; for L also `iico_order; [L]`.
                let vext = write_vext(k, addr, vd, ord.release()).join(post);
                // LSE atomicity: no write to loc at all between the read and the write.
                let atomic = Atomic { rts, others_only: false };
                for at in write_choices(s, k, tid, loc, new, vext, Some(atomic)) {
                    out.push(Alt::Rmw { rts, write: Some(at), cas_rs: false });
                    if kind == RmwKind::Cmpxchg && ret && cas_result(a.meta, post, true) != post {
                        out.push(Alt::Rmw { rts, write: Some(at), cas_rs: true });
                    }
                }
            }
        }
        Request::Fence(_) => out.push(Alt::Fence),
    }
    if s.closed && out.is_empty() {
        out.push(Alt::Dead);
    }
    out
}

/// View of a successful CAS's result register (extension 2): herd's `DataFromRRs`
/// (data from Rs, pick from the compare) or `DataFromRx` (data from the read).
#[inline]
fn cas_result(rs: Views, post: Views, from_rs: bool) -> Views {
    if from_rs {
        Views { r: rs.r, w: rs.w.max(post.w) }
    } else {
        post
    }
}

/// The read part of a step: updates `coh`, `vrOld`, `vCAP`, acquire views.
fn do_read(k: &mut ArmCore, loc: Loc, ts: Ts, va: Views, post: Views, rk: &ReadKind, noret: bool) {
    k.coh[loc] = ts;
    k.vr_old.join_assign(post);
    if !noret {
        k.vr_old_ld.join_assign(post);
    }
    k.v_cap.join_assign(va);
    if rk.acquire {
        // `[A | Q]; po`
        k.vr_new.join_assign(post);
        k.vw_new.join_assign(post);
    }
}

/// The write part of a step (Promising `fulfil`, or promise + fulfil when appending).
#[allow(clippy::too_many_arguments)]
fn do_write(
    s: &mut ArmShared,
    k: &mut ArmCore,
    tid: usize,
    loc: Loc,
    val: u64,
    at: WriteAt,
    va: Views,
    fwd: Views,
    release: bool,
    rmw_read: Option<Views>,
) -> Ts {
    let ts = match at {
        WriteAt::Promise(ts) => {
            let i = k.prom.binary_search(&ts).expect("fulfilling a promise the core does not hold");
            k.prom.remove(i);
            ts
        }
        WriteAt::Append => s.push(loc, val, tid),
    };
    k.coh[loc] = ts;
    k.vw_old.join_assign(Views::at(ts));
    k.v_cap.join_assign(va);
    if release {
        k.v_rel.join_assign(Views::at(ts));
    }
    k.fwd[loc] = Fwd { ts, view: fwd, rmw_read };
    ts
}

/// What performing an alternative did: the value for the destination register,
/// with its view.
pub struct Done {
    pub result: Option<(u64, Views)>,
}

/// Performs alternative `alt` of `req` on core `tid`.
pub fn perform(s: &mut ArmShared, k: &mut ArmCore, tid: usize, req: &Request<Views>, alt: Alt) -> Done {
    debug_assert!(!s.dead, "a step after a dead end");
    k.sized(s.init.len());
    match (*req, alt) {
        (Request::Load { loc, addr, ord, exclusive }, Alt::Read { ts }) => {
            let rk = load_kind(ord);
            let pre = read_pre(k, addr, rk.acquire_sc);
            let post = pre.join(vmsg(k, loc, ts, rk.acquire));
            do_read(k, loc, ts, addr, post, &rk, false);
            if exclusive {
                k.xcl = Some(Xcl { loc: loc as u16, ts, post });
            }
            Done { result: Some((s.val(loc, ts), post)) }
        }
        (Request::Store { loc, val, addr, ord, exclusive }, Alt::Write { at }) => {
            let rel = ord == StoreOrd::Release;
            let rmw_read = if exclusive { k.xcl.take().map(|x| x.post) } else { None };
            do_write(s, k, tid, loc, val.v, at, addr, addr.join(val.meta), rel, rmw_read);
            // The status register carries no dependency (herd's AArch64 default).
            let result = exclusive.then_some((0, Views::BOT));
            Done { result }
        }
        (Request::Store { .. }, Alt::StoreExFail) => {
            k.xcl = None;
            Done { result: Some((1, Views::BOT)) }
        }
        (Request::Rmw { loc, kind, a, b, addr, ord, ret, width }, Alt::Rmw { rts, write, cas_rs }) => {
            let rk = rmw_read_kind(ord, ret);
            let pre = read_pre(k, addr, rk.acquire_sc);
            let post = pre.join(vmsg(k, loc, rts, rk.acquire));
            let old = s.val(loc, rts);
            let vd = rmw_write_view(kind, a.meta, b.meta, post);
            do_read(k, loc, rts, addr, post, &rk, !ret);
            let mut view = post;
            if let Some(at) = write {
                let new = kind.apply(old, a.v, b.v, width).expect("an RMW write alternative for a failed CAS");
                let ts = do_write(s, k, tid, loc, new, at, addr, addr.join(vd), ord.release(), Some(post));
                if rk.acquire && ord.release() {
                    // `[range([A]; amo; [L])]; po`: the write of an AL RMW orders everything after it.
                    k.vr_new.join_assign(Views::at(ts));
                    k.vw_new.join_assign(Views::at(ts));
                }
                if kind == RmwKind::Cmpxchg {
                    view = cas_result(a.meta, post, cas_rs);
                }
                // The RMW's events are in `X`: a load-exclusive before it no longer
                // pairs with a later store-exclusive (herd `make_atomic_load_store`).
                k.xcl = None;
            }
            Done { result: Some((old, view)) }
        }
        (_, Alt::Dead) => {
            s.dead = true;
            Done { result: None }
        }
        (Request::Fence(kind), Alt::Fence) => {
            fence(k, kind);
            Done { result: None }
        }
        (req, alt) => unreachable!("alternative {alt:?} does not belong to {req:?}"),
    }
}

/// Barriers (Promising `dmb`, `isb`).
fn fence(k: &mut ArmCore, kind: FenceKind) {
    match kind {
        // `po; [dmb.full]; po`: rr, rw, wr, ww.
        FenceKind::Full => {
            let v = k.vr_old.join(k.vw_old);
            k.vr_new.join_assign(v);
            k.vw_new.join_assign(v);
        }
        // `[R \ NoRet]; po; [dmb.ld]; po`: rr, rw.
        FenceKind::LoadLoad => {
            let v = k.vr_old_ld;
            k.vr_new.join_assign(v);
            k.vw_new.join_assign(v);
        }
        // `[W]; po; [dmb.st]; po; [W]`: ww.
        FenceKind::StoreStore => {
            let v = k.vw_old;
            k.vw_new.join_assign(v);
        }
        // `[W]; po; [dsb.st]; po; [M]`: wr, ww.
        FenceKind::StoreAll => {
            let v = k.vw_old;
            k.vr_new.join_assign(v);
            k.vw_new.join_assign(v);
        }
        // `ctrl; [CSE]; po`, `addr; po; [CSE]; po`, and the pick forms
        // (`pick-ctrl-dep; [CSE]`, `pick-addr-dep; po; [CSE]`): vCAP's pick
        // component bounds both later reads and writes (extension 1).
        FenceKind::Isb => {
            let v = k.v_cap.flatten();
            k.vr_new.join_assign(v);
            k.vw_new.join_assign(v);
        }
    }
}

/// Core `tid` promises `loc := val` (Promising `promise`): a message at the end of
/// memory that it must fulfil later.
pub fn promise(s: &mut ArmShared, k: &mut ArmCore, tid: usize, loc: Loc, val: u64) -> Ts {
    k.sized(s.init.len());
    let ts = s.push(loc, val, tid);
    k.prom.push(ts);
    ts
}
