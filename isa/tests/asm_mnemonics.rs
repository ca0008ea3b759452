//! What each mnemonic (and each suffix and operand form) assembles to.

use isa::asm::{instr_text, parse};
use isa::*;

/// Symbols `x` (#0) and `y` (#1), alias `EAX` for r7, and the label `L` at pc 0.
const PRELUDE: &str = "sym x = 0\nsym y = 0\nalias EAX = r7\ncore 0 start=L\nL:\n";

/// Assembles `line` as the first instruction and compares it with `expected`;
/// also checks that the printer gives back an equivalent line.
fn check(line: &str, expected: Instr) {
    let src = format!("{PRELUDE}    {line}\n");
    let p = parse(&src, "m.ucode").unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(p.code, vec![expected], "{line}");
    let printed = instr_text(&p, &p.code[0]);
    let q = parse(&format!("{PRELUDE}    {printed}\n"), "m.ucode").unwrap_or_else(|e| panic!("{printed}: {e}"));
    assert_eq!(q.code, p.code, "{line} printed as {printed}");
}

const X: SymId = 0;
const Y: SymId = 1;

fn sym(s: SymId, index: Option<Reg>, offset: i64) -> Addr {
    Addr { base: Base::Sym(s), index, offset, width: Width::W64 }
}
fn reg(r: Reg, index: Option<Reg>, offset: i64) -> Addr {
    Addr { base: Base::Reg(r), index, offset, width: Width::W64 }
}
fn r(n: Reg) -> Operand {
    Operand::Reg(n)
}
fn imm(n: u64) -> Operand {
    Operand::Imm(n)
}
fn load(dst: Reg, addr: Addr, ord: LoadOrd, exclusive: bool) -> Instr {
    Instr::Load { dst, addr, ord, exclusive }
}
fn store(src: Operand, addr: Addr, ord: StoreOrd, status: Option<Reg>) -> Instr {
    Instr::Store { src, addr, ord, status }
}
fn rmw(op: RmwOp, dst: Option<Reg>, addr: Addr, ord: RmwOrd) -> Instr {
    Instr::Rmw { op, dst, addr, ord }
}

#[test]
fn loads() {
    check("load r2, [y]", load(2, sym(Y, None, 0), LoadOrd::Plain, false));
    check("LOAD R2, [y]", load(2, sym(Y, None, 0), LoadOrd::Plain, false));
    check("load.acq r2, [r3]", load(2, reg(3, None, 0), LoadOrd::Acquire, false));
    check("load.acqpc r2, [r3]", load(2, reg(3, None, 0), LoadOrd::AcquirePc, false));
    check("load.ex r2, [x]", load(2, sym(X, None, 0), LoadOrd::Plain, true));
    check("load.acq.ex r2, [x]", load(2, sym(X, None, 0), LoadOrd::Acquire, true));
    check("load.ex.acqpc r2, [x]", load(2, sym(X, None, 0), LoadOrd::AcquirePc, true));
    check("load eax, [eax]", load(7, reg(7, None, 0), LoadOrd::Plain, false));
}

#[test]
fn addresses() {
    check("load r1, [x+8]", load(1, sym(X, None, 8), LoadOrd::Plain, false));
    check("load r1, [x-8]", load(1, sym(X, None, -8), LoadOrd::Plain, false));
    check("load r1, [x + 0x10]", load(1, sym(X, None, 16), LoadOrd::Plain, false));
    check("load r1, [r3+16]", load(1, reg(3, None, 16), LoadOrd::Plain, false));
    check("load r1, [r3+r4]", load(1, reg(3, Some(4), 0), LoadOrd::Plain, false));
    check("load r1, [r3+r4+8]", load(1, reg(3, Some(4), 8), LoadOrd::Plain, false));
    check("load r1, [x+EAX-8]", load(1, sym(X, Some(7), -8), LoadOrd::Plain, false));
    check("load r1, [x-9223372036854775808]", load(1, sym(X, None, i64::MIN), LoadOrd::Plain, false));
    check("load r1, [y+0]", load(1, sym(Y, None, 0), LoadOrd::Plain, false));
}

#[test]
fn stores() {
    check("store [x], r1", store(r(1), sym(X, None, 0), StoreOrd::Plain, None));
    check("store.rel [x], 1", store(imm(1), sym(X, None, 0), StoreOrd::Release, None));
    check("store [x], &y", store(Operand::SymAddr(Y), sym(X, None, 0), StoreOrd::Plain, None));
    check("store.ex [x], r1, r9", store(r(1), sym(X, None, 0), StoreOrd::Plain, Some(9)));
    check("store.rel.ex [r2+8], 0xff, r9", store(imm(255), reg(2, None, 8), StoreOrd::Release, Some(9)));
    check("store.ex.rel [x], r1, r9", store(r(1), sym(X, None, 0), StoreOrd::Release, Some(9)));
}

#[test]
fn read_modify_writes() {
    let f = sym(X, None, 0);
    check("xchg r3, [x], 2", rmw(RmwOp::Xchg(imm(2)), Some(3), f, RmwOrd::Full));
    check("xchg.relaxed r3, [x], r1", rmw(RmwOp::Xchg(r(1)), Some(3), f, RmwOrd::Relaxed));
    check("xchg.acquire r3, [x], 1", rmw(RmwOp::Xchg(imm(1)), Some(3), f, RmwOrd::Acquire));
    check("xchg.release r3, [x], 1", rmw(RmwOp::Xchg(imm(1)), Some(3), f, RmwOrd::Release));
    check("xchg.full r3, [x], 1", rmw(RmwOp::Xchg(imm(1)), Some(3), f, RmwOrd::Full));
    check("cmpxchg r5, [x], r2, r4", rmw(RmwOp::Cmpxchg { expected: r(2), new: r(4) }, Some(5), f, RmwOrd::Full));
    check(
        "cmpxchg.acquire _, [r1], 0, &y",
        rmw(RmwOp::Cmpxchg { expected: imm(0), new: Operand::SymAddr(Y) }, None, reg(1, None, 0), RmwOrd::Acquire),
    );
    check("fetch_or r3, [x], 3", rmw(RmwOp::FetchOr(imm(3)), Some(3), f, RmwOrd::Full));
    check("fetch_add _, [x], 1", rmw(RmwOp::FetchAdd(imm(1)), None, f, RmwOrd::Full));
    check("fetch_andnot r3, [x], r2", rmw(RmwOp::FetchAndNot(r(2)), Some(3), f, RmwOrd::Full));
    check("fetch_xor.release EAX, [x], 1", rmw(RmwOp::FetchXor(imm(1)), Some(7), f, RmwOrd::Release));
}

#[test]
fn fences() {
    check("fence", Instr::Fence(FenceKind::Full));
    check("fence.ld", Instr::Fence(FenceKind::LoadLoad));
    check("fence.st", Instr::Fence(FenceKind::StoreStore));
    check("isb", Instr::Fence(FenceKind::Isb));
    check("FENCE.LD", Instr::Fence(FenceKind::LoadLoad));
}

#[test]
fn moves_and_arithmetic() {
    check("mov r1, 1", Instr::Mov { dst: 1, src: imm(1) });
    check("mov r1, &x", Instr::Mov { dst: 1, src: Operand::SymAddr(X) });
    check("mov r31, 18446744073709551615", Instr::Mov { dst: 31, src: imm(u64::MAX) });
    for op in AluOp::ALL {
        let line = format!("{} r1, r2, 3", op.mnemonic());
        check(&line, Instr::Alu { op, dst: 1, a: r(2), b: imm(3) });
    }
    check("add r1, 3, EAX", Instr::Alu { op: AluOp::Add, dst: 1, a: imm(3), b: r(7) });
    for (sfx, cond) in [("eq", Cond::Eq), ("ne", Cond::Ne), ("lt", Cond::Lt), ("ge", Cond::Ge)] {
        let line = format!("csel.{sfx} r1, r2, 0, r3, &x");
        check(&line, Instr::Csel { dst: 1, cond, a: r(2), b: imm(0), t: r(3), f: Operand::SymAddr(X) });
    }
}

#[test]
fn control_flow() {
    for (mn, cond) in [("beq", Cond::Eq), ("bne", Cond::Ne), ("blt", Cond::Lt), ("bge", Cond::Ge)] {
        check(&format!("{mn} r1, r2, L"), Instr::Branch { cond, a: r(1), b: r(2), target: 0 });
    }
    check("bge 1, &x, L", Instr::Branch { cond: Cond::Ge, a: imm(1), b: Operand::SymAddr(X), target: 0 });
    check("beqz r1, L", Instr::Branch { cond: Cond::Eq, a: r(1), b: imm(0), target: 0 });
    check("bnz r1, L", Instr::Branch { cond: Cond::Ne, a: r(1), b: imm(0), target: 0 });
    check("bnez r1, L", Instr::Branch { cond: Cond::Ne, a: r(1), b: imm(0), target: 0 });
    check("beq r1, 0, L", Instr::Branch { cond: Cond::Eq, a: r(1), b: imm(0), target: 0 });
    check("jmp L", Instr::Jmp { target: 0 });
    check("call L", Instr::Call { target: 0 });
    check("ret", Instr::Ret);
    check("halt", Instr::Halt);
    check("nop", Instr::Nop);
}

#[test]
fn interrupts_and_ghosts() {
    check("ipi self", Instr::Raise { target: IrqTarget::SelfCore });
    check("ipi SELF", Instr::Raise { target: IrqTarget::SelfCore });
    check("ipi r3", Instr::Raise { target: IrqTarget::Core(r(3)) });
    check("ipi 1", Instr::Raise { target: IrqTarget::Core(imm(1)) });
    check("irq_enable", Instr::IrqEnable);
    check("irq_disable", Instr::IrqDisable);
    check("iret", Instr::Iret);
    check("observe y, r12", Instr::Observe { sym: Y, src: 12 });
}

#[test]
fn labels_and_forward_references() {
    let p = parse(
        "core 0 start=main handler=h r1=5 r2=&late irq=off\n\
         main: beq r1, 5, h\n    jmp main\nh: two: iret\nsym late = &late\n",
        "f.ucode",
    )
    .unwrap();
    assert_eq!(p.code[0], Instr::Branch { cond: Cond::Eq, a: r(1), b: imm(5), target: 2 });
    assert_eq!(p.code[1], Instr::Jmp { target: 0 });
    let names: Vec<(&str, Pc)> = p.labels.iter().map(|l| (l.name.as_str(), l.pc)).collect();
    assert_eq!(names, vec![("main", 0), ("h", 2), ("two", 2)]);
    assert_eq!(
        p.cores,
        vec![CoreSpec {
            start: 0,
            handler: Some(2),
            regs: vec![(1, Value::Num(5)), (2, Value::Addr(0))],
            irq_enabled: false
        }]
    );
    assert_eq!(p.symbols, vec![Symbol::new("late", Value::Addr(0))]);
}

#[test]
fn both_spellings_of_acquire_and_release() {
    let f = sym(X, None, 0);
    check("load.acquire r1, [x]", load(1, f, LoadOrd::Acquire, false));
    check("load.acquire.ex r1, [x]", load(1, f, LoadOrd::Acquire, true));
    check("store.release [x], 1", store(imm(1), f, StoreOrd::Release, None));
    check("store.release.ex [x], 1, r2", store(imm(1), f, StoreOrd::Release, Some(2)));
    check("xchg.acq r1, [x], 1", rmw(RmwOp::Xchg(imm(1)), Some(1), f, RmwOrd::Acquire));
    check("xchg.rel _, [x], 0", rmw(RmwOp::Xchg(imm(0)), None, f, RmwOrd::Release));
    check("fetch_add.ACQ.w r1, [x], 1", rmw(RmwOp::FetchAdd(imm(1)), Some(1), f.sized(Width::W32), RmwOrd::Acquire));
}

#[test]
fn kernel_names() {
    let f = sym(X, None, 0);
    check("smp_mb", Instr::Fence(FenceKind::Full));
    check("smp_rmb", Instr::Fence(FenceKind::LoadLoad));
    check("smp_wmb", Instr::Fence(FenceKind::StoreStore));
    check("smp_load_acquire r1, [x]", load(1, f, LoadOrd::Acquire, false));
    check("smp_store_release [x], r2", store(r(2), f, StoreOrd::Release, None));
    check("READ_ONCE r1, [x]", load(1, f, LoadOrd::Plain, false));
    check("read_once.w r1, [x]", load(1, f.sized(Width::W32), LoadOrd::Plain, false));
    check("WRITE_ONCE [x], 1", store(imm(1), f, StoreOrd::Plain, None));
}
