//! A deterministic force-directed layout (Fruchterman and Reingold): nodes repel each other,
//! relationships pull their ends together, and a cooling step size settles the picture. It
//! knows positions and edges only, nothing of labels or drawing.
//!
//! Determinism: the start positions come from a fixed-seed generator and the forces are summed
//! in index order, so the same subgraph always gives the same picture.

/// A point in drawing units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A small fixed-seed generator (SplitMix64): enough for start positions, and the same on
/// every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    #[allow(clippy::cast_precision_loss)]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Positions for `n` nodes joined by `edges` (index pairs; self-loops and repeats allowed),
/// with about `spacing` units between neighbours. The result is shifted so that every point
/// is at least `spacing / 2` from the top-left corner.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn layout(n: usize, edges: &[(usize, usize)], spacing: f64, seed: u64) -> Vec<Point> {
    if n == 0 {
        return Vec::new();
    }
    let mut rng = SplitMix(seed);
    let side = spacing * (n as f64).sqrt().max(1.0) * 1.5;
    let mut pos: Vec<Point> = (0..n)
        .map(|_| Point {
            x: rng.unit() * side,
            y: rng.unit() * side,
        })
        .collect();
    let k = spacing;
    // Fewer rounds for big pictures: the repulsion is quadratic in the node count.
    let rounds = if n <= 200 {
        300
    } else {
        (60_000_000 / (n * n)).clamp(20, 300)
    };
    let mut step = side / 10.0;
    let mut shift = vec![Point { x: 0.0, y: 0.0 }; n];
    for _ in 0..rounds {
        shift.fill(Point { x: 0.0, y: 0.0 });
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].x - pos[j].x, pos[i].y - pos[j].y);
                let d2 = (dx * dx + dy * dy).max(0.01);
                let d = d2.sqrt();
                let force = k * k / d;
                let (fx, fy) = (dx / d * force, dy / d * force);
                shift[i].x += fx;
                shift[i].y += fy;
                shift[j].x -= fx;
                shift[j].y -= fy;
            }
        }
        for &(a, b) in edges {
            if a == b || a >= n || b >= n {
                continue;
            }
            let (dx, dy) = (pos[a].x - pos[b].x, pos[a].y - pos[b].y);
            let d = (dx * dx + dy * dy).sqrt().max(0.1);
            let force = d * d / k;
            let (fx, fy) = (dx / d * force, dy / d * force);
            shift[a].x -= fx;
            shift[a].y -= fy;
            shift[b].x += fx;
            shift[b].y += fy;
        }
        // A weak pull to the centre keeps separate components from drifting apart.
        let (cx, cy) = (side / 2.0, side / 2.0);
        for (p, s) in pos.iter_mut().zip(&shift) {
            let sx = s.x + (cx - p.x) * 0.05;
            let sy = s.y + (cy - p.y) * 0.05;
            let len = (sx * sx + sy * sy).sqrt();
            if len > 0.0 {
                let moved = len.min(step);
                p.x += sx / len * moved;
                p.y += sy / len * moved;
            }
        }
        step = (step * 0.97).max(spacing / 100.0);
    }
    let min_x = pos.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
    let min_y = pos.iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
    for p in &mut pos {
        p.x = p.x - min_x + spacing / 2.0;
        p.y = p.y - min_y + spacing / 2.0;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_input_gives_the_same_layout_and_points_are_apart() {
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3)];
        let a = layout(5, &edges, 100.0, 7);
        let b = layout(5, &edges, 100.0, 7);
        assert_eq!(a, b);
        for i in 0..a.len() {
            for j in (i + 1)..a.len() {
                let d = ((a[i].x - a[j].x).powi(2) + (a[i].y - a[j].y).powi(2)).sqrt();
                assert!(d > 20.0, "{i} and {j} overlap: {d}");
            }
        }
    }
}
