//! The `.ucode` printer: Program -> text that [`super::parse`] reads back.

use crate::cond::{condition_text, loc_name};
use crate::instr::*;
use crate::program::{Program, Value};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Label names for printing: the program's labels sorted by pc (stable), plus
/// an invented `L<pc>` for every branch target or core entry without one.
struct Labels {
    all: Vec<(Pc, String)>,
    first: HashMap<Pc, usize>,
}

impl Labels {
    fn new(p: &Program) -> Labels {
        let mut all: Vec<(Pc, String)> = p.labels.iter().map(|l| (l.pc, l.name.clone())).collect();
        let mut taken: HashSet<String> = all.iter().map(|l| l.1.clone()).collect();
        let mut needed: Vec<Pc> = p.code.iter().filter_map(Instr::target).collect();
        for c in &p.cores {
            needed.push(c.start);
            needed.extend(c.handler);
        }
        needed.sort_unstable();
        needed.dedup();
        let have: HashSet<Pc> = all.iter().map(|l| l.0).collect();
        for pc in needed.into_iter().filter(|pc| !have.contains(pc)) {
            let mut name = format!("L{pc}");
            let mut k = 1;
            while taken.contains(&name) {
                name = format!("L{pc}_{k}");
                k += 1;
            }
            taken.insert(name.clone());
            all.push((pc, name));
        }
        all.sort_by_key(|l| l.0);
        let mut first = HashMap::new();
        for (i, (pc, _)) in all.iter().enumerate() {
            first.entry(*pc).or_insert(i);
        }
        Labels { all, first }
    }

    fn name(&self, pc: Pc) -> String {
        match self.first.get(&pc) {
            Some(&i) => self.all[i].1.clone(),
            None => format!("L{pc}"),
        }
    }
}

/// Prints a program in the `.ucode` format. For a program in canonical form
/// (see docs/microcode.md) `parse(&print(p), _) == Ok(p)`.
pub fn print(p: &Program) -> String {
    // A register name the assembler would refuse as an alias (a litmus test's
    // `X1` beside its location `x1`, names that differ only in case) is printed
    // as the plain register instead.
    let mut seen: HashSet<String> = HashSet::new();
    let keep: Vec<bool> = p
        .reg_names
        .iter()
        .map(|n| {
            let l = n.to_ascii_lowercase();
            !n.is_empty()
                && !super::cond::looks_like_reg(n)
                && !super::parse::RESERVED_ALIASES.contains(&l.as_str())
                && !p.symbols.iter().any(|s| s.name.eq_ignore_ascii_case(n))
                && seen.insert(l)
        })
        .collect();
    if keep.iter().zip(&p.reg_names).any(|(k, n)| !k && !n.is_empty()) {
        let mut q = p.clone();
        for (n, k) in q.reg_names.iter_mut().zip(keep) {
            if !k {
                n.clear();
            }
        }
        return print_named(&q);
    }
    print_named(p)
}

/// [`print`], for a program whose register names are all valid aliases.
fn print_named(p: &Program) -> String {
    let labels = Labels::new(p);
    let mut out = String::new();
    let _ = writeln!(out, "name {}", name_text(&p.name));
    for (i, n) in p.reg_names.iter().enumerate() {
        if !n.is_empty() {
            let _ = writeln!(out, "alias {n} = r{i}");
        }
    }
    for s in &p.symbols {
        let _ = writeln!(out, "sym {} = {}", s.name, value_text(p, s.init));
    }
    for (i, c) in p.cores.iter().enumerate() {
        let _ = write!(out, "core {i} start={}", labels.name(c.start));
        if let Some(h) = c.handler {
            let _ = write!(out, " handler={}", labels.name(h));
        }
        for &(r, v) in &c.regs {
            let _ = write!(out, " {}={}", p.reg_name(r), value_text(p, v));
        }
        if !c.irq_enabled {
            out.push_str(" irq=off");
        }
        out.push('\n');
    }
    out.push('\n');
    let mut li = 0;
    for (pc, i) in p.code.iter().enumerate() {
        while li < labels.all.len() && labels.all[li].0 as usize <= pc {
            let _ = writeln!(out, "{}:", labels.all[li].1);
            li += 1;
        }
        let text = instr_with(p, i, &|t| p.target_label(pc).map(str::to_string).unwrap_or_else(|| labels.name(t)));
        // A program lowered for the Linux-kernel memory model: each instruction's
        // primitive, as a comment (the tags are not part of the .ucode format).
        match p.lkmm.get(pc).map(|t| t.name()).filter(|n| !n.is_empty()) {
            Some(tag) => {
                let _ = writeln!(out, "    {text:<32} ; lkmm: {tag}");
            }
            None => {
                let _ = writeln!(out, "    {text}");
            }
        }
    }
    for (_, name) in &labels.all[li..] {
        let _ = writeln!(out, "{name}:");
    }
    if !p.lost_work.is_empty() || p.condition.is_some() {
        out.push('\n');
    }
    if !p.lost_work.is_empty() {
        let names: Vec<&str> = p.lost_work.iter().map(|&s| p.sym_name(s)).collect();
        let _ = writeln!(out, "lost_work {}", names.join(", "));
    }
    if let Some(c) = &p.condition {
        if !c.locations.is_empty() {
            let locs: Vec<String> = c.locations.iter().map(|&l| loc_name(p, l)).collect();
            let _ = writeln!(out, "locations [{}]", locs.join("; "));
        }
        let _ = writeln!(out, "{}", condition_text(p, c));
    }
    out
}

/// One instruction in `.ucode` syntax (`load.acq r1, [x+8]`); branch targets
/// are shown by their first label, or `L<pc>` when they have none.
pub fn instr_text(p: &Program, i: &Instr) -> String {
    instr_with(p, i, &|t| p.label_at(t).map(str::to_string).unwrap_or_else(|| format!("L{t}")))
}

/// Instruction `i` of `p`, found at `pc`: as [`instr_text`], but a branch
/// target is shown by the label the source named when there are several.
pub fn instr_text_at(p: &Program, pc: usize, i: &Instr) -> String {
    match p.target_label(pc) {
        Some(name) => instr_with(p, i, &|_| name.to_string()),
        None => instr_text(p, i),
    }
}

/// The program name as a directive argument: bare when it is one plain
/// token, else a quoted string with escapes.
fn name_text(name: &str) -> String {
    let plain = !name.is_empty()
        && !name.starts_with(':')
        && !name.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, ';' | '#' | '"' | '\\'));
    if plain {
        return name.to_string();
    }
    let mut s = String::from("\"");
    for c in name.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            '\0' => s.push_str("\\0"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{{{:x}}}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A number as the assembler reads it back: those of 2^63 and above (negative
/// as 64-bit two's complement) print signed, as they are usually written (`-1`).
pub fn num_text(n: u64) -> String {
    if n >= 1 << 63 {
        (n as i64).to_string()
    } else {
        n.to_string()
    }
}

fn value_text(p: &Program, v: Value) -> String {
    match v {
        Value::Num(n) => num_text(n),
        Value::Addr(s) => format!("&{}", p.sym_name(s)),
    }
}

pub fn op_text(p: &Program, o: Operand) -> String {
    match o {
        Operand::Reg(r) => p.reg_name(r),
        Operand::Imm(n) => num_text(n),
        Operand::SymAddr(s) => format!("&{}", p.sym_name(s)),
    }
}

pub fn addr_text(p: &Program, a: &Addr) -> String {
    let mut s = String::from("[");
    match a.base {
        Base::Sym(sym) => s.push_str(p.sym_name(sym)),
        Base::Reg(r) => s.push_str(&p.reg_name(r)),
    }
    if let Some(i) = a.index {
        s.push('+');
        s.push_str(&p.reg_name(i));
    }
    match a.offset {
        0 => {}
        o if o > 0 => {
            let _ = write!(s, "+{o}");
        }
        o => {
            let _ = write!(s, "-{}", o.unsigned_abs());
        }
    }
    s.push(']');
    s
}

fn instr_with(p: &Program, i: &Instr, target: &dyn Fn(Pc) -> String) -> String {
    let r = |r: Reg| p.reg_name(r);
    let o = |x: Operand| op_text(p, x);
    let a = |x: &Addr| addr_text(p, x);
    let w = |x: &Addr| if x.width.is_w64() { String::new() } else { format!(".{}", x.width.suffix()) };
    match i {
        Instr::Load { dst, addr, ord, exclusive } => {
            let ord = match ord {
                LoadOrd::Plain => "",
                LoadOrd::Acquire => ".acq",
                LoadOrd::AcquirePc => ".acqpc",
            };
            let ex = if *exclusive { ".ex" } else { "" };
            format!("load{ord}{ex}{} {}, {}", w(addr), r(*dst), a(addr))
        }
        Instr::Store { src, addr, ord, status } => {
            let ord = if *ord == StoreOrd::Release { ".rel" } else { "" };
            match status {
                Some(st) => format!("store{ord}.ex{} {}, {}, {}", w(addr), a(addr), o(*src), r(*st)),
                None => format!("store{ord}{} {}, {}", w(addr), a(addr), o(*src)),
            }
        }
        Instr::Rmw { op, dst, addr, ord } => {
            let ord = match ord {
                RmwOrd::Relaxed => ".relaxed",
                RmwOrd::Acquire => ".acquire",
                RmwOrd::Release => ".release",
                RmwOrd::Full => "",
            };
            let dst = dst.map(r).unwrap_or_else(|| "_".into());
            let ops = match op.operands() {
                (x, None) => o(x),
                (x, Some(y)) => format!("{}, {}", o(x), o(y)),
            };
            format!("{}{ord}{} {dst}, {}, {ops}", op.mnemonic(), w(addr), a(addr))
        }
        Instr::Fence(k) => match k {
            FenceKind::Full => "fence",
            FenceKind::LoadLoad => "fence.ld",
            FenceKind::StoreStore => "fence.st",
            FenceKind::StoreAll => "fence.sa",
            FenceKind::Isb => "isb",
        }
        .into(),
        Instr::Mov { dst, src } => format!("mov {}, {}", r(*dst), o(*src)),
        Instr::Alu { op, dst, a: x, b } => format!("{} {}, {}, {}", op.mnemonic(), r(*dst), o(*x), o(*b)),
        Instr::Csel { dst, cond, a: x, b, t, f } => {
            format!("csel.{} {}, {}, {}, {}, {}", cond.name(), r(*dst), o(*x), o(*b), o(*t), o(*f))
        }
        Instr::Branch { cond, a: x, b, target: t } => match (cond, b) {
            (Cond::Eq, Operand::Imm(0)) => format!("beqz {}, {}", o(*x), target(*t)),
            (Cond::Ne, Operand::Imm(0)) => format!("bnz {}, {}", o(*x), target(*t)),
            _ => format!("b{} {}, {}, {}", cond.name(), o(*x), o(*b), target(*t)),
        },
        Instr::Jmp { target: t } => format!("jmp {}", target(*t)),
        Instr::Call { target: t } => format!("call {}", target(*t)),
        Instr::Ret => "ret".into(),
        Instr::Raise { target: IrqTarget::SelfCore } => "ipi self".into(),
        Instr::Raise { target: IrqTarget::Core(x) } => format!("ipi {}", o(*x)),
        Instr::IrqEnable => "irq_enable".into(),
        Instr::IrqDisable => "irq_disable".into(),
        Instr::Iret => "iret".into(),
        Instr::Halt => "halt".into(),
        Instr::Nop => "nop".into(),
        Instr::Observe { sym, src } => format!("observe {}, {}", p.sym_name(*sym), r(*src)),
    }
}
