//! The one seam for memory models: a registry of the models this build has,
//! each with its operational face (a machine, [`AnyMachine`]) and its
//! axiomatic face (a consistency checker, [`Axiomatic`]), either of which may
//! be missing. Front ends (the CLI, sweeps, the TUI) name models by the
//! registry's names and reach them only through [`Model`]; nothing outside
//! `memmodels` and the registration list below knows which models exist.
//!
//! Adding a model: a folder in `memmodels/` (its `MemoryModel` and/or its
//! `Axiomatic`, and a `ModelInfo`), and one line in [`builtin`]. A test may
//! also [`register`] a model at run time.

mod dynamic;

pub use dynamic::{AnyMachine, DynMachine, Status};

use crate::axiom::enumerate::{AxOutcomes, EnumConfig, EnumError};
use isa::Program;
use memmodels::axiom::Axiomatic;
use memmodels::{MemoryModel, ModelInfo};
use std::sync::{Arc, LazyLock, RwLock};

use crate::machine::Machine;

/// The models this build has, in the order front ends list and cycle them.
/// One line per model.
pub fn builtin() -> Vec<Model> {
    use memmodels::{Arm, ArmAxioms, Sc, ScAxioms, Tso, TsoAxioms};
    vec![
        Model::new(Operational::new(Sc).with_axioms(ScAxioms)),
        Model::new(Operational::new(Tso).with_axioms(TsoAxioms)),
        Model::new(Operational::new(Arm).with_axioms(ArmAxioms)),
        Model::new(crate::lkmm::Lkmm),
    ]
}

/// A model's two faces, as the registry holds it.
pub trait ModelFactory: Send + Sync + 'static {
    /// Name, aliases, title, description.
    fn info(&self) -> &'static ModelInfo;
    /// Whether the model has operational semantics.
    fn has_machine(&self) -> bool;
    /// A machine running `prog` under the model, if it has operational semantics.
    fn machine(&self, prog: Arc<Program>) -> Option<Box<dyn DynMachine>>;
    /// The model's axiomatic checker, if it has one.
    fn axioms(&self) -> Option<&dyn Axiomatic>;
    /// Every final state the model's axioms allow for `prog` (herd's candidate
    /// enumeration with [`ModelFactory::axioms`]); a model whose checker needs
    /// events of its own may enumerate its own way.
    fn outcomes(&self, prog: &Arc<Program>, cfg: &EnumConfig) -> Option<Result<AxOutcomes, EnumError>> {
        self.axioms().map(|a| crate::axiom::enumerate::outcomes(prog, a, cfg))
    }
}

/// A model with operational semantics (a [`MemoryModel`]), and maybe an axiomatic face.
pub struct Operational<M> {
    model: M,
    axioms: Option<Box<dyn Axiomatic>>,
}

impl<M: MemoryModel> Operational<M> {
    pub fn new(model: M) -> Operational<M> {
        Operational { model, axioms: None }
    }
    /// The same model's axiomatic checker.
    pub fn with_axioms(mut self, a: impl Axiomatic) -> Operational<M> {
        self.axioms = Some(Box::new(a));
        self
    }
}

impl<M: MemoryModel> ModelFactory for Operational<M> {
    fn info(&self) -> &'static ModelInfo {
        self.model.info()
    }
    fn has_machine(&self) -> bool {
        true
    }
    fn machine(&self, prog: Arc<Program>) -> Option<Box<dyn DynMachine>> {
        Some(Box::new(Machine::new(prog, self.model.clone())))
    }
    fn axioms(&self) -> Option<&dyn Axiomatic> {
        self.axioms.as_deref()
    }
}

/// A model with only an axiomatic face (a checker of execution graphs).
pub struct AxiomaticOnly<A>(pub A);

impl<A: Axiomatic> ModelFactory for AxiomaticOnly<A> {
    fn info(&self) -> &'static ModelInfo {
        self.0.info()
    }
    fn has_machine(&self) -> bool {
        false
    }
    fn machine(&self, _: Arc<Program>) -> Option<Box<dyn DynMachine>> {
        None
    }
    fn axioms(&self) -> Option<&dyn Axiomatic> {
        Some(&self.0)
    }
}

/// Why a model could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model '{name}' (expected {known})")]
    Unknown { name: String, known: String },
    #[error("model {0} has no operational semantics (it has only an axiomatic checker)")]
    NoOperational(&'static str),
    #[error("model {0} has no axiomatic checker")]
    NoAxiomatic(&'static str),
    #[error("a model named {0} is already registered")]
    Duplicate(String),
}

/// Why a model's axiomatic outcomes could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AxiomaticError {
    #[error(transparent)]
    Model(ModelError),
    #[error(transparent)]
    Enum(EnumError),
}

/// A model of the registry: cheap to clone, compared by name.
#[derive(Clone)]
pub struct Model(Arc<dyn ModelFactory>);

impl Model {
    pub fn new(f: impl ModelFactory) -> Model {
        Model(Arc::new(f))
    }
    pub fn info(&self) -> &'static ModelInfo {
        self.0.info()
    }
    /// The name on the command line and in traces (`tso`).
    pub fn name(&self) -> &'static str {
        self.info().name
    }
    /// For people (`x86-TSO`).
    pub fn title(&self) -> &'static str {
        self.info().title
    }
    /// Whether `name` names this model (its name or an alias, any case).
    pub fn is_named(&self, name: &str) -> bool {
        let i = self.info();
        i.name.eq_ignore_ascii_case(name) || i.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
    /// Whether the model has operational semantics (a machine to run).
    pub fn is_operational(&self) -> bool {
        self.0.has_machine()
    }
    /// Whether the model has an axiomatic checker.
    pub fn is_axiomatic(&self) -> bool {
        self.0.axioms().is_some()
    }
    /// A machine running `prog` under this model, at its initial state.
    pub fn machine(&self, prog: Arc<Program>) -> Result<AnyMachine, ModelError> {
        match self.0.machine(prog) {
            Some(m) => Ok(AnyMachine::new(self.clone(), m)),
            None => Err(ModelError::NoOperational(self.name())),
        }
    }
    /// The model's axiomatic checker.
    pub fn axioms(&self) -> Result<&dyn Axiomatic, ModelError> {
        self.0.axioms().ok_or(ModelError::NoAxiomatic(self.name()))
    }
    /// Every final state the model's axioms allow for `prog` ([`ModelFactory::outcomes`]).
    pub fn axiomatic_outcomes(&self, prog: &Arc<Program>, cfg: &EnumConfig) -> Result<AxOutcomes, AxiomaticError> {
        match self.0.outcomes(prog, cfg) {
            Some(r) => r.map_err(AxiomaticError::Enum),
            None => Err(AxiomaticError::Model(ModelError::NoAxiomatic(self.name()))),
        }
    }
}

impl PartialEq for Model {
    fn eq(&self, o: &Model) -> bool {
        self.name() == o.name()
    }
}

impl Eq for Model {}

impl std::hash::Hash for Model {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.name().hash(h)
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Model({})", self.name())
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Model {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Model, ModelError> {
        get(s)
    }
}

impl serde::Serialize for Model {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Model {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Model, D::Error> {
        let s = String::deserialize(d)?;
        get(&s).map_err(serde::de::Error::custom)
    }
}

static REGISTRY: LazyLock<RwLock<Vec<Model>>> = LazyLock::new(|| RwLock::new(builtin()));

/// Every registered model, in registration order.
pub fn all() -> Vec<Model> {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The registered models with operational semantics (those a machine can run).
pub fn operational() -> Vec<Model> {
    all().into_iter().filter(Model::is_operational).collect()
}

/// The model named `name` (a name or an alias, any case).
pub fn find(name: &str) -> Option<Model> {
    all().into_iter().find(|m| m.is_named(name.trim()))
}

/// The model named `name`, or an error listing the models there are.
pub fn get(name: &str) -> Result<Model, ModelError> {
    find(name).ok_or_else(|| ModelError::Unknown { name: name.to_string(), known: names() })
}

/// The registered names for people: `sc, tso or arm`.
pub fn names() -> String {
    let n: Vec<&str> = all().iter().map(Model::name).collect();
    match n.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    }
}

/// Adds a model (a test's toy model, say). Its name and aliases must be new.
pub fn register(m: Model) -> Result<(), ModelError> {
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let i = m.info();
    for n in std::iter::once(&i.name).chain(i.aliases) {
        if reg.iter().any(|o| o.is_named(n)) {
            return Err(ModelError::Duplicate(n.to_string()));
        }
    }
    reg.push(m);
    Ok(())
}
