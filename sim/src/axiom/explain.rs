//! Why an outcome is not sequentially consistent, in words: the shortest cycle
//! of `po ∪ rf ∪ co ∪ fr` in its execution, the shape it has (store buffering,
//! message passing, load buffering, ...), and for each program-order edge of
//! the cycle whether the run's model keeps it and what would.

use super::{Axiomatic, CheckOptions, Failure};
use crate::graph::{EventId, Execution, GraphError, Kind};
use crate::models::DynMachine;
use crate::transition::Transition;
use std::collections::VecDeque;

/// One edge of a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleEdge {
    pub from: EventId,
    pub to: EventId,
    pub rel: &'static str,
}

/// The explanation of one execution.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The SC cycle, if the outcome is not sequentially consistent.
    pub cycle: Vec<CycleEdge>,
    /// The headline: the communication edges, the shape and what closes it.
    pub summary: String,
    /// One line per program-order edge of the cycle: kept or relaxed, and why.
    pub details: Vec<String>,
}

impl Explanation {
    pub fn text(&self) -> String {
        let mut s = self.summary.clone();
        s.push('\n');
        for d in &self.details {
            s.push_str("  - ");
            s.push_str(d);
            s.push('\n');
        }
        s
    }
}

/// The relation labels of SC's graph between two events (po first).
fn sc_edges(exe: &Execution) -> Vec<Vec<(EventId, &'static str)>> {
    let ev = &exe.events;
    let n = ev.len();
    let mem = |e: usize| matches!(ev[e].kind, Kind::Read | Kind::Write | Kind::Init);
    let mut out = vec![Vec::new(); n];
    for a in 0..n {
        for b in 0..n {
            if mem(a) && mem(b) && ev[a].po_before(&ev[b]) {
                out[a].push((b, "po"));
            }
        }
    }
    for (r, w) in exe.rf.iter().enumerate() {
        if let Some(w) = w {
            if !ev[*w].same_instance(&ev[r]) {
                out[*w].push((r, "rf"));
            }
        }
    }
    for ws in &exe.co {
        for i in 0..ws.len() {
            for j in i + 1..ws.len() {
                out[ws[i]].push((ws[j], "co"));
            }
        }
    }
    for (r, list) in (0..n).map(|r| (r, exe.fr_of(r))) {
        for w in list {
            if !ev[w].same_instance(&ev[r]) {
                out[r].push((w, "fr"));
            }
        }
    }
    // Try later events first: among equally short cycles, the one through the
    // latest events (the decisions that fixed the outcome) is found first.
    for v in out.iter_mut() {
        v.sort_by_key(|e| std::cmp::Reverse(e.0));
    }
    out
}

/// The shortest cycle of SC's relations, preferring fewer communication edges
/// and external ones; `None` when the execution is SC.
pub fn sc_cycle(exe: &Execution) -> Option<Vec<CycleEdge>> {
    let adj = sc_edges(exe);
    let ev = &exe.events;
    let n = ev.len();
    let cost = |a: usize, b: usize, rel: &str| -> u32 {
        // Internal communication edges cost more: a cycle through other cores
        // reads better. `co` costs a little more than `rf` and `fr`: a cycle
        // through the value a read got (the read of an RMW that read from a
        // write, not the RMW's own write coming after it) is the one the
        // outcome depends on.
        match rel {
            "po" => 10,
            _ if ev[a].core == ev[b].core && ev[a].core.is_some() => 13,
            "co" => 12,
            _ => 11,
        }
    };
    let mut best: Option<(u32, Vec<CycleEdge>)> = None;
    for s in 0..n {
        // Dijkstra-like over small integer weights from s back to s.
        let mut dist = vec![u32::MAX; n];
        let mut prev: Vec<Option<(usize, &'static str)>> = vec![None; n];
        let mut q = VecDeque::new();
        for &(b, rel) in &adj[s] {
            let d = cost(s, b, rel);
            if d < dist[b] {
                dist[b] = d;
                prev[b] = Some((s, rel));
                q.push_back(b);
            }
        }
        while let Some(v) = q.pop_front() {
            for &(b, rel) in &adj[v] {
                let d = dist[v] + cost(v, b, rel);
                if d < dist[b] {
                    dist[b] = d;
                    prev[b] = Some((v, rel));
                    q.push_back(b);
                }
            }
        }
        if dist[s] == u32::MAX || best.as_ref().is_some_and(|b| b.0 < dist[s]) {
            continue;
        }
        let mut cyc = Vec::new();
        let mut at = s;
        loop {
            let (p, rel) = prev[at].expect("path");
            cyc.push(CycleEdge { from: p, to: at, rel });
            at = p;
            if at == s {
                break;
            }
        }
        cyc.reverse();
        let later = |c: &[CycleEdge]| c.iter().map(|e| e.from).sum::<usize>();
        let better = match &best {
            None => true,
            Some(b) => b.0 > dist[s] || later(&b.1) < later(&cyc),
        };
        if better {
            best = Some((dist[s], cyc));
        }
    }
    best.map(|b| b.1)
}

fn shape(cycle: &[CycleEdge], exe: &Execution) -> (&'static str, &'static str) {
    let ev = &exe.events;
    let pos: Vec<(Kind, Kind)> =
        cycle.iter().filter(|e| e.rel == "po").map(|e| (ev[e.from].kind, ev[e.to].kind)).collect();
    let com: Vec<&str> = cycle.iter().filter(|e| e.rel != "po").map(|e| e.rel).collect();
    use Kind::{Read as R, Write as W};
    let mut pos_sorted = pos.clone();
    pos_sorted.sort_by_key(|p| format!("{p:?}"));
    match (pos_sorted.as_slice(), com.len()) {
        ([(W, R), (W, R)], 2) => {
            ("store-buffering", "it is closed only by full ordering on both sides (a full fence or a fully ordered RMW between each store and the load after it)")
        }
        ([(R, R), (W, W)], 2) => ("message-passing", "it is closed by ordering the two stores (release, or a store fence) and the two loads (acquire, a dependency, or a load fence)"),
        ([(R, W), (R, W)], 2) => ("load-buffering", "it is closed by ordering each load before the store after it (a dependency, release, or a fence)"),
        ([(W, W), (W, W)], 2) => ("2+2W", "it is closed by ordering the two stores on each side"),
        ([(R, W), (W, R)], 2) | ([(W, R), (R, W)], 2) => {
            ("R (read-write)", "it is closed only by a full fence between the store and the load on one side and ordering on the other")
        }
        ([(R, W), (W, W)], 2) | ([(W, W), (R, W)], 2) => ("S", "it is closed by ordering both sides")
        ,
        _ => ("", "it forms only because the model does not keep some of its program-order edges"),
    }
}

/// The explanation of `exe` as an outcome of `model`.
pub fn explain(exe: &Execution, model: &dyn Axiomatic) -> Explanation {
    let Some(cycle) = sc_cycle(exe) else {
        return Explanation {
            cycle: Vec::new(),
            summary: "This outcome is sequentially consistent: po ∪ rf ∪ co ∪ fr has no cycle.".into(),
            details: Vec::new(),
        };
    };
    let checker = model.checker(&exe.events, CheckOptions::default());
    let title = model.info().title;
    let d = |e: EventId| exe.describe(e);
    let mut parts = Vec::new();
    for e in cycle.iter().filter(|e| e.rel != "po") {
        parts.push(match e.rel {
            "fr" => format!("{} read before {} (fr)", d(e.from), d(e.to)),
            "rf" => format!("{} read from {} (rf)", d(e.to), d(e.from)),
            _ => format!("{} overwrote {} (co)", d(e.to), d(e.from)),
        });
    }
    let (name, close) = shape(&cycle, exe);
    let shape_text =
        if name.is_empty() { format!("a cycle of {} edges", cycle.len()) } else { format!("a {name} cycle") };
    let summary = format!("{}: {shape_text}; {close}", parts.join(", and "));
    let mut details = Vec::new();
    for e in cycle.iter().filter(|e| e.rel == "po") {
        let (a, b) = (e.from, e.to);
        let what = format!("{} then {} ({} → {})", d(a), d(b), exe.events[a].text, exe.events[b].text);
        if checker.ordered(a, b) {
            let why = model.keeper(exe, a, b);
            details.push(format!("{what}: kept in order on {title} ({why})"));
        } else {
            details.push(format!("{what}: NOT kept in order on {title}; {}", model.remedy(exe, a, b)));
        }
    }
    for e in cycle.iter().filter(|e| e.rel == "rf" && exe.events[e.from].core == exe.events[e.to].core) {
        details
            .push(format!("{} read its own core's write early (forwarding), before other cores could see it", d(e.to)));
    }
    Explanation { cycle, summary, details }
}

/// The execution of a run, the model's verdict on it and its explanation
/// (for a model that reads dependencies, the compare-and-swap alternative the
/// model accepts, if any).
pub fn explain_run(
    start: &dyn DynMachine,
    schedule: &[Transition],
    model: &dyn Axiomatic,
) -> Result<(Execution, Result<(), Failure>, Explanation), GraphError> {
    let (exe, verdict) = super::crosscheck::consistent(start, schedule, model)?;
    let ex = explain(&exe, model);
    Ok((exe, verdict, ex))
}
