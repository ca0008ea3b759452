//! Issue 17's "answers that agree with each other", through the CLI: several
//! models in one command, one JSON verdict vocabulary with the final states
//! listed, `replay` ending with the final registers and the condition, and a
//! `--save-trace` that has nothing to save saying so.

use assert_cmd::Command;
use serde_json::Value;

/// Runs weaksim with `args`; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("weaksim").unwrap().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// One JSON object per line of standard output.
fn json_lines(out: &str) -> Vec<Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

const SB: &str = "examples/sb.ucode";
const SB_FENCED: &str = "examples/sb-fenced.ucode";

#[test]
fn explore_takes_a_list_of_models_one_result_each() {
    let (code, out, err) = run(&["explore", SB, "--model", "sc,tso", "--format", "json"]);
    assert_eq!(code, 1, "TSO reaches the condition: {out}{err}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 2, "{out}");
    assert_eq!((v[0]["model"].as_str(), v[0]["verdict"].as_str()), (Some("sc"), Some("unreachable")));
    assert_eq!((v[1]["model"].as_str(), v[1]["verdict"].as_str()), (Some("tso"), Some("reachable")));

    let (code, out, _) = run(&["explore", SB, "--model", "sc,tso"]);
    assert_eq!(code, 1);
    assert!(out.contains("on SC: condition NOT REACHABLE") && out.contains("on x86-TSO: condition REACHABLE"), "{out}");

    // `all`: every operational model, once each.
    let (code, out, _) = run(&["explore", SB_FENCED, "--model", "all", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let models: Vec<String> = json_lines(&out).iter().map(|v| v["model"].as_str().unwrap().to_string()).collect();
    let want: Vec<String> = sim::models::operational().iter().map(|m| m.name().to_string()).collect();
    assert_eq!(models, want);
    assert!(models.len() >= 3, "{models:?}");
}

#[test]
fn several_models_save_one_trace_each() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lost.json");
    let (code, out, _) =
        run(&["explore", "irq_work", "--variant", "fixed", "--model", "tso,arm", "--save-trace", p.to_str().unwrap()]);
    assert_eq!(code, 1, "ARM loses work: {out}");
    assert!(!dir.path().join("lost.tso.json").exists(), "TSO is safe: nothing to save");
    assert!(out.contains("Nothing saved to") && out.contains("lost.tso.json"), "{out}");
    let arm = dir.path().join("lost.arm.json");
    assert!(arm.exists(), "{out}");
    let (code, out, _) = run(&["replay", arm.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn run_takes_a_list_of_models() {
    let (code, out, _) =
        run(&["run", "irq_work", "--variant", "fixed", "--model", "sc,tso", "--runs", "50", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v = json_lines(&out);
    assert_eq!(v.len(), 2, "{out}");
    assert_eq!(v[0]["model"], "sc");
    assert_eq!(v[1]["model"], "tso");
    assert_eq!(v[1]["runs"], 50);
    let (code, out, err) = run(&["run", "irq_work", "--model", "sc,nope"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("unknown model 'nope'"), "{err}");
}

#[test]
fn a_files_verdict_is_about_its_condition_and_lists_the_final_states() {
    let (code, out, _) = run(&["explore", SB, "--model", "tso", "--format", "json"]);
    assert_eq!(code, 1);
    let v = &json_lines(&out)[0];
    assert_eq!(v["verdict"], "reachable", "exit 1 and the verdict agree: {out}");
    assert_eq!(v["condition_reachable"], true);
    let finals = v["finals"].as_array().unwrap();
    assert_eq!(finals.len(), 4);
    assert_eq!(v["final_states"], 4);
    let holding: Vec<&str> =
        finals.iter().filter(|f| f["condition"] == true).map(|f| f["state"].as_str().unwrap()).collect();
    assert_eq!(holding, ["0:r1=0; 1:r1=0;"]);

    let (code, out, _) = run(&["explore", SB_FENCED, "--model", "tso", "--format", "json"]);
    assert_eq!(code, 0);
    let v = &json_lines(&out)[0];
    assert_eq!(v["verdict"], "unreachable");
    assert_eq!(v["condition_reachable"], false);
    assert_eq!(v["finals"].as_array().unwrap().len(), 3);

    // irq_work's question is lost work.
    let (code, out, _) = run(&["explore", "irq_work", "--variant", "fixed", "--model", "tso", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out)[0]["verdict"], "safe");

    // litmus shares condition_reachable with explore (and keeps herd's allowed/forbidden).
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("SB.litmus");
    std::fs::write(
        &f,
        "X86 SB\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n",
    )
    .unwrap();
    let (code, out, err) = run(&["litmus", "--model", "sc,tso", "--format", "json", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json_lines(&out);
    assert_eq!(v[0]["condition_reachable"], false);
    assert_eq!(v[1]["condition_reachable"], true);
}

#[test]
fn ucode_results_end_with_herds_observation_line() {
    let (_, out, _) = run(&["explore", SB, "--model", "tso"]);
    assert!(out.contains("Observation sb Sometimes 1 3"), "{out}");
    let (_, out, _) = run(&["explore", SB, "--model", "sc"]);
    assert!(out.contains("Observation sb Never 0 3"), "{out}");
}

#[test]
fn replay_prints_the_final_registers_and_the_condition() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.json");
    let (code, _, _) = run(&["explore", SB, "--model", "tso", "--save-trace", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let (code, out, _) = run(&["replay", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Final registers: core 0: all 0; core 1: all 0"), "{out}");
    assert!(out.contains("Final memory: x=1 y=1"), "{out}");
    assert!(
        out.contains(
            "Condition: exists (0:r1=0 /\\ 1:r1=0) — its expression holds in this final state (0:r1=0; 1:r1=0;)"
        ),
        "{out}"
    );

    // A counterexample of irq_work: registers that are not 0, by name.
    let p = dir.path().join("lost.json");
    run(&["explore", "irq_work", "--variant", "racy", "--model", "tso", "--save-trace", p.to_str().unwrap()]);
    let (code, out, _) = run(&["replay", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let regs = out.lines().find(|l| l.starts_with("Final registers:")).unwrap_or_else(|| panic!("{out}"));
    assert!(regs.contains("core 0: ") && regs.contains("; core 1: "), "{regs}");
    assert!(!regs.ends_with("all 0; core 1: all 0"), "the cores did something: {regs}");
}

#[test]
fn save_trace_with_nothing_to_save_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ce.json");
    let ps = p.to_str().unwrap();
    let (code, out, _) = run(&["explore", "irq_work", "--variant", "fixed", "--model", "tso", "--save-trace", ps]);
    assert_eq!(code, 0);
    assert!(!p.exists());
    assert!(out.contains(&format!("Nothing saved to {ps}: no counterexample")), "{out}");
    // JSON: stdout stays one object, the sentence goes to stderr.
    let (code, out, err) = run(&["explore", SB_FENCED, "--model", "tso", "--format", "json", "--save-trace", ps]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out).len(), 1);
    assert!(err.contains("Nothing saved to") && err.contains("the condition is not reachable"), "{err}");
    // run: no failing seed, nothing saved, said so.
    let (code, out, _) = run(&["run", "irq_work", "--variant", "fixed", "--runs", "20", "--save-trace", ps]);
    assert_eq!(code, 0);
    assert!(out.contains("Nothing saved to") && out.contains("no run ended in a violation"), "{out}");
    assert!(!p.exists());
}

#[test]
fn a_core_that_can_run_past_the_end_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("spin.ucode");
    std::fs::write(&f, "sym lock = 0\ncore 0 start=retry\nretry:\n    xchg.acquire r1, [lock], 1\n    bnz r1, retry\n")
        .unwrap();
    let (code, out, err) = run(&["explore", f.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("spin.ucode:5:5: core 0 can run past the end of the code after 'bnz r1, retry'"), "{err}");
}

#[test]
fn kernel_style_conditions_and_negative_numbers_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mp.ucode");
    std::fs::write(
        &f,
        "sym data = 0\nsym flag = 0\ncore 0 start=P0\ncore 1 start=P1 r3=-1 r4=-1\n\
         P0:\n    store [data], 1\n    store [flag], 1\n    halt\n\
         P1:\n    load r3, [flag]\n    load r4, [data]\n    halt\n\
         exists (1:r3 != 1:r4)\n",
    )
    .unwrap();
    let p = f.to_str().unwrap();
    let (code, out, _) = run(&["explore", p, "--model", "sc,tso,arm", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json_lines(&out);
    assert_eq!(v[0]["verdict"], "reachable", "r3=0, r4=1 is SC: {out}");
    let (_, out, _) = run(&["show", p]);
    assert!(out.contains("core 1 start=P1 r3=-1 r4=-1"), "{out}");
    assert!(out.contains("exists (~1:r3=1:r4)"), "{out}");
}

/// Values written negative print signed in the narration, in `replay`'s
/// final registers and memory, not as 2^64 - N.
#[test]
fn negative_values_narrate_signed() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("neg.ucode");
    std::fs::write(
        &f,
        "sym x = 0\ncore 0 start=P0 r3=-1\ncore 1 start=P1\n\
         P0:\n    mov r1, -5\n    store [x], r1\n    halt\n\
         P1:\n    load r2, [x]\n    halt\n\
         exists (1:r2=-5)\n",
    )
    .unwrap();
    let t = dir.path().join("neg.json");
    let (code, out, _) = run(&["explore", f.to_str().unwrap(), "--model", "tso", "--save-trace", t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("store [x], r1 — x := -5"), "{out}");
    assert!(out.contains("reads -5 from"), "{out}");
    let (_, out, _) = run(&["replay", t.to_str().unwrap()]);
    assert!(out.contains("Final registers: core 0: r1=-5 r3=-1; core 1: r2=-5"), "{out}");
    assert!(out.contains("Final memory: x=-5"), "{out}");
    assert!(!out.contains("18446744073709551"), "{out}");
}

/// A seqlock-style reader whose entry carries two labels (`reader:` and
/// `retry:`): its branch names `retry`, and so do `show`, the counterexample,
/// `replay` and the "runs past the end" message, not the first label there.
const TWO_LABELS: &str = "name seqread\nsym seq = 0\nsym data = 0\ncore 0 start=writer\ncore 1 start=reader\n\
    writer:\n    store [seq], 1\n    store [data], 1\n    store [seq], 0\n    halt\n\
    reader:\nretry:\n    load r5, [seq]\n    bnz r5, retry\n    load r2, [data]\n    halt\n\
    exists (1:r2=0)\n";

#[test]
fn branches_print_the_label_the_source_used() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("seq.ucode");
    std::fs::write(&f, TWO_LABELS).unwrap();
    let p = f.to_str().unwrap();
    let (code, out, err) = run(&["show", p]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reader:\nretry:\n    load r5, [seq]\n    bnz r5, retry\n"), "{out}");
    assert!(!out.contains("bnz r5, reader"), "{out}");
    // `show`'s text assembles back to the same listing.
    let g = dir.path().join("again.ucode");
    std::fs::write(&g, &out).unwrap();
    assert_eq!(run(&["show", g.to_str().unwrap()]).1, out);
    let t = dir.path().join("t.json");
    let (code, out, _) = run(&["explore", p, "--model", "tso", "--save-trace", t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("core 1: bnz r5, retry\n"), "{out}");
    let (_, out, _) = run(&["replay", t.to_str().unwrap()]);
    assert!(out.contains("core 1: bnz r5, retry\n") && !out.contains("reader"), "{out}");
    // The same label names the branch in an assembler message.
    let spin = TWO_LABELS.replace("    load r2, [data]\n    halt\n", "");
    std::fs::write(&f, spin).unwrap();
    let (code, _, err) = run(&["show", p]);
    assert_eq!(code, 2);
    assert!(err.contains("can run past the end of the code after 'bnz r5, retry'"), "{err}");
}

/// One wording for file errors, whatever the command: `weaksim: FILE: cannot
/// read: …` and `weaksim: FILE: cannot write: …`.
#[test]
fn file_errors_have_one_wording() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.ucode");
    let m = missing.to_str().unwrap();
    let read_cases: Vec<Vec<&str>> = vec![
        vec!["explore", m],
        vec!["run", m],
        vec!["show", m],
        vec!["litmus", m],
        vec!["replay", m],
        vec!["explain", m],
        vec!["tui", "--trace", m],
        vec!["demo", m],
    ];
    for args in read_cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        let want = format!("{m}: cannot read: No such file or directory");
        assert!(err.contains(&want), "{args:?}: expected {want:?} in {err:?}");
        assert_eq!(err.matches("No such file").count(), 1, "said once: {err}");
    }
    // Reading a folder, writing into a path that is a folder.
    let d = dir.path().to_str().unwrap();
    let folder = dir.path().join("folder.ucode");
    std::fs::create_dir(&folder).unwrap();
    let f = folder.to_str().unwrap();
    let (code, _, err) = run(&["explore", f]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("weaksim: {f}: cannot read: it is a folder")), "{err}");
    let (code, _, err) = run(&["explore", SB, "--model", "tso", "--save-trace", d]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("weaksim: {d}: cannot write: ")), "{err}");
    // A sweep whose journal (OUT.journal) cannot be opened: the same wording.
    let out = dir.path().join("rates.csv");
    let journal = dir.path().join("rates.csv.journal");
    std::fs::create_dir(&journal).unwrap();
    let (code, _, err) = run(&["sweep", "irq_work", "--seeds", "0..2", "--cores", "2", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let j = journal.to_str().unwrap();
    assert!(err.contains(&format!("weaksim: {j}: cannot write: ")), "{err}");
    assert!(!err.contains("cannot open"), "{err}");
}
