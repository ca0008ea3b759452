//! Malformed `.ucode` inputs and the exact `line:col: message` each produces.

use isa::asm::parse;

/// Parses `input` as `t.ucode` and checks the error is `t.ucode:<expected>`.
fn check(input: &str, expected: &str) {
    match parse(input, "t.ucode") {
        Ok(p) => panic!("expected error {expected:?}, but this parsed:\n{input}\n{p:?}"),
        Err(e) => assert_eq!(e.to_string(), format!("t.ucode:{expected}"), "input:\n{input}"),
    }
}

/// A valid prelude (two symbols, one core at label `a`) followed by `body`.
fn with_prelude(body: &str) -> String {
    format!("sym x = 0\nsym p = &x\ncore 0 start=a\na:  nop\n{body}")
}

const CASES: &[(&str, &str)] = &[
    // Registers, mnemonics, suffixes.
    ("load r40, [x]\n", "5:6: unknown register r40 (registers are r0..r31)"),
    ("mov r01, 1\n", "5:5: unknown register r01 (registers are r0..r31)"),
    ("lod r1, [x]\n", "5:1: unknown mnemonic 'lod' (did you mean 'load'?)"),
    ("smp_wbm\n", "5:1: unknown mnemonic 'smp_wbm' (did you mean 'smp_wmb'?)"),
    ("frobnicate r1\n", "5:1: unknown mnemonic 'frobnicate'"),
    ("load.acq.acqpc r1, [x]\n", "5:9: suffix '.acqpc' conflicts with '.acq'"),
    ("load.ex.ex r1, [x]\n", "5:8: duplicate suffix '.ex'"),
    ("load.rel r1, [x]\n", "5:5: unknown suffix '.rel' for 'load' (valid: .acq/.acquire, .acqpc, .ex, .b, .h, .w)"),
    ("fence.isb\n", "5:6: unknown suffix '.isb' for 'fence' (valid: .ld, .st, .sa)"),
    ("store.rl [x], 1\n", "5:6: unknown suffix '.rl' for 'store' (did you mean '.rel'? valid: .rel/.release, .ex, .b, .h, .w)"),
    (
        "xchg.aquire r1, [x], 1\n",
        "5:5: unknown suffix '.aquire' for 'xchg' (did you mean '.acquire'? valid: .relaxed, .acq/.acquire, .rel/.release, .full, .b, .h, .w)",
    ),
    ("load.acq.acquire r1, [x]\n", "5:9: duplicate suffix '.acquire'"),
    ("smp_load_acquire.acq r1, [x]\n", "5:17: duplicate suffix '.acq' (implied by 'smp_load_acquire')"),
    ("smp_wmb.ld\n", "5:8: suffix '.ld' conflicts with '.st' (implied by 'smp_wmb')"),
    ("mov.acq r1, 1\n", "5:4: 'mov' takes no suffix (found '.acq')"),
    ("csel r1, 1, 2, 3, 4\n", "5:1: csel needs a condition suffix: csel.eq, csel.ne, csel.lt, csel.ge or csel.nzcv"),
    // Operands and punctuation.
    ("mov r1 2\n", "5:8: expected ',' after destination register"),
    ("add r1, r2\n", "5:11: expected ',' after operand"),
    ("xchg r1, [x]\n", "5:13: expected ',' after address"),
    ("cmpxchg r1, [x], 1\n", "5:19: expected ',' after expected value"),
    ("mov r1, x\n", "5:9: 'x' is a symbol: write &x for its address or [x] for its contents"),
    ("mov r1, 18446744073709551616\n", "5:9: number too large: '18446744073709551616' does not fit in 64 bits"),
    ("mov r1, 0x\n", "5:9: invalid number '0x'"),
    ("store [x], r1, r2\n", "5:14: only store.ex takes a status register"),
    ("store.ex [x], r1\n", "5:17: expected ',' after operand (store.ex needs a status register)"),
    ("load r1, x\n", "5:10: expected an address ([sym] or [reg]), found 'x'"),
    ("load r1, [y]\n", "5:11: undefined symbol 'y'"),
    ("load r1, [r2+x]\n", "5:14: expected an index register or an offset after '+', found 'x'"),
    ("load r1, [x-r2]\n", "5:13: expected a number after '-', found 'r2'"),
    ("load r1, [x+9223372036854775808]\n", "5:13: offset out of range (64-bit signed)"),
    ("load r1, [x\n", "5:12: expected '+', '-' or ']' in the address, found end of line"),
    ("nop r1   ; trailing comment\n", "5:5: expected end of line, found 'r1'"),
    ("nop @\n", "5:5: unexpected character '@'"),
    ("ipi\n", "5:4: expected 'self' or an operand after 'ipi', found end of line"),
    ("observe r1, r1\n", "5:9: undefined symbol 'r1'"),
    // Labels.
    ("jmp foo\n", "5:5: undefined label 'foo'"),
    ("beq r1, r2, 5\n", "5:13: expected a label, found '5'"),
    ("a: nop\n", "5:1: duplicate label 'a' (first defined on line 4)"),
    ("jmp end\nend:\n", "5:5: label 'end' is at the end of the code, not at an instruction"),
    ("5\n", "5:1: expected an instruction, a directive or a label, found '5'"),
    // Symbols and aliases.
    ("sym x = 1\n", "5:5: duplicate symbol 'x' (first declared on line 1)"),
    ("sym r3 = 0\n", "5:5: symbol name 'r3' is a register name"),
    ("sym z = y\n", "5:9: expected a number, -number or &symbol, found 'y'"),
    ("sym z 5\n", "5:7: expected '=' after the symbol name, found '5'"),
    ("alias r5 = r1\n", "5:7: alias 'r5' looks like a register name"),
    ("alias self = r1\n", "5:7: 'self' is reserved and cannot be an alias"),
    ("alias X = r1\n", "5:7: alias 'X' clashes with symbol 'x'"),
    ("alias A = r1\nalias B = r1\n", "6:11: register r1 already has the alias 'A'"),
    ("alias A = r1\nalias a = r2\n", "6:7: duplicate alias 'a'"),
    ("alias A = r32\n", "5:11: unknown register r32 (registers are r0..r31)"),
    // Cores.
    ("core 2 start=a\n", "5:6: core 2 declared but core 1 is missing"),
    ("core 64 start=a\n", "5:6: core 64 is out of range (at most 64 cores, numbered 0..63)"),
    ("core 0 start=a\n", "5:6: core 0 declared twice (first on line 3)"),
    ("core 1\n", "5:1: core 1 has no start= label"),
    ("core 1 start=a foo=1\n", "5:16: unknown core attribute 'foo' (expected start=, handler=, irq= or a register)"),
    ("core 1 start=a irq=maybe\n", "5:20: expected 'on' or 'off' after 'irq=', found 'maybe'"),
    ("core 1 start=a r1=1 r1=2\n", "5:21: register r1 initialised twice for core 1"),
    ("core 1 start=a start=a\n", "5:16: duplicate start= for core 1"),
    ("core 1 start=nowhere\n", "5:14: undefined label 'nowhere'"),
    ("core 1 start a\n", "5:14: expected '=' after 'start', found 'a'"),
    // Directives.
    ("name a b\n", "5:8: expected end of line after the program name"),
    ("name \"abc\n", "5:6: unterminated string"),
    ("name \"a\\qb\"\n", "5:6: invalid escape '\\q' in string"),
    ("name a\nname b\n", "6:1: duplicate name directive (first on line 5)"),
    ("lost_work\n", "5:10: expected a symbol name, found end of line"),
    ("lost_work x\nlost_work p\n", "6:1: duplicate lost_work directive (first on line 5)"),
    // Conditions.
    ("exists (x=1\n", "5:8: unbalanced parenthesis in condition"),
    ("exists (x=1))\n", "5:13: unbalanced parenthesis in condition"),
    ("exists ((x=1 /\\\n   p=0)\nhalt\n", "5:8: unbalanced parenthesis in condition"),
    ("exists (x=1 /\\\n  p=2\ncore 1 start=a\n", "5:8: unbalanced parenthesis in condition"),
    ("exists (0:r1=0 0:r2=1)\n", "5:16: expected '/\\', '\\/' or ')' in condition, found '0'"),
    ("exists 0:r1\n", "5:12: expected '=' or '!=' after the location, found end of line"),
    ("exists (1:r1=0)\n", "5:9: core 1 does not exist (the program declares 1 core)"),
    ("exists (0:r99=0)\n", "5:9: unknown register r99 (registers are r0..r31)"),
    ("exists (0:r1=q)\n", "5:14: undefined symbol 'q'"),
    ("exists (0 r1=0)\n", "5:11: expected ':' after the core number (as in 0:r1), found 'r1'"),
    ("exists (x=1)\nforall (true)\n", "6:1: duplicate condition (first on line 5)"),
    ("~ 5\n", "5:3: expected 'exists' after '~', found '5'"),
    ("locations [0:r1]\n", "5:1: locations given without a condition"),
    ("exists (true)\nlocations [x]\n", "6:1: locations must come before the condition"),
    ("locations [x y]\nexists (true)\n", "5:14: expected ';' or ']' in the locations list, found 'y'"),
];

#[test]
fn malformed_inputs_report_exact_positions() {
    // Report every mismatch at once.
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(body, expected)| {
            let got = match parse(&with_prelude(body), "t.ucode") {
                Ok(_) => "parsed without error".to_string(),
                Err(e) => e.to_string(),
            };
            let want = format!("t.ucode:{expected}");
            (got != want).then(|| format!("{body:?}\n   got: {got}\n  want: {want}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn whole_file_errors() {
    check("", "1:1: empty program (no instructions)");
    check("; only a comment\ncore 0 start=a\n", "1:1: empty program (no instructions)");
    check("a: nop\n", "1:1: no core declared (add a line like 'core 0 start=<label>')");
    check("core 0 start=a\na:\n", "1:1: empty program (no instructions)");
    // Tabs count as one column.
    check("core 0 start=a\na:\tload\tr1,\t[y]\n", "2:14: undefined symbol 'y'");
    // Columns count characters, not bytes.
    check("name é\ncore 0 start=a\na: nop é\n", "3:8: unexpected character 'é'");
    // Windows line endings.
    check("core 0 start=a\r\na: mov r1 2\r\n", "2:11: expected ',' after destination register");
    check("core 0 start=a\r\na: mov r1\r\n", "2:10: expected ',' after destination register");
}

#[test]
fn size_limits() {
    let mut src = String::from("core 0 start=a\na:\n");
    src.push_str(&"    nop\n".repeat(65535));
    assert_eq!(parse(&src, "t.ucode").map(|p| p.code.len()), Ok(65535));
    src.push_str("    halt\n");
    check(&src, "65538:5: too many instructions (at most 65535)");

    let mut src = String::from("core 0 start=a\na: nop\n");
    for i in 0..65536 {
        src.push_str(&format!("sym s{i} = {i}\n"));
    }
    assert_eq!(parse(&src, "t.ucode").map(|p| p.symbols.len()), Ok(65536));
    src.push_str("sym one_too_many\n");
    check(&src, "65539:5: too many symbols (at most 65536)");
}

#[test]
fn there_are_enough_cases() {
    assert!(CASES.len() >= 25);
}
