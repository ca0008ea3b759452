//! x86-TSO as herd's `x86tso.cat`: `acyclic po-loc | rf | co | fr` (uniproc);
//! `empty rmw & (fre; coe)` (atomic); and `acyclic ghb` (tso) with
//! `ghb = ppo | mfence | implied | rfe | fr | co`, where `ppo = po & (W*W | R*M)`
//! (program order minus write→read), `mfence = po; [MFENCE]; po`, and
//! `implied` = the write→read po pairs with a locked access at either end (the
//! read or write of an RMW instruction: x86's LOCK prefix and XCHG). Programs
//! imported from AArch64 keep their instructions' shapes: a store-exclusive is
//! locked (the operational TSO model drains the buffer before it), and a
//! failed one counts as an MFENCE; acquire/release annotations mean nothing.
//! Plus weaksim's `rmw ⊆ fr` unless [`CheckOptions::herd_strict`].

use crate::axiom::{
    atomic_ext, only, po_mem, remedy_common, rmw_order, Axiomatic, CheckOptions, Checker, Com, Failure,
};
use crate::graph::{Event, EventId, Execution, Kind};
use crate::rel::Rel;
use crate::ModelInfo;

/// The axiomatic x86-TSO model.
#[derive(Clone, Copy, Debug, Default)]
pub struct TsoAxioms;

struct TsoChecker {
    /// ppo | mfence | implied.
    order: Rel,
    po_loc: Rel,
    /// Each event's core, to tell `rfe` from `rfi`.
    cores: Vec<Option<usize>>,
    rmw_wf: bool,
}

/// x86's full barrier, in words.

impl Axiomatic for TsoAxioms {
    fn info(&self) -> &'static ModelInfo {
        &super::INFO
    }

    fn porf_acyclic(&self) -> bool {
        true
    }

    fn checker(&self, events: &[Event], opts: CheckOptions) -> Box<dyn Checker> {
        let (po_m, po_loc) = po_mem(events);
        let locked = |e: &Event| e.locked || (e.kind == Kind::Write && e.exclusive);
        let full =
            |x: &Event| matches!(x.kind, Kind::Fence(isa::FenceKind::Full | isa::FenceKind::StoreAll) | Kind::StxrFail);
        let fences = crate::axiom::Fences::new(events, full);
        let order = only(&po_m, |a, b| {
            let (x, y) = (&events[a], &events[b]);
            let wr = x.kind == Kind::Write && y.kind == Kind::Read;
            !wr || locked(x) || locked(y) || fences.between(events, a, b)
        });
        let cores = events.iter().map(|e| e.core).collect();
        Box::new(TsoChecker { order, po_loc, cores, rmw_wf: !opts.herd_strict })
    }

    fn keeper(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        // Every locked instruction is fully ordered on x86, whatever its suffix.
        let (x, y) = (&exe.events[a], &exe.events[b]);
        if x.locked || y.locked {
            return format!("the {} is locked: fully ordered on x86", if x.locked { x.op } else { y.op });
        }
        crate::axiom::keeper_common(exe, a, b).unwrap_or_else(|| "x86-TSO keeps every order except store → load".into())
    }

    fn remedy(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        let x = &exe.events[a];
        if x.kind == Kind::Write && exe.events[b].kind == Kind::Read {
            return format!(
                "the store was still in core {}'s store buffer when the load read memory",
                x.core.unwrap_or(0)
            );
        }
        remedy_common(exe, a, b)
    }
}

impl Checker for TsoChecker {
    fn check(&self, exe: &Execution) -> Result<(), Failure> {
        if let (true, Some(bad)) = (self.rmw_wf, rmw_order(exe)) {
            return Err(Failure { axiom: "rmw", events: bad });
        }
        if let Some(bad) = atomic_ext(exe) {
            return Err(Failure { axiom: "atomic", events: bad });
        }
        let com = Com::of(exe);
        let comm = com.rf.union(&com.co).union(&com.fr);
        if let Some(c) = self.po_loc.union(&comm).find_cycle() {
            return Err(Failure { axiom: "uniproc", events: c });
        }
        let rfe = only(&com.rf, |a, b| self.cores[a] != self.cores[b]);
        let ghb = self.order.union(&rfe).union(&com.co).union(&com.fr);
        if let Some(c) = ghb.find_cycle() {
            return Err(Failure { axiom: "tso", events: c });
        }
        Ok(())
    }

    fn ordered(&self, a: EventId, b: EventId) -> bool {
        self.order.get(a, b)
    }
}
