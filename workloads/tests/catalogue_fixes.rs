//! The wrong answers the catalogue once exposed, one line each: herd7 7.57's
//! verdict and state count on the catalogue file, operationally, and where it
//! matters the axiomatic checker's verdict too.

use sim::axiom::enumerate::EnumConfig;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use workloads::litmus::{outcomes, Outcomes};

/// The operational search of `p` under model `model` (`sc`, `tso`, `arm`).
fn run(p: Arc<isa::Program>, model: &str) -> Outcomes {
    let m = sim::models::get(model).unwrap_or_else(|e| panic!("{e}"));
    outcomes(&*m.machine(p).expect("an operational model"), 1_000_000)
}

fn catalogue(file: &str) -> (PathBuf, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus/catalogue").join(file);
    let src = std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (this test needs ../shared/litmus/catalogue)", p.display()));
    (p, src)
}

fn program(file: &str) -> Arc<isa::Program> {
    let (_, src) = catalogue(file);
    Arc::new(isa::litmus::parse(&src, file).unwrap_or_else(|e| panic!("{e}")).program)
}

/// The operational model gives herd's verdict and state count.
fn herd(file: &str, model: &str, verdict: &str, states: usize) {
    let p = program(file);
    let o = run(p, model);
    assert!(o.bounded.is_none() && o.problem.is_none(), "{file}: {:?} {:?}", o.bounded, o.problem);
    assert_eq!((o.verdict(), o.finals.len()), (verdict, states), "{file} under {model}");
}

/// The axiomatic checker gives herd's verdict and state count.
fn herd_axiomatic(file: &str, model: &str, verdict: &str, states: usize) {
    let p = program(file);
    let m = sim::models::get(model).unwrap_or_else(|e| panic!("{e}"));
    let o = m.axiomatic_outcomes(&p, &EnumConfig::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
    let pos = o.finals.values().filter(|h| **h).count();
    let ok = p.condition.as_ref().is_some_and(|c| c.verdict(pos, o.finals.len() - pos));
    assert_eq!((if ok { "allowed" } else { "forbidden" }, o.finals.len()), (verdict, states), "{file} (axiomatic)");
}

#[test]
fn dsb_st_orders_earlier_stores_before_later_loads() {
    herd("aarch64/L041.litmus", "arm", "forbidden", 3);
    herd_axiomatic("aarch64/L041.litmus", "arm", "forbidden", 3);
}

/// The file is refused: `file:line:col: unsupported …` with `what` in the message,
/// at import or (a fault) when it runs.
fn refused(file: &str, what: &str) {
    let (_, src) = catalogue(file);
    let msg = match isa::litmus::parse(&src, file) {
        Err(e) => e.to_string(),
        Ok(t) => {
            let o = run(Arc::new(t.program.clone()), "sc");
            match workloads::litmus::fault_error(&t, file, &o) {
                Some(e) => e.to_string(),
                None => panic!("{file} ran: {} with {} states", o.verdict(), o.finals.len()),
            }
        }
    };
    assert!(msg.starts_with(&format!("{file}:")) && msg.contains(": unsupported") && msg.contains(what), "{msg}");
}

fn refused_text(src: &str, what: &str) {
    let e = isa::litmus::parse(src, "t.litmus").expect_err("must be refused");
    assert!(e.msg.starts_with("unsupported") && e.msg.contains(what), "{e}");
}

#[test]
fn pair_halves_are_unordered_under_sc() {
    herd("aarch64/L058.litmus", "sc", "allowed", 32); // STP/LDP halves in either order, as herd's po leaves them
}

#[test]
fn release_and_acquire_pairs_stilp_ldiapp() {
    herd("aarch64/L080.litmus", "arm", "allowed", 16); // STILP: two release stores; LDIAPP: two acquire-PC loads
    herd("aarch64/L080.litmus", "sc", "forbidden", 7);
    herd("aarch64/L083.litmus", "arm", "allowed", 3); // STILP with write-back: the higher address first
    herd("aarch64/L084.litmus", "sc", "forbidden", 4); // SC leaves LDIAPP's halves unordered, as herd's sc.cat
}

#[test]
fn w_registers_truncate_and_zero_extend() {
    herd("aarch64/ADD02.litmus", "arm", "allowed", 1); // ADD W2,W1,W0 with W1=-2: 0xffffffff
    herd("aarch64/LDADD01.litmus", "arm", "allowed", 1); // LDADD W: 32-bit read, 32-bit write
    herd("aarch64/A176.litmus", "arm", "allowed", 1); // LDR W of a 64-bit cell reads its low half
    herd("aarch64/A26.litmus", "sc", "allowed", 1); // LDRSB/LDRB of an int8_t
}

#[test]
fn mixed_size_accesses_are_refused() {
    refused("aarch64/CO-MIXED-20cc.litmus", "mixed-size"); // STR W and STR X on one cell
    refused("aarch64/A12.litmus", "mixed-size"); // STR W at x+4
    refused("aarch64/A104.litmus", "mixed-size"); // STRB at x+1, through an index register
}

#[test]
fn virtual_memory_tests_are_refused() {
    refused("aarch64/MP-TTD.litmus", "virtual-memory");
    refused_text("AArch64 coRR-pte\n{ 0:X1=pte_x; }\n P0 ;\n LDR X0,[X1] ;\nexists (0:X0=0)\n", "-variant vmsa");
}

// Forms the catalogue uses that once were refused; each runs to herd's answer.

#[test]
fn x86_64_nops_ret_shl_and_scaled_index() {
    for f in ["A000", "A003", "A004", "A005"] {
        herd(&format!("x86_64/{f}.litmus"), "tso", "allowed", 1); // NOP, endbr64, nopl/nopw (operands unread)
    }
    herd("x86_64/A001.litmus", "tso", "allowed", 1); // rip
    herd("x86_64/A002.litmus", "tso", "allowed", 1); // cs
    herd("x86_64/A006.litmus", "tso", "forbidden", 2); // ret ends the thread
    herd("x86_64/A007.litmus", "tso", "allowed", 1); // shl 2,%eax
    herd("x86_64/A009.litmus", "tso", "allowed", 1); // 0(%rax,%ebx,8)
}

#[test]
fn aarch64_forms() {
    herd("aarch64/A164.litmus", "arm", "allowed", 1); // 0:XZR=0 in the condition
    herd("aarch64/A173.litmus", "arm", "allowed", 1); // SP
    herd("aarch64/L017.litmus", "arm", "allowed", 1); // [X2,X3,LSL#2]
    herd("aarch64/L003.litmus", "arm", "allowed", 1); // no condition: forall (true)
    herd("aarch64/L013.litmus", "arm", "allowed", 1); // forall t={2,1}
    herd("aarch64/L094.litmus", "arm", "allowed", 1); // REV
    herd("aarch64/L093.litmus", "arm", "allowed", 1); // RBIT
    herd("aarch64/EXTR.litmus", "arm", "allowed", 1); // EXTR
}
