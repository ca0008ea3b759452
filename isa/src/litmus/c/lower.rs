//! From the syntax tree to a microcode program: names, registers, expressions
//! and statements. Each kernel primitive becomes a [`Prim`], which the chosen
//! [`Mapping`] turns into instructions (`prims.rs`).
//!
//! * Shared variables are the test's globals; a thread's parameter `int *x`
//!   is the address of the global `x`, so `*x` is the word `x`.
//! * A local variable is a register, named as in the source (one register per
//!   name for the whole program, so conditions can say `0:r1`).
//! * Expressions are evaluated left to right into scratch registers with ALU
//!   instructions only, so every value carries a data dependency on what it
//!   was computed from (herd's C semantics); a comparison yields 0 or 1.
//!   Signed comparisons assume values below 2^62 in magnitude.
//! * `if`: a conditional branch on the condition's value; for LKMM the branch
//!   and the first instruction after the `if` are tagged, so that a control
//!   dependency covers the two branches only, as herd's C semantics has it.

use super::ast::*;
use super::prims::{self, Prim};
use super::Mapping;
use crate::cond::Loc;
use crate::instr::{Addr, AluOp, Cond, Instr, Operand, Pc, Reg, SymId, NUM_REGS};
use crate::litmus::cond::CondEnv;
use crate::litmus::text::{perr, PResult, Piece};
use crate::lkmm::LkTag;
use crate::program::{CoreSpec, Label, Program, Symbol, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
enum Binding {
    /// A parameter: the address of a global.
    Param(SymId),
    /// A local variable.
    Local(Reg),
}

pub(crate) struct Lower {
    pub mapping: Mapping,
    pub prog: Program,
    /// One tag per instruction (kept for LKMM only).
    pub tags: Vec<LkTag>,
    /// Register names (index = register).
    names: Vec<String>,
    /// Per thread: its local variables (name → register).
    locals: Vec<BTreeMap<String, Reg>>,
    /// Per thread: its parameters (name → global).
    params: Vec<BTreeMap<String, SymId>>,
    scope: BTreeMap<String, Binding>,
    /// First scratch register and the next free one in the current statement.
    temp_base: usize,
    temp_next: usize,
    temp_high: usize,
    /// Branches to patch: (instruction, label id).
    fixups: Vec<(usize, usize)>,
    label_pcs: Vec<Option<Pc>>,
    /// Which thread is being lowered.
    pub thread: usize,
    /// A counter for values that must differ per call site (srcu_read_lock).
    pub site: u64,
}

fn is_ident(s: &str) -> bool {
    crate::litmus::text::is_ident(s)
}

impl Lower {
    pub fn new(mapping: Mapping, name: &str) -> Lower {
        Lower {
            mapping,
            prog: Program::empty(name),
            tags: Vec::new(),
            names: Vec::new(),
            locals: Vec::new(),
            params: Vec::new(),
            scope: BTreeMap::new(),
            temp_base: 0,
            temp_next: 0,
            temp_high: 0,
            fixups: Vec::new(),
            label_pcs: Vec::new(),
            thread: 0,
            site: 0,
        }
    }

    /// The global `name`, declared with value 0 on first use.
    pub fn global(&mut self, name: &str, off: usize) -> PResult<SymId> {
        if let Some(s) = self.prog.sym_by_name(name) {
            return Ok(s);
        }
        if !is_ident(name) {
            return perr(off, format!("bad variable name `{name}`"));
        }
        // A location named like a register (`r0`, perhaps a thread's local in the
        // condition without its `0:`) could not be written as .ucode.
        if crate::asm::cond::looks_like_reg(name) {
            return perr(off, format!("shared variable name `{name}` is reserved for registers (a local needs its thread, as in 0:{name})"));
        }
        if self.prog.symbols.len() > SymId::MAX as usize - 1 {
            return perr(off, "too many shared variables");
        }
        self.prog.symbols.push(Symbol::new(name, Value::Num(0)));
        Ok((self.prog.symbols.len() - 1) as SymId)
    }

    fn reg_for_name(&mut self, name: &str, off: usize) -> PResult<Reg> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Ok(i as Reg);
        }
        if self.names.len() >= NUM_REGS {
            return perr(off, format!("too many local variables (at most {NUM_REGS} names for the whole test)"));
        }
        self.names.push(name.to_string());
        Ok((self.names.len() - 1) as Reg)
    }

    /// Declares the names of the whole test: globals, parameters, locals.
    pub fn declare(&mut self, f: &super::parse::CFile) -> PResult<Vec<Vec<(Reg, Value)>>> {
        let n = f.threads.len();
        self.locals = vec![BTreeMap::new(); n];
        self.params = vec![BTreeMap::new(); n];
        let mut core_regs = vec![Vec::new(); n];
        let mut inited = Vec::new();
        // Globals of the initial state, in order; then the parameters.
        for it in &f.init {
            if it.thread.is_none() {
                let s = self.global(&it.name, it.off)?;
                if inited.contains(&s) {
                    return perr(it.off, format!("duplicate initial value for `{}`", it.name));
                }
                inited.push(s);
            }
        }
        for t in &f.threads {
            for p in &t.params {
                let s = self.global(&p.name, p.off)?;
                if self.params[t.index].insert(p.name.clone(), s).is_some() {
                    return perr(p.off, format!("duplicate parameter `{}`", p.name));
                }
            }
        }
        // Locals: declarations anywhere in the body, and `N:r` of the initial state.
        for t in &f.threads {
            let mut decls = Vec::new();
            collect_decls(&t.body, &mut decls);
            for (name, off) in decls {
                if self.params[t.index].contains_key(&name) {
                    return perr(off, format!("local variable `{name}` has the name of a parameter of P{}", t.index));
                }
                let r = self.reg_for_name(&name, off)?;
                self.locals[t.index].insert(name, r);
            }
        }
        for it in &f.init {
            let Some(t) = it.thread else { continue };
            if t >= n {
                return perr(
                    it.off,
                    format!("no thread P{t} (the test has {n} thread{})", if n == 1 { "" } else { "s" }),
                );
            }
            let r = self.reg_for_name(&it.name, it.off)?;
            self.locals[t].insert(it.name.clone(), r);
            if core_regs[t].iter().any(|(x, _)| *x == r) {
                return perr(it.off, format!("duplicate initial value for `{t}:{}`", it.name));
            }
            let v = match &it.value {
                Some(v) => self.init_value(v, it.value_off)?,
                None => Value::Num(0),
            };
            core_regs[t].push((r, v));
        }
        for it in &f.init {
            if it.thread.is_some() {
                continue;
            }
            let s = self.global(&it.name, it.off)?;
            if let Some(v) = &it.value {
                let v = self.init_value(v, it.value_off)?;
                self.prog.symbols[s as usize].init = v;
            }
        }
        self.temp_base = self.names.len();
        Ok(core_regs)
    }

    fn init_value(&mut self, v: &InitVal, off: usize) -> PResult<Value> {
        Ok(match v {
            InitVal::Num(n) => Value::Num(*n),
            InitVal::Addr(name) => Value::Addr(self.global(name, off)?),
        })
    }

    /// Register names, scratch registers included.
    pub fn reg_names(&self) -> Vec<String> {
        let mut v = self.names.clone();
        for i in self.names.len()..self.temp_high {
            let mut n = format!("t{}", i - self.names.len());
            while v.contains(&n) {
                n.insert(0, '_');
            }
            v.push(n);
        }
        v
    }

    // ----- code emission -----

    pub fn pc(&self) -> usize {
        self.prog.code.len()
    }

    pub fn emit(&mut self, i: Instr, tag: LkTag) {
        self.prog.code.push(i);
        self.tags.push(tag);
    }

    pub fn temp(&mut self, off: usize) -> PResult<Reg> {
        let r = self.temp_next;
        if r >= NUM_REGS {
            return perr(off, format!("the expression needs too many registers (at most {NUM_REGS} in all)"));
        }
        self.temp_next += 1;
        self.temp_high = self.temp_high.max(self.temp_next);
        Ok(r as Reg)
    }

    pub fn new_label(&mut self) -> usize {
        self.label_pcs.push(None);
        self.label_pcs.len() - 1
    }

    pub fn place(&mut self, l: usize) {
        self.label_pcs[l] = Some(self.pc() as Pc);
    }

    pub fn emit_to(&mut self, i: Instr, l: usize, tag: LkTag) {
        self.fixups.push((self.pc(), l));
        self.emit(i.with_target(Pc::MAX), tag);
    }

    // ----- threads -----

    pub fn thread(&mut self, t: &Thread, regs: Vec<(Reg, Value)>) -> PResult<()> {
        self.thread = t.index;
        let start = self.pc();
        self.prog.labels.push(Label { name: format!("P{}", t.index), pc: start as Pc });
        self.scope.clear();
        for (n, s) in &self.params[t.index] {
            self.scope.insert(n.clone(), Binding::Param(*s));
        }
        // As in herd, a local variable is a register of the whole thread: visible
        // everywhere in it, declared or only assigned.
        for (n, r) in &self.locals[t.index] {
            self.scope.insert(n.clone(), Binding::Local(*r));
        }
        self.fixups.clear();
        self.label_pcs.clear();
        self.stmts(&t.body)?;
        self.emit(Instr::Halt, LkTag::None);
        for (at, l) in std::mem::take(&mut self.fixups) {
            let pc = self.label_pcs[l].expect("every label is placed");
            self.prog.code[at] = self.prog.code[at].with_target(pc);
        }
        let mut spec = CoreSpec::new(start as Pc);
        spec.regs = regs;
        self.prog.cores.push(spec);
        Ok(())
    }

    fn stmts(&mut self, body: &[Stmt]) -> PResult<()> {
        for s in body {
            self.temp_next = self.temp_base;
            self.stmt(s)?;
        }
        Ok(())
    }

    fn local(&self, name: &str, off: usize) -> PResult<Reg> {
        match self.scope.get(name) {
            Some(Binding::Local(r)) => Ok(*r),
            Some(Binding::Param(_)) => perr(
                off,
                format!("`{name}` is a parameter (a pointer to a shared variable): write `*{name}` to store to it"),
            ),
            None => perr(off, format!("undeclared variable `{name}`")),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> PResult<()> {
        match s {
            Stmt::Decl { name, init, .. } => {
                let r = self.locals[self.thread][name];
                if let Some(e) = init {
                    self.check_one_access(e)?;
                    self.expr_into(e, r)?;
                }
                Ok(())
            }
            Stmt::Assign { name, value, off } => {
                let r = self.local(name, *off)?;
                self.check_one_access(value)?;
                self.expr_into(value, r)
            }
            Stmt::Store { ptr, value, off } => {
                if has_access(ptr) && has_access(value) {
                    return perr(*off, two_accesses());
                }
                let v = self.rvalue(value)?;
                let addr = self.address(ptr)?;
                self.prim(Prim::Store { ann: crate::lkmm::LkAccess::Plain, addr, val: v }, *off)
            }
            Stmt::Expr { e, off } => {
                self.check_one_access(e)?;
                match e {
                    Expr::Call { name, args, off } => self.call(name, args, None, *off).map(|_| ()),
                    _ => self.rvalue(e).map(|_| ()).map_err(|mut err| {
                        if err.off == 0 {
                            err.off = *off
                        }
                        err
                    }),
                }
            }
            Stmt::If { cond, then, els, off } => {
                self.check_one_access(cond)?;
                let else_l = self.new_label();
                let end_l = self.new_label();
                let ifb = if self.mapping == Mapping::Lkmm { LkTag::IfBegin } else { LkTag::None };
                self.branch_unless(cond, else_l, ifb, *off)?;
                self.stmts(then)?;
                match els {
                    Some(e) => {
                        self.emit_to(Instr::Jmp { target: 0 }, end_l, LkTag::None);
                        self.place(else_l);
                        self.stmts(e)?;
                    }
                    None => self.place(else_l),
                }
                self.place(end_l);
                if self.mapping == Mapping::Lkmm {
                    self.emit(Instr::Nop, LkTag::IfEnd);
                }
                Ok(())
            }
            Stmt::Block { body, .. } => self.stmts(body),
        }
    }

    /// herd leaves two memory accesses of one expression unordered (they are
    /// evaluated in parallel): refuse that rather than order them.
    fn check_one_access(&self, e: &Expr) -> PResult<()> {
        fn go(e: &Expr) -> PResult<()> {
            match e {
                Expr::Bin { a, b, off, .. } => {
                    if has_access(a) && has_access(b) {
                        return perr(*off, two_accesses());
                    }
                    go(a)?;
                    go(b)
                }
                Expr::Call { name, args, off } => {
                    if args.iter().enumerate().filter(|(i, a)| arg_has_access(name, *i, a)).count() > 1 {
                        return perr(*off, two_accesses());
                    }
                    args.iter().try_for_each(go)
                }
                Expr::Deref { e, .. } => go(e),
                _ => Ok(()),
            }
        }
        go(e)
    }

    /// Branches to `l` when `cond` is false (zero).
    fn branch_unless(&mut self, cond: &Expr, l: usize, tag: LkTag, _off: usize) -> PResult<()> {
        if let Expr::Bin { op: op @ (BinOp::Eq | BinOp::Ne), a, b, .. } = cond {
            let x = self.rvalue(a)?;
            let y = self.rvalue(b)?;
            let c = if *op == BinOp::Eq { Cond::Ne } else { Cond::Eq };
            self.emit_to(Instr::Branch { cond: c, a: x, b: y, target: 0 }, l, tag);
            return Ok(());
        }
        let v = self.rvalue(cond)?;
        self.emit_to(Instr::Branch { cond: Cond::Eq, a: v, b: Operand::Imm(0), target: 0 }, l, tag);
        Ok(())
    }

    /// The address a pointer expression denotes.
    pub fn address(&mut self, p: &Expr) -> PResult<Addr> {
        match p {
            Expr::Var { name, off } => match self.scope.get(name) {
                Some(Binding::Param(s)) => Ok(Addr::sym(*s)),
                Some(Binding::Local(r)) => Ok(Addr::reg(*r)),
                None => perr(*off, format!("undeclared variable `{name}`")),
            },
            _ => {
                let v = self.rvalue(p)?;
                match v {
                    Operand::Reg(r) => Ok(Addr::reg(r)),
                    Operand::SymAddr(s) => Ok(Addr::sym(s)),
                    Operand::Imm(_) => {
                        let r = self.temp(p.off())?;
                        self.emit(Instr::Mov { dst: r, src: v }, LkTag::None);
                        Ok(Addr::reg(r))
                    }
                }
            }
        }
    }

    /// The address of an lvalue argument `*p` (READ_ONCE, WRITE_ONCE, ...).
    pub fn lvalue_address(&mut self, e: &Expr, prim: &str) -> PResult<Addr> {
        match e {
            Expr::Deref { e, .. } => self.address(e),
            _ => perr(e.off(), format!("{prim} takes a location such as `*x`")),
        }
    }

    /// Evaluates `e` into register `dst`.
    fn expr_into(&mut self, e: &Expr, dst: Reg) -> PResult<()> {
        match e {
            Expr::Call { name, args, off } => {
                if let Some(v) = self.call(name, args, Some(dst), *off)? {
                    if v != Operand::Reg(dst) {
                        self.emit(Instr::Mov { dst, src: v }, LkTag::None);
                    }
                    return Ok(());
                }
                perr(*off, format!("`{name}` returns no value"))
            }
            Expr::Deref { e: p, off } => {
                let addr = self.address(p)?;
                self.prim(Prim::Load { ann: crate::lkmm::LkAccess::Plain, addr, dst }, *off)
            }
            Expr::Bin { .. } => {
                let v = self.bin_into(e, Some(dst))?;
                if v != Operand::Reg(dst) {
                    self.emit(Instr::Mov { dst, src: v }, LkTag::None);
                }
                Ok(())
            }
            _ => {
                let v = self.rvalue(e)?;
                self.emit(Instr::Mov { dst, src: v }, LkTag::None);
                Ok(())
            }
        }
    }

    /// Evaluates `e` to an operand.
    pub fn rvalue(&mut self, e: &Expr) -> PResult<Operand> {
        match e {
            Expr::Num { v, .. } => Ok(Operand::Imm(*v)),
            Expr::Var { name, off } => match self.scope.get(name) {
                Some(Binding::Param(s)) => Ok(Operand::SymAddr(*s)),
                Some(Binding::Local(r)) => Ok(Operand::Reg(*r)),
                None => perr(*off, format!("undeclared variable `{name}`")),
            },
            Expr::Deref { off, .. } => {
                let t = self.temp(*off)?;
                self.expr_into(e, t)?;
                Ok(Operand::Reg(t))
            }
            Expr::Bin { .. } => self.bin_into(e, None),
            Expr::Call { name, args, off } => {
                let t = self.temp(*off)?;
                match self.call(name, args, Some(t), *off)? {
                    Some(v) => Ok(v),
                    None => perr(*off, format!("`{name}` returns no value")),
                }
            }
        }
    }

    fn alu(&mut self, op: AluOp, a: Operand, b: Operand, dst: Option<Reg>, off: usize) -> PResult<Operand> {
        if let (Operand::Imm(x), Operand::Imm(y)) = (a, b) {
            return Ok(Operand::Imm(op.eval(x, y)));
        }
        let d = match dst {
            Some(d) => d,
            None => self.temp(off)?,
        };
        self.emit(Instr::Alu { op, dst: d, a, b }, LkTag::None);
        Ok(Operand::Reg(d))
    }

    /// `a != b` as 0 or 1: `t = a ^ b; t = t | (0 - t); t >> 63`.
    fn ne(&mut self, a: Operand, b: Operand, dst: Option<Reg>, off: usize) -> PResult<Operand> {
        if let (Operand::Imm(x), Operand::Imm(y)) = (a, b) {
            return Ok(Operand::Imm((x != y) as u64));
        }
        let t = self.temp(off)?;
        self.emit(Instr::Alu { op: AluOp::Xor, dst: t, a, b }, LkTag::None);
        let u = self.temp(off)?;
        self.emit(Instr::Alu { op: AluOp::Sub, dst: u, a: Operand::Imm(0), b: Operand::Reg(t) }, LkTag::None);
        self.emit(Instr::Alu { op: AluOp::Or, dst: t, a: Operand::Reg(t), b: Operand::Reg(u) }, LkTag::None);
        self.alu(AluOp::Shr, Operand::Reg(t), Operand::Imm(63), dst, off)
    }

    /// Signed `a < b` as 0 or 1 (for values below 2^62 in magnitude): `(a - b) >> 63`.
    fn lt(&mut self, a: Operand, b: Operand, dst: Option<Reg>, off: usize) -> PResult<Operand> {
        if let (Operand::Imm(x), Operand::Imm(y)) = (a, b) {
            return Ok(Operand::Imm(((x as i64) < (y as i64)) as u64));
        }
        let t = self.temp(off)?;
        self.emit(Instr::Alu { op: AluOp::Sub, dst: t, a, b }, LkTag::None);
        self.alu(AluOp::Shr, Operand::Reg(t), Operand::Imm(63), dst, off)
    }

    fn not01(&mut self, v: Operand, dst: Option<Reg>, off: usize) -> PResult<Operand> {
        self.alu(AluOp::Xor, v, Operand::Imm(1), dst, off)
    }

    fn bin_into(&mut self, e: &Expr, dst: Option<Reg>) -> PResult<Operand> {
        let Expr::Bin { op, a, b, off } = e else { return self.rvalue(e) };
        let off = *off;
        let x = self.rvalue(a)?;
        let y = self.rvalue(b)?;
        match op {
            BinOp::Add => self.alu(AluOp::Add, x, y, dst, off),
            BinOp::Sub => self.alu(AluOp::Sub, x, y, dst, off),
            BinOp::Mul => self.alu(AluOp::Mul, x, y, dst, off),
            BinOp::And => self.alu(AluOp::And, x, y, dst, off),
            BinOp::Or => self.alu(AluOp::Or, x, y, dst, off),
            BinOp::Xor => self.alu(AluOp::Xor, x, y, dst, off),
            BinOp::Div => perr(off, "unsupported operator `/`"),
            BinOp::Ne => self.ne(x, y, dst, off),
            BinOp::Eq => {
                let t = self.ne(x, y, None, off)?;
                self.not01(t, dst, off)
            }
            BinOp::Lt => self.lt(x, y, dst, off),
            BinOp::Gt => self.lt(y, x, dst, off),
            BinOp::Le => {
                let t = self.lt(y, x, None, off)?;
                self.not01(t, dst, off)
            }
            BinOp::Ge => {
                let t = self.lt(x, y, None, off)?;
                self.not01(t, dst, off)
            }
        }
    }

    /// A primitive call; `dst` is where its value goes, if wanted. Returns the
    /// operand holding the value, or `None` for a primitive without one.
    fn call(&mut self, name: &str, args: &[Expr], dst: Option<Reg>, off: usize) -> PResult<Option<Operand>> {
        prims::call(self, name, args, dst, off)
    }

    /// Emits a primitive through the mapping.
    pub fn prim(&mut self, p: Prim, off: usize) -> PResult<()> {
        prims::emit(self, p, off)
    }

    /// The register for a value that is wanted in `dst`, or a scratch one.
    pub fn dst_or_temp(&mut self, dst: Option<Reg>, off: usize) -> PResult<Reg> {
        match dst {
            Some(d) => Ok(d),
            None => self.temp(off),
        }
    }

    /// A value as an operand of an instruction that takes registers or immediates.
    pub fn value(&mut self, e: &Expr) -> PResult<Operand> {
        self.rvalue(e)
    }

    /// The global a pointer argument names statically (SRCU structures).
    pub fn static_global(&self, e: &Expr, what: &str) -> PResult<SymId> {
        match e {
            Expr::Var { name, off } => match self.scope.get(name) {
                Some(Binding::Param(s)) => Ok(*s),
                _ => perr(
                    *off,
                    format!("unsupported {what}: pass a parameter (`{what}(s)` with `struct srcu_struct *s`)"),
                ),
            },
            _ => perr(e.off(), format!("unsupported {what}: pass a parameter")),
        }
    }

    pub fn thread_local_reg(&self, thread: usize, name: &str) -> Option<Reg> {
        self.locals.get(thread).and_then(|m| m.get(name)).copied()
    }

    pub fn nthreads(&self) -> usize {
        self.locals.len()
    }
}

fn two_accesses() -> &'static str {
    "unsupported: two memory accesses in one expression (herd leaves them unordered); use one statement per access"
}

/// Whether evaluating `e` touches memory.
pub(crate) fn has_access(e: &Expr) -> bool {
    match e {
        Expr::Num { .. } | Expr::Var { .. } => false,
        Expr::Deref { .. } => true,
        Expr::Bin { a, b, .. } => has_access(a) || has_access(b),
        Expr::Call { name, args, .. } => {
            prims::touches_memory(name) || args.iter().enumerate().any(|(i, a)| arg_has_access(name, i, a))
        }
    }
}

/// Whether evaluating argument `i` of a call of `name` touches memory: the
/// location argument `*p` of READ_ONCE, WRITE_ONCE, ... is not read, only `p`.
fn arg_has_access(name: &str, i: usize, a: &Expr) -> bool {
    match a {
        Expr::Deref { e, .. } if i == 0 && prims::takes_location(name) => has_access(e),
        _ => has_access(a),
    }
}

fn collect_decls(body: &[Stmt], out: &mut Vec<(String, usize)>) {
    for s in body {
        match s {
            Stmt::Decl { name, off, .. } | Stmt::Assign { name, off, .. } => out.push((name.clone(), *off)),
            Stmt::If { then, els, .. } => {
                collect_decls(then, out);
                if let Some(e) = els {
                    collect_decls(e, out);
                }
            }
            Stmt::Block { body, .. } => collect_decls(body, out),
            _ => {}
        }
    }
}

/// Resolves the names of the final condition.
pub(crate) struct CondNames<'a> {
    pub lower: &'a mut Lower,
}

impl CondEnv for CondNames<'_> {
    fn reg_loc(&mut self, thread: Piece<'_>, reg: Piece<'_>) -> PResult<Loc> {
        let n = self.lower.nthreads();
        let t: usize = match thread.s.parse() {
            Ok(t) if thread.s.chars().all(|c| c.is_ascii_digit()) => t,
            _ => return perr(thread.off, format!("bad thread number `{}`", thread.s)),
        };
        if t >= n {
            return perr(
                thread.off,
                format!("no thread P{t} (the test has {n} thread{})", if n == 1 { "" } else { "s" }),
            );
        }
        match self.lower.thread_local_reg(t, reg.s) {
            Some(r) => Ok(Loc::Reg { core: t as u8, reg: r }),
            None => perr(reg.off, format!("P{t} has no local variable `{}`", reg.s)),
        }
    }
    fn mem_loc(&mut self, sym: Piece<'_>) -> PResult<Loc> {
        Ok(Loc::Mem(self.lower.global(sym.s, sym.off)?))
    }
    fn value(&mut self, v: Piece<'_>) -> PResult<Value> {
        if let Some(n) = crate::litmus::text::parse_num(v.s) {
            Ok(Value::Num(n))
        } else if is_ident(v.s) {
            Ok(Value::Addr(self.lower.global(v.s, v.off)?))
        } else {
            perr(v.off, format!("bad value `{}`", v.s))
        }
    }
}
