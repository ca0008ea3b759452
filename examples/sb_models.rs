//! weaksim as a library: build the store-buffering test in Rust, explore it
//! exhaustively under every operational model, and print each verdict.
//!
//!     cargo run --example sb_models
//!
//! Exits 1 if a model's answer is not the expected one (SC forbids both loads
//! reading 0; x86-TSO and ARM allow it), so CI can run it as a check.

use isa::builder::Builder;
use isa::cond::{CondExpr, Condition, Loc, Quantifier};
use isa::instr::{Addr, Instr, LoadOrd, Operand, StoreOrd};
use isa::program::{CoreSpec, Value};
use sim::{ExploreConfig, Verdict};
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    // P0: x := 1; r1 := y      P1: y := 1; r1 := x
    let mut b = Builder::new("SB");
    let x = b.sym("x", Value::Num(0));
    let y = b.sym("y", Value::Num(0));
    for (core, (mine, other)) in [(x, y), (y, x)].into_iter().enumerate() {
        b.label(&format!("P{core}"));
        let start = b.here();
        b.emit(Instr::Store { src: Operand::Imm(1), addr: Addr::sym(mine), ord: StoreOrd::Plain, status: None });
        b.emit(Instr::Load { dst: 1, addr: Addr::sym(other), ord: LoadOrd::Plain, exclusive: false });
        b.emit(Instr::Halt);
        b.core(CoreSpec::new(start));
    }
    let mut program = b.finish();
    // exists (0:r1=0 /\ 1:r1=0)
    let r1 = |core| CondExpr::Eq(Loc::Reg { core, reg: 1 }, Value::Num(0));
    program.condition = Some(Condition {
        quant: Quantifier::Exists,
        expr: CondExpr::And(vec![r1(0), r1(1)]),
        locations: Vec::new(),
        types: Vec::new(),
    });
    let program = Arc::new(program);

    let mut wrong = false;
    for model in sim::models::operational() {
        let machine = match model.machine(program.clone()) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{}: {e}", model.name());
                return std::process::ExitCode::from(2);
            }
        };
        let r = machine.explore(&ExploreConfig::default());
        let reachable = r.finals.values().any(|f| f.holds);
        let verdict = match (r.verdict, reachable) {
            (Verdict::Bounded, false) => "bounded",
            (_, true) => "reachable",
            (_, false) => "unreachable",
        };
        println!("{:<5} {verdict:<11} {} final states, {} states explored", model.name(), r.finals.len(), r.states);
        let expected = model.name() != "sc";
        wrong |= reachable != expected && ["sc", "tso", "arm"].contains(&model.name());
    }
    if wrong {
        eprintln!("unexpected verdict: SC must forbid SB's outcome, TSO and ARM allow it");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}
