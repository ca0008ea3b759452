//! Files weaksim writes survive a kill at any moment: a reader finds either the
//! old file or a complete new one, never a torn one.

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_killed_trace_writer_leaves_a_readable_trace() {
    let bin = assert_cmd::cargo::cargo_bin("weaksim");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let p = path.to_str().unwrap().to_string();
    // An old, complete trace to start from.
    let ok =
        Command::new(&bin).args(["explore", "irq_work", "--variant", "racy", "--save-trace", &p]).output().unwrap();
    assert_eq!(ok.status.code(), Some(1));
    let mut killed = 0;
    for i in 0..60u64 {
        // Alternate between two different traces so a torn mix would be visible.
        let variant = if i % 2 == 0 { "v3.6" } else { "plain-busy" };
        let mut child = Command::new(&bin)
            .args(["explore", "irq_work", "--variant", variant, "--cores", "3", "--save-trace", &p])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a spread of moments, from before the search ends to during the write.
        std::thread::sleep(Duration::from_micros((i * 7919) % 40_000));
        if child.try_wait().unwrap().is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let _ = child.wait();
        let text = std::fs::read_to_string(&path).unwrap();
        let t = sim::Trace::from_json(&text, "t.json").unwrap_or_else(|e| panic!("torn trace after run {i}: {e}"));
        assert!(!t.steps.is_empty());
    }
    assert!(killed > 0, "no writer was killed: the test did not test anything");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(leftovers.len() <= 1 + killed, "{leftovers:?}");
}
