//! The kernel primitives a C litmus test may call (`tools/memory-model/
//! linux-kernel.def` as herd7 7.57 ships it, plus herd's built-in
//! `atomic_add_unless`), each turned into a [`Prim`]; and the emission of a
//! `Prim` for each [`Mapping`].

use super::ast::Expr;
use super::lower::Lower;
use super::Mapping;
use crate::instr::{Addr, AluOp, Instr, Operand, Reg, RmwOp, RmwOrd, SymId};
use crate::litmus::text::{perr, PResult};
use crate::lkmm::{LkAccess, LkFence, LkTag, SrcuOp};

/// A kernel primitive with its operands evaluated.
#[derive(Clone, Debug)]
pub(crate) enum Prim {
    Load {
        ann: LkAccess,
        addr: Addr,
        dst: Reg,
    },
    Store {
        ann: LkAccess,
        addr: Addr,
        val: Operand,
    },
    Fence(LkFence),
    /// A value-returning RMW (`dst`) or a non-returning atomic (`None`).
    Rmw {
        op: RmwOp,
        ord: RmwOrd,
        addr: Addr,
        dst: Option<Reg>,
    },
    Lock(Addr),
    Unlock(Addr),
    /// `dst` := 1 if the lock was taken, else 0.
    TryLock(Addr, Reg),
    /// `dst` := 1 if the lock is held, else 0.
    IsLocked(Addr, Reg),
    Srcu(SrcuOp, SymId),
    /// `atomic_add_unless(v, a, u)`: `dst` := 1 if it added `a`, else 0.
    AddUnless {
        addr: Addr,
        add: Operand,
        unless: Operand,
        dst: Reg,
    },
}

/// The ordering suffix of a primitive name.
fn suffix(name: &str) -> (&str, RmwOrd) {
    for (s, o) in [("_relaxed", RmwOrd::Relaxed), ("_acquire", RmwOrd::Acquire), ("_release", RmwOrd::Release)] {
        if let Some(b) = name.strip_suffix(s) {
            return (b, o);
        }
    }
    (name, RmwOrd::Full)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ret {
    /// No value (`atomic_add`): the read is `noreturn`.
    None,
    /// The new value (`atomic_add_return`).
    New,
    /// The old value (`atomic_fetch_add`).
    Old,
}

/// Whether calling `name` touches memory (for the one-access-per-expression rule).
pub(crate) fn touches_memory(name: &str) -> bool {
    !matches!(
        name,
        "smp_mb"
            | "smp_rmb"
            | "smp_wmb"
            | "barrier"
            | "smp_mb__before_atomic"
            | "smp_mb__after_atomic"
            | "smp_mb__after_spinlock"
            | "smp_mb__after_unlock_lock"
            | "rcu_read_lock"
            | "rcu_read_unlock"
            | "synchronize_rcu"
            | "synchronize_rcu_expedited"
    )
}

/// Whether the first argument of `name` is a location `*p` rather than a value.
pub(crate) fn takes_location(name: &str) -> bool {
    matches!(name, "READ_ONCE" | "WRITE_ONCE" | "rcu_dereference" | "rcu_assign_pointer" | "smp_store_mb")
}

fn arity(name: &str, args: &[Expr], n: usize, off: usize) -> PResult<()> {
    if args.len() != n {
        return perr(
            off,
            format!("`{name}` takes {n} argument{}, found {}", if n == 1 { "" } else { "s" }, args.len()),
        );
    }
    Ok(())
}

/// Lowers a call of `name`; returns the operand of its value, if it has one.
pub(crate) fn call(
    lw: &mut Lower,
    name: &str,
    args: &[Expr],
    dst: Option<Reg>,
    off: usize,
) -> PResult<Option<Operand>> {
    let fence = |f: LkFence| Some(f);
    let fence_kind = match name {
        "smp_mb" => fence(LkFence::Mb),
        "smp_rmb" => fence(LkFence::Rmb),
        "smp_wmb" => fence(LkFence::Wmb),
        "barrier" => fence(LkFence::Barrier),
        "smp_mb__before_atomic" => fence(LkFence::BeforeAtomic),
        "smp_mb__after_atomic" => fence(LkFence::AfterAtomic),
        "smp_mb__after_spinlock" => fence(LkFence::AfterSpinlock),
        "smp_mb__after_unlock_lock" => fence(LkFence::AfterUnlockLock),
        "rcu_read_lock" => fence(LkFence::RcuLock),
        "rcu_read_unlock" => fence(LkFence::RcuUnlock),
        "synchronize_rcu" | "synchronize_rcu_expedited" => fence(LkFence::SyncRcu),
        _ => None,
    };
    if let Some(f) = fence_kind {
        arity(name, args, 0, off)?;
        lw.prim(Prim::Fence(f), off)?;
        return Ok(None);
    }
    match name {
        "READ_ONCE" | "rcu_dereference" | "atomic_read" | "smp_load_acquire" | "atomic_read_acquire" => {
            arity(name, args, 1, off)?;
            let (addr, ann) = match name {
                "READ_ONCE" | "rcu_dereference" => (lw.lvalue_address(&args[0], name)?, LkAccess::Once),
                "atomic_read" => (lw.address(&args[0])?, LkAccess::Once),
                _ => (lw.address(&args[0])?, LkAccess::Acquire),
            };
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(Prim::Load { ann, addr, dst: d }, off)?;
            Ok(Some(Operand::Reg(d)))
        }
        "WRITE_ONCE" | "rcu_assign_pointer" | "smp_store_release" | "atomic_set" | "atomic_set_release"
        | "smp_store_mb" => {
            arity(name, args, 2, off)?;
            let val = lw.value(&args[1])?;
            let (addr, ann) = match name {
                "WRITE_ONCE" | "smp_store_mb" => (lw.lvalue_address(&args[0], name)?, LkAccess::Once),
                "rcu_assign_pointer" => (lw.lvalue_address(&args[0], name)?, LkAccess::Release),
                "atomic_set" => (lw.address(&args[0])?, LkAccess::Once),
                _ => (lw.address(&args[0])?, LkAccess::Release),
            };
            lw.prim(Prim::Store { ann, addr, val }, off)?;
            if name == "smp_store_mb" {
                lw.prim(Prim::Fence(LkFence::Mb), off)?;
            }
            Ok(None)
        }
        "spin_lock" | "spin_unlock" => {
            arity(name, args, 1, off)?;
            let addr = lw.address(&args[0])?;
            lw.prim(if name == "spin_lock" { Prim::Lock(addr) } else { Prim::Unlock(addr) }, off)?;
            Ok(None)
        }
        "spin_trylock" | "spin_is_locked" => {
            arity(name, args, 1, off)?;
            let addr = lw.address(&args[0])?;
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(if name == "spin_trylock" { Prim::TryLock(addr, d) } else { Prim::IsLocked(addr, d) }, off)?;
            Ok(Some(Operand::Reg(d)))
        }
        "srcu_read_lock" => {
            arity(name, args, 1, off)?;
            let s = lw.static_global(&args[0], name)?;
            lw.prim(Prim::Srcu(SrcuOp::Lock, s), off)?;
            // herd gives each srcu_read_lock() a value of its own.
            lw.site += 1;
            let v = Operand::Imm((lw.thread as u64 + 1) * 307 + lw.site * 599);
            Ok(Some(v))
        }
        "srcu_read_unlock" => {
            arity(name, args, 2, off)?;
            let s = lw.static_global(&args[0], name)?;
            lw.value(&args[1])?;
            lw.prim(Prim::Srcu(SrcuOp::Unlock, s), off)?;
            Ok(None)
        }
        "synchronize_srcu" | "synchronize_srcu_expedited" => {
            arity(name, args, 1, off)?;
            let s = lw.static_global(&args[0], name)?;
            lw.prim(Prim::Srcu(SrcuOp::Sync, s), off)?;
            Ok(None)
        }
        _ => rmw_call(lw, name, args, dst, off),
    }
}

/// The RMW primitives: xchg, cmpxchg and the atomic_t family.
fn rmw_call(lw: &mut Lower, name: &str, args: &[Expr], dst: Option<Reg>, off: usize) -> PResult<Option<Operand>> {
    let (base, ord) = suffix(name);
    // (pointer argument index, value argument, operation, what it returns)
    enum Shape {
        Xchg,
        Cmpxchg,
        /// An arithmetic atomic: its operation, whether the value is an argument
        /// (else the constant), and what it returns.
        Arith {
            add: bool,
            arg: bool,
            konst: u64,
            ret: Ret,
        },
        /// `*_and_test` (== 0 after) and `atomic_add_negative` (< 0 after).
        Test {
            add: bool,
            arg: bool,
            negative: bool,
        },
    }
    let shape = match base {
        "xchg" | "atomic_xchg" => Shape::Xchg,
        "cmpxchg" | "atomic_cmpxchg" => Shape::Cmpxchg,
        "atomic_add" | "atomic_sub" if ord == RmwOrd::Full && name == base => {
            Shape::Arith { add: base == "atomic_add", arg: true, konst: 0, ret: Ret::None }
        }
        "atomic_inc" | "atomic_dec" if name == base => {
            Shape::Arith { add: base == "atomic_inc", arg: false, konst: 1, ret: Ret::None }
        }
        "atomic_add_return" | "atomic_sub_return" => {
            Shape::Arith { add: base == "atomic_add_return", arg: true, konst: 0, ret: Ret::New }
        }
        "atomic_inc_return" | "atomic_dec_return" => {
            Shape::Arith { add: base == "atomic_inc_return", arg: false, konst: 1, ret: Ret::New }
        }
        "atomic_fetch_add" | "atomic_fetch_sub" => {
            Shape::Arith { add: base == "atomic_fetch_add", arg: true, konst: 0, ret: Ret::Old }
        }
        "atomic_fetch_inc" | "atomic_fetch_dec" => {
            Shape::Arith { add: base == "atomic_fetch_inc", arg: false, konst: 1, ret: Ret::Old }
        }
        "atomic_sub_and_test" if name == base => Shape::Test { add: false, arg: true, negative: false },
        "atomic_dec_and_test" | "atomic_inc_and_test" if name == base => {
            Shape::Test { add: base == "atomic_inc_and_test", arg: false, negative: false }
        }
        "atomic_add_negative" if name == base => Shape::Test { add: true, arg: true, negative: true },
        "atomic_add_unless" if name == base => {
            arity(name, args, 3, off)?;
            let add = lw.value(&args[1])?;
            let unless = lw.value(&args[2])?;
            let addr = lw.address(&args[0])?;
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(Prim::AddUnless { addr, add, unless, dst: d }, off)?;
            return Ok(Some(Operand::Reg(d)));
        }
        _ => return perr(off, format!("unsupported primitive `{name}`")),
    };
    match shape {
        Shape::Xchg => {
            arity(name, args, 2, off)?;
            let v = lw.value(&args[1])?;
            let addr = lw.address(&args[0])?;
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(Prim::Rmw { op: RmwOp::Xchg(v), ord, addr, dst: Some(d) }, off)?;
            Ok(Some(Operand::Reg(d)))
        }
        Shape::Cmpxchg => {
            arity(name, args, 3, off)?;
            let expected = lw.value(&args[1])?;
            let new = lw.value(&args[2])?;
            let addr = lw.address(&args[0])?;
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(Prim::Rmw { op: RmwOp::Cmpxchg { expected, new }, ord, addr, dst: Some(d) }, off)?;
            Ok(Some(Operand::Reg(d)))
        }
        Shape::Arith { add, arg, konst, ret } => {
            let (ptr, val) = if arg {
                arity(name, args, 2, off)?;
                (&args[1], Some(&args[0]))
            } else {
                arity(name, args, 1, off)?;
                (&args[0], None)
            };
            let v = match val {
                Some(e) => lw.value(e)?,
                None => Operand::Imm(konst),
            };
            let delta = signed(lw, v, add, off)?;
            let addr = lw.address(ptr)?;
            let d = match ret {
                Ret::None => None,
                _ => Some(lw.dst_or_temp(dst, off)?),
            };
            lw.prim(Prim::Rmw { op: RmwOp::FetchAdd(delta), ord, addr, dst: d }, off)?;
            match (ret, d) {
                (Ret::New, Some(d)) => {
                    lw.emit(Instr::Alu { op: AluOp::Add, dst: d, a: Operand::Reg(d), b: delta }, LkTag::None);
                    Ok(Some(Operand::Reg(d)))
                }
                (_, Some(d)) => Ok(Some(Operand::Reg(d))),
                (_, None) => Ok(None),
            }
        }
        Shape::Test { add, arg, negative } => {
            let (ptr, v) = if arg {
                arity(name, args, 2, off)?;
                (&args[1], lw.value(&args[0])?)
            } else {
                arity(name, args, 1, off)?;
                (&args[0], Operand::Imm(1))
            };
            let delta = signed(lw, v, add, off)?;
            let addr = lw.address(ptr)?;
            let d = lw.dst_or_temp(dst, off)?;
            lw.prim(Prim::Rmw { op: RmwOp::FetchAdd(delta), ord, addr, dst: Some(d) }, off)?;
            lw.emit(Instr::Alu { op: AluOp::Add, dst: d, a: Operand::Reg(d), b: delta }, LkTag::None);
            // d := (d == 0) or (d < 0), computed with ALU instructions only.
            if negative {
                lw.emit(Instr::Alu { op: AluOp::Shr, dst: d, a: Operand::Reg(d), b: Operand::Imm(63) }, LkTag::None);
            } else {
                let u = lw.temp(off)?;
                lw.emit(Instr::Alu { op: AluOp::Sub, dst: u, a: Operand::Imm(0), b: Operand::Reg(d) }, LkTag::None);
                lw.emit(Instr::Alu { op: AluOp::Or, dst: d, a: Operand::Reg(d), b: Operand::Reg(u) }, LkTag::None);
                lw.emit(Instr::Alu { op: AluOp::Shr, dst: d, a: Operand::Reg(d), b: Operand::Imm(63) }, LkTag::None);
                lw.emit(Instr::Alu { op: AluOp::Xor, dst: d, a: Operand::Reg(d), b: Operand::Imm(1) }, LkTag::None);
            }
            Ok(Some(Operand::Reg(d)))
        }
    }
}

/// `v` or `0 - v`.
fn signed(lw: &mut Lower, v: Operand, add: bool, off: usize) -> PResult<Operand> {
    if add {
        return Ok(v);
    }
    if let Operand::Imm(x) = v {
        return Ok(Operand::Imm(x.wrapping_neg()));
    }
    let t = lw.temp(off)?;
    lw.emit(Instr::Alu { op: AluOp::Sub, dst: t, a: Operand::Imm(0), b: v }, LkTag::None);
    Ok(Operand::Reg(t))
}

/// Emits a primitive through the lowering's mapping.
pub(crate) fn emit(lw: &mut Lower, p: Prim, off: usize) -> PResult<()> {
    match lw.mapping {
        Mapping::Lkmm => super::map_lkmm::emit(lw, p, off),
        Mapping::X86 => super::map_x86::emit(lw, p, off),
        Mapping::Arm64 => super::map_arm64::emit(lw, p, off),
    }
}
