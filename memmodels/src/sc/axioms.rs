//! SC as herd's `sc.cat`: `empty rmw & (fre; coe)` (atomic) and
//! `acyclic po | rf | co | fr` (sc); and weaksim's `rmw ⊆ fr` unless
//! [`CheckOptions::herd_strict`].

use crate::axiom::{atomic_ext, po, po_mem, rmw_order, Axiomatic, CheckOptions, Checker, Com, Failure};
use crate::graph::{Event, EventId, Execution};
use crate::rel::Rel;
use crate::ModelInfo;

/// The axiomatic SC model.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScAxioms;

struct ScChecker {
    /// Program order between memory events.
    po_m: Rel,
    /// Program order between all events (what SC keeps).
    po_all: Rel,
    rmw_wf: bool,
}

impl Axiomatic for ScAxioms {
    fn info(&self) -> &'static ModelInfo {
        &super::INFO
    }

    fn porf_acyclic(&self) -> bool {
        true
    }

    fn checker(&self, events: &[Event], opts: CheckOptions) -> Box<dyn Checker> {
        let (po_m, _) = po_mem(events);
        let mut po_all = Rel::new(events.len());
        for a in 0..events.len() {
            for b in 0..events.len() {
                if po(events, a, b) {
                    po_all.set(a, b);
                }
            }
        }
        Box::new(ScChecker { po_m, po_all, rmw_wf: !opts.herd_strict })
    }

    fn keeper(&self, _: &Execution, _: EventId, _: EventId) -> String {
        "SC keeps all of program order".into()
    }
}

impl Checker for ScChecker {
    fn check(&self, exe: &Execution) -> Result<(), Failure> {
        if let (true, Some(bad)) = (self.rmw_wf, rmw_order(exe)) {
            return Err(Failure { axiom: "rmw", events: bad });
        }
        if let Some(bad) = atomic_ext(exe) {
            return Err(Failure { axiom: "atomic", events: bad });
        }
        let com = Com::of(exe);
        let comm = com.rf.union(&com.co).union(&com.fr);
        if let Some(c) = self.po_m.union(&comm).find_cycle() {
            return Err(Failure { axiom: "sc", events: c });
        }
        Ok(())
    }

    fn ordered(&self, a: EventId, b: EventId) -> bool {
        self.po_all.get(a, b)
    }
}
