//! Every path of one thread of an LKMM program, herd's way: the thread runs
//! alone and each read may return any value of its word's value set; a path
//! records its events (with their `linux-kernel.bell` tags and dependencies)
//! and the thread's final registers.
//!
//! The interpreter covers what the C lowering emits (moves, ALU, branches,
//! loads, stores, RMWs, fences, `nop`s carrying a tag); register dataflow gives
//! `addr` and `data`, and an `if` (a branch tagged `IfBegin`) adds its
//! condition's reads to the `ctrl` of the events of its two branches only,
//! until the matching `IfEnd`.

use super::LkError;
use isa::lkmm::{LkAccess, LkFence, LkTag, SrcuOp};
use isa::{Addr, Base, Instr, LoadOrd, Operand, Program, RmwOp, RmwOrd, NUM_REGS};
use memmodels::lkmm::rel::Set;
use memmodels::lkmm::{tag, Event, Kind};

/// Most events one path may have (dependencies are 64-bit sets per thread).
pub const MAX_PATH_EVENTS: usize = 64;

/// One path of one thread: its events in program order (dependencies and
/// `rmw` partners as indices within the path) and its final registers.
#[derive(Clone, Debug)]
pub struct Path {
    pub events: Vec<Event>,
    pub regs: Vec<u64>,
}

/// The paths of a thread, and the values its runs make possible for each
/// word: those it writes (also on runs that end at a bad address, which are
/// not paths), and the constants an `if` compares a read value with (herd
/// solves `r == c` for a read's value by taking `c`).
#[derive(Clone, Debug, Default)]
pub struct Paths {
    pub paths: Vec<Path>,
    pub values: Vec<(u16, u64)>,
}

#[derive(Clone)]
struct St {
    pc: usize,
    regs: [u64; NUM_REGS],
    taint: [u64; NUM_REGS],
    /// The word a register's value was read from, unchanged since.
    origin: [Option<u16>; NUM_REGS],
    ctrl: u64,
    stack: Vec<u64>,
    events: Vec<Event>,
    steps: usize,
}

/// Limits of the path enumeration.
pub struct Limits {
    pub max_steps: usize,
    pub max_paths: usize,
}

fn fence_tag(f: LkFence) -> u32 {
    match f {
        LkFence::Mb => tag::MB,
        LkFence::Rmb => tag::RMB,
        LkFence::Wmb => tag::WMB,
        LkFence::Barrier => tag::BARRIER,
        LkFence::RcuLock => tag::RCU_LOCK,
        LkFence::RcuUnlock => tag::RCU_UNLOCK,
        LkFence::SyncRcu => tag::SYNC_RCU,
        LkFence::BeforeAtomic => tag::BEFORE_ATOMIC,
        LkFence::AfterAtomic => tag::AFTER_ATOMIC,
        LkFence::AfterSpinlock => tag::AFTER_SPINLOCK,
        LkFence::AfterUnlockLock => tag::AFTER_UNLOCK_LOCK,
    }
}

fn access_tag(a: LkAccess) -> u32 {
    match a {
        LkAccess::Plain => 0,
        LkAccess::Once => tag::ONCE,
        LkAccess::Acquire => tag::ACQUIRE,
        LkAccess::Release => tag::RELEASE,
    }
}

impl St {
    fn val(&self, prog: &Program, o: Operand) -> u64 {
        match o {
            Operand::Reg(r) => self.regs[r as usize],
            Operand::Imm(v) => v,
            Operand::SymAddr(s) => prog.sym_addr(s),
        }
    }
    fn taint_of(&self, o: Operand) -> u64 {
        match o {
            Operand::Reg(r) => self.taint[r as usize],
            _ => 0,
        }
    }
    fn addr_taint(&self, a: &Addr) -> u64 {
        a.regs().fold(0, |t, r| t | self.taint[r as usize])
    }
    /// The word an address names, if it names one.
    fn loc(&self, prog: &Program, a: &Addr) -> Option<u16> {
        let base = match a.base {
            Base::Sym(s) => prog.sym_addr(s),
            Base::Reg(r) => self.regs[r as usize],
        };
        let idx = a.index.map(|r| self.regs[r as usize]).unwrap_or(0);
        prog.sym_at(base.wrapping_add(idx).wrapping_add(a.offset as u64))
    }
    fn push(&mut self, core: u8, pc: usize, kind: Kind, loc: Option<u16>, value: u64, tags: u32) -> usize {
        let i = self.events.len();
        self.events.push(Event {
            kind,
            core: Some(core),
            po: i as u32,
            loc,
            value,
            tags,
            rmw: None,
            addr: 0,
            data: 0,
            ctrl: self.ctrl as Set,
            pc: Some(pc as u16),
        });
        i
    }
}

/// Every path of thread `core` when word `l` may hold any value of `values[l]`.
pub fn paths(prog: &Program, core: usize, values: &[Vec<u64>], lim: &Limits) -> Result<Paths, LkError> {
    let spec = &prog.cores[core];
    let mut st = St {
        pc: spec.start as usize,
        regs: [0; NUM_REGS],
        taint: [0; NUM_REGS],
        origin: [None; NUM_REGS],
        ctrl: 0,
        stack: Vec::new(),
        events: Vec::new(),
        steps: 0,
    };
    for (r, v) in &spec.regs {
        st.regs[*r as usize] = prog.value(*v);
    }
    let mut out = Paths::default();
    let mut todo = vec![st];
    while let Some(st) = todo.pop() {
        step(prog, core as u8, st, values, lim, &mut todo, &mut out)?;
        if out.paths.len() > lim.max_paths {
            return Err(LkError::Bounded(format!("P{core} has more than {} paths", lim.max_paths)));
        }
    }
    out.paths.reverse();
    Ok(out)
}

/// A run that cannot go on (a bad address): not a path, but its writes count.
fn dead_end(st: &St, out: &mut Paths) {
    for e in &st.events {
        if let (Kind::Write, Some(l)) = (e.kind, e.loc) {
            out.values.push((l, e.value));
        }
    }
}

/// Runs `st` until it halts (a path) or reaches a read (one state per value).
fn step(
    prog: &Program,
    core: u8,
    mut st: St,
    values: &[Vec<u64>],
    lim: &Limits,
    todo: &mut Vec<St>,
    out: &mut Paths,
) -> Result<(), LkError> {
    loop {
        if st.events.len() + 4 > MAX_PATH_EVENTS {
            return Err(LkError::Unsupported(format!("P{core} has more than {MAX_PATH_EVENTS} events")));
        }
        st.steps += 1;
        if st.steps > lim.max_steps {
            return Err(LkError::Bounded(format!("P{core} runs more than {} instructions", lim.max_steps)));
        }
        let pc = st.pc;
        let Some(&instr) = prog.code.get(pc) else {
            return Err(LkError::Unsupported(format!("P{core} runs past the end of the code")));
        };
        let t = prog.lkmm.get(pc).copied().unwrap_or_default();
        st.pc += 1;
        match instr {
            Instr::Halt => {
                out.paths.push(Path { events: st.events, regs: st.regs.to_vec() });
                return Ok(());
            }
            Instr::Nop => match t {
                LkTag::IfEnd => st.ctrl = st.stack.pop().unwrap_or(0),
                LkTag::Fence(f) => {
                    st.push(core, pc, Kind::Fence, None, 0, fence_tag(f));
                }
                LkTag::Srcu(op, s) => {
                    let tg = match op {
                        SrcuOp::Lock => tag::SRCU_LOCK,
                        SrcuOp::Unlock => tag::SRCU_UNLOCK,
                        SrcuOp::Sync => tag::SYNC_SRCU,
                    };
                    st.push(core, pc, Kind::Fence, Some(s), 0, tg);
                }
                _ => {}
            },
            Instr::Fence(_) => {
                let LkTag::Fence(f) = t else {
                    return Err(LkError::Unsupported(format!("a fence without an LKMM tag at {pc}")));
                };
                st.push(core, pc, Kind::Fence, None, 0, fence_tag(f));
            }
            Instr::Mov { dst, src } => {
                st.regs[dst as usize] = st.val(prog, src);
                st.taint[dst as usize] = st.taint_of(src);
                st.origin[dst as usize] = match src {
                    Operand::Reg(r) => st.origin[r as usize],
                    _ => None,
                };
            }
            Instr::Alu { op, dst, a, b } => {
                st.regs[dst as usize] = op.eval(st.val(prog, a), st.val(prog, b));
                st.taint[dst as usize] = st.taint_of(a) | st.taint_of(b);
                st.origin[dst as usize] = None;
            }
            Instr::Csel { dst, cond, a, b, t: x, f } => {
                let sel = if cond.eval(st.val(prog, a), st.val(prog, b)) { x } else { f };
                st.regs[dst as usize] = st.val(prog, sel);
                st.taint[dst as usize] = st.taint_of(sel) | st.taint_of(a) | st.taint_of(b);
                st.origin[dst as usize] = None;
            }
            Instr::Branch { cond, a, b, target } => {
                if t == LkTag::IfBegin {
                    st.stack.push(st.ctrl);
                    st.ctrl |= st.taint_of(a) | st.taint_of(b);
                }
                if matches!(cond, isa::Cond::Eq | isa::Cond::Ne) {
                    for (x, y) in [(a, b), (b, a)] {
                        if let (Operand::Reg(r), Operand::Imm(c)) = (x, y) {
                            if let Some(l) = st.origin[r as usize] {
                                out.values.push((l, c));
                            }
                        }
                    }
                }
                if cond.eval(st.val(prog, a), st.val(prog, b)) {
                    st.pc = target as usize;
                }
            }
            Instr::Jmp { target } => st.pc = target as usize,
            Instr::Load { dst, addr, ord, .. } => {
                let Some(loc) = st.loc(prog, &addr) else {
                    dead_end(&st, out);
                    return Ok(());
                };
                let at = st.addr_taint(&addr);
                for &v in values[loc as usize].iter().rev() {
                    let mut s = st.clone();
                    let tags = match t {
                        LkTag::IsLocked if v == 1 => tag::LF,
                        LkTag::IsLocked if v == 0 => tag::RU,
                        LkTag::IsLocked => continue,
                        LkTag::Access(a) => access_tag(a),
                        _ if ord == LoadOrd::Acquire => tag::ACQUIRE,
                        _ => tag::ONCE,
                    };
                    let e = s.push(core, pc, Kind::Read, Some(loc), v, tags);
                    s.events[e].addr = at as Set;
                    s.regs[dst as usize] = v;
                    s.taint[dst as usize] = if t == LkTag::IsLocked { 0 } else { 1 << e };
                    s.origin[dst as usize] = (t != LkTag::IsLocked).then_some(loc);
                    todo.push(s);
                }
                return Ok(());
            }
            Instr::Store { src, addr, ord, status } => {
                if status.is_some() {
                    return Err(LkError::Unsupported("store-exclusive in an LKMM program".into()));
                }
                let Some(loc) = st.loc(prog, &addr) else {
                    dead_end(&st, out);
                    return Ok(());
                };
                let tags = match t {
                    LkTag::Unlock => tag::UL,
                    LkTag::Access(a) => access_tag(a),
                    _ if ord == isa::StoreOrd::Release => tag::RELEASE,
                    _ => tag::ONCE,
                };
                let v = st.val(prog, src);
                let at = st.addr_taint(&addr);
                let dt = st.taint_of(src);
                let e = st.push(core, pc, Kind::Write, Some(loc), v, tags);
                st.events[e].addr = at as Set;
                st.events[e].data = dt as Set;
            }
            Instr::Rmw { op, dst, addr, ord } => {
                let Some(loc) = st.loc(prog, &addr) else {
                    dead_end(&st, out);
                    return Ok(());
                };
                let (a, b) = op.operands();
                let (av, bv) = (st.val(prog, a), b.map(|b| st.val(prog, b)).unwrap_or(0));
                let at = st.addr_taint(&addr);
                let vt = st.taint_of(a) | b.map(|b| st.taint_of(b)).unwrap_or(0);
                for &v in values[loc as usize].iter().rev() {
                    let mut wrote = op.apply(v, av, bv);
                    if let LkTag::AddUnless { unless } = t {
                        if v == st.val(prog, unless) {
                            wrote = None;
                        }
                    }
                    let mut s = st.clone();
                    let (rtags, wtags, mb) = match t {
                        LkTag::Lock if wrote.is_some() => (tag::LKR, tag::LKW, false),
                        LkTag::Lock => continue, // spin_lock() does not return on a held lock
                        LkTag::TryLock if v == 0 => (tag::LKR, tag::LKW, false),
                        LkTag::TryLock if v == 1 => (tag::LF, 0, false),
                        LkTag::TryLock => continue,
                        LkTag::AddUnless { .. } => (tag::ONCE | tag::ATOMIC, tag::ONCE | tag::ATOMIC, wrote.is_some()),
                        LkTag::Rmw { noreturn } => {
                            let r = if noreturn {
                                tag::NORETURN
                            } else if ord == RmwOrd::Acquire && wrote.is_some() {
                                tag::ACQUIRE
                            } else {
                                tag::ONCE
                            };
                            let w = if ord == RmwOrd::Release { tag::RELEASE } else { tag::ONCE };
                            (r | tag::ATOMIC, w | tag::ATOMIC, ord == RmwOrd::Full && !noreturn && wrote.is_some())
                        }
                        _ => return Err(LkError::Unsupported(format!("an RMW without an LKMM tag at {pc}"))),
                    };
                    if mb {
                        s.push(core, pc, Kind::Fence, None, 0, tag::MB);
                    }
                    let re = s.push(core, pc, Kind::Read, Some(loc), v, rtags);
                    s.events[re].addr = at as Set;
                    if let (Some(w), true) = (wrote, wtags != 0) {
                        let we = s.push(core, pc, Kind::Write, Some(loc), w, wtags);
                        s.events[we].addr = at as Set;
                        // The value written: from the operands, and from the read for
                        // the arithmetic operations (herd's internal RMW data dependency).
                        let from_read = !matches!(op, RmwOp::Xchg(_) | RmwOp::Cmpxchg { .. });
                        s.events[we].data = (vt | if from_read { 1 << re } else { 0 }) as Set;
                        s.events[re].rmw = Some(we);
                        s.events[we].rmw = Some(re);
                        if mb {
                            s.push(core, pc, Kind::Fence, None, 0, tag::MB);
                        }
                    }
                    if let Some(d) = dst {
                        s.regs[d as usize] = v;
                        s.taint[d as usize] =
                            if matches!(t, LkTag::TryLock | LkTag::AddUnless { .. }) { 0 } else { 1 << re };
                        s.origin[d as usize] = None;
                    }
                    todo.push(s);
                }
                return Ok(());
            }
            other => {
                return Err(LkError::Unsupported(format!(
                    "instruction `{}` in an LKMM program",
                    isa::disasm::instr_text(prog, &other)
                )))
            }
        }
    }
}
