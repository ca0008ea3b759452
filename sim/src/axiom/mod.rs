//! Axiomatic memory models over execution graphs, and the cross-check of the
//! operational models against them.
//!
//! What each checker implements (events and relations as in [`crate::graph`]):
//!
//! All three require `rmw ⊆ fr` of a candidate (see [`Checker::herd_strict`]).
//!
//! * **SC** (herd's `sc.cat`): `empty rmw & (fre; coe)` (atomic) and
//!   `acyclic po | rf | co | fr` (sc).
//! * **x86-TSO** (herd's `x86tso.cat`): `acyclic po-loc | rf | co | fr`
//!   (uniproc); `empty rmw & (fre; coe)` (atomic); and `acyclic ghb` (tso) with
//!   `ghb = ppo | mfence | implied | rfe | fr | co`, where `ppo = po & (W*W | R*M)`
//!   (program order minus write→read), `mfence = po; [MFENCE]; po`, and
//!   `implied` = the write→read po pairs with a locked access at either end (the
//!   read or write of an RMW instruction: x86's LOCK prefix and XCHG). Programs
//!   imported from AArch64 keep their instructions' shapes: a store-exclusive is
//!   locked (the operational TSO model drains the buffer before it), and a
//!   failed one counts as an MFENCE; acquire/release annotations mean nothing.
//! * **ARMv8** (herd7 7.57's `aarch64.cat`, as `shared/reference/arm-model.md`
//!   §1 restates it): the internal-visibility axioms `coRW1`, `coWW`, `coWR`;
//!   `atomic` with its own-write exception; and acyclic `ob` (external), with
//!   `ob = hw-reqs | rfe | coe | fre`, `hw-reqs = lob | pick-lob | CSE-ob |
//!   Exp-haz-ob`, and `lob` the closure of `lws | dob | pob | aob | bob` — see
//!   [`arm`].
//!
//! [`enumerate`] builds every candidate execution of a loop-free program (herd's
//! method) to compare final-state sets; [`crosscheck`] runs both sides.

pub mod arm;
pub mod crosscheck;
pub mod enumerate;
pub mod explain;
pub mod gen;
pub mod rel;

use crate::graph::{Event, EventId, Execution, Kind};
use memmodels::ModelKind;
use rel::Rel;

/// Why an execution is not consistent with a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The axiom's name as the `.cat` file spells it (`sc`, `tso`, `external`, ...).
    pub axiom: &'static str,
    /// A cycle (or the offending events) of the axiom's relation.
    pub events: Vec<EventId>,
}

/// A model's checker for executions over one fixed set of events: the parts
/// that depend only on the events (program order, dependencies, fences) are
/// computed once, `rf` and `co` per candidate.
#[derive(Clone, Debug)]
pub struct Checker {
    model: ModelKind,
    /// SC: po; TSO: ppo | mfence | implied; ARM: lob | pick-lob | CSE-ob.
    order: Rel,
    po_loc: Rel,
    arm: Option<arm::ArmStatic>,
    /// Require `rmw ⊆ fr` (see [`Checker::herd_strict`]).
    rmw_wf: bool,
}

/// The communication relations of one candidate.
pub(crate) struct Com {
    pub rf: Rel,
    pub co: Rel,
    pub fr: Rel,
}

fn is_mem(e: &Event) -> bool {
    matches!(e.kind, Kind::Read | Kind::Write)
}

/// Strict program order between two events of one core.
pub(crate) fn po(ev: &[Event], a: usize, b: usize) -> bool {
    ev[a].po_before(&ev[b])
}

/// A fence of a kind accepted by `f` lies po-between `a` and `b`.
pub(crate) fn fence_between(ev: &[Event], a: usize, b: usize, f: impl Fn(&Event) -> bool) -> bool {
    po(ev, a, b)
        && ev.iter().any(|x| x.core == ev[a].core && f(x) && ev[a].instance < x.instance && x.instance < ev[b].instance)
}

impl Checker {
    pub fn new(events: &[Event], model: ModelKind) -> Checker {
        let n = events.len();
        let mut po_loc = Rel::new(n);
        let mut po_m = Rel::new(n);
        for a in 0..n {
            for b in 0..n {
                if is_mem(&events[a]) && is_mem(&events[b]) && po(events, a, b) {
                    po_m.set(a, b);
                    if events[a].loc == events[b].loc {
                        po_loc.set(a, b);
                    }
                }
            }
        }
        let mut arm_static = None;
        let order = match model {
            ModelKind::Sc => po_m,
            ModelKind::Tso => {
                let locked = |e: &Event| e.locked || (e.kind == Kind::Write && e.exclusive);
                let full = |x: &Event| matches!(x.kind, Kind::Fence(isa::FenceKind::Full) | Kind::StxrFail);
                po_m.restrict(|_| true, |_| true)
                    .pairs()
                    .filter(|&(a, b)| {
                        let (x, y) = (&events[a], &events[b]);
                        let wr = x.kind == Kind::Write && y.kind == Kind::Read;
                        !wr || locked(x) || locked(y) || fence_between(events, a, b, full)
                    })
                    .fold(Rel::new(n), |mut r, (a, b)| {
                        r.set(a, b);
                        r
                    })
            }
            ModelKind::Arm => {
                let s = arm::ArmStatic::new(events, &po_loc);
                let o = s.order.clone();
                arm_static = Some(s);
                o
            }
        };
        Checker { model, order, po_loc, arm: arm_static, rmw_wf: true }
    }

    /// Without weaksim's well-formedness rule `rmw ⊆ fr` (an RMW's write is
    /// co-after the write its read took its value from), exactly as herd7 7.57's
    /// `sc.cat`/`x86tso.cat` state it: they do not order an RMW's read before
    /// its own write, so they admit a "successful" compare-and-swap whose write
    /// is co-before the write it read (two catalog tests show it under SC). ARM
    /// needs no such rule: `rmw` is in `ob` and `coWW` covers the rest.
    pub fn herd_strict(mut self) -> Checker {
        self.rmw_wf = false;
        self
    }

    pub(crate) fn com(exe: &Execution) -> Com {
        let n = exe.events.len();
        let (mut rf, mut co, mut fr) = (Rel::new(n), Rel::new(n), Rel::new(n));
        for (r, w) in exe.rf.iter().enumerate() {
            if let Some(w) = w {
                rf.set(*w, r);
            }
        }
        for ws in &exe.co {
            for i in 0..ws.len() {
                for j in i + 1..ws.len() {
                    co.set(ws[i], ws[j]);
                }
            }
        }
        for r in 0..n {
            for w in exe.fr_of(r) {
                fr.set(r, w);
            }
        }
        Com { rf, co, fr }
    }

    /// Checks a candidate whose events are the ones this checker was built for.
    pub fn check(&self, exe: &Execution) -> Result<(), Failure> {
        let ev = &exe.events;
        let com = Checker::com(exe);
        let ext = |a: usize, b: usize| ev[a].core != ev[b].core;
        let only = |r: &Rel, f: &dyn Fn(usize, usize) -> bool| {
            let mut o = Rel::new(r.len());
            for (a, b) in r.pairs() {
                if f(a, b) {
                    o.set(a, b);
                }
            }
            o
        };
        if let (true, Some(bad)) = (self.rmw_wf, rmw_order(exe)) {
            return Err(Failure { axiom: "rmw", events: bad });
        }
        match self.model {
            ModelKind::Sc | ModelKind::Tso => {
                if let Some(bad) = atomic_ext(exe) {
                    return Err(Failure { axiom: "atomic", events: bad });
                }
                let comm = com.rf.union(&com.co).union(&com.fr);
                if self.model == ModelKind::Sc {
                    if let Some(c) = self.order.union(&comm).find_cycle() {
                        return Err(Failure { axiom: "sc", events: c });
                    }
                } else {
                    if let Some(c) = self.po_loc.union(&comm).find_cycle() {
                        return Err(Failure { axiom: "uniproc", events: c });
                    }
                    let ghb = self.order.union(&only(&com.rf, &ext)).union(&com.co).union(&com.fr);
                    if let Some(c) = ghb.find_cycle() {
                        return Err(Failure { axiom: "tso", events: c });
                    }
                }
                Ok(())
            }
            ModelKind::Arm => self.arm.as_ref().expect("ARM checker").check(exe, &com, &self.po_loc),
        }
    }

    /// The model's preserved program order (SC: po; TSO: ppo | mfence |
    /// implied; ARM: lob | pick-lob | CSE-ob): whether `a` must be ordered before `b`.
    pub fn ordered(&self, a: EventId, b: EventId) -> bool {
        self.order.get(a, b)
    }
}

/// Well-formedness of an RMW pair: its write is co-after the write its read
/// took its value from (`rmw ⊆ fr`): an atomic update cannot read a value
/// that overwrites its own write.
fn rmw_order(exe: &Execution) -> Option<Vec<EventId>> {
    for (r, e) in exe.events.iter().enumerate() {
        let (Some(w), Kind::Read, Some(src)) = (e.rmw, e.kind, exe.rf[r]) else { continue };
        if !exe.fr_of(r).contains(&w) {
            return Some(vec![src, r, w]);
        }
    }
    None
}

/// SC's and TSO's `empty rmw & (fre; coe)`: an external write between an RMW's
/// source and its write.
fn atomic_ext(exe: &Execution) -> Option<Vec<EventId>> {
    let ev = &exe.events;
    for (r, e) in ev.iter().enumerate() {
        let (Some(w), Kind::Read, Some(loc), Some(src)) = (e.rmw, e.kind, e.loc, exe.rf[r]) else { continue };
        let ws = &exe.co[loc];
        let (Some(i), Some(j)) = (ws.iter().position(|&x| x == src), ws.iter().position(|&x| x == w)) else {
            continue;
        };
        if let Some(&x) = ws.get(i + 1..j).and_then(|mid| mid.iter().find(|&&x| ev[x].core != e.core)) {
            return Some(vec![r, x, w]);
        }
    }
    None
}

/// Checks one execution against a model.
pub fn check(exe: &Execution, model: ModelKind) -> Result<(), Failure> {
    Checker::new(&exe.events, model).check(exe)
}
