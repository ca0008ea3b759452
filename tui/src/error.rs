//! The TUI's error types. Their messages are what the status line, the demo's
//! problem list and the command line show.

use sim::{ApplyError, ModelError, Transition};

/// Why a session could not start or take a step.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The model has no machine to step.
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("{0:?} is not enabled")]
    NotEnabled(Transition),
    #[error("nothing can happen: the run is over")]
    RunOver,
}

/// Why the app could not start, switch its model or program, or open a trace.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] workloads::irq_work::ConfigError),
    #[error(transparent)]
    Session(#[from] SessionError),
    /// `title`: the model's title.
    #[error("{title} has no operational semantics: it cannot be stepped")]
    NotOperational { title: String },
    /// A trace (`name`: its file) names a model that is not registered.
    #[error("{name}: {error}")]
    TraceModel { name: String, error: ModelError },
    #[error("{name}: the trace is for {title}, which has no operational semantics")]
    TraceNotOperational { name: String, title: String },
}

/// Why a demo script was refused; the TOML error carries its line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    #[error("{file}: {error}")]
    Toml { file: String, error: toml::de::Error },
    #[error("{file}: the script has no [[step]]")]
    NoSteps { file: String },
}

/// Why the run so far has no axiomatic explanation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    /// The model has no axiomatic checker.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The run could not be turned into an execution graph.
    #[error(transparent)]
    Graph(#[from] sim::graph::GraphError),
}
