//! The axiomatic face of a memory model: a consistency check over execution
//! graphs ([`crate::graph`]), in the style of herd7's `.cat` files. Each model
//! keeps its checker next to its operational code (`sc/axioms.rs`,
//! `tso/axioms.rs`, `arm/axioms.rs`); `sim` enumerates candidate executions,
//! cross-checks the operational side and explains outcomes with whichever
//! checker a model brings ([`Axiomatic`]), never knowing which model it is.
//!
//! The pieces every checker here shares: the communication relations of a
//! candidate ([`Com`]), program order between events, fences between two
//! events, and two well-formedness rules on read-modify-writes.

use crate::graph::{Event, EventId, Execution, Kind};
use crate::rel::Rel;
use crate::ModelInfo;

/// Why an execution is not consistent with a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The axiom's name as the `.cat` file spells it (`sc`, `tso`, `external`, ...).
    pub axiom: &'static str,
    /// A cycle (or the offending events) of the axiom's relation.
    pub events: Vec<EventId>,
}

/// How strictly to check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Without weaksim's well-formedness rule `rmw ⊆ fr` (an RMW's write is
    /// co-after the write its read took its value from), exactly as herd7 7.57's
    /// `sc.cat`/`x86tso.cat` state it: they do not order an RMW's read before
    /// its own write, so they admit a "successful" compare-and-swap whose write
    /// is co-before the write it read (two catalog tests show it under SC).
    pub herd_strict: bool,
}

/// A model's checker for executions over one fixed set of events: what depends
/// only on the events (program order, dependencies, fences) is computed once
/// ([`Axiomatic::checker`]), `rf` and `co` per candidate ([`Checker::check`]).
pub trait Checker: Send + Sync {
    /// Checks a candidate whose events are the ones this checker was built for.
    fn check(&self, exe: &Execution) -> Result<(), Failure>;
    /// The model's preserved program order: whether `a` must be ordered before `b`
    /// (for explanations: which program-order edges of a cycle the model keeps).
    fn ordered(&self, a: EventId, b: EventId) -> bool;
}

/// The axiomatic face of a model. See the module documentation.
pub trait Axiomatic: Send + Sync + 'static {
    /// The model this checks (the same [`ModelInfo`] as its operational face, if it has one).
    fn info(&self) -> &'static ModelInfo;

    /// The checker for executions over `events`.
    fn checker(&self, events: &[Event], opts: CheckOptions) -> Box<dyn Checker>;

    /// The model orders accesses by their dependencies, so both of herd's
    /// dependency structures of a successful compare-and-swap's result register
    /// are candidates (`DataFromRRs` / `DataFromRx`, arm-model.md §1.2). Models
    /// that ignore dependencies need only one.
    fn reads_dependencies(&self) -> bool {
        false
    }

    /// Every consistent execution has `po ∪ rf` acyclic (no load buffering):
    /// the graph engine then never needs to guess a value a read will get
    /// from a write not yet in the graph. `false` is always safe.
    fn porf_acyclic(&self) -> bool {
        false
    }

    /// Which rule keeps `a` before `b` (a program-order edge [`Checker::ordered`]
    /// keeps), in a few words.
    fn keeper(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        keeper_common(exe, a, b).unwrap_or_else(|| "ordered-before".into())
    }

    /// Why the model does not keep `a` before `b` in program order, in words.
    /// Only the reason: fixes are suggested after a search has checked them
    /// (`sim::axiom::fixes`), never from the kinds of the accesses alone.
    fn remedy(&self, exe: &Execution, a: EventId, b: EventId) -> String {
        remedy_common(exe, a, b)
    }
}

/// The rules most models share for [`Axiomatic::keeper`]: an RMW, a fence, a
/// release store, an acquire load, a dependency. `None` when none applies.
pub fn keeper_common(exe: &Execution, a: EventId, b: EventId) -> Option<String> {
    let (x, y) = (&exe.events[a], &exe.events[b]);
    let fence = exe
        .events
        .iter()
        .find(|f| {
            f.core == x.core && matches!(f.kind, Kind::Fence(_)) && x.instance < f.instance && f.instance < y.instance
        })
        .map(|f| f.text.clone());
    if x.locked || y.locked {
        // Fully ordered only when both halves carry the order (xchg, not
        // xchg.acquire); otherwise the half that orders says how.
        let rmw = if x.locked { x } else { y };
        let (read, write) = rmw_halves(exe, rmw);
        if read.is_some_and(|r| r.acquire) && write.is_some_and(|w| w.release) {
            return Some(format!("the {} is fully ordered", rmw.op));
        }
        if x.locked && x.is_read() && x.acquire {
            return Some(format!("the {} is an acquire: its read is kept before what follows", x.op));
        }
        if y.locked && y.kind == Kind::Write && y.release {
            return Some(format!("the {} is a release: what precedes is kept before its write", y.op));
        }
    }
    if let Some(f) = fence {
        return Some(format!("the fence `{f}`"));
    }
    if y.release {
        return Some("release store".into());
    }
    if x.acquire || x.acquire_pc {
        return Some("acquire load".into());
    }
    if y.deps.addr.contains(a) || y.deps.data.contains(a) || y.deps.ctrl.contains(a) {
        return Some("dependency".into());
    }
    None
}

/// The read and the write of the RMW instruction `e` belongs to.
fn rmw_halves<'a>(exe: &'a Execution, e: &'a Event) -> (Option<&'a Event>, Option<&'a Event>) {
    let other = exe.events.iter().find(|o| o.locked && o.same_instance(e) && o.kind != e.kind);
    match e.kind {
        Kind::Write => (other, Some(e)),
        _ => (Some(e), other),
    }
}

/// [`Axiomatic::remedy`] by the kinds of the two accesses: what the program
/// lacks between them.
pub fn remedy_common(exe: &Execution, a: EventId, b: EventId) -> String {
    let (x, y) = (&exe.events[a], &exe.events[b]);
    match (x.kind, y.kind) {
        (Kind::Write, Kind::Read) => "nothing in the program orders a store before a later load of another word".into(),
        (Kind::Write, Kind::Write) => "nothing in the program orders the two stores".into(),
        (Kind::Read, Kind::Read) => "nothing in the program orders the two loads".into(),
        (Kind::Read, Kind::Write) => "nothing in the program orders the load before the store".into(),
        _ => "nothing in the program orders them".into(),
    }
}

/// The communication relations of one candidate.
pub struct Com {
    pub rf: Rel,
    pub co: Rel,
    pub fr: Rel,
}

impl Com {
    pub fn of(exe: &Execution) -> Com {
        let n = exe.events.len();
        let (mut rf, mut co, mut fr) = (Rel::new(n), Rel::new(n), Rel::new(n));
        for (r, w) in exe.rf.iter().enumerate() {
            if let Some(w) = w {
                rf.set(*w, r);
            }
        }
        for ws in &exe.co {
            for i in 0..ws.len() {
                for j in i + 1..ws.len() {
                    co.set(ws[i], ws[j]);
                }
            }
        }
        for r in 0..n {
            for w in exe.fr_of(r) {
                fr.set(r, w);
            }
        }
        Com { rf, co, fr }
    }
}

/// A read or a write (not an initial write, not a fence).
pub fn is_mem(e: &Event) -> bool {
    matches!(e.kind, Kind::Read | Kind::Write)
}

/// Strict program order between two events of one core.
pub fn po(ev: &[Event], a: usize, b: usize) -> bool {
    ev[a].po_before(&ev[b])
}

/// A fence of a kind accepted by `f` lies po-between `a` and `b`.
pub fn fence_between(ev: &[Event], a: usize, b: usize, f: impl Fn(&Event) -> bool) -> bool {
    po(ev, a, b)
        && ev.iter().any(|x| x.core == ev[a].core && f(x) && ev[a].instance < x.instance && x.instance < ev[b].instance)
}

/// The fences of one kind, indexed for [`fence_between`]'s question in
/// logarithmic time: per core, the sorted instances of the events `f` accepts.
pub struct Fences {
    by_core: Vec<Vec<u32>>,
}

impl Fences {
    pub fn new(ev: &[Event], f: impl Fn(&Event) -> bool) -> Fences {
        let mut by_core: Vec<Vec<u32>> = Vec::new();
        for x in ev.iter().filter(|x| f(x)) {
            if let Some(c) = x.core {
                if by_core.len() <= c {
                    by_core.resize(c + 1, Vec::new());
                }
                by_core[c].push(x.instance);
            }
        }
        for v in &mut by_core {
            v.sort_unstable();
        }
        Fences { by_core }
    }

    /// Whether one of the fences lies po-between `a` and `b` (as [`fence_between`]).
    pub fn between(&self, ev: &[Event], a: usize, b: usize) -> bool {
        if !po(ev, a, b) {
            return false;
        }
        let Some(v) = ev[a].core.and_then(|c| self.by_core.get(c)) else { return false };
        let i = v.partition_point(|&x| x <= ev[a].instance);
        v.get(i).is_some_and(|&x| x < ev[b].instance)
    }
}

/// Program order between memory events, and its same-location part `po-loc`.
pub fn po_mem(events: &[Event]) -> (Rel, Rel) {
    let n = events.len();
    let mut po_loc = Rel::new(n);
    let mut po_m = Rel::new(n);
    for a in 0..n {
        for b in 0..n {
            if is_mem(&events[a]) && is_mem(&events[b]) && po(events, a, b) {
                po_m.set(a, b);
                if events[a].loc == events[b].loc {
                    po_loc.set(a, b);
                }
            }
        }
    }
    (po_m, po_loc)
}

/// Well-formedness of an RMW pair: its write is co-after the write its read
/// took its value from (`rmw ⊆ fr`): an atomic update cannot read a value
/// that overwrites its own write. Skipped under [`CheckOptions::herd_strict`].
pub fn rmw_order(exe: &Execution) -> Option<Vec<EventId>> {
    for (r, e) in exe.events.iter().enumerate() {
        let (Some(w), Kind::Read, Some(src)) = (e.rmw, e.kind, exe.rf[r]) else { continue };
        if !exe.fr_of(r).contains(&w) {
            return Some(vec![src, r, w]);
        }
    }
    None
}

/// SC's and TSO's `empty rmw & (fre; coe)`: an external write between an RMW's
/// source and its write.
pub fn atomic_ext(exe: &Execution) -> Option<Vec<EventId>> {
    let ev = &exe.events;
    for (r, e) in ev.iter().enumerate() {
        let (Some(w), Kind::Read, Some(loc), Some(src)) = (e.rmw, e.kind, e.loc, exe.rf[r]) else { continue };
        let ws = &exe.co[loc];
        let (Some(i), Some(j)) = (ws.iter().position(|&x| x == src), ws.iter().position(|&x| x == w)) else {
            continue;
        };
        if let Some(&x) = ws.get(i + 1..j).and_then(|mid| mid.iter().find(|&&x| ev[x].core != e.core)) {
            return Some(vec![r, x, w]);
        }
    }
    None
}

/// `r` restricted to the pairs `keep` accepts.
pub fn only(r: &Rel, keep: impl Fn(usize, usize) -> bool) -> Rel {
    let mut o = Rel::new(r.len());
    for (a, b) in r.pairs() {
        if keep(a, b) {
            o.set(a, b);
        }
    }
    o
}
