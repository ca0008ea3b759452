//! The application state and its only mutator, [`App::update`].

use crate::demo::Demo;
use crate::keys::{Action, Mode};
use crate::session::{Choice, ReplayReport, Session};
use crate::snapshot::{listing, ListingLine};
use isa::Program;
use sim::{ExploreConfig, Model, PromiseMode, Status, Trace, Verdict};
use std::path::PathBuf;
use std::sync::Arc;
use workloads::{IrqWorkConfig, Variant};

/// Most steps `r` takes before it stops.
pub const RUN_LIMIT: usize = 2000;

/// What program the app simulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Generated irq_work (the variant can be switched live).
    IrqWork(IrqWorkConfig),
    /// A fixed program (a .ucode or .litmus file, or a trace's program).
    Program(Arc<Program>),
}

impl Source {
    pub fn program(&self) -> Result<Arc<Program>, String> {
        match self {
            Source::IrqWork(c) => workloads::irq_work_program(c).map(Arc::new),
            Source::Program(p) => Ok(p.clone()),
        }
    }

    pub fn variant(&self) -> Option<Variant> {
        match self {
            Source::IrqWork(c) => Some(c.variant),
            Source::Program(_) => None,
        }
    }
}

/// The variant's name with its CLI alias.
pub fn variant_name(v: Variant) -> String {
    match v {
        Variant::BusyXchg => "busy-xchg (racy)".into(),
        Variant::ClaimCmpxchg => "claim-cmpxchg (fixed)".into(),
        v => v.name().into(),
    }
}

/// How the app starts.
#[derive(Clone, Debug)]
pub struct Options {
    pub source: Source,
    pub model: Model,
    pub seed: u64,
    /// A trace to open, ready to step through (its program and model win over `source` and `model`).
    pub trace: Option<(String, Trace)>,
    /// Where `S` saves traces.
    pub save_dir: PathBuf,
}

impl Options {
    /// The irq_work demo: the variant on the model, `cores` cores, all producing.
    pub fn irq_work(variant: Variant, model: Model, cores: usize, seed: u64) -> Options {
        Options {
            source: Source::IrqWork(IrqWorkConfig::new(variant, cores)),
            model,
            seed,
            trace: None,
            save_dir: PathBuf::from("."),
        }
    }
}

/// A second model on the same choices (the split view).
#[derive(Clone, Debug)]
pub struct Split {
    pub session: Session,
    pub report: ReplayReport,
}

/// What is drawn over the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// A file-name prompt.
    Prompt {
        title: String,
        text: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Good,
    Warn,
}

/// The whole application state. Drawing reads it (`impl Widget for &App`);
/// only [`App::update`] changes it.
#[derive(Clone, Debug)]
pub struct App {
    pub source: Source,
    pub prog: Arc<Program>,
    pub listing: Arc<Vec<ListingLine>>,
    pub seed: u64,
    pub session: Session,
    pub split: Option<Split>,
    /// The model on the right of the split view (kept when the split is closed).
    pub split_model: Model,
    pub selected: usize,
    pub overlay: Overlay,
    pub message: Option<(String, Tone)>,
    pub quit: bool,
    pub demo: Option<Demo>,
    pub save_dir: PathBuf,
    /// The trace file last saved or loaded.
    pub trace_path: Option<PathBuf>,
    /// The options the app started with (the demo goes back to them).
    pub initial: Options,
    /// ARM: promise transitions offered at every step.
    pub promises: bool,
    /// The choices the user made, and on which model, while the current
    /// session only replays them (switching again replays the originals).
    pub basis: Option<(Model, Vec<Choice>)>,
}

/// What a restart keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Carry {
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

/// The split view's partner for `m`: its neighbour in the registry's order (the
/// next model, or the one before for the last).
fn other_model(m: &Model) -> Model {
    let all = models();
    match all.iter().position(|x| x == m) {
        Some(i) if i + 1 < all.len() => all[i + 1].clone(),
        Some(i) if i > 0 => all[i - 1].clone(),
        _ => m.clone(),
    }
}

impl App {
    pub fn new(opts: Options) -> Result<App, String> {
        let prog = opts.source.program()?;
        let session = Session::new(prog.clone(), opts.model.clone(), opts.seed, true)?;
        let mut app = App {
            source: opts.source.clone(),
            listing: listing(&prog),
            prog,
            seed: opts.seed,
            split: None,
            split_model: other_model(&opts.model),
            session,
            selected: 0,
            overlay: Overlay::None,
            message: None,
            quit: false,
            demo: None,
            save_dir: opts.save_dir.clone(),
            trace_path: None,
            initial: opts.clone(),
            promises: false,
            basis: None,
        };
        if let Some((name, tr)) = &opts.trace {
            app.open_trace(name, tr.clone())?;
        }
        Ok(app)
    }

    pub fn model(&self) -> Model {
        self.session.model().clone()
    }

    /// The input modes active now (the first is the app's own).
    pub fn modes(&self) -> Vec<Mode> {
        match self.overlay {
            Overlay::Help => vec![Mode::Help],
            Overlay::Prompt { .. } => vec![Mode::Prompt],
            Overlay::None if self.demo.is_some() => vec![Mode::Demo, Mode::Main],
            Overlay::None => vec![Mode::Main],
        }
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.message = Some((text.into(), tone));
    }

    /// The only mutator.
    pub fn update(&mut self, a: Action) {
        if !matches!(a, Action::SelectUp | Action::SelectDown) {
            self.message = None;
        }
        if matches!(
            a,
            Action::Step | Action::StepCycle | Action::Pick(_) | Action::PickSelected | Action::Back | Action::Run
        ) {
            // New choices: from now on they are the ones to replay.
            self.basis = None;
        }
        match a {
            Action::Step => {
                if let Err(e) = self.session.step() {
                    self.say(e, Tone::Warn);
                }
            }
            Action::StepCycle => {
                if let Err(e) = self.session.step_cycle() {
                    self.say(e, Tone::Warn);
                }
            }
            Action::Explain => match self.session.explain_axiomatic() {
                Ok(headline) => self.say(headline, Tone::Good),
                Err(e) => self.say(format!("cannot explain: {e}"), Tone::Warn),
            },
            Action::Pick(i) => self.pick(i),
            Action::PickSelected => self.pick(self.selected),
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => {
                self.selected = (self.selected + 1).min(self.session.snap.enabled.len().saturating_sub(1))
            }
            Action::Back => {
                if !self.session.back() {
                    self.say("Already at the start.", Tone::Warn);
                }
            }
            Action::Run => {
                let n = self.session.run(RUN_LIMIT);
                let how = match self.session.status() {
                    Status::Running => format!("stopped after {RUN_LIMIT} steps"),
                    Status::Quiescent => "quiescent: no lost work".into(),
                    Status::Violation(v) => v.to_string(),
                    Status::DeadEnd => "a dead end (promises that cannot be fulfilled)".into(),
                };
                self.say(format!("Ran {n} steps: {how}."), Tone::Info);
            }
            Action::Restart => {
                let _ = self.rebuild(self.model(), self.source.clone(), Carry::Plan);
                self.say("Restarted.", Tone::Info);
            }
            Action::Find => self.find(),
            Action::NextModel => self.next_model(),
            Action::NextVariant => self.next_variant(),
            Action::ToggleSplit => {
                if self.split.is_some() {
                    self.split = None;
                } else {
                    if self.split_model == self.model() {
                        self.split_model = other_model(&self.model());
                    }
                    self.split = Some(self.make_split());
                }
            }
            Action::NextSplitModel => {
                let models = models();
                let i = models.iter().position(|m| *m == self.split_model).unwrap_or(0);
                self.split_model = models[(i + 1) % models.len()].clone();
                if self.split.is_none() {
                    self.split = Some(self.make_split());
                }
            }
            Action::ToggleLocal => {
                self.session.reduce = !self.session.reduce;
                self.say(
                    if self.session.reduce {
                        "Register-only instructions now run at once after each step."
                    } else {
                        "Every instruction is now a step of its own."
                    },
                    Tone::Info,
                );
            }
            Action::TogglePromises => {
                if !self.session.machine.has_promises() {
                    self.say(format!("{} has no promises.", self.model().title()), Tone::Warn);
                } else {
                    self.promises = !self.promises;
                    let _ = self.rebuild(self.model(), self.source.clone(), Carry::Choices);
                    self.say(
                        if self.promises {
                            "Promise transitions are now offered at every step (a core may promise a write early)."
                        } else {
                            "Promise transitions are no longer offered."
                        },
                        Tone::Info,
                    );
                }
            }
            Action::NextSeed => {
                self.seed = self.seed.wrapping_add(1);
                let _ = self.rebuild(self.model(), self.source.clone(), Carry::Plan);
                self.say(format!("Restarted on seed {}.", self.seed), Tone::Info);
            }
            Action::Save => self.save(),
            Action::Load => {
                let text = self.trace_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                self.overlay = Overlay::Prompt { title: "Load trace file".into(), text };
            }
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Overlay::Help { Overlay::None } else { Overlay::Help };
            }
            Action::Quit => self.quit = true,
            Action::DemoNext => crate::demo::next(self),
            Action::DemoPrev => crate::demo::prev(self),
            Action::PromptChar(c) => {
                if let Overlay::Prompt { text, .. } = &mut self.overlay {
                    text.push(c);
                }
            }
            Action::PromptBackspace => {
                if let Overlay::Prompt { text, .. } = &mut self.overlay {
                    text.pop();
                }
            }
            Action::PromptCancel => self.overlay = Overlay::None,
            Action::PromptSubmit => {
                let path = match std::mem::replace(&mut self.overlay, Overlay::None) {
                    Overlay::Prompt { text, .. } => text,
                    _ => String::new(),
                };
                self.load(path.trim());
            }
        }
        self.after();
    }

    /// Keeps derived state consistent after every update.
    fn after(&mut self) {
        let n = self.session.snap.enabled.len();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
        if self.split.is_some() {
            self.split = Some(self.make_split());
        }
    }

    fn pick(&mut self, i: usize) {
        match self.session.snap.enabled.get(i).map(|r| r.t) {
            Some(t) => {
                if let Err(e) = self.session.pick(t) {
                    self.say(e, Tone::Warn);
                }
                self.selected = 0;
            }
            None if self.session.snap.enabled.is_empty() => {
                self.say("Nothing can happen: the run is over.", Tone::Warn)
            }
            None => self.say(
                format!("There is no transition {}: {} are enabled.", i + 1, self.session.snap.enabled.len()),
                Tone::Warn,
            ),
        }
    }

    fn make_split(&self) -> Split {
        let mut s = match Session::new(self.prog.clone(), self.split_model.clone(), self.seed, self.session.reduce) {
            Ok(s) => s,
            Err(_) => return Split { session: self.session.clone(), report: ReplayReport::default() },
        };
        if self.promises && s.machine.has_promises() {
            s.set_promise_mode(PromiseMode::Anytime);
        }
        let (from, choices) = self.basis();
        let report = s.replay(&choices, &from);
        Split { session: s, report }
    }

    /// Starts over on `model` and `source`, carrying over the choices (each
    /// replayed as far as it is possible there), the loaded trace (rewound), or nothing.
    fn rebuild(&mut self, model: Model, source: Source, carry: Carry) -> Result<ReplayReport, String> {
        let prog = source.program()?;
        let same = model == self.model() && source == self.source;
        let replay = carry == Carry::Choices;
        let plan = self.session.plan.clone().filter(|_| same && carry == Carry::Plan);
        let hint = Some(self.session.machine.promise_mode());
        let mut s = match plan {
            Some(p) => Session::with_plan(prog.clone(), model, self.seed, self.session.reduce, &p.name, p.steps, hint)?,
            None => {
                let mut s = Session::new(prog.clone(), model, self.seed, self.session.reduce)?;
                if self.promises && s.machine.has_promises() {
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
    fn basis(&self) -> (Model, Vec<Choice>) {
        self.basis.clone().unwrap_or_else(|| (self.model(), self.session.choices.clone()))
    }

    fn replay_message(&mut self, what: &str, r: &ReplayReport) {
        let mut text = format!("{what}: {}.", r.summary());
        if let Some(s) = r.skipped.first() {
            text.push_str(&format!(" First not possible: {s}."));
        }
        self.say(text, Tone::Info);
    }

    /// Switches to `model`, replaying the same choices.
    pub fn set_model(&mut self, model: Model) {
        if !model.is_operational() {
            self.say(format!("{} has no operational semantics: it cannot be stepped.", model.title()), Tone::Warn);
            return;
        }
        match self.rebuild(model.clone(), self.source.clone(), Carry::Choices) {
            Ok(r) => self.replay_message(&format!("Now {}", model.title()), &r),
            Err(e) => self.say(e, Tone::Warn),
        }
    }

    fn next_model(&mut self) {
        let all = models();
        let cur = self.model();
        let i = all.iter().position(|m| *m == cur).unwrap_or(0);
        if let Some(m) = all.get((i + 1) % all.len().max(1)) {
            self.set_model(m.clone());
        }
    }

    /// Switches the irq_work variant, replaying the same choices.
    pub fn set_variant(&mut self, v: Variant) {
        let Source::IrqWork(mut cfg) = self.source.clone() else {
            self.say("Variants exist only for irq_work.", Tone::Warn);
            return;
        };
        cfg.variant = v;
        match self.rebuild(self.model(), Source::IrqWork(cfg), Carry::Choices) {
            Ok(r) => self.replay_message(&format!("Now {}", variant_name(v)), &r),
            Err(e) => self.say(e, Tone::Warn),
        }
    }

    fn next_variant(&mut self) {
        let Some(v) = self.source.variant() else {
            self.say("Variants exist only for irq_work.", Tone::Warn);
            return;
        };
        let i = Variant::ALL.iter().position(|x| *x == v).unwrap_or(0);
        self.set_variant(Variant::ALL[(i + 1) % Variant::ALL.len()]);
    }

    /// Starts afresh on `model` with `cores` cores (irq_work; other programs keep theirs).
    pub fn restart_on(&mut self, model: Model, cores: usize) -> Result<(), String> {
        if !model.is_operational() {
            return Err(format!("{} has no operational semantics: it cannot be stepped", model.title()));
        }
        let source = match &self.source {
            Source::IrqWork(c) if c.cores != cores => {
                let c = IrqWorkConfig::new(c.variant, cores);
                c.validate()?;
                Source::IrqWork(c)
            }
            s => s.clone(),
        };
        self.rebuild(model, source, Carry::Nothing).map(|_| ())
    }

    /// Restarts on `seed` (a loaded trace is rewound).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        let _ = self.rebuild(self.model(), self.source.clone(), Carry::Plan);
    }

    /// Brings derived state (selection, split view) up to date after direct
    /// session changes (demo scripts).
    pub fn update_derived(&mut self) {
        self.after();
    }

    /// "Find it for me": exhaustive search from the start; loads the shortest counterexample.
    pub fn find(&mut self) {
        let start = match self.model().machine(self.prog.clone()) {
            Ok(m) => m,
            Err(e) => return self.say(e.to_string(), Tone::Warn),
        };
        // A litmus test has a condition and no lost-work invariant: look for a witness of the condition.
        let witness = self.prog.lost_work.is_empty() && self.prog.condition.is_some();
        let cfg = ExploreConfig {
            max_states: 2_000_000,
            max_memory: 2 << 30,
            threads: 1,
            stop_on_violation: !witness,
            ..Default::default()
        };
        let r = start.explore(&cfg);
        let title = self.model().title();
        let found =
            match (&r.violation, witness) {
                (Some((v, schedule)), _) => Some((schedule.clone(), v.to_string(), "shortest counterexample")),
                (None, true) => r.finals.values().find(|f| f.holds).map(|f| {
                    (f.schedule.clone(), "the condition holds".to_string(), "shortest witness of the condition")
                }),
                _ => None,
            };
        if let Some((schedule, what, kind)) = found {
            let name = format!("{kind}, {} transitions", schedule.len());
            let s = Session::with_plan(
                self.prog.clone(),
                self.model(),
                self.seed,
                self.session.reduce,
                &name,
                schedule,
                Some(r.promise_mode),
            );
            match s {
                Ok(mut s) => {
                    s.remark(format!("search: {what} ({} states); loaded the {name}", r.states));
                    self.session = s;
                    self.basis = None;
                    self.selected = 0;
                    self.say(
                        format!(
                            "Found it ({} states searched): {what}. Press space to step through the {name}.",
                            r.states
                        ),
                        Tone::Good,
                    );
                }
                Err(e) => self.say(e, Tone::Warn),
            }
            return;
        }
        match r.verdict {
            Verdict::Safe if witness => self.say(
                format!(
                    "The condition's outcome is not reachable on {title}: {} final states, {} states.",
                    r.finals.len(),
                    r.states
                ),
                Tone::Good,
            ),
            Verdict::Safe => self.say(
                format!("No lost work is possible on {title}: all {} reachable states checked.", r.states),
                Tone::Good,
            ),
            _ => self.say(
                format!("Inconclusive: {}.", r.bound.unwrap_or_else(|| "the search stopped early".into())),
                Tone::Warn,
            ),
        }
    }

    fn save(&mut self) {
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
                self.say(format!("Saved {} steps to {}.", tr.steps.len(), path.display()), Tone::Good);
                self.trace_path = Some(path);
            }
            Err(e) => self.say(format!("Cannot write {}: {e}", path.display()), Tone::Warn),
        }
    }

    /// The run so far as a trace.
    pub fn trace(&self) -> Trace {
        let mut tr = self.session.start.make_trace(&self.session.applied, "interactive", Some(self.seed));
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

    fn load(&mut self, path: &str) {
        if path.is_empty() {
            return self.say("No file named.", Tone::Warn);
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return self.say(format!("Cannot read {path}: {e}"), Tone::Warn),
        };
        let tr = match Trace::from_json(&text, path) {
            Ok(t) => t,
            Err(e) => return self.say(e.to_string(), Tone::Warn),
        };
        match self.open_trace(path, tr) {
            Ok(()) => self.trace_path = Some(PathBuf::from(path)),
            Err(e) => self.say(e, Tone::Warn),
        }
    }

    /// Opens a trace ready to step through: its program (as irq_work when it
    /// says so, so that variants can still be switched) and its model.
    pub fn open_trace(&mut self, name: &str, tr: Trace) -> Result<(), String> {
        let model = sim::models::get(&tr.model).map_err(|e| format!("{name}: {e}"))?;
        if !model.is_operational() {
            return Err(format!("{name}: the trace is for {}, which has no operational semantics", model.title()));
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
        let s = Session::with_plan(
            prog.clone(),
            model,
            self.seed,
            self.session.reduce,
            &label,
            tr.transitions(),
            Some(tr.promise_mode),
        )?;
        self.listing = listing(&prog);
        self.prog = prog;
        self.source = source;
        self.session = s;
        self.basis = None;
        self.selected = 0;
        self.say(
            format!("Loaded {label}: {} transitions. Press space to step through it.", tr.steps.len()),
            Tone::Good,
        );
        Ok(())
    }
}
