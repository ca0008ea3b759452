//! The "use it as a library" example (examples/sb_models.rs) runs and gives
//! the expected verdicts. `cargo test` builds the examples before running the
//! tests; the binary is found beside this test's own executable.

use std::process::Command;

#[test]
fn sb_models_example_runs_and_agrees_with_the_models() {
    let me = std::env::current_exe().unwrap();
    // target/<profile>/deps/library_example-HASH -> target/<profile>/examples/sb_models
    let exe = me.parent().and_then(|d| d.parent()).unwrap().join("examples").join("sb_models");
    assert!(exe.exists(), "{} not built (cargo test builds examples; run `cargo build --examples`)", exe.display());
    let o = Command::new(&exe).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    let line =
        |m: &str| out.lines().find(|l| l.split_whitespace().next() == Some(m)).unwrap_or_else(|| panic!("{out}"));
    assert!(line("sc").contains("unreachable") && line("sc").contains(" 3 final states"), "{out}");
    assert!(line("tso").contains(" reachable") && line("tso").contains(" 4 final states"), "{out}");
    assert!(line("arm").contains(" reachable"), "{out}");
}
