//! `weaksim demo`: a guided classroom walkthrough, driven by a script file
//! (TOML). Each step has a caption; a step may first ask the audience to
//! predict what happens, and reveal it on the next key press. The default
//! script (`tui/demo/irq_work.toml`) tells the irq_work race and its fixes.

use crate::app::{App, Tone};
use crate::error::DemoError;
use crate::keys::Action;
use serde::Deserialize;
use sim::{Status, Violation};
use std::collections::VecDeque;
use std::sync::Arc;
use workloads::Variant;

/// The default script, built in.
pub const DEFAULT_SCRIPT: &str = include_str!("../demo/irq_work.toml");

/// A demo script.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub title: String,
    /// Where the demo starts.
    #[serde(default)]
    pub setup: Setup,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

/// A configuration to (re)start on; unset fields keep their value.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub variant: Option<String>,
    pub model: Option<String>,
    pub cores: Option<usize>,
    pub seed: Option<u64>,
}

/// One step of the walkthrough.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    pub caption: String,
    /// Restart on this configuration first.
    #[serde(default)]
    pub setup: Option<Setup>,
    /// Commands run when the step is entered, before any question.
    #[serde(default)]
    pub before: Vec<Cmd>,
    /// A question for the audience: the step pauses until the next key press.
    #[serde(default)]
    pub ask: Option<String>,
    /// Shown after the question, once the commands in `do` have run.
    #[serde(default)]
    pub answer: Option<String>,
    /// Commands run when the step is entered, or after the question.
    #[serde(default, rename = "do")]
    pub actions: Vec<Cmd>,
    /// Keep hidden, while this caption shows, what would answer the next
    /// step's question (the transition list, `waits` lines, "from here").
    #[serde(default)]
    pub hide: bool,
}

/// What a demo step can do to the simulator.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Cmd {
    /// Exhaustive search; load the shortest counterexample.
    Find,
    Restart,
    /// Run to the end with the scheduler.
    Run,
    Back,
    /// One scheduler step (the loaded trace's next step).
    Step,
    /// Close the split view.
    SplitOff,
    /// This many scheduler steps.
    Follow(usize),
    /// Take the enabled transition whose label contains this text.
    Pick(String),
    /// Scheduler steps until one whose label contains this text has been taken.
    Until(String),
    /// Switch model (replaying the same choices).
    Model(String),
    /// Switch irq_work variant (replaying the same choices).
    Variant(String),
    /// Open the split view with this model on the right.
    Split(String),
    Seed(u64),
    /// Step back to the last moment core N's next instruction had to wait.
    BackToWait(usize),
    /// Check the state: "lost", "quiescent", "running", "safe-from-here", "lost-from-here".
    Expect(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The question is on screen; the answer comes with the next key press.
    Asking,
    /// The caption (and answer) are on screen.
    Shown,
}

/// Where the walkthrough is.
#[derive(Clone, Debug)]
pub struct Demo {
    script: Arc<Script>,
    pos: usize,
    phase: Phase,
    /// Script commands that did not work (shown, so the author can fix them).
    problems: Vec<String>,
    /// Commands still to run (they wait for a search to answer).
    queue: VecDeque<Cmd>,
}

impl Demo {
    pub fn script(&self) -> &Script {
        &self.script
    }
    /// The step on screen (0-based).
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn phase(&self) -> Phase {
        self.phase
    }
    pub fn current(&self) -> Option<&Step> {
        self.script.steps.get(self.pos)
    }
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
    /// A question is on screen: what would answer it stays hidden.
    pub fn asking(&self) -> bool {
        self.phase == Phase::Asking
    }
    /// The screen hides what would answer a question: one is asked, or the
    /// step leads up to the next one (`hide = true`).
    pub fn hiding(&self) -> bool {
        self.asking() || self.current().is_some_and(|s| s.hide)
    }
    /// Commands of the step still waiting to run (for a search).
    pub fn working(&self) -> bool {
        !self.queue.is_empty()
    }
    /// The last step is on screen and done.
    pub fn at_end(&self) -> bool {
        self.pos + 1 == self.script.steps.len() && self.phase == Phase::Shown && self.queue.is_empty()
    }
}

/// Parses a script.
pub fn parse(text: &str, file: &str) -> Result<Script, DemoError> {
    let s: Script = toml::from_str(text).map_err(|error| DemoError::Toml { file: file.to_string(), error })?;
    if s.steps.is_empty() {
        return Err(DemoError::NoSteps { file: file.to_string() });
    }
    Ok(s)
}

/// Starts the walkthrough on `app`.
pub fn start(app: &mut App, script: Script) {
    app.update(Action::DemoStart(Arc::new(script)));
}

/// [`Action::DemoStart`]: the demo's state, its setup, its first step.
pub(crate) fn begin(app: &mut App, script: Arc<Script>) {
    let setup = script.setup.clone();
    app.set_demo(Some(Demo { script, pos: 0, phase: Phase::Shown, problems: Vec::new(), queue: VecDeque::new() }));
    apply_setup(app, &setup);
    enter(app, 0);
}

fn problem(app: &mut App, p: String) {
    if let Some(d) = app.demo_mut() {
        d.problems.push(p);
    }
}

/// Drops the commands still queued (a search was stopped), noting why.
pub(crate) fn abandon(app: &mut App, why: &str) {
    let Some(d) = app.demo_mut() else { return };
    if d.queue.is_empty() {
        return;
    }
    d.queue.clear();
    d.problems.push(format!("this step did not finish: {why}"));
}

fn apply_setup(app: &mut App, s: &Setup) {
    let variant = match s.variant.as_deref().map(str::parse::<Variant>) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            problem(app, e.to_string());
            None
        }
        None => None,
    };
    app.act(Action::StartOver { model: s.model.clone(), variant, cores: s.cores, seed: s.seed });
    if let Some((m, crate::app::Tone::Warn)) = app.message().cloned() {
        problem(app, m);
    }
}

fn enter(app: &mut App, k: usize) {
    let Some(step) = app.demo().and_then(|d| d.script.steps.get(k).cloned()) else { return };
    if let Some(d) = app.demo_mut() {
        d.pos = k;
        d.phase = if step.ask.is_some() { Phase::Asking } else { Phase::Shown };
    }
    if let Some(s) = &step.setup {
        apply_setup(app, s);
    }
    let mut cmds = step.before.clone();
    if step.ask.is_none() {
        cmds.extend(step.actions.iter().cloned());
    }
    if let Some(d) = app.demo_mut() {
        d.queue.extend(cmds);
    }
    pump(app);
}

/// Next caption, or the answer to the question on screen. Ignored while the
/// step's commands still run (a search).
pub(crate) fn next(app: &mut App) {
    let Some(d) = app.demo() else { return };
    if d.working() {
        return;
    }
    let (pos, phase, len) = (d.pos, d.phase, d.script.steps.len());
    if phase == Phase::Asking {
        let acts = d.script.steps[pos].actions.clone();
        if let Some(d) = app.demo_mut() {
            d.phase = Phase::Shown;
            d.queue.extend(acts);
        }
        pump(app);
    } else if pos + 1 < len {
        enter(app, pos + 1);
    } else {
        app.set_demo(None);
        app.act(Action::Dismiss);
        app.tell("End of the demo: the simulator is yours (? for the keys, q to quit).", Tone::Good);
    }
}

/// Back to the previous caption: replays the script from the start up to it.
pub(crate) fn prev(app: &mut App) {
    let Some(d) = app.demo() else { return };
    let target =
        if d.phase == Phase::Shown && d.script.steps[d.pos].ask.is_some() { d.pos } else { d.pos.saturating_sub(1) };
    goto(app, target);
}

/// Replays the script from the start to step `target` (entered, question on
/// screen). Its searches run on worker threads; this waits for each.
pub fn goto(app: &mut App, target: usize) {
    let Some(d) = app.demo() else { return };
    let script = d.script.clone();
    if let Err(e) = app.reset() {
        app.tell(e.to_string(), Tone::Warn);
        return;
    }
    begin(app, script);
    app.settle();
    while app.demo().is_some_and(|d| d.pos < target) {
        next(app);
        app.settle();
    }
}

/// Runs the queued commands that can run now: a command waits while `f`
/// searches, and an `expect` about "from here" waits for that search.
pub(crate) fn pump(app: &mut App) {
    loop {
        let Some(cmd) = app.demo().and_then(|d| d.queue.front().cloned()) else { return };
        if app.searching().is_some() {
            return;
        }
        if matches!(cmd, Cmd::Expect(_)) && app.session().wants_from_here() {
            return;
        }
        if let Some(d) = app.demo_mut() {
            d.queue.pop_front();
        }
        if let Err(e) = run_cmd(app, &cmd) {
            problem(app, format!("{cmd:?}: {e}"));
        }
    }
}

/// Why a script's command did not do what it says (a problem of the demo,
/// listed with the command).
#[derive(Debug, thiserror::Error)]
enum CmdError {
    /// The warning the app showed after the command.
    #[error("{0}")]
    Warned(String),
    #[error("nothing could happen")]
    NothingHappened,
    #[error("no enabled transition contains {0:?}")]
    NoTransition(String),
    #[error("no step containing {0:?} within 500 steps")]
    NotWithin(String),
    #[error(transparent)]
    Model(#[from] sim::ModelError),
    #[error("{0} is not available")]
    NotAvailable(String),
    #[error(transparent)]
    Variant(#[from] workloads::irq_work::UnknownVariant),
    #[error("unknown expectation {0:?}")]
    UnknownExpectation(String),
    #[error("expected {what}, but the state is {state:?} (from here: {from:?})")]
    Unexpected { what: String, state: Status, from: Option<crate::search::FromHere> },
}

/// A warning the last action left, as an error.
fn warned(app: &App) -> Result<(), CmdError> {
    match app.message() {
        Some((m, Tone::Warn)) => Err(CmdError::Warned(m.clone())),
        _ => Ok(()),
    }
}

fn step(app: &mut App) -> Result<(), CmdError> {
    let before = app.session().step_no();
    app.act(Action::Step);
    warned(app)?;
    if app.session().step_no() == before {
        return Err(CmdError::NothingHappened);
    }
    Ok(())
}

fn run_cmd(app: &mut App, c: &Cmd) -> Result<(), CmdError> {
    match c {
        Cmd::Find => app.act(Action::Find),
        Cmd::Restart => app.act(Action::Restart),
        Cmd::Run => app.act(Action::Run),
        Cmd::Back => app.act(Action::Back),
        Cmd::Step => step(app)?,
        Cmd::SplitOff => app.act(Action::SplitOff),
        Cmd::BackToWait(core) => {
            app.act(Action::BackToWait(*core));
            warned(app)?;
        }
        Cmd::Follow(n) => {
            for _ in 0..*n {
                step(app)?;
            }
        }
        Cmd::Pick(text) => {
            let i = app
                .session()
                .snap()
                .enabled
                .iter()
                .position(|r| r.label.contains(text.as_str()))
                .ok_or_else(|| CmdError::NoTransition(text.clone()))?;
            app.act(Action::Pick(i));
        }
        Cmd::Until(text) => {
            for _ in 0..500 {
                let next = app.session().planned().map(|t| app.session().machine().label(t));
                step(app)?;
                let taken = app.session().choices().last().map(|c| c.label.clone()).or(next).unwrap_or_default();
                if taken.contains(text.as_str()) {
                    return Ok(());
                }
            }
            return Err(CmdError::NotWithin(text.clone()));
        }
        Cmd::Model(m) => {
            let want = sim::models::get(m)?;
            app.act(Action::SetModel(m.clone()));
            if app.model() != want {
                return Err(CmdError::NotAvailable(want.title().to_string()));
            }
        }
        Cmd::Variant(v) => app.act(Action::SetVariant(v.parse::<Variant>()?)),
        Cmd::Split(m) => {
            app.act(Action::SplitWith(m.clone()));
            warned(app)?;
        }
        Cmd::Seed(s) => app.act(Action::SetSeed(*s)),
        Cmd::Expect(what) => {
            let st = app.session().status().clone();
            let from = app.session().from_here().cloned();
            let ok = match what.as_str() {
                "lost" => matches!(st, Status::Violation(Violation::LostWork { .. })),
                "quiescent" => st == Status::Quiescent,
                "running" => st == Status::Running,
                "safe-from-here" => {
                    st == Status::Quiescent || matches!(from, Some(crate::search::FromHere::Safe { .. }))
                }
                "lost-from-here" => {
                    matches!(st, Status::Violation(_))
                        || matches!(from, Some(crate::search::FromHere::Reachable { .. }))
                }
                _ => return Err(CmdError::UnknownExpectation(what.clone())),
            };
            if !ok {
                return Err(CmdError::Unexpected { what: what.clone(), state: st, from });
            }
        }
    }
    Ok(())
}
