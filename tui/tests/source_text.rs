//! A litmus test's code is listed as the user wrote it beside the microcode
//! (issue 15: `DMB SY` was shown as `fence`), in the listing and as a core's
//! next instruction.

const MP: &str = "AArch64 MP+dmb.sy\n{\n0:X1=x; 0:X3=y;\n1:X1=y; 1:X3=x;\n}\n P0          | P1          ;\n MOV W0,#1   | LDR W0,[X1] ;\n STR W0,[X1] | DMB SY      ;\n DMB SY      | LDR W2,[X3] ;\n MOV W2,#1   |             ;\n STR W2,[X3] |             ;\nexists (1:X0=1 /\\ 1:X2=0)\n";

#[test]
fn dmb_sy_is_shown_as_written() {
    let p = isa::litmus::parse(MP, "MP.litmus").expect("parses").program;
    let listing = tui::snapshot::listing(&p);
    let fence_pcs: Vec<usize> =
        (0..p.code.len()).filter(|&pc| matches!(p.code[pc], isa::instr::Instr::Fence(_))).collect();
    assert_eq!(fence_pcs.len(), 2);
    for pc in fence_pcs {
        let line = listing.iter().find(|l| l.pc == Some(pc as isa::Pc)).unwrap();
        assert_eq!(line.text, "DMB SY", "{listing:#?}");
    }
    // Every line of P0 as written, then the halt weaksim appends.
    let p0: Vec<&str> = listing.iter().skip(1).take(6).map(|l| l.text.as_str()).collect();
    assert_eq!(p0, ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]", "halt"], "{listing:#?}");
    // The source text travels with the program (traces carry it) and is checked.
    let json = serde_json::to_string(&p).unwrap();
    let back: isa::Program = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let mut bad = p.clone();
    bad.source.pop();
    assert!(bad.validate().is_err());
    // A .ucode program has no source texts: its text is the microcode.
    let u = isa::asm::parse("core 0 start=a\na:\n    fence\n    halt\n", "u.ucode").unwrap();
    assert!(u.source.is_empty());
    assert_eq!(u.shown_instr(0), "fence");
}

#[test]
fn a_cores_next_instruction_shows_the_source_too() {
    let p = std::sync::Arc::new(isa::litmus::parse(MP, "MP.litmus").expect("parses").program);
    let fence_pc = (0..p.code.len()).find(|&pc| p.source_text(pc) == Some("DMB SY")).unwrap();
    let mut m = sim::models::get("arm").unwrap().machine(p.clone()).unwrap();
    // Step core 0 until its next instruction is the fence.
    for _ in 0..20 {
        if m.core(0).pc as usize == fence_pc {
            break;
        }
        let t = m.enabled().into_iter().find(|t| matches!(t, sim::Transition::Exec { core: 0, .. })).unwrap();
        m.apply(t).unwrap();
    }
    assert_eq!(m.core(0).pc as usize, fence_pc);
    assert_eq!(m.next_text(0), "DMB SY");
}

#[test]
fn a_branch_is_listed_with_the_label_the_source_used() {
    let text = "core 0 start=reader\nreader:\nretry:\n    load r5, [x]\n    bnz r5, retry\n    halt\nsym x = 0\n";
    let p = isa::asm::parse(text, "seq.ucode").unwrap();
    let listing = tui::snapshot::listing(&p);
    let texts: Vec<&str> = listing.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"bnz r5, retry"), "{texts:?}");
    assert_eq!(isa::asm::parse(&isa::asm::print(&p), "again.ucode").unwrap(), p);
    // The name is for printing only: the fingerprint ignores it.
    let first = isa::asm::parse(&text.replace("bnz r5, retry", "bnz r5, reader"), "a.ucode").unwrap();
    assert_eq!(first.fingerprint(), p.fingerprint());
    assert!(first.target_labels.is_empty() && !p.target_labels.is_empty());
}
