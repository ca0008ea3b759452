//! Registers written negative show signed in the TUI (`r3=-1`, not
//! 18446744073709551615), as in `show` and the narration (issue 17).

use tui::snapshot::{Extra, Snapshot};

#[test]
fn negative_registers_show_signed() {
    let src = "sym x = -2\ncore 0 start=a r3=-1 r4=7\na:\n    mov r5, -5\n    halt\n";
    let p = std::sync::Arc::new(isa::asm::parse(src, "neg.ucode").unwrap());
    let m = sim::models::get("sc").unwrap().machine(p.clone()).unwrap();
    let snap = Snapshot::of(
        &m,
        &Extra { last_read: &[None], planned: None, prev: None, writes: &[], timed: None, timeline: None },
    );
    let reg = |s: &Snapshot, n: &str| s.cores[0].regs.iter().find(|r| r.name == n).unwrap().text.clone();
    assert_eq!(reg(&snap, "r3"), "-1");
    assert_eq!(reg(&snap, "r4"), "7");
    let mem = &snap.memory[0];
    assert_eq!(mem.text, "-2", "{}", mem.text);
    // After `mov r5, -5`.
    let mut m2 = m.clone();
    let t = m2.enabled()[0];
    m2.apply(t).unwrap();
    let s2 = Snapshot::of(
        &m2,
        &Extra { last_read: &[None], planned: None, prev: None, writes: &[], timed: None, timeline: None },
    );
    assert_eq!(s2.cores[0].regs.iter().find(|r| r.name == "r5").unwrap().text, "-5");
}
