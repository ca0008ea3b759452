//! Input: the closed set of [`Action`]s and the one key table that maps keys
//! to them. The same table drives input handling, the help bar and the help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use workloads::Variant;

/// Everything that can change the app. [`crate::App::update`] is the only
/// mutator; keys, demo scripts and the event loop's clock all send these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Let the scheduler take one step (the loaded trace's next step, if one is loaded).
    Step,
    /// Advance the cycle clock by one cycle (timed scheduler).
    StepCycle,
    /// Advance the cycle clock to the next cycle where something completes.
    NextEvent,
    /// Explain the run (why lost, why safe, the execution graph's cycle, the event log), full screen.
    Explain,
    /// Take enabled transition number `n` (0-based).
    Pick(usize),
    SelectUp,
    SelectDown,
    /// Take the selected transition.
    PickSelected,
    /// Undo the last step.
    Back,
    /// Step back to the last moment core `n`'s next instruction had to wait (demo scripts).
    BackToWait(usize),
    /// Run until lost work, quiescence or the step limit.
    Run,
    /// Back to the start (a loaded trace is rewound, not dropped).
    Restart,
    /// Exhaustive search; load the shortest counterexample.
    Find,
    /// Open the menu of memory models / irq_work variants.
    ModelMenu,
    VariantMenu,
    /// Switch to a model (by name) / a variant, replaying the same choices.
    SetModel(String),
    SetVariant(Variant),
    /// Show a second model side by side on the same choices.
    ToggleSplit,
    /// The split view with this model (by name) on the right.
    SplitWith(String),
    SplitOff,
    NextSplitModel,
    /// Take register-only steps at once, or one at a time.
    ToggleLocal,
    /// ARM: offer promise transitions at every step, or never.
    TogglePromises,
    /// Mark each enabled transition with what the search says after it.
    ToggleHints,
    /// Restart on the next seed / on this seed.
    NextSeed,
    SetSeed(u64),
    /// Save the run as a trace file.
    Save,
    /// Load a trace file (asks for its name).
    Load,
    ToggleHelp,
    /// Quit (the demo asks first).
    Quit,
    /// Quit without asking (the answer to the demo's question).
    QuitNow,
    /// Close whatever is open (a popup, a menu, a question, a message); stop a search. Never quits.
    Dismiss,
    /// Scroll the open page or menu by this many lines (negative: up).
    Scroll(i32),
    /// Take the selected entry of the open menu / entry `n` of it.
    MenuSubmit,
    MenuPick(usize),
    /// Classroom demo: next caption / previous caption.
    DemoNext,
    DemoPrev,
    /// Typing in the file-name prompt.
    PromptChar(char),
    PromptBackspace,
    PromptSubmit,
    /// Start over on another configuration (unset: kept); a demo step's setup.
    StartOver {
        model: Option<String>,
        variant: Option<Variant>,
        cores: Option<usize>,
        seed: Option<u64>,
    },
    /// Start the classroom demo with this script.
    DemoStart(std::sync::Arc<crate::demo::Script>),
    /// Time passed (the event loop's clock): collect finished searches, turn the spinner.
    Tick,
}

/// Which bindings apply: the app's input mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The simulator screen.
    Main,
    /// The classroom demo (its bindings come first; the main ones still work).
    Demo,
    /// The help screen is open.
    Help,
    /// A full-screen page (the explanation) is open.
    Page,
    /// A menu (models, variants) is open.
    Menu,
    /// A file-name prompt is open.
    Prompt,
    /// The demo asks whether to quit.
    Confirm,
    /// A search runs: only Esc (cancel) works; other keys are dropped.
    Searching,
}

/// A key a binding answers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    /// Any of 1..9: picks transition (or menu entry) 1..9.
    Digit,
    /// Any printable character (prompt typing).
    AnyChar,
    Code(KeyCode),
}

/// One row of the key table.
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written on screen ("space s").
    pub keys_text: &'static str,
    /// One word for the help bar.
    pub name: &'static str,
    /// What it does, for the help screen.
    pub help: &'static str,
    pub modes: &'static [Mode],
    /// Shown in the help bar.
    pub bar: bool,
    /// The action, given the typed character (digits, prompt typing).
    pub action: fn(char) -> Action,
}

const MAIN: &[Mode] = &[Mode::Main, Mode::Demo];
const DEMO: &[Mode] = &[Mode::Demo];
const HELP: &[Mode] = &[Mode::Help];
const PAGE: &[Mode] = &[Mode::Page];
const SCROLLS: &[Mode] = &[Mode::Help, Mode::Page];
const MENU: &[Mode] = &[Mode::Menu];
const PROMPT: &[Mode] = &[Mode::Prompt];
const CONFIRM: &[Mode] = &[Mode::Confirm];
const SEARCHING: &[Mode] = &[Mode::Searching];

fn digit(c: char) -> usize {
    (c as usize).saturating_sub('1' as usize)
}

/// The key table. Order matters: the first binding of an active mode that matches wins.
pub static KEYS: &[Binding] = &[
    // A search is running: Esc stops it, every other key is dropped.
    Binding {
        keys: &[Key::Code(KeyCode::Esc)],
        keys_text: "Esc",
        name: "cancel the search",
        help: "stop the search",
        modes: SEARCHING,
        bar: true,
        action: |_| Action::Dismiss,
    },
    // The demo asks before it quits.
    Binding {
        keys: &[Key::Char('y'), Key::Char('q')],
        keys_text: "y q",
        name: "quit",
        help: "yes, quit",
        modes: CONFIRM,
        bar: true,
        action: |_| Action::QuitNow,
    },
    Binding {
        keys: &[Key::AnyChar, Key::Code(KeyCode::Esc), Key::Code(KeyCode::Enter)],
        keys_text: "any other key",
        name: "stay",
        help: "stay in the demo",
        modes: CONFIRM,
        bar: true,
        action: |_| Action::Dismiss,
    },
    // The prompt takes every key.
    Binding {
        keys: &[Key::Code(KeyCode::Enter)],
        keys_text: "Enter",
        name: "load",
        help: "load the trace file named",
        modes: PROMPT,
        bar: true,
        action: |_| Action::PromptSubmit,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Esc)],
        keys_text: "Esc",
        name: "cancel",
        help: "close the prompt",
        modes: PROMPT,
        bar: true,
        action: |_| Action::Dismiss,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Backspace)],
        keys_text: "Backspace",
        name: "erase",
        help: "erase the last character",
        modes: PROMPT,
        bar: false,
        action: |_| Action::PromptBackspace,
    },
    Binding {
        keys: &[Key::AnyChar],
        keys_text: "text",
        name: "type",
        help: "type the file name",
        modes: PROMPT,
        bar: false,
        action: Action::PromptChar,
    },
    // Menus.
    Binding {
        keys: &[Key::Code(KeyCode::Up), Key::Char('k')],
        keys_text: "↑",
        name: "up",
        help: "select the entry above",
        modes: MENU,
        bar: true,
        action: |_| Action::Scroll(-1),
    },
    Binding {
        keys: &[Key::Code(KeyCode::Down), Key::Char('j')],
        keys_text: "↓",
        name: "down",
        help: "select the entry below",
        modes: MENU,
        bar: true,
        action: |_| Action::Scroll(1),
    },
    Binding {
        keys: &[Key::Code(KeyCode::Enter)],
        keys_text: "Enter",
        name: "choose",
        help: "choose the selected entry",
        modes: MENU,
        bar: true,
        action: |_| Action::MenuSubmit,
    },
    Binding {
        keys: &[Key::Digit],
        keys_text: "1-9",
        name: "choose",
        help: "choose entry 1-9",
        modes: MENU,
        bar: false,
        action: |c| Action::MenuPick(digit(c)),
    },
    Binding {
        keys: &[Key::Code(KeyCode::Esc), Key::Char('m'), Key::Char('v'), Key::Char('q')],
        keys_text: "Esc",
        name: "close",
        help: "close the menu",
        modes: MENU,
        bar: true,
        action: |_| Action::Dismiss,
    },
    // Help and full-screen pages scroll.
    Binding {
        keys: &[Key::Code(KeyCode::Up), Key::Char('k')],
        keys_text: "↑↓",
        name: "scroll",
        help: "scroll one line",
        modes: SCROLLS,
        bar: true,
        action: |_| Action::Scroll(-1),
    },
    Binding {
        keys: &[Key::Code(KeyCode::Down), Key::Char('j')],
        keys_text: "↓",
        name: "down",
        help: "scroll one line down",
        modes: SCROLLS,
        bar: false,
        action: |_| Action::Scroll(1),
    },
    Binding {
        keys: &[Key::Code(KeyCode::PageUp)],
        keys_text: "PgUp PgDn",
        name: "page",
        help: "scroll one page",
        modes: SCROLLS,
        bar: true,
        action: |_| Action::Scroll(-10),
    },
    Binding {
        keys: &[Key::Code(KeyCode::PageDown), Key::Char(' ')],
        keys_text: "PgDn",
        name: "page down",
        help: "scroll one page down",
        modes: SCROLLS,
        bar: false,
        action: |_| Action::Scroll(10),
    },
    Binding {
        keys: &[Key::Char('?'), Key::Code(KeyCode::Esc), Key::Code(KeyCode::Enter)],
        keys_text: "? Esc",
        name: "close",
        help: "close this help",
        modes: HELP,
        bar: true,
        action: |_| Action::ToggleHelp,
    },
    Binding {
        keys: &[Key::Char('x'), Key::Code(KeyCode::Esc), Key::Code(KeyCode::Enter), Key::Char('q')],
        keys_text: "x Esc",
        name: "close",
        help: "close the page",
        modes: PAGE,
        bar: true,
        action: |_| Action::Dismiss,
    },
    Binding {
        keys: &[Key::Char('q')],
        keys_text: "q",
        name: "quit",
        help: "quit (the demo asks first)",
        modes: HELP,
        bar: true,
        action: |_| Action::Quit,
    },
    // The classroom demo.
    Binding {
        keys: &[Key::Char(' '), Key::Code(KeyCode::Right), Key::Code(KeyCode::PageDown)],
        keys_text: "space →",
        name: "next",
        help: "demo: next caption (or reveal the answer)",
        modes: DEMO,
        bar: true,
        action: |_| Action::DemoNext,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Left), Key::Code(KeyCode::PageUp)],
        keys_text: "←",
        name: "previous",
        help: "demo: previous caption",
        modes: DEMO,
        bar: true,
        action: |_| Action::DemoPrev,
    },
    // The simulator.
    Binding {
        keys: &[Key::Char(' '), Key::Char('s')],
        keys_text: "space s",
        name: "step",
        help: "step: the loaded trace's next step, else the seeded random scheduler's choice",
        modes: MAIN,
        bar: true,
        action: |_| Action::Step,
    },
    Binding {
        keys: &[Key::Digit],
        keys_text: "1-9",
        name: "pick",
        help: "take enabled transition number 1-9",
        modes: MAIN,
        bar: true,
        action: |c| Action::Pick(digit(c)),
    },
    Binding {
        keys: &[Key::Code(KeyCode::Up), Key::Char('k')],
        keys_text: "↑ k",
        name: "up",
        help: "select the previous transition",
        modes: MAIN,
        bar: false,
        action: |_| Action::SelectUp,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Down), Key::Char('j')],
        keys_text: "↓ j",
        name: "down",
        help: "select the next transition",
        modes: MAIN,
        bar: false,
        action: |_| Action::SelectDown,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Enter)],
        keys_text: "Enter",
        name: "take",
        help: "take the selected transition (↑↓ select)",
        modes: MAIN,
        bar: false,
        action: |_| Action::PickSelected,
    },
    Binding {
        keys: &[Key::Char('b'), Key::Code(KeyCode::Backspace)],
        keys_text: "b",
        name: "back",
        help: "step back (undo), any number of times",
        modes: MAIN,
        bar: true,
        action: |_| Action::Back,
    },
    Binding {
        keys: &[Key::Char('f')],
        keys_text: "f",
        name: "find",
        help: "find it for me: exhaustive search (Esc stops it), load the shortest counterexample",
        modes: MAIN,
        bar: true,
        action: |_| Action::Find,
    },
    Binding {
        keys: &[Key::Char('m')],
        keys_text: "m",
        name: "model",
        help: "choose the memory model (SC, TSO, ARM) from a menu; replays the same choices",
        modes: MAIN,
        bar: true,
        action: |_| Action::ModelMenu,
    },
    Binding {
        keys: &[Key::Char('v')],
        keys_text: "v",
        name: "variant",
        help: "choose the irq_work variant from a menu; replays the same choices",
        modes: MAIN,
        bar: true,
        action: |_| Action::VariantMenu,
    },
    Binding {
        keys: &[Key::Char('t')],
        keys_text: "t",
        name: "split",
        help: "split view: a second model side by side on the same choices",
        modes: MAIN,
        bar: true,
        action: |_| Action::ToggleSplit,
    },
    Binding {
        keys: &[Key::Char('x')],
        keys_text: "x",
        name: "explain",
        help: "explain, full screen: why work was lost or why it is safe, the axiomatic cycle, the whole event log",
        modes: MAIN,
        bar: true,
        action: |_| Action::Explain,
    },
    Binding {
        keys: &[Key::Char('r')],
        keys_text: "r",
        name: "run",
        help: "run until lost work, quiescence or 2000 steps",
        modes: MAIN,
        bar: true,
        action: |_| Action::Run,
    },
    Binding {
        keys: &[Key::Char('R')],
        keys_text: "R",
        name: "restart",
        help: "restart from the initial state (a loaded trace is rewound)",
        modes: MAIN,
        bar: false,
        action: |_| Action::Restart,
    },
    Binding {
        keys: &[Key::Char('h')],
        keys_text: "h",
        name: "hints",
        help: "hints: mark each enabled transition \"→ lost work reachable\" or \"→ safe from here\"",
        modes: MAIN,
        bar: false,
        action: |_| Action::ToggleHints,
    },
    Binding {
        keys: &[Key::Char('c')],
        keys_text: "c",
        name: "cycle",
        help: "step one cycle: the timed scheduler takes every transition that completes in the next cycle; the panes then show when each core's next step completes",
        modes: MAIN,
        bar: false,
        action: |_| Action::StepCycle,
    },
    Binding {
        keys: &[Key::Char('C')],
        keys_text: "C",
        name: "next event",
        help: "jump the cycle clock to the next cycle where something completes",
        modes: MAIN,
        bar: false,
        action: |_| Action::NextEvent,
    },
    Binding {
        keys: &[Key::Char('M')],
        keys_text: "M",
        name: "split model",
        help: "next model for the right-hand side of the split view",
        modes: MAIN,
        bar: false,
        action: |_| Action::NextSplitModel,
    },
    Binding {
        keys: &[Key::Char('l')],
        keys_text: "l",
        name: "local steps",
        help: "register-only instructions: taken at once (default) or one at a time",
        modes: MAIN,
        bar: false,
        action: |_| Action::ToggleLocal,
    },
    Binding {
        keys: &[Key::Char('p')],
        keys_text: "p",
        name: "promises",
        help: "ARM: offer promise transitions at every step, or never (default; the search considers them when it needs them)",
        modes: MAIN,
        bar: false,
        action: |_| Action::TogglePromises,
    },
    Binding {
        keys: &[Key::Char('n')],
        keys_text: "n",
        name: "new seed",
        help: "restart on the next seed",
        modes: MAIN,
        bar: false,
        action: |_| Action::NextSeed,
    },
    Binding {
        keys: &[Key::Char('S')],
        keys_text: "S",
        name: "save",
        help: "save the run as a trace file (weaksim replay / weaksim tui --trace)",
        modes: MAIN,
        bar: false,
        action: |_| Action::Save,
    },
    Binding {
        keys: &[Key::Char('L')],
        keys_text: "L",
        name: "load",
        help: "load a trace file and follow it with space",
        modes: MAIN,
        bar: false,
        action: |_| Action::Load,
    },
    Binding {
        keys: &[Key::Code(KeyCode::Esc)],
        keys_text: "Esc",
        name: "dismiss",
        help: "close the message (Esc never quits)",
        modes: MAIN,
        bar: false,
        action: |_| Action::Dismiss,
    },
    Binding {
        keys: &[Key::Char('?')],
        keys_text: "?",
        name: "help",
        help: "show this help",
        modes: MAIN,
        bar: true,
        action: |_| Action::ToggleHelp,
    },
    Binding {
        keys: &[Key::Char('q')],
        keys_text: "q",
        name: "quit",
        help: "quit (the demo asks first)",
        modes: MAIN,
        bar: true,
        action: |_| Action::Quit,
    },
];

fn matches(k: &Key, ev: &KeyEvent) -> Option<char> {
    let plain = !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match (k, ev.code) {
        (Key::Char(c), KeyCode::Char(x)) if plain && *c == x => Some(x),
        (Key::Digit, KeyCode::Char(x @ '1'..='9')) if plain => Some(x),
        (Key::AnyChar, KeyCode::Char(x)) if plain => Some(x),
        (Key::Code(c), code) if *c == code => Some('\0'),
        _ => None,
    }
}

/// The action for a key press in the given modes (the first mode listed is the app's).
pub fn action_for(ev: &KeyEvent, modes: &[Mode]) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    if ev.modifiers.contains(KeyModifiers::CONTROL) && ev.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    KEYS.iter()
        .filter(|b| b.modes.iter().any(|m| modes.contains(m)))
        .find_map(|b| b.keys.iter().find_map(|k| matches(k, ev)).map(|c| (b.action)(c)))
}

/// The bindings shown in the help bar for these modes.
pub fn bar(modes: &[Mode]) -> impl Iterator<Item = &'static Binding> + '_ {
    KEYS.iter().filter(move |b| b.bar && b.modes.iter().any(|m| modes.contains(m)))
}

fn key_name(k: &Key) -> String {
    match k {
        Key::Char(' ') => "space".into(),
        Key::Char(c) => c.to_string(),
        Key::Digit => "1-9".into(),
        Key::AnyChar => "text".into(),
        Key::Code(KeyCode::Up) => "↑".into(),
        Key::Code(KeyCode::Down) => "↓".into(),
        Key::Code(KeyCode::Left) => "←".into(),
        Key::Code(KeyCode::Right) => "→".into(),
        Key::Code(c) => format!("{c}"),
    }
}

/// How a binding's keys read in these modes: its own text, or, when an
/// earlier binding of an active mode takes some of its keys, the keys left.
pub fn keys_text(b: &Binding, modes: &[Mode]) -> String {
    let active = |x: &Binding| x.modes.iter().any(|m| modes.contains(m));
    let Some(at) = KEYS.iter().position(|x| std::ptr::eq(x, b)) else { return b.keys_text.to_string() };
    let earlier: Vec<&Binding> = KEYS[..at].iter().filter(|x| active(x)).collect();
    let free: Vec<&Key> = b.keys.iter().filter(|k| !earlier.iter().any(|x| x.keys.contains(k))).collect();
    if free.len() == b.keys.len() {
        b.keys_text.to_string()
    } else {
        free.iter().map(|k| key_name(k)).collect::<Vec<_>>().join(" ")
    }
}

/// The bindings listed on the help screen for these modes.
pub fn help(modes: &[Mode]) -> impl Iterator<Item = &'static Binding> + '_ {
    KEYS.iter().filter(move |b| b.modes.iter().any(|m| modes.contains(m)))
}
