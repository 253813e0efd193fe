//! Reports: one self-contained HTML page with the results' tables, a latency percentile plot
//! and throughput over time, drawn as inline SVG (no scripts, no external files).

use super::result::{compare_table, phase_table, RunResult};
use std::fmt::Write;

const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Plot area and legend geometry, in SVG pixels.
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 80.0;
const TOP: f64 = 20.0;
const PLOT_W: f64 = 600.0;
const PLOT_H: f64 = 340.0;
/// Series with at most this many points get a dot on each.
const MARKED_POINTS: usize = 60;

/// Escapes text for HTML and SVG.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One line of a plot.
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
}

/// Axis ticks: round values (1, 2 or 5 times a power of ten) covering `lo..hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(magnitude * 10.0);
    let mut out = Vec::new();
    let mut v = (lo / step).ceil() * step;
    while v <= hi + step * 1e-9 {
        out.push(v);
        v += step;
    }
    out
}

/// A plot: axes, grid, tick labels, series and legend.
struct Plot<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    x: (f64, f64),
    y: (f64, f64),
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
}

impl Plot<'_> {
    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0).max(1e-12) * PLOT_W
    }
    fn py(&self, y: f64) -> f64 {
        TOP + PLOT_H - (y - self.y.0) / (self.y.1 - self.y.0).max(1e-12) * PLOT_H
    }

    fn render(&self, series: &[Series]) -> String {
        let mut svg = String::new();
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12"><title>{}</title><rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#444"/>"##,
            escape(self.title)
        );
        for (x, label) in &self.x_ticks {
            let px = self.px(*x);
            let _ = write!(
                svg,
                r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#ddd"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                TOP + PLOT_H,
                TOP + PLOT_H + 16.0,
                escape(label)
            );
        }
        for (y, label) in &self.y_ticks {
            let py = self.py(*y);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                LEFT + PLOT_W,
                LEFT - 6.0,
                py + 4.0,
                escape(label)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"##,
            LEFT + PLOT_W / 2.0,
            HEIGHT - 8.0,
            escape(self.x_label),
            TOP + PLOT_H / 2.0,
            escape(self.y_label)
        );
        for (i, s) in series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let points: Vec<String> = s
                .points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", self.px(x), self.py(y)))
                .collect();
            let _ = write!(
                svg,
                r##"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"##,
                points.join(" ")
            );
            // Sparse series get a dot per point, so one sample still shows.
            if s.points.len() <= MARKED_POINTS {
                for &(x, y) in &s.points {
                    let _ = write!(
                        svg,
                        r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"##,
                        self.px(x),
                        self.py(y)
                    );
                }
            }
            let ly = TOP + 10.0 + 18.0 * i as f64;
            let lx = LEFT + PLOT_W + 16.0;
            let _ = write!(
                svg,
                r##"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text>"##,
                lx + 20.0,
                lx + 26.0,
                ly + 4.0,
                escape(&s.name)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// How far right a percentile sits on the percentile axis: `log10(1 / (1 - p))`, so 90%,
/// 99% and 99.9% are evenly spaced.
fn percentile_x(p: f64) -> f64 {
    -(1.0 - p / 100.0).max(1e-7).log10()
}

fn percentile_label(x: f64) -> String {
    let nines = x.round() as usize;
    match nines {
        0 => "0%".to_owned(),
        1 => "90%".to_owned(),
        n => format!("99.{}%", "9".repeat(n - 2)).replace("99.%", "99%"),
    }
}

/// The latency percentile plot of every operation of every result (log latency axis).
pub fn percentile_svg(results: &[RunResult]) -> String {
    let mut series = Vec::new();
    for r in results {
        for o in &r.run.operations {
            let points: Vec<(f64, f64)> = o
                .percentiles
                .iter()
                .filter(|[p, _]| *p < 100.0)
                .map(|[p, us]| (percentile_x(*p), us.max(0.001).log10()))
                .collect();
            if !points.is_empty() {
                series.push(Series {
                    name: format!("{} {}", r.label, o.op),
                    points,
                });
            }
        }
    }
    let x_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(2.0f64, f64::max)
        .ceil()
        .min(6.0);
    let (y_lo, y_hi) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (y_lo, y_hi) = if y_lo > y_hi {
        (0.0, 3.0)
    } else {
        (y_lo.floor(), y_hi.ceil().max(y_lo.floor() + 1.0))
    };
    let us_label = |e: f64| {
        let us = 10f64.powf(e);
        if us >= 1000.0 {
            format!("{} ms", us / 1000.0)
        } else {
            format!("{us} µs")
        }
    };
    let plot = Plot {
        title: "Latency by percentile",
        x_label: "percentile",
        y_label: "latency (log scale)",
        x: (0.0, x_max),
        y: (y_lo, y_hi),
        x_ticks: (0..=x_max as usize)
            .map(|n| (n as f64, percentile_label(n as f64)))
            .collect(),
        y_ticks: (y_lo as i32..=y_hi as i32)
            .map(|e| (f64::from(e), us_label(f64::from(e))))
            .collect(),
    };
    plot.render(&series)
}

/// Throughput over time of every result.
pub fn timeline_svg(results: &[RunResult]) -> String {
    let series: Vec<Series> = results
        .iter()
        .map(|r| Series {
            name: r.label.clone(),
            points: r
                .run
                .timeline
                .iter()
                .map(|s| (s.t, s.ops_per_sec))
                .collect(),
        })
        .collect();
    let x_hi = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let y_hi = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0f64, f64::max)
        * 1.1;
    let plot = Plot {
        title: "Throughput over time",
        x_label: "seconds",
        y_label: "operations per second",
        x: (0.0, x_hi),
        y: (0.0, y_hi),
        x_ticks: ticks(0.0, x_hi)
            .into_iter()
            .map(|v| (v, format!("{v}")))
            .collect(),
        y_ticks: ticks(0.0, y_hi)
            .into_iter()
            .map(|v| (v, format!("{v:.0}")))
            .collect(),
    };
    plot.render(&series)
}

/// Turns the markdown pipe tables of [`result`](super::result) into HTML tables.
fn table_html(markdown: &str) -> String {
    let mut html = String::from("<table>");
    let mut first = true;
    for line in markdown.lines() {
        let line = line.trim();
        if line.is_empty() {
            html.push_str("</table><table>");
            first = true;
            continue;
        }
        if line.starts_with("|-") || line.starts_with("|:") || line.starts_with("|---") {
            continue;
        }
        let cell = if first { "th" } else { "td" };
        html.push_str("<tr>");
        for c in line.trim_matches('|').split('|') {
            let _ = write!(html, "<{cell}>{}</{cell}>", escape(c.trim()));
        }
        html.push_str("</tr>");
        first = false;
    }
    html.push_str("</table>");
    html
}

/// The whole report: a comparison table when there are several results, each result's
/// settings and per-operation table, and the two plots.
pub fn report(results: &[RunResult]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tessera-bench report</title>\
         <style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}\
         td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}\
         code{background:#f4f4f4}</style></head><body><h1>tessera-bench report</h1>",
    );
    if results.len() > 1 {
        html.push_str("<h2>Side by side</h2>");
        html.push_str(&table_html(&compare_table(results)));
    }
    html.push_str("<h2>Latency by percentile</h2>");
    html.push_str(&percentile_svg(results));
    html.push_str("<h2>Throughput over time</h2>");
    html.push_str(&timeline_svg(results));
    for r in results {
        let _ = write!(
            html,
            "<h2>{}</h2><p>{}</p><p>Machine: {}. {}.</p>",
            escape(&r.label),
            escape(&r.headline()),
            escape(&r.machine),
            if r.run.open_loop {
                "Latency counts from each operation's scheduled start (open loop)"
            } else {
                "Latency counts from each operation's actual start (closed loop)"
            }
        );
        html.push_str(&table_html(&phase_table(&r.run)));
        if let Some(load) = &r.load {
            let _ = write!(
                html,
                "<p>Load phase: {} inserts in {:.2} s, {:.0} ops/s, {} errors.</p>",
                load.ops, load.elapsed_secs, load.throughput, load.errors
            );
        }
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let t = ticks(0.0, 37_000.0);
        assert_eq!(t.first(), Some(&0.0));
        assert!(t.iter().all(|v| v % 5000.0 == 0.0));
    }

    #[test]
    fn percentile_axis_spaces_the_nines_evenly() {
        assert!((percentile_x(90.0) - 1.0).abs() < 1e-9);
        assert!((percentile_x(99.9) - 3.0).abs() < 1e-9);
        assert_eq!(percentile_label(0.0), "0%");
        assert_eq!(percentile_label(2.0), "99%");
        assert_eq!(percentile_label(4.0), "99.99%");
    }

    #[test]
    fn a_single_sample_is_drawn_as_a_dot() {
        let plot = Plot {
            title: "t",
            x_label: "x",
            y_label: "y",
            x: (0.0, 2.0),
            y: (0.0, 10.0),
            x_ticks: vec![],
            y_ticks: vec![],
        };
        let svg = plot.render(&[Series {
            name: "one".to_owned(),
            points: vec![(1.0, 5.0)],
        }]);
        assert!(svg.contains(r#"<circle cx="380.0" cy="190.0""#), "{svg}");
    }

    #[test]
    fn tables_and_text_are_escaped() {
        let html = table_html("| a | <b> |\n|---|---|\n| 1 | & |\n");
        assert_eq!(
            html,
            "<table><tr><th>a</th><th>&lt;b&gt;</th></tr><tr><td>1</td><td>&amp;</td></tr></table>"
        );
    }
}
