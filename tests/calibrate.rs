//! `weaksim calibrate` at a small size: the table's structure and its
//! invariants (fenced tests never observed; no run ends where the exhaustive
//! search says it cannot), and the `reproduce:` line of `weaksim run`, pasted
//! into a shell, reruns the witness it names.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn weaksim() -> Command {
    let mut c = Command::cargo_bin("weaksim").unwrap();
    c.current_dir(repo());
    c
}

fn out(args: &[&str]) -> (i32, String, String) {
    let o = weaksim().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// The tests the table must have: (test, model), in its order.
const ROWS: [(&str, &str); 17] = [
    ("SB", "tso"),
    ("SB+mfences", "tso"),
    ("MP", "tso"),
    ("LB", "tso"),
    ("IRIW", "tso"),
    ("2+2W", "tso"),
    ("2+2W+mfences", "tso"),
    ("SB", "arm"),
    ("SB+dmb.sys", "arm"),
    ("MP", "arm"),
    ("MP+dmb.sys", "arm"),
    ("LB", "arm"),
    ("LB+dmb.sys", "arm"),
    ("IRIW", "arm"),
    ("IRIW+dmb.sys", "arm"),
    ("2+2W", "arm"),
    ("2+2W+dmb.sys", "arm"),
];

#[test]
fn calibrate_table_structure_and_invariants() {
    assert!(repo().join("../shared/litmus").is_dir(), "calibrate needs ../shared/litmus");
    let (code, text, err) = out(&["calibrate", "--runs", "3000", "--seed", "5", "--format", "json", "--threads", "2"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["scheduler"], "timed");
    assert_eq!(v["timing"], "default");
    assert_eq!(v["inconsistent"].as_array().unwrap().len(), 0);
    let rows = v["rows"].as_array().unwrap();
    let got: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["test"].as_str().unwrap(), r["model"].as_str().unwrap())).collect();
    assert_eq!(got, ROWS);
    let mut allowed_seen = 0;
    for r in rows {
        let name = format!("{} on {}", r["test"], r["model"]);
        assert_eq!(r["runs"], 3000, "{name}");
        let (k, n) = (r["observed"].as_u64().unwrap(), r["finals"].as_u64().unwrap());
        assert!(k <= n && n <= 3000, "{name}");
        let (lo, hi, rate) =
            (r["ci_low"].as_f64().unwrap(), r["ci_high"].as_f64().unwrap(), r["rate"].as_f64().unwrap());
        assert!(lo <= rate && rate <= hi && hi <= 1.0 && lo >= 0.0, "{name}: {lo} {rate} {hi}");
        assert_eq!(r["unreachable_seen"], 0, "{name}: a run ended where the exhaustive search never goes");
        let fenced = r["fenced"].as_bool().unwrap();
        if fenced {
            assert_eq!(r["exhaustive"], "forbidden", "{name}");
        }
        if r["exhaustive"] == "forbidden" {
            assert_eq!(k, 0, "{name}: observed an outcome the exhaustive search calls unreachable");
        } else if k > 0 {
            allowed_seen += 1;
        }
        // The hardware column: a published count where the brief has one.
        let hw = r["hardware_counts"].as_array().unwrap();
        assert_eq!(hw.len(), r["vs_hardware"].as_array().unwrap().len(), "{name}");
    }
    // The verdicts are herd's: x86-TSO forbids MP, LB, IRIW and 2+2W; ARM allows all five shapes.
    let ex = |t: &str, m: &str| rows.iter().find(|r| r["test"] == t && r["model"] == m).unwrap()["exhaustive"].clone();
    for t in ["MP", "LB", "IRIW", "2+2W"] {
        assert_eq!(ex(t, "tso"), "forbidden", "{t}");
    }
    for t in ["SB", "MP", "LB", "IRIW", "2+2W"] {
        assert_eq!(ex(t, "arm"), "allowed", "{t}");
    }
    assert_eq!(ex("SB", "tso"), "allowed");
    // SB on TSO is the one every timed run set shows: the table is not all zeros.
    assert!(allowed_seen >= 1, "{text}");
    let sb = &rows[0];
    assert!(sb["observed"].as_u64().unwrap() > 0, "SB on TSO: {sb}");
    assert_eq!(sb["hardware_counts"].as_array().unwrap().len(), 2);

    // The text form is the Markdown table of docs/timing.md: a header and one line per row.
    let (code, text, err) = out(&["calibrate", "--runs", "3000", "--seed", "5", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(lines.len(), 2 + ROWS.len(), "{text}");
    assert!(lines[0].starts_with("| test | model | exhaustive | observed |"), "{text}");
    for (l, (t, m)) in lines[2..].iter().zip(ROWS) {
        assert!(l.starts_with(&format!("| {t} | {m} | ")), "{l}");
        assert_eq!(l.matches(" | ").count(), 6, "{l}");
    }
    // The same counts on 1 and 2 threads.
    assert!(lines[2].contains(&format!("| {} / {} |", sb["observed"], sb["finals"])), "{}", lines[2]);
    assert!(text.contains("Every fenced test: 0 observed."), "{text}");
}

#[test]
fn calibrate_without_the_corpus_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-litmus");
    let (code, text, err) = out(&["calibrate", "--runs", "10", "--litmus", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(text.is_empty(), "{text}");
    assert!(err.contains("no-litmus: no such folder") && err.contains("--litmus DIR"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A folder without the tests: the missing file is named.
    let (code, _, err) = out(&["calibrate", "--runs", "10", "--litmus", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("x86/SB.litmus") && err.contains("cannot read"), "{err}");
}

/// Pastes the `reproduce:` line into `sh` from `dir`, with this build of weaksim first on PATH.
fn paste(line: &str, dir: &Path) -> (i32, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_weaksim"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let o = std::process::Command::new("sh").arg("-c").arg(line).current_dir(dir).env("PATH", path).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into())
}

#[test]
fn run_prints_a_reproduce_line_that_reruns_the_witness() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("examples/sb.ucode"), dir.path().join("sb.ucode")).unwrap();
    let run = |args: &[&str]| {
        let o = Command::cargo_bin("weaksim").unwrap().args(args).current_dir(dir.path()).output().unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).to_string())
    };
    // A file's condition: the first witness, timed, from a seed other than 0.
    let (code, text) =
        run(&["run", "sb.ucode", "--model", "tso", "--scheduler", "timed", "--seed", "100", "--runs", "5000"]);
    assert_eq!(code, 0, "{text}");
    let seed_line = text.lines().find(|l| l.trim_start().starts_with("first witness seed: ")).expect(&text);
    let seed: u64 = seed_line.split_whitespace().nth(3).unwrap().trim_end_matches(':').parse().unwrap();
    assert!(seed >= 100, "{seed_line}");
    let line = text.lines().find_map(|l| l.trim_start().strip_prefix("reproduce: ")).expect(&text);
    assert_eq!(
        line,
        format!("weaksim run sb.ucode --model tso --scheduler timed --seed {seed} --runs 1 --save-trace witness.json")
    );
    let (code, again) = paste(line, dir.path());
    assert_eq!(code, 0, "{again}");
    assert!(again.contains("Observation sb Always 1 0"), "the one run shows the condition: {again}");
    assert!(dir.path().join("witness.json").is_file(), "{again}");
    // The seed before it (if it is in the range) does not: the line names the first.
    if seed > 100 {
        let (_, before) =
            run(&["run", "sb.ucode", "--model", "tso", "--scheduler", "timed", "--seed", &(seed - 1).to_string()]);
        assert!(before.contains("Observation sb Never 0 1"), "{before}");
    }

    // irq_work's lost work under the random scheduler, with a step bound that must be kept.
    let (code, text) =
        run(&["run", "irq_work", "--variant", "racy", "--model", "tso", "--runs", "20000", "--max-steps", "5000"]);
    assert_eq!(code, 1, "{text}");
    let line = text.lines().find_map(|l| l.trim_start().strip_prefix("reproduce: ")).expect(&text);
    assert!(line.contains("--max-steps 5000") && line.contains("--save-trace lost.json"), "{line}");
    let (code, again) = paste(line, dir.path());
    assert_eq!(code, 1, "{again}");
    assert!(again.contains("violations: 1 "), "{again}");
    assert!(dir.path().join("lost.json").is_file());
}
