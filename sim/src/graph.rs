//! Execution graphs of runs: the execution behind a trace, in the vocabulary of
//! axiomatic memory models (the data types live with the models, in
//! [`memmodels::graph`], and are re-exported here).
//!
//! [`build`] derives the execution of any trace by replaying it; `rf` and `co`
//! come from what the memory model says each step did (`MemoryModel::preview`
//! and `InternalEffect`), so the same code serves every model. [`dot`] draws it;
//! [`petgraph`] gives it as a petgraph graph.

mod build;
pub mod dot;

pub(crate) use build::build_inner;
pub use build::{build, build_with, GraphError, Recorder};
pub use memmodels::graph::*;

use petgraph::graph::{DiGraph, NodeIndex};

/// The graph of the execution (petgraph): one node per event; `po` between
/// consecutive events of a core, `rf`, `co` between co-consecutive writes,
/// `fr` from each read to the write right after its source, `rmw`, and the
/// dependencies. Node weights are event ids.
pub fn petgraph(exe: &Execution) -> DiGraph<EventId, Edge> {
    let mut g = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..exe.events.len()).map(|e| g.add_node(e)).collect();
    for c in 0..exe.ncores {
        for w in exe.po_of(c).windows(2) {
            g.add_edge(nodes[w[0]], nodes[w[1]], Edge::Po);
        }
    }
    for (r, src) in exe.rf.iter().enumerate() {
        if let Some(w) = src {
            g.add_edge(nodes[*w], nodes[r], Edge::Rf);
        }
    }
    for ws in &exe.co {
        for w in ws.windows(2) {
            g.add_edge(nodes[w[0]], nodes[w[1]], Edge::Co);
        }
    }
    for r in 0..exe.events.len() {
        if let Some(&w) = exe.fr_of(r).first() {
            g.add_edge(nodes[r], nodes[w], Edge::Fr);
        }
    }
    for (e, ev) in exe.events.iter().enumerate() {
        if let (Some(w), Kind::Read) = (ev.rmw, ev.kind) {
            g.add_edge(nodes[e], nodes[w], Edge::Rmw);
        }
        for (set, kind) in [(&ev.deps.addr, Edge::Addr), (&ev.deps.data, Edge::Data), (&ev.deps.ctrl, Edge::Ctrl)] {
            for r in set.iter() {
                if !exe.events[r].same_instance(ev) {
                    g.add_edge(nodes[r], nodes[e], kind);
                }
            }
        }
    }
    g
}

/// Edge kinds of [`petgraph`].
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
