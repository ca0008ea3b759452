//! What each litmus instruction becomes in microcode (herd7 7.57's reading of
//! it, see shared/reference/arm-model.md §1.1). One test per mapping: a tiny
//! single-thread litmus test is parsed and its exact code compared.

use isa::cond::{CondExpr, Loc, Quantifier};
use isa::litmus::{parse, Arch};
use isa::{
    Addr, AluOp, Cond, FenceKind, Instr, LoadOrd, Operand, Program, Reg, RmwOp, RmwOrd, StoreOrd, SymId, Value, Width,
};

/// Lookups into a parsed program for writing the expected code.
struct P(Program);

impl P {
    /// Register by name; `W0` and `X0` (and `eax`/`rax`) name the same one.
    fn r(&self, name: &str) -> Reg {
        let p = &self.0;
        let alt = |n: &str| -> Vec<String> {
            let u = n.to_ascii_uppercase();
            let mut v = vec![n.to_string()];
            if let Some(d) = u.strip_prefix('W') {
                v.push(format!("X{d}"));
            }
            if let Some(d) = u.strip_prefix('X') {
                v.push(format!("W{d}"));
            }
            if let Some(d) = n.strip_prefix('e').or_else(|| n.strip_prefix('E')) {
                v.push(format!("r{d}"));
            }
            if let Some(d) = n.strip_prefix('r').or_else(|| n.strip_prefix('R')) {
                v.push(format!("e{d}"));
            }
            v
        };
        alt(name)
            .iter()
            .find_map(|n| p.reg_names.iter().position(|x| x.eq_ignore_ascii_case(n)))
            .unwrap_or_else(|| panic!("no register {name} in {:?}", p.reg_names)) as Reg
    }
    fn o(&self, name: &str) -> Operand {
        Operand::Reg(self.r(name))
    }
    /// `[Xn]`
    fn at(&self, name: &str) -> Addr {
        Addr::reg(self.r(name))
    }
    /// `[Xn]`, 32 bits wide (the access of a `W` register).
    fn at32(&self, name: &str) -> Addr {
        Addr::reg(self.r(name)).sized(Width::W32)
    }
    fn s(&self, name: &str) -> SymId {
        self.0.sym_by_name(name).unwrap_or_else(|| panic!("no symbol {name}"))
    }
    /// `[x]`
    fn m(&self, name: &str) -> Addr {
        Addr::sym(self.s(name))
    }
    fn flags(&self) -> Reg {
        self.r(if self.0.reg_names.iter().any(|n| n == "NZCV") { "NZCV" } else { "EFLAGS" })
    }
}

/// A one-thread test of `arch` with initial state `init` and the rows `cells`.
fn src(arch: &str, init: &str, cells: &[&str]) -> String {
    let rows: String = cells.iter().map(|c| format!(" {c} ;\n")).collect();
    format!("{arch} T\n{{ {init} }}\n P0 ;\n{rows}exists (0:{}=0)\n", if arch == "AArch64" { "X9" } else { "EAX" })
}

fn parse_ok(text: &str) -> P {
    match parse(text, "t.litmus") {
        Ok(t) => P(t.program),
        Err(e) => panic!("{e}\n--- input:\n{text}"),
    }
}

/// Parses a one-thread test and checks that its code is `expect`, then `halt`.
fn check(arch: &str, init: &str, cells: &[&str], expect: impl Fn(&P) -> Vec<Instr>) -> P {
    let text = src(arch, init, cells);
    let p = parse_ok(&text);
    let mut want = expect(&p);
    want.push(Instr::Halt);
    assert_eq!(p.0.code, want, "\n--- input:\n{text}");
    p
}

fn a64(cells: &[&str], expect: impl Fn(&P) -> Vec<Instr>) -> P {
    check("AArch64", "0:X1=x; 0:X3=y;", cells, expect)
}
fn x86(cells: &[&str], expect: impl Fn(&P) -> Vec<Instr>) -> P {
    check("X86", "", cells, expect)
}
fn att(cells: &[&str], expect: impl Fn(&P) -> Vec<Instr>) -> P {
    let text = src("X86_64", "", cells).replace("0:EAX", "0:rax");
    let p = parse_ok(&text);
    let mut want = expect(&p);
    want.push(Instr::Halt);
    assert_eq!(p.0.code, want, "\n--- input:\n{text}");
    p
}

fn load(dst: Reg, addr: Addr, ord: LoadOrd, exclusive: bool) -> Instr {
    Instr::Load { dst, addr, ord, exclusive }
}
fn store(src: Operand, addr: Addr, ord: StoreOrd) -> Instr {
    Instr::Store { src, addr, ord, status: None }
}
fn rmw(op: RmwOp, dst: Option<Reg>, addr: Addr, ord: RmwOrd) -> Instr {
    Instr::Rmw { op, dst, addr, ord }
}
fn imm(v: u64) -> Operand {
    Operand::Imm(v)
}

// ---------------------------------------------------------------- AArch64 loads

#[test]
fn a64_ldr() {
    a64(&["LDR W0,[X1]"], |p| vec![load(p.r("W0"), p.at32("X1"), LoadOrd::Plain, false)]);
}

#[test]
fn a64_ldar() {
    a64(&["LDAR W0,[X1]"], |p| vec![load(p.r("W0"), p.at32("X1"), LoadOrd::Acquire, false)]);
}

#[test]
fn a64_ldapr() {
    a64(&["LDAPR X0,[X1]"], |p| vec![load(p.r("X0"), p.at("X1"), LoadOrd::AcquirePc, false)]);
}

#[test]
fn a64_ldxr() {
    a64(&["LDXR W0,[X1]"], |p| vec![load(p.r("W0"), p.at32("X1"), LoadOrd::Plain, true)]);
}

#[test]
fn a64_ldaxr() {
    a64(&["LDAXR W0,[X1]"], |p| vec![load(p.r("W0"), p.at32("X1"), LoadOrd::Acquire, true)]);
}

#[test]
fn a64_lowercase_and_spaces() {
    a64(&["ldr w0, [ x1 ]"], |p| vec![load(p.r("W0"), p.at32("X1"), LoadOrd::Plain, false)]);
}

// ---------------------------------------------------------------- AArch64 addressing

#[test]
fn a64_addr_offset() {
    a64(&["LDR W0,[X1,#8]"], |p| {
        vec![load(p.r("W0"), Addr { offset: 8, ..Addr::reg(p.r("X1")) }.sized(Width::W32), LoadOrd::Plain, false)]
    });
}

#[test]
fn a64_addr_index_reg() {
    a64(&["LDR W0,[X1,X2]"], |p| {
        vec![load(
            p.r("W0"),
            Addr { index: Some(p.r("X2")), ..Addr::reg(p.r("X1")) }.sized(Width::W32),
            LoadOrd::Plain,
            false,
        )]
    });
}

#[test]
fn a64_addr_index_sxtw() {
    // The index is sign-extended from 32 bits first (into a scratch register).
    a64(&["STR W0,[X1,W2,SXTW]"], |p| {
        let t = p.r("tmp");
        let a = Addr { index: Some(t), ..Addr::reg(p.r("X1")) }.sized(Width::W32);
        vec![Instr::Alu { op: AluOp::Sext, dst: t, a: p.o("W2"), b: imm(32) }, store(p.o("W0"), a, StoreOrd::Plain)]
    });
}

// ---------------------------------------------------------------- AArch64 stores

#[test]
fn a64_str() {
    a64(&["STR W0,[X1]"], |p| vec![store(p.o("W0"), p.at32("X1"), StoreOrd::Plain)]);
}

#[test]
fn a64_str_zero_register() {
    a64(&["STR WZR,[X1]"], |p| vec![store(imm(0), p.at32("X1"), StoreOrd::Plain)]);
}

#[test]
fn a64_stlr() {
    a64(&["STLR W0,[X1]"], |p| vec![store(p.o("W0"), p.at32("X1"), StoreOrd::Release)]);
}

#[test]
fn a64_stxr() {
    a64(&["STXR W2,W0,[X1]"], |p| {
        vec![Instr::Store { src: p.o("W0"), addr: p.at32("X1"), ord: StoreOrd::Plain, status: Some(p.r("W2")) }]
    });
}

#[test]
fn a64_stlxr() {
    a64(&["STLXR W2,W0,[X1]"], |p| {
        vec![Instr::Store { src: p.o("W0"), addr: p.at32("X1"), ord: StoreOrd::Release, status: Some(p.r("W2")) }]
    });
}

// ---------------------------------------------------------------- AArch64 CAS

fn cas(p: &P, s: &str, t: &str, ord: RmwOrd) -> Instr {
    rmw(RmwOp::Cmpxchg { expected: p.o(s), new: p.o(t) }, Some(p.r(s)), p.at32("X1"), ord)
}

#[test]
fn a64_cas() {
    a64(&["CAS W0,W2,[X1]"], |p| vec![cas(p, "W0", "W2", RmwOrd::Relaxed)]);
}

#[test]
fn a64_casa() {
    a64(&["CASA W0,W2,[X1]"], |p| vec![cas(p, "W0", "W2", RmwOrd::Acquire)]);
}

#[test]
fn a64_casl() {
    a64(&["CASL W0,W2,[X1]"], |p| vec![cas(p, "W0", "W2", RmwOrd::Release)]);
}

#[test]
fn a64_casal() {
    a64(&["CASAL W0,W2,[X1]"], |p| vec![cas(p, "W0", "W2", RmwOrd::Full)]);
}

#[test]
fn a64_cas_zero_rs_is_noret() {
    a64(&["CASA WZR,W2,[X1]"], |p| {
        vec![rmw(RmwOp::Cmpxchg { expected: imm(0), new: p.o("W2") }, None, p.at32("X1"), RmwOrd::Acquire)]
    });
}

#[test]
fn a64_cas_zero_rt_stores_zero() {
    a64(&["CAS W3, WZR, [X1]"], |p| {
        vec![rmw(RmwOp::Cmpxchg { expected: p.o("W3"), new: imm(0) }, Some(p.r("W3")), p.at32("X1"), RmwOrd::Relaxed)]
    });
}

// ---------------------------------------------------------------- AArch64 SWP and LD<op>

#[test]
fn a64_swp_all_orderings() {
    for (m, ord) in
        [("SWP", RmwOrd::Relaxed), ("SWPA", RmwOrd::Acquire), ("SWPL", RmwOrd::Release), ("SWPAL", RmwOrd::Full)]
    {
        a64(&[&format!("{m} W4,W0,[X1]")], |p| vec![rmw(RmwOp::Xchg(p.o("W4")), Some(p.r("W0")), p.at32("X1"), ord)]);
    }
}

#[test]
fn a64_swp_zero_rt_is_noret() {
    a64(&["SWPA W4,WZR,[X1]"], |p| vec![rmw(RmwOp::Xchg(p.o("W4")), None, p.at32("X1"), RmwOrd::Acquire)]);
}

#[test]
fn a64_ldadd() {
    a64(&["LDADD W4,W0,[X1]"], |p| {
        vec![rmw(RmwOp::FetchAdd(p.o("W4")), Some(p.r("W0")), p.at32("X1"), RmwOrd::Relaxed)]
    });
}

#[test]
fn a64_ldadd_zero_rt_is_noret() {
    a64(&["LDADDAL W4,WZR,[X1]"], |p| vec![rmw(RmwOp::FetchAdd(p.o("W4")), None, p.at32("X1"), RmwOrd::Full)]);
}

#[test]
fn a64_ldset() {
    a64(&["LDSETA W4,W0,[X1]"], |p| {
        vec![rmw(RmwOp::FetchOr(p.o("W4")), Some(p.r("W0")), p.at32("X1"), RmwOrd::Acquire)]
    });
}

#[test]
fn a64_ldclr() {
    a64(&["LDCLRL W4,W0,[X1]"], |p| {
        vec![rmw(RmwOp::FetchAndNot(p.o("W4")), Some(p.r("W0")), p.at32("X1"), RmwOrd::Release)]
    });
}

#[test]
fn a64_ldeor() {
    a64(&["LDEORAL W4,W0,[X1]"], |p| {
        vec![rmw(RmwOp::FetchXor(p.o("W4")), Some(p.r("W0")), p.at32("X1"), RmwOrd::Full)]
    });
}

#[test]
fn a64_min_max() {
    let cases = [
        ("LDSMAX", RmwOrd::Relaxed, RmwOp::FetchSmax as fn(Operand) -> RmwOp),
        ("LDSMINA", RmwOrd::Acquire, RmwOp::FetchSmin),
        ("LDUMAXL", RmwOrd::Release, RmwOp::FetchUmax),
        ("LDUMINAL", RmwOrd::Full, RmwOp::FetchUmin),
    ];
    for (m, ord, op) in cases {
        a64(&[&format!("{m} W4,W0,[X1]")], |p| vec![rmw(op(p.o("W4")), Some(p.r("W0")), p.at32("X1"), ord)]);
    }
}

#[test]
fn a64_st_op_forms() {
    let cases = [
        ("STADD", RmwOrd::Relaxed, RmwOp::FetchAdd as fn(Operand) -> RmwOp),
        ("STADDL", RmwOrd::Release, RmwOp::FetchAdd),
        ("STSET", RmwOrd::Relaxed, RmwOp::FetchOr),
        ("STCLRL", RmwOrd::Release, RmwOp::FetchAndNot),
        ("STEOR", RmwOrd::Relaxed, RmwOp::FetchXor),
        ("STSMAXL", RmwOrd::Release, RmwOp::FetchSmax),
        ("STUMIN", RmwOrd::Relaxed, RmwOp::FetchUmin),
    ];
    for (m, ord, op) in cases {
        a64(&[&format!("{m} W4,[X1]")], |p| vec![rmw(op(p.o("W4")), None, p.at32("X1"), ord)]);
    }
}

// ---------------------------------------------------------------- AArch64 ALU

#[test]
fn a64_mov_imm() {
    a64(&["MOV W0,#2"], |p| vec![Instr::Mov { dst: p.r("W0"), src: imm(2) }]);
}

#[test]
fn a64_mov_reg_and_zr() {
    a64(&["MOV W0,W2", "MOV X3,XZR"], |p| {
        let w0 = p.r("W0");
        vec![
            Instr::Mov { dst: w0, src: p.o("W2") },
            Instr::Alu { op: AluOp::And, dst: w0, a: Operand::Reg(w0), b: imm(0xffff_ffff) },
            Instr::Mov { dst: p.r("X3"), src: imm(0) },
        ]
    });
}

#[test]
fn a64_alu_reg_and_imm() {
    let ops = [("ADD", AluOp::Add), ("SUB", AluOp::Sub), ("EOR", AluOp::Xor), ("AND", AluOp::And), ("ORR", AluOp::Or)];
    for (m, op) in ops {
        a64(&[&format!("{m} W0,W2,W4"), &format!("{m} W0,W2,#1")], |p| {
            // Writing a W register clears its upper 32 bits.
            let w0 = p.r("W0");
            let mask = Instr::Alu { op: AluOp::And, dst: w0, a: Operand::Reg(w0), b: imm(0xffff_ffff) };
            vec![
                Instr::Alu { op, dst: w0, a: p.o("W2"), b: p.o("W4") },
                mask,
                Instr::Alu { op, dst: w0, a: p.o("W2"), b: imm(1) },
                mask,
            ]
        });
    }
}

#[test]
fn a64_cmp_sets_flags() {
    let p = a64(&["CMP W0,#1", "CMP X0,X2"], |p| {
        vec![
            Instr::Alu { op: AluOp::FlagsSub32, dst: p.flags(), a: p.o("W0"), b: imm(1) },
            Instr::Alu { op: AluOp::FlagsSub, dst: p.flags(), a: p.o("X0"), b: p.o("X2") },
        ]
    });
    // herd starts with the flags clear (NZCV = 0: Z clear, "not equal").
    assert!(!p.0.cores[0].regs.iter().any(|(r, _)| *r == p.flags()));
}

#[test]
fn a64_b_eq_ne() {
    a64(&["CMP W0,#1", "B.EQ L", "B.NE L", "B.GT L", "L:"], |p| {
        let f = Operand::Reg(p.flags());
        vec![
            Instr::Alu { op: AluOp::FlagsSub32, dst: p.flags(), a: p.o("W0"), b: imm(1) },
            Instr::Branch { cond: Cond::Nzcv, a: f, b: imm(0), target: 4 },
            Instr::Branch { cond: Cond::Nzcv, a: f, b: imm(1), target: 4 },
            Instr::Branch { cond: Cond::Nzcv, a: f, b: imm(12), target: 4 },
        ]
    });
}

#[test]
fn a64_csel() {
    a64(&["CMP W0,W2", "CSEL W3,W4,W5,EQ", "CSEL X3, XZR, X5, NE"], |p| {
        let f = Operand::Reg(p.flags());
        let w3 = p.r("W3");
        vec![
            Instr::Alu { op: AluOp::FlagsSub32, dst: p.flags(), a: p.o("W0"), b: p.o("W2") },
            Instr::Csel { dst: w3, cond: Cond::Nzcv, a: f, b: imm(0), t: p.o("W4"), f: p.o("W5") },
            Instr::Alu { op: AluOp::And, dst: w3, a: Operand::Reg(w3), b: imm(0xffff_ffff) },
            Instr::Csel { dst: w3, cond: Cond::Nzcv, a: f, b: imm(1), t: imm(0), f: p.o("W5") },
        ]
    });
}

#[test]
fn a64_cbz_cbnz() {
    // A W register is tested on its low 32 bits.
    a64(&["CBZ W0,LC00", "CBNZ X0,LC00", "LC00:"], |p| {
        let t = p.r("tmp");
        vec![
            Instr::Alu { op: AluOp::And, dst: t, a: p.o("W0"), b: imm(0xffff_ffff) },
            Instr::Branch { cond: Cond::Eq, a: Operand::Reg(t), b: imm(0), target: 3 },
            Instr::Branch { cond: Cond::Ne, a: p.o("W0"), b: imm(0), target: 3 },
        ]
    });
}

#[test]
fn a64_b_label() {
    a64(&["L0: NOP", "B L0"], |_| vec![Instr::Nop, Instr::Jmp { target: 0 }]);
}

// ---------------------------------------------------------------- AArch64 barriers

#[test]
fn a64_dmb_full() {
    a64(&["DMB SY", "DMB ISH", "DMB OSH", "DSB SY", "DSB ISH"], |_| vec![Instr::Fence(FenceKind::Full); 5]);
}

#[test]
fn a64_dmb_ld() {
    a64(&["DMB LD", "DMB ISHLD", "DMB OSHLD", "DSB LD"], |_| vec![Instr::Fence(FenceKind::LoadLoad); 4]);
}

#[test]
fn a64_dmb_st() {
    a64(&["DMB ST", "DMB ISHST", "DMB OSHST"], |_| vec![Instr::Fence(FenceKind::StoreStore); 3]);
}

/// DSB ST orders earlier stores before every later access, loads included.
#[test]
fn a64_dsb_st() {
    a64(&["DSB ST", "DSB ISHST", "DSB OSHST"], |_| vec![Instr::Fence(FenceKind::StoreAll); 3]);
}

#[test]
fn a64_isb_and_nop() {
    a64(&["ISB", "NOP"], |_| vec![Instr::Fence(FenceKind::Isb), Instr::Nop]);
}

// ---------------------------------------------------------------- AArch64 registers, labels, state

#[test]
fn a64_w_and_x_share_a_register() {
    let p = a64(&["MOV W0,#1", "STR X0,[X1]"], |p| {
        vec![Instr::Mov { dst: p.r("W0"), src: imm(1) }, store(p.o("W0"), p.at("X1"), StoreOrd::Plain)]
    });
    assert_eq!(p.r("W0"), p.r("X0"));
}

#[test]
fn registers_numbered_by_first_use_named_as_in_condition() {
    let t = parse(
        "AArch64 T\n{ 0:X1=x; 1:X3=y; }\n P0 | P1 ;\n MOV W0,#1 | LDR W5,[X3] ;\n STR W0,[X1] | ;\nexists (1:X5=0)\n",
        "t",
    )
    .unwrap();
    let p = &t.program;
    assert_eq!(p.reg_names, ["X1", "X3", "W0", "X5"]);
    assert_eq!(p.reg_by_name("X5"), Some(3));
    assert_eq!(p.reg_by_name("W0"), Some(2));
    let c = p.condition.as_ref().unwrap();
    assert_eq!(c.quant, Quantifier::Exists);
    assert_eq!(c.expr, CondExpr::Eq(Loc::Reg { core: 1, reg: 3 }, Value::Num(0)));
}

#[test]
fn threads_become_cores_with_prefixed_labels() {
    let t = parse(
        "AArch64 T\n{ 0:X1=x; 1:X1=x; }\n P0 | P1 ;\n CBZ X0,L | CBNZ X0,L ;\n L: | NOP ;\n | L: ;\nexists ([x]=0)\n",
        "t",
    )
    .unwrap();
    let p = &t.program;
    let w0 = p.reg_by_name("X0").unwrap();
    assert_eq!(
        p.code,
        vec![
            Instr::Branch { cond: Cond::Eq, a: Operand::Reg(w0), b: imm(0), target: 1 },
            Instr::Halt,
            Instr::Branch { cond: Cond::Ne, a: Operand::Reg(w0), b: imm(0), target: 4 },
            Instr::Nop,
            Instr::Halt,
        ]
    );
    assert_eq!(p.cores.len(), 2);
    assert_eq!((p.cores[0].start, p.cores[1].start), (0, 2));
    let labels: Vec<(&str, u16)> = p.labels.iter().map(|l| (l.name.as_str(), l.pc)).collect();
    assert_eq!(labels, [("P0", 0), ("P0.L", 1), ("P1", 2), ("P1.L", 4)]);
}

#[test]
fn initial_state_forms() {
    let t = parse(
        "AArch64 T\n\"doc text\"\nCycle=Rfe Fre\n{\n x=1; [y]=2; int z=3; uint64_t w; p=x;\n 0:X1=x; 0:X2=-1; 0: X3 = 7;\n}\n P0 ;\n NOP ;\nlocations [q; 0:X2;]\nexists (0:X1=y /\\ ~[r]=0)\n",
        "t",
    )
    .unwrap();
    assert_eq!(t.arch, Arch::AArch64);
    assert_eq!(t.name, "T");
    assert_eq!(t.doc.as_deref(), Some("doc text"));
    assert_eq!(t.meta, [("Cycle".to_string(), "Rfe Fre".to_string())]);
    let p = &t.program;
    let syms: Vec<(&str, Value)> = p.symbols.iter().map(|s| (s.name.as_str(), s.init)).collect();
    assert_eq!(
        syms,
        [
            ("x", Value::Num(1)),
            ("y", Value::Num(2)),
            ("z", Value::Num(3)),
            ("w", Value::Num(0)),
            ("p", Value::Addr(0)),
            ("q", Value::Num(0)),
            ("r", Value::Num(0)),
        ]
    );
    assert_eq!(p.cores[0].regs, [(0, Value::Addr(0)), (1, Value::Num(u64::MAX)), (2, Value::Num(7))]);
    let c = p.condition.as_ref().unwrap();
    assert_eq!(c.locations, [Loc::Mem(5), Loc::Reg { core: 0, reg: 1 }]);
    assert_eq!(
        c.expr,
        CondExpr::And(vec![
            CondExpr::Eq(Loc::Reg { core: 0, reg: 0 }, Value::Addr(1)),
            CondExpr::Not(Box::new(CondExpr::Eq(Loc::Mem(6), Value::Num(0)))),
        ])
    );
}

#[test]
fn condition_quantifiers_and_operators() {
    let cases = [
        ("exists (0:X0=1)", Quantifier::Exists),
        ("~exists (0:X0=1)", Quantifier::NotExists),
        ("~ exists 0:X0=1", Quantifier::NotExists),
        ("forall 0:X0=1", Quantifier::Forall),
    ];
    for (c, q) in cases {
        let t = parse(&format!("AArch64 T\n{{}}\n P0 ;\n NOP ;\n{c}\n"), "t").unwrap();
        assert_eq!(t.program.condition.unwrap().quant, q, "{c}");
    }
    let t = parse("AArch64 T\n{}\n P0 ;\n NOP ;\nexists (x=1 \\/ y=1 /\\ ~(z=1 \\/ true))\n", "t").unwrap();
    let m = |s: u16| CondExpr::Eq(Loc::Mem(s), Value::Num(1));
    assert_eq!(
        t.program.condition.unwrap().expr,
        CondExpr::Or(vec![
            m(0),
            CondExpr::And(vec![m(1), CondExpr::Not(Box::new(CondExpr::Or(vec![m(2), CondExpr::True])))]),
        ])
    );
}

// ---------------------------------------------------------------- X86 (Intel syntax)

#[test]
fn x86_mov_store_imm() {
    x86(&["MOV [x],$1"], |p| vec![store(imm(1), p.m("x"), StoreOrd::Plain)]);
}

#[test]
fn x86_mov_store_reg() {
    x86(&["MOV EAX,$3", "MOV [x],EAX"], |p| {
        vec![Instr::Mov { dst: p.r("EAX"), src: imm(3) }, store(p.o("EAX"), p.m("x"), StoreOrd::Plain)]
    });
}

#[test]
fn x86_mov_load() {
    x86(&["MOV EBX,[y]"], |p| vec![load(p.r("EBX"), p.m("y"), LoadOrd::Plain, false)]);
}

#[test]
fn x86_mov_reg_reg() {
    x86(&["MOV EAX,EBX"], |p| vec![Instr::Mov { dst: p.r("EAX"), src: p.o("EBX") }]);
}

#[test]
fn x86_register_indirect() {
    let p =
        check("X86", "0:ECX=x;", &["MOV EAX,[ECX]"], |p| vec![load(p.r("EAX"), p.at("ECX"), LoadOrd::Plain, false)]);
    assert_eq!(p.0.cores[0].regs, [(p.r("ECX"), Value::Addr(p.s("x")))]);
}

#[test]
fn x86_mfence() {
    x86(&["MFENCE"], |_| vec![Instr::Fence(FenceKind::Full)]);
}

#[test]
fn x86_xchg_both_orders() {
    x86(&["XCHG [x],EAX", "XCHG EAX,[x]"], |p| {
        vec![rmw(RmwOp::Xchg(p.o("EAX")), Some(p.r("EAX")), p.m("x"), RmwOrd::Full); 2]
    });
}

#[test]
fn x86_lock_xadd() {
    x86(&["LOCK XADD [x],EBX"], |p| vec![rmw(RmwOp::FetchAdd(p.o("EBX")), Some(p.r("EBX")), p.m("x"), RmwOrd::Full)]);
}

#[test]
fn x86_lock_cmpxchg() {
    x86(&["LOCK CMPXCHG [x],ECX"], |p| {
        vec![rmw(RmwOp::Cmpxchg { expected: p.o("EAX"), new: p.o("ECX") }, Some(p.r("EAX")), p.m("x"), RmwOrd::Full)]
    });
}

#[test]
fn x86_lock_alu_to_memory() {
    x86(
        &[
            "LOCK ADD [x],$2",
            "LOCK OR [x],EBX",
            "LOCK AND [x],$6",
            "LOCK XOR [x],$1",
            "LOCK INC [x]",
            "LOCK DEC [x]",
            "LOCK SUB [x],$1",
        ],
        |p| {
            let x = p.m("x");
            vec![
                rmw(RmwOp::FetchAdd(imm(2)), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchOr(p.o("EBX")), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchAndNot(imm(!6)), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchXor(imm(1)), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchAdd(imm(1)), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchAdd(imm(u64::MAX)), None, x, RmwOrd::Full),
                rmw(RmwOp::FetchAdd(imm(u64::MAX)), None, x, RmwOrd::Full),
            ]
        },
    );
}

#[test]
fn x86_nolock_cmpxchg_is_load_compare_store() {
    x86(&["CMPXCHG [x],ECX"], |p| {
        let t = p.r("tmp");
        vec![
            load(t, p.m("x"), LoadOrd::Plain, false),
            Instr::Branch { cond: Cond::Ne, a: Operand::Reg(t), b: p.o("EAX"), target: 3 },
            store(p.o("ECX"), p.m("x"), StoreOrd::Plain),
            Instr::Mov { dst: p.r("EAX"), src: Operand::Reg(t) },
        ]
    });
}

#[test]
fn x86_cmp_je_jne_jmp() {
    x86(&["CMP EAX,$3", "JE L", "JNE L", "CMP EAX,EBX", "JMP L", "L:"], |p| {
        let f = Operand::Reg(p.flags());
        vec![
            Instr::Alu { op: AluOp::Sub, dst: p.flags(), a: p.o("EAX"), b: imm(3) },
            Instr::Branch { cond: Cond::Eq, a: f, b: imm(0), target: 5 },
            Instr::Branch { cond: Cond::Ne, a: f, b: imm(0), target: 5 },
            Instr::Alu { op: AluOp::Sub, dst: p.flags(), a: p.o("EAX"), b: p.o("EBX") },
            Instr::Jmp { target: 5 },
        ]
    });
}

#[test]
fn x86_register_widths_share() {
    let p = x86(&["MOV EAX,$1", "MOV RAX,$2", "MOV AX,$3", "MOV AL,$4"], |p| {
        (1..=4).map(|v| Instr::Mov { dst: p.r("EAX"), src: imm(v) }).collect()
    });
    assert_eq!(p.0.reg_names, ["EAX"]);
}

// ---------------------------------------------------------------- X86_64 (AT&T syntax)

#[test]
fn att_mov_store() {
    att(&["movl $1,(x)", "movq $2,(x)", "movl %eax,(y)"], |p| {
        vec![
            store(imm(1), p.m("x"), StoreOrd::Plain),
            store(imm(2), p.m("x"), StoreOrd::Plain),
            store(p.o("eax"), p.m("y"), StoreOrd::Plain),
        ]
    });
}

#[test]
fn att_mov_load() {
    att(&["movl (x),%eax"], |p| vec![load(p.r("eax"), p.m("x"), LoadOrd::Plain, false)]);
}

#[test]
fn att_mov_reg_and_imm() {
    att(&["movl %eax,%edx", "movl $2,%eax"], |p| {
        vec![Instr::Mov { dst: p.r("edx"), src: p.o("eax") }, Instr::Mov { dst: p.r("eax"), src: imm(2) }]
    });
}

#[test]
fn att_xchg_both_orders() {
    att(&["xchgl %eax,(flags)", "xchgq (flags),%rax"], |p| {
        vec![rmw(RmwOp::Xchg(p.o("eax")), Some(p.r("eax")), p.m("flags"), RmwOrd::Full); 2]
    });
}

#[test]
fn att_lock_cmpxchg_both_orders() {
    att(&["lock cmpxchgl (flags),%ecx", "lock cmpxchgl %ecx,(flags)"], |p| {
        vec![
            rmw(RmwOp::Cmpxchg { expected: p.o("rax"), new: p.o("ecx") }, Some(p.r("rax")), p.m("flags"), RmwOrd::Full);
            2
        ]
    });
}

#[test]
fn att_nolock_cmpxchg_expands() {
    let p = att(&["movl $1,(data)", "cmpxchgl (flags),%ecx"], |p| {
        let t = p.r("tmp");
        vec![
            store(imm(1), p.m("data"), StoreOrd::Plain),
            load(t, p.m("flags"), LoadOrd::Plain, false),
            Instr::Branch { cond: Cond::Ne, a: Operand::Reg(t), b: p.o("rax"), target: 4 },
            store(p.o("ecx"), p.m("flags"), StoreOrd::Plain),
            Instr::Mov { dst: p.r("rax"), src: Operand::Reg(t) },
        ]
    });
    // The spare register is not one the condition names.
    assert_ne!(p.r("tmp"), p.r("rax"));
}

#[test]
fn att_cmp_je_label() {
    att(&["movl (flags),%eax", "cmpl $3,%eax", "je Lout", "jne Lout", "lock cmpxchgl (flags),%ecx", "Lout:"], |p| {
        let f = Operand::Reg(p.flags());
        vec![
            load(p.r("eax"), p.m("flags"), LoadOrd::Plain, false),
            Instr::Alu { op: AluOp::Sub, dst: p.flags(), a: p.o("eax"), b: imm(3) },
            Instr::Branch { cond: Cond::Eq, a: f, b: imm(0), target: 5 },
            Instr::Branch { cond: Cond::Ne, a: f, b: imm(0), target: 5 },
            rmw(RmwOp::Cmpxchg { expected: p.o("eax"), new: p.o("ecx") }, Some(p.r("eax")), p.m("flags"), RmwOrd::Full),
        ]
    });
}

#[test]
fn att_mfence() {
    att(&["mfence"], |_| vec![Instr::Fence(FenceKind::Full)]);
}

#[test]
fn att_lock_xadd_and_inc() {
    att(&["lock xaddl %ebx,(x)", "lock incl (x)", "lock addq $5,(x)"], |p| {
        vec![
            rmw(RmwOp::FetchAdd(p.o("ebx")), Some(p.r("ebx")), p.m("x"), RmwOrd::Full),
            rmw(RmwOp::FetchAdd(imm(1)), None, p.m("x"), RmwOrd::Full),
            rmw(RmwOp::FetchAdd(imm(5)), None, p.m("x"), RmwOrd::Full),
        ]
    });
}

#[test]
fn att_register_widths_and_condition_spelling() {
    let t =
        parse("X86_64 T\n{ 0:rax=2; }\n P0 ;\n movl %eax,(x) ;\n movq %rcx,(x) ;\nexists (0:rax=2 /\\ 0:rcx=0)\n", "t")
            .unwrap();
    let p = &t.program;
    assert_eq!(p.reg_names, ["rax", "rcx"]);
    assert_eq!(p.cores[0].regs, [(0, Value::Num(2))]);
}
