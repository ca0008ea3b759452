//! ARMv8 (AArch64) as Promising-ARM (Pulte, Pichon-Pharabod, Kang, Lee, Hur:
//! "Promising-ARM/RISC-V: a simpler and faster operational concurrency model",
//! PLDI 2019), extended to agree with herd7 7.57's `aarch64.cat`
//! (`shared/reference/arm-model.md` §2.2).
//!
//! - Memory is a list of messages `(loc, val, core)`; a message's timestamp is its
//!   position (1-based; 0 is the initial value). The order of one location's
//!   messages is `co`. There is one memory for all cores: other-multi-copy
//!   atomicity (`obs` = `rfe | coe | fre`).
//! - Each core executes in program order, one step per instruction, and keeps
//!   views ([`ArmCore`]): `coh` per location, `vrOld/vwOld`, `vrNew/vwNew`, `vCAP`,
//!   `vRel`, the forwarding bank and the exclusive bank. A register value carries a
//!   view pair ([`Views`], the model's `Meta`): the reads it depends on.
//! - A core may *promise* a write early (a message at the end of memory it must
//!   fulfil later); `sim::certify` offers only promises the core can fulfil running
//!   alone. A run that ends with unfulfilled promises is not a final state
//!   ([`MemoryModel::quiescent`] is false while promises are outstanding).
//!
//! The rules and where each is implemented (`steps.rs`):
//! - read: `coh` (CoRR, `Exp-haz-ob`), `latest` against the pre-view (everything the
//!   read is ordered after: `dob`, `bob`, `[L]; po; [A]`), forwarding from the core's
//!   own write (`rfi` is not in `ob`; `lrs` dependencies);
//! - write: `ts > vext` (`lws`, `data`, `addr; po; [W]`, `ctrl; [W]`, `po; [L]`,
//!   barriers, acquires, pick dependencies) and `ts > coh`;
//! - DMB full / LD / ST, ISB, acquire / acquirePC / release;
//! - exclusives: a store-exclusive may succeed only on the reserved location with no
//!   other core's write in between (`atomic`), and may always fail;
//! - LSE RMWs (SWP, LD<op>, CAS) are one atomic step (extension 3); NoRet loses
//!   acquire and escapes DMB LD (extension 4); an acquire read forwarded from the
//!   core's own RMW write is ordered after the RMW's read (extension 5); a failed CAS
//!   is a read only (extension 6); a successful CAS's result register has herd's two
//!   alternative dependency structures (extension 2).

mod axioms;
mod explain;
mod state;
mod steps;
mod view;

pub use axioms::{ArmAxioms, ArmStatic};
pub use explain::{Candidate, Explanation, NextRead};
pub use state::{ArmCore, ArmShared, Fwd, Msg, Xcl};
pub use steps::{Alt, Excluded, WriteAt};
pub use view::{Ts, Views};

use crate::{
    Blocked, FenceCost, InFlight, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, Pending, Preview, Promising,
    Propagation, Request, Response, Source, Val, Write,
};
use isa::{FenceKind, RmwOrd, StoreOrd};

/// ARMv8.
pub static INFO: ModelInfo = ModelInfo {
    name: "arm",
    aliases: &["aarch64", "arm64", "armv8"],
    title: "ARMv8",
    description: "ARMv8 (AArch64), other-multi-copy-atomic: Promising-ARM's views and promises, matched to aarch64.cat",
    axioms: "herd7 7.57's aarch64.cat",
    c_mapping: isa::litmus::c::Mapping::Arm64,
};

/// ARM's promises (see `sim::certify` for which ones are offered).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArmPromises;

impl Promising<Arm> for ArmPromises {
    const ENABLED: bool = true;

    fn promise(_: &Arm, s: &mut ArmShared, cores: &mut [ArmCore], core: usize, loc: Loc, val: u64) {
        steps::promise(s, &mut cores[core], core, loc, val);
    }

    fn outstanding(_: &Arm, _: &ArmShared, cores: &[ArmCore], core: usize) -> usize {
        cores[core].prom.len()
    }

    fn close(_: &Arm, s: &mut ArmShared) {
        s.closed = true;
    }
}

/// The ARMv8 model (Promising-ARM with view pairs).
#[derive(Clone, Copy, Debug, Default)]
pub struct Arm;

impl Arm {
    /// The alternatives of `req` on `core` now, in the order of `choice`.
    pub fn alternatives(&self, s: &ArmShared, cores: &[ArmCore], core: usize, req: &Request<Views>) -> steps::Alts {
        steps::alternatives(s, &cores[core], core, req)
    }
}

impl MemoryModel for Arm {
    type Meta = Views;
    type Core = ArmCore;
    type Shared = ArmShared;
    type Promises = ArmPromises;

    fn info(&self) -> &'static ModelInfo {
        &INFO
    }

    fn new_shared(&self, init: &[u64], _cores: usize) -> ArmShared {
        ArmShared::new(init)
    }

    fn new_core(&self, _core: usize) -> ArmCore {
        ArmCore::default()
    }

    fn options(&self, s: &ArmShared, cores: &[ArmCore], core: usize, req: &Request<Views>) -> Result<u16, Blocked> {
        if s.dead {
            return Err(Blocked::Other("dead end: a write was needed that no core promised".into()));
        }
        let n = steps::alternatives(s, &cores[core], core, req).len();
        if n == 0 {
            if matches!(req, Request::Store { .. }) {
                // A write with nowhere to go: it would leave one of the core's
                // promises to the word unfulfillable (a dead end of this run).
                return Err(Blocked::Other(
                    "no place for this write keeps the core's earlier promise to the word fulfillable".into(),
                ));
            }
            // A read runs out of alternatives when every write it could take is the
            // core's own unfulfilled promise (a dead end of this run).
            let why = self.explain(s, cores, core, Some(req));
            return Err(Blocked::Other(format!("no write can be read: {}", why.read_summary())));
        }
        Ok(n as u16)
    }

    fn preview(&self, s: &ArmShared, cores: &[ArmCore], core: usize, req: &Request<Views>, choice: u16) -> Preview {
        let alts = steps::alternatives(s, &cores[core], core, req);
        let alt = alts[choice as usize];
        let mut p = Preview { read: None, source: Source::Memory, wrote: None, buffered: false };
        match (*req, alt) {
            (Request::Load { loc, .. }, Alt::Read { ts }) => {
                p.read = Some(s.val(loc, ts));
                p.source = Source::Message(ts);
            }
            (Request::Store { val, exclusive, .. }, Alt::Write { at }) => {
                p.wrote = Some(val.v);
                if exclusive {
                    p.read = Some(0);
                }
                if let WriteAt::Promise(ts) = at {
                    p.source = Source::Message(ts);
                }
            }
            (Request::Store { .. }, Alt::StoreExFail) => p.read = Some(1),
            (Request::Rmw { loc, kind, a, b, width, .. }, Alt::Rmw { rts, write, .. }) => {
                let old = s.val(loc, rts);
                p.read = Some(old);
                p.source = Source::Message(rts);
                if write.is_some() {
                    p.wrote = kind.apply(old, a.v, b.v, width);
                }
            }
            _ => {}
        }
        p
    }

    fn perform(
        &self,
        s: &mut ArmShared,
        cores: &mut [ArmCore],
        core: usize,
        req: &Request<Views>,
        choice: u16,
    ) -> Response<Views> {
        let alt = steps::alternatives(s, &cores[core], core, req)[choice as usize];
        let done = steps::perform(s, &mut cores[core], core, req, alt);
        match done.result {
            Some((v, meta)) => Response::Value(Val { v, meta }),
            None => Response::Done,
        }
    }

    fn internal(&self, _: &ArmShared, _: &[ArmCore], _: &mut Vec<Internal>) {}

    fn apply_internal(&self, _: &mut ArmShared, _: &mut [ArmCore], step: Internal) -> InternalEffect {
        unreachable!("the ARM model has no internal steps (asked for {step:?})")
    }

    /// Final only when every promise is fulfilled (Coq `Machine.exec`: `no_promise`).
    fn quiescent(&self, s: &ArmShared, cores: &[ArmCore]) -> bool {
        !s.dead && cores.iter().all(|k| k.prom.is_empty())
    }

    fn memory(&self, s: &ArmShared, loc: Loc) -> u64 {
        s.val(loc, s.latest(loc))
    }

    fn pending(&self, s: &ArmShared, cores: &[ArmCore], core: usize) -> Vec<Pending> {
        cores[core]
            .prom
            .iter()
            .map(|&ts| {
                let m = s.msg(ts);
                Pending { loc: m.loc as usize, val: m.val, note: format!("promise ts {ts}") }
            })
            .collect()
    }

    fn in_flight(&self) -> InFlight {
        InFlight::Promises
    }

    /// Every message to the word, oldest first, after the initial value.
    fn history(&self, s: &ArmShared, cores: &[ArmCore], loc: Loc) -> Vec<Write> {
        let mut ts: Vec<Ts> = s.loc_desc(loc).collect();
        ts.push(0);
        ts.reverse();
        ts.into_iter()
            .map(|t| Write {
                ts: t,
                val: s.val(loc, t),
                by: (t != 0).then(|| s.msg(t).tid as usize),
                promised: t != 0 && cores.iter().any(|k| k.promised(t)),
            })
            .collect()
    }

    /// `coh[loc]`: the newest write to the word the core has read or written.
    fn seen(&self, _: &ArmShared, cores: &[ArmCore], core: usize, loc: Loc) -> Option<u32> {
        Some(cores[core].coh(loc))
    }

    /// Before a load or RMW: which writes to the word it may read, and why not the others, in words.
    fn notes(
        &self,
        s: &ArmShared,
        cores: &[ArmCore],
        core: usize,
        next: Option<&Request<Views>>,
        name: &dyn Fn(Loc) -> String,
    ) -> Vec<String> {
        let e = self.explain(s, cores, core, next);
        let mut out = Vec::new();
        if let Some(r) = &e.next_read {
            let write = |k: &Candidate| match k.by {
                None => format!("{} (initial value)", k.val),
                Some(b) => format!("{} (t{}, core {b}'s write)", k.val, k.ts),
            };
            let may: Vec<String> = r.candidates.iter().filter(|k| k.excluded.is_none()).map(write).collect();
            let mut line = format!("next read of {} may read {}", name(r.loc), may.join(" or "));
            let not: Vec<String> = r
                .candidates
                .iter()
                .filter_map(|k| {
                    let why = match k.excluded? {
                        Excluded::Coh { .. } => "the core has already seen a newer write",
                        Excluded::Latest { .. } => "an access it is ordered after has already seen a newer write",
                        Excluded::OwnPromise => "it is the core's own promise, not yet written",
                    };
                    Some(format!("{} ({why})", write(k)))
                })
                .collect();
            if !not.is_empty() {
                line.push_str(&format!("; not {}", not.join(", nor ")));
            }
            out.push(line);
        }
        out
    }

    fn overtaking(&self, core: usize, read: &str, wrote: &str, failed_rmw: bool) -> String {
        format!(
            "ARMv8 lets core {core}'s read of {read} be satisfied before its store of {wrote} is visible to other \
             cores: nothing orders them{}.",
            if failed_rmw { " (a failed cmpxchg is only a read and carries no barrier)" } else { "" }
        )
    }

    /// Each write is a message; other cores see it later.
    fn propagation(&self) -> Propagation {
        Propagation::Messages
    }

    /// Full and store barriers, release stores and release or full RMWs wait until
    /// the core's writes are visible everywhere (the barrier's "drain").
    fn waits_for_own_writes(&self, req: &Request<Views>) -> bool {
        match *req {
            Request::Fence(f) => matches!(f, FenceKind::Full | FenceKind::StoreStore | FenceKind::StoreAll),
            Request::Store { ord, .. } => ord == StoreOrd::Release,
            Request::Rmw { ord, .. } => matches!(ord, RmwOrd::Full | RmwOrd::Release),
            Request::Load { .. } => false,
        }
    }

    /// Every DMB and ISB costs a barrier.
    fn fence_cost(&self, _: FenceKind) -> FenceCost {
        FenceCost::Barrier
    }

    /// `vCAP ⊔= view(condition)`: `ctrl; [W]` (and `pick-ctrl-dep; [W]`), and with an
    /// ISB `ctrl; [CSE]; po`.
    fn on_branch(&self, core: &mut ArmCore, cond: Views) {
        core.v_cap.join_assign(cond);
    }

    /// CSEL: the selected operand gives data (`vr` and `vw`); the condition only a
    /// pick dependency (`iico_ctrl`: `vw`). arm-model.md §1.2, extension 1.
    fn csel_meta(&self, selected: Views, cond: Views) -> Views {
        Views { r: selected.r, w: selected.w.max(cond.w) }
    }
}

#[cfg(test)]
mod tests;
