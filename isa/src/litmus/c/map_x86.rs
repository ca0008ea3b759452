//! The x86 lowering: what Linux compiles each primitive to on x86-64
//! (`docs/lkmm.md` has the table with the kernel source of each line).
//!
//! Every RMW is a `lock`-prefixed instruction (or `xchg`, locked by itself):
//! fully ordered whatever its `_relaxed`/`_acquire`/`_release` suffix, since
//! x86 defines only the fully ordered forms.

use super::lower::Lower;
use super::map_hw::{self, compiler_only, no_mapping};
use super::prims::Prim;
use crate::instr::{FenceKind, Instr, LoadOrd, RmwOrd, StoreOrd};
use crate::litmus::text::PResult;
use crate::lkmm::{LkFence, LkTag};

pub(crate) fn emit(lw: &mut Lower, p: Prim, off: usize) -> PResult<()> {
    match p {
        // READ_ONCE, smp_load_acquire, rcu_dereference, atomic_read: `mov`.
        Prim::Load { addr, dst, .. } => {
            lw.emit(Instr::Load { dst, addr, ord: LoadOrd::Plain, exclusive: false }, LkTag::None)
        }
        // WRITE_ONCE, smp_store_release, rcu_assign_pointer, atomic_set: `mov`.
        Prim::Store { addr, val, .. } => {
            lw.emit(Instr::Store { src: val, addr, ord: StoreOrd::Plain, status: None }, LkTag::None)
        }
        Prim::Fence(f) => match f {
            // smp_mb(): `lock addl $0,-4(%rsp)`, a full fence like `mfence`.
            LkFence::Mb => lw.emit(Instr::Fence(FenceKind::Full), LkTag::None),
            // smp_rmb(), smp_wmb(): barrier(); smp_mb__{before,after}_atomic():
            // barrier() (atomics are locked); smp_mb__after_spinlock(): nothing
            // (the lock is a locked RMW).
            LkFence::Rmb | LkFence::Wmb | LkFence::BeforeAtomic | LkFence::AfterAtomic | LkFence::AfterSpinlock => {}
            f if compiler_only(f) => {}
            LkFence::SyncRcu => return no_mapping("x86", "synchronize_rcu()", off),
            _ => {}
        },
        // xchg (implicitly locked), lock cmpxchg, lock xadd / lock add.
        Prim::Rmw { op, addr, dst, .. } => lw.emit(Instr::Rmw { op, dst, addr, ord: RmwOrd::Full }, LkTag::None),
        Prim::Lock(addr) => map_hw::spin_lock(lw, addr, RmwOrd::Full, off)?,
        Prim::Unlock(addr) => map_hw::spin_unlock(lw, addr, StoreOrd::Plain),
        Prim::TryLock(addr, d) => map_hw::spin_trylock(lw, addr, d, RmwOrd::Full, off)?,
        Prim::IsLocked(addr, d) => map_hw::spin_is_locked(lw, addr, d),
        Prim::AddUnless { addr, add, unless, dst } => {
            map_hw::add_unless(lw, addr, add, unless, dst, RmwOrd::Full, off)?
        }
        Prim::Srcu(..) => return no_mapping("x86", "SRCU", off),
    }
    Ok(())
}
