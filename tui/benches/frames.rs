//! How fast the TUI draws and steps on a big screen: an 8-core irq_work machine
//! on a 160×50 terminal. Prints frames/s and steps/s, then criterion's figures.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p tui --bench frames`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};
use tui::{Action, App, Options, Status};
use workloads::Variant;

fn eight_cores() -> App {
    let mut app = App::new(Options::irq_work(Variant::BusyXchg, sim::models::get("tso").unwrap(), 8, 1)).expect("app");
    for _ in 0..40 {
        app.update(Action::Step);
    }
    app
}

/// One user step; back to the start when the run is over.
fn step(app: &mut App) {
    if app.session().status() != &Status::Running {
        app.update(Action::Restart);
    }
    app.update(Action::Step);
}

fn rate(what: &str, mut f: impl FnMut()) {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < Duration::from_secs(2) {
        f();
        n += 1;
    }
    println!("{what}: {:.0}/s ({n} in {:.2} s)", n as f64 / t0.elapsed().as_secs_f64(), t0.elapsed().as_secs_f64());
}

fn bench(c: &mut Criterion) {
    let app = eight_cores();
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    rate("frames (8 cores, 160x50)", || {
        term.draw(|f| f.render_widget(&app, f.area())).expect("draw");
    });
    let mut stepping = eight_cores();
    rate("steps (8 cores, scheduler step + view update)", || step(&mut stepping));

    let mut g = c.benchmark_group("tui");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    g.bench_function("frame_8_cores_160x50", |b| {
        b.iter(|| term.draw(|f| f.render_widget(&app, f.area())).map(|_| ()).expect("draw"))
    });
    g.bench_function("step_8_cores", |b| b.iter(|| step(&mut stepping)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
