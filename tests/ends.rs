//! Every search ends, honestly (issue 11 "Ends"; issue 16 item 7): each bound
//! (--max-states, --max-memory, --timeout) stops the search, inner promise
//! certification included, with the verdict `bounded` (exit 3) and a message
//! that says which bound and, for a loop whose state never repeats, which
//! loop; a search that was stopped never answers safe or NOT REACHABLE.

use assert_cmd::Command;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Runs weaksim in `dir`; returns (exit code, stdout, stderr, wall time).
fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String, Duration) {
    let t0 = Instant::now();
    let o = Command::cargo_bin("weaksim").unwrap().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
        t0.elapsed(),
    )
}

/// A loop of stores whose state never repeats on ARM (memory grows by one
/// message per iteration, in the promise certification's solo runs too).
const STORE_FOREVER: &str = "name forever\nsym x = 0\ncore 0 start=L\nL:\n    store [x], 1\n    jmp L\n";

/// One core stores `n` times, counting in r1.
fn store_loop(n: u32) -> String {
    format!(
        "name storeloop\nsym x = 0\ncore 0 start=L\nL:\n    store [x], 1\n    add r1, r1, 1\n    bne r1, {n}, L\n    halt\n\
         exists (0:r1={n})\n"
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("forever.ucode"), STORE_FOREVER).unwrap();
    std::fs::write(dir.path().join("loop20.ucode"), store_loop(20)).unwrap();
    dir
}

#[test]
fn max_states_stops_promise_certification() {
    let dir = setup();
    let (code, out, err, took) = run(dir.path(), &["explore", "forever.ucode", "--model", "arm", "--max-states", "10"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("BOUNDED"), "{out}");
    assert!(out.contains("promise certification of core 0 reached its state bound (10 states)"), "{out}");
    assert!(out.contains("round the loop at L"), "the message names the loop: {out}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn timeout_stops_promise_certification() {
    let dir = setup();
    let (code, out, err, took) = run(dir.path(), &["explore", "forever.ucode", "--model", "arm", "--timeout", "1s"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("the time limit (1 s) was reached"), "{out}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    // A bare number is seconds; a bad unit is refused with exit 2.
    let (code, _, err, _) = run(dir.path(), &["explore", "forever.ucode", "--model", "arm", "--timeout", "3 weeks"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown duration unit"), "{err}");
}

#[test]
fn timeout_stops_the_main_search() {
    // SC: the main search itself never ends (r1 counts up for ever).
    let dir = setup();
    let prog =
        "name count\nsym x = 0\ncore 0 start=L\ncore 1 start=M\nL:\n    add r1, r1, 1\n    store [x], r1\n    jmp L\n\
                M:\n    load r2, [x]\n    jmp M\n";
    std::fs::write(dir.path().join("count.ucode"), prog).unwrap();
    let (code, out, err, took) =
        run(dir.path(), &["explore", "count.ucode", "--model", "sc", "--timeout", "500ms", "--format", "json"]);
    assert_eq!(code, 3, "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "bounded");
    let b = v["bound"].as_str().unwrap();
    assert!(b.contains("the time limit (500 ms) was reached"), "{b}");
    assert!(b.contains("round the loop at"), "the message names the loop: {b}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn memory_cap_holds_and_accepts_units() {
    let dir = setup();
    let (code, out, err, _) = run(
        dir.path(),
        &[
            "explore",
            "irq_work",
            "--variant",
            "claim-cmpxchg",
            "--model",
            "tso",
            "--cores",
            "4",
            "--max-memory",
            "60M",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 3, "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "bounded");
    assert!(v["bound"].as_str().unwrap().contains("the memory cap (60 MiB) was reached"), "{v}");
    if let Some(peak) = v["peak_memory_bytes"].as_u64() {
        let cap = 60u64 << 20;
        assert!(peak as f64 <= 1.2 * cap as f64, "peak {peak} bytes over 1.2 × {cap}");
    }
    let (code, _, err, _) = run(dir.path(), &["explore", "forever.ucode", "--max-memory", "12X"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown size unit"), "{err}");
}

#[test]
fn a_stopped_search_is_never_a_negative_answer() {
    let dir = setup();
    // Complete: REACHABLE (ARM promises 20 stores; it said NOT REACHABLE from 14 on).
    let (code, out, err, _) = run(dir.path(), &["explore", "loop20.ucode", "--model", "arm"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("condition REACHABLE"), "{out}");
    // Stopped before the end: bounded, not NOT REACHABLE.
    let (code, out, err, _) = run(dir.path(), &["explore", "loop20.ucode", "--model", "arm", "--max-states", "30"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("BOUNDED") && !out.contains("NOT REACHABLE"), "{out}");
    for model in ["sc", "tso"] {
        let (code, out, err, _) = run(dir.path(), &["explore", "loop20.ucode", "--model", model]);
        assert_eq!(code, 1, "{model}: {out}{err}");
    }
}

/// The default memory cap follows what the process may use (issue 16 item 7:
/// under `ulimit -v 60000` the search aborted): it ends `bounded` instead.
#[test]
fn default_memory_cap_respects_ulimit() {
    let dir = setup();
    let bin = assert_cmd::cargo::cargo_bin("weaksim");
    let script = format!(
        "ulimit -v 100000; exec '{}' explore irq_work --variant claim-cmpxchg --model tso --cores 4 --format json",
        bin.display()
    );
    let t0 = Instant::now();
    let o = std::process::Command::new("bash").arg("-c").arg(&script).current_dir(dir.path()).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["bound"].as_str().unwrap().contains("the memory cap"), "{v}");
    assert!(t0.elapsed() < Duration::from_secs(60), "took {:?}", t0.elapsed());
}

/// A search that takes minutes with either engine (3 cores, ARM, safe): every
/// bound must stop it early, with `bounded` and exit 3.
const LONG: &[&str] = &["explore", "irq_work", "--variant", "claim-fetch-or", "--cores", "3", "--model", "arm"];

fn long(engine: &str, extra: &[&str]) -> (i32, Value, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = LONG.to_vec();
    args.extend_from_slice(&["--engine", engine, "--format", "json"]);
    args.extend_from_slice(extra);
    let (code, out, err, took) = run(dir.path(), &args);
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{engine}: {e}: {out}{err}"));
    (code, v, took)
}

#[test]
fn timeout_stops_both_engines() {
    for engine in ["ops", "graph"] {
        let (code, v, took) = long(engine, &["--timeout", "1s"]);
        assert_eq!((code, v["verdict"].as_str()), (3, Some("bounded")), "{engine}: {v}");
        assert!(v["bound"].as_str().unwrap().contains("the time limit (1 s) was reached"), "{engine}: {v}");
        assert!(took < Duration::from_secs(20), "{engine}: took {took:?}");
    }
}

#[test]
fn memory_cap_stops_both_engines() {
    // Below what the process holds at its start: the first reading stops it.
    for engine in ["ops", "graph"] {
        let (code, v, _) = long(engine, &["--max-memory", "1M"]);
        assert_eq!((code, v["verdict"].as_str()), (3, Some("bounded")), "{engine}: {v}");
        assert!(v["bound"].as_str().unwrap().contains("the memory cap (1 MiB) was reached"), "{engine}: {v}");
    }
}

#[test]
fn max_states_stops_both_engines() {
    for (engine, what) in [("ops", "state bound (50 states)"), ("graph", "more than 50 search nodes")] {
        let (code, v, _) = long(engine, &["--max-states", "50"]);
        assert_eq!((code, v["verdict"].as_str()), (3, Some("bounded")), "{engine}: {v}");
        assert!(v["bound"].as_str().unwrap().contains(what), "{engine}: {v}");
    }
}

/// The graph engine's search for a machine schedule is under the same bounds:
/// racy/TSO's lost work is found in 70 search nodes, but its schedule needs
/// more than 100 machine states. The violation stands (the execution is
/// printed instead); `--max-states 300` gives the schedule.
#[test]
fn graph_schedule_search_is_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let racy = ["explore", "irq_work", "--variant", "racy", "--cores", "2", "--model", "tso", "--engine", "graph"];
    let mut args = racy.to_vec();
    args.extend_from_slice(&["--max-states", "100", "--format", "json"]);
    let (code, out, err, _) = run(dir.path(), &args);
    assert_eq!(code, 1, "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "violation");
    assert!(v["counterexample"].is_null(), "{v}");
    assert_eq!(v["no_schedule"], "no schedule found within 100 machine states", "{v}");
    let mut args = racy.to_vec();
    args.extend_from_slice(&["--max-states", "100"]);
    let (code, out, _, _) = run(dir.path(), &args);
    assert_eq!(code, 1);
    assert!(out.contains("The execution (events in program order"), "{out}");
    let mut args = racy.to_vec();
    args.extend_from_slice(&["--max-states", "300", "--format", "json"]);
    let (code, out, _, _) = run(dir.path(), &args);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["counterexample"].is_object(), "{v}");
}

/// `--threads` with the graph engine: the same verdict and final states as one
/// thread, and the same counterexample for any count above one.
#[test]
fn graph_threads_give_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let sb = "../shared/litmus/x86/SB.litmus";
    let sb = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(sb);
    let sb = sb.to_str().unwrap();
    let strip = |out: &str| {
        let mut v: Value = serde_json::from_str(out.trim()).unwrap();
        for k in ["elapsed_ms", "nodes", "executions", "counterexample"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    for model in ["tso", "arm"] {
        let mut outs = Vec::new();
        for threads in ["1", "2", "3"] {
            let args = ["explore", sb, "--model", model, "--engine", "graph", "--threads", threads, "--format", "json"];
            let (code, out, err, _) = run(dir.path(), &args);
            assert_eq!(code, 1, "{out}{err}");
            outs.push(strip(&out));
        }
        assert_eq!(outs[0], outs[1], "{model}");
        assert_eq!(outs[1], outs[2], "{model}");
    }
    let racy = ["explore", "irq_work", "--variant", "racy", "--cores", "2", "--model", "arm", "--engine", "graph"];
    let mut traces = Vec::new();
    for threads in ["2", "3"] {
        let mut args = racy.to_vec();
        args.extend_from_slice(&["--threads", threads, "--format", "json"]);
        let (code, out, err, _) = run(dir.path(), &args);
        assert_eq!(code, 1, "{out}{err}");
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        traces.push(v["counterexample"].clone());
    }
    assert!(traces[0].is_object());
    assert_eq!(traces[0], traces[1]);
}
