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
    /// The instruction had to wait before it ran (why, in the model's words).
    waited: Option<String>,
    /// A read-modify-write that orders every earlier access of its core before it.
    full_rmw: bool,
}

fn events(start: &AnyMachine, applied: &[Transition], steps: &[usize]) -> (Vec<Ev>, AnyMachine) {
    let mut m = start.clone();
    let p = m.prog().clone();
    let mut out = Vec::with_capacity(applied.len());
    // Per core: the pc of an instruction seen waiting, and why.
    let mut waiting: Vec<Option<(isa::Pc, String)>> = vec![None; m.num_cores()];
    for (idx, &t) in applied.iter().enumerate() {
        for (k, w) in waiting.iter_mut().enumerate() {
            if let Some(r) = m.blocked_reason(k) {
                *w = Some((m.core(k).pc, r));
            }
        }
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
            waited: None,
            full_rmw: false,
        };
        if let Transition::Exec { .. } = t {
            let pc = m.core(c).pc as usize;
            if let Some((wpc, why)) = waiting[c].take() {
                if wpc as usize == pc {
                    ev.waited = Some(why);
                }
            }
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
                ev.full_rmw = pv.wrote.is_some() && matches!(req, Request::Rmw { ord: isa::RmwOrd::Full, .. });
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
    (out, m)
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
    let (evs, _) = events(start, applied, steps);
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

/// Lines saying why no work can be lost from here (the search proved it):
/// the step that forces the order — a claim that must wait for its store
/// buffer now, or one that waited, or a fully ordered RMW — and the steps it
/// orders. Empty when the run shows no such step (the banner then says only
/// that every continuation was checked).
/// The core whose claim (an access to `flags`) cannot run now while its
/// store buffer (or promises) still holds entries: the step that forces the
/// order the why-safe banner explains.
pub fn waiting_claim(now: &AnyMachine) -> Option<usize> {
    let flags = now.prog().sym_by_name("flags")? as usize;
    (0..now.num_cores()).find(|&c| {
        now.blocked_reason(c).is_some()
            && matches!(now.access(c), Ok(Some(req)) if req.loc() == Some(flags))
            && !now.pending(c).is_empty()
    })
}

pub fn why_safe(start: &AnyMachine, applied: &[Transition], steps: &[usize]) -> Vec<String> {
    let p = start.prog().clone();
    let Some(flags) = p.sym_by_name("flags").map(|s| s as usize) else { return Vec::new() };
    let (evs, now) = events(start, applied, steps);
    let data_word = |l: Option<usize>| l.is_some_and(|l| p.lost_work.contains(&(l as u16)));
    let store_step = |core: usize, loc: usize, val: u64, before: usize| {
        evs.iter()
            .rev()
            .find(|e| {
                e.idx < before
                    && e.core == core
                    && matches!(e.kind, Kind::Store | Kind::Rmw)
                    && e.loc == Some(loc)
                    && e.wrote == Some(val)
            })
            .map(|e| e.step)
    };
    let name = |l: usize| p.sym_name(l as u16).to_string();
    let mut out = Vec::new();
    // (a) A claim waits right now, its core's data still buffered.
    if let Some(c) = waiting_claim(&now) {
        let why = now.blocked_reason(c).unwrap_or_default();
        let pend: Vec<String> = now
            .pending(c)
            .iter()
            .map(|e| match store_step(c, e.loc, e.val, usize::MAX) {
                Some(s) => format!("{} := {} (step {s})", name(e.loc), e.val),
                None => format!("{} := {}", name(e.loc), e.val),
            })
            .collect();
        out.push(format!(
            "Core {c}'s claim, {}, cannot run yet: it {why}. So {} reach{} memory before the claim reads flags.",
            now.next_text(c),
            pend.join(" and "),
            if pend.len() == 1 { "es" } else { "" }
        ));
        out.push(format!(
            "If the claim then finds PENDING set, the pending run clears PENDING only after that, and its func() \
             reads the new data: core {c} may safely give up."
        ));
        return out;
    }
    // (b) A claim that found PENDING set, after something ordered its core's data store before it.
    for cl in evs.iter().rev() {
        // A claim that gave up: it found PENDING set and left it set (the run's
        // xchg that clears PENDING also reads it set, but is no claim).
        let pending = |v: u64| v & workloads::irq_work::PENDING != 0;
        let gave_up = cl.loc == Some(flags)
            && cl.read.is_some_and(pending)
            && cl.wrote.is_none_or(pending)
            && matches!(cl.kind, Kind::Rmw | Kind::Load);
        if !gave_up {
            continue;
        }
        let Some(st) =
            evs.iter().rev().find(|e| e.idx < cl.idx && e.core == cl.core && e.kind == Kind::Store && data_word(e.loc))
        else {
            continue;
        };
        let (Some(loc), Some(val)) = (st.loc, st.wrote) else { continue };
        let r = cl.read.unwrap_or_default();
        let head = if let Some(why) = &cl.waited {
            let drained = evs
                .iter()
                .find(|e| {
                    e.idx > st.idx && e.idx < cl.idx && e.kind == Kind::Drain && e.core == cl.core && e.loc == st.loc
                })
                .map(|e| format!(" (it did at step {})", e.step))
                .unwrap_or_default();
            format!(
                "Step {}: core {}'s claim ({}) had to wait — it {why} — so {} := {val} (step {}) reached memory first{drained}; \
                 only then did it read flags = {r} ({}) and give up.",
                cl.step,
                cl.core,
                cl.text,
                name(loc),
                st.step,
                flag_bits(r)
            )
        } else if cl.full_rmw {
            format!(
                "Step {}: core {}'s claim ({}) is a fully ordered read-modify-write: {} := {val} (step {}) was visible \
                 to every core before it read flags = {r} ({}) and gave up.",
                cl.step,
                cl.core,
                cl.text,
                name(loc),
                st.step,
                flag_bits(r)
            )
        } else {
            continue;
        };
        out.push(head);
        let read = evs.iter().find(|e| e.func_load && e.idx > cl.idx && e.loc == Some(loc) && e.read == Some(val));
        out.push(match read {
            Some(e) => format!(
                "The pending run cleared PENDING after that, so its func() read {} = {val} (step {}): nothing lost.",
                name(loc),
                e.step
            ),
            None => format!(
                "The pending run clears PENDING only after that, so its func() will read {} = {val}.",
                name(loc)
            ),
        });
        return out;
    }
    out
}
