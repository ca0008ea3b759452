//! The Promising-ARM state: the message list (memory) and each core's views
//! (Pulte et al., PLDI 2019, §4; Coq `Promising.v` `Memory`, `Local`).

use super::view::{Ts, Views};
use crate::Loc;
use smallvec::SmallVec;
use std::sync::Arc;

/// One message of memory: `loc := val`, written by core `tid`.
/// Its timestamp is its index in [`ArmShared::msgs`] plus one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    pub val: u64,
    /// The previous message to the same location (0: none), so that one
    /// location's messages are walked without scanning all of memory.
    pub prev: Ts,
    pub loc: u16,
    pub tid: u8,
}

/// Two words per message.
impl std::hash::Hash for Msg {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64(self.val);
        h.write_u64((self.prev as u64) << 32 | (self.loc as u64) << 8 | self.tid as u64);
    }
}

/// Memory: the initial values and the list of messages, in timestamp order.
/// The order of messages to one location is `co`; messages to different
/// locations are ordered too, because views are global timestamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmShared {
    pub init: Arc<[u64]>,
    pub msgs: Vec<Msg>,
    /// The newest message to each location (0: none), heads of the `prev` chains.
    pub last: SmallVec<[Ts; 8]>,
    /// The promise phase of a promise-first search is over: writes may only fulfil
    /// promises, so memory no longer changes.
    pub closed: bool,
    /// After `closed`, a core needed a write it had not promised (or a read found
    /// nothing to read): this run is a dead end and never becomes final.
    pub dead: bool,
}

/// The initial values are the program's (the same in every state of a machine):
/// fingerprints skip them.
/// `last` is derived from `msgs`.
impl std::hash::Hash for ArmShared {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.msgs.hash(h);
        self.closed.hash(h);
        self.dead.hash(h);
    }
}

impl ArmShared {
    /// A memory holding only the initial values.
    pub fn new(init: &[u64]) -> ArmShared {
        ArmShared {
            init: init.into(),
            msgs: Vec::new(),
            last: SmallVec::from_elem(0, init.len()),
            closed: false,
            dead: false,
        }
    }

    /// The timestamp the next message gets.
    #[inline]
    pub fn next_ts(&self) -> Ts {
        Ts::try_from(self.msgs.len() + 1).expect("more than 2^32 messages in memory")
    }

    /// Appends a message; returns its timestamp.
    pub fn push(&mut self, loc: Loc, val: u64, tid: usize) -> Ts {
        let ts = self.next_ts();
        self.msgs.push(Msg { val, prev: self.last[loc], loc: loc as u16, tid: tid as u8 });
        self.last[loc] = ts;
        ts
    }

    /// The message at `ts` (`ts >= 1`).
    #[inline]
    pub fn msg(&self, ts: Ts) -> &Msg {
        &self.msgs[ts as usize - 1]
    }

    /// Value of the write at `ts` to `loc` (`ts = 0`: the initial value).
    #[inline]
    pub fn val(&self, loc: Loc, ts: Ts) -> u64 {
        if ts == 0 {
            self.init[loc]
        } else {
            self.msg(ts).val
        }
    }

    /// Timestamps of the messages to `loc`, newest first (not the initial write).
    pub fn loc_desc(&self, loc: Loc) -> impl Iterator<Item = Ts> + '_ {
        let mut t = self.last[loc];
        std::iter::from_fn(move || {
            (t != 0).then(|| {
                let here = t;
                t = self.msg(t).prev;
                here
            })
        })
    }

    /// Timestamps of the messages to `loc` in the open-closed interval `(lo, hi]`, newest first.
    pub fn loc_msgs_in(&self, loc: Loc, lo: Ts, hi: Ts) -> impl Iterator<Item = Ts> + '_ {
        self.loc_desc(loc).skip_while(move |&t| t > hi).take_while(move |&t| t > lo)
    }

    /// The co-latest write to `loc`: its timestamp (0 when none was written).
    #[inline]
    pub fn latest(&self, loc: Loc) -> Ts {
        self.last[loc]
    }
}

/// The core's last write to a location, for forwarding (Promising `fwdbank`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fwd {
    /// Timestamp of the write (0: the core has not written the location).
    pub ts: Ts,
    /// Join of its address and data views (`addr; [Exp]; lrs`, `data; [Exp]; lrs`),
    /// plus for a CAS the compare's pick view (arm-model.md §2.2, extension 7).
    pub view: Views,
    /// For the write of an RMW (exclusive pair or LSE): the post-view of its read,
    /// so an acquire read forwarded from it is ordered after that read
    /// (`aob`: `rmw; lrs; [A | Q]`; extension 5).
    pub rmw_read: Option<Views>,
}

/// What the last load-exclusive read (Promising `xclbank`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Xcl {
    pub loc: u16,
    pub ts: Ts,
    /// Post-view of the load-exclusive: its store must come after it (`rmw` in `aob`).
    pub post: Views,
}

/// One core's thread-local state (Promising `Local`, with view pairs).
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct ArmCore {
    /// `coh[loc]`: timestamp of the latest write to `loc` this core has read or written.
    /// Empty until the core's first access, then one entry per location.
    pub coh: SmallVec<[Ts; 8]>,
    /// `fwdb[loc]`, sized like `coh`.
    pub fwd: SmallVec<[Fwd; 8]>,
    /// Join of the post-views of all reads so far (`vrOld`).
    pub vr_old: Views,
    /// `vrOld` without NoRet reads: what DMB LD waits for (`[R \ NoRet]; po; [dmb.ld]`).
    pub vr_old_ld: Views,
    /// Join of the timestamps of all writes so far (`vwOld`).
    pub vw_old: Views,
    /// Lower bound of the next read's view (`vrNew`), raised by barriers and acquires.
    pub vr_new: Views,
    /// Lower bound of the next write's view (`vwNew`).
    pub vw_new: Views,
    /// Views of branch conditions and of the addresses of all accesses so far (`vCAP`).
    pub v_cap: Views,
    /// Timestamp of the latest release write (`vRel`, for `[L]; po; [A]`).
    pub v_rel: Views,
    /// The exclusive bank.
    pub xcl: Option<Xcl>,
    /// Timestamps promised and not yet fulfilled, ascending.
    pub prom: SmallVec<[Ts; 4]>,
}

/// By hand: the tables are plain data, copied at once (certification clones a lot).
impl Clone for ArmCore {
    fn clone(&self) -> Self {
        ArmCore {
            coh: SmallVec::from_slice(&self.coh),
            fwd: SmallVec::from_slice(&self.fwd),
            vr_old: self.vr_old,
            vr_old_ld: self.vr_old_ld,
            vw_old: self.vw_old,
            vr_new: self.vr_new,
            vw_new: self.vw_new,
            v_cap: self.v_cap,
            v_rel: self.v_rel,
            xcl: self.xcl,
            prom: SmallVec::from_slice(&self.prom),
        }
    }
}

impl ArmCore {
    /// Gives the per-location tables their full size (done at every access, so
    /// equal states have equal representations).
    #[inline]
    pub fn sized(&mut self, nlocs: usize) {
        if self.coh.len() < nlocs {
            self.coh.resize(nlocs, 0);
            self.fwd.resize(nlocs, Fwd::default());
        }
    }

    #[inline]
    pub fn coh(&self, loc: Loc) -> Ts {
        self.coh.get(loc).copied().unwrap_or(0)
    }

    #[inline]
    pub fn fwd(&self, loc: Loc) -> Fwd {
        self.fwd.get(loc).copied().unwrap_or_default()
    }

    #[inline]
    pub fn promised(&self, ts: Ts) -> bool {
        self.prom.binary_search(&ts).is_ok()
    }
}
