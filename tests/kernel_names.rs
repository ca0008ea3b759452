//! `.ucode` that speaks kernel, through the CLI: `smp_mb`/`smp_rmb`/`smp_wmb`,
//! `smp_load_acquire`/`smp_store_release`, `READ_ONCE`/`WRITE_ONCE`, both
//! spellings of the acquire/release suffixes, and "did you mean" on a slip.

use assert_cmd::Command;
use std::path::Path;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("weaksim").unwrap().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// Message passing: core 0 writes data then the flag, core 1 reads the flag
/// then data; `writer`/`reader` are the ordering between the two accesses.
fn mp(dir: &Path, name: &str, writer: [&str; 3], reader: [&str; 3]) -> String {
    let text = format!(
        "name {name}\nsym data = 0\nsym flag = 0\ncore 0 start=P0\ncore 1 start=P1\n\
         P0:\n    {}\n    {}\n    {}\n    halt\n\
         P1:\n    {}\n    {}\n    {}\n    halt\n\
         exists (1:r1=1 /\\ 1:r2=0)\n",
        writer[0], writer[1], writer[2], reader[0], reader[1], reader[2]
    );
    let p = dir.join(format!("{name}.ucode"));
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const PLAIN_W: [&str; 3] = ["WRITE_ONCE [data], 1", "nop", "WRITE_ONCE [flag], 1"];
const PLAIN_R: [&str; 3] = ["READ_ONCE r1, [flag]", "nop", "READ_ONCE r2, [data]"];

/// Exit code of `explore FILE --model arm` (0: condition unreachable, 1: reachable).
fn arm(file: &str) -> i32 {
    let (code, out, err) = run(&["explore", file, "--model", "arm"]);
    assert!(code == 0 || code == 1, "{file}: exit {code}\n{out}\n{err}");
    code
}

#[test]
fn kernel_barriers_order_message_passing_on_arm() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // Plain accesses: the reader can see the flag and old data on ARM.
    assert_eq!(arm(&mp(dir, "mp-once", PLAIN_W, PLAIN_R)), 1);
    // smp_wmb alone, or smp_rmb alone, is not enough; the pair is.
    let wmb = ["WRITE_ONCE [data], 1", "smp_wmb", "WRITE_ONCE [flag], 1"];
    let rmb = ["READ_ONCE r1, [flag]", "smp_rmb", "READ_ONCE r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-wmb", wmb, PLAIN_R)), 1);
    assert_eq!(arm(&mp(dir, "mp-rmb", PLAIN_W, rmb)), 1);
    assert_eq!(arm(&mp(dir, "mp-wmb-rmb", wmb, rmb)), 0);
    let mb_w = ["WRITE_ONCE [data], 1", "smp_mb", "WRITE_ONCE [flag], 1"];
    let mb_r = ["READ_ONCE r1, [flag]", "smp_mb", "READ_ONCE r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-mb", mb_w, mb_r)), 0);
    // Release/acquire, in the kernel's names and in both suffix spellings.
    let rel = ["WRITE_ONCE [data], 1", "nop", "smp_store_release [flag], 1"];
    let acq = ["smp_load_acquire r1, [flag]", "nop", "READ_ONCE r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-kernel-ra", rel, acq)), 0);
    let rel = ["store [data], 1", "nop", "store.release [flag], 1"];
    let acq = ["load.acquire r1, [flag]", "nop", "load r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-long-ra", rel, acq)), 0);
    let rel = ["store [data], 1", "nop", "xchg.rel _, [flag], 1"];
    let acq = ["fetch_or.acq r1, [flag], 0", "nop", "load r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-rmw-ra", rel, acq)), 0);
    // The relaxed RMWs order nothing: the outcome comes back.
    let rel = ["store [data], 1", "nop", "xchg.relaxed _, [flag], 1"];
    let acq = ["fetch_or.relaxed r1, [flag], 0", "nop", "load r2, [data]"];
    assert_eq!(arm(&mp(dir, "mp-rmw-relaxed", rel, acq)), 1);
}

#[test]
fn show_prints_the_microcode_a_kernel_name_stands_for() {
    let d = tempfile::tempdir().unwrap();
    let wmb = ["WRITE_ONCE [data], 1", "smp_wmb", "smp_store_release [flag], 1"];
    let rmb = ["smp_load_acquire r1, [flag]", "smp_rmb", "READ_ONCE r2, [data]"];
    let f = mp(d.path(), "mp-show", wmb, rmb);
    let (code, out, err) = run(&["show", &f]);
    assert_eq!(code, 0, "{err}");
    for line in ["fence.st", "store.rel [flag], 1", "load.acq r1, [flag]", "fence.ld", "load r2, [data]"] {
        assert!(out.contains(line), "no {line:?} in\n{out}");
    }
}

#[test]
fn slips_get_a_did_you_mean_with_position_and_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let cases: &[([&str; 3], &str)] = &[
        (["WRITE_ONCE [data], 1", "smp_wbm", "nop"], ":8:5: unknown mnemonic 'smp_wbm' (did you mean 'smp_wmb'?)"),
        (["store [data], 1", "nop", "store.relase [flag], 1"], "did you mean '.release'? valid: .rel/.release, .ex"),
        (["xchg.aq r1, [flag], 1", "nop", "nop"], ":7:9: unknown suffix '.aq' for 'xchg' (did you mean '.acq'?"),
        (["load.rel r1, [flag]", "nop", "nop"], "unknown suffix '.rel' for 'load' (valid: .acq/.acquire, .acqpc"),
    ];
    for (i, (w, want)) in cases.iter().enumerate() {
        let f = mp(d.path(), &format!("slip{i}"), *w, PLAIN_R);
        let (code, _, err) = run(&["explore", &f, "--model", "arm"]);
        assert_eq!(code, 2, "{f}: {err}");
        assert!(err.contains(&format!("slip{i}.ucode")), "no file name in {err}");
        assert!(err.contains(want), "{f}: wanted {want:?} in\n{err}");
    }
}
