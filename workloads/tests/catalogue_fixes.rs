//! The wrong answers the catalogue once exposed, one line each: herd7 7.57's
//! verdict and state count on the catalogue file, operationally, and where it
//! matters the axiomatic checker's verdict too.

use memmodels::{Arm, ModelKind, Sc};
use sim::axiom::enumerate::{outcomes as ax_outcomes, EnumConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use workloads::litmus::outcomes;

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
    let o = match model {
        "sc" => outcomes(p, Sc, 1_000_000),
        "arm" => outcomes(p, Arm, 1_000_000),
        _ => panic!("model {model}"),
    };
    assert!(o.bounded.is_none() && o.problem.is_none(), "{file}: {:?} {:?}", o.bounded, o.problem);
    assert_eq!((o.verdict(), o.finals.len()), (verdict, states), "{file} under {model}");
}

/// The axiomatic checker gives herd's verdict and state count.
fn herd_axiomatic(file: &str, model: ModelKind, verdict: &str, states: usize) {
    let p = program(file);
    let o = ax_outcomes(&p, model, &EnumConfig::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
    let pos = o.finals.values().filter(|h| **h).count();
    let ok = p.condition.as_ref().is_some_and(|c| c.verdict(pos, o.finals.len() - pos));
    assert_eq!((if ok { "allowed" } else { "forbidden" }, o.finals.len()), (verdict, states), "{file} (axiomatic)");
}

#[test]
fn dsb_st_orders_earlier_stores_before_later_loads() {
    herd("aarch64/L041.litmus", "arm", "forbidden", 3);
    herd_axiomatic("aarch64/L041.litmus", ModelKind::Arm, "forbidden", 3);
}
