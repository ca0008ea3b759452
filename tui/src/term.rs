//! The event loop, generic over the backend, and the real terminal around it.

use crate::app::App;
use crate::keys::{action_for, Action};
use crossterm::event::Event;
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::io::IsTerminal;
use std::time::Duration;

/// Why the TUI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TermError {
    #[error("the TUI needs a terminal, but {0} is not one (for text output try `weaksim explore irq_work` or `weaksim run irq_work`)")]
    NotATerminal(&'static str),
    #[error("terminal: {0}")]
    Io(String),
}

/// What the event loop gets next.
#[derive(Debug)]
pub enum Input {
    /// A key press, a resize.
    Event(Event),
    /// Nothing happened for a while: the clock ticks (searches are collected, the spinner turns).
    Idle,
    /// Wait until every running search has answered (tests and scripts: a patient user).
    Settle,
    /// No more input: the loop ends.
    End,
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &App) -> Result<(), TermError> {
    terminal.draw(|f| f.render_widget(app, f.area())).map(|_| ()).map_err(|e| TermError::Io(format!("{e:?}")))
}

/// Draws, takes the next input, updates; until the app quits or the input ends.
/// `next` sees the app (the real terminal polls faster while a search runs).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut next: impl FnMut(&App) -> std::io::Result<Input>,
) -> Result<(), TermError> {
    draw(terminal, app)?;
    while !app.quit() {
        match next(app).map_err(|e| TermError::Io(e.to_string()))? {
            Input::Event(Event::Key(k)) => {
                if let Some(a) = action_for(&k, &app.modes()) {
                    app.update(a);
                }
            }
            Input::Event(Event::Resize(..)) => terminal.autoresize().map_err(|e| TermError::Io(format!("{e:?}")))?,
            Input::Event(_) => continue,
            Input::Idle => app.update(Action::Tick),
            Input::Settle => app.settle(),
            Input::End => break,
        }
        draw(terminal, app)?;
    }
    Ok(())
}

/// Whether standard input and output are a terminal the TUI can run in.
pub fn check_terminal() -> Result<(), TermError> {
    if !std::io::stdout().is_terminal() {
        return Err(TermError::NotATerminal("standard output"));
    }
    if !std::io::stdin().is_terminal() {
        return Err(TermError::NotATerminal("standard input"));
    }
    Ok(())
}

/// Runs the app in the real terminal (raw mode, alternate screen), restoring it on exit and on panic.
pub fn run_terminal(mut app: App) -> Result<(), TermError> {
    check_terminal()?;
    let mut terminal = ratatui::init();
    let r = run(&mut terminal, &mut app, |app| {
        // The clock ticks often while a search runs (the spinner), seldom otherwise.
        let wait = if app.busy() { Duration::from_millis(80) } else { Duration::from_millis(500) };
        if crossterm::event::poll(wait)? {
            crossterm::event::read().map(Input::Event)
        } else {
            Ok(Input::Idle)
        }
    });
    ratatui::restore();
    r
}
