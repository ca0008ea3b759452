//! What a kernel developer wrote in `.ucode` and was refused or misled by
//! (issue 17): `!=` and register-to-register conditions, negative numbers, and
//! a core that can run past the end of its code, caught when assembling.

use isa::asm::{assemble, parse, print};
use isa::cond::{condition_text, CondExpr, Loc};
use isa::instr::{Instr, Operand};
use isa::program::Value;

const TWO_CORES: &str = "sym x = 0\ncore 0 start=a\ncore 1 start=b\na:\n    load r3, [x]\n    load r4, [x]\n    halt\nb:\n    store [x], 1\n    halt\n";

#[test]
fn not_equal_and_register_to_register_conditions() {
    let p = parse(&format!("{TWO_CORES}exists (0:r3 != 0:r4)\n"), "t.ucode").unwrap();
    let c = p.condition.as_ref().unwrap();
    let r = |reg| Loc::Reg { core: 0, reg };
    assert_eq!(c.expr, CondExpr::Not(Box::new(CondExpr::EqLoc(r(3), r(4)))));
    // The printed form reads back as the same program.
    assert_eq!(parse(&print(&p), "t.ucode"), Ok(p.clone()));
    assert_eq!(condition_text(&p, c), "exists (~0:r3=0:r4)");

    let p = parse(&format!("{TWO_CORES}exists (0:r3 = 0:r4 /\\ 0:r3 != 1 /\\ x = [x])\n"), "t.ucode").unwrap();
    let CondExpr::And(v) = &p.condition.as_ref().unwrap().expr else { panic!() };
    assert_eq!(v[0], CondExpr::EqLoc(r(3), r(4)));
    assert_eq!(v[1], CondExpr::Not(Box::new(CondExpr::Eq(r(3), Value::Num(1)))));
    assert_eq!(v[2], CondExpr::EqLoc(Loc::Mem(0), Loc::Mem(0)));
    assert_eq!(parse(&print(&p), "t.ucode"), Ok(p.clone()));
    // Evaluation: r3=1, r4=0 satisfies `0:r3 != 0:r4`.
    let p = parse(&format!("{TWO_CORES}exists (0:r3 != 0:r4)\n"), "t.ucode").unwrap();
    let get = |l: Loc| match l {
        Loc::Reg { reg: 3, .. } => 1,
        _ => 0,
    };
    assert!(p.condition.as_ref().unwrap().holds(&p, &get));
    assert!(!p.condition.as_ref().unwrap().holds(&p, &|_| 7));

    // A lone '!' is an error with a hint.
    let e = parse(&format!("{TWO_CORES}exists (0:r3 ! 1)\n"), "t.ucode").unwrap_err();
    assert_eq!(e.to_string(), "t.ucode:11:14: unexpected character '!' (did you mean '!=' or '~'?)");
}

#[test]
fn negative_numbers_everywhere() {
    let src = "sym x = -2\ncore 0 start=P1 r1=-1\nP1:\n    mov r2, -5\n    add r3, r1, -1\n    beq r1, -1, out\n    store [x], -9223372036854775808\nout:\n    halt\nexists (0:r1=-1 /\\ x=-2)\n";
    let p = parse(src, "t.ucode").unwrap();
    assert_eq!(p.symbols[0].init, Value::Num(-2i64 as u64));
    assert_eq!(p.cores[0].regs, vec![(1, Value::Num(u64::MAX))]);
    assert!(matches!(p.code[0], Instr::Mov { src: Operand::Imm(n), .. } if n == -5i64 as u64));
    // Printed signed, as written, and read back the same.
    let text = print(&p);
    for want in [
        "sym x = -2",
        "r1=-1",
        "mov r2, -5",
        "beq r1, -1, out",
        "[x], -9223372036854775808",
        "exists (0:r1=-1 /\\ [x]=-2)",
    ] {
        assert!(text.contains(want), "{want} in:\n{text}");
    }
    assert_eq!(parse(&text, "t.ucode"), Ok(p.clone()));
    // The final value of a location compared with a negative number prints signed.
    let c = p.condition.as_ref().unwrap();
    assert_eq!(c.loc_type(Loc::Reg { core: 0, reg: 1 }).text(u64::MAX), "-1");

    let e = parse("core 0 start=a r1=-18446744073709551615\na: halt\n", "t.ucode").unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.ucode:1:19: -18446744073709551615 is out of range (the smallest number is -9223372036854775808)"
    );
    let e = parse("core 0 start=a r1=-x\na: halt\n", "t.ucode").unwrap_err();
    assert_eq!(e.to_string(), "t.ucode:1:20: expected a number after '-', found 'x'");
}

#[test]
fn running_past_the_end_is_caught_when_assembling() {
    // A branch that falls through at the end.
    let src = "sym x = 0\ncore 0 start=retry\nretry:\n    load r1, [x]\n    bnz r1, retry\n";
    let e = assemble(src, "t.ucode").unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.ucode:5:5: core 0 can run past the end of the code after 'bnz r1, retry' (the last instruction): \
         end its path with halt, jmp, ret or iret"
    );
    // A handler without iret.
    let src = "core 0 start=m handler=h\nm:\n    halt\nh:\n    nop\n";
    let e = assemble(src, "t.ucode").unwrap_err();
    assert!(e.to_string().starts_with("t.ucode:5:5: core 0 can run past the end"), "{e}");
    // Core 0 falls into core 1's code, which halts: fine; so is an endless loop,
    // and a call that returns before a halt.
    for ok in [
        "core 0 start=a\ncore 1 start=b\na:\n    nop\nb:\n    halt\n",
        "core 0 start=a\na:\n    jmp a\n",
        "core 0 start=a\na:\n    call f\n    halt\nf:\n    ret\n",
        "core 0 start=a handler=h\na:\n    halt\nh:\n    iret\n",
    ] {
        assemble(ok, "t.ucode").unwrap_or_else(|e| panic!("{e}\n{ok}"));
    }
    // parse (the library's lenient form) still accepts such a program.
    assert!(parse("core 0 start=a\na:\n    nop\n", "t.ucode").is_ok());
    // Every example and the docs' programs pass.
    for f in ["../examples/sb.ucode", "../examples/sb-fenced.ucode", "../examples/mp-irq.ucode"] {
        let text = std::fs::read_to_string(f).unwrap();
        assemble(&text, f).unwrap_or_else(|e| panic!("{e}"));
    }
}
