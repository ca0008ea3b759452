//! herd-style conditions: structure, precedence, resolution and reuse with a
//! custom resolver.

use isa::asm::{parse, parse_condition, parse_condition_with, CondResolver, LocName, ResolveError, ValueName};
use isa::cond::{condition_text, expr_text};
use isa::*;

/// Two cores, symbols `x` (#0) and `y` (#1), alias `EAX` for r0.
fn program() -> Program {
    parse("alias EAX = r0\nsym x = 0\nsym y = 0\ncore 0 start=a\ncore 1 start=a\na: nop\n", "p.ucode").unwrap()
}

/// Parses `src` against [`program`] and compares with `expected`; the printed
/// form must parse back to the same condition.
fn check(src: &str, expected: Condition) {
    let p = program();
    let c = parse_condition(src, &p, "c").unwrap_or_else(|e| panic!("{src}: {e}"));
    assert_eq!(c, expected, "{src}");
    let locs: Vec<String> = c.locations.iter().map(|&l| isa::cond::loc_name(&p, l)).collect();
    let text = format!("locations [{}]\n{}", locs.join("; "), condition_text(&p, &c));
    assert_eq!(parse_condition(&text, &p, "c"), Ok(c), "{text}");
}

fn reg(core: u8, reg: Reg, v: u64) -> CondExpr {
    CondExpr::Eq(Loc::Reg { core, reg }, Value::Num(v))
}
fn mem(s: SymId, v: u64) -> CondExpr {
    CondExpr::Eq(Loc::Mem(s), Value::Num(v))
}
fn exists(expr: CondExpr) -> Condition {
    Condition { quant: Quantifier::Exists, expr, locations: vec![], types: vec![] }
}
fn not(e: CondExpr) -> CondExpr {
    CondExpr::Not(Box::new(e))
}

#[test]
fn atoms_and_quantifiers() {
    check("exists (0:r1=0)", exists(reg(0, 1, 0)));
    check("exists 0:r1=0", exists(reg(0, 1, 0)));
    check("exists (1:EAX=0x10)", exists(reg(1, 0, 16)));
    check("exists (1:eax=1)", exists(reg(1, 0, 1)));
    check("exists (x=1)", exists(mem(0, 1)));
    check("exists ([y]=2)", exists(mem(1, 2)));
    check("exists (0:r2=y)", exists(CondExpr::Eq(Loc::Reg { core: 0, reg: 2 }, Value::Addr(1))));
    check("exists (x=&y)", exists(CondExpr::Eq(Loc::Mem(0), Value::Addr(1))));
    check("exists (x=-1)", exists(mem(0, u64::MAX)));
    check("exists (true)", exists(CondExpr::True));
    check("exists (FALSE)", exists(CondExpr::False));
    check("~exists (x=1)", Condition { quant: Quantifier::NotExists, ..exists(mem(0, 1)) });
    check("~ exists (x=1)", Condition { quant: Quantifier::NotExists, ..exists(mem(0, 1)) });
    check("forall (x=1)", Condition { quant: Quantifier::Forall, ..exists(mem(0, 1)) });
}

#[test]
fn precedence_and_grouping() {
    let (a, b, c) = (reg(0, 1, 0), reg(1, 1, 0), mem(0, 1));
    check("exists (0:r1=0 /\\ 1:r1=0 /\\ x=1)", exists(CondExpr::And(vec![a.clone(), b.clone(), c.clone()])));
    check(
        "exists (0:r1=0 /\\ 1:r1=0 \\/ x=1)",
        exists(CondExpr::Or(vec![CondExpr::And(vec![a.clone(), b.clone()]), c.clone()])),
    );
    check(
        "exists (0:r1=0 \\/ 1:r1=0 /\\ x=1)",
        exists(CondExpr::Or(vec![a.clone(), CondExpr::And(vec![b.clone(), c.clone()])])),
    );
    // A parenthesised group is not flattened into its parent.
    check(
        "exists (0:r1=0 /\\ (1:r1=0 /\\ x=1))",
        exists(CondExpr::And(vec![a.clone(), CondExpr::And(vec![b.clone(), c.clone()])])),
    );
    check("exists (((0:r1=0)))", exists(a.clone()));
    check("exists (~0:r1=0 /\\ ~~x=1)", exists(CondExpr::And(vec![not(a.clone()), not(not(c.clone()))])));
    check("exists (~(0:r1=0 \\/ x=1))", exists(not(CondExpr::Or(vec![a.clone(), c.clone()]))));
    // Newlines are insignificant in a stand-alone condition.
    check("exists\n(0:r1=0\n/\\\n1:r1=0)\n", exists(CondExpr::And(vec![a, b])));
}

#[test]
fn locations() {
    let c = Condition {
        quant: Quantifier::Exists,
        expr: mem(0, 1),
        locations: vec![Loc::Reg { core: 0, reg: 1 }, Loc::Mem(1), Loc::Mem(0)],
        types: vec![],
    };
    check("locations [0:r1; y; [x];] exists (x=1)", c.clone());
    check("locations [0:r1, y, [x]]\nexists (x=1)", c);
}

#[test]
fn printer_agrees_with_parser() {
    let p = program();
    let e = CondExpr::Or(vec![
        CondExpr::And(vec![reg(0, 1, 0), CondExpr::And(vec![mem(0, 1), mem(1, 1)])]),
        CondExpr::Or(vec![not(CondExpr::True), CondExpr::False]),
    ]);
    assert_eq!(expr_text(&p, &e), "0:r1=0 /\\ ([x]=1 /\\ [y]=1) \\/ (~true \\/ false)");
    let c = exists(e);
    assert_eq!(parse_condition(&condition_text(&p, &c), &p, "c"), Ok(c));
}

#[test]
fn errors() {
    let p = program();
    let err = |s: &str| parse_condition(s, &p, "c").unwrap_err().to_string();
    assert_eq!(err("exists (2:r1=0)"), "c:1:9: core 2 does not exist (the program declares 2 cores)");
    assert_eq!(err("exists (x=1"), "c:1:8: unbalanced parenthesis in condition");
    assert_eq!(err("exists (x=1))"), "c:1:13: unbalanced parenthesis in condition");
    assert_eq!(err("exists (z=1)"), "c:1:9: undefined symbol 'z'");
    assert_eq!(err("(x=1)"), "c:1:1: expected 'exists', '~exists' or 'forall', found '('");
    assert_eq!(err("exists (x=1) y"), "c:1:14: expected '/\\', '\\/' or the end of the condition, found 'y'");
    assert_eq!(err("exists (x=1 /\\ )"), "c:1:16: unbalanced parenthesis in condition");
    assert_eq!(err("exists (x=-18446744073709551615)"), "c:1:11: value -18446744073709551615 is out of range");
    let deep = format!("exists {}x=1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(err(&deep).contains("condition nested too deeply"));
    let nots = format!("exists {}x=1", "~".repeat(5000));
    assert!(err(&nots).contains("condition nested too deeply"));
}

/// A herd-like resolver: X86 register names, symbols by table.
struct Herd {
    syms: Vec<&'static str>,
}

impl CondResolver for Herd {
    fn loc(&mut self, loc: LocName<'_>) -> Result<Loc, ResolveError> {
        match loc {
            LocName::Reg { core, reg } => {
                let r = ["EAX", "EBX", "ECX"]
                    .iter()
                    .position(|n| *n == reg)
                    .ok_or(ResolveError::NoRegister { name: reg.to_string() })?;
                Ok(Loc::Reg { core: core as u8, reg: r as Reg })
            }
            LocName::Mem { name, .. } => self.sym(name).map(Loc::Mem),
        }
    }
    fn value(&mut self, v: ValueName<'_>) -> Result<Value, ResolveError> {
        match v {
            ValueName::Num(n) => Ok(Value::Num(n)),
            ValueName::Neg(n) => Ok(Value::Num(n.wrapping_neg())),
            ValueName::Sym(s) => self.sym(s).map(Value::Addr),
        }
    }
}

impl Herd {
    fn sym(&self, name: &str) -> Result<SymId, ResolveError> {
        self.syms
            .iter()
            .position(|s| *s == name)
            .map(|i| i as SymId)
            .ok_or(ResolveError::UnknownLocation { name: name.to_string() })
    }
}

#[test]
fn custom_resolver_and_line_offset() {
    let mut h = Herd { syms: vec!["x", "y"] };
    let c = parse_condition_with("exists\n(0:EAX=0 /\\ 1:EBX=y /\\ [x]=1)", "t.litmus", 10, &mut h).unwrap();
    assert_eq!(
        c.expr,
        CondExpr::And(vec![reg(0, 0, 0), CondExpr::Eq(Loc::Reg { core: 1, reg: 1 }, Value::Addr(1)), mem(0, 1),])
    );
    let e = parse_condition_with("exists\n(0:EAX=0 /\\\n 1:EDX=0)", "t.litmus", 10, &mut h).unwrap_err();
    assert_eq!(e.to_string(), "t.litmus:12:2: no register EDX");
    let e = parse_condition_with("exists (z=0)", "t.litmus", 7, &mut h).unwrap_err();
    assert_eq!((e.line, e.col, e.msg.as_str()), (7, 9, "unknown location z"));
}
