//! The LKMM lowering: each primitive becomes a hardware-neutral instruction
//! tagged with what `linux-kernel.def` makes of it (see [`crate::lkmm`]).

use super::lower::Lower;
use super::prims::Prim;
use crate::instr::{AluOp, FenceKind, Instr, LoadOrd, Operand, RmwOp, RmwOrd, StoreOrd};
use crate::litmus::text::PResult;
use crate::lkmm::{LkAccess, LkFence, LkTag};

pub(crate) fn emit(lw: &mut Lower, p: Prim, off: usize) -> PResult<()> {
    match p {
        Prim::Load { ann, addr, dst } => {
            let ord = if ann == LkAccess::Acquire { LoadOrd::Acquire } else { LoadOrd::Plain };
            lw.emit(Instr::Load { dst, addr, ord, exclusive: false }, LkTag::Access(ann));
        }
        Prim::Store { ann, addr, val } => {
            let ord = if ann == LkAccess::Release { StoreOrd::Release } else { StoreOrd::Plain };
            lw.emit(Instr::Store { src: val, addr, ord, status: None }, LkTag::Access(ann));
        }
        Prim::Fence(f) => {
            let i = match f {
                LkFence::Mb => Instr::Fence(FenceKind::Full),
                LkFence::Rmb => Instr::Fence(FenceKind::LoadLoad),
                LkFence::Wmb => Instr::Fence(FenceKind::StoreStore),
                // No hardware meaning of their own: a compiler barrier.
                _ => Instr::Nop,
            };
            lw.emit(i, LkTag::Fence(f));
        }
        Prim::Rmw { op, ord, addr, dst } => {
            let ord = if dst.is_none() { RmwOrd::Relaxed } else { ord };
            lw.emit(Instr::Rmw { op, dst, addr, ord }, LkTag::Rmw { noreturn: dst.is_none() });
        }
        Prim::Lock(addr) => {
            let op = RmwOp::Cmpxchg { expected: Operand::Imm(0), new: Operand::Imm(1) };
            lw.emit(Instr::Rmw { op, dst: None, addr, ord: RmwOrd::Acquire }, LkTag::Lock);
        }
        Prim::Unlock(addr) => {
            lw.emit(Instr::Store { src: Operand::Imm(0), addr, ord: StoreOrd::Release, status: None }, LkTag::Unlock);
        }
        Prim::TryLock(addr, d) => {
            let op = RmwOp::Cmpxchg { expected: Operand::Imm(0), new: Operand::Imm(1) };
            lw.emit(Instr::Rmw { op, dst: Some(d), addr, ord: RmwOrd::Acquire }, LkTag::TryLock);
            // The old value 0 (taken) becomes 1, 1 (held) becomes 0.
            lw.emit(Instr::Alu { op: AluOp::Xor, dst: d, a: Operand::Reg(d), b: Operand::Imm(1) }, LkTag::None);
        }
        Prim::IsLocked(addr, d) => {
            lw.emit(Instr::Load { dst: d, addr, ord: LoadOrd::Plain, exclusive: false }, LkTag::IsLocked);
        }
        Prim::Srcu(op, s) => lw.emit(Instr::Nop, LkTag::Srcu(op, s)),
        Prim::AddUnless { addr, add, unless, dst } => {
            let rmw = Instr::Rmw { op: RmwOp::FetchAdd(add), dst: Some(dst), addr, ord: RmwOrd::Full };
            lw.emit(rmw, LkTag::AddUnless { unless });
            // dst := (old != unless), with ALU instructions: 1 when it added.
            let t = lw.temp(off)?;
            lw.emit(Instr::Alu { op: AluOp::Xor, dst: t, a: Operand::Reg(dst), b: unless }, LkTag::None);
            lw.emit(Instr::Alu { op: AluOp::Sub, dst, a: Operand::Imm(0), b: Operand::Reg(t) }, LkTag::None);
            lw.emit(Instr::Alu { op: AluOp::Or, dst, a: Operand::Reg(dst), b: Operand::Reg(t) }, LkTag::None);
            lw.emit(Instr::Alu { op: AluOp::Shr, dst, a: Operand::Reg(dst), b: Operand::Imm(63) }, LkTag::None);
        }
    }
    Ok(())
}
