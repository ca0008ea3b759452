//! What the x86 and arm64 lowerings share: the kernel's generic code that both
//! architectures compile (the spinlock and `atomic_add_unless` loops), with
//! each architecture's compare-and-swap.

use super::lower::Lower;
use crate::instr::{Addr, AluOp, Cond, Instr, Operand, Reg, RmwOp, RmwOrd, StoreOrd};
use crate::litmus::text::{perr, PResult};
use crate::lkmm::{LkFence, LkTag};

fn emit(lw: &mut Lower, i: Instr) {
    lw.emit(i, LkTag::None);
}

/// `spin_lock()` as the qspinlock fast path, retried until it succeeds:
/// `atomic_try_cmpxchg_acquire(&lock->val, 0, _Q_LOCKED_VAL)`
/// (kernel/locking/qspinlock.c, include/asm-generic/qspinlock.h). The queued
/// slow path only spins until the same compare-and-swap can succeed.
pub(crate) fn spin_lock(lw: &mut Lower, addr: Addr, cas: RmwOrd, off: usize) -> PResult<()> {
    let t = lw.temp(off)?;
    let top = lw.new_label();
    lw.place(top);
    let op = RmwOp::Cmpxchg { expected: Operand::Imm(0), new: Operand::Imm(1) };
    emit(lw, Instr::Rmw { op, dst: Some(t), addr, ord: cas });
    lw.emit_to(Instr::Branch { cond: Cond::Ne, a: Operand::Reg(t), b: Operand::Imm(0), target: 0 }, top, LkTag::None);
    Ok(())
}

/// `spin_unlock()`: `smp_store_release(&lock->locked, 0)` (queued_spin_unlock).
pub(crate) fn spin_unlock(lw: &mut Lower, addr: Addr, ord: StoreOrd) {
    emit(lw, Instr::Store { src: Operand::Imm(0), addr, ord, status: None });
}

/// `spin_trylock()`: `queued_spin_trylock`: read the lock word, give up if it
/// is held, else one acquire compare-and-swap. `d` := 1 when it took the lock.
pub(crate) fn spin_trylock(lw: &mut Lower, addr: Addr, d: Reg, cas: RmwOrd, off: usize) -> PResult<()> {
    let t = lw.temp(off)?;
    let end = lw.new_label();
    emit(lw, Instr::Load { dst: t, addr, ord: crate::instr::LoadOrd::Plain, exclusive: false });
    emit(lw, Instr::Mov { dst: d, src: Operand::Imm(0) });
    lw.emit_to(Instr::Branch { cond: Cond::Ne, a: Operand::Reg(t), b: Operand::Imm(0), target: 0 }, end, LkTag::None);
    let op = RmwOp::Cmpxchg { expected: Operand::Imm(0), new: Operand::Imm(1) };
    emit(lw, Instr::Rmw { op, dst: Some(t), addr, ord: cas });
    // The old value was 0 exactly when the swap took place.
    emit(
        lw,
        Instr::Csel {
            dst: d,
            cond: Cond::Eq,
            a: Operand::Reg(t),
            b: Operand::Imm(0),
            t: Operand::Imm(1),
            f: Operand::Imm(0),
        },
    );
    lw.place(end);
    Ok(())
}

/// `spin_is_locked()`: `atomic_read(&lock->val) != 0` (queued_spin_is_locked).
pub(crate) fn spin_is_locked(lw: &mut Lower, addr: Addr, d: Reg) {
    emit(lw, Instr::Load { dst: d, addr, ord: crate::instr::LoadOrd::Plain, exclusive: false });
    emit(
        lw,
        Instr::Csel {
            dst: d,
            cond: Cond::Ne,
            a: Operand::Reg(d),
            b: Operand::Imm(0),
            t: Operand::Imm(1),
            f: Operand::Imm(0),
        },
    );
}

/// `atomic_add_unless(v, a, u)`: the generic `raw_atomic_fetch_add_unless`
/// (include/linux/atomic/atomic-arch-fallback.h): read `v`, then until `v == u`
/// try a fully ordered `try_cmpxchg(v, &c, c + a)`. `d` := 1 when it added.
pub(crate) fn add_unless(
    lw: &mut Lower,
    addr: Addr,
    add: Operand,
    unless: Operand,
    d: Reg,
    cas: RmwOrd,
    off: usize,
) -> PResult<()> {
    let c = lw.temp(off)?;
    let n = lw.temp(off)?;
    let g = lw.temp(off)?;
    let (top, fail, end) = (lw.new_label(), lw.new_label(), lw.new_label());
    emit(lw, Instr::Load { dst: c, addr, ord: crate::instr::LoadOrd::Plain, exclusive: false });
    lw.place(top);
    lw.emit_to(Instr::Branch { cond: Cond::Eq, a: Operand::Reg(c), b: unless, target: 0 }, fail, LkTag::None);
    emit(lw, Instr::Alu { op: AluOp::Add, dst: n, a: Operand::Reg(c), b: add });
    let op = RmwOp::Cmpxchg { expected: Operand::Reg(c), new: Operand::Reg(n) };
    emit(lw, Instr::Rmw { op, dst: Some(g), addr, ord: cas });
    emit(lw, Instr::Mov { dst: d, src: Operand::Imm(1) });
    lw.emit_to(Instr::Branch { cond: Cond::Eq, a: Operand::Reg(g), b: Operand::Reg(c), target: 0 }, end, LkTag::None);
    emit(lw, Instr::Mov { dst: c, src: Operand::Reg(g) });
    lw.emit_to(Instr::Jmp { target: 0 }, top, LkTag::None);
    lw.place(fail);
    emit(lw, Instr::Mov { dst: d, src: Operand::Imm(0) });
    lw.place(end);
    Ok(())
}

/// The primitives no hardware mapping can express.
pub(crate) fn no_mapping(arch: &str, what: &str, off: usize) -> PResult<()> {
    perr(
        off,
        format!(
            "unsupported on {arch}: {what} has no instruction-level mapping (a grace period waits for every CPU; \
             run the test with --model lkmm)"
        ),
    )
}

/// Fences that compile to nothing but a compiler barrier on both architectures.
pub(crate) fn compiler_only(f: LkFence) -> bool {
    matches!(f, LkFence::Barrier | LkFence::RcuLock | LkFence::RcuUnlock | LkFence::AfterUnlockLock)
}
