//! Sequential consistency: one memory, every access acts on it at once, in
//! program order (Lamport 1979). Fences order nothing that is not already ordered.

mod axioms;

pub use axioms::ScAxioms;

use crate::exclusive::{store_exclusive_options, store_exclusive_succeeds, Monitors};
use crate::{
    Blocked, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, NoPromises, Pending, Preview, Request, Response,
    Source, Val,
};

/// Sequential consistency.
pub static INFO: ModelInfo = ModelInfo {
    name: "sc",
    aliases: &[],
    title: "SC",
    description: "sequential consistency: one memory, every access takes effect at once, in program order",
    axioms: "herd's sc.cat",
    c_mapping: isa::litmus::c::Mapping::X86,
};

#[derive(Clone, Copy, Debug, Default)]
pub struct Sc;

/// One flat memory with exclusive monitors: SC's whole shared state, and
/// TSO's behind its store buffers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FlatMemory {
    pub mem: Vec<u64>,
    pub monitors: Monitors,
}

pub type ScShared = FlatMemory;

impl FlatMemory {
    pub fn new(init: &[u64], cores: usize) -> FlatMemory {
        FlatMemory { mem: init.to_vec(), monitors: Monitors::new(cores) }
    }
}

impl Clone for FlatMemory {
    fn clone(&self) -> Self {
        FlatMemory { mem: self.mem.clone(), monitors: self.monitors.clone() }
    }
    fn clone_from(&mut self, o: &Self) {
        self.mem.clone_from(&o.mem);
        self.monitors.clone_from(&o.monitors);
    }
}

/// The outcome of a request on a flat memory, shared by SC and TSO (which
/// performs its locked operations exactly like SC once its buffer is empty).
pub fn flat_perform(
    mem: &mut [u64],
    monitors: &mut Monitors,
    core: usize,
    req: &Request<()>,
    choice: u16,
) -> Response<()> {
    match *req {
        Request::Load { loc, exclusive, .. } => {
            if exclusive {
                monitors.reserve(core, loc);
            }
            Response::Value(Val::plain(mem[loc]))
        }
        Request::Store { loc, val, exclusive, .. } => {
            if exclusive {
                let ok = store_exclusive_succeeds(monitors, core, loc, choice);
                monitors.clear(core);
                if !ok {
                    return Response::Value(Val::plain(1));
                }
            }
            mem[loc] = val.v;
            monitors.written(core, loc);
            if exclusive {
                Response::Value(Val::plain(0))
            } else {
                Response::Done
            }
        }
        Request::Rmw { loc, kind, a, b, width, .. } => {
            let old = mem[loc];
            if let Some(new) = kind.apply(old, a.v, b.v, width) {
                mem[loc] = new;
                monitors.written(core, loc);
            }
            Response::Value(Val::plain(old))
        }
        Request::Fence(_) => Response::Done,
    }
}

/// What [`flat_perform`] would do, without doing it.
pub fn flat_preview(mem: &[u64], monitors: &Monitors, core: usize, req: &Request<()>, choice: u16) -> Preview {
    let mut p = Preview { read: None, source: Source::Memory, wrote: None, buffered: false };
    match *req {
        Request::Load { loc, .. } => p.read = Some(mem[loc]),
        Request::Store { loc, val, exclusive, .. } => {
            if exclusive && !store_exclusive_succeeds(monitors, core, loc, choice) {
                p.read = Some(1);
            } else {
                p.wrote = Some(val.v);
                if exclusive {
                    p.read = Some(0);
                }
            }
        }
        Request::Rmw { loc, kind, a, b, width, .. } => {
            p.read = Some(mem[loc]);
            p.wrote = kind.apply(mem[loc], a.v, b.v, width);
        }
        Request::Fence(_) => {}
    }
    p
}

impl MemoryModel for Sc {
    type Meta = ();
    type Core = ();
    type Shared = ScShared;
    type Promises = NoPromises;

    fn info(&self) -> &'static ModelInfo {
        &INFO
    }
    fn new_shared(&self, init: &[u64], cores: usize) -> ScShared {
        FlatMemory::new(init, cores)
    }
    fn new_core(&self, _core: usize) {}
    fn unordered_pairs(&self) -> bool {
        true
    }

    fn options(&self, s: &ScShared, _: &[()], core: usize, req: &Request<()>) -> Result<u16, Blocked> {
        Ok(match *req {
            Request::Store { loc, exclusive: true, .. } => store_exclusive_options(&s.monitors, core, loc),
            _ => 1,
        })
    }
    fn preview(&self, s: &ScShared, _: &[()], core: usize, req: &Request<()>, choice: u16) -> Preview {
        flat_preview(&s.mem, &s.monitors, core, req, choice)
    }
    fn perform(&self, s: &mut ScShared, _: &mut [()], core: usize, req: &Request<()>, choice: u16) -> Response<()> {
        flat_perform(&mut s.mem, &mut s.monitors, core, req, choice)
    }
    fn internal(&self, _: &ScShared, _: &[()], _: &mut Vec<Internal>) {}
    fn apply_internal(&self, _: &mut ScShared, _: &mut [()], step: Internal) -> InternalEffect {
        unreachable!("SC has no internal steps (asked for {step:?})")
    }
    fn quiescent(&self, _: &ScShared, _: &[()]) -> bool {
        true
    }
    fn memory(&self, s: &ScShared, loc: Loc) -> u64 {
        s.mem[loc]
    }
    fn pending(&self, _: &ScShared, _: &[()], _: usize) -> Vec<Pending> {
        Vec::new()
    }
    fn overtaking(&self, _: usize, _: &str, _: &str, _: bool) -> String {
        "Under SC this cannot happen: every access takes effect in one global order.".into()
    }
}
