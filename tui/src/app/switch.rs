//! Starting over: another model, variant, seed or cores (replaying the same
//! choices), the split view, and traces saved and loaded.

use super::{plural, App, Source, Split, Tone};
use crate::error::AppError;
use crate::session::{Choice, ReplayReport, Session};
use crate::snapshot::listing;
use sim::{Model, PromiseMode, Status, Trace};
use std::path::PathBuf;
use std::sync::Arc;
use workloads::{IrqWorkConfig, Variant};

/// What a restart keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Carry {
    Nothing,
    /// The loaded trace, rewound.
    Plan,
    /// The choices made so far, replayed.
    Choices,
}

/// The models the TUI can step (those with operational semantics), in the registry's order.
pub fn models() -> Vec<Model> {
    sim::models::operational()
}

/// The split view's partner: its neighbour in the registry's order (the
/// next model, or the one before for the last).
pub(super) fn other_model(m: &Model) -> Model {
    let all = models();
    match all.iter().position(|x| x == m) {
        Some(i) if i + 1 < all.len() => all[i + 1].clone(),
        Some(i) if i > 0 => all[i - 1].clone(),
        _ => m.clone(),
    }
}

impl App {
    /// What the split view depends on: the choices replayed, where they were
    /// made, the model on the right, the promise setting and the program.
    pub(super) fn split_key(&self) -> String {
        let (from, choices) = self.basis();
        let ts: Vec<_> = choices.iter().map(|c| c.t).collect();
        format!(
            "{}|{}|{}|{}|{:p}|{:?}",
            from.name(),
            self.split_model.name(),
            self.promises,
            self.session.reduce(),
            Arc::as_ptr(&self.prog),
            ts
        )
    }

    pub(super) fn make_split(&mut self) -> Split {
        self.split_key = Some(self.split_key());
        let mut s = match Session::new(self.prog.clone(), self.split_model.clone(), self.seed, self.session.reduce()) {
            Ok(s) => s,
            Err(_) => return Split { session: self.session.clone(), report: ReplayReport::default() },
        };
        if self.promises && s.machine().has_promises() {
            s.set_promise_mode(PromiseMode::Anytime);
        }
        let (from, choices) = self.basis();
        let report = s.replay(&choices, &from);
        Split { session: s, report }
    }

    /// Starts over on `model` and `source`, carrying over the choices (each
    /// replayed as far as it is possible there), the loaded trace (rewound), or nothing.
    pub(super) fn rebuild(&mut self, model: Model, source: Source, carry: Carry) -> Result<ReplayReport, AppError> {
        let prog = source.program()?;
        let same = model == self.model() && source == self.source;
        let replay = carry == Carry::Choices;
        let plan = self.session.plan().cloned().filter(|_| same && carry == Carry::Plan);
        let hint = Some(self.session.machine().promise_mode());
        let reduce = self.session.reduce();
        let mut s = match plan {
            Some(p) => {
                Session::with_timed_plan(prog.clone(), model, self.seed, reduce, &p.name, p.steps, p.cycles, hint)?
            }
            None => {
                let mut s = Session::new(prog.clone(), model, self.seed, reduce)?;
                if self.promises && s.machine().has_promises() {
                    s.set_promise_mode(PromiseMode::Anytime);
                }
                s
            }
        };
        let basis = self.basis();
        let report = if replay { s.replay(&basis.1, &basis.0) } else { ReplayReport::default() };
        if replay {
            s.remark(format!("{} from the {} run", report.summary(), basis.0.title()));
            if report.reordered {
                s.remark(
                    "each store and the steps after it on its core were taken when the store left the store buffer",
                );
            }
        }
        self.listing = listing(&prog);
        self.prog = prog;
        self.source = source;
        self.basis = if replay { Some(basis) } else { None };
        self.session = s;
        self.selected = 0;
        Ok(report)
    }

    /// The choices to replay on another model or variant, and where they were made.
    pub(super) fn basis(&self) -> (Model, Vec<Choice>) {
        self.basis.clone().unwrap_or_else(|| (self.model(), self.session.choices().to_vec()))
    }

    fn replay_message(&mut self, what: &str, r: &ReplayReport) {
        let mut text = format!("{what}: {}.", r.summary());
        if let Some(s) = r.skipped.first() {
            text.push_str(&format!(" First not possible: {s}."));
        }
        self.say(text, Tone::Info);
    }

    /// Switches to `model`, replaying the same choices.
    pub(super) fn set_model(&mut self, model: Model) {
        if !model.is_operational() {
            self.say(format!("{} has no operational semantics: it cannot be stepped.", model.title()), Tone::Warn);
            return;
        }
        match self.rebuild(model.clone(), self.source.clone(), Carry::Choices) {
            Ok(r) => self.replay_message(&format!("Now {}", model.title()), &r),
            Err(e) => self.say(e.to_string(), Tone::Warn),
        }
    }

    /// Switches the irq_work variant, replaying the same choices.
    pub(super) fn set_variant(&mut self, v: Variant) {
        let Source::IrqWork(mut cfg) = self.source.clone() else {
            self.say("Variants exist only for irq_work.", Tone::Warn);
            return;
        };
        cfg.variant = v;
        match self.rebuild(self.model(), Source::IrqWork(cfg), Carry::Choices) {
            Ok(r) => self.replay_message(&format!("Now {}", super::variant_name(v)), &r),
            Err(e) => self.say(e.to_string(), Tone::Warn),
        }
    }

    /// Starts afresh on `model` with `cores` cores and the variant (irq_work;
    /// other programs keep theirs), on `seed` (a demo's setup).
    pub(crate) fn restart_on(
        &mut self,
        model: Model,
        variant: Option<Variant>,
        cores: usize,
        seed: u64,
    ) -> Result<(), AppError> {
        if !model.is_operational() {
            return Err(AppError::NotOperational { title: model.title().to_string() });
        }
        let source = match &self.source {
            Source::IrqWork(c) => {
                let mut c = if c.cores != cores { IrqWorkConfig::new(c.variant, cores) } else { c.clone() };
                if let Some(v) = variant {
                    c.variant = v;
                }
                c.validate()?;
                Source::IrqWork(c)
            }
            s => s.clone(),
        };
        self.seed = seed;
        self.split = None;
        self.rebuild(model, source, Carry::Nothing).map(|_| ())
    }

    /// Back to the options the app started with, keeping where traces are saved
    /// (the demo replays its script from here).
    pub(crate) fn reset(&mut self) -> Result<(), AppError> {
        let save_dir = self.save_dir.clone();
        let mut fresh = App::new(self.initial.clone())?;
        fresh.save_dir = save_dir;
        self.jobs.cancel_all();
        let old = std::mem::replace(self, fresh);
        self.jobs.adopt(old.jobs);
        Ok(())
    }

    pub(super) fn save(&mut self) {
        let tr = self.trace();
        let name = match &self.source {
            Source::IrqWork(c) => {
                format!("irq_work-{}-{}-seed{}.trace.json", c.variant.name(), self.model().name(), self.seed)
            }
            Source::Program(p) => format!(
                "{}-{}-seed{}.trace.json",
                p.name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"),
                self.model().name(),
                self.seed
            ),
        };
        let path = self.save_dir.join(name);
        match sim::trace::write_atomic(std::path::Path::new(&path), &tr.to_json()) {
            Ok(()) => {
                let n = self.session.step_no();
                self.say(format!("Saved the run ({n} step{}) to {}.", plural(n), path.display()), Tone::Good);
                self.trace_path = Some(path);
            }
            Err(e) => self.say(format!("{}: cannot write: {e}", path.display()), Tone::Warn),
        }
    }

    /// The run so far as a trace.
    pub fn trace(&self) -> Trace {
        let mut tr = self.session.trace(self.seed);
        if let Source::IrqWork(c) = &self.source {
            tr.workload = Some(serde_json::json!({"name": "irq_work", "config": c}));
        }
        tr.outcome = match self.session.status() {
            Status::Violation(v) => Some(v.to_string()),
            Status::Quiescent => Some("quiescent, no invariant violated".into()),
            _ => None,
        };
        tr
    }

    pub(super) fn load(&mut self, path: &str) {
        if path.is_empty() {
            return self.say("No file named.", Tone::Warn);
        }
        let text = match sim::files::read_text(std::path::Path::new(path)) {
            Ok(t) => t,
            Err(e) => return self.say(e.to_string(), Tone::Warn),
        };
        let tr = match Trace::from_json(&text, path) {
            Ok(t) => t,
            Err(e) => return self.say(e.to_string(), Tone::Warn),
        };
        match self.open_trace(path, tr) {
            Ok(()) => self.trace_path = Some(PathBuf::from(path)),
            Err(e) => self.say(e.to_string(), Tone::Warn),
        }
    }

    /// Where `S` saves traces.
    pub fn set_save_dir(&mut self, dir: PathBuf) {
        self.save_dir = dir;
    }

    /// The file `L` offers first.
    pub fn set_trace_path(&mut self, p: PathBuf) {
        self.trace_path = Some(p);
    }

    /// Opens a trace ready to step through: its program (as irq_work when it
    /// says so, so that variants can still be switched) and its model.
    pub fn open_trace(&mut self, name: &str, tr: Trace) -> Result<(), AppError> {
        let model =
            sim::models::get(&tr.model).map_err(|error| AppError::TraceModel { name: name.to_string(), error })?;
        if !model.is_operational() {
            let title = model.title().to_string();
            return Err(AppError::TraceNotOperational { name: name.to_string(), title });
        }
        let cfg = tr
            .workload
            .as_ref()
            .filter(|w| w.get("name").and_then(|n| n.as_str()) == Some("irq_work"))
            .and_then(|w| serde_json::from_value::<IrqWorkConfig>(w.get("config")?.clone()).ok())
            .filter(|c| workloads::irq_work_program(c).is_ok_and(|p| p == tr.program));
        let source = match cfg {
            Some(c) => Source::IrqWork(c),
            None => Source::Program(Arc::new(tr.program.clone())),
        };
        let prog = source.program()?;
        if let Some(s) = tr.seed {
            self.seed = s;
        }
        let file = std::path::Path::new(name).file_name().map(|f| f.to_string_lossy().to_string());
        let label = format!("trace {}", file.unwrap_or_else(|| name.to_string()));
        let s = Session::with_timed_plan(
            prog.clone(),
            model,
            self.seed,
            self.session.reduce(),
            &label,
            tr.transitions(),
            tr.step_cycles(),
            Some(tr.promise_mode),
        )?;
        self.listing = listing(&prog);
        self.prog = prog;
        self.source = source;
        self.session = s;
        self.basis = None;
        self.selected = 0;
        let (_, n) = self.session.plan().map(|p| p.progress()).unwrap_or_default();
        self.say(format!("Loaded {label}: {n} step{}. Press space to step through it.", plural(n)), Tone::Good);
        Ok(())
    }
}
