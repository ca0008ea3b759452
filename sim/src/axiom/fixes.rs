//! Fixes for an outcome, checked before anyone is told about them: for the
//! program-order edges of an explanation's cycle that the model does not keep,
//! the usual ways to order them (a release store, an acquire load, a store or
//! load fence, a full fence), each applied to a copy of the program and the
//! search run again. A change is a fix only when the outcome is then
//! unreachable; when no single change does it, changes to several edges are
//! tried together (a store-buffering cycle needs both sides).

use super::explain::Explanation;
use super::Axiomatic;
use crate::graph::{Execution, Kind};
use crate::models::Model;
use crate::{ExploreConfig, Verdict};
use isa::instr::{FenceKind, Instr, LoadOrd, Pc, RmwOrd, StoreOrd};
use isa::Program;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One change to a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edit {
    /// The store (or the RMW's write) at `pc` becomes a release.
    Release(Pc),
    /// The load (or the RMW's read) at `pc` becomes an acquire.
    Acquire(Pc),
    /// A fence of this kind goes just before the instruction at `pc` (every
    /// path to that instruction passes through it).
    FenceBefore(Pc, FenceKind),
}

/// A change and its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub edits: Vec<Edit>,
    /// "make core 0's `store [lock], 0` a release (`store.rel [lock], 0`, smp_store_release())"
    pub text: String,
}

/// What searching again with a change applied said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The outcome is unreachable with the change: a fix.
    Closes,
    /// The outcome is still reachable.
    Stays,
    /// The search stopped at a bound (or the change could not be applied): unknown.
    Unknown(String),
}

/// The result of checking fixes for one explanation.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Changes to one edge that close the outcome, in order of preference (lightest first).
    pub fixes: Vec<Candidate>,
    /// A set of changes to several edges that closes it together, when no single change does.
    pub joint: Option<Candidate>,
    /// Changes checked that leave the outcome reachable.
    pub not_enough: Vec<Candidate>,
    /// Changes whose check stopped at a bound.
    pub unknown: Vec<(Candidate, String)>,
    /// Searches run.
    pub searches: usize,
}

/// Applies `edits` to a copy of `p`; `None` when one of them does not apply
/// (no such access there, or a kernel-model program whose tags would go stale).
pub fn apply(p: &Program, edits: &[Edit]) -> Option<Program> {
    if !p.lkmm.is_empty() {
        return None;
    }
    let mut q = p.clone();
    for e in edits {
        match *e {
            Edit::Release(pc) => match q.code.get_mut(pc as usize)? {
                Instr::Store { ord, status: None, .. } => *ord = StoreOrd::Release,
                Instr::Rmw { ord, .. } => {
                    *ord = match *ord {
                        RmwOrd::Relaxed | RmwOrd::Release => RmwOrd::Release,
                        RmwOrd::Acquire | RmwOrd::Full => RmwOrd::Full,
                    }
                }
                _ => return None,
            },
            Edit::Acquire(pc) => match q.code.get_mut(pc as usize)? {
                Instr::Load { ord, .. } => *ord = LoadOrd::Acquire,
                Instr::Rmw { ord, dst: Some(_), .. } => {
                    *ord = match *ord {
                        RmwOrd::Relaxed | RmwOrd::Acquire => RmwOrd::Acquire,
                        RmwOrd::Release | RmwOrd::Full => RmwOrd::Full,
                    }
                }
                _ => return None,
            },
            Edit::FenceBefore(..) => {}
        }
    }
    // Fences last, from the highest pc down, so that earlier pcs stay put.
    let mut fences: Vec<(Pc, FenceKind)> =
        edits.iter().filter_map(|e| if let Edit::FenceBefore(pc, k) = *e { Some((pc, k)) } else { None }).collect();
    fences.sort_by_key(|f| std::cmp::Reverse(f.0));
    fences.dedup_by_key(|f| f.0);
    for (pc, kind) in fences {
        insert_fence(&mut q, pc, kind)?;
    }
    q.validate().ok()?;
    Some(q)
}

/// Puts `fence` at `at`; what was at `at` and after moves down by one. Branches,
/// labels and entry points naming `at` now name the fence, so every way into
/// the old instruction passes through it.
fn insert_fence(q: &mut Program, at: Pc, kind: FenceKind) -> Option<()> {
    if at as usize > q.code.len() || q.code.len() >= Pc::MAX as usize {
        return None;
    }
    let moved = |pc: Pc| if pc > at { pc + 1 } else { pc };
    for i in q.code.iter_mut() {
        if let Some(t) = i.target() {
            *i = i.with_target(moved(t));
        }
    }
    q.code.insert(at as usize, Instr::Fence(kind));
    for l in q.labels.iter_mut() {
        l.pc = moved(l.pc);
    }
    for c in q.cores.iter_mut() {
        c.start = moved(c.start);
        c.handler = c.handler.map(moved);
    }
    if !q.source.is_empty() {
        q.source.insert(at as usize, String::new());
    }
    if !q.target_labels.is_empty() {
        q.target_labels.insert(at as usize, String::new());
    }
    Some(())
}

/// The usual ways to keep event `a` before event `b` (program order, one
/// core), lightest first, as changes to the program.
pub fn candidates(exe: &Execution, p: &Program, a: usize, b: usize) -> Vec<Candidate> {
    let (x, y) = (&exe.events[a], &exe.events[b]);
    let (Some(pa), Some(pb)) = (x.pc, y.pc) else { return Vec::new() };
    let core = y.core.unwrap_or(0);
    let shown = |pc: Pc| format!("`{}`", p.shown_instr(pc as usize));
    let mut out = Vec::new();
    let mut push = |edit: Edit, how: &str, kernel: &str| {
        let Some(q) = apply(p, &[edit]) else { return };
        let text = match edit {
            Edit::Release(pc) | Edit::Acquire(pc) => {
                let now = isa::asm::instr_text_at(&q, pc as usize, &q.code[pc as usize]);
                format!("make core {core}'s {} {how}: `{now}` ({kernel})", shown(pc))
            }
            Edit::FenceBefore(pc, _) => format!("{how} ({kernel}) before core {core}'s {}", shown(pc)),
        };
        out.push(Candidate { edits: vec![edit], text });
    };
    let plain_store = |pc: Pc| match p.code.get(pc as usize) {
        Some(Instr::Store { ord: StoreOrd::Plain, status: None, .. }) => true,
        Some(Instr::Rmw { ord: RmwOrd::Relaxed | RmwOrd::Acquire, .. }) => true,
        _ => false,
    };
    let plain_load = |pc: Pc| match p.code.get(pc as usize) {
        Some(Instr::Load { ord: LoadOrd::Plain | LoadOrd::AcquirePc, .. }) => true,
        Some(Instr::Rmw { ord: RmwOrd::Relaxed | RmwOrd::Release, dst: Some(_), .. }) => true,
        _ => false,
    };
    if y.kind == Kind::Write && plain_store(pb) {
        push(Edit::Release(pb), "a release", "smp_store_release()");
    }
    if x.kind == Kind::Read && plain_load(pa) {
        push(Edit::Acquire(pa), "an acquire", "smp_load_acquire()");
    }
    match (x.kind, y.kind) {
        (Kind::Write, Kind::Write) => {
            push(Edit::FenceBefore(pb, FenceKind::StoreStore), "a store fence `fence.st`", "smp_wmb()")
        }
        (Kind::Read, Kind::Read | Kind::Write) => {
            push(Edit::FenceBefore(pb, FenceKind::LoadLoad), "a load fence `fence.ld`", "smp_rmb()")
        }
        _ => {}
    }
    push(Edit::FenceBefore(pb, FenceKind::Full), "a full fence `fence`", "smp_mb()");
    out
}

/// Whether the outcome `ex` explains is reachable for `p` under `model`: for a
/// program with a condition, a final state of interest (the expression's, or
/// for `forall` one where it fails); for any program, a violation.
pub fn search(model: &Model, p: Program, budget: Duration) -> Outcome {
    let forall = p.condition.as_ref().is_some_and(|c| c.quant == isa::Quantifier::Forall);
    let has_cond = p.condition.is_some();
    let m = match model.machine(Arc::new(p)) {
        Ok(m) => m,
        Err(e) => return Outcome::Unknown(e.to_string()),
    };
    let cfg = ExploreConfig {
        max_states: 2_000_000,
        timeout: Some(budget),
        stop_on_violation: true,
        reduce: true,
        threads: 1,
        ..ExploreConfig::default()
    };
    let r = m.explore(&cfg);
    if r.violation.is_some() || (has_cond && r.finals.values().any(|f| f.holds != forall)) {
        return Outcome::Stays;
    }
    match r.verdict {
        Verdict::Bounded => Outcome::Unknown(r.bound.unwrap_or_else(|| "a bound".into())),
        _ => Outcome::Closes,
    }
}

/// Checks the usual fixes for each program-order edge of `ex`'s cycle that
/// `axioms` does not keep, by searching again with each applied (within
/// `budget` in all). Only changes whose search says the outcome is gone are
/// fixes.
pub fn check(
    exe: &Execution,
    ex: &Explanation,
    axioms: &dyn Axiomatic,
    model: &Model,
    p: &Program,
    budget: Duration,
) -> Checked {
    let t0 = Instant::now();
    let left = || budget.saturating_sub(t0.elapsed());
    let checker = axioms.checker(&exe.events, super::CheckOptions::default());
    let relaxed: Vec<(usize, usize)> =
        ex.cycle.iter().filter(|e| e.rel == "po" && !checker.ordered(e.from, e.to)).map(|e| (e.from, e.to)).collect();
    let mut out = Checked::default();
    let per_edge: Vec<Vec<Candidate>> = relaxed.iter().map(|&(a, b)| candidates(exe, p, a, b)).collect();
    let try_one = |c: &Candidate, out: &mut Checked| -> Option<Outcome> {
        if left().is_zero() {
            out.unknown.push((c.clone(), "no time left to check it".into()));
            return None;
        }
        let q = apply(p, &c.edits)?;
        out.searches += 1;
        Some(search(model, q, left()))
    };
    for c in per_edge.iter().flatten() {
        match try_one(c, &mut out) {
            Some(Outcome::Closes) => out.fixes.push(c.clone()),
            Some(Outcome::Stays) => out.not_enough.push(c.clone()),
            Some(Outcome::Unknown(why)) => out.unknown.push((c.clone(), why)),
            None => {}
        }
    }
    if out.fixes.is_empty() && per_edge.len() > 1 && per_edge.iter().all(|v| !v.is_empty()) {
        // One change per edge, together: the lightest combinations first, a few at most.
        let mut idx = vec![0usize; per_edge.len()];
        for _ in 0..16 {
            let parts: Vec<&Candidate> = idx.iter().zip(&per_edge).map(|(&i, v)| &v[i]).collect();
            let joint = Candidate {
                edits: parts.iter().flat_map(|c| c.edits.clone()).collect(),
                text: parts.iter().map(|c| c.text.clone()).collect::<Vec<_>>().join(", and "),
            };
            match try_one(&joint, &mut out) {
                Some(Outcome::Closes) => {
                    out.joint = Some(joint);
                    break;
                }
                Some(Outcome::Unknown(why)) => out.unknown.push((joint, why)),
                _ => {}
            }
            // Next combination: advance the first position that can.
            let Some(k) = (0..idx.len()).find(|&k| idx[k] + 1 < per_edge[k].len()) else { break };
            idx[k] += 1;
            for j in 0..k {
                idx[j] = 0;
            }
        }
    }
    out
}
