//! From an execution to a machine schedule: the graph engine finds executions
//! (events, `rf`, `co`); every front end (replay, the TUI, `--explain`) needs a
//! schedule of the operational machine's own transitions. [`schedule`] finds
//! one that runs the execution: each core's memory instructions, in program
//! order, read and write the execution's values, and the run ends with the
//! execution's final memory and registers.
//!
//! The search is depth first over the machine's enabled transitions (the one
//! pure "enabled / apply" function every front end uses), with two guides:
//!
//! * a transition that executes a memory instruction must do what the
//!   execution's next event of that core does (same instruction, word, value
//!   read and value written); any other is cut at once;
//! * the remaining choices are tried in the order of a linearization of the
//!   execution: a topological order of `po ∪ rf ∪ co ∪ fr` where, when that
//!   relation has a cycle (TSO's store buffering, ARM's reorderings), an event
//!   whose only unplaced predecessors are in program order goes first (a read
//!   overtaking a write first, since a store buffer gives exactly that). A
//!   store that goes into a buffer is executed at once and its drain is placed
//!   at its write's position; a promise (ARM) is made only for a write of the
//!   execution the core has not yet performed, first for writes the
//!   linearization needed early.
//!
//! On SC the first path succeeds; elsewhere the order makes the first path
//! almost always right, and the search backtracks (with a visited-state set)
//! when it is not.

use crate::explore::fingerprint;
use crate::graph::{EventId, Execution, Kind};
use crate::machine::{Machine, PromiseMode};
use crate::transition::{Effect, Transition};
use isa::Pc;
use memmodels::{InternalEffect, MemoryModel, Request};
use std::collections::{HashSet, VecDeque};

/// Why no schedule was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("no schedule of the machine runs this execution (searched {0} machine states)")]
    NotFound(u64),
    #[error("no schedule found within {0} machine states")]
    Bounded(u64),
    #[error("no schedule found: {0}")]
    Stopped(String),
}

/// What one memory instruction of a core does in the execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Step {
    pc: Option<Pc>,
    loc: Option<usize>,
    read: Option<u64>,
    write: Option<u64>,
}

/// The execution's plan: each core's steps and where each falls in the linearization.
struct Plan {
    steps: Vec<Vec<Step>>,
    /// Per core, per step: its rank (position in the linearization).
    rank: Vec<Vec<usize>>,
    /// Per core, per step: its write was placed before one of its program-order predecessors.
    early: Vec<Vec<bool>>,
    /// Per core, per step: the rank of its write (where a buffered store drains).
    wrank: Vec<Vec<usize>>,
    final_mem: Vec<u64>,
    final_regs: Vec<Vec<u64>>,
}

const LATE: usize = usize::MAX / 2;

impl Plan {
    fn new(exe: &Execution) -> Plan {
        let order = linearize(exe);
        let mut pos = vec![LATE; exe.events.len()];
        let mut early_ev = vec![false; exe.events.len()];
        for (i, &(e, early)) in order.iter().enumerate() {
            pos[e] = i;
            early_ev[e] = early;
        }
        let mut plan = Plan {
            steps: Vec::new(),
            rank: Vec::new(),
            early: Vec::new(),
            wrank: Vec::new(),
            final_mem: (0..exe.co.len()).map(|l| exe.final_value(l)).collect(),
            final_regs: exe.final_regs.clone(),
        };
        for c in 0..exe.ncores {
            let (mut steps, mut rank, mut early, mut wrank) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut last: Option<EventId> = None;
            for e in exe.po_of(c) {
                let ev = &exe.events[e];
                if !matches!(ev.kind, Kind::Read | Kind::Write) {
                    continue;
                }
                let same = last.is_some_and(|l| exe.events[l].instance == ev.instance);
                if !same {
                    steps.push(Step { pc: ev.pc, loc: ev.loc, read: None, write: None });
                    rank.push(pos[e]);
                    early.push(false);
                    wrank.push(LATE);
                }
                let i = steps.len() - 1;
                rank[i] = rank[i].min(pos[e]);
                match ev.kind {
                    Kind::Read => steps[i].read = Some(ev.value),
                    _ => {
                        steps[i].write = Some(ev.value);
                        wrank[i] = pos[e];
                        early[i] = early_ev[e];
                    }
                }
                last = Some(e);
            }
            plan.steps.push(steps);
            plan.rank.push(rank);
            plan.early.push(early);
            plan.wrank.push(wrank);
        }
        plan
    }
}

/// A topological order of `po ∪ rf ∪ co ∪ fr`, each event with whether it was
/// placed before one of its program-order predecessors (to break a cycle).
fn linearize(exe: &Execution) -> Vec<(EventId, bool)> {
    let n = exe.events.len();
    let mut succ: Vec<Vec<EventId>> = vec![Vec::new(); n];
    let mut preds: Vec<Vec<(EventId, bool)>> = vec![Vec::new(); n];
    let mut add = |a: EventId, b: EventId, po: bool| {
        if a != b {
            succ[a].push(b);
            preds[b].push((a, po));
        }
    };
    for c in 0..exe.ncores {
        let po = exe.po_of(c);
        for (i, &a) in po.iter().enumerate() {
            for &b in &po[i + 1..] {
                if exe.events[a].instance != exe.events[b].instance {
                    add(a, b, true);
                }
            }
        }
    }
    for (r, w) in exe.rf.iter().enumerate() {
        if let Some(w) = *w {
            add(w, r, false);
        }
    }
    for ws in &exe.co {
        for p in ws.windows(2) {
            add(p[0], p[1], false);
        }
    }
    for r in 0..n {
        if exe.rf.get(r).copied().flatten().is_some() {
            if let Some(&w) = exe.fr_of(r).first() {
                add(r, w, false);
            }
        }
    }
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let unplaced = |e: EventId, placed: &[bool], po: Option<bool>| {
        preds[e].iter().filter(|&&(p, is_po)| !placed[p] && po.is_none_or(|x| x == is_po)).count()
    };
    while order.len() < n {
        // The lowest event with every predecessor placed.
        let pick = (0..n).find(|&e| !placed[e] && unplaced(e, &placed, None) == 0).map(|e| (e, false)).or_else(|| {
            // A cycle: an event whose unplaced predecessors are all po-earlier,
            // a read after writes first (a store buffer), then any.
            let only_po = |e: EventId| !placed[e] && unplaced(e, &placed, Some(false)) == 0;
            let read_over_writes = |e: EventId| {
                exe.events[e].kind == Kind::Read
                    && preds[e].iter().all(|&(p, po)| placed[p] || (po && exe.events[p].kind == Kind::Write))
            };
            (0..n)
                .find(|&e| only_po(e) && read_over_writes(e))
                .or_else(|| (0..n).find(|&e| only_po(e)))
                .or_else(|| (0..n).find(|&e| !placed[e]))
                .map(|e| (e, true))
        });
        let Some((e, early)) = pick else { break };
        placed[e] = true;
        order.push((e, early));
    }
    let _ = &succ;
    order
}

/// What transition `t` of `m` does to the plan: `None` if it contradicts it,
/// else its rank (lower is tried first).
fn judge<M: MemoryModel>(m: &Machine<M>, plan: &Plan, st: &Walk, t: Transition) -> Option<usize> {
    match t {
        Transition::Exec { core, choice } => {
            let c = core as usize;
            let next_rank = plan.rank[c].get(st.pos[c]).copied().unwrap_or(LATE);
            let req = match m.request_for(c, choice) {
                Err(_) => return Some(LATE + 1),
                Ok(None) => return Some(0),
                Ok(Some(r)) => r,
            };
            let p = m.preview_request(c, &req, choice & !crate::machine::SECOND_HALF);
            let (loc, read, write) = match req {
                Request::Load { loc, .. } => (loc, p.read, None),
                Request::Rmw { loc, .. } => (loc, p.read, p.wrote),
                Request::Store { loc, exclusive, .. } => {
                    if p.wrote.is_none() && exclusive {
                        return Some(next_rank); // a failed store-exclusive: no event
                    }
                    (loc, None, p.wrote)
                }
                Request::Fence(_) => return Some(next_rank),
            };
            let want = plan.steps[c].get(st.pos[c])?;
            let pc = m.core(c).pc + (choice & crate::machine::SECOND_HALF != 0) as isa::Pc;
            let got = Step { pc: Some(pc), loc: Some(loc), read, write };
            if *want != got {
                return None;
            }
            Some(if p.buffered { 0 } else { next_rank })
        }
        Transition::Interrupt { core } => {
            let c = core as usize;
            Some(plan.rank[c].get(st.pos[c]).copied().unwrap_or(LATE))
        }
        Transition::Internal { core, .. } => Some(st.buffered[core as usize].front().copied().unwrap_or(LATE)),
        Transition::Promise { core, loc, val } => {
            let c = core as usize;
            let (loc, val) = (loc as usize, val);
            let want = |i: usize| plan.steps[c][i].loc == Some(loc) && plan.steps[c][i].write == Some(val);
            let left: Vec<usize> = (st.pos[c]..plan.steps[c].len()).filter(|&i| want(i)).collect();
            let made = st.promised[c].iter().filter(|&&(l, v)| l == loc && v == val).count();
            let i = *left.get(made)?;
            Some(if plan.early[c][i] { plan.wrank[c][i] } else { LATE })
        }
    }
}

/// The plan's progress along a path.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
struct Walk {
    /// Per core: steps of the plan done.
    pos: Vec<usize>,
    /// Per core: drain ranks of its buffered stores, oldest first.
    buffered: Vec<VecDeque<usize>>,
    /// Per core: promises made and not yet matched by a step.
    promised: Vec<Vec<(usize, u64)>>,
}

/// Applies `t` to `m` and moves the walk on.
fn advance<M: MemoryModel>(m: &mut Machine<M>, plan: &Plan, w: &mut Walk, t: Transition) -> bool {
    let mem = match t {
        Transition::Exec { core, choice } => {
            let c = core as usize;
            match m.request_for(c, choice) {
                Ok(Some(req)) if !matches!(req, Request::Fence(_)) => {
                    let p = m.preview_request(c, &req, choice & !crate::machine::SECOND_HALF);
                    let event = p.wrote.is_some() || !matches!(req, Request::Store { exclusive: true, .. });
                    event.then_some((c, p.buffered && p.wrote.is_some()))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let effect = match m.apply(t) {
        Ok(e) => e,
        Err(_) => return false,
    };
    if let Some((c, buffered)) = mem {
        let i = w.pos[c];
        if buffered {
            w.buffered[c].push_back(plan.wrank[c].get(i).copied().unwrap_or(LATE));
        }
        let s = plan.steps[c][i];
        if let (Some(l), Some(v)) = (s.loc, s.write) {
            if let Some(k) = w.promised[c].iter().position(|&p| p == (l, v)) {
                w.promised[c].remove(k);
            }
        }
        w.pos[c] += 1;
    }
    match (t, effect) {
        (Transition::Internal { core, .. }, Effect::Internal { effect: InternalEffect::Drained { .. }, .. }) => {
            w.buffered[core as usize].pop_front();
        }
        (Transition::Promise { core, loc, val }, _) => w.promised[core as usize].push((loc as usize, val)),
        _ => {}
    }
    true
}

/// The end of a path: every step of the plan done, nothing left to do, and the
/// final memory and registers the execution's.
fn finished<M: MemoryModel>(m: &Machine<M>, plan: &Plan, w: &Walk) -> bool {
    let all = (0..m.num_cores()).all(|c| w.pos[c] == plan.steps[c].len());
    if !all {
        return false;
    }
    if m.faulted().is_some() {
        return true;
    }
    let mem = plan.final_mem.iter().enumerate().all(|(l, &v)| m.memory(l) == v);
    let regs = plan.final_regs.is_empty()
        || (0..m.num_cores()).all(|c| plan.final_regs.get(c).is_none_or(|r| r.as_slice() == m.program_regs(c)));
    mem && regs
}

/// A schedule of `start` that runs `exe` (see the module documentation), and
/// the promise mode it replays in. `max_states` bounds the search, and so do
/// `budget`'s time, memory and cancellation when given.
pub fn schedule<M: MemoryModel>(
    start: &Machine<M>,
    exe: &Execution,
    max_states: u64,
    budget: Option<&crate::budget::Budget>,
) -> Result<(Vec<Transition>, PromiseMode), ScheduleError> {
    let mode = if start.has_promises() { PromiseMode::Anytime } else { PromiseMode::Off };
    let m = start.clone().with_promise_mode(mode);
    let plan = Plan::new(exe);
    let n = m.num_cores();
    let walk = Walk { pos: vec![0; n], buffered: vec![VecDeque::new(); n], promised: vec![Vec::new(); n] };
    let mut seen: HashSet<u64> = HashSet::new();
    let mut states = 0u64;
    // Depth first: each frame is a state and its transitions still to try.
    struct Frame<M: MemoryModel> {
        m: Machine<M>,
        w: Walk,
        todo: Vec<Transition>,
    }
    let mut path: Vec<Transition> = Vec::new();
    let frame = |m: Machine<M>, w: Walk| -> Option<Frame<M>> {
        let mut cands: Vec<(usize, Transition)> =
            m.enabled().into_iter().filter_map(|t| judge(&m, &plan, &w, t).map(|r| (r, t))).collect();
        cands.sort_by_key(|&(r, t)| (r, t));
        let mut todo: Vec<Transition> = cands.into_iter().map(|(_, t)| t).collect();
        todo.reverse();
        Some(Frame { m, w, todo })
    };
    let root_done = finished(&m, &plan, &walk) && m.enabled().is_empty();
    if root_done {
        return Ok((Vec::new(), mode));
    }
    seen.insert(crate::fp::fingerprint_of(&(fingerprint(&m), &walk)));
    let mut stack: Vec<Frame<M>> = frame(m, walk).into_iter().collect();
    while let Some(top) = stack.last_mut() {
        let Some(t) = top.todo.pop() else {
            stack.pop();
            path.pop();
            continue;
        };
        let mut m = top.m.clone();
        let mut w = top.w.clone();
        if !advance(&mut m, &plan, &mut w, t) {
            continue;
        }
        states += 1;
        if states > max_states {
            return Err(ScheduleError::Bounded(max_states));
        }
        if let Some(b) = budget {
            if states % 256 == 0 && b.check(0) {
                return Err(ScheduleError::Stopped(b.reason().unwrap_or_else(|| crate::explore::CANCELLED.into())));
            }
        }
        if !seen.insert(crate::fp::fingerprint_of(&(fingerprint(&m), &w))) {
            continue;
        }
        path.push(t);
        let f = frame(m, w).expect("a frame");
        if f.todo.is_empty() {
            if finished(&f.m, &plan, &f.w) && (f.m.faulted().is_some() || f.m.enabled().is_empty()) {
                return Ok((path, mode));
            }
            path.pop();
            continue;
        }
        stack.push(f);
    }
    Err(ScheduleError::NotFound(states))
}
