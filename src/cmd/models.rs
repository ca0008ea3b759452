//! Several models on one command line (`--model lkmm,sc,tso,arm`, `--model
//! all`), and what the CLI shows of a model that has only an axiomatic face
//! (LKMM): its final states in herd's words.
//!
//! A Linux-kernel C test is lowered for each model as the model's
//! [`memmodels::ModelInfo::c_mapping`] says: with its LKMM annotations, or as
//! Linux compiles it for x86 (`sc`, `tso`) or arm64 (`arm`).

use clap::builder::TypedValueParser;
use isa::Program;
use sim::axiom::enumerate::AxOutcomes;
use sim::Model;

/// A list of models.
#[derive(Clone, Debug)]
pub struct Models(pub Vec<Model>);

/// Parses `a,b,c` or `all` against the registry.
#[derive(Clone, Copy, Debug)]
pub struct ModelsParser;

impl TypedValueParser for ModelsParser {
    type Value = Models;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Models, clap::Error> {
        let s = value.to_string_lossy();
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(Models(sim::models::all()));
        }
        let mut out: Vec<Model> = Vec::new();
        for part in s.split(',') {
            match sim::models::get(part) {
                Ok(m) if !out.contains(&m) => out.push(m),
                Ok(_) => {}
                Err(e) => {
                    let flag = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
                    return Err(clap::Error::raw(
                        clap::error::ErrorKind::InvalidValue,
                        format!("invalid value '{s}'{flag}: {e} (or a comma-separated list, or all)\n"),
                    )
                    .with_cmd(cmd));
                }
            }
        }
        Ok(Models(out))
    }
}

/// The value `sim::lkmm` uses for a value out of thin air.
fn value_text(prog: &Program, v: u64) -> String {
    if v == sim::lkmm::SYMBOLIC {
        return "?".to_string();
    }
    match prog.sym_at(v) {
        Some(s) if v != 0 => prog.sym_name(s).to_string(),
        _ => (v as i64).to_string(),
    }
}

/// A final state in herd's words (`0:r1=1; x=0;`).
pub fn state_text(prog: &Program, state: &[u64]) -> String {
    let Some(c) = &prog.condition else { return String::new() };
    c.observed()
        .into_iter()
        .zip(state)
        .map(|(l, &v)| format!("{}={};", isa::cond::loc_name(prog, l), value_text(prog, v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// herd's verdict for axiomatic outcomes: (Ok?, positive, negative).
pub fn verdict(prog: &Program, o: &AxOutcomes) -> (bool, usize, usize) {
    let pos = o.finals.values().filter(|h| **h).count();
    let neg = o.finals.len() - pos;
    let ok = prog.condition.as_ref().is_some_and(|c| c.verdict(pos, neg));
    (ok, pos, neg)
}
