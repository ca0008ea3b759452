//! linux-kernel.cat (herd7 7.57's catalogue copy, with its `lock.cat` and
//! `linux-kernel.bell`) over one candidate execution. Each relation is built as
//! the `.cat` file defines it; the definitions are restated in the comments.

use super::rel::{all, members, Set, R};
use super::tag::*;
use super::{Event, Exec, Kind};

/// The axiom a candidate breaks (`.cat` names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axiom {
    pub name: &'static str,
    /// Events of a cycle (or of the offending pair) of the axiom's relation.
    pub events: Vec<usize>,
}

/// Everything that depends only on the events, computed once per set of events.
#[derive(Clone, Debug)]
pub struct Static {
    n: usize,
    // Sets.
    w: Set,
    m: Set,
    iw: Set,
    marked: Set,
    plain: Set,
    lkr: Set,
    lkw: Set,
    ul: Set,
    r4rmb: Set,
    not_noreturn: Set,
    // Relations.
    po: R,
    po_opt: R,
    po_loc: R,
    int: R,
    ext: R,
    rmw: R,
    addr: R,
    data: R,
    ctrl: R,
    acq_po: R,
    po_rel: R,
    rmb: R,
    wmb: R,
    /// `mb` without its `after-unlock-lock` part (which depends on `co`).
    mb0: R,
    /// `fencerel(After-unlock-lock) ; [M]`, when the test has such fences.
    aul: Option<R>,
    gp: R,
    rcu_rscsi: R,
    srcu_rscsi: R,
    sync_rcu: Set,
    sync_srcu: Set,
    has_rcu: bool,
    same_loc: R,
    /// `fencerel(Rmb)` (for the plain-access bounds).
    fencerel_rmb: R,
    /// herd 7.57's lock.cat gives an `RU` event that has an internal source
    /// (`rfi-ru`: the po-latest earlier `UL` of its thread, with no `LKW`
    /// between) an external source as well (`rfe-ru` is chosen for every `RU`),
    /// so such a candidate always breaks coherence: the (UL, RU) pair.
    ru_double_rf: Option<(usize, usize)>,
}

fn set_of(ev: &[Event], f: impl Fn(&Event) -> bool) -> Set {
    ev.iter().enumerate().filter(|(_, e)| f(e)).fold(0, |s, (i, _)| s | 1 << i)
}

/// `fencerel(S) = (po & (_ * S)) ; po`
fn fencerel(po: &R, s: Set) -> R {
    po.to(s).seq(po)
}

impl Static {
    /// The static relations of `ev`. Panics when there are more than
    /// [`super::rel::MAX_EVENTS`] events (callers check first).
    pub fn new(ev: &[Event]) -> Static {
        let n = ev.len();
        assert!(n <= super::rel::MAX_EVENTS, "{n} events; at most {} are supported", super::rel::MAX_EVENTS);
        let tagged = |t: u32| set_of(ev, |e| e.is(t));
        let rd = set_of(ev, |e| e.kind == Kind::Read);
        let w = set_of(ev, |e| matches!(e.kind, Kind::Write | Kind::Init));
        let m = rd | w;
        let iw = set_of(ev, |e| e.kind == Kind::Init);
        let lkr = tagged(LKR);
        let lkw = tagged(LKW);
        let ul = tagged(UL);
        let mut po = R::empty(n);
        let mut int = R::empty(n);
        let mut same_loc = R::empty(n);
        for (a, x) in ev.iter().enumerate() {
            for (b, y) in ev.iter().enumerate() {
                if x.core == y.core {
                    int.set(a, b);
                    if x.core.is_some() && x.po < y.po {
                        po.set(a, b);
                    }
                }
                if x.loc.is_some() && x.loc == y.loc {
                    same_loc.set(a, b);
                }
            }
        }
        let ext = R { rows: int.rows.iter().map(|&r| !r & all(n)).collect() };
        let po_loc = po.inter(&same_loc);
        // rmw: the atomic pairs, and lock.cat's lk-rmw (LKR to its LKW).
        let mut rmw = R::empty(n);
        for (a, x) in ev.iter().enumerate() {
            if let (Kind::Read, Some(b)) = (x.kind, x.rmw) {
                rmw.set(a, b);
            }
        }
        // Marked = (~M) | IW | Once | Release | Acquire | domain(rmw) | range(rmw)
        //          | LKR | LKW | UL | LF | RL | RU
        let marked = (!m & all(n))
            | iw
            | tagged(ONCE | RELEASE | ACQUIRE | LKR | LKW | UL | LF | RU)
            | rmw.domain()
            | rmw.range();
        let plain = m & !marked;
        let noreturn = tagged(NORETURN);
        // lock.cat: Acquire = Acquire | LKR, Release = Release | UL.
        let acquire = tagged(ACQUIRE) | lkr;
        let release = tagged(RELEASE) | ul;
        let dep = |f: fn(&Event) -> Set| {
            let mut d = R::empty(n);
            for (b, y) in ev.iter().enumerate() {
                for a in members(f(y)) {
                    d.set(a, b);
                }
            }
            d
        };
        let addr = dep(|e| e.addr).restrict(rd, m);
        let data = dep(|e| e.data).restrict(rd, w);
        let ctrl = dep(|e| e.ctrl).restrict(rd, !0);
        // acq-po = [Acquire] ; po ; [M];   po-rel = [M] ; po ; [Release]
        let acq_po = po.restrict(acquire, m);
        let po_rel = po.restrict(m, release);
        // R4rmb = R \ Noreturn; rmb = [R4rmb] ; fencerel(Rmb) ; [R4rmb]
        let r4rmb = rd & !noreturn;
        let fencerel_rmb = fencerel(&po, tagged(RMB));
        let rmb = fencerel_rmb.restrict(r4rmb, r4rmb);
        // wmb = [W] ; fencerel(Wmb) ; [W]
        let wmb = fencerel(&po, tagged(WMB)).restrict(w, w);
        // mb = ([M] ; fencerel(Mb) ; [M])
        //    | ([M] ; fencerel(Before-atomic) ; [RMW] ; po? ; [M])
        //    | ([M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M])
        //    | ([M] ; po? ; [LKW] ; fencerel(After-spinlock) ; [M])
        //    | ([M] ; po ; [UL] ; (co | po) ; [LKW] ; fencerel(After-unlock-lock) ; [M])
        let po_opt = po.opt();
        let rmw_set = tagged(ATOMIC);
        let mut mb0 = fencerel(&po, tagged(MB)).restrict(m, m);
        if tagged(BEFORE_ATOMIC) != 0 {
            mb0.union_with(&fencerel(&po, tagged(BEFORE_ATOMIC)).restrict(m, rmw_set).seq(&po_opt).to(m));
        }
        if tagged(AFTER_ATOMIC) != 0 {
            mb0.union_with(&po_opt.restrict(m, rmw_set).seq(&fencerel(&po, tagged(AFTER_ATOMIC))).to(m));
        }
        if tagged(AFTER_SPINLOCK) != 0 {
            mb0.union_with(&po_opt.restrict(m, lkw).seq(&fencerel(&po, tagged(AFTER_SPINLOCK))).to(m));
        }
        let aul = (tagged(AFTER_UNLOCK_LOCK) != 0).then(|| fencerel(&po, tagged(AFTER_UNLOCK_LOCK)).to(m));
        // gp = po ; [Sync-rcu | Sync-srcu] ; po?
        let sync_rcu = tagged(SYNC_RCU);
        let sync_srcu = tagged(SYNC_SRCU);
        let gp = po.to(sync_rcu | sync_srcu).seq(&po_opt);
        // rcu-rscs: matching rcu_read_lock/unlock pairs (innermost first), per
        // thread; srcu-rscs likewise per srcu_struct.
        let (rcu_rscs, srcu_rscs) = critical_sections(ev);
        let has_rcu = (sync_rcu | sync_srcu | tagged(RCU_LOCK | RCU_UNLOCK | SRCU_LOCK | SRCU_UNLOCK)) != 0;
        // rfi-ru = ([UL] ; po-loc ; [RU]) \ ([UL] ; po-loc ; [LKW] ; po-loc)
        let ul_ru = po_loc.restrict(ul, tagged(RU));
        let rfi_ru = ul_ru.diff(&po_loc.restrict(ul, lkw).seq(&po_loc));
        let ru_double_rf = rfi_ru.pairs().next();
        Static {
            n,
            w,
            m,
            iw,
            marked,
            plain,
            lkr,
            lkw,
            ul,
            r4rmb,
            not_noreturn: !noreturn & all(n),
            po,
            po_opt,
            po_loc,
            int,
            ext,
            rmw,
            addr,
            data,
            ctrl,
            acq_po,
            po_rel,
            rmb,
            wmb,
            mb0,
            aul,
            gp,
            rcu_rscsi: rcu_rscs.inverse(),
            srcu_rscsi: srcu_rscs.inverse(),
            sync_rcu,
            sync_srcu,
            has_rcu,
            same_loc,
            fencerel_rmb,
            ru_double_rf,
        }
    }

    /// Whether the test has plain (unmarked) accesses.
    pub fn has_plain(&self) -> bool {
        self.plain != 0
    }

    /// Checks a candidate whose events are those this was built for.
    pub fn check(&self, x: &Exec) -> Result<(), Axiom> {
        let n = self.n;
        let mut rf = R::empty(n);
        for (r, w) in x.rf.iter().enumerate() {
            if let Some(w) = w {
                rf.set(*w, r);
            }
        }
        let mut co = R::empty(n);
        for ws in &x.co {
            for i in 0..ws.len() {
                for j in i + 1..ws.len() {
                    co.set(ws[i], ws[j]);
                }
            }
        }
        // fr = rf^-1 ; co
        let fr = rf.inverse().seq(&co);
        let com = rf.union(&co).union(&fr);
        // acyclic po-loc | com as coherence
        let coh = self.po_loc.restrict(self.m, self.m).union(&com);
        if let Some(c) = coh.cycle() {
            return Err(Axiom { name: "coherence", events: c });
        }
        // empty rmw & (fre ; coe) as atomic
        let fre = fr.inter(&self.ext);
        let coe = co.inter(&self.ext);
        let bad = self.rmw.inter(&fre.seq(&coe));
        if let Some((a, b)) = bad.pairs().next() {
            return Err(Axiom { name: "atomic", events: vec![a, b] });
        }
        self.check_order(&rf, &co, &fr)
    }

    /// The ordering axioms (`happens-before`, `propagation`, `rcu`,
    /// `plain-coherence`), for a candidate already known to be coherent and atomic.
    pub fn check_order(&self, rf: &R, co: &R, fr: &R) -> Result<(), Axiom> {
        if let Some((u, r)) = self.ru_double_rf {
            return Err(Axiom { name: "coherence", events: vec![u, r] });
        }
        let n = self.n;
        let marked = self.marked;
        let rfe = rf.inter(&self.ext);
        let rfi = rf.inter(&self.int);
        // mb, with its after-unlock-lock part:
        // [M] ; po ; [UL] ; (co | po) ; [LKW] ; fencerel(After-unlock-lock) ; [M]
        let mut mb = self.mb0.clone();
        if let Some(aul) = &self.aul {
            let part = self.po.restrict(self.m, self.ul).seq(&co.union(&self.po).to(self.lkw)).seq(aul);
            mb.union_with(&part);
        }
        // strong-fence = mb | gp; nonrw-fence = strong-fence | po-rel | acq-po;
        // fence = nonrw-fence | wmb | rmb
        let strong = mb.union(&self.gp);
        let nonrw = strong.union(&self.po_rel).union(&self.acq_po);
        let fence = nonrw.union(&self.wmb).union(&self.rmb);
        // po-unlock-rf-lock-po = po ; [UL] ; rf ; [LKR] ; po
        let pulp = self.po.to(self.ul).seq(&rf.to(self.lkr)).seq(&self.po);
        // dep = addr | data; rwdep = (dep | ctrl) ; [W]; overwrite = co | fr
        let dep = self.addr.union(&self.data);
        let rwdep = dep.union(&self.ctrl).to(self.w);
        let overwrite = co.union(fr);
        // to-w = rwdep | (overwrite & int) | (addr ; [Plain] ; wmb)
        let to_w = rwdep.union(&overwrite.inter(&self.int)).union(&self.addr.to(self.plain).seq(&self.wmb));
        // to-r = addr | (dep ; [Marked] ; rfi)
        let to_r = self.addr.union(&dep.to(marked).seq(&rfi));
        // ppo = to-r | to-w | fence | (po-unlock-rf-lock-po & int)
        let ppo = to_r.union(&to_w).union(&fence).union(&pulp.inter(&self.int));
        // A-cumul(r) = (rfe ; [Marked])? ; r
        // cumul-fence = [Marked] ; (A-cumul(strong-fence | po-rel) | wmb |
        //               po-unlock-rf-lock-po) ; [Marked]
        let rfe_m_opt = rfe.to(marked).opt();
        let cumul = rfe_m_opt.seq(&strong.union(&self.po_rel)).union(&self.wmb).union(&pulp).restrict(marked, marked);
        // prop = [Marked] ; (overwrite & ext)? ; cumul-fence* ; [Marked] ; rfe? ; [Marked]
        let prop =
            overwrite.inter(&self.ext).opt().from(marked).seq(&cumul.star()).to(marked).seq(&rfe.opt()).to(marked);
        // hb = [Marked] ; (ppo | rfe | ((prop \ id) & int)) ; [Marked]
        let prop_int = prop.diff(&R::id_all(n)).inter(&self.int);
        let hb = ppo.union(&rfe).union(&prop_int).restrict(marked, marked);
        if let Some(c) = hb.cycle() {
            return Err(Axiom { name: "happens-before", events: c });
        }
        // pb = prop ; strong-fence ; hb* ; [Marked]
        let hb_star = hb.star();
        let pb = prop.seq(&strong).seq(&hb_star).to(marked);
        if let Some(c) = pb.cycle() {
            return Err(Axiom { name: "propagation", events: c });
        }
        let pb_star = pb.star();
        // RCU.
        let mut rcu_fence = R::empty(n);
        let mut rb = R::empty(n);
        if self.has_rcu {
            // rcu-link = po? ; hb* ; pb* ; prop ; po
            let link = self.po_opt.seq(&hb_star).seq(&pb_star).seq(&prop).seq(&self.po);
            let rcu_gp = R::id(n, self.sync_rcu);
            let srcu_gp = R::id(n, self.sync_srcu);
            let order = rcu_order(&rcu_gp, &srcu_gp, &self.rcu_rscsi, &self.srcu_rscsi, &link, &self.same_loc);
            // rcu-fence = po ; rcu-order ; po?
            rcu_fence = self.po.seq(&order).seq(&self.po_opt);
            // rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]
            rb = prop.seq(&rcu_fence).seq(&hb_star).seq(&pb_star).to(marked);
            if let Some(i) = (0..n).find(|&i| rb.get(i, i)) {
                return Err(Axiom { name: "rcu", events: vec![i] });
            }
        }
        if self.plain != 0 {
            self.plain_coherence(rf, co, fr, &rfe, &hb, &pb, &rb, &cumul, &strong, &nonrw, &fence, &rcu_fence)?;
        }
        Ok(())
    }

    /// The plain-access part: `empty (wr-incoh | rw-incoh | ww-incoh) as plain-coherence`.
    #[allow(clippy::too_many_arguments)]
    fn plain_coherence(
        &self,
        rf: &R,
        co: &R,
        fr: &R,
        rfe: &R,
        hb: &R,
        pb: &R,
        rb: &R,
        cumul: &R,
        strong: &R,
        nonrw: &R,
        fence: &R,
        rcu_fence: &R,
    ) -> Result<(), Axiom> {
        let n = self.n;
        let marked = self.marked;
        // After the RCU section: fence = fence | rcu-fence; strong-fence = strong-fence | rcu-fence
        let fence2 = fence.union(rcu_fence);
        let strong2 = strong.union(rcu_fence);
        // xbstar = (hb | pb | rb)*
        let xbstar = hb.union(pb).union(rb).star();
        // vis = cumul-fence* ; rfe? ; [Marked] ;
        //       ((strong-fence ; [Marked] ; xbstar) | (xbstar & int))
        let vis = cumul
            .star()
            .seq(&rfe.opt())
            .to(marked)
            .seq(&strong2.to(marked).seq(&xbstar).union(&xbstar.inter(&self.int)));
        // w-pre-bounded = [Marked] ; (addr | fence)?
        let w_pre = self.addr.union(&fence2).opt().from(marked);
        // r-pre-bounded = [Marked] ; (addr | nonrw-fence | ([R4rmb] ; fencerel(Rmb) ; [~Noreturn]))?
        let rmb_part = self.fencerel_rmb.restrict(self.r4rmb, self.not_noreturn);
        let r_pre = self.addr.union(nonrw).union(&rmb_part).opt().from(marked);
        // w-post-bounded = fence? ; [Marked]
        let w_post = fence2.opt().to(marked);
        // r-post-bounded = (nonrw-fence | ([~Noreturn] ; fencerel(Rmb) ; [R4rmb]))? ; [Marked]
        let r_post = nonrw.union(&self.fencerel_rmb.restrict(self.not_noreturn, self.r4rmb)).opt().to(marked);
        // ww-vis = fence | (strong-fence ; xbstar ; w-pre-bounded) | (w-post-bounded ; vis ; w-pre-bounded)
        let ww_vis = fence2.union(&strong2.seq(&xbstar).seq(&w_pre)).union(&w_post.seq(&vis).seq(&w_pre));
        // wr-vis = fence | (strong-fence ; xbstar ; r-pre-bounded) | (w-post-bounded ; vis ; r-pre-bounded)
        let wr_vis = fence2.union(&strong2.seq(&xbstar).seq(&r_pre)).union(&w_post.seq(&vis).seq(&r_pre));
        // rw-xbstar = fence | (r-post-bounded ; xbstar ; w-pre-bounded)
        let rw_xbstar = fence2.union(&r_post.seq(&xbstar).seq(&w_pre));
        // pre-race = ext & ((Plain * M) | ((M \ IW) * Plain))
        let mut pre_race = R::empty(n);
        for a in 0..n {
            let plain_a = self.plain >> a & 1 == 1;
            let m_a = self.m >> a & 1 == 1;
            let row = if plain_a { self.m } else { 0 } | if m_a && self.iw >> a & 1 == 0 { self.plain } else { 0 };
            pre_race.rows[a] = row & self.ext.rows[a];
        }
        // wr-incoh = pre-race & rf & rw-xbstar^-1
        // rw-incoh = pre-race & fr & wr-vis^-1
        // ww-incoh = pre-race & co & ww-vis^-1
        let wr = pre_race.inter(rf).inter(&rw_xbstar.inverse());
        let rw = pre_race.inter(fr).inter(&wr_vis.inverse());
        let ww = pre_race.inter(co).inter(&ww_vis.inverse());
        if let Some((a, b)) = wr.union(&rw).union(&ww).pairs().next() {
            return Err(Axiom { name: "plain-coherence", events: vec![a, b] });
        }
        Ok(())
    }
}

/// rcu-order, the least fixpoint of:
///   rcu-gp | srcu-gp
///   | (rcu-gp ; rcu-link ; rcu-rscsi) | ((srcu-gp ; rcu-link ; srcu-rscsi) & loc)
///   | (rcu-rscsi ; rcu-link ; rcu-gp) | ((srcu-rscsi ; rcu-link ; srcu-gp) & loc)
///   | (rcu-gp ; rcu-link ; rcu-order ; rcu-link ; rcu-rscsi)
///   | ((srcu-gp ; rcu-link ; rcu-order ; rcu-link ; srcu-rscsi) & loc)
///   | (rcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; rcu-gp)
///   | ((srcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; srcu-gp) & loc)
///   | (rcu-order ; rcu-link ; rcu-order)
fn rcu_order(rcu_gp: &R, srcu_gp: &R, rcu_rscsi: &R, srcu_rscsi: &R, link: &R, same_loc: &R) -> R {
    let base = rcu_gp
        .union(srcu_gp)
        .union(&rcu_gp.seq(link).seq(rcu_rscsi))
        .union(&srcu_gp.seq(link).seq(srcu_rscsi).inter(same_loc))
        .union(&rcu_rscsi.seq(link).seq(rcu_gp))
        .union(&srcu_rscsi.seq(link).seq(srcu_gp).inter(same_loc));
    let mut order = base.clone();
    loop {
        let mid = link.seq(&order).seq(link);
        let next = base
            .union(&rcu_gp.seq(&mid).seq(rcu_rscsi))
            .union(&srcu_gp.seq(&mid).seq(srcu_rscsi).inter(same_loc))
            .union(&rcu_rscsi.seq(&mid).seq(rcu_gp))
            .union(&srcu_rscsi.seq(&mid).seq(srcu_gp).inter(same_loc))
            .union(&order.seq(link).seq(&order));
        if next == order {
            return order;
        }
        order = next;
    }
}

/// The matched pairs of `rcu_read_lock()`/`rcu_read_unlock()` (per thread) and
/// of `srcu_read_lock()`/`srcu_read_unlock()` (per thread and `srcu_struct`),
/// innermost pairs first, as `linux-kernel.bell`'s `rcu-rscs`/`srcu-rscs`.
fn critical_sections(ev: &[Event]) -> (R, R) {
    let n = ev.len();
    let mut rcu = R::empty(n);
    let mut srcu = R::empty(n);
    let mut order: Vec<usize> = (0..n).filter(|&e| ev[e].core.is_some()).collect();
    order.sort_by_key(|&e| (ev[e].core, ev[e].po));
    let mut stack: Vec<usize> = Vec::new();
    let mut sstack: Vec<usize> = Vec::new();
    let mut core = None;
    for e in order {
        if ev[e].core != core {
            core = ev[e].core;
            stack.clear();
            sstack.clear();
        }
        if ev[e].is(RCU_LOCK) {
            stack.push(e);
        } else if ev[e].is(RCU_UNLOCK) {
            if let Some(l) = stack.pop() {
                rcu.set(l, e);
            }
        } else if ev[e].is(SRCU_LOCK) {
            sstack.push(e);
        } else if ev[e].is(SRCU_UNLOCK) {
            if let Some(k) = sstack.iter().rposition(|&l| ev[l].loc == ev[e].loc) {
                let l = sstack.remove(k);
                srcu.set(l, e);
            }
        }
    }
    (rcu, srcu)
}
