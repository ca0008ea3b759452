//! One-line text of an instruction, in `.ucode` syntax, with label and symbol
//! names resolved from the program. The printer and every front end use it.

use crate::instr::*;
use crate::program::Program;

/// Text of an operand (`r3`, `5`, `&flags`).
pub fn operand_text(p: &Program, o: Operand) -> String {
    match o {
        Operand::Reg(r) => p.reg_name(r),
        Operand::Imm(v) => v.to_string(),
        Operand::SymAddr(s) => format!("&{}", p.sym_name(s)),
    }
}

/// Text of an address (`[flags]`, `[r3+8]`, `[r3+r4]`).
pub fn addr_text(p: &Program, a: &Addr) -> String {
    let mut s = String::from("[");
    match a.base {
        Base::Sym(sym) => s.push_str(p.sym_name(sym)),
        Base::Reg(r) => s.push_str(&p.reg_name(r)),
    }
    if let Some(ix) = a.index {
        s.push('+');
        s.push_str(&p.reg_name(ix));
    }
    if a.offset > 0 {
        s.push_str(&format!("+{}", a.offset));
    } else if a.offset < 0 {
        s.push_str(&format!("-{}", a.offset.unsigned_abs()));
    }
    s.push(']');
    s
}

fn target_text(p: &Program, t: Pc) -> String {
    match p.label_at(t) {
        Some(l) => l.to_string(),
        None => format!("L{t}"),
    }
}

fn rmw_suffix(o: RmwOrd) -> &'static str {
    match o {
        RmwOrd::Full => "",
        RmwOrd::Relaxed => ".relaxed",
        RmwOrd::Acquire => ".acquire",
        RmwOrd::Release => ".release",
    }
}

/// Text of one instruction in `.ucode` syntax.
pub fn instr_text(p: &Program, i: &Instr) -> String {
    let op = |o| operand_text(p, o);
    match *i {
        Instr::Load { dst, addr, ord, exclusive } => {
            let o = match ord {
                LoadOrd::Plain => "",
                LoadOrd::Acquire => ".acq",
                LoadOrd::AcquirePc => ".acqpc",
            };
            let x = if exclusive { ".ex" } else { "" };
            format!("load{o}{x} {}, {}", p.reg_name(dst), addr_text(p, &addr))
        }
        Instr::Store { src, addr, ord, status } => {
            let o = if ord == StoreOrd::Release { ".rel" } else { "" };
            match status {
                Some(st) => format!("store{o}.ex {}, {}, {}", addr_text(p, &addr), op(src), p.reg_name(st)),
                None => format!("store{o} {}, {}", addr_text(p, &addr), op(src)),
            }
        }
        Instr::Rmw { op: rop, dst, addr, ord } => {
            let d = dst.map(|d| p.reg_name(d)).unwrap_or_else(|| "_".into());
            let (a, b) = rop.operands();
            let mut s = format!("{}{} {d}, {}, {}", rop.mnemonic(), rmw_suffix(ord), addr_text(p, &addr), op(a));
            if let Some(b) = b {
                s.push_str(", ");
                s.push_str(&op(b));
            }
            s
        }
        Instr::Fence(k) => match k {
            FenceKind::Full => "fence".into(),
            FenceKind::LoadLoad => "fence.ld".into(),
            FenceKind::StoreStore => "fence.st".into(),
            FenceKind::Isb => "isb".into(),
        },
        Instr::Mov { dst, src } => format!("mov {}, {}", p.reg_name(dst), op(src)),
        Instr::Alu { op: aop, dst, a, b } => format!("{} {}, {}, {}", aop.mnemonic(), p.reg_name(dst), op(a), op(b)),
        Instr::Csel { dst, cond, a, b, t, f } => {
            format!("csel.{} {}, {}, {}, {}, {}", cond.name(), p.reg_name(dst), op(a), op(b), op(t), op(f))
        }
        Instr::Branch { cond, a, b, target } => {
            format!("b{} {}, {}, {}", cond.name(), op(a), op(b), target_text(p, target))
        }
        Instr::Jmp { target } => format!("jmp {}", target_text(p, target)),
        Instr::Call { target } => format!("call {}", target_text(p, target)),
        Instr::Ret => "ret".into(),
        Instr::Raise { target } => match target {
            IrqTarget::SelfCore => "ipi self".into(),
            IrqTarget::Core(o) => format!("ipi {}", op(o)),
        },
        Instr::IrqEnable => "irq_enable".into(),
        Instr::IrqDisable => "irq_disable".into(),
        Instr::Iret => "iret".into(),
        Instr::Halt => "halt".into(),
        Instr::Nop => "nop".into(),
        Instr::Observe { sym, src } => format!("observe {}, {}", p.sym_name(sym), p.reg_name(src)),
    }
}
