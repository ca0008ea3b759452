//! x86-TSO (Owens, Sarkar, Sewell: "A better x86 memory model: x86-TSO", 2009).
//!
//! Rules, as the paper's abstract machine states them:
//! - each core has a FIFO store buffer; a store enters its core's buffer;
//! - a load reads the newest buffered store of its own core to that address,
//!   else memory (store forwarding);
//! - a buffer may drain its oldest entry to memory at any time (an internal step);
//! - a locked instruction (every XCHG, every LOCK CMPXCHG — also when the
//!   compare fails —, LOCK XADD/OR/...) and MFENCE may run only with an empty
//!   buffer, and a locked RMW acts on memory atomically;
//! - load-load and store-store fences are no-ops: TSO keeps those orders anyway.

mod axioms;

pub use axioms::TsoAxioms;

use crate::exclusive::store_exclusive_options;
use crate::sc::{flat_perform, flat_preview, FlatMemory};
use crate::{
    Blocked, Internal, InternalEffect, Loc, MemoryModel, ModelInfo, NoPromises, Pending, Preview, Request, Response,
    Source, Val,
};

/// x86-TSO.
pub static INFO: ModelInfo = ModelInfo {
    name: "tso",
    aliases: &["x86", "x86-tso"],
    title: "x86-TSO",
    description: "x86-TSO: a FIFO store buffer per core; locked instructions and MFENCE wait for it to drain",
    axioms: "herd's x86tso.cat",
    c_mapping: isa::litmus::c::Mapping::X86,
};
use isa::FenceKind;
use smallvec::SmallVec;

/// Most entries a store buffer holds; a store waits while it is full.
pub const BUFFER_CAPACITY: usize = 64;

#[derive(Clone, Copy, Debug, Default)]
pub struct Tso;

pub type TsoShared = FlatMemory;

/// A core's store buffer, oldest entry first.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct StoreBuffer {
    pub entries: SmallVec<[(u32, u64); 4]>,
}

impl Clone for StoreBuffer {
    fn clone(&self) -> Self {
        StoreBuffer { entries: SmallVec::from_slice(&self.entries) }
    }
    fn clone_from(&mut self, o: &Self) {
        self.entries.clear();
        self.entries.extend_from_slice(&o.entries);
    }
}

impl StoreBuffer {
    /// The newest buffered value for `loc`, if any.
    pub fn forward(&self, loc: Loc) -> Option<u64> {
        self.entries.iter().rev().find(|e| e.0 as usize == loc).map(|e| e.1)
    }
}

fn needs_empty_buffer(req: &Request<()>) -> bool {
    match req {
        Request::Rmw { .. } => true,
        Request::Store { exclusive, .. } => *exclusive,
        // A fence that orders stores before loads drains the buffer.
        Request::Fence(k) => matches!(k, FenceKind::Full | FenceKind::StoreAll),
        Request::Load { .. } => false,
    }
}

impl MemoryModel for Tso {
    type Meta = ();
    type Core = StoreBuffer;
    type Shared = TsoShared;
    type Promises = NoPromises;

    fn info(&self) -> &'static ModelInfo {
        &INFO
    }
    fn new_shared(&self, init: &[u64], cores: usize) -> TsoShared {
        FlatMemory::new(init, cores)
    }
    fn new_core(&self, _core: usize) -> StoreBuffer {
        StoreBuffer::default()
    }

    fn options(&self, s: &TsoShared, bufs: &[StoreBuffer], core: usize, req: &Request<()>) -> Result<u16, Blocked> {
        let buf = &bufs[core];
        if needs_empty_buffer(req) && !buf.entries.is_empty() {
            return Err(Blocked::StoreBufferNotEmpty { entries: buf.entries.len() });
        }
        match *req {
            Request::Store { exclusive: false, .. } if buf.entries.len() >= BUFFER_CAPACITY => {
                Err(Blocked::Other(format!("its store buffer is full ({BUFFER_CAPACITY} entries)")))
            }
            Request::Store { loc, exclusive: true, .. } => Ok(store_exclusive_options(&s.monitors, core, loc)),
            _ => Ok(1),
        }
    }

    fn preview(&self, s: &TsoShared, bufs: &[StoreBuffer], core: usize, req: &Request<()>, choice: u16) -> Preview {
        match *req {
            Request::Load { loc, .. } => match bufs[core].forward(loc) {
                Some(v) => Preview { read: Some(v), source: Source::OwnBuffer, wrote: None, buffered: false },
                None => flat_preview(&s.mem, &s.monitors, core, req, choice),
            },
            Request::Store { val, exclusive: false, .. } => {
                Preview { read: None, source: Source::Memory, wrote: Some(val.v), buffered: true }
            }
            _ => flat_preview(&s.mem, &s.monitors, core, req, choice),
        }
    }

    fn perform(
        &self,
        s: &mut TsoShared,
        bufs: &mut [StoreBuffer],
        core: usize,
        req: &Request<()>,
        choice: u16,
    ) -> Response<()> {
        match *req {
            Request::Load { loc, exclusive, .. } => {
                if let Some(v) = bufs[core].forward(loc) {
                    if exclusive {
                        s.monitors.reserve(core, loc);
                    }
                    return Response::Value(Val::plain(v));
                }
                flat_perform(&mut s.mem, &mut s.monitors, core, req, choice)
            }
            Request::Store { loc, val, exclusive: false, .. } => {
                bufs[core].entries.push((loc as u32, val.v));
                Response::Done
            }
            _ => flat_perform(&mut s.mem, &mut s.monitors, core, req, choice),
        }
    }

    fn internal(&self, _: &TsoShared, bufs: &[StoreBuffer], out: &mut Vec<Internal>) {
        for (core, b) in bufs.iter().enumerate() {
            if !b.entries.is_empty() {
                out.push(Internal { core, id: 0 });
            }
        }
    }

    fn apply_internal(&self, s: &mut TsoShared, bufs: &mut [StoreBuffer], step: Internal) -> InternalEffect {
        let (loc, val) = bufs[step.core].entries.remove(0);
        let loc = loc as usize;
        s.mem[loc] = val;
        s.monitors.written(step.core, loc);
        InternalEffect::Drained { loc, val }
    }

    fn quiescent(&self, _: &TsoShared, bufs: &[StoreBuffer]) -> bool {
        bufs.iter().all(|b| b.entries.is_empty())
    }
    fn memory(&self, s: &TsoShared, loc: Loc) -> u64 {
        s.mem[loc]
    }
    fn pending(&self, _: &TsoShared, bufs: &[StoreBuffer], core: usize) -> Vec<Pending> {
        bufs[core].entries.iter().map(|&(loc, val)| Pending { loc: loc as usize, val, note: String::new() }).collect()
    }

    fn overtaking(&self, core: usize, read: &str, wrote: &str, _: bool) -> String {
        format!(
            "x86-TSO lets a load overtake the core's own older store to another address (the store waits in \
             the store buffer): core {core}'s read of {read} went ahead of its store of {wrote}."
        )
    }
}
