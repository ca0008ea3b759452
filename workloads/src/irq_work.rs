//! The Linux kernel's `irq_work` claim / queue / run algorithm as microcode, in
//! the six variants of its history (see `docs/irq_work.md`).
//!
//! One work item is shared by every core: its `flags` word (PENDING = 1,
//! BUSY = 2) and its llist node (`work`, whose only field is `next`). Each core
//! has its own list head (`head<c>`); each producing core its own data word
//! (`data<c>`). A producer writes increasing values 1..=K to its data word and
//! calls `irq_work_queue()` after each write. A successful claim pushes the work
//! on *this* core's list and raises a self-interrupt when the list was empty;
//! the interrupt handler, `irq_work_run()`, takes the whole list, and for each
//! work clears PENDING, calls `func()` — which reads every producer's data word
//! and records what it read (`observe`) — and then clears BUSY with a cmpxchg.
//!
//! Registers: `r1` holds this core's list head address (a per-CPU pointer, set
//! at boot and so also in the handler's bank); `r2` a producer's data word.

use isa::{Addr, IrqTarget, LoadOrd};
use isa::{AluOp, Builder, Cond, CoreSpec, FenceKind, Instr, Operand, Program, RmwOp, RmwOrd, StoreOrd, Value};
use serde::{Deserialize, Serialize};

pub const PENDING: u64 = 1;
pub const BUSY: u64 = 2;
pub const CLAIMED: u64 = PENDING | BUSY;

/// The variants, in kernel history order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Variant {
    /// Linux v3.6: the claim decides on a plain load; the run side clears PENDING with a plain store.
    V36,
    /// c8446b75: the run side clears PENDING with `xchg`; the claim still decides on a plain load.
    BusyXchg,
    /// Ablation: the e0bbe2d8 claim without c8446b75 (run side plain store).
    PlainBusy,
    /// e0bbe2d8 ("Fix racy check on work pending flag"): only the cmpxchg result decides.
    ClaimCmpxchg,
    /// 25269871 (2019): claim with `atomic_fetch_or()`, fully ordered whatever it finds.
    ClaimFetchOr,
    /// 2914b0ba (2020): run side clears PENDING with a plain store followed by `smp_mb()`.
    SmpMb,
}

impl Variant {
    pub const ALL: [Variant; 6] = [
        Variant::V36,
        Variant::BusyXchg,
        Variant::PlainBusy,
        Variant::ClaimCmpxchg,
        Variant::ClaimFetchOr,
        Variant::SmpMb,
    ];

    /// The canonical (CLI) name.
    pub fn name(self) -> &'static str {
        match self {
            Variant::V36 => "v3.6",
            Variant::BusyXchg => "busy-xchg",
            Variant::PlainBusy => "plain-busy",
            Variant::ClaimCmpxchg => "claim-cmpxchg",
            Variant::ClaimFetchOr => "claim-fetch-or",
            Variant::SmpMb => "smp-mb",
        }
    }

    /// One line on what the variant is.
    pub fn summary(self) -> &'static str {
        match self {
            Variant::V36 => "Linux v3.6: plain load decides the claim; plain store clears PENDING",
            Variant::BusyXchg => {
                "c8446b75: xchg clears PENDING; the claim still decides on a plain load (the seed's racy state)"
            }
            Variant::PlainBusy => "ablation: cmpxchg-decided claim, but a plain store clears PENDING",
            Variant::ClaimCmpxchg => "e0bbe2d8 (the seed fix): only the cmpxchg result decides; xchg clears PENDING",
            Variant::ClaimFetchOr => "25269871 (2019): fetch_or claims, fully ordered even when PENDING is already set",
            Variant::SmpMb => "2914b0ba (2020): fetch_or claims; plain store + smp_mb() clears PENDING",
        }
    }

    /// The kernel commit the variant corresponds to.
    pub fn commit(self) -> &'static str {
        match self {
            Variant::V36 => "v3.6",
            Variant::BusyXchg => "c8446b75",
            Variant::PlainBusy => "(ablation)",
            Variant::ClaimCmpxchg => "e0bbe2d8",
            Variant::ClaimFetchOr => "25269871",
            Variant::SmpMb => "2914b0ba",
        }
    }

    fn claim(self) -> Claim {
        match self {
            Variant::V36 | Variant::BusyXchg => Claim::PlainLoad,
            Variant::PlainBusy | Variant::ClaimCmpxchg => Claim::Cmpxchg,
            Variant::ClaimFetchOr | Variant::SmpMb => Claim::FetchOr,
        }
    }

    fn clear(self) -> Clear {
        match self {
            Variant::V36 | Variant::PlainBusy => Clear::PlainStore,
            Variant::BusyXchg | Variant::ClaimCmpxchg | Variant::ClaimFetchOr => Clear::Xchg,
            Variant::SmpMb => Clear::StoreFence,
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A variant name that is not one of [`Variant`]'s (nor an alias).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown variant '{name}' (expected one of v3.6, busy-xchg (racy), plain-busy, claim-cmpxchg (fixed), claim-fetch-or, smp-mb)"
)]
pub struct UnknownVariant {
    pub name: String,
}

impl std::str::FromStr for Variant {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Variant, UnknownVariant> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "v3.6" | "v36" => Variant::V36,
            "busy-xchg" | "racy" => Variant::BusyXchg,
            "plain-busy" => Variant::PlainBusy,
            "claim-cmpxchg" | "fixed" => Variant::ClaimCmpxchg,
            "claim-fetch-or" => Variant::ClaimFetchOr,
            "smp-mb" => Variant::SmpMb,
            _ => return Err(UnknownVariant { name: s.to_string() }),
        })
    }
}

enum Claim {
    PlainLoad,
    Cmpxchg,
    FetchOr,
}

enum Clear {
    PlainStore,
    Xchg,
    StoreFence,
}

/// Parameters of an irq_work program.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IrqWorkConfig {
    pub variant: Variant,
    pub cores: usize,
    /// Which cores produce (write their data word, then queue the work).
    pub producers: Vec<usize>,
    /// Writes per producer.
    pub writes: u64,
}

/// Most cores the generator accepts.
pub const MAX_IRQ_WORK_CORES: usize = isa::MAX_CORES;

impl IrqWorkConfig {
    /// Every core produces, one write each.
    pub fn new(variant: Variant, cores: usize) -> IrqWorkConfig {
        IrqWorkConfig { variant, cores, producers: (0..cores).collect(), writes: 1 }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.cores == 0 || self.cores > MAX_IRQ_WORK_CORES {
            return Err(ConfigError::Cores(self.cores));
        }
        if self.producers.is_empty() {
            return Err(ConfigError::NoProducer);
        }
        for &p in &self.producers {
            if p >= self.cores {
                return Err(ConfigError::NoSuchProducer { core: p, cores: self.cores });
            }
        }
        let mut sorted = self.producers.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.producers.len() {
            return Err(ConfigError::ProducerTwice);
        }
        if self.writes == 0 || self.writes > 1000 {
            return Err(ConfigError::Writes(self.writes));
        }
        Ok(())
    }
}

/// An irq_work configuration that cannot be generated (worded for the command line).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("--cores {0}: expected 1..={MAX_IRQ_WORK_CORES}")]
    Cores(usize),
    #[error("--producers: at least one core must produce")]
    NoProducer,
    #[error("--producers: core {core} does not exist (cores are 0..{})", cores - 1)]
    NoSuchProducer { core: usize, cores: usize },
    #[error("--producers: a core is listed twice")]
    ProducerTwice,
    #[error("--writes {0}: expected 1..=1000")]
    Writes(u64),
}

const R_HEAD: u8 = 1;
const R_DATA: u8 = 2;
const R_VAL: u8 = 3;
const R_FLAGS: u8 = 4;
const R_NFLAGS: u8 = 5;
const R_OFLAGS: u8 = 6;
const R_ENTRY: u8 = 7;
const R_SEEN: u8 = 8;
const R_NODE: u8 = 9;
const R_NEXT: u8 = 10;
const R_TMP: u8 = 11;
const R_DATAV: u8 = 12;
const R_RES: u8 = 0;

fn r(x: u8) -> Operand {
    Operand::Reg(x)
}
fn imm(v: u64) -> Operand {
    Operand::Imm(v)
}

/// Generates the microcode of an irq_work configuration.
pub fn generate(cfg: &IrqWorkConfig) -> Result<Program, ConfigError> {
    cfg.validate()?;
    let mut b = Builder::new(&format!("irq_work {}", cfg.variant.name()));
    let flags = b.sym("flags", Value::Num(0));
    let work = b.sym("work", Value::Num(0));
    let heads: Vec<_> = (0..cfg.cores).map(|c| b.sym(&format!("head{c}"), Value::Num(0))).collect();
    let mut datas = Vec::new();
    for &p in &cfg.producers {
        datas.push(b.sym(&format!("data{p}"), Value::Num(0)));
    }
    for (reg, name) in [
        (R_RES, "ret"),
        (R_HEAD, "head"),
        (R_DATA, "data"),
        (R_VAL, "val"),
        (R_FLAGS, "want"),
        (R_NFLAGS, "nflags"),
        (R_OFLAGS, "oflags"),
        (R_ENTRY, "entry"),
        (R_SEEN, "old"),
        (R_NODE, "node"),
        (R_NEXT, "next"),
        (R_TMP, "tmp"),
        (R_DATAV, "seen"),
    ] {
        b.reg_name(reg, name);
    }
    let ld = |dst, a| Instr::Load { dst, addr: a, ord: LoadOrd::Plain, exclusive: false };
    let st = |src, a| Instr::Store { src, addr: a, ord: StoreOrd::Plain, status: None };
    let rmw = |op, dst, a| Instr::Rmw { op, dst: Some(dst), addr: a, ord: RmwOrd::Full };
    let alu = |op, dst, a, bb| Instr::Alu { op, dst, a, b: bb };
    let br = |cond, a, bb| Instr::Branch { cond, a, b: bb, target: 0 };
    let (fa, wa) = (Addr::sym(flags), Addr::sym(work));

    // Producer: data = 1..=K, irq_work_queue() after each write.
    b.label("producer");
    b.emit(Instr::Mov { dst: R_VAL, src: imm(1) });
    b.label("producer.loop");
    b.emit(st(r(R_VAL), Addr::reg(R_DATA)));
    b.emit_to(Instr::Call { target: 0 }, "irq_work_queue");
    b.emit(alu(AluOp::Add, R_VAL, r(R_VAL), imm(1)));
    b.emit_to(br(Cond::Ne, r(R_VAL), imm(cfg.writes + 1)), "producer.loop");
    b.emit(Instr::Halt);
    b.label("idle");
    b.emit(Instr::Halt);

    // irq_work_queue(): claim, then llist_add() on this core's list, raise if it was empty.
    b.label("irq_work_queue");
    b.emit_to(Instr::Call { target: 0 }, "irq_work_claim");
    b.emit_to(br(Cond::Eq, r(R_RES), imm(0)), "queue.out");
    b.emit(ld(R_ENTRY, Addr::reg(R_HEAD)));
    b.label("queue.retry");
    b.emit(st(r(R_ENTRY), wa));
    b.emit(rmw(RmwOp::Cmpxchg { expected: r(R_ENTRY), new: Operand::SymAddr(work) }, R_SEEN, Addr::reg(R_HEAD)));
    b.emit_to(br(Cond::Eq, r(R_SEEN), r(R_ENTRY)), "queue.added");
    b.emit(Instr::Mov { dst: R_ENTRY, src: r(R_SEEN) });
    b.emit_to(Instr::Jmp { target: 0 }, "queue.retry");
    b.label("queue.added");
    b.emit_to(br(Cond::Ne, r(R_ENTRY), imm(0)), "queue.out");
    b.emit(Instr::Raise { target: IrqTarget::SelfCore });
    b.label("queue.out");
    b.emit(Instr::Ret);

    // irq_work_claim(): r0 = 1 when this call claimed the work.
    b.label("irq_work_claim");
    match cfg.variant.claim() {
        Claim::PlainLoad => {
            b.label("claim.retry");
            b.emit(ld(R_FLAGS, fa));
            b.emit(alu(AluOp::And, R_TMP, r(R_FLAGS), imm(PENDING)));
            b.emit_to(br(Cond::Ne, r(R_TMP), imm(0)), "claim.fail");
            b.emit(alu(AluOp::Or, R_NFLAGS, r(R_FLAGS), imm(CLAIMED)));
            b.emit(rmw(RmwOp::Cmpxchg { expected: r(R_FLAGS), new: r(R_NFLAGS) }, R_OFLAGS, fa));
            b.emit_to(br(Cond::Eq, r(R_OFLAGS), r(R_FLAGS)), "claim.ok");
            b.emit_to(Instr::Jmp { target: 0 }, "claim.retry");
        }
        Claim::Cmpxchg => {
            b.emit(ld(R_FLAGS, fa));
            b.emit(alu(AluOp::AndN, R_FLAGS, r(R_FLAGS), imm(PENDING)));
            b.label("claim.retry");
            b.emit(alu(AluOp::Or, R_NFLAGS, r(R_FLAGS), imm(CLAIMED)));
            b.emit(rmw(RmwOp::Cmpxchg { expected: r(R_FLAGS), new: r(R_NFLAGS) }, R_OFLAGS, fa));
            b.emit_to(br(Cond::Eq, r(R_OFLAGS), r(R_FLAGS)), "claim.ok");
            b.emit(alu(AluOp::And, R_TMP, r(R_OFLAGS), imm(PENDING)));
            b.emit_to(br(Cond::Ne, r(R_TMP), imm(0)), "claim.fail");
            b.emit(Instr::Mov { dst: R_FLAGS, src: r(R_OFLAGS) });
            b.emit_to(Instr::Jmp { target: 0 }, "claim.retry");
        }
        Claim::FetchOr => {
            b.emit(rmw(RmwOp::FetchOr(imm(CLAIMED)), R_OFLAGS, fa));
            b.emit(alu(AluOp::And, R_TMP, r(R_OFLAGS), imm(PENDING)));
            b.emit_to(br(Cond::Ne, r(R_TMP), imm(0)), "claim.fail");
        }
    }
    b.label("claim.ok");
    b.emit(Instr::Mov { dst: R_RES, src: imm(1) });
    b.emit(Instr::Ret);
    b.label("claim.fail");
    b.emit(Instr::Mov { dst: R_RES, src: imm(0) });
    b.emit(Instr::Ret);

    // irq_work_run(): the interrupt handler.
    b.label("irq_work_run");
    b.emit(ld(R_NODE, Addr::reg(R_HEAD)));
    b.emit_to(br(Cond::Eq, r(R_NODE), imm(0)), "run.done");
    b.emit(rmw(RmwOp::Xchg(imm(0)), R_NODE, Addr::reg(R_HEAD)));
    b.label("run.next");
    b.emit_to(br(Cond::Eq, r(R_NODE), imm(0)), "run.done");
    b.emit(ld(R_NEXT, Addr::reg(R_NODE)));
    match cfg.variant.clear() {
        Clear::PlainStore => b.emit(st(imm(BUSY), fa)),
        Clear::Xchg => b.emit(rmw(RmwOp::Xchg(imm(BUSY)), R_TMP, fa)),
        Clear::StoreFence => {
            b.emit(st(imm(BUSY), fa));
            b.emit(Instr::Fence(FenceKind::Full));
        }
    }
    b.label("func");
    for &d in &datas {
        b.emit(ld(R_DATAV, Addr::sym(d)));
        b.emit(Instr::Observe { sym: d, src: R_DATAV });
    }
    b.emit(rmw(RmwOp::Cmpxchg { expected: imm(BUSY), new: imm(0) }, R_TMP, fa));
    b.emit(Instr::Mov { dst: R_NODE, src: r(R_NEXT) });
    b.emit_to(Instr::Jmp { target: 0 }, "run.next");
    b.label("run.done");
    b.emit(Instr::Iret);

    let (producer, idle, run) = (b.label_pc("producer"), b.label_pc("idle"), b.label_pc("irq_work_run"));
    for (c, &head) in heads.iter().enumerate() {
        let k = cfg.producers.iter().position(|&p| p == c);
        let mut spec = CoreSpec::new(if k.is_some() { producer } else { idle });
        spec.handler = Some(run);
        spec.regs.push((R_HEAD, Value::Addr(head)));
        if let Some(k) = k {
            spec.regs.push((R_DATA, Value::Addr(datas[k])));
        }
        b.core(spec);
    }
    b.program_mut().lost_work = datas;
    Ok(b.finish())
}
