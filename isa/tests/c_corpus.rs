//! The C front end over the whole Linux-kernel corpus
//! (`../shared/litmus/lkmm-corpus`, 1,516 tests, and the 5 C rows of
//! `../shared/litmus/verdicts.tsv`): how many lower through each mapping, the
//! refusals grouped by reason, and every condition printing as herd7 prints it.

use isa::cond::condition_text;
use isa::litmus::c::{self, Mapping};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn litmus_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        d.join("lkmm-corpus/verdicts.tsv").is_file(),
        "the shared litmus corpus is missing: expected {} (see README)",
        d.join("lkmm-corpus/verdicts.tsv").display()
    );
    d
}

/// (path below shared/litmus, herd's condition) of every C test.
fn c_tests() -> Vec<(String, String)> {
    let d = litmus_dir();
    let mut out = Vec::new();
    for (tsv, prefix) in [("lkmm-corpus/verdicts.tsv", "lkmm-corpus/"), ("verdicts.tsv", "")] {
        let text = std::fs::read_to_string(d.join(tsv)).expect("read verdicts");
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() >= 6 && cols[1] == "C" && cols[2] == "lkmm" {
                out.push((format!("{prefix}{}", cols[0]), cols[5].to_string()));
            }
        }
    }
    out
}

/// The reason of a refusal without its position and quoted names.
fn reason(msg: &str) -> String {
    let m = msg.splitn(4, ':').nth(3).unwrap_or(msg).trim();
    m.split('`').enumerate().map(|(i, p)| if i % 2 == 1 { "…" } else { p }).collect()
}

#[test]
fn lkmm_corpus_parses() {
    let tests = c_tests();
    assert!(tests.len() >= 1521, "expected the 1,516 corpus tests and 5 C rows, found {}", tests.len());
    let mut ok = 0;
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bad_cond = Vec::new();
    for (file, cond) in &tests {
        let src = std::fs::read_to_string(litmus_dir().join(file)).expect("read test");
        match c::parse(&src, file, Mapping::Lkmm) {
            Ok(t) => {
                ok += 1;
                let p = &t.program;
                p.validate().unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(p.lkmm.len(), p.code.len(), "{file}");
                let got = condition_text(p, p.condition.as_ref().expect("condition"));
                // herd prints `not (p)` for `~p` and flattens nested conjunctions.
                let norm =
                    |s: &str| s.replace("not (", "~(").chars().filter(|c| !"() \t".contains(*c)).collect::<String>();
                if norm(&got) != norm(cond) {
                    bad_cond.push(format!("{file}: condition prints as `{got}`, herd says `{cond}`"));
                }
            }
            Err(e) => refused.entry(reason(&e.msg)).or_default().push(e.to_string()),
        }
    }
    println!("C tests lowered for LKMM: {ok} of {}", tests.len());
    for (r, fs) in &refused {
        println!("refused ({}): {r}", fs.len());
        for f in fs.iter().take(3) {
            println!("    {f}");
        }
    }
    assert!(bad_cond.is_empty(), "{}", bad_cond.join("\n"));
    // Every test herd runs lowers (the floor moves up as the dialect grows).
    assert!(ok >= 1521, "only {ok} of {} C tests lower for LKMM", tests.len());
}
