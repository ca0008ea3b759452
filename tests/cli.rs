//! The CLI contract, as a user's script sees it: exit codes, JSON fields, files.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn weaksim() -> Command {
    Command::cargo_bin("weaksim").unwrap()
}

/// Runs weaksim with `args`; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = weaksim().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let (code, out, err) = run(args);
    let v = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

#[test]
fn explore_racy_tso_is_a_violation_with_a_counterexample() {
    let (code, v) =
        json(&["explore", "irq_work", "--variant", "racy", "--model", "tso", "--cores", "2", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "violation");
    assert_eq!(v["variant"], "busy-xchg", "canonical name");
    assert_eq!(v["model"], "tso");
    assert_eq!(v["cores"], 2);
    assert_eq!(v["workload"], "irq_work");
    assert!(v["states"].as_u64().unwrap() > 10);
    assert!(v["transitions"].as_u64().unwrap() > 10);
    assert!(v["elapsed_ms"].is_number());
    let ce = &v["counterexample"];
    assert_eq!(ce["format"], "weaksim-trace");
    assert!(ce["steps"].as_array().unwrap().len() > 10);
    assert!(ce["outcome"].as_str().unwrap().contains("lost work"));
}

#[test]
fn explore_fixed_tso_is_safe() {
    let (code, v) = json(&["explore", "irq_work", "--variant", "fixed", "--model", "tso", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "safe");
    assert_eq!(v["variant"], "claim-cmpxchg");
    assert!(v["counterexample"].is_null());
}

#[test]
fn explore_bound_is_inconclusive() {
    let (code, v) = json(&[
        "explore",
        "irq_work",
        "--variant",
        "fixed",
        "--model",
        "tso",
        "--max-states",
        "50",
        "--format",
        "json",
    ]);
    assert_eq!(code, 3);
    assert_eq!(v["verdict"], "bounded");
}

#[test]
fn counterexample_is_the_saved_trace_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ce.json");
    let p = path.to_str().unwrap();
    let (code, v) =
        json(&["explore", "irq_work", "--variant", "v3.6", "--model", "tso", "--format", "json", "--save-trace", p]);
    assert_eq!(code, 1);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved, v["counterexample"], "one trace format everywhere");
    let (code, out, _) = run(&["replay", p]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Outcome: lost work"), "{out}");
    assert!(out.contains("SB0["), "narration shows store buffers: {out}");
}

#[test]
fn run_finds_lost_work_and_saves_a_replayable_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lost.json");
    let p = path.to_str().unwrap();
    let (code, v) = json(&[
        "run",
        "irq_work",
        "--variant",
        "racy",
        "--model",
        "tso",
        "--seed",
        "0",
        "--runs",
        "20000",
        "--format",
        "json",
        "--save-trace",
        p,
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["runs"], 20000);
    assert!(v["violations"].as_u64().unwrap() > 0);
    let seed = v["first_failing_seed"].as_u64().unwrap();
    let cmd = v["replay_command"].as_str().unwrap();
    assert!(cmd.contains(&format!("--seed {seed}")), "{cmd}");
    let (code, out, _) = run(&["replay", p]);
    assert_eq!(code, 1, "{out}");
    // The reproduce command really reproduces: one run with that seed loses work.
    let (code, v2) = json(&[
        "run",
        "irq_work",
        "--variant",
        "racy",
        "--model",
        "tso",
        "--seed",
        &seed.to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v2["violations"], 1);
}

/// `run FILE` counts the file's condition as litmus7 does: a histogram of final
/// states and the Observation line, in text and in JSON.
#[test]
fn run_counts_a_files_condition() {
    let sb = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sb.ucode");
    let sb = sb.to_str().unwrap();
    let args = ["run", sb, "--model", "tso", "--scheduler", "timed", "--runs", "20000", "--threads", "2"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Histogram (4 states)"), "{out}");
    let line = out.lines().find(|l| l.trim_start().starts_with("Observation sb Sometimes ")).expect(&out);
    let k: u64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(k > 0, "{out}");
    let marked = out.lines().find(|l| l.contains("*>0:r1=0; 1:r1=0;")).expect(&out);
    assert_eq!(marked.trim_start().split('*').next().unwrap().trim().parse::<u64>().unwrap(), k);
    let (_, v) = json(&[&args[..8], &["--threads", "1", "--format", "json"]].concat());
    assert_eq!(v["positive"], k, "the same counts on 1 and 2 threads");
    assert_eq!(v["observation"], "Sometimes");
    let hist = v["histogram"].as_array().unwrap();
    assert_eq!(hist.iter().map(|h| h["count"].as_u64().unwrap()).sum::<u64>(), 20000);
    assert_eq!(v["positive"].as_u64().unwrap() + v["negative"].as_u64().unwrap(), 20000);

    let mp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/litmus/aarch64/MP+dmb.sys.litmus");
    for sched in ["random", "timed"] {
        let (code, out, err) =
            run(&["run", mp.to_str().unwrap(), "--model", "arm", "--scheduler", sched, "--runs", "5000"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Observation MP+dmb.sys Never 0 5000"), "{out}");
    }
}

#[test]
fn run_safe_variant_exits_zero() {
    let (code, v) = json(&[
        "run",
        "irq_work",
        "--variant",
        "claim-fetch-or",
        "--model",
        "tso",
        "--runs",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["violations"], 0);
    assert!(v["first_failing_seed"].is_null());
}

#[test]
fn replay_rejects_a_trace_from_another_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ce.json");
    let p = path.to_str().unwrap();
    run(&["explore", "irq_work", "--variant", "racy", "--model", "tso", "--save-trace", p]);
    let text = std::fs::read_to_string(&path).unwrap().replace("\"model\": \"tso\"", "\"model\": \"sc\"");
    std::fs::write(&path, text).unwrap();
    let (code, _, err) = run(&["replay", p]);
    assert_eq!(code, 2);
    assert!(err.contains("not enabled"), "{err}");
}

const SB: &str = "name sb\nsym x = 0\nsym y = 0\ncore 0 start=P0\ncore 1 start=P1\n\
P0:\n    store [x], 1\n    load r1, [y]\n    halt\nP1:\n    store [y], 1\n    load r1, [x]\n    halt\n\
exists (0:r1=0 /\\ 1:r1=0)\n";

#[test]
fn explore_file_lists_final_states() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("sb.ucode");
    std::fs::write(&f, SB).unwrap();
    let p = f.to_str().unwrap();
    let (code, out, _) = run(&["explore", p, "--model", "sc"]);
    assert_eq!(code, 0, "SC forbids both loads reading 0: {out}");
    assert!(out.contains("3 final state(s)"), "{out}");
    let (code, out, _) = run(&["explore", p, "--model", "tso"]);
    assert_eq!(code, 1, "TSO allows it: {out}");
    assert!(out.contains("4 final state(s)"), "{out}");
    assert!(out.contains("0:r1=0; 1:r1=0;"), "{out}");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ucode");
    std::fs::write(&bad, "sym x = 0\ncore 0 start=P0\nP0:\n    lod r1, [x]\n").unwrap();
    let garbage = dir.path().join("garbage.ucode");
    std::fs::write(&garbage, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["explore", "irq_work", "--variant", "nope"], "unknown variant 'nope'"),
        (vec!["explore", "irq_work", "--model", "power"], "unknown model 'power'"),
        (vec!["explore", "irq_work", "--cores", "0"], "--cores 0"),
        (vec!["explore", "irq_work", "--cores", "65"], "--cores 65"),
        (vec!["explore", "irq_work", "--producers", "5"], "core 5 does not exist"),
        (vec!["explore", "irq_work", "--writes", "0"], "--writes 0"),
        (vec!["explore", "/nonexistent/x.ucode"], "weaksim: /nonexistent/x.ucode: cannot read: "),
        (vec!["explore", bad.to_str().unwrap()], "bad.ucode:4:5: unknown mnemonic"),
        (vec!["explore", garbage.to_str().unwrap()], "garbage.ucode:1:1: the file is not valid UTF-8"),
        (vec!["explore", "notes.txt"], "expected `irq_work`, a .ucode file or a .litmus file"),
        (vec!["replay", "/nonexistent.json"], "cannot read"),
        (vec!["run", "irq_work", "--runs", "x"], "invalid value 'x'"),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, want) in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err:?}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A file of `../shared/litmus`: the test fails here, with this message, when it is missing.
fn shared(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/litmus").join(rel);
    assert!(
        p.exists(),
        "{}: the shared litmus corpus is missing: the tests read ../shared/litmus next to the project (see README)",
        p.display()
    );
    p.display().to_string()
}

#[test]
fn litmus_prints_herds_block() {
    let (code, out, _) = run(&["litmus", "--model", "tso", &shared("x86/SB.litmus")]);
    assert_eq!(code, 0);
    for want in [
        "Test SB Allowed",
        "States 4",
        "0:EAX=0; 1:EAX=0;",
        "Ok",
        "Positive: 1 Negative: 3",
        "Observation SB Sometimes 1 3",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let (_, out, _) = run(&["litmus", "--model", "sc", &shared("x86/SB.litmus")]);
    assert!(out.contains("States 3") && out.contains("\nNo\n"), "{out}");
}

#[test]
fn litmus_json_and_unsupported_files() {
    let (code, out, _) = run(&[
        "litmus",
        "--model",
        "tso",
        "--format",
        "json",
        &shared("x86/MP.litmus"),
        &shared("lkmm-corpus/paulmck/auto/C-RW-G+RW-Rr+RW-Ra+RW-R+RW-R.litmus"),
    ]);
    assert_eq!(code, 2, "one file is unsupported (RCU has no x86 mapping)");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["name"], "MP");
    assert_eq!(lines[0]["verdict"], "forbidden");
    assert_eq!(lines[0]["states"], 3);
    assert!(
        lines[1]["error"].as_str().unwrap().contains(":25:2: unsupported on x86: synchronize_rcu()"),
        "{}",
        lines[1]
    );
}

#[test]
fn litmus_witness_is_checked_against_the_axiomatic_model() {
    // SB is allowed on ARM: the witness is checked, and consistent.
    let (code, out, _) = run(&["litmus", "--model", "arm", "--witness", &shared("aarch64/SB.litmus")]);
    assert_eq!(code, 0);
    assert!(out.contains("Axiomatic check: consistent with"), "{out}");
    // With DSB ST the outcome is forbidden (aarch64.cat): no witness to claim anything for.
    let (code, out, _) = run(&["litmus", "--model", "arm", "--witness", &shared("catalogue/aarch64/L041.litmus")]);
    assert_eq!(code, 0);
    assert!(out.contains("\nNo\n") && out.contains("Witness: none") && !out.contains("consistent with"), "{out}");
}

#[test]
fn litmus_exit_codes() {
    // Bounded: no verdict word, exit 3.
    let (code, out, _) = run(&["litmus", "--model", "tso", "--max-states", "3", &shared("x86/SB.litmus")]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("Observation SB Bounded") && !out.contains("\nNo\n") && !out.contains("Never"), "{out}");
    let (code, v) =
        json(&["litmus", "--model", "tso", "--max-states", "3", "--format", "json", &shared("x86/SB.litmus")]);
    assert_eq!((code, v["verdict"].as_str()), (3, Some("bounded")));
    // A file that cannot run (mixed-size, met at run time): exit 2, the others still print.
    let (code, out, err) =
        run(&["litmus", "--model", "sc", &shared("catalogue/aarch64/A104.litmus"), &shared("x86/SB.litmus")]);
    assert_eq!(code, 2);
    assert!(out.contains("Test SB Allowed"), "{out}");
    assert!(err.contains("A104.litmus:9:3: unsupported mixed-size access"), "{err}");
}

const SB_X86: &str = "X86 SB\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n \
MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n";

/// `forall` in explore: decided over every final state as `litmus` decides it
/// (exit 0 when it holds everywhere, 1 when some final state fails it), and
/// `condition_holds` agrees with litmus's verdict for every quantifier.
#[test]
fn explore_honours_forall_and_agrees_with_litmus() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // (condition, model, explore exit, holds)
        ("forall (x=1 /\\ y=1)", "sc", 0, true),
        ("forall (x=0)", "sc", 1, false),
        ("forall (0:r1=1 \\/ 1:r1=1)", "sc", 0, true),
        ("forall (0:r1=1 \\/ 1:r1=1)", "tso", 1, false),
        ("exists (0:r1=0 /\\ 1:r1=0)", "tso", 1, true),
        ("~exists (0:r1=0 /\\ 1:r1=0)", "sc", 0, true),
        ("~exists (0:r1=0 /\\ 1:r1=0)", "tso", 1, false),
    ];
    for (i, (cond, model, code, holds)) in cases.into_iter().enumerate() {
        let text = SB.replace("exists (0:r1=0 /\\ 1:r1=0)", cond);
        let f = dir.path().join(format!("c{i}.ucode"));
        std::fs::write(&f, &text).unwrap();
        let p = f.to_str().unwrap();
        let (c, out, err) = run(&["explore", p, "--model", model]);
        assert_eq!(c, code, "{cond} on {model}: {out}{err}");
        if cond.starts_with("forall") {
            let word = if holds { "HOLDS in every final state" } else { "FAILS" };
            assert!(out.contains(word), "{cond} on {model}: {out}");
        }
        let (c, v) = json(&["explore", p, "--model", model, "--format", "json"]);
        assert_eq!(c, code, "{cond} on {model}: {v}");
        assert_eq!(v["condition_holds"], holds, "{cond} on {model}: {v}");
        // The same test as an X86 litmus file: explore and litmus agree on it.
        let lit = SB_X86.replace("exists (0:EAX=0 /\\ 1:EAX=0)", &cond.replace("r1", "EAX"));
        let f = dir.path().join(format!("c{i}.litmus"));
        std::fs::write(&f, &lit).unwrap();
        let p = f.to_str().unwrap();
        let (c, v) = json(&["explore", p, "--model", model, "--format", "json"]);
        assert_eq!(c, code, "{cond} on {model}: {v}");
        assert_eq!(v["condition_holds"], holds, "{cond} on {model}: {v}");
        let (c, out, err) = run(&["litmus", p, "--model", model, "--format", "json"]);
        assert_eq!(c, 0, "litmus {cond} on {model}: {out}{err}");
        let l: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(l["verdict"] == "allowed", holds, "litmus {cond} on {model}: {l}");
    }
}
