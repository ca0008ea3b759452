//! weaksim's terminal front end: step the machine one transition at a time,
//! watch the flag word, the store buffers and the irq_work queues, reproduce
//! the race, and see the fix close it.
//!
//! State, update and view are kept apart: input becomes an [`Action`] through
//! the one key table ([`keys::KEYS`]); [`App::update`] is the only mutator;
//! drawing is `impl Widget for &App` ([`view`]). Searches run on worker
//! threads ([`search`]): the screen keeps drawing, Esc stops them. [`run`] is
//! generic over the ratatui backend, so tests drive it with `TestBackend`.

pub mod app;
pub mod demo;
pub mod error;
pub mod explain;
pub mod keys;
pub mod search;
pub mod session;
pub mod snapshot;
pub mod term;
pub mod view;

pub use app::{App, Options, Source};
pub use error::{AppError, DemoError, ExplainError, SessionError};
pub use keys::Action;
pub use session::Session;
pub use sim::{AnyMachine, Status};
pub use term::{check_terminal, run, run_terminal, Input, TermError};
