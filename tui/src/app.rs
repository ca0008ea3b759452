//! The application state and its only mutator, [`App::update`].
//!
//! Searches never run on the UI thread: `f`, the "from here" verdict and the
//! hints run on worker threads ([`crate::search`]); the app starts them,
//! collects their answers on [`Action::Tick`], and shows a spinner while `f`
//! runs (keys are then dropped, Esc stops it). Tests and scripts that need the
//! answers now call [`App::settle`].

mod jobs;
mod switch;

use crate::demo::Demo;
use crate::error::AppError;
use crate::keys::{Action, Mode};
use crate::search::FromHere;
use crate::session::{ReplayReport, Session};
use crate::snapshot::{listing, ListingLine};
use isa::Program;
use jobs::Jobs;
use sim::{Model, Status, Trace};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use workloads::{IrqWorkConfig, Variant};

pub use switch::models;

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
    pub fn program(&self) -> Result<Arc<Program>, workloads::ConfigError> {
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
    session: Session,
    report: ReplayReport,
}

impl Split {
    /// The second model's session, replaying the same choices.
    pub fn session(&self) -> &Session {
        &self.session
    }
    /// How the replay went (choices skipped, reordered, differing).
    pub fn report(&self) -> &ReplayReport {
        &self.report
    }
}

/// What a menu chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuKind {
    Model,
    Variant,
}

/// One entry of a menu: what it sets, and how it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    pub action: Action,
    pub label: String,
    /// The current choice.
    pub current: bool,
}

/// What is drawn over the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// The help screen, scrolled this many lines.
    Help {
        scroll: usize,
    },
    /// A full-screen page of text (the explanation), scrolled.
    Page {
        title: String,
        lines: Vec<(String, Tone)>,
        scroll: usize,
    },
    Menu {
        kind: MenuKind,
        items: Vec<MenuItem>,
        selected: usize,
    },
    /// A file-name prompt.
    Prompt {
        title: String,
        text: String,
    },
    /// The demo asks whether to quit.
    ConfirmQuit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Good,
    Warn,
    Bad,
}

/// The whole application state. Drawing reads it (`impl Widget for &App`);
/// only [`App::update`] changes it.
#[derive(Debug)]
pub struct App {
    source: Source,
    prog: Arc<Program>,
    listing: Arc<Vec<ListingLine>>,
    seed: u64,
    session: Session,
    split: Option<Split>,
    /// What the split view was built from (rebuilt only when it changes).
    split_key: Option<String>,
    /// The model on the right of the split view (kept when the split is closed).
    split_model: Model,
    selected: usize,
    overlay: Overlay,
    message: Option<(String, Tone)>,
    quit: bool,
    demo: Option<Demo>,
    save_dir: PathBuf,
    /// The trace file last saved or loaded.
    trace_path: Option<PathBuf>,
    /// The options the app started with (the demo goes back to them).
    initial: Options,
    /// ARM: promise transitions offered at every step.
    promises: bool,
    /// The choices the user made, and on which model, while the current
    /// session only replays them (switching again replays the originals).
    basis: Option<(Model, Vec<crate::session::Choice>)>,
    /// Hint mode: per enabled transition, what the search says after it.
    hints_on: bool,
    hints: Option<(u64, Vec<FromHere>)>,
    /// Searches running on worker threads.
    jobs: Jobs,
    /// Turns of the spinner.
    ticks: u64,
    /// The last scroll position the drawn help or page could show (what it
    /// holds past the end is clamped to it when scrolling back up).
    scroll_max: std::sync::atomic::AtomicUsize,
}

impl App {
    pub fn new(opts: Options) -> Result<App, AppError> {
        let prog = opts.source.program()?;
        let session = Session::new(prog.clone(), opts.model.clone(), opts.seed, true)?;
        let mut app = App {
            source: opts.source.clone(),
            listing: listing(&prog),
            prog,
            seed: opts.seed,
            split: None,
            split_key: None,
            split_model: switch::other_model(&opts.model),
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
            hints_on: false,
            hints: None,
            jobs: Jobs::default(),
            ticks: 0,
            scroll_max: std::sync::atomic::AtomicUsize::new(usize::MAX),
        };
        if let Some((name, tr)) = &opts.trace {
            app.open_trace(name, tr.clone())?;
        }
        app.schedule();
        Ok(app)
    }

    // ----- What the view and the tests read. -----

    pub fn model(&self) -> Model {
        self.session.model().clone()
    }
    pub fn session(&self) -> &Session {
        &self.session
    }
    pub fn split(&self) -> Option<&Split> {
        self.split.as_ref()
    }
    pub fn source(&self) -> &Source {
        &self.source
    }
    pub fn prog(&self) -> &Arc<Program> {
        &self.prog
    }
    pub fn listing(&self) -> &[ListingLine] {
        &self.listing
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn selected(&self) -> usize {
        self.selected
    }
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }
    pub fn message(&self) -> Option<&(String, Tone)> {
        self.message.as_ref()
    }
    /// The app has quit (the event loop stops).
    pub fn quit(&self) -> bool {
        self.quit
    }
    pub fn demo(&self) -> Option<&Demo> {
        self.demo.as_ref()
    }
    pub fn trace_path(&self) -> Option<&Path> {
        self.trace_path.as_deref()
    }
    /// Hint mode is on; the marks for the enabled transitions, once the search has them.
    pub fn hints(&self) -> Option<Option<&[FromHere]>> {
        self.hints_on
            .then(|| self.hints.as_ref().filter(|(g, _)| *g == self.session.generation()).map(|(_, h)| h.as_slice()))
    }
    /// `f`'s search is running: the states it has visited so far.
    pub fn searching(&self) -> Option<u64> {
        self.jobs.find_states()
    }
    /// Turns of the clock (the spinner's frame).
    pub fn ticks(&self) -> u64 {
        self.ticks
    }
    /// Any search running (in front or in the background), or a stopped worker not yet finished.
    pub fn busy(&self) -> bool {
        self.jobs.any()
    }
    /// Worker threads not yet finished (a stopped search gives its memory back when its thread ends).
    /// Drawing tells the app how far its help or page can scroll.
    pub(crate) fn set_scroll_max(&self, max: usize) {
        self.scroll_max.store(max, std::sync::atomic::Ordering::Relaxed);
    }
    pub fn workers(&self) -> usize {
        self.jobs.threads()
    }
    /// The running `f` search's progress (what it holds, whether it was told to stop).
    pub fn search_control(&self) -> Option<std::sync::Arc<sim::Control>> {
        self.jobs.find_control()
    }
    /// The demo is pausing on a question (the screen hides what would answer it).
    pub fn hiding(&self) -> bool {
        self.demo.as_ref().is_some_and(|d| d.hiding())
    }

    /// The input modes active now (the first is the app's own).
    pub fn modes(&self) -> Vec<Mode> {
        if self.jobs.finding() {
            return vec![Mode::Searching];
        }
        match self.overlay {
            Overlay::Help { .. } => vec![Mode::Help],
            Overlay::Page { .. } => vec![Mode::Page],
            Overlay::Menu { .. } => vec![Mode::Menu],
            Overlay::Prompt { .. } => vec![Mode::Prompt],
            Overlay::ConfirmQuit => vec![Mode::Confirm],
            Overlay::None if self.demo.is_some() => vec![Mode::Demo, Mode::Main],
            Overlay::None => vec![Mode::Main],
        }
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.message = Some((text.into(), tone));
    }

    pub(crate) fn tell(&mut self, text: impl Into<String>, tone: Tone) {
        self.say(text, tone);
    }

    pub(crate) fn set_demo(&mut self, d: Option<Demo>) {
        self.demo = d;
    }

    pub(crate) fn demo_mut(&mut self) -> Option<&mut Demo> {
        self.demo.as_mut()
    }

    // ----- The mutator. -----

    /// The only mutator: one action, then derived state, then the searches
    /// the new state needs (started on worker threads) and the demo's queued
    /// commands that can run now.
    pub fn update(&mut self, a: Action) {
        self.act(a);
        crate::demo::pump(self);
        self.schedule();
    }

    /// Waits for every running search, hands in its answer and runs the demo
    /// commands that waited for it, until nothing is left to wait for (tests,
    /// and demo scripts replayed from the start).
    pub fn settle(&mut self) {
        loop {
            self.schedule();
            if !self.wait_one() {
                break;
            }
            crate::demo::pump(self);
        }
        crate::demo::pump(self);
    }

    /// One action and its derived state (demo scripts call this between
    /// their own commands; the searches wait for [`App::update`]).
    pub(crate) fn act(&mut self, a: Action) {
        if self.jobs.finding() && !matches!(a, Action::Dismiss | Action::Quit | Action::QuitNow | Action::Tick) {
            return; // keys typed during a search are dropped
        }
        if !matches!(a, Action::SelectUp | Action::SelectDown | Action::Tick | Action::Scroll(_)) {
            self.message = None;
        }
        if matches!(
            a,
            Action::Step
                | Action::StepCycle
                | Action::NextEvent
                | Action::Pick(_)
                | Action::PickSelected
                | Action::Back
                | Action::Run
        ) {
            // New choices: from now on they are the ones to replay.
            self.basis = None;
        }
        match a {
            Action::Step => {
                if let Err(e) = self.session.step() {
                    self.say(e.to_string(), Tone::Warn);
                }
            }
            Action::StepCycle | Action::NextEvent => {
                let r = if a == Action::StepCycle { self.session.step_cycle() } else { self.session.step_event() };
                match r {
                    Err(e) => self.say(e.to_string(), Tone::Warn),
                    Ok(0) => self.say(
                        format!(
                            "Cycle {}: nothing completes yet (C jumps to the next cycle where something does).",
                            self.session.machine().cycle()
                        ),
                        Tone::Info,
                    ),
                    Ok(_) => {}
                }
            }
            Action::Explain => self.open_explanation(),
            Action::Pick(i) => self.pick(i),
            Action::PickSelected => self.pick(self.selected),
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => {
                self.selected = (self.selected + 1).min(self.session.snap().enabled.len().saturating_sub(1))
            }
            Action::Back => {
                if !self.session.back() {
                    self.say("Already at the start.", Tone::Warn);
                }
            }
            Action::BackToWait(core) => {
                if !self.session.back_to_wait(core) {
                    self.say(format!("Core {core}'s next instruction never had to wait in this run."), Tone::Warn);
                }
            }
            Action::Run => {
                if self.session.status() != &Status::Running {
                    let (v, _) = crate::view::verdict(&self.session);
                    self.say(format!("The run is already over: {v}."), Tone::Info);
                } else {
                    let n = self.session.run(RUN_LIMIT);
                    let how = match self.session.status() {
                        Status::Running => format!("stopped after {RUN_LIMIT} steps"),
                        Status::Quiescent => "quiescent: no lost work".into(),
                        Status::Violation(v) => v.to_string(),
                        Status::DeadEnd => "a dead end (promises that cannot be fulfilled)".into(),
                    };
                    self.say(format!("Ran {n} step{}: {how}.", plural(n)), Tone::Info);
                }
            }
            Action::Restart => {
                let _ = self.rebuild(self.model(), self.source.clone(), switch::Carry::Plan);
                self.say("Restarted.", Tone::Info);
            }
            Action::Find => self.start_find(),
            Action::ModelMenu => self.open_menu(MenuKind::Model),
            Action::VariantMenu => self.open_menu(MenuKind::Variant),
            Action::SetModel(name) => match sim::models::get(&name) {
                Ok(m) => self.set_model(m),
                Err(e) => self.say(e.to_string(), Tone::Warn),
            },
            Action::SetVariant(v) => self.set_variant(v),
            Action::ToggleSplit => {
                if self.split.is_some() {
                    self.split = None;
                } else {
                    if self.split_model == self.model() {
                        self.split_model = switch::other_model(&self.model());
                    }
                    self.split = Some(self.make_split());
                }
            }
            Action::SplitWith(name) => match sim::models::get(&name) {
                Ok(m) if m.is_operational() => {
                    self.split_model = m;
                    self.split = Some(self.make_split());
                }
                Ok(m) => self.say(format!("{} has no operational semantics.", m.title()), Tone::Warn),
                Err(e) => self.say(e.to_string(), Tone::Warn),
            },
            Action::SplitOff => self.split = None,
            Action::NextSplitModel => {
                let models = models();
                let i = models.iter().position(|m| *m == self.split_model).unwrap_or(0);
                self.split_model = models[(i + 1) % models.len()].clone();
                self.split = Some(self.make_split());
            }
            Action::ToggleLocal => {
                let on = !self.session.reduce();
                self.session.set_reduce(on);
                self.say(
                    if on {
                        "Register-only instructions now run at once after each step."
                    } else {
                        "Every instruction is now a step of its own."
                    },
                    Tone::Info,
                );
            }
            Action::TogglePromises => {
                if !self.session.machine().has_promises() {
                    self.say(format!("{} has no promises.", self.model().title()), Tone::Warn);
                } else {
                    self.promises = !self.promises;
                    let _ = self.rebuild(self.model(), self.source.clone(), switch::Carry::Choices);
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
            Action::ToggleHints => {
                self.hints_on = !self.hints_on;
                self.say(
                    if self.hints_on {
                        "Hints on: each enabled transition is marked with what the search says after it."
                    } else {
                        "Hints off."
                    },
                    Tone::Info,
                );
            }
            Action::NextSeed => {
                self.seed = self.seed.wrapping_add(1);
                let _ = self.rebuild(self.model(), self.source.clone(), switch::Carry::Plan);
                self.say(format!("Restarted on seed {}.", self.seed), Tone::Info);
            }
            Action::SetSeed(s) => {
                self.seed = s;
                let _ = self.rebuild(self.model(), self.source.clone(), switch::Carry::Plan);
            }
            Action::Save => self.save(),
            Action::Load => {
                let text = self.trace_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                self.overlay = Overlay::Prompt { title: "Load trace file".into(), text };
            }
            Action::ToggleHelp => {
                self.overlay = if matches!(self.overlay, Overlay::Help { .. }) {
                    Overlay::None
                } else {
                    Overlay::Help { scroll: 0 }
                };
            }
            Action::Quit => {
                if self.demo.is_some() && self.overlay != Overlay::ConfirmQuit && !self.jobs.finding() {
                    self.overlay = Overlay::ConfirmQuit;
                } else {
                    self.quit_now();
                }
            }
            Action::QuitNow => self.quit_now(),
            Action::Dismiss => {
                if self.jobs.finding() {
                    let n = self.jobs.cancel_find();
                    self.say(format!("Search stopped after {n} states."), Tone::Warn);
                    crate::demo::abandon(self, "the search was stopped (Esc)");
                } else if self.overlay != Overlay::None {
                    self.overlay = Overlay::None;
                }
            }
            Action::Scroll(d) => self.scroll(d),
            Action::MenuSubmit => {
                if let Overlay::Menu { selected, .. } = self.overlay {
                    self.act(Action::MenuPick(selected));
                }
            }
            Action::MenuPick(i) => {
                let item = match &self.overlay {
                    Overlay::Menu { items, .. } => items.get(i).cloned(),
                    _ => None,
                };
                if let Some(item) = item {
                    self.overlay = Overlay::None;
                    self.act(item.action);
                }
            }
            Action::StartOver { model, variant, cores, seed } => {
                let model = match model.map(|n| sim::models::get(&n)) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => return self.say(e.to_string(), Tone::Warn),
                    None => self.model(),
                };
                let cores = cores.unwrap_or(self.prog.num_cores());
                let seed = seed.unwrap_or(self.seed);
                if let Err(e) = self.restart_on(model, variant, cores, seed) {
                    self.say(e.to_string(), Tone::Warn);
                }
            }
            Action::DemoStart(script) => crate::demo::begin(self, script),
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
            Action::PromptSubmit => {
                let path = match std::mem::replace(&mut self.overlay, Overlay::None) {
                    Overlay::Prompt { text, .. } => text,
                    _ => String::new(),
                };
                self.load(path.trim());
            }
            Action::Tick => {
                self.ticks = self.ticks.wrapping_add(1);
                jobs::collect(self);
            }
        }
        self.after();
    }

    fn quit_now(&mut self) {
        self.jobs.cancel_all();
        self.quit = true;
    }

    /// Keeps derived state consistent after every action (cheap: no search).
    fn after(&mut self) {
        let n = self.session.snap().enabled.len();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
        if self.split.is_some() {
            let key = self.split_key();
            if self.split_key.as_ref() != Some(&key) {
                self.split = Some(self.make_split());
            }
        }
    }

    /// Starts the background searches the current state needs.
    fn schedule(&mut self) {
        jobs::schedule(self);
    }

    fn scroll(&mut self, d: i32) {
        let step = |v: usize| if d < 0 { v.saturating_sub(d.unsigned_abs() as usize) } else { v + d as usize };
        let max = self.scroll_max.load(std::sync::atomic::Ordering::Relaxed);
        match &mut self.overlay {
            // Past the end, ↑ moves from the last page shown, not from where ↓ stopped counting.
            Overlay::Help { scroll } | Overlay::Page { scroll, .. } => *scroll = step((*scroll).min(max)),
            Overlay::Menu { items, selected, .. } => {
                *selected = step(*selected).min(items.len().saturating_sub(1));
            }
            _ => {}
        }
    }

    fn pick(&mut self, i: usize) {
        match self.session.snap().enabled.get(i).map(|r| r.t) {
            Some(t) => {
                if let Err(e) = self.session.pick(t) {
                    self.say(e.to_string(), Tone::Warn);
                }
                self.selected = 0;
            }
            None if self.session.snap().enabled.is_empty() => {
                self.say("Nothing can happen: the run is over.", Tone::Warn)
            }
            None => {
                let n = self.session.snap().enabled.len();
                self.say(
                    format!("There is no transition {}: {n} {} enabled.", i + 1, if n == 1 { "is" } else { "are" }),
                    Tone::Warn,
                )
            }
        }
    }

    fn open_menu(&mut self, kind: MenuKind) {
        let items: Vec<MenuItem> = match kind {
            MenuKind::Model => models()
                .into_iter()
                .map(|m| MenuItem {
                    current: m == self.model(),
                    label: format!("{} — {}", m.title(), m.name()),
                    action: Action::SetModel(m.name().to_string()),
                })
                .collect(),
            MenuKind::Variant => {
                let Some(cur) = self.source.variant() else {
                    return self.say("Variants exist only for irq_work.", Tone::Warn);
                };
                Variant::ALL
                    .iter()
                    .map(|&v| MenuItem {
                        current: v == cur,
                        label: format!("{} — {}", variant_name(v), v.summary()),
                        action: Action::SetVariant(v),
                    })
                    .collect()
            }
        };
        let selected = items.iter().position(|i| i.current).unwrap_or(0);
        self.overlay = Overlay::Menu { kind, items, selected };
    }

    /// The full-screen explanation: the banner's account (lost or safe), the
    /// axiomatic cycle, the whole event log.
    fn open_explanation(&mut self) {
        let mut lines: Vec<(String, Tone)> = Vec::new();
        let (v, _) = crate::view::verdict(&self.session);
        lines.push((
            format!("Now: {v}, after {} step{}.", self.session.step_no(), plural(self.session.step_no())),
            Tone::Info,
        ));
        if let Status::Violation(v) = self.session.status() {
            lines.push((String::new(), Tone::Info));
            lines.push((format!("Why work was lost — {v}"), Tone::Bad));
            lines.extend(self.session.explanation().iter().map(|l| (l.clone(), Tone::Info)));
        }
        if !self.session.safe_why().is_empty() {
            lines.push((String::new(), Tone::Info));
            lines.push(("Why no work can be lost from here".into(), Tone::Good));
            lines.extend(self.session.safe_why().iter().map(|l| (l.clone(), Tone::Info)));
        }
        lines.push((String::new(), Tone::Info));
        match self.session.explain_axiomatic() {
            Ok(ax) => {
                lines.push(("The run as an execution graph".into(), Tone::Good));
                lines.extend(ax.into_iter().map(|l| (l, Tone::Info)));
            }
            Err(e) => lines.push((format!("No axiomatic explanation: {e}"), Tone::Warn)),
        }
        lines.push((String::new(), Tone::Info));
        lines.push(("Event log".into(), Tone::Good));
        for e in self.session.log() {
            let text = match e.kind {
                crate::session::LogKind::Step => format!("{:>3}. {}", e.step, e.text),
                crate::session::LogKind::Local => format!("     {}", e.text),
                crate::session::LogKind::Note => format!("   ─ {}", e.text),
                crate::session::LogKind::Alert => format!("   ! {}", e.text),
            };
            lines.push((text, if e.kind == crate::session::LogKind::Alert { Tone::Bad } else { Tone::Info }));
        }
        self.overlay = Overlay::Page { title: "Explanation".into(), lines, scroll: 0 };
    }
}

/// "s" when `n` is not one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
