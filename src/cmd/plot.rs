//! `--plot`: a sweep's violation rates as an SVG (plotters): rate against
//! cores, one line per model with its 95% interval, one panel per variant.

use anyhow::{bail, Result};
use plotters::prelude::*;
use std::path::Path;
use sweeps::{CellResult, SweepOutput, SweepSpec, Workload};

pub fn check_path(p: &Path) -> Result<()> {
    match p.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(()),
        _ => bail!("--plot {}: expected an .svg file", p.display()),
    }
}

/// How `--plot` draws.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PlotOpts {
    /// The plot's x axis: `cores` or a varied timing field (default: the first --vary field, else cores)
    #[arg(long, value_name = "FIELD")]
    pub plot_x: Option<String>,
    /// A logarithmic rate axis
    #[arg(long)]
    pub log: bool,
}

impl PlotOpts {
    /// Checks the options against the sweep they plot.
    pub fn check(&self, spec: &SweepSpec) -> Result<()> {
        if let Some(x) = &self.plot_x {
            if x != "cores" && !spec.grid.iter().any(|v| &v.field == x) {
                let mut known = vec!["cores".to_string()];
                known.extend(spec.grid.iter().map(|v| v.field.clone()));
                bail!("--plot-x {x}: expected one of {} (cores or a varied timing field)", known.join(", "));
            }
        }
        Ok(())
    }
}

/// The states an exhaustive search may visit to prove a cell safe for the plot.
const PROOF_STATES: u64 = 200_000;

const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// One point of a series: x, rate, interval, hits, proven safe.
struct Pt {
    x: f64,
    rate: f64,
    lo: f64,
    hi: f64,
    hits: u64,
    safe: bool,
}

/// The SVG text of the plot: rate against `cores` or a varied timing field,
/// one panel per variant (or program), one line per model (and per value of
/// the other varied fields), 95% Wilson intervals as bars. A cell with no hit
/// is drawn hollow at zero (its bar is the interval's upper bound), or as a
/// cross when exhaustive search proves it can never hit. The legend has its
/// own column, clear of the data.
pub fn svg(o: &SweepOutput, opts: &PlotOpts) -> Result<String> {
    let spec = &o.sweep;
    let xfield = opts.plot_x.clone().unwrap_or_else(|| spec.grid.first().map_or("cores".into(), |v| v.field.clone()));
    let xof = |c: &CellResult| if xfield == "cores" { Some(c.cores as f64) } else { c.params.get(&xfield) };
    // Panels: subjects in the sweep's order.
    let mut panels: Vec<String> = Vec::new();
    let subject = |c: &CellResult| match (&c.variant, &c.program) {
        (Some(v), _) => v.name().to_string(),
        (None, Some(p)) => p.clone(),
        _ => String::new(),
    };
    match spec.workload {
        Workload::IrqWork => panels.extend(spec.variants.iter().map(|v| v.name().to_string())),
        Workload::Programs => panels.extend(spec.programs.iter().map(|p| p.path.clone())),
    }
    // Series: model, then the other coordinates of the cell (cores, other fields).
    let series_of = |c: &CellResult| {
        let mut k = c.model.name().to_string();
        if xfield != "cores" && spec.cores.len() > 1 {
            k.push_str(&format!(" {} cores", c.cores));
        }
        for (f, v) in &c.params.0 {
            if *f != xfield {
                k.push_str(&format!(" {f}={v}"));
            }
        }
        k
    };
    let mut series: Vec<String> = Vec::new();
    for c in &o.cells {
        let k = series_of(c);
        if !series.contains(&k) {
            series.push(k);
        }
    }
    // Exhaustive proofs for the cells with no hit, once per subject × model × cores.
    let mut proofs: Vec<((String, String, usize), bool)> = Vec::new();
    let cells = spec.cells();
    for c in o.cells.iter().filter(|c| c.hits() == 0 && c.runs > 0) {
        let key = (subject(c), c.model.name().to_string(), c.cores);
        if proofs.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let Some(cell) = cells.iter().find(|x| c.is_cell(spec, x)) else { continue };
        let safe = sweeps::engine::proven_never(spec, cell, PROOF_STATES)?;
        proofs.push((key, safe));
    }
    let safe_of = |c: &CellResult| {
        let key = (subject(c), c.model.name().to_string(), c.cores);
        c.hits() == 0 && proofs.iter().any(|(k, s)| *k == key && *s)
    };
    let xs: Vec<f64> = o.cells.iter().filter_map(xof).collect();
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.05).max(0.3);
    let ymax = (o.cells.iter().map(|c| c.ci_high.max(c.rate)).fold(0.0f64, f64::max).max(0.001) * 1.3).min(1.0);
    let positive_min =
        o.cells.iter().flat_map(|c| [c.rate, c.ci_low]).filter(|&y| y > 0.0).fold(f64::INFINITY, f64::min);
    let ymin_log = if positive_min.is_finite() { (positive_min / 3.0).max(1e-9) } else { 1e-6 };
    let floor = if opts.log { ymin_log } else { 0.0 };
    let ymax_log = (ymax * 2.0).min(1.0).max(ymin_log * 10.0);
    let n = panels.len().max(1);
    let cols = n.min(3);
    let rows = n.div_ceil(cols);
    let legend_w = 260u32;
    let (w, h) = (420 * cols as u32 + legend_w, 300 * rows as u32 + 40);
    // Enough decimals that the percent ticks differ (0.05% steps need 2).
    let decimals = ((-(ymax * 100.0 / 5.0).log10()).ceil().max(0.0) as usize).min(6);
    let what = match spec.workload {
        Workload::IrqWork => "irq_work lost-work rate".to_string(),
        Workload::Programs => "rate of runs satisfying the condition".to_string(),
    };
    let grid_words = if spec.grid.is_empty() { String::new() } else { format!(" against {xfield}") };
    let title = format!(
        "{what}{grid_words} ({} scheduler, seeds {}..{}, {} write{} per producer; bars: 95% Wilson interval)",
        spec.scheduler.name(),
        spec.seeds[0],
        spec.seeds[1],
        spec.writes,
        if spec.writes == 1 { "" } else { "s" }
    );
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<_>| anyhow::anyhow!("plot: {e:?}");
        root.fill(&WHITE).map_err(err)?;
        let root = root.titled(&title, ("sans-serif", 17)).map_err(err)?;
        let (data, legend) = root.split_horizontally(w - legend_w);
        let areas = data.split_evenly((rows, cols));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            let mut builder = ChartBuilder::on(area);
            builder.caption(panel, ("sans-serif", 16)).margin(12).x_label_area_size(32).y_label_area_size(64);
            let pts_of = |k: &String| -> Vec<Pt> {
                let mut v: Vec<Pt> = o
                    .cells
                    .iter()
                    .filter(|c| &subject(c) == panel && &series_of(c) == k && c.runs > 0)
                    .filter_map(|c| {
                        Some(Pt {
                            x: xof(c)?,
                            rate: c.rate,
                            lo: c.ci_low,
                            hi: c.ci_high,
                            hits: c.hits(),
                            safe: safe_of(c),
                        })
                    })
                    .collect();
                v.sort_by(|a, b| a.x.total_cmp(&b.x));
                v
            };
            macro_rules! draw {
                ($chart:expr, $fmt:expr) => {{
                    let mut chart = $chart;
                    chart
                        .configure_mesh()
                        .x_desc(xfield.as_str())
                        .y_desc("rate")
                        .x_labels(12)
                        .y_label_formatter($fmt)
                        .light_line_style(WHITE.mix(0.0))
                        .draw()
                        .map_err(err)?;
                    for (i, k) in series.iter().enumerate() {
                        let c = PALETTE[i % PALETTE.len()];
                        let pts = pts_of(k);
                        let y = |p: &Pt| if p.hits == 0 { floor } else { p.rate };
                        chart
                            .draw_series(LineSeries::new(pts.iter().map(|p| (p.x, y(p))), c.stroke_width(2)))
                            .map_err(err)?;
                        chart
                            .draw_series(
                                pts.iter().filter(|p| p.hits > 0).map(|p| Circle::new((p.x, p.rate), 3, c.filled())),
                            )
                            .map_err(err)?;
                        chart
                            .draw_series(pts.iter().filter(|p| p.hits > 0).map(|p| {
                                ErrorBar::new_vertical(p.x, p.lo.max(floor), p.rate, p.hi, c.stroke_width(1), 6)
                            }))
                            .map_err(err)?;
                        // No hit: hollow, its bar up to the interval's upper bound.
                        chart
                            .draw_series(
                                pts.iter()
                                    .filter(|p| p.hits == 0 && !p.safe)
                                    .map(|p| ErrorBar::new_vertical(p.x, floor, floor, p.hi, c.stroke_width(1), 6)),
                            )
                            .map_err(err)?;
                        chart
                            .draw_series(
                                pts.iter()
                                    .filter(|p| p.hits == 0 && !p.safe)
                                    .map(|p| Circle::new((p.x, floor), 4, c.stroke_width(2))),
                            )
                            .map_err(err)?;
                        // Proven safe: a cross, no bar.
                        chart
                            .draw_series(
                                pts.iter().filter(|p| p.safe).map(|p| Cross::new((p.x, floor), 5, c.stroke_width(2))),
                            )
                            .map_err(err)?;
                    }
                }};
            }
            if opts.log {
                let chart = builder
                    .build_cartesian_2d((lo - pad)..(hi + pad), (ymin_log..ymax_log).log_scale())
                    .map_err(err)?;
                draw!(chart, &|y: &f64| format!("{:.1e}", y));
            } else {
                let chart = builder.build_cartesian_2d((lo - pad)..(hi + pad), 0f64..ymax).map_err(err)?;
                draw!(chart, &|y: &f64| format!("{:.*}%", decimals, y * 100.0));
            }
        }
        // The legend, in its own column.
        let font = ("sans-serif", 14).into_font();
        let mut y = 40i32;
        for (i, k) in series.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            legend.draw(&PathElement::new(vec![(10, y), (34, y)], c.stroke_width(2))).map_err(err)?;
            legend.draw(&Circle::new((22, y), 3, c.filled())).map_err(err)?;
            legend.draw(&Text::new(k.clone(), (42, y - 7), font.clone())).map_err(err)?;
            y += 20;
        }
        y += 10;
        legend.draw(&Circle::new((22, y), 4, BLACK.stroke_width(2))).map_err(err)?;
        legend.draw(&Text::new("0 observed (bar: 95% upper bound)", (42, y - 7), font.clone())).map_err(err)?;
        y += 20;
        legend.draw(&Cross::new((22, y), 5, BLACK.stroke_width(2))).map_err(err)?;
        legend.draw(&Text::new("proven safe (exhaustive search)", (42, y - 7), font.clone())).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(text)
}

/// Writes the plot of `o` to `path` (atomically).
pub fn plot(path: &Path, o: &SweepOutput, opts: &PlotOpts) -> Result<()> {
    check_path(path)?;
    opts.check(&o.sweep)?;
    super::write_atomic(path, &svg(o, opts)?)
}
