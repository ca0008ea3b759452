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

/// A list of models; the flag says it was written `all`.
#[derive(Clone, Debug)]
pub struct Models(pub Vec<Model>, pub bool);

impl Models {
    /// The models a machine can run: `all` means every operational model;
    /// a model named explicitly stays (and says itself why it cannot run).
    pub fn runnable(&self) -> Vec<Model> {
        if self.1 {
            self.0.iter().filter(|m| m.is_operational()).cloned().collect()
        } else {
            self.0.clone()
        }
    }
}

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
            return Ok(Models(sim::models::all(), true));
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
        Ok(Models(out, false))
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

/// Where `--save-trace FILE` goes for `model` when `count` models run: FILE
/// itself for one model, `FILE` with the model's name before its extension
/// for several (`lost.json` → `lost.tso.json`).
pub fn per_model_path(path: Option<&std::path::Path>, model: &Model, count: usize) -> Option<std::path::PathBuf> {
    let p = path?;
    if count <= 1 {
        return Some(p.to_path_buf());
    }
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match p.extension() {
        Some(e) => format!("{stem}.{}.{}", model.name(), e.to_string_lossy()),
        None => format!("{stem}.{}", model.name()),
    };
    Some(p.with_file_name(name))
}

/// The exit code of a run over several models: 1 when any model found the
/// violation (or reached the condition), else 3 when any was bounded, else 0.
pub fn combine_exit_codes(codes: &[u8]) -> u8 {
    use super::{EXIT_BOUNDED, EXIT_OK, EXIT_VIOLATION};
    if codes.contains(&EXIT_VIOLATION) {
        EXIT_VIOLATION
    } else if codes.contains(&EXIT_BOUNDED) {
        EXIT_BOUNDED
    } else {
        codes.iter().copied().find(|&c| c != EXIT_OK).unwrap_or(EXIT_OK)
    }
}
