//! The arm64 lowering: what Linux compiles each primitive to on arm64 with the
//! LSE atomics (ARMv8.1; `docs/lkmm.md` has the table with the kernel source
//! of each line). A fully ordered RMW is an `AL` instruction (SWPAL, CASAL,
//! LDADDAL); a compare-and-swap that fails performs only its read and orders
//! nothing around it.

use super::lower::Lower;
use super::map_hw::{self, compiler_only, no_mapping};
use super::prims::Prim;
use crate::instr::{FenceKind, Instr, LoadOrd, RmwOrd, StoreOrd};
use crate::litmus::text::PResult;
use crate::lkmm::{LkAccess, LkFence, LkTag};

pub(crate) fn emit(lw: &mut Lower, p: Prim, off: usize) -> PResult<()> {
    match p {
        // READ_ONCE, rcu_dereference, atomic_read: LDR; smp_load_acquire: LDAR.
        Prim::Load { ann, addr, dst } => {
            let ord = if ann == LkAccess::Acquire { LoadOrd::Acquire } else { LoadOrd::Plain };
            lw.emit(Instr::Load { dst, addr, ord, exclusive: false }, LkTag::None)
        }
        // WRITE_ONCE, atomic_set: STR; smp_store_release, rcu_assign_pointer: STLR.
        Prim::Store { ann, addr, val } => {
            let ord = if ann == LkAccess::Release { StoreOrd::Release } else { StoreOrd::Plain };
            lw.emit(Instr::Store { src: val, addr, ord, status: None }, LkTag::None)
        }
        Prim::Fence(f) => match f {
            // smp_mb(), and __smp_mb__{before,after}_atomic() and
            // smp_mb__after_spinlock(), which arm64 defines as smp_mb(): DMB ISH.
            LkFence::Mb | LkFence::BeforeAtomic | LkFence::AfterAtomic | LkFence::AfterSpinlock => {
                lw.emit(Instr::Fence(FenceKind::Full), LkTag::None)
            }
            // smp_rmb(): DMB ISHLD; smp_wmb(): DMB ISHST.
            LkFence::Rmb => lw.emit(Instr::Fence(FenceKind::LoadLoad), LkTag::None),
            LkFence::Wmb => lw.emit(Instr::Fence(FenceKind::StoreStore), LkTag::None),
            f if compiler_only(f) => {}
            LkFence::SyncRcu => return no_mapping("arm64", "synchronize_rcu()", off),
            _ => {}
        },
        // SWP/CAS/LDADD with the ordering of the suffix; STADD for the
        // non-returning atomics (relaxed).
        Prim::Rmw { op, ord, addr, dst } => {
            let ord = if dst.is_none() { RmwOrd::Relaxed } else { ord };
            lw.emit(Instr::Rmw { op, dst, addr, ord }, LkTag::None)
        }
        Prim::Lock(addr) => map_hw::spin_lock(lw, addr, RmwOrd::Acquire, off)?,
        Prim::Unlock(addr) => map_hw::spin_unlock(lw, addr, StoreOrd::Release),
        Prim::TryLock(addr, d) => map_hw::spin_trylock(lw, addr, d, RmwOrd::Acquire, off)?,
        Prim::IsLocked(addr, d) => map_hw::spin_is_locked(lw, addr, d),
        Prim::AddUnless { addr, add, unless, dst } => {
            map_hw::add_unless(lw, addr, add, unless, dst, RmwOrd::Full, off)?
        }
        Prim::Srcu(..) => return no_mapping("arm64", "SRCU", off),
    }
    Ok(())
}
