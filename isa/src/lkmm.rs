//! Linux-kernel memory model (LKMM) annotations of a program.
//!
//! A C litmus test lowered for `--model lkmm` is an ordinary microcode program
//! plus one [`LkTag`] per instruction ([`crate::Program::lkmm`]), which says
//! which kernel primitive the instruction stands for: the tags of
//! `linux-kernel.bell` (`once`, `acquire`, `release`, `noreturn`, the fences
//! `mb`/`rmb`/`wmb`/`rcu-lock`/..., the lock events of `lock.cat`, SRCU).
//!
//! The hardware models never see these tags: programs for `--model sc|tso|arm`
//! are lowered through the kernel's x86 or arm64 mappings instead, and a
//! program lowered for LKMM keeps a hardware-neutral meaning of its own (an
//! LKMM-only fence such as `rcu_read_lock()` is a `nop`, a compiler barrier).

use serde::{Deserialize, Serialize};

/// The annotation of a marked or plain access (`linux-kernel.bell`'s `Accesses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LkAccess {
    /// A plain C access (`*x = 1`, `r = *x`): no `once` tag, subject to data races.
    Plain,
    /// `READ_ONCE`, `WRITE_ONCE`, `rcu_dereference`, `atomic_read`, `atomic_set`.
    Once,
    /// `smp_load_acquire`, `atomic_read_acquire`.
    Acquire,
    /// `smp_store_release`, `rcu_assign_pointer`, `atomic_set_release`.
    Release,
}

/// The LKMM fences (`linux-kernel.bell`'s `Barriers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LkFence {
    /// `smp_mb()`
    Mb,
    /// `smp_rmb()`
    Rmb,
    /// `smp_wmb()`
    Wmb,
    /// `barrier()`: a compiler barrier.
    Barrier,
    /// `rcu_read_lock()`
    RcuLock,
    /// `rcu_read_unlock()`
    RcuUnlock,
    /// `synchronize_rcu()`
    SyncRcu,
    /// `smp_mb__before_atomic()`
    BeforeAtomic,
    /// `smp_mb__after_atomic()`
    AfterAtomic,
    /// `smp_mb__after_spinlock()`
    AfterSpinlock,
    /// `smp_mb__after_unlock_lock()`
    AfterUnlockLock,
}

impl LkFence {
    /// The name `linux-kernel.bell` gives the fence.
    pub fn name(self) -> &'static str {
        match self {
            LkFence::Mb => "mb",
            LkFence::Rmb => "rmb",
            LkFence::Wmb => "wmb",
            LkFence::Barrier => "barrier",
            LkFence::RcuLock => "rcu-lock",
            LkFence::RcuUnlock => "rcu-unlock",
            LkFence::SyncRcu => "sync-rcu",
            LkFence::BeforeAtomic => "before-atomic",
            LkFence::AfterAtomic => "after-atomic",
            LkFence::AfterSpinlock => "after-spinlock",
            LkFence::AfterUnlockLock => "after-unlock-lock",
        }
    }
}

/// An SRCU primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SrcuOp {
    /// `srcu_read_lock(s)`
    Lock,
    /// `srcu_read_unlock(s, idx)`
    Unlock,
    /// `synchronize_srcu(s)`
    Sync,
}

impl SrcuOp {
    pub fn name(self) -> &'static str {
        match self {
            SrcuOp::Lock => "srcu-lock",
            SrcuOp::Unlock => "srcu-unlock",
            SrcuOp::Sync => "sync-srcu",
        }
    }
}

/// What a kernel primitive an instruction of an LKMM program stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LkTag {
    /// Register-only instructions (moves, arithmetic, branches that are not an `if`).
    #[default]
    None,
    /// A load or store with its annotation.
    Access(LkAccess),
    /// A read-modify-write primitive; its ordering is the instruction's
    /// [`crate::RmwOrd`] (`Relaxed` = `once`, `Acquire`, `Release`, `Full` = the
    /// `mb` forms, which act as if enclosed by `smp_mb()` when they write).
    /// `noreturn`: a non-value-returning atomic (`atomic_inc`, ...), whose read
    /// is tagged `noreturn`.
    Rmw { noreturn: bool },
    /// `atomic_add_unless(v, a, u)` (herd's built-in): a `fetch_add.full` that,
    /// for LKMM, writes (fully ordered) only when the value read differs from
    /// `unless`, and else performs only its read. Its result (whether it added)
    /// depends on no read, as in herd.
    AddUnless { unless: crate::Operand },
    /// A `nop` or fence instruction standing for an LKMM fence.
    Fence(LkFence),
    /// `spin_lock()`: a compare-and-swap 0 → 1 whose read is `LKR` and write
    /// `LKW`. LKMM's spin_lock does not spin: an execution where it reads a
    /// held lock does not exist.
    Lock,
    /// `spin_unlock()`: a store of 0, the `UL` event.
    Unlock,
    /// `spin_trylock()`: like [`LkTag::Lock`] when it succeeds; when it fails,
    /// its read is an `LF` event.
    TryLock,
    /// `spin_is_locked()`: a load that is `RL` when it reads 1, `RU` when 0.
    IsLocked,
    /// An SRCU primitive on the `srcu_struct` named by the symbol.
    Srcu(SrcuOp, crate::SymId),
    /// The conditional branch of a C `if`: its condition's reads control the
    /// events of the two branches (not those after the `if`).
    IfBegin,
    /// The first instruction after a C `if`.
    IfEnd,
}

impl LkTag {
    /// A short name for listings (`once`, `acquire`, `mb`, `lock`, ...).
    pub fn name(self) -> String {
        match self {
            LkTag::None => String::new(),
            LkTag::Access(a) => match a {
                LkAccess::Plain => "plain".into(),
                LkAccess::Once => "once".into(),
                LkAccess::Acquire => "acquire".into(),
                LkAccess::Release => "release".into(),
            },
            LkTag::Rmw { noreturn: true } => "rmw noreturn".into(),
            LkTag::Rmw { noreturn: false } => "rmw".into(),
            LkTag::AddUnless { .. } => "add-unless".into(),
            LkTag::Fence(f) => f.name().into(),
            LkTag::Lock => "lock".into(),
            LkTag::Unlock => "unlock".into(),
            LkTag::TryLock => "trylock".into(),
            LkTag::IsLocked => "islocked".into(),
            LkTag::Srcu(op, _) => op.name().into(),
            LkTag::IfBegin => "if".into(),
            LkTag::IfEnd => "endif".into(),
        }
    }
}
