//! Program fingerprints: XXH3 of the canonical text, pinned. A change to the
//! canonical text or the hash shows here; it must come with a new
//! `FINGERPRINT_VERSION` (and trace version), since traces store fingerprints.

use isa::{asm, litmus, Program, FINGERPRINT_VERSION};

const SB: &str = "name sb
sym x = 0
sym y = 0
core 0 start=P0
core 1 start=P1

P0:
    store [x], 1
    load r1, [y]
    halt
P1:
    store [y], 1
    load r1, [x]
    halt

exists (0:r1=0 /\\ 1:r1=0)
";

/// A narrow cell and typed condition locations (with the filter that
/// `typed()` adds): what the `.ucode` text does not carry.
const TYPED: &str = "AArch64 fp-typed
{
uint8_t x=0;
0:X1=x;
1:X1=x;
}
 P0           | P1           ;
 MOV W0,#1    | LDRB W2,[X1] ;
 STRB W0,[X1] |              ;
exists (1:X2=1)
";

fn sb() -> Program {
    asm::parse(SB, "sb.ucode").unwrap()
}

fn typed() -> Program {
    let mut p = litmus::parse(TYPED, "typed.litmus").unwrap().program;
    // herd's filter (the .litmus reader takes it for C tests): the condition's own property.
    p.filter = Some(p.condition.as_ref().unwrap().expr.clone());
    p
}

fn hex(p: &Program) -> String {
    format!("{:016x}", p.fingerprint())
}

#[test]
fn pinned_values() {
    assert_eq!(FINGERPRINT_VERSION, 2);
    assert_eq!(hex(&sb()), "7d9b74a060122ff4");
    assert_eq!(hex(&typed()), "d6c44289fab704cd");
}

#[test]
fn canonical_text_is_versioned_and_complete() {
    let t = typed().canonical_text();
    assert!(t.starts_with("weaksim program v2\n"), "{t}");
    assert!(t.contains("\ncell x bits=8"), "{t}");
    assert!(t.contains("\nfilter "), "{t}");
    assert!(!t.contains("fp-typed"), "the name is not part of the meaning: {t}");
}

#[test]
fn name_and_labels_do_not_count_but_code_and_types_do() {
    let p = sb();
    let mut renamed = p.clone();
    renamed.name = "another name".into();
    for l in &mut renamed.labels {
        l.name = format!("{}_x", l.name);
    }
    assert_eq!(renamed.fingerprint(), p.fingerprint());

    let mut changed = p.clone();
    changed.code.swap(0, 1);
    assert_ne!(changed.fingerprint(), p.fingerprint());

    let mut wide = typed();
    wide.symbols[0].width = isa::Width::W64;
    assert_ne!(wide.fingerprint(), typed().fingerprint());

    let mut unfiltered = typed();
    unfiltered.filter = None;
    assert_ne!(unfiltered.fingerprint(), typed().fingerprint());

    let mut untyped = typed();
    untyped.condition.as_mut().unwrap().types.clear();
    assert_ne!(untyped.fingerprint(), typed().fingerprint());
}
