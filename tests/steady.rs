//! `weaksim steady`: steady-state irq_work, lost work per operation (the 10^6
//! operation figures of docs/timing.md run in release, not here).

use assert_cmd::Command;
use serde_json::Value;

fn steady(dir: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let o = Command::cargo_bin("weaksim").unwrap().current_dir(dir).arg("steady").args(args).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let v = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
    (o.status.code().unwrap_or(-1), v, err)
}

#[test]
fn fixed_never_loses_racy_does_with_a_slow_drain_and_runs_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, v, err) = steady(d, &["--variant", "fixed", "--model", "tso", "--ops", "20000", "--format", "json"]);
    assert_eq!(code, 0, "{v}\n{err}");
    assert_eq!((v["ops"].as_u64(), v["lost"].as_u64(), v["runs"].as_u64()), (Some(20000), Some(0), Some(10)), "{v}");
    assert!(v["ci95"][1].as_f64().unwrap() < 2e-4, "{v}");
    // About 1000 cycles or more per operation: think (mean 2000 per producer, 2 producers) and the IPI round trip.
    assert!(v["cycles"].as_u64().unwrap() > 20000 * 500, "{v}");
    std::fs::write(d.join("slow.toml"), "drain = { typical = 300, min = 250, max = 420 }\n").unwrap();
    let racy =
        ["--variant", "racy", "--ops", "4000", "--ops-per-run", "500", "--timing", "slow.toml", "--format", "json"];
    let (code, v, err) = steady(d, &racy);
    assert_eq!(code, 1, "{v}\n{err}");
    let (lost, ops) = (v["lost"].as_u64().unwrap(), v["ops"].as_u64().unwrap());
    assert_eq!((ops, v["runs"].as_u64()), (4000, Some(4)));
    let (lo, hi) = (v["ci95"][0].as_f64().unwrap(), v["ci95"][1].as_f64().unwrap());
    let rate = lost as f64 / ops as f64;
    assert!(lost > 0 && lo > 0.0 && lo <= rate && rate <= hi, "{v}");
    let (_, again, _) = steady(d, &racy);
    assert_eq!((again["lost"].clone(), again["cycles"].clone()), (v["lost"].clone(), v["cycles"].clone()));
    // Another think time gives another run.
    let mut other = racy.to_vec();
    other.extend(["--think", "100..200"]);
    let (_, o, _) = steady(d, &other);
    assert_ne!(o["cycles"], v["cycles"]);
    assert_eq!(o["think"], "100..200");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, want) in [
        (vec!["--think", "fast"], "expected exp:MEAN or MIN..MAX"),
        (vec!["--think", "9..3"], "minimum is above the maximum"),
        (vec!["--ops-per-run", "0"], "--ops-per-run 0: expected 1..=1000"),
        (vec!["--variant", "nope"], "unknown variant"),
        (vec!["--timing", "missing.toml"], "missing.toml"),
    ] {
        let (code, _, err) = steady(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
