//! Why work was lost, in words, derived from the trace: the last `func()` load
//! of the lost data word, the producer's store of the value it missed, where
//! that store was at the moment of the load (still in a store buffer? written
//! but not yet seen?), and the producer's claim that gave up.

use crate::snapshot::flag_bits;
use isa::Instr;
use memmodels::{InternalEffect, Request};
use sim::{AnyMachine, Effect, Transition, Violation};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Load,
    Store,
    Rmw,
    Drain,
    Promise,
    Other,
}

/// One applied transition, as the explanation needs it.
#[derive(Clone, Debug)]
struct Ev {
    idx: usize,
    step: usize,
    core: usize,
    kind: Kind,
    loc: Option<usize>,
    read: Option<u64>,
    wrote: Option<u64>,
    buffered: bool,
    /// A load whose value the next instruction records with `observe` (func()'s read).
    func_load: bool,
    /// Is the cmpxchg that failed (reads only)?
    failed_cas: bool,
    text: String,
    /// Every core's in-flight entries `(loc, val)` just before this step (func() loads only).
    pending_before: Vec<Vec<(usize, u64)>>,
}

fn events(start: &AnyMachine, applied: &[Transition], steps: &[usize]) -> Vec<Ev> {
    let mut m = start.clone();
    let p = m.prog().clone();
    let mut out = Vec::with_capacity(applied.len());
    for (idx, &t) in applied.iter().enumerate() {
        let c = t.core();
        let mut ev = Ev {
            idx,
            step: steps.get(idx).copied().unwrap_or(0),
            core: c,
            kind: Kind::Other,
            loc: None,
            read: None,
            wrote: None,
            buffered: false,
            func_load: false,
            failed_cas: false,
            text: String::new(),
            pending_before: Vec::new(),
        };
        if let Transition::Exec { .. } = t {
            let pc = m.core(c).pc as usize;
            ev.text = m.next_text(c);
            if let (Ok(Some(req)), Some(pv)) = (m.access(c), m.preview(t)) {
                ev.loc = req.loc();
                ev.read = pv.read;
                ev.wrote = pv.wrote;
                ev.buffered = pv.buffered;
                ev.kind = match req {
                    Request::Load { .. } => Kind::Load,
                    Request::Store { .. } => Kind::Store,
                    Request::Rmw { .. } => Kind::Rmw,
                    Request::Fence(_) => Kind::Other,
                };
                ev.failed_cas = ev.kind == Kind::Rmw && pv.wrote.is_none();
                if let (Kind::Load, Some(Instr::Observe { sym, .. })) = (ev.kind, p.code.get(pc + 1)) {
                    ev.func_load = Some(*sym as usize) == ev.loc;
                }
                if ev.func_load {
                    ev.pending_before =
                        (0..m.num_cores()).map(|k| m.pending(k).iter().map(|e| (e.loc, e.val)).collect()).collect();
                }
            }
        }
        match m.apply(t) {
            Ok(Effect::Internal { effect: InternalEffect::Drained { loc, val }, .. }) => {
                ev.kind = Kind::Drain;
                ev.loc = Some(loc);
                ev.wrote = Some(val);
            }
            Ok(Effect::Promised { loc, val, .. }) => {
                ev.kind = Kind::Promise;
                ev.loc = Some(loc);
                ev.wrote = Some(val);
            }
            Ok(_) => {}
            Err(_) => break,
        }
        out.push(ev);
    }
    out
}

/// Lines explaining violation `v` reached by `applied` from `start` (empty when
/// there is nothing more to say than the violation itself).
pub fn explain(start: &AnyMachine, applied: &[Transition], steps: &[usize], v: &Violation) -> Vec<String> {
    let Violation::LostWork { word, value, .. } = v else { return Vec::new() };
    lost_work(start, applied, steps, word, *value)
}

fn lost_work(start: &AnyMachine, applied: &[Transition], steps: &[usize], word: &str, value: u64) -> Vec<String> {
    let p = start.prog().clone();
    let Some(l) = p.sym_by_name(word).map(|s| s as usize) else { return Vec::new() };
    let evs = events(start, applied, steps);
    let writes = |e: &&Ev| matches!(e.kind, Kind::Store | Kind::Rmw) && e.loc == Some(l) && e.wrote == Some(value);
    let st = evs.iter().rev().find(writes);
    let ld = evs.iter().rev().find(|e| e.func_load && e.loc == Some(l));
    let mut out = Vec::new();
    let (Some(st), Some(ld)) = (st, ld) else {
        if ld.is_none() {
            out.push(format!("No func() call ever read {word}."));
        }
        return out;
    };
    let (pr, rd) = (st.core, ld.core);
    let got = ld.read.unwrap_or_default();
    if st.idx > ld.idx {
        out.push(format!(
            "Step {}: core {rd}'s func() read {word} = {got}; core {pr} wrote {word} := {value} only later, at step {}.",
            ld.step, st.step
        ));
    } else {
        let in_flight = ld.pending_before.get(pr).is_some_and(|v| v.contains(&(l, value)));
        if in_flight && st.buffered {
            let drained = evs
                .iter()
                .find(|e| e.idx > ld.idx && e.kind == Kind::Drain && e.core == pr && e.loc == Some(l))
                .map(|e| format!(" It reached memory only at step {}.", e.step))
                .unwrap_or_default();
            out.push(format!(
                "Step {}: core {rd}'s func() loaded {word} and read {got}, because core {pr}'s store {word} := {value} \
                 (step {}) was still in core {pr}'s store buffer, invisible to core {rd}.{drained}",
                ld.step, st.step
            ));
        } else if in_flight {
            out.push(format!(
                "Step {}: core {rd}'s func() loaded {word} and read {got}: core {pr}'s write {word} := {value} \
                 (step {}) was still outstanding.",
                ld.step, st.step
            ));
        } else {
            out.push(format!(
                "Step {}: core {rd}'s func() loaded {word} and read {got}, an older write, although core {pr} had \
                 written {word} := {value} at step {}: nothing made core {rd}'s load wait for it.",
                ld.step, st.step
            ));
        }
    }
    // The producer's claim: its last read of the flags word after its store.
    let flags = p.sym_by_name("flags").map(|s| s as usize);
    let claim = evs.iter().rev().find(|e| e.core == pr && e.idx > st.idx && e.loc == flags && e.read.is_some());
    if let (Some(f), Some(c)) = (flags, claim) {
        let r = c.read.unwrap_or_default();
        if r & workloads::irq_work::PENDING != 0 {
            let cleared = evs.iter().rev().find(|e| {
                e.core == rd
                    && e.idx < ld.idx
                    && e.loc == Some(f)
                    && e.wrote.is_some_and(|w| w & workloads::irq_work::PENDING == 0)
            });
            let when = match cleared {
                Some(x) if x.idx < c.idx => format!(
                    " although core {rd} had already cleared PENDING at step {} — core {pr} read an older value",
                    x.step
                ),
                Some(x) => format!("; core {rd} cleared PENDING only afterwards, at step {}, then read {word}", x.step),
                None => String::new(),
            };
            let promised = evs
                .iter()
                .find(|e| e.kind == Kind::Promise && e.idx < c.idx && e.loc == Some(f) && e.wrote == Some(r))
                .map(|e| format!(", a write core {} had promised at step {}", e.core, e.step))
                .unwrap_or_default();
            out.push(format!(
                "Step {}: core {pr}'s claim ({}) read flags = {r} ({}{promised}){when}. So core {pr} gave up, trusting \
                 the pending run to see {word} = {value}.",
                c.step,
                c.text,
                flag_bits(r)
            ));
        }
        out.push(start.overtaking(pr, "flags", word, c.failed_cas));
    }
    out
}
