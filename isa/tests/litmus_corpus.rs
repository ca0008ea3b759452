//! Every litmus file of the shared catalogue (`../shared/litmus/verdicts.tsv`)
//! imports into a valid program whose condition prints as herd prints it: X86,
//! X86_64 and AArch64 ones, and Linux-kernel C ones through the LKMM mapping
//! (`parse` alone refuses C, which needs a mapping).

use isa::cond::condition_text;
use isa::litmus::parse;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `../shared/litmus`: the test fails here, with this message, when it is missing.
fn litmus_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        p.is_dir(),
        "{}: the shared litmus corpus is missing: the tests read ../shared/litmus next to the project (see README)",
        p.display()
    );
    p
}

/// (file, arch, condition) for each distinct file of verdicts.tsv.
fn catalogue() -> BTreeMap<String, (String, String)> {
    let tsv = std::fs::read_to_string(litmus_dir().join("verdicts.tsv")).expect("read verdicts.tsv");
    let mut files = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 6, "bad verdicts.tsv row: {line}");
        files.insert(cols[0].to_string(), (cols[1].to_string(), cols[5].to_string()));
    }
    files
}

#[test]
fn corpus_imports() {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, (arch, cond)) in catalogue() {
        let src = std::fs::read_to_string(litmus_dir().join(&file)).expect("read litmus file");
        let res = parse(&src, &file);
        let res = if arch == "C" {
            let e = res.expect_err("parse refuses C");
            assert!(e.to_string().starts_with(&format!("{file}:1:1: unsupported arch C here")), "{e}");
            isa::litmus::parse_with(&src, &file, isa::litmus::c::Mapping::Lkmm)
        } else {
            res
        };
        let t = match res {
            Ok(t) => t,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        assert_eq!(t.arch.name(), arch, "{file}");
        let p = &t.program;
        p.validate().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(p.name, t.name);
        let c = p.condition.as_ref().expect("condition");
        let got = condition_text(p, c);
        let norm = |s: &str| s.split_whitespace().collect::<String>();
        if norm(&got) != norm(&cond) {
            failures.push(format!("{file}: condition prints as `{got}`, herd says `{cond}`"));
        }
        *counts.entry(arch).or_default() += 1;
    }
    println!("imported litmus files per arch: {counts:?}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    let total: usize = counts.values().sum();
    assert_eq!(total, catalogue().len());
    // A reader that lists nothing cannot pass: the catalogue has 238 files, 233 of them X86/AArch64.
    let imported = total - counts.get("C (rejected)").copied().unwrap_or(0);
    assert!(imported >= 230, "only {imported} files imported");
}
