//! `weaksim sweep` and `weaksim merge` as a user's script sees them: results
//! against the exhaustive verdicts, the same output for any thread count, any
//! sharding and any kill-and-resume, and exit 2 with a clear message on bad input.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn weaksim() -> Command {
    Command::cargo_bin("weaksim").unwrap()
}

/// Runs weaksim with `args` in `dir`; returns (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = weaksim().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// Runs a sweep that must succeed (exit 0 or 1) and returns its output file's text.
fn sweep(dir: &Path, out: &str, args: &[&str]) -> String {
    let mut all = vec!["sweep", "irq_work", "--out", out];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run_in(dir, &all);
    assert!(code == 0 || code == 1, "sweep {args:?}: exit {code}\n{stdout}\n{stderr}");
    std::fs::read_to_string(dir.join(out)).unwrap()
}

fn cells(json: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["format"], "weaksim-sweep");
    v["cells"].as_array().unwrap().clone()
}

/// The exhaustive verdict of one cell: true when lost work is reachable.
fn lost_work_possible(variant: &str, model: &str, cores: u64) -> bool {
    let c = cores.to_string();
    let (code, out, err) = run_in(
        Path::new("."),
        &["explore", "irq_work", "--variant", variant, "--model", model, "--cores", &c, "--format", "json"],
    );
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    match (code, v["verdict"].as_str()) {
        (1, Some("violation")) => true,
        (0, Some("safe")) => false,
        other => panic!("{variant} {model} {cores}: unexpected verdict {other:?}"),
    }
}

#[test]
fn sweep_agrees_with_exhaustive_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let mut verdicts: BTreeMap<(String, String, u64), bool> = BTreeMap::new();
    for sched in ["random", "timed"] {
        let mut all = Vec::new();
        for (models, cores) in [("sc,tso", "2..=3"), ("arm", "2")] {
            let out = format!("{sched}-{models}.json");
            let text = sweep(
                dir.path(),
                &out,
                &["--models", models, "--cores", cores, "--seeds", "0..300", "--scheduler", sched, "--quiet"],
            );
            all.extend(cells(&text));
        }
        assert_eq!(all.len(), 6 * 2 * 2 + 6, "every cell is in the output");
        for c in &all {
            let (v, m, n) =
                (c["variant"].as_str().unwrap(), c["model"].as_str().unwrap(), c["cores"].as_u64().unwrap());
            assert_eq!(c["runs"], 300);
            let possible = *verdicts.entry((v.into(), m.into(), n)).or_insert_with(|| lost_work_possible(v, m, n));
            let k = c["violations"].as_u64().unwrap();
            if !possible {
                assert_eq!(k, 0, "{sched}: {v} {m} {n} cores is safe, yet the sweep found lost work");
            }
            if k > 0 {
                assert!(
                    possible,
                    "{sched}: {v} {m} {n}: the sweep found lost work that exhaustive search says is impossible"
                );
                // The first failing seed reproduces with the printed command.
                let cmd = c["reproduce"].as_str().unwrap();
                assert!(cmd.contains(&format!("--scheduler {sched}")), "{cmd}");
                let args: Vec<&str> = cmd.split(' ').skip(1).collect();
                let (code, _, _) = run_in(dir.path(), &args);
                assert_eq!(code, 1, "{cmd} reproduces the violation");
            }
        }
    }
    // The random scheduler finds racy's lost work on TSO at every core count
    // (about 1 run in 3000 at 2 cores, so 20000 seeds).
    let text = sweep(
        dir.path(),
        "racy.json",
        &["--variants", "racy", "--models", "tso", "--cores", "2..=3", "--seeds", "0..20000", "--scheduler", "random"],
    );
    let racy = cells(&text);
    assert_eq!(racy.len(), 2);
    for c in racy {
        let n = c["cores"].as_u64().unwrap();
        assert!(lost_work_possible("busy-xchg", "tso", n));
        assert!(c["violations"].as_u64().unwrap() > 0, "random: racy on TSO at {n} cores shows no lost work: {c}");
        assert!(c["ci_low"].as_f64().unwrap() > 0.0 && c["ci_high"].as_f64().unwrap() < 0.01, "{c}");
        assert!(c["median_cycles_to_violation"].as_u64().unwrap() > 10, "{c}");
    }
}

/// A sweep with many small units of work, on 1, 2 and 3 threads: byte-identical outputs.
#[test]
fn results_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--variants", "racy,fixed,v3.6", "--models", "tso,arm", "--cores", "2..=3", "--seeds", "0..120"];
    for sched in ["timed", "random"] {
        let mut outs = Vec::new();
        for t in ["1", "2", "3"] {
            for ext in ["csv", "json"] {
                let out = format!("{sched}-{t}.{ext}");
                let mut a = args.to_vec();
                a.extend(["--scheduler", sched, "--threads", t, "--chunk", "7", "--quiet"]);
                outs.push((ext, sweep(dir.path(), &out, &a)));
            }
        }
        for (ext, text) in &outs[2..] {
            let first = if *ext == "csv" { &outs[0].1 } else { &outs[1].1 };
            assert_eq!(text, first, "{sched} {ext}: the output changed with the thread count");
        }
        assert!(outs[0].1.starts_with("variant,model,cores,runs,violations,rate,ci_low,ci_high,"));
        assert_eq!(outs[0].1.lines().count(), 1 + 3 * 2 * 2);
    }
}

fn journal_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).map(|t| t.lines().count()).unwrap_or(0)
}

/// Starts a sweep and kills it (SIGKILL) once its journal holds `lines` lines.
fn kill_midway(dir: &Path, args: &[&str], journal: &Path, lines: usize) {
    let bin = assert_cmd::cargo::cargo_bin("weaksim");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while journal_lines(journal) < lines {
        assert!(t0.elapsed() < Duration::from_secs(120), "the sweep wrote no journal");
        if let Some(s) = child.try_wait().unwrap() {
            panic!("the sweep ended ({s}) before it could be killed: make it longer");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn killed_sweep_resumes_without_losing_or_repeating_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let common = [
        "sweep",
        "irq_work",
        "--variants",
        "racy,v3.6",
        "--models",
        "tso,arm",
        "--cores",
        "2..4",
        "--seeds",
        "0..6000",
        "--chunk",
        "250",
        "--threads",
        "2",
        "--quiet",
    ];
    let whole = {
        let mut a = common.to_vec();
        a.extend(["--out", "whole.json"]);
        let (code, _, err) = run_in(d, &a);
        assert!(code <= 1, "{err}");
        std::fs::read_to_string(d.join("whole.json")).unwrap()
    };
    let mut a = common.to_vec();
    a.extend(["--out", "cut.json"]);
    let journal = d.join("cut.json.journal");
    // Kill it twice, at different points, resuming in between.
    kill_midway(d, &a, &journal, 4);
    assert!(!d.join("cut.json").exists(), "no output before the sweep completes");
    let done_before = journal_lines(&journal);
    // Without --resume the journal is not silently thrown away.
    let (code, _, err) = run_in(d, &a);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--resume"), "{err}");
    let mut r = a.clone();
    r.push("--resume");
    kill_midway(d, &r, &journal, done_before + 6);
    // A kill can cut a line short: the resume drops it.
    let mut f = std::fs::OpenOptions::new().append(true).open(&journal).unwrap();
    std::io::Write::write_all(&mut f, b"{\"unit\":1,\"cell\":0,\"seeds\":[250,").unwrap();
    drop(f);
    let (code, _, err) = run_in(d, &r);
    assert!(code <= 1, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("cut.json")).unwrap(), whole, "resumed output differs");
    assert!(!journal.exists(), "the journal is removed once the output is written");
}

#[test]
fn shards_merge_into_the_whole_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two cells only: the shards must split seed ranges too.
    let args = ["--variants", "v3.6", "--models", "tso,arm", "--cores", "3", "--seeds", "0..400", "--quiet"];
    let whole_csv = sweep(d, "whole.csv", &args);
    let whole_json = sweep(d, "whole.json", &args);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let out = format!("part{k}.json");
        let shard = format!("{k}/3");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard]);
        let text = sweep(d, &out, &a);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["shard"], shard.as_str());
        assert_eq!(v["complete"], false);
        assert_eq!(v["cells"].as_array().unwrap().len(), 2, "every shard gets a part of every cell");
        parts.push(out);
    }
    let merge = |out: &str, inputs: &[&str]| {
        let mut a = vec!["merge", "--out", out];
        a.extend_from_slice(inputs);
        run_in(d, &a)
    };
    let p: Vec<&str> = parts.iter().map(|s| s.as_str()).collect();
    let (code, _, err) = merge("all.csv", &[p[2], p[0], p[1]]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("all.csv")).unwrap(), whole_csv);
    let (code, _, err) = merge("all.json", &p);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("all.json")).unwrap(), whole_json);
    // A missing shard, a shard twice, a CSV, another sweep: exit 2, saying why.
    let (code, _, err) = merge("x.csv", &p[..2]);
    assert_eq!(code, 2);
    assert!(err.contains("do not cover the whole sweep") && err.contains("--allow-partial"), "{err}");
    let (code, _, err) = merge("x.csv", &[p[0], p[1], p[2], p[1]]);
    assert_eq!(code, 2);
    assert!(err.contains("covered twice"), "{err}");
    let (code, _, err) = merge("x.csv", &["whole.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("JSON outputs"), "{err}");
    let other = sweep(d, "other.json", &["--variants", "v3.6", "--models", "tso", "--cores", "3", "--seeds", "0..10"]);
    assert!(!other.is_empty());
    let (code, _, err) = merge("x.csv", &[p[0], "other.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("different sweep"), "{err}");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_arguments_and_timing_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "typo.toml", "alu = 1\ntrnasfer = 60\n");
    write(d, "order.toml", "transfer = { typical = 60, min = 90, max = 100 }\n");
    write(d, "syntax.toml", "alu = [\n");
    write(d, "bad.json", "{\"drain\": -1}");
    write(d, "t.yaml", "alu: 1");
    let s = |extra: &[&str]| {
        let mut a = vec!["sweep", "irq_work", "--out", "o.csv", "--quiet"];
        if !extra.contains(&"--seeds") {
            a.extend(["--seeds", "0..2"]);
        }
        a.extend_from_slice(extra);
        a.iter().map(|x| x.to_string()).collect::<Vec<_>>()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (s(&["--cores", "8..2"]), "--cores 8..2: the range 8..2 is empty"),
        (s(&["--cores", "0"]), "out of range"),
        (s(&["--cores", "two"]), "expected a range such as 2..=8"),
        (s(&["--seeds", "5"]), "--seeds 5: expected a range"),
        (s(&["--seeds", "4..4"]), "has no seeds"),
        (s(&["--models", "tso,power"]), "unknown model 'power'"),
        (s(&["--variants", "racy,nope"]), "unknown variant 'nope'"),
        (s(&["--shard", "5/4"]), "--shard 5/4: k must be 1..=4"),
        (s(&["--shard", "x"]), "expected k/n"),
        (s(&["--threads", "0"]), "--threads 0"),
        (s(&["--chunk", "0"]), "--chunk 0"),
        (s(&["--writes", "0"]), "--writes 0"),
        (s(&["--scheduler", "fifo"]), "invalid value 'fifo'"),
        (s(&["--scheduler", "random", "--timing", "order.toml"]), "--timing applies to the timed scheduler"),
        (s(&["--plot", "p.png"]), "expected an .svg file"),
        (s(&["--timing", "typo.toml"]), "typo.toml:2:1: unknown field `trnasfer`"),
        (s(&["--timing", "order.toml"]), "order.toml: transfer: expected min <= typical <= max"),
        (s(&["--timing", "syntax.toml"]), "syntax.toml:"),
        (s(&["--timing", "bad.json"]), "-1 cycles: expected 0 or more"),
        (s(&["--timing", "t.yaml"]), "expected a .toml or .json timing file"),
        (s(&["--timing", "missing.toml"]), "missing.toml: cannot read"),
        (vec!["sweep".into(), "x.ucode".into(), "--out".into(), "o.csv".into()], "only the irq_work workload"),
        (vec!["sweep".into(), "irq_work".into(), "--out".into(), "o.txt".into()], "expected a .csv or .json file"),
        (
            ["run", "irq_work", "--scheduler", "timed", "--timing", "typo.toml"]
                .iter()
                .map(|x| x.to_string())
                .collect(),
            "unknown field `trnasfer`",
        ),
        (
            ["run", "irq_work", "--timing", "order.toml"].iter().map(|x| x.to_string()).collect(),
            "--timing applies to the timed scheduler",
        ),
        (
            ["merge", "--out", "m.csv", "nothing.json"].iter().map(|x| x.to_string()).collect(),
            "nothing.json: cannot read",
        ),
        (
            ["merge", "--out", "m.csv", "typo.toml"].iter().map(|x| x.to_string()).collect(),
            "not a weaksim sweep output",
        ),
    ];
    for (args, want) in cases {
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let (code, out, err) = run_in(d, &a);
        assert_eq!(code, 2, "{args:?}: exit {code}\n{out}\n{err}");
        assert!(err.contains(want), "{args:?}: stderr lacks '{want}':\n{err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `weaksim run --scheduler timed`: cycles in the output and the trace; the
/// saved trace replays; a custom timing file changes the rate.
#[test]
fn timed_runs_report_cycles_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run_json = |extra: &[&str]| {
        let mut a = vec!["run", "irq_work", "--variant", "racy", "--model", "tso", "--format", "json"];
        a.extend_from_slice(extra);
        let (code, out, err) = run_in(d, &a);
        let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v)
    };
    let (code, v) = run_json(&["--scheduler", "timed", "--runs", "50"]);
    assert_eq!(v["scheduler"], "timed");
    assert!(v["cycles"].as_u64().unwrap() > 50 * 1000, "an IPI round trip takes ~1000 cycles: {v}");
    assert_eq!(code, if v["violations"] == 0 { 0 } else { 1 });
    // Stores that take 2000 cycles to drain: the stale read is common.
    write(d, "slow.toml", "drain = { typical = 2000, min = 1000, max = 4000 }\n");
    let (code, v) = run_json(&[
        "--scheduler",
        "timed",
        "--timing",
        "slow.toml",
        "--writes",
        "3",
        "--runs",
        "200",
        "--save-trace",
        "t.json",
    ]);
    assert_eq!(code, 1, "{v}");
    let cmd = v["replay_command"].as_str().unwrap();
    assert!(cmd.contains("--scheduler timed --timing slow.toml"), "{cmd}");
    let trace: Value = serde_json::from_str(&std::fs::read_to_string(d.join("t.json")).unwrap()).unwrap();
    assert_eq!(trace["scheduler"], "timed");
    assert_eq!(trace["cycles"], v["first_violation_cycle"]);
    assert!(trace["cycles"].as_u64().unwrap() > 1000);
    let (code, out, _) = run_in(d, &["replay", "t.json", "--quiet"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("lost work"), "{out}");
    // The reproduce command reruns that seed alone, to the same cycle.
    let args: Vec<&str> = cmd.split(' ').skip(1).chain(["--format", "json"]).collect();
    let (code, out, _) = run_in(d, &args);
    assert_eq!(code, 1);
    let again: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(again["first_violation_cycle"], v["first_violation_cycle"]);
}

#[test]
fn plot_is_an_svg_with_a_panel_per_variant() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = ["--variants", "racy,fixed", "--models", "sc,tso", "--cores", "2..=3", "--seeds", "0..40", "--quiet"];
    let mut a = args.to_vec();
    a.extend(["--scheduler", "random", "--plot", "r.svg"]);
    sweep(d, "r.csv", &a);
    let svg = std::fs::read_to_string(d.join("r.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    for text in ["busy-xchg", "claim-cmpxchg", "cores", "random scheduler"] {
        assert!(svg.contains(text), "the plot lacks '{text}'");
    }
    // merge draws the same plot.
    let mut a = args.to_vec();
    a.extend(["--scheduler", "random"]);
    sweep(d, "r.json", &a);
    let (code, _, err) = run_in(d, &["merge", "r.json", "--out", "m.csv", "--plot", "m.svg"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("m.svg")).unwrap(), svg);
}

/// A timed run's trace keeps each step's cycle: `replay` prints it per step
/// and says, per store, when it entered its store buffer and when it became
/// visible (the race window); a random run's trace says it in steps.
#[test]
fn replay_shows_the_store_buffer_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "slow.toml", "drain = { typical = 2000, min = 1000, max = 4000 }\n");
    let base = ["run", "irq_work", "--variant", "racy", "--model", "tso", "--writes", "3", "--runs", "200"];
    let mut a = base.to_vec();
    a.extend(["--scheduler", "timed", "--timing", "slow.toml", "--save-trace", "t.json"]);
    let (code, out, err) = run_in(d, &a);
    assert_eq!(code, 1, "{out}\n{err}");
    let trace: Value = serde_json::from_str(&std::fs::read_to_string(d.join("t.json")).unwrap()).unwrap();
    let cycles: Vec<u64> = trace["steps"].as_array().unwrap().iter().map(|s| s["cycle"].as_u64().unwrap()).collect();
    assert!(cycles.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(cycles.last().copied(), trace["cycles"].as_u64());
    let (code, out, _) = run_in(d, &["replay", "t.json"]);
    assert_eq!(code, 1, "{out}");
    let step_lines: Vec<&str> =
        out.lines().filter(|l| l.trim_start().split(". ").nth(1).is_some_and(|r| r.starts_with("cycle "))).collect();
    assert_eq!(step_lines.len(), cycles.len(), "{out}");
    assert!(out.contains("Store buffer timeline"), "{out}");
    // "core 0: data0 := 1 buffered at cycle A (step I), visible at cycle B (step J), N cycles in the buffer"
    let mut spans = 0;
    for l in out.lines().filter(|l| l.contains(" buffered at cycle ") && l.contains("visible at cycle")) {
        let num = |after: &str| -> u64 {
            let at = if after == "), " { l.rfind(after) } else { l.find(after) };
            let s = &l[at.unwrap() + after.len()..];
            s[..s.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap()
        };
        let (a, b, n) = (num("buffered at cycle "), num("visible at cycle "), num("), "));
        assert!(a <= b && b - a == n, "{l}");
        assert!(cycles.contains(&a) && cycles.contains(&b), "{l}");
        spans += 1;
    }
    // Each store: once as its drain is narrated, once in the timeline; the slow drain keeps stores for 1000+ cycles.
    assert!(spans >= 2 * 6, "{out}");
    assert!(out.lines().any(|l| l.contains("cycles in the buffer") && l.contains("data")), "{out}");
    // An untimed trace (the search's counterexample) has no cycles: the timeline is in steps.
    let (code, out, err) =
        run_in(d, &["explore", "irq_work", "--variant", "racy", "--model", "tso", "--save-trace", "r.json"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let (_, out, _) = run_in(d, &["replay", "r.json"]);
    assert!(!out.lines().any(|l| l.trim_start().split(". ").nth(1).is_some_and(|r| r.starts_with("cycle "))), "{out}");
    assert!(out.lines().any(|l| l.contains(" buffered at step ") && l.contains(", visible at step ")), "{out}");
}
