//! `weaksim explain`, `explore --explain` and `litmus --witness`: the cycle in
//! words, DOT with per-core columns, SVG through Graphviz (or a clear message).

use assert_cmd::Command;

fn run(args: &[&str], path: Option<&str>) -> (i32, String, String) {
    let mut c = Command::cargo_bin("weaksim").unwrap();
    c.args(args);
    if let Some(p) = path {
        c.env("PATH", p);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// Saves the counterexample of an irq_work variant under a model.
fn trace(dir: &std::path::Path, variant: &str, model: &str) -> String {
    let p = dir.join(format!("{variant}-{model}.json")).display().to_string();
    let (code, _, err) = run(
        &["explore", "irq_work", "--variant", variant, "--model", model, "--save-trace", &p, "--threads", "1"],
        None,
    );
    assert_eq!(code, 1, "{err}");
    p
}

#[test]
fn racy_tso_is_a_store_buffering_cycle() {
    let d = tempfile::tempdir().unwrap();
    let t = trace(d.path(), "racy", "tso");
    let dot = d.path().join("g.dot");
    let (code, out, err) = run(&["explain", &t, "--dot", dot.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Axiomatic check: consistent with x86-TSO"), "{out}");
    assert!(
        out.contains("core 1's load of flags read before core 0's xchg (fr), and core 0's load of data1 read before core 1's store of data1 (fr): a store-buffering cycle; it is closed only by full ordering on both sides"),
        "{out}"
    );
    assert!(out.contains("NOT kept in order on x86-TSO; the store was still in core 1's store buffer"), "{out}");
    let text = std::fs::read_to_string(&dot).unwrap();
    for want in ["digraph execution", "cluster_core0", "cluster_core1", "label=\"fr\"", "label=\"po\"", "penwidth=2.5"]
    {
        assert!(text.contains(want), "{want} missing from the DOT:\n{text}");
    }
}

#[test]
fn fixed_arm_names_the_failed_cmpxchg() {
    let d = tempfile::tempdir().unwrap();
    let t = trace(d.path(), "fixed", "arm");
    let (code, out, err) = run(&["explain", &t], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("consistent with ARMv8"), "{out}");
    assert!(out.contains("cmpxchg failed, so it performed only its read"), "{out}");
    assert!(out.contains("store-buffering cycle"), "{out}");
}

#[test]
fn explore_explain_prints_the_cycle_after_the_counterexample() {
    let (code, out, _) =
        run(&["explore", "irq_work", "--variant", "racy", "--model", "tso", "--explain", "--threads", "1"], None);
    assert_eq!(code, 1);
    let ce = out.find("Shortest counterexample").expect("counterexample");
    let why = out.find("Why the outcome is not sequentially consistent").expect("explanation");
    assert!(ce < why, "{out}");
}

#[test]
fn litmus_witness_explains_sb() {
    let sb = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/litmus/x86/SB.litmus");
    assert!(
        std::path::Path::new(sb).exists(),
        "{sb}: the shared litmus corpus is missing: the tests read ../shared/litmus next to the project (see README)"
    );
    let (code, out, err) = run(&["litmus", "--model", "tso", "--witness", sb], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("store-buffering cycle"), "{out}");
}

#[test]
fn svg_without_graphviz_says_so_and_keeps_the_dot() {
    let d = tempfile::tempdir().unwrap();
    let t = trace(d.path(), "racy", "tso");
    let empty = tempfile::tempdir().unwrap();
    let svg = d.path().join("g.svg");
    let (code, _, err) = run(&["explain", &t, "--svg", svg.to_str().unwrap()], Some(empty.path().to_str().unwrap()));
    assert_eq!(code, 2);
    assert!(err.contains("Graphviz `dot` is not installed"), "{err}");
    assert!(d.path().join("g.dot").exists(), "the DOT fallback is written");
    assert!(!svg.exists());
}

#[test]
fn bad_trace_is_bad_input() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("t.json");
    std::fs::write(&p, "{}").unwrap();
    let (code, _, err) = run(&["explain", p.to_str().unwrap()], None);
    assert_eq!(code, 2, "{err}");
}

/// A test-and-set lock (one try each) around an increment, unlocked with a
/// plain store: on ARM the second holder can read the count from before the
/// first holder's increment. The fix is a release unlock; a full fence after
/// the acquire xchg is not (issue 17), and the acquire xchg is never called
/// fully ordered.
const SPIN: &str = "name spinlock\nsym lock = 0\nsym cnt = 0\ncore 0 start=P\ncore 1 start=P\n\
    P:\n    xchg.acquire r1, [lock], 1\n    bnz r1, out\n    load r2, [cnt]\n    add r2, r2, 1\n    \
    store [cnt], r2\n    store [lock], 0\nout:\n    halt\n\
    exists (0:r1=0 /\\ 1:r1=0 /\\ cnt=1)\n";

#[test]
fn spinlock_fixes_are_checked_by_searching_again() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("spin.ucode");
    std::fs::write(&f, SPIN).unwrap();
    let p = f.to_str().unwrap();
    let (code, out, err) = run(&["explore", p, "--model", "arm", "--explain"], None);
    assert_eq!(code, 1, "{out}{err}");
    // The cycle goes through the value the xchg read (rf), not its write (co).
    assert!(out.contains("core 1's xchg read from core 0's store of lock (rf)"), "{out}");
    assert!(out.contains("the xchg is an acquire"), "{out}");
    assert!(!out.contains("fully ordered"), "{out}");
    let fixes = out.split("Fixes, each checked by searching again").nth(1).unwrap_or_else(|| panic!("{out}"));
    let fixes = fixes.split("The cycle:").next().unwrap();
    assert!(fixes.contains("make core 0's `store [lock], 0` a release: `store.rel [lock], 0`"), "{fixes}");
    assert!(!out.contains("smp_mb()) before core 1's `load r2, [cnt]`") || out.contains("Not enough"), "{out}");

    // The suggested fix, applied by hand, makes the condition unreachable...
    std::fs::write(&f, SPIN.replace("store [lock], 0", "store.rel [lock], 0")).unwrap();
    let (code, out, _) = run(&["explore", p, "--model", "arm"], None);
    assert_eq!(code, 0, "{out}");
    // ...and the fence the old explanation suggested does not.
    std::fs::write(&f, SPIN.replace("    load r2, [cnt]\n", "    fence\n    load r2, [cnt]\n")).unwrap();
    let (code, out, _) = run(&["explore", p, "--model", "arm", "--explain"], None);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("fully ordered"), "{out}");
    let fixes = out.split("Fixes, each checked by searching again").nth(1).unwrap_or_else(|| panic!("{out}"));
    assert!(fixes.contains("`store.rel [lock], 0`"), "{fixes}");
}

/// Store buffering needs both sides ordered: no single change is offered as a
/// fix; the pair of fences is, checked together.
#[test]
fn store_buffering_needs_both_fences_checked_together() {
    let sb = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sb.ucode");
    let (code, out, _) = run(&["explore", sb, "--model", "tso", "--explain"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("No change to one edge is enough; together these are a fix"), "{out}");
    assert!(out.contains("Not enough on its own"), "{out}");
}
