//! `weaksim demo`: a guided classroom walkthrough, driven by a script file
//! (TOML). Each step has a caption; a step may first ask the audience to
//! predict what happens, and reveal it on the next key press. The default
//! script (`tui/demo/irq_work.toml`) tells the irq_work race and its fixes.

use crate::app::{App, Tone};
use crate::keys::Action;
use serde::Deserialize;
use sim::{Status, Violation};
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
    pub script: Arc<Script>,
    pub pos: usize,
    pub phase: Phase,
    /// Script commands that did not work (shown, so the author can fix them).
    pub problems: Vec<String>,
    pub finished: bool,
}

impl Demo {
    pub fn current(&self) -> Option<&Step> {
        self.script.steps.get(self.pos)
    }
}

/// Parses a script.
pub fn parse(text: &str, file: &str) -> Result<Script, String> {
    let s: Script = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    if s.steps.is_empty() {
        return Err(format!("{file}: the script has no [[step]]"));
    }
    Ok(s)
}

/// Starts the walkthrough on `app`.
pub fn start(app: &mut App, script: Script) {
    app.demo =
        Some(Demo { script: Arc::new(script), pos: 0, phase: Phase::Shown, problems: Vec::new(), finished: false });
    let setup = app.demo.as_ref().map(|d| d.script.setup.clone()).unwrap_or_default();
    apply_setup(app, &setup);
    enter(app, 0);
}

fn problem(app: &mut App, p: String) {
    if let Some(d) = app.demo.as_mut() {
        d.problems.push(p);
    }
}

fn apply_setup(app: &mut App, s: &Setup) {
    let mut errs = Vec::new();
    if let Some(v) = &s.variant {
        match v.parse::<Variant>() {
            Ok(v) => {
                if let crate::app::Source::IrqWork(c) = &mut app.source {
                    c.variant = v;
                }
            }
            Err(e) => errs.push(e),
        }
    }
    if let Some(seed) = s.seed {
        app.seed = seed;
    }
    let model = match &s.model {
        Some(m) => match sim::models::get(m) {
            Ok(m) => Some(m),
            Err(e) => {
                errs.push(e.to_string());
                None
            }
        },
        None => None,
    };
    let cores = s.cores.unwrap_or(app.prog.num_cores());
    app.split = None;
    if let Err(e) = app.restart_on(model.unwrap_or(app.model()), cores) {
        errs.push(e);
    }
    for e in errs {
        problem(app, e);
    }
}

fn enter(app: &mut App, k: usize) {
    let Some(step) = app.demo.as_ref().and_then(|d| d.script.steps.get(k).cloned()) else { return };
    if let Some(d) = app.demo.as_mut() {
        d.pos = k;
        d.phase = Phase::Shown;
    }
    if let Some(s) = &step.setup {
        apply_setup(app, s);
    }
    run_cmds(app, &step.before);
    if step.ask.is_some() {
        if let Some(d) = app.demo.as_mut() {
            d.phase = Phase::Asking;
        }
    } else {
        run_cmds(app, &step.actions);
    }
}

/// Next caption, or the answer to the question on screen.
pub fn next(app: &mut App) {
    let Some(d) = app.demo.as_ref() else { return };
    let (pos, phase, len) = (d.pos, d.phase, d.script.steps.len());
    if phase == Phase::Asking {
        let acts = d.script.steps[pos].actions.clone();
        run_cmds(app, &acts);
        if let Some(d) = app.demo.as_mut() {
            d.phase = Phase::Shown;
        }
    } else if pos + 1 < len {
        enter(app, pos + 1);
    } else if let Some(d) = app.demo.as_mut() {
        d.finished = true;
        app.message = Some(("End of the demo: the simulator is yours (? for the keys, q to quit).".into(), Tone::Good));
    }
}

/// Back to the previous caption: replays the script from the start up to it.
pub fn prev(app: &mut App) {
    let Some(d) = app.demo.as_ref() else { return };
    let target =
        if d.phase == Phase::Shown && d.script.steps[d.pos].ask.is_some() { d.pos } else { d.pos.saturating_sub(1) };
    goto(app, target);
}

/// Replays the script from the start to step `target` (entered, question on screen).
pub fn goto(app: &mut App, target: usize) {
    let Some(d) = app.demo.as_ref() else { return };
    let script = (*d.script).clone();
    if let Ok(fresh) = App::new(app.initial.clone()) {
        let save_dir = app.save_dir.clone();
        *app = fresh;
        app.save_dir = save_dir;
    }
    start(app, script);
    while app.demo.as_ref().is_some_and(|d| d.pos < target) {
        next(app);
    }
}

fn run_cmds(app: &mut App, cmds: &[Cmd]) {
    for c in cmds {
        if let Err(e) = run_cmd(app, c) {
            problem(app, format!("{c:?}: {e}"));
        }
    }
}

fn run_cmd(app: &mut App, c: &Cmd) -> Result<(), String> {
    match c {
        Cmd::Find => app.find(),
        Cmd::Restart => app.update(Action::Restart),
        Cmd::Run => app.update(Action::Run),
        Cmd::Back => app.update(Action::Back),
        Cmd::Step => app.update(Action::Step),
        Cmd::SplitOff => app.split = None,
        Cmd::Follow(n) => {
            for _ in 0..*n {
                app.session.step()?;
            }
            app.update_derived();
        }
        Cmd::Pick(text) => {
            let i = app
                .session
                .snap
                .enabled
                .iter()
                .position(|r| r.label.contains(text.as_str()))
                .ok_or_else(|| format!("no enabled transition contains {text:?}"))?;
            app.update(Action::Pick(i));
        }
        Cmd::Until(text) => {
            for _ in 0..500 {
                let next = app.session.planned().map(|t| app.session.machine.label(t));
                app.session.step()?;
                let taken = app.session.choices.last().map(|c| c.label.clone()).or(next).unwrap_or_default();
                if taken.contains(text.as_str()) {
                    app.update_derived();
                    return Ok(());
                }
            }
            app.update_derived();
            return Err(format!("no step containing {text:?} within 500 steps"));
        }
        Cmd::Model(m) => {
            let m = sim::models::get(m).map_err(|e| e.to_string())?;
            app.set_model(m.clone());
            if app.model() != m {
                return Err(format!("{} is not available", m.title()));
            }
        }
        Cmd::Variant(v) => app.set_variant(v.parse()?),
        Cmd::Split(m) => {
            let m = sim::models::get(m).map_err(|e| e.to_string())?;
            if !m.is_operational() {
                return Err(format!("{} is not available", m.title()));
            }
            app.split_model = m;
            app.split = None;
            app.update(Action::ToggleSplit);
        }
        Cmd::Seed(s) => app.set_seed(*s),
        Cmd::Expect(what) => {
            let st = app.session.status().clone();
            let from = app.session.from_here.clone();
            let ok = match what.as_str() {
                "lost" => matches!(st, Status::Violation(Violation::LostWork { .. })),
                "quiescent" => st == Status::Quiescent,
                "running" => st == Status::Running,
                "safe-from-here" => {
                    st == Status::Quiescent || matches!(from, Some(crate::session::FromHere::Safe { .. }))
                }
                "lost-from-here" => {
                    matches!(st, Status::Violation(_))
                        || matches!(from, Some(crate::session::FromHere::Reachable { .. }))
                }
                _ => return Err(format!("unknown expectation {what:?}")),
            };
            if !ok {
                return Err(format!("expected {what}, but the state is {st:?} (from here: {from:?})"));
            }
        }
    }
    Ok(())
}
