//! The event loop, generic over the backend, and the real terminal around it.

use crate::app::{App, Tone};
use crate::keys::{action_for, Action};
use crossterm::event::Event;
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::io::IsTerminal;

/// Why the TUI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TermError {
    #[error("the TUI needs a terminal, but {0} is not one (for text output try `weaksim explore irq_work` or `weaksim run irq_work`)")]
    NotATerminal(&'static str),
    #[error("terminal: {0}")]
    Io(String),
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &App) -> Result<(), TermError> {
    terminal.draw(|f| f.render_widget(app, f.area())).map(|_| ()).map_err(|e| TermError::Io(format!("{e:?}")))
}

/// Draws, reads an event, updates; until the app quits or the events end.
/// `next_event` returns `Ok(None)` when there are no more events (tests).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut next_event: impl FnMut() -> std::io::Result<Option<Event>>,
) -> Result<(), TermError> {
    draw(terminal, app)?;
    while !app.quit {
        let Some(ev) = next_event().map_err(|e| TermError::Io(e.to_string()))? else { break };
        match ev {
            Event::Key(k) => {
                if let Some(a) = action_for(&k, &app.modes()) {
                    if a == Action::Find {
                        app.message = Some(("Searching every interleaving…".into(), Tone::Info));
                        draw(terminal, app)?;
                    }
                    app.update(a);
                }
            }
            Event::Resize(..) => terminal.autoresize().map_err(|e| TermError::Io(format!("{e:?}")))?,
            _ => continue,
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
    let r = run(&mut terminal, &mut app, || crossterm::event::read().map(Some));
    ratatui::restore();
    r
}
