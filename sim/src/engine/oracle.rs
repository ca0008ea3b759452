//! The memory model the graph engine runs each core on: a read returns the
//! value the engine planned for it (the value of the write it reads from, or a
//! guessed value), so register semantics, branches and faults are the
//! machine's own, while `rf` and `co` are the engine's business.

use memmodels::{
    Blocked, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, NoPromises, Pending, Preview, Request, Response,
    Source, Val,
};

/// Reads return [`OCore::next`]; store-exclusives succeed (choice 0, when the
/// reservation matches) or fail (choice 1).
#[derive(Clone, Copy, Debug, Default)]
pub struct Oracle;

/// Per-core state of [`Oracle`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OCore {
    /// The reservation of a load-exclusive.
    pub res: Option<u32>,
    /// The value the core's next read returns.
    pub next: u64,
}

static ORACLE: ModelInfo = ModelInfo {
    name: "oracle",
    aliases: &[],
    title: "planned reads",
    description: "every read returns the value the graph engine planned for it (graph engine only)",
    axioms: "",
    c_mapping: isa::litmus::c::Mapping::X86,
};

impl MemoryModel for Oracle {
    type Meta = ();
    type Core = OCore;
    type Shared = ();
    type Promises = NoPromises;

    fn info(&self) -> &'static ModelInfo {
        &ORACLE
    }
    fn new_shared(&self, _: &[u64], _: usize) {}
    fn new_core(&self, _: usize) -> OCore {
        OCore::default()
    }
    fn options(&self, _: &(), cores: &[OCore], c: usize, req: &Request<()>) -> Result<u16, Blocked> {
        Ok(match *req {
            Request::Store { loc, exclusive: true, .. } if cores[c].res == Some(loc as u32) => 2,
            _ => 1,
        })
    }
    fn preview(&self, _: &(), cores: &[OCore], c: usize, req: &Request<()>, choice: u16) -> Preview {
        planned_preview(req, cores[c].res, cores[c].next, choice)
    }
    fn perform(&self, _: &mut (), cores: &mut [OCore], c: usize, req: &Request<()>, choice: u16) -> Response<()> {
        let next = cores[c].next;
        planned_perform(req, &mut cores[c].res, next, choice)
    }
    fn internal(&self, _: &(), _: &[OCore], _: &mut Vec<Internal>) {}
    fn apply_internal(&self, _: &mut (), _: &mut [OCore], _: Internal) -> InternalEffect {
        unreachable!("the oracle model has no internal steps")
    }
    fn quiescent(&self, _: &(), _: &[OCore]) -> bool {
        true
    }
    fn memory(&self, _: &(), _: Loc) -> u64 {
        0
    }
    fn pending(&self, _: &(), _: &[OCore], _: usize) -> Vec<Pending> {
        Vec::new()
    }
}

/// What `req` does when its read returns `read` and the core holds reservation
/// `res`; a store-exclusive succeeds with choice 0 when the reservation matches
/// (its status 0), else fails (status 1). Shared by [`Oracle`] and the
/// candidate enumeration's free-read model.
pub(crate) fn planned_preview(req: &Request<()>, res: Option<u32>, read: u64, choice: u16) -> Preview {
    let mut p = Preview { read: None, source: Source::Memory, wrote: None, buffered: false };
    match *req {
        Request::Load { .. } => p.read = Some(read),
        Request::Rmw { kind, a, b, width, .. } => {
            p.read = Some(read);
            p.wrote = kind.apply(read, a.v, b.v, width);
        }
        Request::Store { loc, val, exclusive, .. } => {
            if exclusive && !(res == Some(loc as u32) && choice == 0) {
                p.read = Some(1);
            } else {
                p.wrote = Some(val.v);
                if exclusive {
                    p.read = Some(0);
                }
            }
        }
        Request::Fence(_) => {}
    }
    p
}

/// Performs `req` as [`planned_preview`] says, keeping the reservation `res`.
pub(crate) fn planned_perform(req: &Request<()>, res: &mut Option<u32>, read: u64, choice: u16) -> Response<()> {
    let p = planned_preview(req, *res, read, choice);
    match *req {
        Request::Load { loc, exclusive: true, .. } => *res = Some(loc as u32),
        Request::Store { exclusive: true, .. } => *res = None,
        _ => {}
    }
    match p.read {
        Some(v) => Response::Value(Val::plain(v)),
        None => Response::Done,
    }
}
