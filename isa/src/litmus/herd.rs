//! How herd7 writes a test's locations and values in its result block: the
//! register spelling of each architecture (`0:X1`, `0:EAX`, `0:rax`, C's `0:r1`),
//! memory as `[x]` (`x` in a C test) and array elements as `x[1]`, registers (by thread, then register
//! number) before memory (by name), values as the location's declared type
//! reads them, and addresses as the location's name.

use super::regs::{aarch64_reg, x86_reg, ArchReg};
use super::{Arch, LitmusTest};
use crate::cond::{CondExpr, Loc, LocType, Quantifier};
use crate::program::Value;

impl LitmusTest {
    /// A location as herd writes it.
    pub fn herd_loc(&self, l: Loc) -> String {
        let p = &self.program;
        match l {
            Loc::Reg { core, reg } => format!("{core}:{}", self.herd_reg(&p.reg_name(reg))),
            Loc::Mem(s) => {
                let name = p.sym_name(s);
                // A C test writes memory by name (`x=1;`).
                if name.ends_with(']') || self.arch == Arch::C {
                    name.to_string()
                } else {
                    format!("[{name}]")
                }
            }
        }
    }

    /// A register name as herd writes it: upper case on AArch64 and X86, lower case on X86_64.
    fn herd_reg(&self, name: &str) -> String {
        match self.arch {
            Arch::X86_64 => name.trim_start_matches('%').to_ascii_lowercase(),
            Arch::C => name.to_string(),
            _ => name.to_ascii_uppercase(),
        }
    }

    /// The sort key of a location in herd's order.
    fn herd_key(&self, l: Loc) -> (u8, u8, i32, String, u64) {
        let p = &self.program;
        match l {
            Loc::Reg { core, reg } => {
                let name = p.reg_name(reg);
                let n = match self.arch {
                    Arch::AArch64 => aarch64_reg(&name),
                    _ => x86_reg(name.trim_start_matches('%')),
                };
                let num = match n {
                    Some(ArchReg::Gpr(n)) => n as i32,
                    Some(ArchReg::Zero) => -1,
                    None => 1000 + reg as i32,
                };
                (0, core, num, name, 0)
            }
            Loc::Mem(s) => {
                let name = p.sym_name(s);
                match name.split_once('[') {
                    Some((base, i)) => (1, 0, 0, base.to_string(), i.trim_end_matches(']').parse().unwrap_or(0)),
                    None => (1, 0, 0, name.to_string(), 0),
                }
            }
        }
    }

    /// The observed locations (`locations [...]`, then the condition's) in herd's
    /// order, each with its index among [`crate::Condition::observed`].
    pub fn herd_order(&self) -> Vec<(usize, Loc)> {
        let Some(c) = &self.program.condition else { return Vec::new() };
        let mut v: Vec<(usize, Loc)> = c.observed().into_iter().enumerate().collect();
        v.sort_by_cached_key(|&(_, l)| self.herd_key(l));
        v
    }

    /// The type herd reads location `l` as.
    pub fn loc_type(&self, l: Loc) -> LocType {
        self.program.condition.as_ref().map_or(LocType::WORD, |c| c.loc_type(l))
    }

    /// A final value of location `l` as herd writes it: the name of the location
    /// it is the address of, else the number as `l`'s type reads it.
    pub fn herd_value(&self, l: Loc, v: u64) -> String {
        let p = &self.program;
        match p.sym_at(v) {
            Some(s) if v != 0 => {
                let name = p.sym_name(s);
                // An array's first element is the array.
                name.strip_suffix("[0]").unwrap_or(name).to_string()
            }
            _ => self.loc_type(l).text(v),
        }
    }

    /// A value as herd writes it in the condition (numbers as signed 64-bit).
    fn herd_const(&self, v: Value) -> String {
        match v {
            Value::Num(n) => (n as i64).to_string(),
            Value::Addr(s) => {
                let name = self.program.sym_name(s);
                name.strip_suffix("[0]").unwrap_or(name).to_string()
            }
        }
    }

    /// The condition as herd prints it on its `Condition` line.
    pub fn herd_condition(&self) -> String {
        let Some(c) = &self.program.condition else { return String::new() };
        let q = match c.quant {
            Quantifier::Exists => "exists",
            Quantifier::NotExists => "~exists",
            Quantifier::Forall => "forall",
        };
        let mut s = String::new();
        self.herd_expr(&c.expr, 0, &mut s);
        format!("{q} ({s})")
    }

    fn herd_expr(&self, e: &CondExpr, prec: u8, out: &mut String) {
        match e {
            CondExpr::True => out.push_str("true"),
            CondExpr::False => out.push_str("false"),
            CondExpr::Eq(l, v) => {
                out.push_str(&format!("{}={}", self.herd_loc(*l), self.herd_const(*v)));
            }
            CondExpr::EqLoc(a, b) => {
                out.push_str(&format!("{}={}", self.herd_loc(*a), self.herd_loc(*b)));
            }
            // herd writes a negation `not (...)`, whatever the test wrote.
            CondExpr::Not(x) => {
                out.push_str("not (");
                self.herd_expr(x, 0, out);
                out.push(')');
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
                    self.herd_expr(x, my + 1, out)
                }
                if paren {
                    out.push(')')
                }
            }
        }
    }

    /// A final state (values in [`crate::Condition::observed`] order) as herd
    /// writes it: `0:X0=1; [x]=2;`.
    pub fn herd_state(&self, values: &[u64]) -> String {
        let parts: Vec<String> = self
            .herd_order()
            .into_iter()
            .map(|(i, l)| format!("{}={};", self.herd_loc(l), self.herd_value(l, values.get(i).copied().unwrap_or(0))))
            .collect();
        parts.join(" ")
    }

    /// The sort key herd orders final states by: the values in herd's location
    /// order, numbers (as printed) before names.
    pub fn herd_state_key(&self, values: &[u64]) -> Vec<(u8, i128, String)> {
        self.herd_order()
            .into_iter()
            .map(|(i, l)| {
                let text = self.herd_value(l, values.get(i).copied().unwrap_or(0));
                match text.parse::<i128>() {
                    Ok(n) => (0, n, String::new()),
                    Err(_) => (1, 0, text),
                }
            })
            .collect()
    }
}
