//! Graphviz DOT of an execution: one column per core (a cluster), initial
//! writes on top, labelled `po`/`rf`/`co`/`fr`/`rmw`/dependency edges, and the
//! edges of a highlighted cycle drawn bold.

use super::{Edge, EventId, Execution, Kind};
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn colour(e: Edge) -> &'static str {
    match e {
        Edge::Po => "black",
        Edge::Rf => "red",
        Edge::Co => "blue",
        Edge::Fr => "darkorange",
        Edge::Rmw => "purple",
        Edge::Addr | Edge::Data | Edge::Ctrl => "darkgreen",
    }
}

/// DOT text of `exe`. `cycle` lists (from, to, relation) edges to draw bold
/// (added when the plain drawing lacks them, e.g. a transitive fr or po edge).
/// With `only_cycle_words`, events on words outside the cycle are left out
/// (fences stay), and so are dependency edges and an RMW's `fr` to its own
/// write, which keeps big runs readable.
pub fn dot(exe: &Execution, title: &str, cycle: &[(EventId, EventId, &str)], only_cycle_words: bool) -> String {
    let ev = &exe.events;
    let words: Vec<usize> = cycle.iter().flat_map(|&(a, b, _)| [ev[a].loc, ev[b].loc]).flatten().collect();
    let shown = |e: EventId| -> bool {
        if !only_cycle_words || cycle.is_empty() {
            return true;
        }
        match ev[e].kind {
            Kind::Fence(_) | Kind::StxrFail => true,
            _ => ev[e].loc.is_some_and(|l| words.contains(&l)),
        }
    };
    let mut s = String::new();
    let _ = writeln!(s, "digraph execution {{");
    let _ = writeln!(s, "  label=\"{}\"; labelloc=t; fontname=\"Helvetica\";", esc(title));
    let _ = writeln!(s, "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];");
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=10];");
    let on_cycle = |e: EventId| cycle.iter().any(|&(a, b, _)| a == e || b == e);
    let node = |s: &mut String, e: EventId| {
        let x = &ev[e];
        let pen = if on_cycle(e) { ", penwidth=2" } else { "" };
        let text = if x.kind == Kind::Init { String::new() } else { format!("\\n{}", esc(&x.text)) };
        let _ = writeln!(s, "    e{e} [label=\"{}{text}\"{pen}];", esc(&exe.label(e)));
    };
    let inits: Vec<EventId> = (0..ev.len()).filter(|&e| ev[e].kind == Kind::Init && shown(e)).collect();
    let _ = writeln!(s, "  subgraph cluster_init {{ label=\"initial state\"; style=dashed;");
    for &e in &inits {
        node(&mut s, e);
    }
    let _ = writeln!(s, "  }}");
    let mut columns = Vec::new();
    for c in 0..exe.ncores {
        let col: Vec<EventId> = exe.po_of(c).into_iter().filter(|&e| shown(e)).collect();
        let _ = writeln!(s, "  subgraph cluster_core{c} {{ label=\"core {c}\"; style=solid;");
        for &e in &col {
            node(&mut s, e);
        }
        let _ = writeln!(s, "  }}");
        columns.push(col);
    }
    // Keep the columns side by side: the initial writes above each column's first event.
    for col in &columns {
        if let (Some(&i), Some(&f)) = (inits.first(), col.first()) {
            let _ = writeln!(s, "  e{i} -> e{f} [style=invis];");
        }
    }
    let bold = |a: EventId, b: EventId| cycle.iter().any(|&(x, y, _)| x == a && y == b);
    let mut drawn = Vec::new();
    for col in &columns {
        for w in col.windows(2) {
            let pen = if bold(w[0], w[1]) { ", penwidth=2.5" } else { "" };
            let _ = writeln!(s, "  e{} -> e{} [label=\"po\", weight=10{pen}];", w[0], w[1]);
            drawn.push((w[0], w[1]));
        }
    }
    for (a, b, kind) in super::edges(exe) {
        if kind == Edge::Po || !shown(a) || !shown(b) {
            continue;
        }
        // The compact drawing leaves out dependencies and an RMW's fr to its own write.
        let compact = only_cycle_words && !cycle.is_empty();
        if compact
            && (matches!(kind, Edge::Addr | Edge::Data | Edge::Ctrl)
                || (kind == Edge::Fr && ev[a].same_instance(&ev[b])))
        {
            continue;
        }
        let pen = if bold(a, b) { ", penwidth=2.5" } else { "" };
        let style = if matches!(kind, Edge::Addr | Edge::Data | Edge::Ctrl) { ", style=dashed" } else { "" };
        let _ = writeln!(
            s,
            "  e{a} -> e{b} [label=\"{}\", color={}, fontcolor={}, constraint=false{style}{pen}];",
            kind.name(),
            colour(kind),
            colour(kind)
        );
        drawn.push((a, b));
    }
    for &(a, b, rel) in cycle {
        if !drawn.contains(&(a, b)) {
            let c = match rel {
                "rf" => "red",
                "co" => "blue",
                "fr" => "darkorange",
                _ => "black",
            };
            let _ = writeln!(
                s,
                "  e{a} -> e{b} [label=\"{rel}\", color={c}, fontcolor={c}, penwidth=2.5, constraint=false];"
            );
        }
    }
    let _ = writeln!(s, "}}");
    s
}
