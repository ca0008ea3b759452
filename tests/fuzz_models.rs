//! `weaksim fuzz-models`, the correctness campaign: a small fixed-seed slice
//! runs by default (the 20,000-program campaigns are explicit commands, see
//! `weaksim fuzz-models --help` and docs/engine.md).

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("weaksim").unwrap().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn a_fixed_slice_agrees_on_every_model() {
    for model in ["sc", "tso", "arm"] {
        let (code, out, err) =
            run(&["fuzz-models", "--model", model, "--seed", "0", "--count", "12", "--max-ops", "2"]);
        assert_eq!(code, 0, "{model}: {out}{err}");
        assert!(out.contains("12 programs from seed 0") && out.contains("12 agree, 0 disagree"), "{model}: {out}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    for (args, msg) in [
        (vec!["fuzz-models", "--count", "0"], "--count 0"),
        (vec!["fuzz-models", "--max-ops", "9"], "--max-ops 9"),
        (vec!["fuzz-models", "--model", "lkmm"], "operational and an axiomatic face"),
        (vec!["fuzz-models", "--seed", "18446744073709551615", "--count", "2"], "past 2^64"),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}

#[test]
fn the_graph_engine_is_checked_the_same_way() {
    for model in ["sc", "tso", "arm"] {
        let (code, out, err) = run(&[
            "fuzz-models",
            "--model",
            model,
            "--engine",
            "graph",
            "--seed",
            "0",
            "--count",
            "12",
            "--max-ops",
            "2",
        ]);
        assert!(code == 0 || code == 3, "{model}: {out}{err}");
        assert!(out.contains("(engine graph)") && out.contains(" 0 disagree"), "{model}: {out}");
    }
}
