//! The app's searches on worker threads: `f` in front (a spinner, keys
//! dropped, Esc stops it), "from here" for the main and the split view, and the
//! hints, in the background. Each answer is for one state ([`Session::generation`]);
//! a stale one is dropped, and a search whose state is gone is stopped.

use super::{plural, App, Tone};
use crate::search::{self, Found, FromHere, Job};
use crate::session::Session;
use std::sync::Arc;
use std::thread::JoinHandle;

#[derive(Debug, Default)]
pub(crate) struct Jobs {
    find: Option<(Job<Found>, String)>,
    here: Option<(u64, Job<Option<FromHere>>)>,
    split_here: Option<(u64, Job<Option<FromHere>>)>,
    hints: Option<(u64, Job<Option<Vec<FromHere>>>)>,
    /// Stopped workers, still finishing (each gives its memory back when it ends).
    stopping: Vec<JoinHandle<()>>,
}

impl Jobs {
    pub(crate) fn finding(&self) -> bool {
        self.find.is_some()
    }

    pub(crate) fn find_control(&self) -> Option<Arc<sim::Control>> {
        self.find.as_ref().map(|(j, _)| j.control().clone())
    }

    pub(crate) fn find_states(&self) -> Option<u64> {
        self.find.as_ref().map(|(j, _)| j.states())
    }

    pub(crate) fn any(&self) -> bool {
        self.find.is_some()
            || self.here.is_some()
            || self.split_here.is_some()
            || self.hints.is_some()
            || !self.stopping.is_empty()
    }

    pub(crate) fn threads(&self) -> usize {
        usize::from(self.find.is_some())
            + usize::from(self.here.is_some())
            + usize::from(self.split_here.is_some())
            + usize::from(self.hints.is_some())
            + self.stopping.iter().filter(|h| !h.is_finished()).count()
    }

    fn stop<T: Send + 'static>(&mut self, j: Job<T>) {
        if let Some(h) = j.cancel() {
            self.stopping.push(h);
        }
    }

    /// Stops `f`'s search; returns the states it had visited.
    pub(crate) fn cancel_find(&mut self) -> u64 {
        match self.find.take() {
            Some((j, _)) => {
                let n = j.states();
                self.stop(j);
                n
            }
            None => 0,
        }
    }

    pub(crate) fn cancel_all(&mut self) {
        self.cancel_find();
        if let Some((_, j)) = self.here.take() {
            self.stop(j);
        }
        if let Some((_, j)) = self.split_here.take() {
            self.stop(j);
        }
        if let Some((_, j)) = self.hints.take() {
            self.stop(j);
        }
    }

    /// Takes over another app's workers (stopping them).
    pub(crate) fn adopt(&mut self, mut old: Jobs) {
        old.cancel_all();
        self.stopping.append(&mut old.stopping);
    }

    /// Joins the stopped workers that have finished (`all`: waits for every one).
    fn reap(&mut self, all: bool) {
        let (done, running): (Vec<_>, Vec<_>) = self.stopping.drain(..).partition(|h| all || h.is_finished());
        self.stopping = running;
        for h in done {
            let _ = h.join();
        }
    }

    /// Blocks until one running search answers and hands it in; false when none runs.
    pub(crate) fn wait_one(app: &mut App) -> bool {
        let jobs = &mut app.jobs;
        if let Some((j, key)) = jobs.find.take() {
            if let Some(f) = j.wait() {
                found(app, f, &key);
            }
            return true;
        }
        if let Some((g, j)) = jobs.here.take() {
            if let Some(Some(f)) = j.wait() {
                app.session.set_from_here(g, f);
            }
            return true;
        }
        if let Some((g, j)) = jobs.split_here.take() {
            if let Some(Some(f)) = j.wait() {
                if let Some(sp) = app.split.as_mut() {
                    sp.session.set_from_here(g, f);
                }
            }
            return true;
        }
        if let Some((g, j)) = jobs.hints.take() {
            if let Some(Some(h)) = j.wait() {
                app.hints = Some((g, h));
            }
            return true;
        }
        if !jobs.stopping.is_empty() {
            jobs.reap(true);
            return true;
        }
        false
    }
}

impl App {
    /// Blocks until one running search answers (see [`App::settle`]).
    pub(super) fn wait_one(&mut self) -> bool {
        Jobs::wait_one(self)
    }

    /// `f`: the search starts on a worker thread from the program's initial state.
    pub(super) fn start_find(&mut self) {
        let start = match self.model().machine(self.prog.clone()) {
            Ok(m) => m,
            Err(e) => return self.say(e.to_string(), Tone::Warn),
        };
        // A litmus test has a condition and no lost-work invariant: look for a witness of the condition.
        let witness = self.prog.lost_work.is_empty() && self.prog.condition.is_some();
        let key = find_key(self);
        self.jobs.find = Some((Job::spawn(move |c| search::counterexample(&start, witness, c)), key));
    }
}

/// What a search result applies to.
fn find_key(app: &App) -> String {
    format!("{:p}|{}", Arc::as_ptr(&app.prog), app.model().name())
}

/// `f` answered: load the schedule found, or say why there is none.
fn found(app: &mut App, f: Found, key: &str) {
    if key != find_key(app) {
        return;
    }
    let title = app.model().title();
    let (schedule, what, kind, states) = match f {
        Found::Counterexample { schedule, what, states } => (schedule, what, "shortest counterexample", states),
        Found::Witness { schedule, states } => {
            (schedule, "the condition holds".to_string(), "shortest witness of the condition", states)
        }
        Found::Safe { states, finals } => {
            let text = if app.prog.lost_work.is_empty() && app.prog.condition.is_some() {
                format!("The condition is not reachable on {title}: {finals} final states, {states} states searched.")
            } else {
                format!("No lost work is possible on {title}: all {states} reachable states checked.")
            };
            app.say(text, Tone::Good);
            return;
        }
        Found::Bounded { why, .. } => return app.say(format!("Inconclusive: {why}."), Tone::Warn),
        Found::Cancelled { states } => return app.say(format!("Search stopped after {states} states."), Tone::Warn),
    };
    let n = schedule.visible;
    let name = format!("{kind}, {n} step{}", plural(n));
    let promises = match schedule.promise_steps {
        0 => String::new(),
        k => format!(" (it needs {k} promise{})", plural(k)),
    };
    let s = Session::with_plan(
        app.prog.clone(),
        app.model(),
        app.seed,
        app.session.reduce(),
        &name,
        schedule.steps,
        Some(schedule.promises),
    );
    match s {
        Ok(mut s) => {
            s.remark(format!("search: {what} ({states} states); loaded the {name}{promises}"));
            app.session = s;
            app.basis = None;
            app.selected = 0;
            let key = if app.demo.is_some() { "s" } else { "space" };
            app.say(
                format!(
                    "Found it ({states} states searched): {what}. Press {key} to step through the {name}{promises}."
                ),
                Tone::Good,
            );
        }
        Err(e) => app.say(e.to_string(), Tone::Warn),
    }
}

/// Collects the answers of finished searches (never blocks).
pub(super) fn collect(app: &mut App) {
    if let Some((j, _)) = app.jobs.find.as_mut() {
        if let Some(f) = j.poll() {
            let (_, key) = app.jobs.find.take().expect("the find job");
            found(app, f, &key);
        }
    }
    if let Some((g, j)) = app.jobs.here.as_mut() {
        if let Some(r) = j.poll() {
            let g = *g;
            app.jobs.here = None;
            if let Some(f) = r {
                app.session.set_from_here(g, f);
            }
        }
    }
    if let Some((g, j)) = app.jobs.split_here.as_mut() {
        if let Some(r) = j.poll() {
            let g = *g;
            app.jobs.split_here = None;
            if let (Some(f), Some(sp)) = (r, app.split.as_mut()) {
                sp.session.set_from_here(g, f);
            }
        }
    }
    if let Some((g, j)) = app.jobs.hints.as_mut() {
        if let Some(r) = j.poll() {
            let g = *g;
            app.jobs.hints = None;
            if let Some(h) = r {
                app.hints = Some((g, h));
            }
        }
    }
    app.jobs.reap(false);
}

/// Starts the background searches the current state needs, and stops those
/// whose state is gone.
pub(super) fn schedule(app: &mut App) {
    let jobs = &mut app.jobs;
    // The main view's "from here".
    let want = app.session.wants_from_here().then(|| app.session.generation());
    if jobs.here.as_ref().map(|(g, _)| *g) != want {
        if let Some((_, j)) = jobs.here.take() {
            jobs.stop(j);
        }
        if let Some(g) = want {
            let m = app.session.machine().clone();
            jobs.here = Some((g, Job::spawn(move |c| search::from_here(&m, c))));
        }
    }
    // The split view's.
    let want = app.split.as_ref().and_then(|sp| sp.session.wants_from_here().then(|| sp.session.generation()));
    if jobs.split_here.as_ref().map(|(g, _)| *g) != want {
        if let Some((_, j)) = jobs.split_here.take() {
            jobs.stop(j);
        }
        if let (Some(g), Some(sp)) = (want, app.split.as_ref()) {
            let m = sp.session.machine().clone();
            jobs.split_here = Some((g, Job::spawn(move |c| search::from_here(&m, c))));
        }
    }
    // The hints.
    let g = app.session.generation();
    let want = (app.hints_on
        && app.session.status() == &sim::Status::Running
        && app.hints.as_ref().is_none_or(|(h, _)| *h != g))
    .then_some(g);
    if jobs.hints.as_ref().map(|(g, _)| *g) != want {
        if let Some((_, j)) = jobs.hints.take() {
            jobs.stop(j);
        }
        if let Some(g) = want {
            let m = app.session.machine().clone();
            let ts: Vec<_> = app.session.snap().enabled.iter().map(|r| r.t).collect();
            let reduce = app.session.reduce();
            jobs.hints = Some((g, Job::spawn(move |c| search::hints(&m, &ts, reduce, c))));
        }
    }
}
