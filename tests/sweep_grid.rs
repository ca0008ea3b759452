//! Timing grids and program files in sweeps (issue 14): a two-parameter grid
//! over racy/TSO written, killed and resumed, merged from shards and plotted,
//! byte for byte the same on 1 and 2 threads; `--programs` counting a file's
//! condition against the exhaustive verdict; bad grids exit 2.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("weaksim").unwrap().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn read(d: &Path, f: &str) -> String {
    std::fs::read_to_string(d.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

/// racy on TSO, 2 cores, over drain × start_skew: 4 cells, 30 units each.
const GRID: &[&str] = &[
    "sweep",
    "irq_work",
    "--variants",
    "racy",
    "--models",
    "tso",
    "--cores",
    "2",
    "--seeds",
    "0..3000",
    "--chunk",
    "100",
    "--vary",
    "drain=1,1000",
    "--vary",
    "start_skew=0..=4000:4000",
    "--quiet",
];

fn grid(d: &Path, extra: &[&str]) {
    let mut a = GRID.to_vec();
    a.extend_from_slice(extra);
    let (code, out, err) = run_in(d, &a);
    assert!(code <= 1, "{extra:?}: exit {code}\n{out}\n{err}");
}

fn journal_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).map(|t| t.lines().count()).unwrap_or(0)
}

#[test]
fn grid_sweep_resumes_merges_plots_and_is_the_same_on_any_threads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plot = ["--plot-x", "start_skew", "--log"];
    for t in ["1", "2"] {
        for ext in ["csv", "json"] {
            let out = format!("t{t}.{ext}");
            let svg = format!("t{t}-{ext}.svg");
            let mut a = vec!["--threads", t, "--out", &out, "--plot", &svg];
            a.extend(plot);
            grid(d, &a);
        }
    }
    for f in [".csv", ".json", "-csv.svg", "-json.svg"] {
        let (one, two) = (read(d, &format!("t1{f}")), read(d, &format!("t2{f}")));
        assert_eq!(one, two, "{f}: the output changed with the thread count");
    }
    let (json, csv, svg) = (read(d, "t1.json"), read(d, "t1.csv"), read(d, "t1-csv.svg"));
    assert_eq!(svg, read(d, "t1-json.svg"));

    // One row per (cell, point), the point's values as columns.
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("variant,model,cores,drain,start_skew,runs,violations,rate,ci_low,ci_high,"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let points: Vec<(&str, &str)> = rows.iter().map(|r| (r[3], r[4])).collect();
    assert_eq!(points, [("1", "0"), ("1", "4000"), ("1000", "0"), ("1000", "4000")]);
    assert!(rows.iter().all(|r| r[5] == "3000"), "{csv}");
    let lost: Vec<u64> = rows.iter().map(|r| r[6].parse().unwrap()).collect();
    // docs/timing.md: racy/TSO loses work in one-shot runs only when the start skew exceeds a slow drain.
    assert!(lost[3] > 0, "drain 1000, start_skew 4000 must lose work: {csv}");
    assert_eq!(lost[0], 0, "the default drain with no start skew: {csv}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(v["sweep"]["grid"][1]["field"], "start_skew");
    assert_eq!(v["cells"][3]["params"], serde_json::json!({"drain": 1000, "start_skew": 4000}));
    let repro = v["cells"][3]["reproduce"].as_str().unwrap();
    assert!(repro.contains("--vary drain=1000 --vary start_skew=4000"), "{repro}");

    // The reproduce command loses work on its seed (run takes --vary too).
    let args: Vec<&str> = repro.split(' ').skip(1).collect();
    let (code, out, err) = run_in(d, &args);
    assert_eq!(code, 1, "{repro}:\n{out}\n{err}");

    // The plot: rate against start_skew, a line per drain, the legend apart, a log axis.
    for text in ["against start_skew", "tso drain=1", "tso drain=1000", "proven safe", "0 observed"] {
        assert!(svg.contains(text), "the plot lacks '{text}'");
    }

    // Killed, then resumed: a kill can leave the journal's last line cut short (simulated by truncating it).
    let journal = d.join("cut.json.journal");
    let mut a = GRID.to_vec();
    a.extend(["--threads", "1", "--out", "cut.json"]);
    let bin = assert_cmd::cargo::cargo_bin("weaksim");
    let mut child = std::process::Command::new(bin)
        .current_dir(d)
        .args(&a[..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while journal_lines(&journal) < 6 {
        assert!(t0.elapsed() < Duration::from_secs(120), "the sweep wrote no journal");
        if let Some(s) = child.try_wait().unwrap() {
            panic!("the sweep ended ({s}) before it could be killed: make it longer");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read(&journal).unwrap();
    assert!(String::from_utf8_lossy(&text).lines().next().unwrap().contains("\"grid\""));
    std::fs::write(&journal, &text[..text.len() - 20]).unwrap();
    assert!(!d.join("cut.json").exists(), "no output before the sweep completes");
    let (code, _, err) = run_in(d, &a);
    assert_eq!(code, 2, "without --resume the journal is kept: {err}");
    let mut r = a.clone();
    r.push("--resume");
    let (code, _, err) = run_in(d, &r);
    assert!(code <= 1, "{err}");
    assert_eq!(read(d, "cut.json"), json, "the resumed grid sweep differs");

    // Two shards, merged: the whole sweep, and the same plot.
    for k in ["1/2", "2/2"] {
        let out = format!("part{}.json", &k[..1]);
        grid(d, &["--threads", "2", "--shard", k, "--out", &out]);
    }
    let mut m = vec!["merge", "part2.json", "part1.json", "--out", "m.csv", "--plot", "m.svg"];
    m.extend(plot);
    let (code, _, err) = run_in(d, &m);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(d, "m.csv"), csv);
    assert_eq!(read(d, "m.svg"), svg);
    let (code, _, err) = run_in(d, &["merge", "part1.json", "part2.json", "--out", "m.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(d, "m.json"), json);
    // A shard of another grid is another sweep.
    let mut other = GRID.to_vec();
    let at = other.iter().position(|a| *a == "drain=1,1000").unwrap();
    other[at] = "drain=1,999";
    other.extend(["--shard", "2/2", "--out", "other.json"]);
    let (code, _, err) = run_in(d, &other);
    assert!(code <= 1, "{err}");
    let (code, _, err) = run_in(d, &["merge", "part1.json", "other.json", "--out", "x.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("different sweep"), "{err}");
}

#[test]
fn a_grid_file_is_the_same_grid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("g.toml"), "vary = [\"drain=1,1000\", \"start_skew=0..=4000:4000\"]\n").unwrap();
    let base =
        ["sweep", "irq_work", "--variants", "racy", "--models", "tso", "--cores", "2", "--seeds", "0..50", "--quiet"];
    let mut a = base.to_vec();
    a.extend(["--vary", "drain=1,1000", "--vary", "start_skew=0..=4000:4000", "--out", "flags.json"]);
    assert!(run_in(d, &a).0 <= 1);
    let mut a = base.to_vec();
    a.extend(["--grid", "g.toml", "--out", "file.json"]);
    let (code, _, err) = run_in(d, &a);
    assert!(code <= 1, "{err}");
    assert_eq!(read(d, "flags.json"), read(d, "file.json"));
}

#[test]
fn bad_grids_exit_2_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.toml"), "vary = [\"drain=1\", \"trnasfer=3\"]\n").unwrap();
    for (extra, want) in [
        (vec!["--vary", "drian=1,2"], "unknown timing field 'drian'"),
        (vec!["--vary", "drain=5..2"], "the range is empty"),
        (vec!["--vary", "drain=0..10:0"], "the step must be at least 1"),
        (vec!["--vary", "drain=1,x"], "'x' is not a number"),
        (vec!["--vary", "drain"], "expected FIELD=v1,v2"),
        (vec!["--vary", "drain.typical=1,300"], "min <= typical <= max"),
        (vec!["--vary", "drain=1", "--vary", "drain.max=4"], "already varied"),
        (vec!["--vary", "drain=1,2", "--scheduler", "random"], "need --scheduler timed"),
        (vec!["--grid", "bad.toml"], "bad.toml: vary[1] trnasfer=3: unknown timing field"),
        (vec!["--grid", "none.toml"], "none.toml"),
        (
            vec!["--plot", "p.svg", "--plot-x", "transfer", "--vary", "drain=1,2"],
            "--plot-x transfer: expected one of cores, drain",
        ),
    ] {
        let mut a = vec!["sweep", "irq_work", "--models", "tso", "--cores", "2", "--seeds", "0..10", "--out", "o.csv"];
        a.extend(extra.iter());
        let (code, _, err) = run_in(d, &a);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: got '{err}', want '{want}'");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, _, err) = run_in(d, &["run", "irq_work", "--scheduler", "timed", "--vary", "drain=1,2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run takes one value per field"), "{err}");
}

/// `--programs`: each file's condition counted under each model; a run never
/// reaches what exhaustive search says is unreachable (SB's relaxed outcome
/// under SC), and reaches it under TSO.
#[test]
fn program_sweeps_count_the_condition() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sb = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sb.ucode");
    let fenced = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sb-fenced.ucode");
    let (sb, fenced) = (sb.to_str().unwrap(), fenced.to_str().unwrap());
    let mut a = vec!["sweep", "--programs", sb, fenced, "--models", "sc,tso", "--scheduler", "random"];
    a.extend(["--seeds", "0..2000", "--quiet", "--out", "p.csv", "--threads", "2"]);
    let (code, _, err) = run_in(d, &a);
    assert_eq!(code, 1, "SB under TSO satisfies its condition: exit 1\n{err}");
    let csv = read(d, "p.csv");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("program,model,cores,runs,violations,positive,negative,observation,rate,"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 4, "{csv}");
    for r in &rows {
        let (file, model, pos): (&str, &str, u64) = (&r[0], &r[1], r[5].parse().unwrap());
        // The exhaustive verdict on the same file and model.
        let (code, out, _) = run_in(d, &["explore", file, "--model", model]);
        let reachable = out.contains("Sometimes") || out.contains("Always");
        assert!(code <= 1, "{out}");
        if !reachable {
            assert_eq!(pos, 0, "{file} {model}: unreachable, yet {pos} runs reached it");
            assert_eq!(r[7], "Never");
        }
        if file == sb && model == "tso" {
            assert!(reachable && pos > 0, "{csv}");
            assert!(r.last().unwrap().contains("--save-trace witness.json"), "{csv}");
        }
    }
    // Files and irq_work do not mix, and a program file must load.
    let (code, _, err) = run_in(d, &["sweep", "irq_work", "--programs", sb, "--out", "x.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("not both"), "{err}");
    std::fs::write(d.join("bad.ucode"), "core 0 start=P\nP:\n  frob r1\n").unwrap();
    let (code, _, err) = run_in(d, &["sweep", "--programs", "bad.ucode", "--out", "x.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.ucode"), "{err}");
}
