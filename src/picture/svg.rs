//! SVG output: a legend of labels, then nodes as circles coloured by first label with their
//! captions, and relationships as arrows (curved apart when parallel, loops for self
//! relationships) with their type at the middle. Every text is XML-escaped, and characters
//! XML 1.0 forbids are dropped, so the document always parses.

use std::collections::HashMap;
use std::fmt::Write;

use super::layout::{Point, layout};
use super::{Subgraph, caption, colour, shorten};

const RADIUS: f64 = 22.0;
const SPACING: f64 = 150.0;
const LEGEND_ROW: f64 = 22.0;
const SEED: u64 = 0x00C0_DD1A_1000;

/// Text as XML character data or an attribute value.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the subgraph as a standalone SVG document.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn render(sub: &Subgraph) -> String {
    let index = sub.index();
    let edges: Vec<(usize, usize)> = sub
        .relationships
        .iter()
        .map(|r| (index[&r.start], index[&r.end]))
        .collect();
    let labels = sub.labels();
    let colour_of: HashMap<&str, &str> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), colour(i)))
        .collect();
    let legend_height = if labels.is_empty() {
        0.0
    } else {
        LEGEND_ROW * 1.5
    };
    let mut points = layout(sub.nodes.len(), &edges, SPACING, SEED);
    for p in &mut points {
        p.y += legend_height;
    }
    let legend_width = labels.iter().map(|l| 30.0 + 8.0 * count(l)).sum::<f64>() + 10.0;
    let width = points
        .iter()
        .map(|p| p.x + SPACING / 2.0)
        .fold(legend_width.max(200.0), f64::max);
    let height = points
        .iter()
        .map(|p| p.y + SPACING / 2.0)
        .fold(legend_height + 60.0, f64::max);

    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>"##
    );

    // Legend.
    out.push_str("<g class=\"legend\">\n");
    let mut x = 10.0;
    for (i, label) in labels.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="7" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
            x + 7.0,
            LEGEND_ROW / 2.0 + 4.0,
            colour(i),
            x + 18.0,
            LEGEND_ROW / 2.0 + 8.0,
            escape(label)
        );
        x += 30.0 + 8.0 * count(label);
    }
    out.push_str("</g>\n");

    // Relationships first, so nodes are drawn over their ends.
    out.push_str("<g class=\"relationships\" fill=\"none\">\n");
    let mut parallel: HashMap<(usize, usize), usize> = HashMap::new();
    for &(a, b) in &edges {
        *parallel.entry((a.min(b), a.max(b))).or_default() += 1;
    }
    let mut drawn: HashMap<(usize, usize), usize> = HashMap::new();
    for (rel, &(a, b)) in sub.relationships.iter().zip(&edges) {
        let key = (a.min(b), a.max(b));
        let k = drawn.entry(key).or_default();
        let nth = *k;
        *k += 1;
        let total = parallel[&key];
        let (path, label_at) = if a == b {
            self_loop(points[a], nth)
        } else {
            arc(points[a], points[b], nth, total, a > b)
        };
        let _ = writeln!(
            out,
            r##"<path d="{path}" stroke="#666" stroke-width="1.5" marker-end="url(#arrow)"><title>{}</title></path><text x="{:.1}" y="{:.1}" font-size="10" fill="#333" text-anchor="middle" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"##,
            escape(&rel.rel_type),
            label_at.x,
            label_at.y - 3.0,
            escape(&rel.rel_type)
        );
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"nodes\">\n");
    for (node, p) in sub.nodes.iter().zip(&points) {
        let fill = node
            .labels
            .first()
            .and_then(|l| colour_of.get(l.as_str()).copied())
            .unwrap_or("#BBBBBB");
        let full = caption(node);
        let title = if node.labels.is_empty() {
            full.clone()
        } else {
            format!(":{} {full}", node.labels.join(":"))
        };
        let _ = writeln!(
            out,
            r##"<g class="node"><title>{}</title><circle cx="{:.1}" cy="{:.1}" r="{RADIUS}" fill="{fill}" stroke="#333" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text></g>"##,
            escape(&title),
            p.x,
            p.y,
            p.x,
            p.y + RADIUS + 14.0,
            escape(&shorten(&full, 28))
        );
    }
    out.push_str("</g>\n</svg>\n");
    out
}

#[allow(clippy::cast_precision_loss)]
fn count(text: &str) -> f64 {
    text.chars().count() as f64
}

/// A path from `from` to `to`, bent sideways when several relationships join the same two
/// nodes, cut back to the circles' edges; and the point at its middle.
#[allow(clippy::cast_precision_loss)]
fn arc(from: Point, to: Point, nth: usize, total: usize, reversed: bool) -> (String, Point) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt().max(0.001);
    // The normal is taken from the pair's canonical direction, so relationships both ways
    // spread to opposite sides instead of overlapping.
    let (nx, ny) = if reversed {
        (dy / len, -dx / len)
    } else {
        (-dy / len, dx / len)
    };
    let bend = (nth as f64 - (total as f64 - 1.0) / 2.0) * 36.0;
    let control = Point {
        x: (from.x + to.x) / 2.0 + nx * bend,
        y: (from.y + to.y) / 2.0 + ny * bend,
    };
    let start = toward(from, control, RADIUS);
    let end = toward(to, control, RADIUS + 2.0);
    let middle = Point {
        x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
        y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y,
    };
    (
        format!(
            "M {:.1} {:.1} Q {:.1} {:.1} {:.1} {:.1}",
            start.x, start.y, control.x, control.y, end.x, end.y
        ),
        middle,
    )
}

/// The point `distance` from `centre` in the direction of `target`.
fn toward(centre: Point, target: Point, distance: f64) -> Point {
    let (dx, dy) = (target.x - centre.x, target.y - centre.y);
    let len = (dx * dx + dy * dy).sqrt().max(0.001);
    Point {
        x: centre.x + dx / len * distance,
        y: centre.y + dy / len * distance,
    }
}

/// A loop above the node, larger for each further self relationship.
#[allow(clippy::cast_precision_loss)]
fn self_loop(at: Point, nth: usize) -> (String, Point) {
    let size = 40.0 + 18.0 * nth as f64;
    let (sx, sy) = (at.x - RADIUS * 0.6, at.y - RADIUS * 0.8);
    let (ex, ey) = (at.x + RADIUS * 0.6, at.y - RADIUS * 0.8);
    (
        format!(
            "M {sx:.1} {sy:.1} C {:.1} {:.1} {:.1} {:.1} {ex:.1} {ey:.1}",
            sx - size * 0.6,
            sy - size,
            ex + size * 0.6,
            ey - size
        ),
        Point {
            x: at.x,
            y: at.y - RADIUS - size * 0.75,
        },
    )
}
