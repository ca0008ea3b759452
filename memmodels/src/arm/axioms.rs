//! ARMv8 as herd7 7.57's `aarch64.cat` states it, restricted to weaksim's
//! instructions (`shared/reference/arm-model.md` §1 has each rule in words).
//!
//! Over memory events (fences only position the barrier rules):
//!
//! ```text
//! lws  = [M]; po-loc; [W]
//! lrs  = [W]; po-loc; [R], no same-location write in between
//! dob  = addr | data | ctrl;[W] | addr;[M];po;[W] | addr;[M];po;[ISB];po;[R]
//!      | addr;[M];lrs | data;[M];lrs
//! pob  = pick-dep;[W] | pick-ctrl;[ISB];po;[M] | pick-addr;[M];po;[ISB];po;[M]
//!      | pick-addr;[M];po;[W]
//! aob  = rmw | rmw;lrs;[A|Q]
//! bob  = po;[DMB.full];po | [R\NoRet];po;[DMB.ld];po | [W];po;[DMB.st];po;[W]
//!      | [range([A];amo;[L])];po | [L];po;[A] | [A|Q];po | po;[L]
//! lob  = (lws | dob | pob | aob | bob)+
//! pick-lob = pick-basic-dep; lob; [W]
//! CSE-ob   = [R]; ctrl; [ISB]; po | [R]; addr; [M]; po; [ISB]; po
//! Exp-haz-ob = [R]; po-loc; [R]; (fr & ext); [W]
//! ob = (lob | pick-lob | CSE-ob | Exp-haz-ob | rfe | coe | fre)+   irreflexive (external)
//! coRW1: irreflexive [R];(po-loc|rmw);[W];rfi     coWW: irreflexive [W];po-loc;[W];(co & int)
//! coWR:  irreflexive [W];po-loc;[R];(fr & int)
//! atomic: empty (rmw & (fr;co)) \ ((fri;[W];coi))
//! ```

use crate::axiom::{po, po_mem, rmw_order, Axiomatic, CheckOptions, Checker, Com, Failure, Fences};
use crate::graph::{Event, EventId, Execution, Ids, Kind};
use crate::rel::Rel;
use crate::ModelInfo;
use isa::FenceKind;

/// The axiomatic ARMv8 model (aarch64.cat).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArmAxioms;

struct ArmChecker {
    st: ArmStatic,
    po_loc: Rel,
    rmw_wf: bool,
}

impl Axiomatic for ArmAxioms {
    fn info(&self) -> &'static ModelInfo {
        &super::INFO
    }

    fn checker(&self, events: &[Event], opts: CheckOptions) -> Box<dyn Checker> {
        let (_, po_loc) = po_mem(events);
        let st = ArmStatic::new(events, &po_loc);
        Box::new(ArmChecker { st, po_loc, rmw_wf: !opts.herd_strict })
    }

    /// ARM orders by dependencies: both dependency structures of a successful CAS matter.
    fn reads_dependencies(&self) -> bool {
        true
    }

    fn remedy(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        let y = &exe.events[b];
        if y.locked && y.rmw.is_none() && y.kind == Kind::Read {
            return format!(
                "core {}'s {} failed, so it performed only its read, and a failed {} orders nothing before it on ARMv8 \
                 (arm64's cmpxchg is unordered on failure)",
                y.core.unwrap_or(0),
                y.op,
                y.op
            );
        }
        crate::axiom::remedy_common(exe, a, b)
    }
}

impl Checker for ArmChecker {
    fn check(&self, exe: &Execution) -> Result<(), Failure> {
        if let (true, Some(bad)) = (self.rmw_wf, rmw_order(exe)) {
            return Err(Failure { axiom: "rmw", events: bad });
        }
        self.st.check(exe, &Com::of(exe), &self.po_loc)
    }

    fn ordered(&self, a: EventId, b: EventId) -> bool {
        self.st.order.get(a, b)
    }
}

/// The event-only part of the ARM model, computed once per set of events.
#[derive(Clone, Debug)]
pub struct ArmStatic {
    /// lob | pick-lob | CSE-ob.
    pub order: Rel,
}

fn dep(ev: &[Event], set: impl Fn(&Event) -> &Ids, tgt: impl Fn(&Event) -> bool) -> Rel {
    let mut r = Rel::new(ev.len());
    for (e, x) in ev.iter().enumerate() {
        if !tgt(x) {
            continue;
        }
        for s in set(x).iter() {
            if ev[s].kind == Kind::Read && !ev[s].same_instance(x) {
                r.set(s, e);
            }
        }
    }
    r
}

impl ArmStatic {
    pub fn new(ev: &[Event], po_loc: &Rel) -> ArmStatic {
        let n = ev.len();
        let is_r = |e: usize| ev[e].kind == Kind::Read;
        let is_w = |e: usize| ev[e].kind == Kind::Write;
        let is_m = |e: usize| is_r(e) || is_w(e);
        let mem = |x: &Event| matches!(x.kind, Kind::Read | Kind::Write);
        let isb = |x: &Event| x.kind == Kind::Fence(FenceKind::Isb);
        let mut po_m = Rel::new(n);
        for a in 0..n {
            for b in 0..n {
                if is_m(a) && is_m(b) && po(ev, a, b) {
                    po_m.set(a, b);
                }
            }
        }
        // Memory events po-after an ISB that is po-after `a`: `a; po; [ISB]; po; [M]`.
        let after_isb = po_m.restrict(|_| true, |_| true);
        let isbs = Fences::new(ev, isb);
        let f_full = Fences::new(ev, |f| f.kind == Kind::Fence(FenceKind::Full));
        let f_ld = Fences::new(ev, |f| f.kind == Kind::Fence(FenceKind::LoadLoad));
        let f_st = Fences::new(ev, |f| f.kind == Kind::Fence(FenceKind::StoreStore));
        let f_st_all = Fences::new(ev, |f| f.kind == Kind::Fence(FenceKind::StoreAll));
        let after_isb = {
            let mut r = Rel::new(n);
            for (a, b) in after_isb.pairs() {
                if isbs.between(ev, a, b) {
                    r.set(a, b);
                }
            }
            r
        };
        let lws = po_loc.restrict(|_| true, is_w);
        let mut lrs = Rel::new(n);
        for (w, r) in po_loc.pairs() {
            if is_w(w) && is_r(r) && !(0..n).any(|x| is_w(x) && po_loc.get(w, x) && po_loc.get(x, r)) {
                lrs.set(w, r);
            }
        }
        let addr = dep(ev, |x| &x.deps.addr, mem);
        let data = dep(ev, |x| &x.deps.data, |x| x.kind == Kind::Write);
        let ctrl_w = dep(ev, |x| &x.deps.ctrl, |x| x.kind == Kind::Write);
        let ctrl_isb = dep(ev, |x| &x.deps.ctrl, isb);
        let paddr = dep(ev, |x| &x.deps.paddr, mem);
        let pdata = dep(ev, |x| &x.deps.pdata, |x| x.kind == Kind::Write);
        let pctrl_w = dep(ev, |x| &x.deps.pctrl, |x| x.kind == Kind::Write);
        let pctrl_isb = dep(ev, |x| &x.deps.pctrl, isb);
        let po_w = po_m.restrict(|_| true, is_w);
        let isb_po_m = {
            // [ISB]; po; [M]
            let mut r = Rel::new(n);
            for (i, x) in ev.iter().enumerate() {
                if isb(x) {
                    for b in 0..n {
                        if is_m(b) && po(ev, i, b) {
                            r.set(i, b);
                        }
                    }
                }
            }
            r
        };

        // dob
        let mut dob = addr.union(&data).union(&ctrl_w);
        dob.union_with(&addr.seq(&po_w));
        dob.union_with(&addr.seq(&after_isb).restrict(|_| true, is_r));
        dob.union_with(&addr.seq(&lrs));
        dob.union_with(&data.seq(&lrs));
        // pob
        let pick_dep_w = paddr.union(&pdata).union(&pctrl_w).restrict(|_| true, is_w);
        let mut pob = pick_dep_w;
        pob.union_with(&pctrl_isb.seq(&isb_po_m));
        pob.union_with(&paddr.seq(&after_isb));
        pob.union_with(&paddr.seq(&po_w));
        // aob
        let mut rmw = Rel::new(n);
        for (e, x) in ev.iter().enumerate() {
            if let (Kind::Read, Some(w)) = (x.kind, x.rmw) {
                rmw.set(e, w);
            }
        }
        let aq = |e: usize| is_r(e) && (ev[e].acquire || ev[e].acquire_pc);
        let aob = rmw.union(&rmw.seq(&lrs).restrict(|_| true, aq));
        // bob
        let mut bob = Rel::new(n);
        for (a, b) in po_m.pairs() {
            let (x, y) = (&ev[a], &ev[b]);
            let full = f_full.between(ev, a, b);
            let ld = x.kind == Kind::Read && !x.noret && f_ld.between(ev, a, b);
            let st = x.kind == Kind::Write && y.kind == Kind::Write && f_st.between(ev, a, b);
            // DSB ST: `[W]; po; [dsb.st]; po; [M]`.
            let st_all = x.kind == Kind::Write && f_st_all.between(ev, a, b);
            let al_amo = x.kind == Kind::Write && x.release && x.locked && x.rmw.is_some_and(|r| ev[r].acquire);
            let rel_acq = x.kind == Kind::Write && x.release && y.kind == Kind::Read && y.acquire;
            let acq = x.kind == Kind::Read && (x.acquire || x.acquire_pc);
            let rel = y.kind == Kind::Write && y.release;
            if full || ld || st || st_all || al_amo || rel_acq || acq || rel {
                bob.set(a, b);
            }
        }
        let lob = lws.union(&dob).union(&pob).union(&aob).union(&bob).plus();
        // pick-lob: a read whose chain (pick) reaches an access's inputs, that access lob a write.
        let mut pbd = paddr.union(&pdata);
        for e in 0..n {
            if is_r(e) {
                pbd.set(e, e);
            }
        }
        let pick_lob = pbd.seq(&lob).restrict(|_| true, is_w);
        // CSE-ob
        let mut cse = ctrl_isb.seq(&isb_po_m);
        cse.union_with(&addr.seq(&after_isb));
        let order = lob.union(&pick_lob).union(&cse).restrict(is_m, is_m);
        ArmStatic { order }
    }

    pub fn check(&self, exe: &Execution, com: &Com, po_loc: &Rel) -> Result<(), Failure> {
        let ev = &exe.events;
        let int = |a: usize, b: usize| ev[a].core.is_some() && ev[a].core == ev[b].core;
        // Internal visibility.
        for (w, r) in com.rf.pairs() {
            if int(w, r) && (po_loc.get(r, w) || ev[r].rmw == Some(w)) {
                return Err(Failure { axiom: "coRW1-Exp", events: vec![r, w] });
            }
        }
        for (w1, x) in po_loc.pairs() {
            if ev[w1].kind != Kind::Write {
                continue;
            }
            if ev[x].kind == Kind::Write && com.co.get(x, w1) {
                return Err(Failure { axiom: "coWW-Exp", events: vec![w1, x] });
            }
            if ev[x].kind == Kind::Read && com.fr.get(x, w1) {
                return Err(Failure { axiom: "coWR-Exp", events: vec![w1, x] });
            }
        }
        // Atomicity, with herd's exception for the thread's own intervening write.
        for (r, x) in ev.iter().enumerate() {
            let (Some(w), Kind::Read, Some(loc), Some(src)) = (x.rmw, x.kind, x.loc, exe.rf[r]) else { continue };
            let ws = &exe.co[loc];
            let (Some(i), Some(j)) = (ws.iter().position(|&y| y == src), ws.iter().position(|&y| y == w)) else {
                continue;
            };
            if i + 1 < j {
                let mid = &ws[i + 1..j];
                if !mid.iter().any(|&y| ev[y].core == x.core) {
                    return Err(Failure { axiom: "atomic", events: vec![r, mid[0], w] });
                }
            }
        }
        // External: ob acyclic.
        let mut ob = self.order.clone();
        for (r2, w) in com.fr.pairs() {
            if !int(r2, w) {
                for (r1, x) in ev.iter().enumerate() {
                    if x.kind == Kind::Read && po_loc.get(r1, r2) {
                        ob.set(r1, w); // Exp-haz-ob
                    }
                }
                ob.set(r2, w); // fre
            }
        }
        for (a, b) in com.rf.pairs().chain(com.co.pairs()) {
            if !int(a, b) {
                ob.set(a, b); // rfe, coe
            }
        }
        match ob.find_cycle() {
            Some(c) => Err(Failure { axiom: "external", events: c }),
            None => Ok(()),
        }
    }
}
