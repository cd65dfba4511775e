//! Plane geometry for laying drawings out: boxes, segments, circles, and
//! the question every layout asks, "does this line cross that?".

/// A point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Rightwards.
    pub x: f64,
    /// Downwards, as in SVG.
    pub y: f64,
}

/// A point at (`x`, `y`).
pub const fn point(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

impl Rect {
    /// The box grown by `margin` on every side.
    pub fn inflate(self, margin: f64) -> Rect {
        Rect { left: self.left - margin, top: self.top - margin, right: self.right + margin, bottom: self.bottom + margin }
    }

    /// Whether `p` lies inside (or on the edge).
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.left && p.x <= self.right && p.y >= self.top && p.y <= self.bottom
    }

    /// Whether the two boxes share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right && other.left < self.right && self.top < other.bottom && other.top < self.bottom
    }

    /// Whether the box comes within `radius` of `centre`.
    pub fn meets_circle(&self, centre: Point, radius: f64) -> bool {
        let nearest = point(centre.x.clamp(self.left, self.right), centre.y.clamp(self.top, self.bottom));
        distance(nearest, centre) < radius
    }
}

/// The distance between two points.
pub fn distance(a: Point, b: Point) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// Whether segment `a`–`b` passes through the box (an end inside counts).
pub fn segment_meets_rect(a: Point, b: Point, rect: &Rect) -> bool {
    // Liang–Barsky clipping: the segment meets the box when some part of it survives clipping.
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [(-dx, a.x - rect.left), (dx, rect.right - a.x), (-dy, a.y - rect.top), (dy, rect.bottom - a.y)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// The distance from `p` to the segment `a`–`b`.
pub fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 { 0.0 } else { (((p.x - a.x) * dx + (p.y - a.y) * dy) / length).clamp(0.0, 1.0) };
    distance(p, point(a.x + t * dx, a.y + t * dy))
}

/// Whether the polyline passes through the box.
pub fn polyline_meets_rect(points: &[Point], rect: &Rect) -> bool {
    points.windows(2).any(|w| segment_meets_rect(w[0], w[1], rect))
}

/// Whether the polyline comes within `radius` of `centre`.
pub fn polyline_meets_circle(points: &[Point], centre: Point, radius: f64) -> bool {
    points.windows(2).any(|w| distance_to_segment(centre, w[0], w[1]) < radius)
}

/// Points along the quadratic Bézier curve from `a` through control `c` to `b`, ends included.
pub fn quadratic_points(a: Point, c: Point, b: Point, steps: usize) -> Vec<Point> {
    (0..=steps)
        .map(|i| {
            let t = i as f64 / steps as f64;
            let u = 1.0 - t;
            point(u * u * a.x + 2.0 * u * t * c.x + t * t * b.x, u * u * a.y + 2.0 * u * t * c.y + t * t * b.y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_box() -> Rect {
        Rect { left: 0.0, top: 0.0, right: 10.0, bottom: 10.0 }
    }

    #[test]
    fn a_segment_meets_a_box_it_crosses_or_ends_in_and_misses_one_beside_it() {
        assert!(segment_meets_rect(point(-5.0, 5.0), point(15.0, 5.0), &unit_box()), "straight through");
        assert!(segment_meets_rect(point(5.0, 5.0), point(50.0, 50.0), &unit_box()), "starts inside");
        assert!(segment_meets_rect(point(-5.0, -4.0), point(6.0, 12.0), &unit_box()), "across a corner");
        assert!(!segment_meets_rect(point(-5.0, 12.0), point(15.0, 12.0), &unit_box()), "passes below");
        assert!(!segment_meets_rect(point(11.0, -5.0), point(30.0, 20.0), &unit_box()), "passes beside");
    }

    #[test]
    fn circles_and_curves_are_measured_by_distance() {
        assert!(polyline_meets_circle(&[point(-10.0, 0.0), point(10.0, 0.0)], point(0.0, 3.0), 4.0));
        assert!(!polyline_meets_circle(&[point(-10.0, 0.0), point(10.0, 0.0)], point(0.0, 5.0), 4.0));
        let curve = quadratic_points(point(0.0, 0.0), point(5.0, 10.0), point(10.0, 0.0), 10);
        assert_eq!(curve.first(), Some(&point(0.0, 0.0)));
        assert_eq!(curve.last(), Some(&point(10.0, 0.0)));
        assert!((curve[5].y - 5.0).abs() < 1e-9, "a quadratic curve reaches half its control's height at the middle");
        assert!(unit_box().meets_circle(point(12.0, 5.0), 3.0) && !unit_box().meets_circle(point(14.0, 5.0), 3.0));
    }
}
