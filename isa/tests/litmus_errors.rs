//! Malformed litmus tests: each gives one exact `line:col: message`, and no
//! input makes the parser panic.

use isa::litmus::parse;
use std::path::PathBuf;

/// An AArch64 test up to its program header row; add rows and a condition.
const A: &str = "AArch64 T\n{ 0:X1=x; }\n P0 ;\n";
const X: &str = "X86 T\n{}\n P0 ;\n";

/// `input` fails with `expect` (`line:col: message`), and the full error
/// displays as `file:line:col: message`.
fn check(input: &str, expect: &str) {
    match parse(input, "bad.litmus") {
        Ok(_) => panic!("expected `{expect}`, but it parsed\n--- input:\n{input}"),
        Err(e) => {
            let got = format!("{}:{}: {}", e.line, e.col, e.msg);
            assert_eq!(got, expect, "\n--- input:\n{input}");
            assert_eq!(e.to_string(), format!("bad.litmus:{expect}"));
            let _: &dyn std::error::Error = &e;
        }
    }
}

fn a(rows: &str) -> String {
    format!("{A}{rows}")
}

fn x(rows: &str) -> String {
    format!("{X}{rows}")
}

// ---------------------------------------------------------------- header and preamble

#[test]
fn empty_file() {
    check("", "1:1: empty file");
    check("  \n\n\t\n", "1:1: empty file");
    check("(* only a comment *)\n", "1:1: empty file");
}

#[test]
fn missing_header() {
    check("{\n}\n P0 ;\n", "1:1: missing header line `ARCH NAME`");
}

#[test]
fn unknown_arch() {
    check("PPC T\n{}\n", "1:1: unknown arch `PPC` (expected X86, X86_64, AArch64 or C)");
}

#[test]
fn missing_test_name() {
    check("AArch64\n{}\n", "1:8: missing test name after `AArch64`");
}

#[test]
fn extra_text_on_header() {
    check("AArch64 T extra\n{}\n", "1:11: unexpected `extra` after the test name");
}

#[test]
fn c_is_unsupported() {
    check(
        "C foo\n{ x=0; }\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
        "1:1: unsupported arch C here (a Linux-kernel C litmus test is lowered through a mapping: see `litmus::parse_with`)",
    );
}

#[test]
fn unterminated_doc_string() {
    check("AArch64 T\n\"doc\n{}\n", "2:1: unterminated doc string");
}

#[test]
fn bad_metadata_line() {
    check("AArch64 T\nfoo bar {\n}\n", "2:1: expected `Key=Value` or the initial state `{`");
}

#[test]
fn stray_header_lines_are_skipped_as_herd_does() {
    let t = isa::litmus::parse("AArch64 T\nq\nvariant ASL\n{ 0:X1=x; }\n P0 ;\n LDR X0,[X1] ;\nexists (0:X0=0)\n", "t")
        .expect("herd skips text that is not `Key=Value` before the `{`");
    assert_eq!(t.program.cores.len(), 1);
}

#[test]
fn unterminated_comment() {
    check(&a(" NOP ; (* comment\nexists (x=0)\n"), "4:8: unterminated comment `(*`");
}

// ---------------------------------------------------------------- initial state

#[test]
fn missing_initial_state() {
    check("AArch64 T\n P0 ;\n NOP ;\nexists (x=0)\n", "2:2: missing initial state `{ ... }` before the program");
}

#[test]
fn unterminated_initial_state() {
    check("AArch64 T\n{ 0:X1=x;\n P0 ;\n NOP ;\nexists (x=0)\n", "2:1: unterminated initial state (missing `}`)");
}

#[test]
fn text_after_initial_state() {
    check(
        "AArch64 T\n{ 0:X1=x; } junk\n P0 ;\n NOP ;\nexists (x=0)\n",
        "2:13: unexpected `junk` after the initial state",
    );
}

#[test]
fn bad_register_in_initial_state() {
    check("AArch64 T\n{ 0:X99=x; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:5: bad register `X99`");
}

#[test]
fn initial_state_of_missing_thread() {
    check("AArch64 T\n{ 2:X1=x; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:3: no thread P2 (the test has 1 thread)");
}

#[test]
fn duplicate_initial_value() {
    check("AArch64 T\n{ x=1; x=2; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:8: duplicate initial value for `x`");
    check("AArch64 T\n{ 0:X1=x; 0:X1=y; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:11: duplicate initial value for `0:X1`");
}

#[test]
fn missing_semicolon_in_initial_state() {
    check("AArch64 T\n{ x=1 y=2 }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:7: missing `;` before `y=2`");
}

#[test]
fn unsupported_type() {
    check("AArch64 T\n{ float x; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:3: unsupported type `float`");
}

#[test]
fn bad_initial_value() {
    check("AArch64 T\n{ x=1+2; }\n P0 ;\n NOP ;\nexists (x=0)\n", "2:5: bad value `1+2`");
}

// ---------------------------------------------------------------- program layout

#[test]
fn missing_program() {
    check("AArch64 T\n{}\n", "2:3: missing program (expected `P0 | P1 ... ;`)");
}

#[test]
fn bad_thread_name() {
    check("AArch64 T\n{}\n P0 | P2 ;\n", "3:7: expected thread name `P1`, found `P2`");
}

#[test]
fn missing_semicolon_after_thread_names() {
    check("AArch64 T\n{}\n P0 | P1\n NOP | NOP ;\n", "3:9: missing `;` at the end of the row");
}

#[test]
fn missing_semicolon_at_end_of_row() {
    check(&a(" NOP\nexists (x=0)\n"), "4:5: missing `;` at the end of the row");
}

#[test]
fn too_few_columns() {
    check("AArch64 T\n{}\n P0 | P1 ;\n NOP ;\nexists (x=0)\n", "4:2: row has 1 column, but the program has 2 threads");
}

#[test]
fn too_many_columns() {
    check(&a(" NOP | NOP ;\nexists (x=0)\n"), "4:2: row has 2 columns, but the program has 1 thread");
}

#[test]
fn undefined_label() {
    check(&a(" B L ;\nexists (x=0)\n"), "4:4: undefined label `L` in P0");
}

#[test]
fn label_of_another_thread() {
    check("AArch64 T\n{}\n P0 | P1 ;\n CBZ W0,L | L: ;\nexists (x=0)\n", "4:9: undefined label `L` in P0");
}

#[test]
fn duplicate_label() {
    check(&a(" L: ;\n L: NOP ;\nexists (x=0)\n"), "5:2: duplicate label `L` in P0");
}

// ---------------------------------------------------------------- AArch64 instructions

#[test]
fn unknown_instruction() {
    check(&a(" FOO W0 ;\nexists (x=0)\n"), "4:2: unsupported instruction `FOO`");
    check(&a(" CASP W0,W1,[X1] ;\nexists (x=0)\n"), "4:2: unsupported instruction `CASP`");
    check(&a(" UDF #0 ;\nexists (x=0)\n"), "4:2: unsupported instruction `UDF`");
}

#[test]
fn bad_register() {
    check(&a(" LDR W40,[X1] ;\nexists (x=0)\n"), "4:6: bad register `W40`");
}

#[test]
fn register_expected() {
    check(&a(" MOV #1,W0 ;\nexists (x=0)\n"), "4:6: expected a register, found `#1`");
    check(&a(" STR W0,[x] ;\nexists (x=0)\n"), "4:10: expected a register, found `x`");
}

#[test]
fn unsupported_condition_code() {
    check(&a(" B.XY L ;\n L: ;\nexists (x=0)\n"), "4:4: unsupported condition code `XY`");
    check(&a(" CSEL W0,W1,W2,NV2 ;\nexists (x=0)\n"), "4:16: unsupported condition code `NV2`");
}

#[test]
fn wrong_operand_count() {
    check(&a(" LDR W0 ;\nexists (x=0)\n"), "4:2: `LDR` takes 2 to 3 operands, found 1");
    check(&a(" ADD W0,W1 ;\nexists (x=0)\n"), "4:2: `ADD` takes 3 to 4 operands, found 2");
    check(&a(" ADD W0,W1,W2,FOO #2 ;\nexists (x=0)\n"), "4:15: unsupported operand modifier `FOO #2`");
}

#[test]
fn missing_operand() {
    check(&a(" MOV W0,W1, ;\nexists (x=0)\n"), "4:12: missing operand in `MOV W0,W1,`");
}

#[test]
fn bad_immediate() {
    check(&a(" MOV W0,#abc ;\nexists (x=0)\n"), "4:9: bad immediate `#abc`");
}

#[test]
fn unsupported_addressing_modes() {
    check(&a(" LDR W0,[X1,X2]! ;\nexists (x=0)\n"), "4:9: unsupported addressing mode `[X1,X2]!`");
    check(&a(" LDR W0,[X1],#4,#4 ;\nexists (x=0)\n"), "4:2: `LDR` takes 2 to 3 operands, found 4");
    check(&a(" CAS W0,W1,[X1,#8] ;\nexists (x=0)\n"), "4:12: unsupported addressing mode `[X1,#8]` for `CAS`");
}

#[test]
fn unsupported_barrier_option() {
    check(&a(" DMB XYZ ;\nexists (x=0)\n"), "4:6: unsupported barrier option `XYZ`");
}

// ---------------------------------------------------------------- x86 instructions

#[test]
fn x86_bad_operand() {
    check(&x(" MOV [x],1 ;\nexists (x=0)\n"), "4:10: bad operand `1`");
    check("X86_64 T\n{}\n P0 ;\n movl $1,%foo ;\nexists (x=0)\n", "4:10: bad register `%foo`");
}

#[test]
fn x86_unsupported_width() {
    check("X86_64 T\n{}\n P0 ;\n movb $1,(x) ;\nexists (x=0)\n", "4:2: unsupported instruction `movb`");
}

#[test]
fn x86_xadd_needs_lock() {
    check(&x(" XADD [x],EAX ;\nexists (x=0)\n"), "4:2: unsupported `XADD` without `LOCK` (not atomic)");
}

#[test]
fn x86_lock_on_plain_mov() {
    check(&x(" LOCK MOV [x],$1 ;\nexists (x=0)\n"), "4:2: unsupported `LOCK` prefix on `MOV`");
}

#[test]
fn x86_memory_to_memory() {
    check(&x(" MOV [x],[y] ;\nexists (x=0)\n"), "4:2: unsupported memory-to-memory `MOV`");
}

#[test]
fn x86_branch_on_flags_not_from_cmp() {
    check(
        &x(" LOCK CMPXCHG [x],EBX ;\n JE L ;\n L: ;\nexists (x=0)\n"),
        "5:2: unsupported `JE` after `LOCK CMPXCHG` (only flags set by CMP are modelled)",
    );
    check(
        &x(" LOCK ADD [x],$1 ;\n L: CMP EAX,$1 ;\n JE L ;\nexists (x=0)\n"),
        "6:5: unsupported backward jump in a thread that branches on flags and uses `LOCK ADD` (only flags set by CMP are modelled)",
    );
}

// ---------------------------------------------------------------- conditions

#[test]
fn array_values_in_the_condition() {
    let t = |c: &str| format!("AArch64 T\n{{ int t[2]={{1,2}}; 0:X1=t; }}\n P0 ;\n NOP ;\nforall {c}\n");
    check(&t("t={1}"), "5:8: `t` has more than the 1 values given");
    check(&t("t={1,2,3}"), "5:8: too many values for array `t`");
    check(&t("t={1;2}"), "5:12: expected `,` or `}`, found `;`");
}

#[test]
fn unknown_quantifier() {
    check(&a(" NOP ;\nexist (x=0)\n"), "5:1: expected `exists`, `~exists` or `forall`, found `exist`");
}

#[test]
fn bad_condition_syntax() {
    check(&a(" NOP ;\nexists (0:X0=)\n"), "5:14: expected a value after `=`, found `)`");
    check(&a(" NOP ;\nexists (0:X0==1)\n"), "5:14: expected a value after `=`, found `=`");
    check(&a(" NOP ;\nexists (x=1 /\\ )\n"), "5:16: expected a condition, found `)`");
    check(&a(" NOP ;\nexists (x=1 \\ y=1)\n"), "5:13: unexpected character `\\` in the condition");
    check(&a(" NOP ;\nexists (0:X0=1+2)\n"), "5:15: unexpected character `+` in the condition");
    check(&a(" NOP ;\nexists (x 1)\n"), "5:11: expected `=`, found `1`");
}

#[test]
fn unbalanced_parentheses() {
    check(&a(" NOP ;\nexists (0:X0=1\n"), "5:8: unbalanced parentheses: this `(` is never closed");
    check(&a(" NOP ;\nexists (0:X0=1))\n"), "5:16: unbalanced parentheses: unexpected `)`");
    check(&a(" NOP ;\nexists ((x=1) y=2)\n"), "5:15: expected `)`, `/\\` or `\\/`, found `y`");
}

#[test]
fn trailing_text_after_condition() {
    check(&a(" NOP ;\nexists (x=0) foo\n"), "5:14: unexpected `foo` after the condition");
}

#[test]
fn condition_names_missing_thread() {
    check(&a(" NOP ;\nexists (3:X0=1)\n"), "5:9: no thread P3 (the test has 1 thread)");
}

#[test]
fn condition_bad_register() {
    check(&a(" NOP ;\nexists (0:FOO=1)\n"), "5:11: bad register `FOO`");
    check("X86 T\n{}\n P0 ;\n MFENCE ;\nexists (0:X0=1)\n", "5:11: bad register `X0`");
}

#[test]
fn unterminated_locations() {
    check(&a(" NOP ;\nlocations [x;\n"), "5:1: unterminated `locations [` (missing `]`)");
}

#[test]
fn unsupported_filter() {
    check(&a(" NOP ;\nfilter (x=0)\nexists (x=0)\n"), "5:1: unsupported `filter` clause");
}

// ---------------------------------------------------------------- robustness

/// `../shared/litmus`: the test fails here, with this message, when it is missing.
fn litmus_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        p.is_dir(),
        "{}: the shared litmus corpus is missing: the tests read ../shared/litmus next to the project (see README)",
        p.display()
    );
    p
}

/// Truncations and single-character deletions or insertions of every corpus
/// file never make the parser panic.
#[test]
fn never_panics_on_mutated_corpus() {
    let tsv = std::fs::read_to_string(litmus_dir().join("verdicts.tsv")).expect("read verdicts.tsv");
    let mut files: Vec<&str> = tsv.lines().skip(1).filter_map(|l| l.split('\t').next()).collect();
    files.dedup();
    assert!(files.len() >= 230, "only {} files listed in verdicts.tsv", files.len());
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rand = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let inserts = ['(', ')', '*', ';', '|', '[', ']', '{', '}', '"', ':', '=', '~', '\\', '/', ',', '#', 'é', '\n'];
    let mut runs = 0;
    for f in files {
        let src = std::fs::read_to_string(litmus_dir().join(f)).expect("read litmus file");
        let chars: Vec<char> = src.chars().collect();
        for _ in 0..40 {
            let at = rand(chars.len());
            let mutated: String = match rand(3) {
                0 => chars[..at].iter().collect(),
                1 => chars[..at].iter().chain(chars.get(at + 1..).unwrap_or(&[])).collect(),
                _ => {
                    let c = inserts[rand(inserts.len())];
                    chars[..at].iter().chain(std::iter::once(&c)).chain(&chars[at..]).collect()
                }
            };
            let _ = parse(&mutated, f);
            runs += 1;
        }
    }
    println!("{runs} mutated inputs parsed without panicking");
}

/// Found by fuzzing: a register name used as a location (missing its thread)
/// used to import, then clash with the register's alias when printed.
#[test]
fn register_names_are_not_locations() {
    let src = "AArch64 t\n{\n0:X1=x; X1=y;\n}\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=1)\n";
    let e = isa::litmus::parse(src, "t.litmus").unwrap_err();
    assert_eq!(e.to_string(), "t.litmus:3:9: `X1` is a register: give its thread, as in 0:X1");
    let src = "X86 t\n{ tmp=1; }\n P0 ;\n MOV EAX,[tmp] ;\nexists (0:EAX=1)\n";
    let e = isa::litmus::parse(src, "t.litmus").unwrap_err();
    assert_eq!(e.to_string(), "t.litmus:2:3: location name `tmp` is reserved");
    // Found by fuzzing: microcode register names (`r1`) cannot name memory either.
    let src = "AArch64 t\n{\n0:X1=x; r1=2;\n}\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=1)\n";
    let e = isa::litmus::parse(src, "t.litmus").unwrap_err();
    assert_eq!(e.to_string(), "t.litmus:3:9: location name `r1` is reserved");
}

/// Found by fuzzing the condition parser: in x86 code a bare register name in
/// the condition (`EAX=1`) is the register without its thread, not a location
/// (it used to import as a location and then clash with the register's alias).
#[test]
fn x86_register_names_in_the_condition_are_not_locations() {
    let head = "X86 t\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\n";
    for (cond, col, reg) in
        [("exists (X=RI0 /\\ EAX=1)", 18, "EAX"), ("exists ([eax]=1)", 10, "eax"), ("locations [RBX;]", 12, "RBX")]
    {
        let e = isa::litmus::parse(&format!("{head}{cond}\n"), "t.litmus").unwrap_err();
        assert_eq!(e.to_string(), format!("t.litmus:5:{col}: `{reg}` is a register: give its thread, as in 0:{reg}"));
    }
    // Names that are not x86 registers stay locations.
    let t = isa::litmus::parse(&format!("{head}exists (0:EAX=1 /\\ RI0=0 /\\ X=0)\n"), "t.litmus").unwrap();
    assert!(t.program.sym_by_name("RI0").is_some() && t.program.sym_by_name("X").is_some());
}

/// An AArch64 location named like a register (`x1` beside the register `X1`,
/// as herd's `S-STXR-success` has) stays a location, and the imported test
/// prints as .ucode that assembles back to the same code (the register is
/// printed without its clashing alias).
#[test]
fn aarch64_locations_named_like_registers_print_and_reassemble() {
    let src = "AArch64 t\n{\n0:X1=x1; 1:X2=x1;\n}\n P0 | P1 ;\n LDR W0,[X1] | MOV W0,#2 ;\n | STR W0,[X2] ;\nexists (0:X0=2 /\\ x1=2)\n";
    let t = isa::litmus::parse(src, "t.litmus").unwrap();
    assert!(t.program.sym_by_name("x1").is_some());
    let printed = isa::asm::print(&t.program);
    let back = isa::asm::parse(&printed, "back.ucode").unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(back.code, t.program.code);
    assert_eq!(back.condition.map(|c| c.expr), t.program.condition.map(|c| c.expr));
}

#[test]
fn catalogue_constructs_refused_as_unsupported() {
    // System registers (herd's NV2 tests), instructions as values, `%name`
    // symbolic registers and Morello capability registers: named, not "bad".
    check(
        "AArch64 T\n{ 0:VNCR_EL2=x; }\n P0 ;\n NOP ;\nexists (x=0)\n",
        "2:5: unsupported system register `VNCR_EL2` (system registers are not modelled)",
    );
    check(
        "AArch64 T\n{ 0:X0=instr:\"B .+8\"; }\n P0 ;\n NOP ;\nexists (x=0)\n",
        "2:8: unsupported instruction as a value `instr:\"B .+8\"` (code that reads or writes instructions is not modelled)",
    );
    check(
        "AArch64 T\n{ uint64_t %r = x; }\n P0 ;\n NOP ;\nexists (x=0)\n",
        "2:12: unsupported symbolic register `%r` (herd7's `%name` registers)",
    );
    check(
        &a(" STR WZR,[C1] ;\nexists (x=0)\n"),
        "4:11: unsupported capability register `C1` (Morello is not modelled)",
    );
}
