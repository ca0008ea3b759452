//! A static over-approximation of what each core can write: for each core and
//! word, the values its code may store there (or "any value"), found by a
//! flow-insensitive fixpoint over registers and memory that holds in every
//! execution under every model (a load may return any value its word ever
//! holds). The graph engine uses it to let a read wait, or keep a guessed
//! value, only while some other core could still write that word (and value).

use isa::{Base, Instr, Operand, Program, Width};
use std::collections::BTreeSet;

/// Most distinct values a set keeps before it becomes [`Abs::Any`].
const CAP: usize = 32;

/// A set of values, or any value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Abs {
    Vals(BTreeSet<u64>),
    Any,
}

impl Abs {
    fn none() -> Abs {
        Abs::Vals(BTreeSet::new())
    }
    fn one(v: u64) -> Abs {
        Abs::Vals(BTreeSet::from([v]))
    }
    /// Whether the set holds `v`.
    pub(crate) fn has(&self, v: u64) -> bool {
        match self {
            Abs::Vals(s) => s.contains(&v),
            Abs::Any => true,
        }
    }
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Abs::Vals(s) if s.is_empty())
    }
    /// Adds `o`; whether the set grew.
    fn join(&mut self, o: &Abs) -> bool {
        match (&mut *self, o) {
            (Abs::Any, _) => false,
            (_, Abs::Any) => {
                *self = Abs::Any;
                true
            }
            (Abs::Vals(a), Abs::Vals(b)) => {
                let n = a.len();
                a.extend(b.iter().copied());
                if a.len() > CAP {
                    *self = Abs::Any;
                    return true;
                }
                a.len() != n
            }
        }
    }
    fn map2(&self, o: &Abs, f: impl Fn(u64, u64) -> Option<u64>) -> Abs {
        match (self, o) {
            (Abs::Vals(a), Abs::Vals(b)) => {
                if a.len() * b.len() > CAP * CAP {
                    return Abs::Any;
                }
                let mut r = Abs::none();
                for &x in a {
                    for &y in b {
                        if let Some(v) = f(x, y) {
                            r.join(&Abs::one(v));
                        }
                    }
                }
                r
            }
            _ => Abs::Any,
        }
    }
    fn trunc(&self, w: Width) -> Abs {
        match self {
            Abs::Vals(s) => Abs::Vals(s.iter().map(|&v| w.trunc(v)).collect()),
            Abs::Any => Abs::Any,
        }
    }
}

/// Per core, per word: the values the core may write there (empty: never).
pub(crate) struct MayWrite {
    pub(crate) w: Vec<Vec<Abs>>,
}

impl MayWrite {
    pub(crate) fn of(prog: &Program) -> MayWrite {
        let ncores = prog.num_cores();
        let nlocs = prog.symbols.len();
        let nregs = prog.regs_used().max(isa::NUM_REGS);
        let mut mem: Vec<Abs> = prog.initial_memory().into_iter().map(Abs::one).collect();
        let mut w = vec![vec![Abs::none(); nlocs]; ncores];
        let mut regs: Vec<Vec<Abs>> = (0..ncores)
            .map(|c| {
                let mut r = vec![Abs::one(0); nregs];
                for &(reg, v) in &prog.cores[c].regs {
                    if let Some(x) = r.get_mut(reg as usize) {
                        *x = Abs::one(prog.value(v));
                    }
                }
                r
            })
            .collect();
        let code: Vec<Vec<usize>> = (0..ncores).map(|c| reachable(prog, c)).collect();
        let locs_of = |regs: &[Abs], a: &isa::Addr| -> Option<Vec<usize>> {
            let base = match a.base {
                Base::Sym(s) => Abs::one(prog.sym_addr(s)),
                Base::Reg(r) => regs.get(r as usize).cloned().unwrap_or(Abs::Any),
            };
            let mut addr = base.map2(&Abs::one(a.offset as u64), |x, y| Some(x.wrapping_add(y)));
            if let Some(ix) = a.index {
                addr = addr.map2(regs.get(ix as usize).unwrap_or(&Abs::Any), |x, y| Some(x.wrapping_add(y)));
            }
            match addr {
                Abs::Vals(s) => Some(s.iter().filter_map(|&x| prog.sym_at(x)).map(|s| s as usize).collect()),
                Abs::Any => None,
            }
        };
        let opnd = |regs: &[Abs], o: Operand| -> Abs {
            match o {
                Operand::Reg(r) => regs.get(r as usize).cloned().unwrap_or(Abs::Any),
                Operand::Imm(v) => Abs::one(v),
                Operand::SymAddr(s) => Abs::one(prog.sym_addr(s)),
            }
        };
        loop {
            let mut grew = false;
            for c in 0..ncores {
                for &pc in &code[c] {
                    let i = prog.code[pc];
                    let r = &regs[c];
                    // (register written, its new values); memory effects applied in place.
                    let mut set: Option<(u8, Abs)> = None;
                    match i {
                        Instr::Mov { dst, src } => set = Some((dst, opnd(r, src))),
                        Instr::Alu { op, dst, a, b } => {
                            set = Some((dst, opnd(r, a).map2(&opnd(r, b), |x, y| Some(op.eval(x, y)))))
                        }
                        Instr::Csel { dst, t, f, .. } => {
                            let mut v = opnd(r, t);
                            v.join(&opnd(r, f));
                            set = Some((dst, v));
                        }
                        Instr::Load { dst, addr, .. } => {
                            let v = match locs_of(r, &addr) {
                                Some(ls) => {
                                    let mut v = Abs::none();
                                    for l in ls {
                                        v.join(&mem[l]);
                                    }
                                    v.trunc(addr.width)
                                }
                                None => Abs::Any,
                            };
                            set = Some((dst, v));
                        }
                        Instr::Store { src, addr, status, .. } => {
                            let v = opnd(r, src).trunc(addr.width);
                            let ls = locs_of(r, &addr).unwrap_or_else(|| (0..nlocs).collect());
                            for l in ls {
                                grew |= mem[l].join(&v);
                                grew |= w[c][l].join(&v);
                            }
                            if let Some(s) = status {
                                let mut st = Abs::one(0);
                                st.join(&Abs::one(1));
                                set = Some((s, st));
                            }
                        }
                        Instr::Rmw { op, dst, addr, .. } => {
                            let (a, b) = op.operands();
                            let (a, b) = (opnd(r, a), b.map(|b| opnd(r, b)).unwrap_or(Abs::one(0)));
                            let ls = locs_of(r, &addr).unwrap_or_else(|| (0..nlocs).collect());
                            let mut old = Abs::none();
                            for l in ls {
                                let o = mem[l].trunc(addr.width);
                                // The written value: f(old, a, b), with a and b as pairs.
                                let ab = a.map2(&b, |x, y| Some(x ^ y.rotate_left(32)));
                                let new = match (&o, &a, &b, &ab) {
                                    (Abs::Vals(os), Abs::Vals(xs), Abs::Vals(ys), Abs::Vals(_))
                                        if os.len() * xs.len() * ys.len() <= CAP * CAP =>
                                    {
                                        let mut n = Abs::none();
                                        for &ov in os {
                                            for &x in xs {
                                                for &y in ys {
                                                    let v = op
                                                        .apply(ov, addr.width.trunc(x), addr.width.trunc(y))
                                                        .map(|v| addr.width.trunc(v));
                                                    if let Some(v) = v {
                                                        n.join(&Abs::one(v));
                                                    }
                                                }
                                            }
                                        }
                                        n
                                    }
                                    _ => Abs::Any,
                                };
                                grew |= mem[l].join(&new);
                                grew |= w[c][l].join(&new);
                                old.join(&o);
                            }
                            if let Some(d) = dst {
                                set = Some((d, old));
                            }
                        }
                        _ => {}
                    }
                    if let Some((d, v)) = set {
                        if let Some(x) = regs[c].get_mut(d as usize) {
                            grew |= x.join(&v);
                        }
                    }
                }
            }
            if !grew {
                break;
            }
        }
        MayWrite { w }
    }
}

/// The instructions core `c` can reach from its start and its handler.
fn reachable(prog: &Program, c: usize) -> Vec<usize> {
    let spec = &prog.cores[c];
    let mut seen = vec![false; prog.code.len()];
    let mut stack: Vec<usize> = std::iter::once(spec.start).chain(spec.handler).map(|p| p as usize).collect();
    let mut out = Vec::new();
    while let Some(pc) = stack.pop() {
        let Some(i) = prog.code.get(pc) else { continue };
        if std::mem::replace(&mut seen[pc], true) {
            continue;
        }
        out.push(pc);
        if let Some(t) = i.target() {
            stack.push(t as usize);
        }
        if !matches!(i, Instr::Jmp { .. } | Instr::Ret | Instr::Halt | Instr::Iret) {
            stack.push(pc + 1);
        }
    }
    out.sort_unstable();
    out
}
