//! A progress line on stderr for exhaustive searches: only on a terminal and
//! only once a search has run for a second. The search (in `sim`, which
//! prints nothing) publishes its counters through a [`Control`]; a drawing
//! thread reads them.

use indicatif::{ProgressBar, ProgressStyle};
use sim::Control;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a search runs before its progress is drawn.
const AFTER: Duration = Duration::from_secs(1);

/// Runs `search` with a [`Control`] whose counters are drawn on stderr while it
/// runs (states, depth, rate, resident memory, certification states), when
/// stderr is a terminal and the search takes more than a second.
pub fn with_progress<T>(what: &str, search: impl FnOnce(Arc<Control>) -> T) -> T {
    with_progress_of(what, "states", search)
}

/// [`with_progress`], counting `unit` ("states", "search nodes").
pub fn with_progress_of<T>(what: &str, unit: &str, search: impl FnOnce(Arc<Control>) -> T) -> T {
    let control = Control::new();
    if !std::io::stderr().is_terminal() || std::env::var_os("WEAKSIM_NO_PROGRESS").is_some() {
        return search(control);
    }
    let done = Arc::new(AtomicBool::new(false));
    let drawer = {
        let (control, done, what, unit) = (control.clone(), done.clone(), what.to_string(), unit.to_string());
        std::thread::spawn(move || draw(&control, &done, &what, &unit))
    };
    let out = search(control);
    done.store(true, Ordering::Relaxed);
    let _ = drawer.join();
    out
}

fn draw(control: &Control, done: &AtomicBool, what: &str, unit: &str) {
    let t0 = Instant::now();
    while t0.elapsed() < AFTER {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pb = ProgressBar::new_spinner().with_elapsed(t0.elapsed());
    pb.set_style(ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}").expect("a valid template"));
    pb.enable_steady_tick(Duration::from_millis(200));
    let (mut last_states, mut last_t) = (0u64, Instant::now());
    let mut rate = 0.0f64;
    while !done.load(Ordering::Relaxed) {
        let states = control.states();
        let dt = last_t.elapsed().as_secs_f64();
        if dt >= 0.5 {
            let r = states.saturating_sub(last_states) as f64 / dt;
            rate = if rate == 0.0 { r } else { 0.5 * rate + 0.5 * r };
            last_states = states;
            last_t = Instant::now();
        }
        let inner = control.inner_states();
        let mut msg = format!(
            "{what}: {} {unit}, depth {}, {}/s, {} resident",
            count(states),
            control.depth(),
            count(rate as u64),
            sim::budget::bytes_text(control.memory())
        );
        if inner > 0 {
            msg.push_str(&format!(", {} certification states", count(inner)));
        }
        pb.set_message(msg);
        std::thread::sleep(Duration::from_millis(100));
    }
    pb.finish_and_clear();
}

/// 1234567 → "1.23 M".
fn count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1} k", n as f64 / 1e3),
        _ => format!("{:.2} M", n as f64 / 1e6),
    }
}
