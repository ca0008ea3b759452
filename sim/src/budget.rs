//! What ends a search: the limits of one exhaustive search (states, memory,
//! time, cancellation), shared with the searches it runs inside (promise
//! certification), so that a bound hit anywhere stops the whole search with
//! the verdict `bounded` and says which bound.
//!
//! Memory is the process's resident set as the kernel counts it
//! (`/proc/self/status`), read every few milliseconds, plus the largest single
//! allocation the search is about to make; so the peak stays close to the cap
//! whatever allocates (frontier, visited set, node log, inner searches).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits of one search and its stop reason, shared by the searches inside it.
#[derive(Debug)]
pub struct Budget {
    started: Instant,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    /// Bytes of resident memory the process may reach (`u64::MAX`: no cap).
    max_memory: u64,
    /// Most distinct states one inner search (certification) may visit.
    pub inner_max_states: usize,
    /// The user's handle (cancellation and progress), if any.
    control: Option<std::sync::Arc<crate::explore::Control>>,
    stopped: AtomicBool,
    reason: Mutex<Option<String>>,
    /// Nanoseconds since `started` of the last memory reading.
    last_check: AtomicU64,
    /// Resident bytes at the last reading.
    rss: AtomicU64,
}

/// Milliseconds between two readings of the resident set.
const CHECK_EVERY: Duration = Duration::from_millis(5);

impl Budget {
    pub fn new(
        timeout: Option<Duration>,
        max_memory: u64,
        inner_max_states: usize,
        control: Option<std::sync::Arc<crate::explore::Control>>,
    ) -> Budget {
        let started = Instant::now();
        Budget {
            started,
            deadline: timeout.map(|t| started + t),
            timeout,
            max_memory,
            inner_max_states,
            control,
            stopped: AtomicBool::new(false),
            reason: Mutex::new(None),
            last_check: AtomicU64::new(0),
            rss: AtomicU64::new(resident_bytes().unwrap_or(0)),
        }
    }

    /// The search must stop (a bound was hit here or in an inner search).
    #[inline]
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Why the search stopped, if it did.
    pub fn reason(&self) -> Option<String> {
        self.reason.lock().map(|r| r.clone()).unwrap_or(None)
    }

    /// Stops the search for `why` (the first reason given is kept).
    pub fn stop(&self, why: String) {
        if let Ok(mut r) = self.reason.lock() {
            if r.is_none() {
                *r = Some(why);
            }
        }
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Adds to the stop reason (once: the first note is kept).
    pub fn add_note(&self, note: String) {
        if let Ok(mut r) = self.reason.lock() {
            if let Some(r) = r.as_mut() {
                if !r.contains("; ") {
                    r.push_str(&note);
                }
            }
        }
    }

    /// Counts states visited by an inner search (for the progress report).
    pub fn add_inner(&self, n: u64) {
        if let Some(c) = &self.control {
            c.add_inner_states(n);
        }
    }

    /// Resident bytes at the last reading.
    pub fn rss(&self) -> u64 {
        self.rss.load(Ordering::Relaxed)
    }

    /// Time since the search started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Checks cancellation, the time limit and the memory cap (reading memory
    /// at most every few milliseconds); `upcoming` is the size of an
    /// allocation the caller is about to make. True when the search must stop.
    pub fn check(&self, upcoming: u64) -> bool {
        if self.stopped() {
            return true;
        }
        if self.control.as_ref().is_some_and(|c| c.cancelled()) {
            self.stop(crate::explore::CANCELLED.to_string());
            return true;
        }
        let now = self.started.elapsed();
        let last = Duration::from_nanos(self.last_check.load(Ordering::Relaxed));
        if now < last + CHECK_EVERY && upcoming == 0 {
            return false;
        }
        self.last_check.store(now.as_nanos() as u64, Ordering::Relaxed);
        if let (Some(d), Some(t)) = (self.deadline, self.timeout) {
            if Instant::now() >= d {
                self.stop(format!("the time limit ({}) was reached", duration_text(t)));
                return true;
            }
        }
        if self.max_memory != u64::MAX {
            if let Some(rss) = resident_bytes() {
                self.rss.store(rss, Ordering::Relaxed);
                if let Some(c) = &self.control {
                    c.report_memory(rss);
                }
                if rss.saturating_add(upcoming) >= self.max_memory {
                    self.stop(format!(
                        "the memory cap ({}) was reached: {} resident{}",
                        bytes_text(self.max_memory),
                        bytes_text(rss),
                        if upcoming > 0 { format!(", {} more needed", bytes_text(upcoming)) } else { String::new() }
                    ));
                    return true;
                }
            }
        } else if let Some(c) = &self.control {
            if let Some(rss) = resident_bytes() {
                self.rss.store(rss, Ordering::Relaxed);
                c.report_memory(rss);
            }
        }
        false
    }
}

/// The process's resident set in bytes (Linux; `None` elsewhere).
pub fn resident_bytes() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}

/// The process's peak resident set in bytes (Linux; `None` elsewhere).
pub fn peak_resident_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// Resets the process's peak resident set to its current size (Linux:
/// `/proc/self/clear_refs`), so [`peak_resident_bytes`] measures what follows;
/// false when it could not.
pub fn reset_peak_resident() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// A default memory cap: half of what the machine can still give this process
/// (the smallest of the kernel's available memory, the cgroup's remaining limit
/// and the address-space limit), so that a search stops with `bounded` before
/// the system runs out. `None` when nothing can be read (not Linux).
pub fn default_max_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let avail = meminfo
        .lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l["MemAvailable:".len()..].trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|k| k * 1024)?;
    let rss = resident_bytes().unwrap_or(0);
    let mut room = avail;
    // cgroup v2: memory.max of this process's group, less what it uses.
    if let Some(max) = cgroup_room() {
        room = room.min(max);
    }
    // ulimit -v: the address space left. Resident memory is a part of it; the
    // rest (code, thread stacks, reserved arenas) stays about the same.
    if let Some(limit) = address_space_limit() {
        let vm = status_kib("VmSize:").map_or(0, |k| k * 1024);
        room = room.min(limit.saturating_sub(vm));
    }
    Some(rss + room / 2)
}

fn cgroup_room() -> Option<u64> {
    let cg = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cg.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = format!("/sys/fs/cgroup{}", path.trim_end_matches('/'));
    let max: u64 = std::fs::read_to_string(format!("{dir}/memory.max")).ok()?.trim().parse().ok()?;
    let cur: u64 = std::fs::read_to_string(format!("{dir}/memory.current")).ok()?.trim().parse().ok()?;
    Some(max.saturating_sub(cur))
}

/// Address space one worker thread takes: its stack (2 MiB, Rust's default,
/// which rayon keeps) and as much again for what it allocates.
pub const THREAD_ADDRESS_SPACE: u64 = 4 << 20;

/// Whether `threads` more worker threads fit in the address space this process
/// may still map (`ulimit -v`), leaving a quarter of it for the search itself.
/// A thread that starts without room aborts the process from inside the C
/// library (exit 134), so this is checked before any is started. `Err` says
/// how much they need and how much is left; `Ok` when there is no limit.
pub fn threads_fit(threads: usize) -> Result<(), BudgetError> {
    let Some(limit) = address_space_limit() else { return Ok(()) };
    let vm = status_kib("VmSize:").map_or(0, |k| k * 1024);
    let room = limit.saturating_sub(vm);
    let need = threads as u64 * THREAD_ADDRESS_SPACE;
    if threads > 1 && need > room / 4 * 3 {
        return Err(BudgetError::Threads { threads, need, room, limit });
    }
    Ok(())
}

/// Why a size, a duration or a thread count was refused. Each names the text
/// as given (or the figures that did not fit).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("'{input}' is not a size (expected e.g. 200M, 2G or 512MiB)")]
    NotASize { input: String },
    #[error("unknown size unit '{unit}' in '{input}' (use K, M, G or T)")]
    SizeUnit { unit: String, input: String },
    #[error("size '{input}' is out of range")]
    SizeRange { input: String },
    #[error("'{input}' is not a duration (expected e.g. 30s, 5m or 1h)")]
    NotADuration { input: String },
    #[error("unknown duration unit '{unit}' in '{input}' (use ms, s, m or h)")]
    DurationUnit { unit: String, input: String },
    #[error("duration '{input}' is out of range")]
    DurationRange { input: String },
    /// `need` and `room` in bytes, `limit` (`ulimit -v`) in bytes.
    #[error(
        "{threads} worker threads need about {} of address space, but only {} is left under the \
         address-space limit (ulimit -v {}); use fewer --threads or raise the limit",
        bytes_text(*need),
        bytes_text(*room),
        limit / 1024
    )]
    Threads { threads: usize, need: u64, room: u64, limit: u64 },
}

/// `RLIMIT_AS` from `/proc/self/limits`, when set.
fn address_space_limit() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = s.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..].split_whitespace().next()?.parse().ok()
}

/// `1.5 GiB`, `200 MiB`, `12 KiB`.
pub fn bytes_text(b: u64) -> String {
    const K: u64 = 1024;
    if b >= K * K * K && b % (K * K * K) == 0 {
        format!("{} GiB", b / (K * K * K))
    } else if b >= K * K * K {
        format!("{:.1} GiB", b as f64 / (K * K * K) as f64)
    } else if b >= K * K {
        format!("{} MiB", (b + K * K / 2) / (K * K))
    } else {
        format!("{} KiB", b.div_ceil(K))
    }
}

/// `30 s`, `5 min`, `1.5 s`, `250 ms`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && d.as_secs() % 60 == 0 && d.subsec_nanos() == 0 {
        format!("{} min", d.as_secs() / 60)
    } else if s >= 1.0 {
        let t = format!("{s:.1}");
        format!("{} s", t.trim_end_matches(".0"))
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Parses a size: `200M`, `2G`, `512MiB`, `1.5G`, `4096K`, `100000000B`; a bare
/// number is MiB (the unit `--max-memory` always had).
pub fn parse_size(s: &str) -> Result<u64, BudgetError> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let input = || s.to_string();
    let n: f64 = num.parse().map_err(|_| BudgetError::NotASize { input: input() })?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "m" | "mb" | "mib" => (1u64 << 20) as f64,
        "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "g" | "gb" | "gib" => (1u64 << 30) as f64,
        "t" | "tb" | "tib" => (1u64 << 40) as f64,
        u => return Err(BudgetError::SizeUnit { unit: u.to_string(), input: input() }),
    };
    let b = n * mult;
    if !b.is_finite() || b < 1.0 || b > u64::MAX as f64 / 2.0 {
        return Err(BudgetError::SizeRange { input: input() });
    }
    Ok(b as u64)
}

/// Parses a duration: `30s`, `5m`, `1h`, `250ms`, `1.5s`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, BudgetError> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let input = || s.to_string();
    let n: f64 = num.parse().map_err(|_| BudgetError::NotADuration { input: input() })?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" => 1.0,
        "ms" => 0.001,
        "m" | "min" | "mins" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        u => return Err(BudgetError::DurationUnit { unit: u.to_string(), input: input() }),
    };
    let secs = n * mult;
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(BudgetError::DurationRange { input: input() });
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("200M"), Ok(200 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1000"), Ok(1000 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("12X").unwrap_err().to_string(), "unknown size unit 'x' in '12X' (use K, M, G or T)");
        assert_eq!(parse_size("1e9"), Err(BudgetError::SizeUnit { unit: "e9".into(), input: "1e9".into() }));
        assert_eq!(parse_size("0"), Err(BudgetError::SizeRange { input: "0".into() }));
        assert_eq!(parse_duration("x"), Err(BudgetError::NotADuration { input: "x".into() }));
        assert!(parse_size("0").is_err());
        assert!(parse_size("M").is_err());
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert_eq!(duration_text(Duration::from_secs(300)), "5 min");
        assert_eq!(duration_text(Duration::from_secs(30)), "30 s");
        assert_eq!(bytes_text(200 << 20), "200 MiB");
        assert_eq!(bytes_text(2 << 30), "2 GiB");
    }
}
