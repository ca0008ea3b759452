//! `.ucode` printer/assembler round trips: random canonical programs survive
//! `parse(print(p))`, canonical example texts survive `print(parse(s))`, and
//! no input makes the assembler panic.

use isa::asm::{parse, print};
use isa::*;
use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::test_runner::{RngAlgorithm, RngSeed};

// Name pools, chosen to include keywords and other awkward but legal names.
const SYM_POOL: &[&str] = &[
    "x",
    "y",
    "data0",
    "flag",
    "_",
    "true",
    "false",
    "exists",
    "forall",
    "name",
    "sym",
    "core",
    "locations",
    "lost_work",
    ".p",
    "a.b",
    "observe",
    "load",
    "R",
    "rx",
    "self",
    "start",
    "P0",
    "irq",
    "on",
];
const ALIAS_POOL: &[&str] = &["EAX", "EBX", "tmp", "ptr", "Acc", "X_1", ".acc", "nop"];
const LABEL_POOL: &[&str] = &["loop", "P0", "r1", "core", "name", "exists", "_", "load.acq", "x", ".L", "sym"];

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        (0u8..32).prop_map(Operand::Reg),
        any::<u64>().prop_map(Operand::Imm),
        (0u64..4).prop_map(Operand::Imm),
        any::<u16>().prop_map(Operand::SymAddr),
    ]
}

fn addr() -> impl Strategy<Value = Addr> {
    let base = prop_oneof![any::<u16>().prop_map(Base::Sym), (0u8..32).prop_map(Base::Reg)];
    let offset = prop_oneof![Just(0i64), -64i64..64, any::<i64>(), Just(i64::MIN), Just(i64::MAX)];
    (base, proptest::option::of(0u8..32), offset, 0usize..4).prop_map(|(base, index, offset, w)| Addr {
        base,
        index,
        offset,
        width: [Width::W64, Width::W8, Width::W16, Width::W32][w],
    })
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![Just(Cond::Eq), Just(Cond::Ne), Just(Cond::Lt), Just(Cond::Ge)]
}

fn instr() -> impl Strategy<Value = Instr> {
    let reg = || 0u8..32;
    let load_ord = prop_oneof![Just(LoadOrd::Plain), Just(LoadOrd::Acquire), Just(LoadOrd::AcquirePc)];
    let store_ord = prop_oneof![Just(StoreOrd::Plain), Just(StoreOrd::Release)];
    let rmw_ord = prop_oneof![Just(RmwOrd::Relaxed), Just(RmwOrd::Acquire), Just(RmwOrd::Release), Just(RmwOrd::Full)];
    let rmw_op = prop_oneof![
        operand().prop_map(RmwOp::Xchg),
        (operand(), operand()).prop_map(|(expected, new)| RmwOp::Cmpxchg { expected, new }),
        operand().prop_map(RmwOp::FetchOr),
        operand().prop_map(RmwOp::FetchAdd),
        operand().prop_map(RmwOp::FetchAndNot),
        operand().prop_map(RmwOp::FetchXor),
        operand().prop_map(RmwOp::FetchSmax),
        operand().prop_map(RmwOp::FetchSmin),
        operand().prop_map(RmwOp::FetchUmax),
        operand().prop_map(RmwOp::FetchUmin),
    ];
    let fence = prop_oneof![
        Just(FenceKind::Full),
        Just(FenceKind::LoadLoad),
        Just(FenceKind::StoreStore),
        Just(FenceKind::StoreAll),
        Just(FenceKind::Isb)
    ];
    prop_oneof![
        (reg(), addr(), load_ord, any::<bool>()).prop_map(|(dst, addr, ord, exclusive)| Instr::Load {
            dst,
            addr,
            ord,
            exclusive
        }),
        (operand(), addr(), store_ord, proptest::option::of(reg())).prop_map(|(src, addr, ord, status)| Instr::Store {
            src,
            addr,
            ord,
            status
        }),
        (rmw_op, proptest::option::of(reg()), addr(), rmw_ord).prop_map(|(op, dst, addr, ord)| Instr::Rmw {
            op,
            dst,
            addr,
            ord
        }),
        fence.prop_map(Instr::Fence),
        (reg(), operand()).prop_map(|(dst, src)| Instr::Mov { dst, src }),
        (0..AluOp::ALL.len(), reg(), operand(), operand()).prop_map(|(k, dst, a, b)| Instr::Alu {
            op: AluOp::ALL[k],
            dst,
            a,
            b
        }),
        (reg(), cond(), operand(), operand(), operand(), operand()).prop_map(|(dst, cond, a, b, t, f)| Instr::Csel {
            dst,
            cond,
            a,
            b,
            t,
            f
        }),
        (cond(), operand(), operand(), any::<u16>()).prop_map(|(cond, a, b, target)| Instr::Branch {
            cond,
            a,
            b,
            target
        }),
        any::<u16>().prop_map(|target| Instr::Jmp { target }),
        any::<u16>().prop_map(|target| Instr::Call { target }),
        prop_oneof![
            Just(Instr::Ret),
            Just(Instr::IrqEnable),
            Just(Instr::IrqDisable),
            Just(Instr::Iret),
            Just(Instr::Halt),
            Just(Instr::Nop),
            Just(Instr::Raise { target: IrqTarget::SelfCore }),
        ],
        operand().prop_map(|o| Instr::Raise { target: IrqTarget::Core(o) }),
        (any::<u16>(), reg()).prop_map(|(sym, src)| Instr::Observe { sym, src }),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![any::<u64>().prop_map(Value::Num), (0u64..3).prop_map(Value::Num), any::<u16>().prop_map(Value::Addr)]
}

fn loc() -> impl Strategy<Value = Loc> {
    prop_oneof![(any::<u8>(), 0u8..32).prop_map(|(core, reg)| Loc::Reg { core, reg }), any::<u16>().prop_map(Loc::Mem)]
}

fn expr() -> impl Strategy<Value = CondExpr> {
    let leaf = prop_oneof![
        1 => Just(CondExpr::True),
        1 => Just(CondExpr::False),
        6 => (loc(), value()).prop_map(|(l, v)| CondExpr::Eq(l, v)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| CondExpr::Not(Box::new(e))),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(CondExpr::And),
            proptest::collection::vec(inner, 2..4).prop_map(CondExpr::Or),
        ]
    })
}

fn quant() -> impl Strategy<Value = Quantifier> {
    prop_oneof![Just(Quantifier::Exists), Just(Quantifier::NotExists), Just(Quantifier::Forall)]
}

type CoreRaw = (u16, Option<u16>, Vec<(u8, Value)>, bool);

fn core() -> impl Strategy<Value = CoreRaw> {
    (
        any::<u16>(),
        proptest::option::of(any::<u16>()),
        proptest::collection::vec((0u8..32, value()), 0..4),
        any::<bool>(),
    )
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9_+.-]{1,12}", any::<String>(), "[ a-z;#\"\\\\:=\\[]{0,8}"]
}

/// Maps raw generated parts onto a program in canonical form.
struct Fix {
    nsyms: u16,
    ncode: u16,
    ncores: u8,
}

impl Fix {
    fn sym(&self, s: u16) -> Option<SymId> {
        (self.nsyms > 0).then(|| s % self.nsyms)
    }
    fn value(&self, v: Value) -> Value {
        match v {
            Value::Addr(s) => self.sym(s).map(Value::Addr).unwrap_or(Value::Num(s as u64)),
            v => v,
        }
    }
    fn op(&self, o: Operand) -> Operand {
        match o {
            Operand::SymAddr(s) => self.sym(s).map(Operand::SymAddr).unwrap_or(Operand::Imm(s as u64)),
            o => o,
        }
    }
    fn addr(&self, mut a: Addr) -> Addr {
        if let Base::Sym(s) = a.base {
            a.base = self.sym(s).map(Base::Sym).unwrap_or(Base::Reg(s as u8 % 32));
        }
        a
    }
    fn instr(&self, i: Instr) -> Instr {
        let i = match i {
            Instr::Load { dst, addr, ord, exclusive } => Instr::Load { dst, addr: self.addr(addr), ord, exclusive },
            Instr::Store { src, addr, ord, status } => {
                Instr::Store { src: self.op(src), addr: self.addr(addr), ord, status }
            }
            Instr::Rmw { op, dst, addr, ord } => {
                let op = match op {
                    RmwOp::Xchg(a) => RmwOp::Xchg(self.op(a)),
                    RmwOp::Cmpxchg { expected, new } => {
                        RmwOp::Cmpxchg { expected: self.op(expected), new: self.op(new) }
                    }
                    RmwOp::FetchOr(a) => RmwOp::FetchOr(self.op(a)),
                    RmwOp::FetchAdd(a) => RmwOp::FetchAdd(self.op(a)),
                    RmwOp::FetchAndNot(a) => RmwOp::FetchAndNot(self.op(a)),
                    RmwOp::FetchXor(a) => RmwOp::FetchXor(self.op(a)),
                    RmwOp::FetchSmax(a) => RmwOp::FetchSmax(self.op(a)),
                    RmwOp::FetchSmin(a) => RmwOp::FetchSmin(self.op(a)),
                    RmwOp::FetchUmax(a) => RmwOp::FetchUmax(self.op(a)),
                    RmwOp::FetchUmin(a) => RmwOp::FetchUmin(self.op(a)),
                };
                Instr::Rmw { op, dst, addr: self.addr(addr), ord }
            }
            Instr::Mov { dst, src } => Instr::Mov { dst, src: self.op(src) },
            Instr::Alu { op, dst, a, b } => Instr::Alu { op, dst, a: self.op(a), b: self.op(b) },
            Instr::Csel { dst, cond, a, b, t, f } => {
                Instr::Csel { dst, cond, a: self.op(a), b: self.op(b), t: self.op(t), f: self.op(f) }
            }
            Instr::Branch { cond, a, b, target } => Instr::Branch { cond, a: self.op(a), b: self.op(b), target },
            Instr::Raise { target: IrqTarget::Core(o) } => Instr::Raise { target: IrqTarget::Core(self.op(o)) },
            Instr::Observe { sym, src } => match self.sym(sym) {
                Some(sym) => Instr::Observe { sym, src },
                None => Instr::Nop,
            },
            i => i,
        };
        match i.target() {
            Some(t) => i.with_target(t % self.ncode),
            None => i,
        }
    }
    fn loc(&self, l: Loc) -> Loc {
        match l {
            Loc::Reg { core, reg } => Loc::Reg { core: core % self.ncores, reg },
            Loc::Mem(s) => self.sym(s).map(Loc::Mem).unwrap_or(Loc::Reg { core: 0, reg: (s % 32) as u8 }),
        }
    }
    fn expr(&self, e: CondExpr) -> CondExpr {
        match e {
            CondExpr::Eq(l, v) => CondExpr::Eq(self.loc(l), self.value(v)),
            CondExpr::Not(e) => CondExpr::Not(Box::new(self.expr(*e))),
            CondExpr::And(es) => CondExpr::And(es.into_iter().map(|e| self.expr(e)).collect()),
            CondExpr::Or(es) => CondExpr::Or(es.into_iter().map(|e| self.expr(e)).collect()),
            e => e,
        }
    }
}

type Extra = (Vec<&'static str>, Vec<u8>, Vec<(u16, usize)>, Vec<u16>, Option<(Quantifier, CondExpr, Vec<Loc>)>);

fn program() -> impl Strategy<Value = Program> {
    let parts = (
        name(),
        subsequence(SYM_POOL.to_vec(), 0..=6),
        proptest::collection::vec(value(), 6),
        proptest::collection::vec(instr(), 1..30),
        proptest::collection::vec(core(), 1..5),
    );
    let extra: BoxedStrategy<Extra> = (
        subsequence(ALIAS_POOL.to_vec(), 0..4),
        subsequence((0u8..32).collect::<Vec<_>>(), 4),
        proptest::collection::vec((any::<u16>(), 0..LABEL_POOL.len()), 0..6),
        proptest::collection::vec(any::<u16>(), 0..3),
        proptest::option::of((quant(), expr(), proptest::collection::vec(loc(), 0..3))),
    )
        .boxed();
    (parts, extra).prop_map(|((name, syms, inits, code, cores), (aliases, alias_regs, labels, lost, cond))| {
        build(name, syms, inits, code, cores, aliases, alias_regs, labels, lost, cond)
    })
}

#[allow(clippy::too_many_arguments)]
fn build(
    name: String,
    syms: Vec<&str>,
    inits: Vec<Value>,
    code: Vec<Instr>,
    cores: Vec<CoreRaw>,
    aliases: Vec<&str>,
    alias_regs: Vec<u8>,
    labels: Vec<(u16, usize)>,
    lost: Vec<u16>,
    cond: Option<(Quantifier, CondExpr, Vec<Loc>)>,
) -> Program {
    let fx = Fix { nsyms: syms.len() as u16, ncode: code.len() as u16, ncores: cores.len() as u8 };
    let mut p = Program::empty(&name);
    p.symbols = syms.iter().zip(&inits).map(|(n, &v)| Symbol::new(n, fx.value(v))).collect();
    p.code = code.into_iter().map(|i| fx.instr(i)).collect();
    p.cores = cores
        .into_iter()
        .map(|(start, handler, regs, irq_enabled)| {
            let mut rs: Vec<(Reg, Value)> = Vec::new();
            for (r, v) in regs {
                if !rs.iter().any(|&(q, _)| q == r) {
                    rs.push((r, fx.value(v)));
                }
            }
            CoreSpec { start: start % fx.ncode, handler: handler.map(|h| h % fx.ncode), regs: rs, irq_enabled }
        })
        .collect();
    for (a, &r) in aliases.iter().zip(&alias_regs) {
        if p.reg_names.len() <= r as usize {
            p.reg_names.resize(r as usize + 1, String::new());
        }
        p.reg_names[r as usize] = a.to_string();
    }
    // Labels: some random ones (possibly at the end of the code), then one for
    // every target and entry point that lacks one.
    let mut used = std::collections::HashSet::new();
    let mut fresh = |k: usize| {
        let mut n = LABEL_POOL[k % LABEL_POOL.len()].to_string();
        let mut i = 0;
        while !used.insert(n.clone()) {
            i += 1;
            n = format!("{}{i}", LABEL_POOL[k % LABEL_POOL.len()]);
        }
        n
    };
    let mut ls: Vec<Label> = labels.iter().map(|&(pc, k)| Label { name: fresh(k), pc: pc % (fx.ncode + 1) }).collect();
    let mut needed: Vec<Pc> = p.code.iter().filter_map(Instr::target).collect();
    needed.extend(p.cores.iter().flat_map(|c| std::iter::once(c.start).chain(c.handler)));
    for (k, pc) in needed.into_iter().enumerate() {
        if !ls.iter().any(|l| l.pc == pc) {
            ls.push(Label { name: fresh(k), pc });
        }
    }
    ls.sort_by_key(|l| l.pc);
    p.labels = ls;
    p.lost_work = lost.into_iter().filter_map(|s| fx.sym(s)).collect();
    p.condition = cond.map(|(quant, e, locs)| Condition {
        quant,
        expr: fx.expr(e),
        locations: locs.into_iter().map(|l| fx.loc(l)).collect(),
        types: Vec::new(),
    });
    p
}

proptest! {
    // A fixed seed and no failure file: same cases on every run and machine, and a
    // test run writes nothing into the source tree (PROPTEST_RNG_SEED is ignored).
    #![proptest_config(ProptestConfig {
        cases: 2048,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x0a5e_7e57),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn print_then_parse_is_identity(p in program()) {
        prop_assert_eq!(p.validate(), Ok(()));
        let text = print(&p);
        let q = parse(&text, "x").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&q, &p, "text:\n{}", text);
        prop_assert_eq!(print(&q), text);
    }

    #[test]
    fn mutated_text_never_panics(p in program(), edits in proptest::collection::vec((any::<usize>(), any::<char>(), any::<bool>()), 1..6)) {
        let mut text: Vec<char> = print(&p).chars().collect();
        for (at, c, insert) in edits {
            let i = at % (text.len() + 1);
            if insert || i == text.len() {
                text.insert(i, c);
            } else {
                text.remove(i);
            }
        }
        let s: String = text.into_iter().collect();
        if let Err(e) = parse(&s, "m") {
            prop_assert!(e.line >= 1 && e.col >= 1);
        }
    }

    #[test]
    fn token_soup_never_panics(words in proptest::collection::vec(prop_oneof![
        Just("load"), Just("store.ex"), Just("cmpxchg"), Just("core"), Just("0"), Just("start"), Just("="),
        Just("sym"), Just("x"), Just("["), Just("]"), Just("("), Just(")"), Just("/\\"), Just("\\/"), Just("~"),
        Just("exists"), Just(":"), Just(","), Just("r1"), Just("\n"), Just("&"), Just("+"), Just("-"), Just(";"),
        Just("locations"), Just("name"), Just("\""), Just("alias"), Just("L:"), Just("jmp"), Just("L"),
        Just("0x"), Just("99999999999999999999"), Just("lost_work"), Just("_"), Just("true"),
    ], 0..40)) {
        let s = words.join(" ");
        let _ = parse(&s, "soup");
        let _ = parse(&words.concat(), "soup");
    }
}

/// Canonical texts: printing what they parse to gives them back unchanged.
const CANONICAL: &[&str] = &[
    "name sb
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1

P0:
    store [x], 1
    load r1, [y]
    halt
P1:
    store [y], 1
    load r1, [x]
    halt

exists (0:r1=0 /\\ 1:r1=0)
",
    "name \"irq work: busy xchg\"
alias FL = r3
sym flags = 0
sym work = 0
sym seen = 0
sym ptr = &work
core 0 start=main handler=irq r5=&flags
core 1 start=other FL=1 irq=off

main:
    fetch_or FL, [flags], 3
    bnz FL, done
    ipi self
spin:
    load.acq r1, [r5]
    beqz r1, done
    jmp spin
done:
    halt
irq:
    xchg.acquire r2, [flags], 0
    observe work, r2
    csel.ne r4, r2, 0, 1, 2
    iret
other:
    load r6, [ptr]
    store.rel.ex [r6+8], 1, r7
    cmpxchg _, [flags+r1-16], 0, FL
    fence.st
    isb
    call sub
    halt
sub:
    blt r1, -1, sub
    ret
end:

lost_work work, seen
locations [1:r6; work]
~exists (~0:r2=0 \\/ [flags]=ptr /\\ (true \\/ false))
",
];

#[test]
fn canonical_texts_print_unchanged() {
    for s in CANONICAL {
        let p = parse(s, "c.ucode").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(print(&p), *s);
    }
}

/// Every ```ucode block of docs/microcode.md assembles, and printing it
/// round-trips.
#[test]
fn documentation_examples_assemble() {
    let doc = include_str!("../../docs/microcode.md");
    let mut blocks = 0;
    let mut rest = doc;
    while let Some(i) = rest.find("```ucode\n") {
        let body = &rest[i + 9..];
        let end = body.find("```").expect("unterminated code block");
        let src = &body[..end];
        let p = parse(src, "doc.ucode").unwrap_or_else(|e| panic!("{e}\n{src}"));
        assert_eq!(parse(&print(&p), "doc.ucode"), Ok(p));
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks >= 2, "expected the documentation's examples");
    // The store-buffering example is followed by its printed form.
    let first = doc.find("```ucode\n").unwrap() + 9;
    let sb = parse(&doc[first..first + doc[first..].find("```").unwrap()], "doc.ucode").unwrap();
    let printed_at = doc.find("```\nname sb-demo\n").expect("printed example") + 4;
    let printed = &doc[printed_at..printed_at + doc[printed_at..].find("```").unwrap()];
    assert_eq!(print(&sb), printed);
}

#[test]
fn printer_invents_missing_labels() {
    let mut p = parse("core 0 start=a\na: nop\n    jmp a\n", "t").unwrap();
    p.labels.clear();
    p.code.push(Instr::Jmp { target: 1 });
    let text = print(&p);
    assert!(text.contains("core 0 start=L0\n\nL0:\n    nop\nL1:\n    jmp L0\n    jmp L1\n"), "{text}");
    let q = parse(&text, "t").unwrap();
    assert_eq!(q.code, p.code);
    assert_eq!(asm::instr_text(&q, &q.code[2]), "jmp L1");
}

#[test]
fn name_defaults_to_file_stem() {
    let p = parse("core 0 start=a\na: nop\n", "dir/sb+dmb.ucode").unwrap();
    assert_eq!(p.name, "sb+dmb");
    let p = parse("name MP+dmb.sy+addr ; herd-style\ncore 0 start=a\na: nop\n", "f").unwrap();
    assert_eq!(p.name, "MP+dmb.sy+addr");
}
