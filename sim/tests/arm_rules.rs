//! The ARM model's rules, one small program each: the discriminators of
//! `shared/reference/arm-model.md` §3.3 (corpus tests, [tsv]) and §3.4 (extra tests
//! run on herd7 7.57, [herd-run]), written with `isa::Builder`. Each case states
//! herd7's verdict for its `exists` clause.

use isa::{
    Addr, AluOp, Builder, Cond, CondExpr, Condition, CoreSpec, FenceKind, Instr, LoadOrd, Loc, Operand, Program,
    Quantifier, Reg, RmwOp, RmwOrd, StoreOrd, SymId, Value,
};
use memmodels::Arm;
use sim::{explore, ExploreConfig, Machine, Verdict};
use std::sync::Arc;

/// One instruction of a test thread, with labels for branches.
enum Op {
    I(Instr),
    /// A branch or jump to a label of the same thread.
    To(Instr, &'static str),
    Label(&'static str),
}
use Op::*;

const X: SymId = 0;
const Y: SymId = 1;
const Z: SymId = 2;

fn at(s: SymId) -> Addr {
    Addr::sym(s)
}
fn at_idx(s: SymId, ix: Reg) -> Addr {
    Addr { index: Some(ix), ..Addr::sym(s) }
}
fn r(x: Reg) -> Operand {
    Operand::Reg(x)
}
fn imm(v: u64) -> Operand {
    Operand::Imm(v)
}
fn load(dst: Reg, a: Addr, ord: LoadOrd) -> Op {
    I(Instr::Load { dst, addr: a, ord, exclusive: false })
}
fn ldr(dst: Reg, s: SymId) -> Op {
    load(dst, at(s), LoadOrd::Plain)
}
fn ldar(dst: Reg, s: SymId) -> Op {
    load(dst, at(s), LoadOrd::Acquire)
}
fn ldapr(dst: Reg, s: SymId) -> Op {
    load(dst, at(s), LoadOrd::AcquirePc)
}
fn ldxr(dst: Reg, s: SymId) -> Op {
    I(Instr::Load { dst, addr: at(s), ord: LoadOrd::Plain, exclusive: true })
}
fn store(src: Operand, a: Addr, ord: StoreOrd) -> Op {
    I(Instr::Store { src, addr: a, ord, status: None })
}
fn str_(s: SymId, v: u64) -> Op {
    store(imm(v), at(s), StoreOrd::Plain)
}
fn stlr(s: SymId, v: u64) -> Op {
    store(imm(v), at(s), StoreOrd::Release)
}
fn stxr(status: Reg, s: SymId, src: Operand) -> Op {
    I(Instr::Store { src, addr: at(s), ord: StoreOrd::Plain, status: Some(status) })
}
fn rmw(op: RmwOp, dst: Option<Reg>, s: SymId, ord: RmwOrd) -> Op {
    I(Instr::Rmw { op, dst, addr: at(s), ord })
}
fn dmb(k: FenceKind) -> Op {
    I(Instr::Fence(k))
}
fn mov(dst: Reg, v: u64) -> Op {
    I(Instr::Mov { dst, src: imm(v) })
}
fn alu(op: AluOp, dst: Reg, a: Operand, b: Operand) -> Op {
    I(Instr::Alu { op, dst, a, b })
}
/// `EOR d, s, s`: zero with a dependency on `s`.
fn zero_of(d: Reg, s: Reg) -> Op {
    alu(AluOp::Xor, d, r(s), r(s))
}
fn cbnz(x: Reg, l: &'static str) -> Op {
    To(Instr::Branch { cond: Cond::Ne, a: r(x), b: imm(0), target: 0 }, l)
}
fn csel(dst: Reg, cond: Cond, a: Operand, b: Operand, t: Operand, f: Operand) -> Op {
    I(Instr::Csel { dst, cond, a, b, t, f })
}

/// `core:reg = v` or `sym = v`.
fn reg(core: u8, reg: Reg, v: u64) -> CondExpr {
    CondExpr::Eq(Loc::Reg { core, reg }, Value::Num(v))
}
fn mem(s: SymId, v: u64) -> CondExpr {
    CondExpr::Eq(Loc::Mem(s), Value::Num(v))
}

fn program(name: &str, init: [u64; 3], threads: Vec<Vec<Op>>, cond: Vec<CondExpr>) -> Program {
    let mut b = Builder::new(name);
    for (s, v) in ["x", "y", "z"].into_iter().zip(init) {
        b.sym(s, Value::Num(v));
    }
    let mut starts = Vec::new();
    for (t, ops) in threads.into_iter().enumerate() {
        starts.push(b.here());
        for op in ops {
            match op {
                I(i) => b.emit(i),
                To(i, l) => b.emit_to(i, &format!("t{t}.{l}")),
                Label(l) => b.label(&format!("t{t}.{l}")),
            }
        }
        b.emit(Instr::Halt);
    }
    for s in starts {
        b.core(CoreSpec::new(s));
    }
    b.program_mut().condition = Some(Condition {
        quant: Quantifier::Exists,
        expr: CondExpr::And(cond),
        locations: Vec::new(),
        types: Vec::new(),
    });
    b.finish()
}

/// Whether the `exists` clause is reachable under ARM (promise-first exhaustive search).
fn allowed(p: Program) -> bool {
    let m = Machine::new(Arc::new(p), Arm);
    let cfg = ExploreConfig { stop_on_violation: false, max_states: 2_000_000, ..ExploreConfig::default() };
    let res = explore(&m, &cfg);
    assert_eq!(res.verdict, Verdict::Safe, "search did not complete: {:?}", res.bound);
    assert!(!res.finals.is_empty(), "no final state");
    res.finals.values().any(|f| f.holds)
}

fn check(name: &str, threads: Vec<Vec<Op>>, cond: Vec<CondExpr>, herd_allowed: bool) {
    check_init(name, [0; 3], threads, cond, herd_allowed)
}

fn check_init(name: &str, init: [u64; 3], threads: Vec<Vec<Op>>, cond: Vec<CondExpr>, herd_allowed: bool) {
    let got = allowed(program(name, init, threads, cond));
    let word = |a: bool| if a { "allowed" } else { "forbidden" };
    assert_eq!(got, herd_allowed, "{name}: herd7 says {}, we say {}", word(herd_allowed), word(got));
}

const ALLOWED: bool = true;
const FORBIDDEN: bool = false;

// §3.3 #2: reads may be satisfied out of order; DMB on both sides forbids MP.
#[test]
fn mp_needs_barriers_on_both_sides() {
    let w = || vec![str_(X, 1), dmb(FenceKind::Full), str_(Y, 1)];
    let cond = || vec![reg(1, 0, 1), reg(1, 2, 0)];
    check("MP", vec![vec![str_(X, 1), str_(Y, 1)], vec![ldr(0, Y), ldr(2, X)]], cond(), ALLOWED);
    check("MP+dmb.sys", vec![w(), vec![ldr(0, Y), dmb(FenceKind::Full), ldr(2, X)]], cond(), FORBIDDEN);
    check("MP+dmb.sy+po", vec![w(), vec![ldr(0, Y), ldr(2, X)]], cond(), ALLOWED);
    check(
        "MP+po+dmb.sy",
        vec![vec![str_(X, 1), str_(Y, 1)], vec![ldr(0, Y), dmb(FenceKind::Full), ldr(2, X)]],
        cond(),
        ALLOWED,
    );
    // [herd-run] MP+dmb.st+dmb.ld forbidden.
    check(
        "MP+dmb.st+dmb.ld",
        vec![
            vec![str_(X, 1), dmb(FenceKind::StoreStore), str_(Y, 1)],
            vec![ldr(0, Y), dmb(FenceKind::LoadLoad), ldr(2, X)],
        ],
        cond(),
        FORBIDDEN,
    );
}

// §3.3 #1: load buffering is allowed; data / ctrl to the write forbid it (no thin air).
#[test]
fn lb_and_dependencies_to_writes() {
    let cond = || vec![reg(0, 0, 1), reg(1, 0, 1)];
    let lb = |t: SymId, f: SymId| vec![ldr(0, f), str_(t, 1)];
    check("LB", vec![lb(Y, X), lb(X, Y)], cond(), ALLOWED);
    // data: STR (r0 ^ r0) + 1
    let data = |t: SymId, f: SymId| {
        vec![ldr(0, f), zero_of(1, 0), alu(AluOp::Add, 1, r(1), imm(1)), store(r(1), at(t), StoreOrd::Plain)]
    };
    check("LB+datas", vec![data(Y, X), data(X, Y)], cond(), FORBIDDEN);
    let ctrl = |t: SymId, f: SymId| vec![ldr(0, f), cbnz(0, "l"), Label("l"), str_(t, 1)];
    check("LB+data+ctrl", vec![data(Y, X), ctrl(X, Y)], cond(), FORBIDDEN);
    let addr = |t: SymId, f: SymId| vec![ldr(0, f), zero_of(1, 0), store(imm(1), at_idx(t, 1), StoreOrd::Plain)];
    check("LB+addr+ctrl", vec![addr(Y, X), ctrl(X, Y)], cond(), FORBIDDEN);
    check("LB+dmb.sy+po", vec![vec![ldr(0, X), dmb(FenceKind::Full), str_(Y, 1)], lb(X, Y)], cond(), ALLOWED);
}

// §3.4: a ctrl dependency orders later reads only with an ISB after the branch.
#[test]
fn ctrl_isb_and_addr_to_reads() {
    let w = || vec![str_(X, 1), dmb(FenceKind::Full), str_(Y, 1)];
    let cond = || vec![reg(1, 0, 1), reg(1, 2, 0)];
    check("MP+dmb.sy+ctrl", vec![w(), vec![ldr(0, Y), cbnz(0, "l"), Label("l"), ldr(2, X)]], cond(), ALLOWED);
    check(
        "MP+dmb.sy+ctrlisb",
        vec![w(), vec![ldr(0, Y), cbnz(0, "l"), Label("l"), dmb(FenceKind::Isb), ldr(2, X)]],
        cond(),
        FORBIDDEN,
    );
    check("MP+dmb.sy+isb", vec![w(), vec![ldr(0, Y), dmb(FenceKind::Isb), ldr(2, X)]], cond(), ALLOWED);
    check(
        "MP+dmb.sy+addr",
        vec![w(), vec![ldr(0, Y), zero_of(1, 0), load(2, at_idx(X, 1), LoadOrd::Plain)]],
        cond(),
        FORBIDDEN,
    );
}

// §3.4: release/acquire; LDAPR is not ordered after an earlier STLR.
#[test]
fn acquire_release_and_acquire_pc() {
    let cond = || vec![reg(0, 2, 0), reg(1, 2, 0)];
    check("SB+popl+poq", vec![vec![stlr(X, 1), ldapr(2, Y)], vec![stlr(Y, 1), ldapr(2, X)]], cond(), ALLOWED);
    check("SB+popl+poa", vec![vec![stlr(X, 1), ldar(2, Y)], vec![stlr(Y, 1), ldar(2, X)]], cond(), FORBIDDEN);
    check(
        "MP+popl+poq",
        vec![vec![str_(X, 1), stlr(Y, 1)], vec![ldapr(0, Y), ldr(2, X)]],
        vec![reg(1, 0, 1), reg(1, 2, 0)],
        FORBIDDEN,
    );
    // §3.3 #6: an acquire orders later accesses, not earlier ones.
    check(
        "MP+rel+po;acq",
        vec![vec![str_(X, 1), stlr(Y, 1)], vec![ldr(0, Y), ldar(2, X)]],
        vec![reg(1, 0, 1), reg(1, 2, 0)],
        ALLOWED,
    );
}

// §3.3 #3, §1.3: single-location coherence.
#[test]
fn coherence() {
    check("CoRR", vec![vec![str_(X, 1)], vec![ldr(0, X), ldr(1, X)]], vec![reg(1, 0, 1), reg(1, 1, 0)], FORBIDDEN);
    check("CoWR", vec![vec![str_(X, 1), ldr(0, X)], vec![str_(X, 2)]], vec![reg(0, 0, 2), mem(X, 1)], FORBIDDEN);
    check("CoRW1", vec![vec![ldr(0, X), str_(X, 1)]], vec![reg(0, 0, 1)], FORBIDDEN);
    check("CoWW", vec![vec![str_(X, 1), str_(X, 2)]], vec![mem(X, 1)], FORBIDDEN);
    // §3.3 #4
    // Each thread writes 2 then 1; both first writes end up last in co.
    let cond = || vec![mem(X, 2), mem(Y, 2)];
    check("2+2W", vec![vec![str_(X, 2), str_(Y, 1)], vec![str_(Y, 2), str_(X, 1)]], cond(), ALLOWED);
    check(
        "2+2W+dmb.sys",
        vec![vec![str_(X, 2), dmb(FenceKind::Full), str_(Y, 1)], vec![str_(Y, 2), dmb(FenceKind::Full), str_(X, 1)]],
        cond(),
        FORBIDDEN,
    );
    check(
        "2+2W+dmb.sts",
        vec![
            vec![str_(X, 2), dmb(FenceKind::StoreStore), str_(Y, 1)],
            vec![str_(Y, 2), dmb(FenceKind::StoreStore), str_(X, 1)],
        ],
        cond(),
        FORBIDDEN,
    );
}

// §1.6: other-multi-copy atomicity, but forwarding may break SB-like shapes.
#[test]
fn other_multicopy_atomicity() {
    let rd = |a: SymId, b: SymId| vec![ldr(0, a), zero_of(1, 0), load(2, at_idx(b, 1), LoadOrd::Plain)];
    let cond = || vec![reg(1, 0, 1), reg(1, 2, 0), reg(3, 0, 1), reg(3, 2, 0)];
    check("IRIW+addrs", vec![vec![str_(X, 1)], rd(X, Y), vec![str_(Y, 1)], rd(Y, X)], cond(), FORBIDDEN);
    let po = |a: SymId, b: SymId| vec![ldr(0, a), ldr(2, b)];
    check("IRIW", vec![vec![str_(X, 1)], po(X, Y), vec![str_(Y, 1)], po(Y, X)], cond(), ALLOWED);
    // §3.3 #5: WRC+addrs forbidden, WRC+po+addr allowed.
    let wrc1 = |addr: bool| {
        if addr {
            vec![ldr(0, X), zero_of(1, 0), store(imm(1), at_idx(Y, 1), StoreOrd::Plain)]
        } else {
            vec![ldr(0, X), str_(Y, 1)]
        }
    };
    let cond = || vec![reg(1, 0, 1), reg(2, 0, 1), reg(2, 2, 0)];
    check("WRC+addrs", vec![vec![str_(X, 1)], wrc1(true), rd(Y, X)], cond(), FORBIDDEN);
    check("WRC+po+addr", vec![vec![str_(X, 1)], wrc1(false), rd(Y, X)], cond(), ALLOWED);
    // [herd-run] SB+rfi-pos allowed; SB+dmb.lds allowed.
    let rfi = |a: SymId, b: SymId| vec![str_(a, 1), ldr(0, a), ldr(2, b)];
    check(
        "SB+rfi-pos",
        vec![rfi(X, Y), rfi(Y, X)],
        vec![reg(0, 0, 1), reg(0, 2, 0), reg(1, 0, 1), reg(1, 2, 0)],
        ALLOWED,
    );
    let sb = |a: SymId, b: SymId| vec![str_(a, 1), dmb(FenceKind::LoadLoad), ldr(2, b)];
    check("SB+dmb.lds", vec![sb(X, Y), sb(Y, X)], vec![reg(0, 2, 0), reg(1, 2, 0)], ALLOWED);
}

// §1.4, §3.4: exclusives are atomic and may always fail; LDADD is atomic.
#[test]
fn exclusives_and_atomicity() {
    let inc = || vec![ldxr(0, X), alu(AluOp::Add, 0, r(0), imm(1)), stxr(6, X, r(0))];
    check("ATOM-LLSC", vec![inc(), inc()], vec![reg(0, 6, 0), reg(1, 6, 0), mem(X, 1)], FORBIDDEN);
    check("STXR-FAIL", vec![vec![ldxr(0, X), stxr(6, X, imm(1))]], vec![reg(0, 6, 1)], ALLOWED);
    let add = || vec![rmw(RmwOp::FetchAdd(imm(1)), Some(0), X, RmwOrd::Relaxed)];
    check("ATOM-LDADD", vec![add(), add()], vec![reg(0, 0, 0), reg(1, 0, 0)], FORBIDDEN);
    // A store-exclusive without a load-exclusive always fails.
    check("STXR-alone", vec![vec![stxr(6, X, imm(1))]], vec![reg(0, 6, 0)], FORBIDDEN);
}

// §1.5, §3.4: a failed CAS is only a read, acquire for CASA/CASAL.
#[test]
fn failed_cas_is_a_read() {
    let p1 = |ord| vec![mov(2, 5), rmw(RmwOp::Cmpxchg { expected: r(2), new: imm(9) }, Some(2), Y, ord), ldr(0, X)];
    let p0 = || vec![str_(X, 1), stlr(Y, 1)];
    let cond = || vec![reg(1, 2, 1), reg(1, 0, 0)];
    check("MP+rel+CASAfail", vec![p0(), p1(RmwOrd::Acquire)], cond(), FORBIDDEN);
    check("MP+rel+CASfail", vec![p0(), p1(RmwOrd::Relaxed)], cond(), ALLOWED);
    check("MP+rel+CASALfail", vec![p0(), p1(RmwOrd::Full)], cond(), FORBIDDEN);
    check("MP+rel+CASLfail", vec![p0(), p1(RmwOrd::Release)], cond(), ALLOWED);
    // A failed CASAL does not order the earlier store (irqwork-claim-fixed-lse):
    // SB-shape with a failed CASAL in place of the DMB.
    let sb = |a: SymId, b: SymId| {
        vec![
            str_(a, 1),
            mov(3, 7),
            rmw(RmwOp::Cmpxchg { expected: r(3), new: imm(8) }, Some(3), Z, RmwOrd::Full),
            ldr(2, b),
        ]
    };
    check("SB+CASALfails", vec![sb(X, Y), sb(Y, X)], vec![reg(0, 2, 0), reg(1, 2, 0)], ALLOWED);
    // ... while a successful one does (the AL write orders everything after it).
    let sb_ok = |a: SymId, b: SymId| vec![str_(a, 1), rmw(RmwOp::Xchg(imm(1)), Some(3), Z, RmwOrd::Full), ldr(2, b)];
    check("SB+SWPALs", vec![sb_ok(X, Y), sb_ok(Y, X)], vec![reg(0, 2, 0), reg(1, 2, 0)], FORBIDDEN);
}

// §3.3 #9: NoRet loses acquire and escapes DMB LD.
#[test]
fn noret_loses_acquire() {
    let p0 = || vec![str_(X, 1), stlr(Y, 1)];
    let swpa = |dst| vec![rmw(RmwOp::Xchg(imm(2)), dst, Y, RmwOrd::Acquire), ldr(0, X)];
    // exists y=2 /\ 1:X0=0: the SWP read 1 (y is 2 at the end: co after P0's write).
    let cond = || vec![mem(Y, 2), reg(1, 0, 0)];
    check("MP+rel+SWPacq", vec![p0(), swpa(Some(5))], vec![mem(Y, 2), reg(1, 0, 0), reg(1, 5, 1)], FORBIDDEN);
    check("MP+rel+SWPacq-noret", vec![p0(), swpa(None)], cond(), ALLOWED);
    let ldadd = |dst| vec![rmw(RmwOp::FetchAdd(imm(2)), dst, Y, RmwOrd::Relaxed), dmb(FenceKind::LoadLoad), ldr(0, X)];
    let cond3 = || vec![mem(Y, 3), reg(1, 0, 0)];
    check("MP+rel+LDADD-dmb.ld", vec![p0(), ldadd(Some(5))], cond3(), FORBIDDEN);
    check("MP+rel+LDADDnoret-dmb.ld", vec![p0(), ldadd(None)], cond3(), ALLOWED);
}

// §3.4 RMW-LRS-ACQ: an acquire read forwarded from the core's own exclusive write
// is ordered after the exclusive's read, not after its write.
#[test]
fn acquire_forwarded_from_rmw_write() {
    check(
        "RMW-LRS-ACQ",
        vec![
            vec![ldxr(0, X), stxr(6, X, imm(1)), ldar(3, X), ldr(4, Y)],
            vec![str_(Y, 1), dmb(FenceKind::Full), ldr(2, X)],
        ],
        vec![reg(0, 6, 0), reg(0, 3, 1), reg(0, 4, 0), reg(1, 2, 0)],
        ALLOWED,
    );
}

// §3.4 CTRL-SWP-ADDR: the SWP's read is not delayed by the ctrl dependency of its write.
#[test]
fn ctrl_delays_only_the_rmw_write() {
    check(
        "CTRL-SWP-ADDR",
        vec![
            vec![
                ldr(0, X),
                cbnz(0, "l"),
                Label("l"),
                rmw(RmwOp::Xchg(imm(2)), Some(6), Y, RmwOrd::Relaxed),
                zero_of(7, 6),
                load(8, at_idx(Z, 7), LoadOrd::Plain),
            ],
            vec![str_(Z, 1), dmb(FenceKind::Full), str_(X, 1)],
        ],
        vec![reg(0, 0, 1), reg(0, 8, 0)],
        ALLOWED,
    );
}

// §3.3 #7 and §3.4: CSEL's selected operand is data, its condition only a pick
// dependency: it orders later writes but not later reads.
#[test]
fn csel_is_pick_not_ctrl() {
    let p0 = || vec![ldr(0, X), stlr(Y, 1)];
    // LB+rel+CSELdata: the selected operand is the load.
    let data =
        vec![ldr(3, Y), mov(1, 7), csel(1, Cond::Eq, r(0), imm(0), r(3), r(1)), store(r(1), at(X), StoreOrd::Plain)];
    check("LB+rel+CSELdata", vec![p0(), data], vec![reg(0, 0, 1), reg(1, 3, 1)], FORBIDDEN);
    // LB+rel+CSELpick: the condition is the load, both operands constants.
    let pick = vec![
        ldr(3, Y),
        mov(1, 7),
        mov(6, 7),
        csel(1, Cond::Eq, r(3), imm(1), r(1), r(6)),
        store(r(1), at(X), StoreOrd::Plain),
    ];
    check("LB+rel+CSELpick", vec![p0(), pick], vec![reg(0, 0, 7), reg(1, 3, 1)], FORBIDDEN);
    // MP+rel+CSEL (corpus): a pick dependency into an address does not order the read.
    let mp = vec![
        ldr(0, Y),
        mov(4, 4),
        alu(AluOp::Sub, 9, r(4), r(0)),
        mov(5, 0),
        csel(2, Cond::Ne, r(9), imm(0), imm(0), r(5)),
        load(6, at_idx(X, 2), LoadOrd::Plain),
    ];
    check("MP+rel+CSEL", vec![vec![str_(X, 1), stlr(Y, 1)], mp], vec![reg(1, 0, 1), reg(1, 6, 0)], ALLOWED);
    // ... but with an ISB after it, the pick-addr dependency orders later reads.
    let mp_isb = vec![
        ldr(0, Y),
        mov(5, 0),
        csel(2, Cond::Ne, r(0), imm(0), imm(0), r(5)),
        load(7, at_idx(Z, 2), LoadOrd::Plain),
        dmb(FenceKind::Isb),
        ldr(6, X),
    ];
    check(
        "MP+rel+CSELaddr-isb",
        vec![vec![str_(X, 1), stlr(Y, 1)], mp_isb],
        vec![reg(1, 0, 1), reg(1, 6, 0)],
        FORBIDDEN,
    );
}

// §3.3 #8: a successful CAS's result register: Rs or the read (herd's two structures).
#[test]
fn cas_result_alternatives() {
    // MP+rel+CAS-ok-RsRs-addr (allowed): the result may come from Rs (an older read of y).
    let p0 = || vec![mov(1, 1), str_(X, 1), stlr(Y, 1)];
    // z = 1: the CAS succeeds when the load of y read 1; its result from the z read
    // (DataFromRx) does not depend on y.
    let p1 = || {
        vec![
            ldr(1, Y),
            I(Instr::Mov { dst: 9, src: r(1) }),
            rmw(RmwOp::Cmpxchg { expected: r(1), new: r(3) }, Some(1), Z, RmwOrd::Relaxed),
            alu(AluOp::And, 5, r(1), imm(2)),
            load(7, at_idx(X, 5), LoadOrd::Plain),
        ]
    };
    check_init("MP+rel+CAS-ok-RsRs-addr", [0, 0, 1], vec![p0(), p1()], vec![reg(1, 9, 1), reg(1, 7, 0)], ALLOWED);
    // LB+rel+CAS-ok-MRs-addr (forbidden): the CAS compare picks the write's address.
    let p0 = vec![ldr(3, X), stlr(Y, 1)];
    let p1 = vec![
        mov(3, 1),
        rmw(RmwOp::Cmpxchg { expected: r(3), new: imm(0) }, Some(3), Y, RmwOrd::Relaxed),
        zero_of(4, 3),
        store(imm(1), at_idx(X, 4), StoreOrd::Plain),
    ];
    check("LB+rel+CAS-ok-MRs-addr", vec![p0, p1], vec![reg(0, 3, 1), reg(1, 3, 1)], FORBIDDEN);
}

// §3.3 #10: forwarding from an RMW write; dependencies through the forwarded write.
#[test]
fn forwarding_from_rmw_writes() {
    // SB+SWP-rfi-addr+DMBSY (allowed)
    let p0 = vec![
        rmw(RmwOp::Xchg(imm(1)), Some(1), X, RmwOrd::Relaxed),
        ldr(3, X),
        zero_of(4, 3),
        load(5, at_idx(Y, 4), LoadOrd::Plain),
    ];
    let p1 = vec![str_(Y, 1), dmb(FenceKind::Full), ldr(2, X)];
    check("SB+SWP-rfi-addr+DMBSY", vec![p0, p1], vec![reg(0, 3, 1), reg(0, 5, 0), reg(1, 2, 0)], ALLOWED);
    // R+CAS-rfi-ctrl+DMBST (forbidden): ctrl through the forwarded CAS write.
    let p0 = vec![
        mov(1, 1),
        mov(2, 2),
        rmw(RmwOp::Cmpxchg { expected: r(1), new: r(2) }, Some(1), X, RmwOrd::Relaxed),
        ldr(3, X),
        cbnz(3, "l"),
        Label("l"),
        str_(Y, 1),
    ];
    let p1 = vec![str_(Y, 2), dmb(FenceKind::StoreStore), str_(X, 1)];
    // Here y=2 at the end means P0's y:=1 is co-before P1's y:=2.
    check("R+CAS-rfi-ctrl+DMBST", vec![p0, p1], vec![mem(X, 2), mem(Y, 2), reg(0, 1, 1), reg(0, 3, 2)], FORBIDDEN);
}
