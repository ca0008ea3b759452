//! Small generated programs for differential testing: 2–4 cores, a few
//! accesses each, over 1–3 words, mixing plain and annotated loads and stores,
//! RMWs (with and without a used result), fences and address / data / control
//! dependencies. Every store writes a value no other store writes, as diy does.

use isa::{Addr, AluOp, Builder, Cond, Condition, CoreSpec, FenceKind, Instr, LoadOrd, Loc, Operand, Program};
use isa::{Quantifier, RmwOp, RmwOrd, StoreOrd, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How an access depends on the core's most recent load (ignored before any load).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GDep {
    None,
    Addr,
    /// The value stored (stores and RMWs); an address dependency for loads.
    Data,
    Ctrl,
    /// A control dependency followed by an ISB.
    CtrlIsb,
}

/// The RMW flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GRmw {
    Xchg,
    FetchAdd,
    /// Compare-and-swap expecting the initial value 0.
    CasZero,
    /// Compare-and-swap expecting 1 (the first value stored, if any).
    CasOne,
    /// LDSET (fetch-or).
    FetchOr,
    /// LDCLR (fetch-and-not).
    FetchAndNot,
    /// LDEOR (fetch-xor).
    FetchXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GOp {
    Load {
        loc: u8,
        ord: LoadOrd,
        dep: GDep,
    },
    Store {
        loc: u8,
        ord: StoreOrd,
        dep: GDep,
    },
    Rmw {
        loc: u8,
        op: GRmw,
        ord: RmwOrd,
        ret: bool,
        dep: GDep,
    },
    Fence(FenceKind),
    /// A load-exclusive / store-exclusive pair on one word (LDXR/LDAXR then
    /// STXR/STLXR), the loaded value and the status observed.
    Exclusive {
        loc: u8,
        acquire: bool,
        release: bool,
        dep: GDep,
    },
    /// A loop that runs exactly `n` times (a counter and a backward branch)
    /// around a load, or around a fetch-add when `rmw`.
    Loop {
        loc: u8,
        n: u8,
        rmw: bool,
    },
}

impl GOp {
    /// An operation of the wider mix [`GenProgram::random_rich`] draws from:
    /// `kind` 0–2 load, 3–4 store, 5–7 RMW (every flavour and ordering, CAS that
    /// succeeds and fails), 8 fence (every DMB/DSB/ISB kind), 9 exclusive pair,
    /// 10 bounded loop.
    pub fn from_codes_rich(kind: u8, loc: u8, a: u8, ret: bool, dep: u8) -> GOp {
        let d = match dep % 8 {
            0 => GDep::Addr,
            1 => GDep::Data,
            2 => GDep::Ctrl,
            3 => GDep::CtrlIsb,
            _ => GDep::None,
        };
        match kind % 11 {
            0..=2 => GOp::from_codes(0, loc, a, ret, dep),
            3 | 4 => GOp::from_codes(4, loc, a, ret, dep),
            5..=7 => GOp::Rmw {
                loc,
                op: [
                    GRmw::Xchg,
                    GRmw::FetchAdd,
                    GRmw::CasZero,
                    GRmw::CasOne,
                    GRmw::CasZero,
                    GRmw::CasOne,
                    GRmw::FetchOr,
                    GRmw::FetchAndNot,
                    GRmw::FetchXor,
                ][(a % 9) as usize],
                ord: [RmwOrd::Relaxed, RmwOrd::Acquire, RmwOrd::Release, RmwOrd::Full][(a / 9 % 4) as usize],
                ret,
                dep: d,
            },
            8 => GOp::Fence(
                [FenceKind::Full, FenceKind::LoadLoad, FenceKind::StoreStore, FenceKind::StoreAll, FenceKind::Isb]
                    [(a % 5) as usize],
            ),
            9 => GOp::Exclusive { loc, acquire: a % 2 == 1, release: a / 2 % 2 == 1, dep: d },
            _ => GOp::Loop { loc, n: 1 + a % 2, rmw: ret && a % 3 == 0 },
        }
    }

    /// An operation from small numbers (the random generator and proptest share
    /// it): `kind` 0–3 load, 4–6 store, 7–8 RMW, 9 fence; `a` picks the
    /// annotation or flavour; `dep` 0–3 a dependency, else none.
    pub fn from_codes(kind: u8, loc: u8, a: u8, ret: bool, dep: u8) -> GOp {
        let dep = match dep % 8 {
            0 => GDep::Addr,
            1 => GDep::Data,
            2 => GDep::Ctrl,
            3 => GDep::CtrlIsb,
            _ => GDep::None,
        };
        match kind % 10 {
            0..=3 => GOp::Load {
                loc,
                ord: [LoadOrd::Plain, LoadOrd::Plain, LoadOrd::Acquire, LoadOrd::AcquirePc][(a % 4) as usize],
                dep,
            },
            4..=6 => {
                GOp::Store { loc, ord: [StoreOrd::Release, StoreOrd::Plain, StoreOrd::Plain][(a % 3) as usize], dep }
            }
            7 | 8 => GOp::Rmw {
                loc,
                op: [GRmw::Xchg, GRmw::FetchAdd, GRmw::CasZero, GRmw::CasOne][(a % 4) as usize],
                ord: [RmwOrd::Relaxed, RmwOrd::Acquire, RmwOrd::Release, RmwOrd::Full][(a / 4 % 4) as usize],
                ret,
                dep,
            },
            _ => GOp::Fence(
                [FenceKind::Full, FenceKind::LoadLoad, FenceKind::StoreStore, FenceKind::Isb][(a % 4) as usize],
            ),
        }
    }
}

/// A generated program: one list of operations per core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenProgram {
    pub locs: u8,
    pub threads: Vec<Vec<GOp>>,
}

const NAMES: [&str; 3] = ["x", "y", "z"];

impl GenProgram {
    /// A random program (2–4 cores, 1–`max_ops` operations each).
    pub fn random(seed: u64, max_ops: usize) -> GenProgram {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let locs = rng.random_range(1..=3u8);
        let ncores = rng.random_range(2..=4usize);
        let threads = (0..ncores)
            .map(|_| {
                let n = rng.random_range(1..=max_ops);
                (0..n)
                    .map(|_| {
                        let (k, loc, a, ret, dep) = (
                            rng.random_range(0..10u8),
                            rng.random_range(0..locs),
                            rng.random_range(0..16u8),
                            rng.random_range(0..4u8) != 0,
                            rng.random_range(0..8u8),
                        );
                        GOp::from_codes(k, loc, a, ret, dep)
                    })
                    .collect()
            })
            .collect();
        GenProgram { locs, threads }
    }

    /// A random program from the wider mix of [`GOp::from_codes_rich`] (2–4
    /// cores, 1–`max_ops` operations each): every RMW flavour and ordering,
    /// exclusives, every barrier, dependencies and bounded loops.
    pub fn random_rich(seed: u64, max_ops: usize) -> GenProgram {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7269_6368);
        let locs = rng.random_range(1..=3u8);
        let ncores = rng.random_range(2..=4usize);
        let threads = (0..ncores)
            .map(|_| {
                let n = rng.random_range(1..=max_ops);
                (0..n)
                    .map(|_| {
                        let (k, loc, a, ret, dep) = (
                            rng.random_range(0..11u8),
                            rng.random_range(0..locs),
                            rng.random_range(0..36u8),
                            rng.random_range(0..4u8) != 0,
                            rng.random_range(0..8u8),
                        );
                        GOp::from_codes_rich(k, loc, a, ret, dep)
                    })
                    .collect()
            })
            .collect();
        GenProgram { locs, threads }
    }

    /// The microcode program; its condition observes every register a load or
    /// RMW wrote and every word (`exists true`, so every final state is listed).
    pub fn program(&self, name: &str) -> Program {
        let mut b = Builder::new(name);
        let syms: Vec<_> = (0..self.locs).map(|l| b.sym(NAMES[l as usize], Value::Num(0))).collect();
        let mut next_val = 1u64;
        let mut observed = Vec::new();
        const TMP: u8 = 0;
        for (c, ops) in self.threads.iter().enumerate() {
            b.label(&format!("P{c}"));
            let start = b.here();
            let mut next_reg = 1u8;
            let mut last: Option<u8> = None;
            for (k, op) in ops.iter().enumerate() {
                let dep = match *op {
                    GOp::Load { dep, .. } | GOp::Store { dep, .. } | GOp::Rmw { dep, .. } => dep,
                    GOp::Exclusive { dep, .. } => dep,
                    GOp::Fence(_) | GOp::Loop { .. } => GDep::None,
                };
                let lab = format!("P{c}.{k}");
                let mut index = None;
                let mut value = Operand::Imm(0);
                if let Some(r) = last {
                    match dep {
                        GDep::None => {}
                        GDep::Addr => {
                            b.emit(Instr::Alu { op: AluOp::Xor, dst: TMP, a: Operand::Reg(r), b: Operand::Reg(r) });
                            index = Some(TMP);
                        }
                        GDep::Data => {
                            b.emit(Instr::Alu { op: AluOp::Xor, dst: TMP, a: Operand::Reg(r), b: Operand::Reg(r) });
                            if matches!(op, GOp::Load { .. }) {
                                index = Some(TMP);
                            } else {
                                value = Operand::Reg(TMP);
                            }
                        }
                        GDep::Ctrl | GDep::CtrlIsb => {
                            let br = Instr::Branch {
                                cond: Cond::Eq,
                                a: Operand::Reg(r),
                                b: Operand::Imm(0xdead),
                                target: 0,
                            };
                            b.emit_to(br, &lab);
                            b.label(&lab);
                            if dep == GDep::CtrlIsb {
                                b.emit(Instr::Fence(FenceKind::Isb));
                            }
                        }
                    }
                }
                let addr_of = |l: u8| Addr { index, ..Addr::sym(syms[l as usize]) };
                // A data dependency adds the value to the zero derived from the load.
                let val = |v: u64, b: &mut Builder| -> Operand {
                    if value == Operand::Reg(TMP) {
                        b.emit(Instr::Alu { op: AluOp::Add, dst: TMP, a: Operand::Reg(TMP), b: Operand::Imm(v) });
                        Operand::Reg(TMP)
                    } else {
                        Operand::Imm(v)
                    }
                };
                match *op {
                    GOp::Load { loc, ord, .. } => {
                        let dst = next_reg;
                        next_reg += 1;
                        b.emit(Instr::Load { dst, addr: addr_of(loc), ord, exclusive: false });
                        observed.push(Loc::Reg { core: c as u8, reg: dst });
                        last = Some(dst);
                    }
                    GOp::Store { loc, ord, .. } => {
                        let v = next_val;
                        next_val += 1;
                        let src = val(v, &mut b);
                        b.emit(Instr::Store { src, addr: addr_of(loc), ord, status: None });
                    }
                    GOp::Rmw { loc, op, ord, ret, .. } => {
                        let v = next_val;
                        next_val += 1;
                        let a = val(v, &mut b);
                        let rop = match op {
                            GRmw::Xchg => RmwOp::Xchg(a),
                            GRmw::FetchAdd => RmwOp::FetchAdd(Operand::Imm(1)),
                            GRmw::CasZero => RmwOp::Cmpxchg { expected: Operand::Imm(0), new: a },
                            GRmw::CasOne => RmwOp::Cmpxchg { expected: Operand::Imm(1), new: a },
                            GRmw::FetchOr => RmwOp::FetchOr(Operand::Imm(1 << (v % 8))),
                            GRmw::FetchAndNot => RmwOp::FetchAndNot(Operand::Imm(1)),
                            GRmw::FetchXor => RmwOp::FetchXor(Operand::Imm(1 << (v % 8))),
                        };
                        let dst = if ret {
                            let d = next_reg;
                            next_reg += 1;
                            observed.push(Loc::Reg { core: c as u8, reg: d });
                            last = Some(d);
                            Some(d)
                        } else {
                            None
                        };
                        b.emit(Instr::Rmw { op: rop, dst, addr: addr_of(loc), ord });
                    }
                    GOp::Fence(k) => b.emit(Instr::Fence(k)),
                    GOp::Exclusive { loc, acquire, release, .. } => {
                        let (dst, status) = (next_reg, next_reg + 1);
                        next_reg += 2;
                        let ord = if acquire { LoadOrd::Acquire } else { LoadOrd::Plain };
                        b.emit(Instr::Load { dst, addr: addr_of(loc), ord, exclusive: true });
                        let v = next_val;
                        next_val += 1;
                        let src = val(v, &mut b);
                        let ord = if release { StoreOrd::Release } else { StoreOrd::Plain };
                        b.emit(Instr::Store { src, addr: addr_of(loc), ord, status: Some(status) });
                        observed.push(Loc::Reg { core: c as u8, reg: dst });
                        observed.push(Loc::Reg { core: c as u8, reg: status });
                        last = Some(dst);
                    }
                    GOp::Loop { loc, n, rmw } => {
                        // counter := 0; L: access; counter += 1; if counter != n goto L
                        let (dst, counter) = (next_reg, next_reg + 1);
                        next_reg += 2;
                        let top = format!("{lab}.loop");
                        b.label(&top);
                        if rmw {
                            b.emit(Instr::Rmw {
                                op: RmwOp::FetchAdd(Operand::Imm(1)),
                                dst: Some(dst),
                                addr: Addr::sym(syms[loc as usize]),
                                ord: RmwOrd::Relaxed,
                            });
                        } else {
                            let ord = LoadOrd::Plain;
                            b.emit(Instr::Load { dst, addr: Addr::sym(syms[loc as usize]), ord, exclusive: false });
                        }
                        let counted = Operand::Reg(counter);
                        b.emit(Instr::Alu { op: AluOp::Add, dst: counter, a: counted, b: Operand::Imm(1) });
                        let br = Instr::Branch { cond: Cond::Ne, a: counted, b: Operand::Imm(n as u64), target: 0 };
                        b.emit_to(br, &top);
                        observed.push(Loc::Reg { core: c as u8, reg: dst });
                        last = Some(dst);
                    }
                }
            }
            b.emit(Instr::Halt);
            b.core(CoreSpec::new(start));
        }
        observed.extend(syms.iter().map(|&s| Loc::Mem(s)));
        let mut p = b.finish();
        p.condition = Some(Condition {
            quant: Quantifier::Exists,
            expr: isa::CondExpr::True,
            locations: observed,
            types: Vec::new(),
        });
        p
    }

    /// Whether some core has a release store po-before an acquire load: x86-TSO
    /// ignores both annotations, while ARM orders that pair (`[L]; po; [A]`),
    /// so TSO's outcomes need not be ARM outcomes.
    pub fn has_release_then_acquire(&self) -> bool {
        self.threads.iter().any(|ops| {
            ops.iter().enumerate().any(|(i, a)| {
                matches!(a, GOp::Store { ord: StoreOrd::Release, .. })
                    && ops[i + 1..].iter().any(|b| matches!(b, GOp::Load { ord: LoadOrd::Acquire, .. }))
            })
        })
    }
}
