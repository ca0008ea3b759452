//! The graph engine's counterexamples are machine schedules: `explore --engine
//! graph --save-trace` writes a trace that `weaksim replay` runs to the same
//! outcome as the ops engine's counterexample (lost work, or the litmus
//! condition's expression holding), and `--explain` works with either engine.
//! Both engines share one verdict path: same exit codes and JSON verdicts.

use assert_cmd::Command;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String) {
    let o = Command::cargo_bin("weaksim").unwrap().args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into())
}

/// The line of `replay` output that starts with `prefix`.
fn line(out: &str, prefix: &str) -> String {
    out.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} line in\n{out}")).to_string()
}

/// Saves each engine's trace for `target` under `model`, replays both, and
/// returns the two replay outputs (ops, graph) after checking exit codes agree.
fn both(target: &[&str], model: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    let mut codes = Vec::new();
    for engine in ["ops", "graph"] {
        let p = dir.path().join(format!("{engine}.json"));
        let p = p.to_str().unwrap();
        let mut args: Vec<&str> = vec!["explore"];
        args.extend_from_slice(target);
        args.extend_from_slice(&["--model", model, "--engine", engine, "--save-trace", p]);
        let (code, out) = run(&args);
        assert!(out.contains("Trace saved"), "{engine} {target:?} {model}: no trace\n{out}");
        codes.push(code);
        let (rcode, rout) = run(&["replay", p]);
        assert_eq!(rcode, if line(&rout, "Outcome:").contains("lost work") { 1 } else { 0 });
        outs.push(rout);
    }
    assert_eq!(codes[0], codes[1], "{target:?} {model}: exit codes differ");
    (outs.remove(0), outs.remove(0))
}

/// A file of the shared litmus corpus; fails here, saying so, when `../shared` is missing
/// (rather than later, as an engine that saved no trace).
fn litmus(file: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/litmus");
    assert!(
        dir.is_dir(),
        "{}: ../shared missing: this test reads the shared litmus corpus (../shared/litmus next to the project, see README)",
        dir.display()
    );
    let f = dir.join(file);
    assert!(f.is_file(), "{}: missing from the shared litmus corpus (../shared/litmus)", f.display());
    f.display().to_string()
}

#[test]
fn litmus_witnesses_replay_to_the_condition() {
    for (file, model) in [
        ("x86/SB.litmus", "tso"),
        ("x86/R.litmus", "tso"),
        ("x86/SB.litmus", "arm"),
        ("aarch64/LB.litmus", "arm"),
        ("aarch64/MP+dmb.sy+po.litmus", "arm"),
        ("aarch64/2+2W.litmus", "arm"),
        ("irqwork-aarch64/irqwork-claim-fixed-lse.litmus", "arm"),
    ] {
        let f = litmus(file);
        let (ops, graph) = both(&[&f], model);
        for out in [&ops, &graph] {
            assert!(line(out, "Condition:").contains("its expression holds"), "{file} {model}:\n{out}");
            assert_eq!(line(out, "Outcome:"), "Outcome: quiescent, no invariant violated");
        }
    }
}

#[test]
fn irq_work_counterexamples_replay_to_lost_work() {
    for (variant, model) in [("racy", "tso"), ("v3.6", "tso"), ("racy", "arm"), ("fixed", "arm")] {
        let (ops, graph) = both(&["irq_work", "--variant", variant], model);
        for out in [&ops, &graph] {
            assert!(line(out, "Outcome:").starts_with("Outcome: lost work"), "{variant} {model}:\n{out}");
        }
    }
}

#[test]
fn graph_explain_names_the_reordering() {
    let (code, out) =
        run(&["explore", "irq_work", "--variant", "fixed", "--model", "arm", "--engine", "graph", "--explain"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Counterexample ("), "{out}");
    assert!(!out.contains("no explanation"), "{out}");
}

#[test]
fn forall_verdicts_are_the_same_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let holds = dir.path().join("holds.ucode");
    std::fs::write(
        &holds,
        "name fa\nsym x = 0\nsym y = 0\ncore 0 start=P0\nP0:\n    store [y], 1\n    halt\nforall (x=0)\n",
    )
    .unwrap();
    let fails = dir.path().join("fails.ucode");
    std::fs::write(
        &fails,
        "name fb\nsym x = 0\nsym y = 0\ncore 0 start=P0\nP0:\n    store [x], 1\n    halt\nforall (x=0)\n",
    )
    .unwrap();
    for (file, code, verdict) in [(&holds, 0, "holds"), (&fails, 1, "fails")] {
        for engine in ["ops", "graph"] {
            let f = file.to_str().unwrap();
            let (c, out) = run(&["explore", f, "--model", "tso", "--engine", engine, "--format", "json"]);
            let v: Value = serde_json::from_str(out.trim()).unwrap();
            assert_eq!((c, v["verdict"].as_str().unwrap()), (code, verdict), "{engine} {f}: {out}");
            let (c, out) = run(&["explore", f, "--model", "tso", "--engine", engine]);
            assert_eq!(c, code, "{engine}: {out}");
            let want =
                if code == 0 { "condition HOLDS in every final state" } else { "condition FAILS in 1 final state" };
            assert!(out.lines().next().unwrap().contains(want), "{engine}: {out}");
        }
    }
}
