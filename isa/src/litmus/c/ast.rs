//! The syntax tree of a C litmus test, with the byte offset of every node (turned
//! into `file:line:col` in messages).

/// A C type, as far as a litmus test needs one: its base name and pointer depth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CType {
    /// `int`, `intptr_t`, `spinlock_t`, `atomic_t`, `struct srcu_struct`, ...
    pub base: String,
    /// Number of `*`.
    pub ptr: u8,
}

impl CType {
    pub fn text(&self) -> String {
        format!("{}{}", self.base, " *".repeat(self.ptr as usize))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    Xor,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Num {
        v: u64,
        off: usize,
    },
    /// A local variable or a parameter.
    Var {
        name: String,
        off: usize,
    },
    /// `*e`: a plain C access to the word `e` points to.
    Deref {
        e: Box<Expr>,
        off: usize,
    },
    Bin {
        op: BinOp,
        a: Box<Expr>,
        b: Box<Expr>,
        off: usize,
    },
    /// A primitive (`READ_ONCE(...)`, `xchg(...)`, ...); checked when lowered.
    Call {
        name: String,
        args: Vec<Expr>,
        off: usize,
    },
}

impl Expr {
    pub fn off(&self) -> usize {
        match self {
            Expr::Num { off, .. }
            | Expr::Var { off, .. }
            | Expr::Deref { off, .. }
            | Expr::Bin { off, .. }
            | Expr::Call { off, .. } => *off,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `int r1;` or `int r1 = e;`
    Decl {
        ty: CType,
        name: String,
        init: Option<Expr>,
        off: usize,
    },
    /// `r1 = e;`
    Assign {
        name: String,
        value: Expr,
        off: usize,
    },
    /// `*p = e;` (a plain C store through the pointer `p`).
    Store {
        ptr: Expr,
        value: Expr,
        off: usize,
    },
    /// An expression evaluated for its effect: `WRITE_ONCE(*x, 1);`, `smp_mb();`.
    Expr {
        e: Expr,
        off: usize,
    },
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
        off: usize,
    },
    Block {
        body: Vec<Stmt>,
        off: usize,
    },
}

/// A parameter of a thread: `int *x` names the shared variable `x`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub ty: CType,
    pub name: String,
    pub off: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thread {
    /// The `N` of `PN`.
    pub index: usize,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    pub off: usize,
}

/// An initial value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitVal {
    Num(u64),
    /// The address of a shared variable (`x`, `&x`).
    Addr(String),
}

/// One item of the initial state: `x = 1;`, `int *p = &x;`, `1:r1 = y;`,
/// `atomic_t v = ATOMIC_INIT(2);`, `int * 1:r1;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitItem {
    /// `Some(n)` for a local variable of thread `n`.
    pub thread: Option<usize>,
    pub name: String,
    pub ty: Option<CType>,
    pub value: Option<InitVal>,
    pub off: usize,
    /// Where the value starts (for messages about it).
    pub value_off: usize,
}
