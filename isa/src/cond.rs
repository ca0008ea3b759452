//! Final conditions in herd's style: `exists (0:r1=0 /\ data=1)`.

use crate::instr::{Reg, SymId, Width};
use crate::program::{Program, Value};
use serde::{Deserialize, Serialize};

/// A location a final state assigns a value to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Loc {
    /// `core:reg`
    Reg { core: u8, reg: Reg },
    /// A memory word (`x` or `[x]`).
    Mem(SymId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantifier {
    /// `exists P`: some final state satisfies P.
    Exists,
    /// `~exists P`: no final state satisfies P.
    NotExists,
    /// `forall P`: every final state satisfies P.
    Forall,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CondExpr {
    True,
    False,
    /// `loc = value`
    Eq(Loc, Value),
    /// `loc = loc` (herd compares two locations' final values).
    EqLoc(Loc, Loc),
    Not(Box<CondExpr>),
    And(Vec<CondExpr>),
    Or(Vec<CondExpr>),
}

impl CondExpr {
    /// Whether the expression holds when each location has the value `get`
    /// gives; `p` places the symbols a value may name.
    pub fn eval(&self, p: &Program, get: &dyn Fn(Loc) -> u64) -> bool {
        match self {
            CondExpr::True => true,
            CondExpr::False => false,
            CondExpr::Eq(l, v) => get(*l) == p.value(*v),
            CondExpr::EqLoc(a, b) => get(*a) == get(*b),
            CondExpr::Not(e) => !e.eval(p, get),
            CondExpr::And(es) => es.iter().all(|e| e.eval(p, get)),
            CondExpr::Or(es) => es.iter().any(|e| e.eval(p, get)),
        }
    }

    /// The expression, `eq(l, v)` deciding each `l = v` and `eq_loc(a, b)` each `a = b`.
    pub fn eval_with(&self, eq: &dyn Fn(Loc, Value) -> bool, eq_loc: &dyn Fn(Loc, Loc) -> bool) -> bool {
        match self {
            CondExpr::True => true,
            CondExpr::False => false,
            CondExpr::Eq(l, v) => eq(*l, *v),
            CondExpr::EqLoc(a, b) => eq_loc(*a, *b),
            CondExpr::Not(e) => !e.eval_with(eq, eq_loc),
            CondExpr::And(es) => es.iter().all(|e| e.eval_with(eq, eq_loc)),
            CondExpr::Or(es) => es.iter().any(|e| e.eval_with(eq, eq_loc)),
        }
    }

    /// Every location mentioned, in order of first appearance.
    pub fn locs(&self, out: &mut Vec<Loc>) {
        match self {
            CondExpr::True | CondExpr::False => {}
            CondExpr::Eq(l, _) => {
                if !out.contains(l) {
                    out.push(*l)
                }
            }
            CondExpr::EqLoc(a, b) => {
                for l in [a, b] {
                    if !out.contains(l) {
                        out.push(*l)
                    }
                }
            }
            CondExpr::Not(e) => e.locs(out),
            CondExpr::And(es) | CondExpr::Or(es) => es.iter().for_each(|e| e.locs(out)),
        }
    }

    pub fn visit_regs(&self, f: &mut dyn FnMut(u8, Reg)) {
        let mut v = Vec::new();
        self.locs(&mut v);
        for l in v {
            if let Loc::Reg { core, reg } = l {
                f(core, reg)
            }
        }
    }
}

/// How a location's final value is read: herd compares and prints a location's
/// value as its declared C type (`int` unless declared): truncated to `width`,
/// and as a signed number when `signed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocType {
    pub width: Width,
    pub signed: bool,
}

impl LocType {
    /// A 64-bit unsigned word: a value as it is.
    pub const WORD: LocType = LocType { width: Width::W64, signed: false };
    /// C's `int`, herd's type for a location the test does not declare.
    pub const INT: LocType = LocType { width: Width::W32, signed: true };

    /// The value as this type holds it (truncated; the bits above are zero).
    pub fn norm(self, v: u64) -> u64 {
        self.width.trunc(v)
    }
    /// The value as herd prints it: signed types as negative numbers when their sign bit is set.
    pub fn text(self, v: u64) -> String {
        if self.signed {
            (self.width.sext(v) as i64).to_string()
        } else {
            self.width.trunc(v).to_string()
        }
    }
}

/// A final condition with its quantifier and the extra `locations [...]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    pub quant: Quantifier,
    pub expr: CondExpr,
    /// Extra locations to report in final states (herd's `locations [...]`).
    pub locations: Vec<Loc>,
    /// The type of each observed location (none: [`LocType::WORD`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<(Loc, LocType)>,
}

impl Condition {
    /// The type of location `l` (see [`LocType`]).
    pub fn loc_type(&self, l: Loc) -> LocType {
        self.types.iter().find(|(x, _)| *x == l).map_or(LocType::WORD, |t| t.1)
    }

    /// The value of `l` as its type holds it.
    pub fn norm(&self, l: Loc, v: u64) -> u64 {
        self.loc_type(l).norm(v)
    }

    /// Whether the expression holds when each location has the value `get`
    /// gives, each compared as its type holds it.
    pub fn holds(&self, p: &Program, get: &dyn Fn(Loc) -> u64) -> bool {
        if self.types.is_empty() {
            return self.expr.eval(p, get);
        }
        self.expr.eval_with(&|l, v| self.norm(l, get(l)) == self.norm(l, p.value(v)), &|a, b| {
            self.norm(a, get(a)) == self.norm(b, get(b))
        })
    }

    /// The locations a final state is made of: `locations [...]` first, then
    /// those the condition names (herd's order).
    pub fn observed(&self) -> Vec<Loc> {
        let mut v = self.locations.clone();
        self.expr.locs(&mut v);
        v
    }

    pub fn locations_regs(&self) -> Vec<(u8, Reg)> {
        self.observed()
            .into_iter()
            .filter_map(|l| match l {
                Loc::Reg { core, reg } => Some((core, reg)),
                Loc::Mem(_) => None,
            })
            .collect()
    }

    /// Whether the quantifier holds over a set of final states, given whether
    /// each satisfies the expression: (`positive`, `negative`) counts.
    pub fn verdict(&self, positive: usize, negative: usize) -> bool {
        match self.quant {
            Quantifier::Exists => positive > 0,
            Quantifier::NotExists => positive == 0,
            Quantifier::Forall => negative == 0,
        }
    }
}

/// Renders a location the way herd prints it (`0:r1`, `x` or `[x]`).
pub fn loc_name(p: &Program, l: Loc) -> String {
    match l {
        Loc::Reg { core, reg } => format!("{core}:{}", p.reg_name(reg)),
        Loc::Mem(s) => p.sym_name(s).to_string(),
    }
}

/// Renders a value: a number, or `&sym`/`sym` when it is a symbol's address.
pub fn value_text(p: &Program, v: Value) -> String {
    match v {
        Value::Num(n) => n.to_string(),
        Value::Addr(s) => p.sym_name(s).to_string(),
    }
}

/// Prints a condition expression in herd's syntax.
pub fn expr_text(p: &Program, e: &CondExpr) -> String {
    expr_text_typed(p, e, &[])
}

/// Like [`expr_text`]; a number compared with a location typed as a signed
/// 64-bit word (`.ucode` gives that type to a location compared with a
/// number written negative) prints signed, as it was written.
fn expr_text_typed(p: &Program, e: &CondExpr, types: &[(Loc, LocType)]) -> String {
    fn go(p: &Program, e: &CondExpr, prec: u8, out: &mut String, types: &[(Loc, LocType)]) {
        match e {
            CondExpr::True => out.push_str("true"),
            CondExpr::False => out.push_str("false"),
            CondExpr::Eq(l, v) => {
                let ln = match l {
                    Loc::Mem(s) => format!("[{}]", p.sym_name(*s)),
                    _ => loc_name(p, *l),
                };
                let signed64 = types.iter().any(|(x, t)| x == l && t.signed && t.width == Width::W64);
                let val = match v {
                    Value::Num(n) if signed64 => (*n as i64).to_string(),
                    _ => value_text(p, *v),
                };
                out.push_str(&format!("{ln}={val}"));
            }
            CondExpr::EqLoc(a, b) => {
                let name = |l: &Loc| match l {
                    Loc::Mem(s) => format!("[{}]", p.sym_name(*s)),
                    _ => loc_name(p, *l),
                };
                out.push_str(&format!("{}={}", name(a), name(b)));
            }
            CondExpr::Not(e) => {
                out.push('~');
                go(p, e, 3, out, types)
            }
            CondExpr::And(es) | CondExpr::Or(es) => {
                let (op, my) = if matches!(e, CondExpr::And(_)) { (" /\\ ", 2) } else { (" \\/ ", 1) };
                let paren = prec > my || es.is_empty();
                if paren {
                    out.push('(')
                }
                if es.is_empty() {
                    out.push_str(if my == 2 { "true" } else { "false" });
                }
                for (i, x) in es.iter().enumerate() {
                    if i > 0 {
                        out.push_str(op)
                    }
                    go(p, x, my + 1, out, types)
                }
                if paren {
                    out.push(')')
                }
            }
        }
    }
    let mut s = String::new();
    go(p, e, 0, &mut s, types);
    s
}

/// Prints a whole condition (`exists (...)`).
pub fn condition_text(p: &Program, c: &Condition) -> String {
    let q = match c.quant {
        Quantifier::Exists => "exists",
        Quantifier::NotExists => "~exists",
        Quantifier::Forall => "forall",
    };
    format!("{q} ({})", expr_text_typed(p, &c.expr, &c.types))
}
