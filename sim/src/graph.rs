//! Execution graphs of runs: the execution behind a trace, in the vocabulary of
//! axiomatic memory models (the data types live with the models, in
//! [`memmodels::graph`], and are re-exported here).
//!
//! [`build`] derives the execution of any trace by replaying it; `rf` and `co`
//! come from what the memory model says each step did (`MemoryModel::preview`
//! and `InternalEffect`), so the same code serves every model. [`dot`] draws it;
//! [`edges`] lists its edges.

mod build;
pub mod dot;

pub(crate) use build::build_inner;
pub use build::{build, build_with, GraphError, Recorder, StepFault};
pub use memmodels::graph::*;

/// The edges of the execution's graph, `(from, to, kind)`: `po` between
/// consecutive events of a core, `rf`, `co` between co-consecutive writes,
/// `fr` from each read to the write right after its source, `rmw`, and the
/// dependencies, in that order.
pub fn edges(exe: &Execution) -> Vec<(EventId, EventId, Edge)> {
    let mut g = Vec::new();
    for c in 0..exe.ncores {
        for w in exe.po_of(c).windows(2) {
            g.push((w[0], w[1], Edge::Po));
        }
    }
    for (r, src) in exe.rf.iter().enumerate() {
        if let Some(w) = src {
            g.push((*w, r, Edge::Rf));
        }
    }
    for ws in &exe.co {
        for w in ws.windows(2) {
            g.push((w[0], w[1], Edge::Co));
        }
    }
    for r in 0..exe.events.len() {
        if let Some(&w) = exe.fr_of(r).first() {
            g.push((r, w, Edge::Fr));
        }
    }
    for (e, ev) in exe.events.iter().enumerate() {
        if let (Some(w), Kind::Read) = (ev.rmw, ev.kind) {
            g.push((e, w, Edge::Rmw));
        }
        for (set, kind) in [(&ev.deps.addr, Edge::Addr), (&ev.deps.data, Edge::Data), (&ev.deps.ctrl, Edge::Ctrl)] {
            for r in set.iter() {
                if !exe.events[r].same_instance(ev) {
                    g.push((r, e, kind));
                }
            }
        }
    }
    g
}

/// Edge kinds of [`edges`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Edge {
    Po,
    Rf,
    Co,
    Fr,
    Rmw,
    Addr,
    Data,
    Ctrl,
}

impl Edge {
    pub fn name(self) -> &'static str {
        match self {
            Edge::Po => "po",
            Edge::Rf => "rf",
            Edge::Co => "co",
            Edge::Fr => "fr",
            Edge::Rmw => "rmw",
            Edge::Addr => "addr",
            Edge::Data => "data",
            Edge::Ctrl => "ctrl",
        }
    }
}
