//! Hostile and malformed inputs, as a user sees them: every case exits 2 with
//! a one-line message naming the problem and its position, and never panics.

use assert_cmd::Command;
use std::path::PathBuf;

struct Case {
    /// File name (its extension picks the format) and contents.
    file: &'static str,
    contents: Vec<u8>,
    /// Extra arguments after the file (the subcommand is chosen by the extension).
    expect: &'static str,
}

fn case(file: &'static str, contents: impl Into<Vec<u8>>, expect: &'static str) -> Case {
    Case { file, contents: contents.into(), expect }
}

fn check(cases: Vec<Case>) {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for c in &cases {
        let path: PathBuf = dir.path().join(c.file);
        std::fs::write(&path, &c.contents).unwrap();
        let p = path.to_str().unwrap();
        let args: Vec<&str> = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => vec!["replay", p],
            Some("litmus") => vec!["litmus", "--model", "sc", p],
            _ => vec!["explore", p, "--model", "sc"],
        };
        let o = Command::cargo_bin("weaksim").unwrap().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        let code = o.status.code();
        if code != Some(2) || !err.contains(c.expect) || err.contains("panicked") {
            failures.push(format!("{}: exit {code:?}, expected {:?} in {err:?}", c.file, c.expect));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    eprintln!("{} hostile inputs rejected cleanly", cases.len());
}

const OK_TAIL: &str = "core 0 start=P0\nP0:\n    halt\n";

#[test]
fn hostile_ucode() {
    let many_cores: String = (0..65).map(|c| format!("core {c} start=P0\n")).collect::<String>() + "P0:\n    halt\n";
    let deep = "sym x\ncore 0 start=P0\nP0:\n".to_string() + &"(".repeat(300);
    check(vec![
        case("empty.ucode", "", "empty.ucode:1:1:"),
        case("comments.ucode", "; nothing here\n# nor here\n", "comments.ucode:1:1:"),
        case("binary.ucode", vec![0u8, 159, 146, 150, 0, 1, 2], "binary.ucode:1:1: the file is not valid UTF-8"),
        case("latin1.ucode", b"sym caf\xe9 = 0\n".to_vec(), "latin1.ucode:1:1: the file is not valid UTF-8"),
        case("huge.ucode", "sym x = 99999999999999999999999\n".to_string() + OK_TAIL, "huge.ucode:1:9:"),
        case("hugereg.ucode", "core 0 start=P0\nP0:\n    mov r99, 1\n    halt\n", "hugereg.ucode:3:9:"),
        case("nolabel.ucode", "core 0 start=P0\nP0:\n    jmp nowhere\n", "nolabel.ucode:3:9: undefined label"),
        case(
            "nosym.ucode",
            "core 0 start=P0\nP0:\n    load r1, [ghost]\n    halt\n",
            "nosym.ucode:3:15: undefined symbol",
        ),
        case("nostart.ucode", "core 0 start=missing\nP0:\n    halt\n", "nostart.ucode:1:"),
        case("gap.ucode", "core 0 start=P0\ncore 2 start=P0\nP0:\n    halt\n", "gap.ucode:2:"),
        case("cores.ucode", many_cores, "cores.ucode:65:"),
        case("nocore.ucode", "sym x = 1\nP0:\n    halt\n", "nocore.ucode:"),
        case("unbalanced.ucode", "sym x\n".to_string() + OK_TAIL + "exists (x=1 /\\ (x=2)\n", "unbalanced.ucode:5:"),
        case("deepcond.ucode", deep, "deepcond.ucode:"),
        case("badcond.ucode", "sym x\n".to_string() + OK_TAIL + "exists (x=)\n", "badcond.ucode:5:"),
        case("dupsym.ucode", "sym x\nsym x\n".to_string() + OK_TAIL, "dupsym.ucode:2:"),
        case("duplabel.ucode", "core 0 start=P0\nP0:\nP0:\n    halt\n", "duplabel.ucode:3:"),
        case("badmnem.ucode", "core 0 start=P0\nP0:\n    frob r1\n", "badmnem.ucode:3:5: unknown mnemonic"),
        case("comma.ucode", "sym x\ncore 0 start=P0\nP0:\n    load r1 [x]\n", "comma.ucode:4:"),
        case("negcore.ucode", "core -1 start=P0\nP0:\n    halt\n", "negcore.ucode:1:"),
        case("twoconds.ucode", "sym x\n".to_string() + OK_TAIL + "exists (x=1)\nexists (x=2)\n", "twoconds.ucode:6:"),
        case("nul.ucode", "sym x\0 = 0\n".to_string() + OK_TAIL, "nul.ucode:1:"),
    ]);
}

#[test]
fn hostile_litmus() {
    check(vec![
        case("empty.litmus", "", "empty.litmus:1:1:"),
        case("binary.litmus", vec![0xffu8, 0xfe, 0xfd], "binary.litmus:1:1: the file is not valid UTF-8"),
        case("arch.litmus", "PPC foo\n{}\nP0 ;\nexists (0:r1=0)\n", "arch.litmus:1:1:"),
        case(
            "c.litmus",
            "C foo\n{}\nP0(int *x) { frob(x); }\nexists (x=0)\n",
            "c.litmus:3:14: unsupported primitive `frob`",
        ),
        case("noinit.litmus", "X86 t\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n", "noinit.litmus:2:"),
        case("unterminated.litmus", "X86 t\n{ x=0;\n P0 ;\n", "unterminated.litmus:"),
        case("cols.litmus", "X86 t\n{}\n P0 | P1 ;\n MOV [x],$1 ;\nexists (x=1)\n", "cols.litmus:4:"),
        case("instr.litmus", "X86 t\n{}\n P0 ;\n FROB [x] ;\nexists (x=1)\n", "instr.litmus:4:"),
        case("aarch.litmus", "AArch64 t\n{0:X1=x;}\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=1 /\\ \n", "aarch.litmus:5:"),
        case("cond.litmus", "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1))\n", "cond.litmus:5:"),
        case(
            "bignum.litmus",
            "X86 t\n{ x=123456789012345678901234567890; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n",
            "bignum.litmus:2:",
        ),
        case("label.litmus", "AArch64 t\n{0:X1=x;}\n P0 ;\n CBZ W0,nowhere ;\nexists (0:X0=1)\n", "label.litmus:4:"),
        case(
            "bcond.litmus",
            "AArch64 t\n{0:X1=x;}\n P0 ;\n CMP W0,#1 ;\n B.XX L ;\n L: ;\nexists (0:X0=1)\n",
            "unsupported",
        ),
        case("noheader.litmus", "{ x=0; }\n", "noheader.litmus:1:"),
    ]);
}

#[test]
fn hostile_traces() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let o = Command::cargo_bin("weaksim")
        .unwrap()
        .args(["explore", "irq_work", "--variant", "racy", "--model", "tso", "--save-trace", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&good).unwrap();
    let truncated = text[..text.len() / 2].to_string();
    let wrong_model = text.replace("\"model\": \"tso\"", "\"model\": \"sc\"");
    let bad_model = text.replace("\"model\": \"tso\"", "\"model\": \"alpha\"");
    let edited_program = text.replacen("\"Halt\"", "\"Nop\"", 1);
    let bad_core = text.replacen("\"core\": 0", "\"core\": 200", 1);
    let v3 = text.replace("\"version\": 2", "\"version\": 3");
    let v1 = text.replace("\"version\": 2", "\"version\": 1");
    check(vec![
        case("empty.json", "", "empty.json:1:"),
        case("binary.json", vec![0xffu8, 0, 1], "binary.json:1:1: the file is not valid UTF-8"),
        case("array.json", "[1, 2, 3]", "array.json:1:1: not a weaksim trace: expected a JSON object"),
        case("truncated.json", truncated, "truncated.json:"),
        case("wrongmodel.json", wrong_model, "not enabled"),
        case("badmodel.json", bad_model, "unknown model 'alpha'"),
        case("edited.json", edited_program, "does not match its fingerprint"),
        case("badcore.json", bad_core, "not enabled"),
        case("v3.json", v3, "version 3 is not supported"),
        case("v1.json", v1, "v1.json: a weaksim-trace version 1 trace, from an older weaksim"),
    ]);
}

/// Programs that run forever or recurse without bound end with a report, not a hang or a crash.
#[test]
fn runaway_programs_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ucode");
    std::fs::write(&rec, "core 0 start=f\nf:\n    call f\n    ret\n").unwrap();
    let o = Command::cargo_bin("weaksim").unwrap().args(["explore", rec.to_str().unwrap()]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("call stack deeper than 16"), "{out}");
    let spin = dir.path().join("spin.ucode");
    std::fs::write(&spin, "sym x\ncore 0 start=L\nL:\n    load r1, [x]\n    jmp L\n").unwrap();
    let o = Command::cargo_bin("weaksim")
        .unwrap()
        .args(["run", spin.to_str().unwrap(), "--runs", "2", "--max-steps", "1000"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("2 run(s) did not quiesce within 1000 steps"), "{out}");
    let o = Command::cargo_bin("weaksim").unwrap().args(["explore", spin.to_str().unwrap()]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("never reaches quiescence"), "{out}");
}
