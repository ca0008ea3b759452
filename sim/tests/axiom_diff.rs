//! Differential testing on generated programs (2–4 cores, ≤ 4 operations each:
//! loads, stores, RMWs, fences, dependencies): for each model, the operational
//! final-state set equals the axiomatic one and every reached final state's
//! execution is consistent; and SC ⊆ TSO ⊆ ARM on outcome sets.
//!
//! By default both tests are fixed: the proptest runs `WEAKSIM_DIFF_CASES`
//! cases (default 6) from the fixed seed `WEAKSIM_DIFF_SEED` (default
//! [`DEFAULT_SEED`]) with no failure file, and the seeded test checks the
//! programs `GenProgram::random(seed, 4)` for seeds `WEAKSIM_DIFF_FROM..+WEAKSIM_DIFF_PROGRAMS`
//! (default 0..6). Same commit, same cases, on any machine.
//!
//! Large campaigns are explicit commands, e.g.
//!
//! ```text
//! WEAKSIM_DIFF_PROGRAMS=10000 cargo test --release -p sim --test axiom_diff seeded -- --nocapture
//! WEAKSIM_DIFF_SEED=random WEAKSIM_DIFF_CASES=2000 cargo test --release -p sim --test axiom_diff operational -- --nocapture
//! ```
//!
//! Every failure prints the command that reproduces it. Known disagreements
//! are pinned in `axiom_regressions.rs` (a campaign finds them again).
//! A program counts as inconclusive (not as agreeing) when a search bound stops either side.

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};
use sim::axiom::crosscheck::{crosscheck, Agreement};
use sim::axiom::enumerate::EnumConfig;
use sim::axiom::gen::{GOp, GenProgram};
use sim::Model;
use std::sync::Arc;

/// The proptest's seed unless `WEAKSIM_DIFF_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x5eed_d1ff;

fn env(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v:?}: expected a number")),
    }
}

/// The proptest's seed: `WEAKSIM_DIFF_SEED` (a number, or `random` for a fresh one), else [`DEFAULT_SEED`].
/// Drawn once per process.
fn proptest_seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| match std::env::var("WEAKSIM_DIFF_SEED").as_deref() {
        Ok("random") => {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
            let seed = h.finish();
            eprintln!("WEAKSIM_DIFF_SEED={seed}");
            seed
        }
        _ => env("WEAKSIM_DIFF_SEED", DEFAULT_SEED),
    })
}

fn side(prog: &Arc<isa::Program>, m: &Model) -> (Agreement, String) {
    let cfg = EnumConfig { max_candidates: 300_000, max_combinations: 20_000, ..EnumConfig::default() };
    let a = crosscheck(prog, m, 50_000, &cfg);
    let d = a.difference(prog);
    (a, d)
}

/// Checks one generated program: `Ok(false)` when a search bound made it
/// inconclusive (skipped); the error names the program in `.ucode` text.
fn check(g: &GenProgram) -> Result<bool, String> {
    let prog = Arc::new(g.program("generated"));
    let text = isa::asm::print(&prog);
    let mut sets = Vec::new();
    for m in ["sc", "tso", "arm"] {
        let (a, d) = side(&prog, &sim::models::get(m).unwrap());
        if a.incomplete.as_deref().is_some_and(|i| i.contains("bound")) {
            return Ok(false);
        }
        if !a.agrees() {
            return Err(format!("{m}: {d}\n{text}"));
        }
        sets.push(a.operational);
    }
    if !sets[0].is_subset(&sets[1]) {
        return Err(format!("an SC outcome is not a TSO outcome\n{text}"));
    }
    if !sets[0].is_subset(&sets[2]) {
        return Err(format!("an SC outcome is not an ARM outcome\n{text}"));
    }
    if !g.has_release_then_acquire() && !sets[1].is_subset(&sets[2]) {
        return Err(format!("a TSO outcome is not an ARM outcome\n{text}"));
    }
    Ok(true)
}

fn op(locs: u8) -> impl Strategy<Value = GOp> {
    (0u8..10, 0..locs, 0u8..16, any::<bool>(), 0u8..8).prop_map(|(k, l, a, r, d)| GOp::from_codes(k, l, a, r, d))
}

fn program() -> impl Strategy<Value = GenProgram> {
    (1u8..=3)
        .prop_flat_map(|locs| (Just(locs), prop::collection::vec(prop::collection::vec(op(locs), 1..=4), 2..=4)))
        .prop_map(|(locs, threads)| GenProgram { locs, threads })
}

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        cases: env("WEAKSIM_DIFF_CASES", 6) as u32,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(proptest_seed()),
        // A test run writes nothing into the source tree: a failure found here
        // becomes a named test in axiom_regressions.rs, on purpose.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The command that reruns the proptest with its current seed and case count.
fn proptest_command(seed: u64) -> String {
    format!(
        "WEAKSIM_DIFF_SEED={seed} WEAKSIM_DIFF_CASES={} cargo test --release -p sim --test axiom_diff operational_equals_axiomatic",
        env("WEAKSIM_DIFF_CASES", 6)
    )
}

proptest! {
    #![proptest_config(proptest_config())]
    #[test]
    fn operational_equals_axiomatic(g in program()) {
        if let Err(e) = check(&g) {
            prop_assert!(false, "{}\nreproduce: {}", e, proptest_command(proptest_seed()));
        }
    }
}

/// Seeded programs: `GenProgram::random(seed, 4)` for seeds 0..N.
#[test]
fn seeded_programs_agree() {
    let n = env("WEAKSIM_DIFF_PROGRAMS", 6);
    let from = env("WEAKSIM_DIFF_FROM", 0);
    let (mut bad, mut skipped) = (Vec::new(), 0);
    for seed in from..from + n {
        match check(&GenProgram::random(seed, 4)) {
            Ok(true) => {}
            Ok(false) => skipped += 1,
            Err(e) => {
                let again = format!(
                    "WEAKSIM_DIFF_FROM={seed} WEAKSIM_DIFF_PROGRAMS=1 cargo test --release -p sim --test axiom_diff seeded_programs_agree -- --nocapture"
                );
                eprintln!("seed {seed}: {e}\nreproduce: {again}");
                bad.push(format!("seed {seed}: {e}\nreproduce: {again}"))
            }
        }
        if (seed + 1 - from).is_multiple_of(500) {
            eprintln!("  {} programs: {} disagree, {skipped} inconclusive", seed + 1 - from, bad.len());
        }
    }
    let agreed = n as usize - bad.len() - skipped;
    println!(
        "generated programs (seeds {from}..{}): {agreed}/{n} agree on all three models (and SC ⊆ TSO ⊆ ARM), {} disagree, {skipped} inconclusive (search bound)",
        from + n,
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}
