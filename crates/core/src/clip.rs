//! Clipping polygons to an axis-aligned rectangle (Sutherland–Hodgman), exact and cheap.
//!
//! Why this exists: geo's boolean operations (i_overlay) snap coordinates to an integer grid scaled
//! to the operation's bounding box. Intersecting a 1-mu patch with a forest polygon that spans
//! 200 km would put the grid step at centimetres and lose about 0.1% of a small overlap. Cutting
//! the big polygon down to the patch's neighbourhood first keeps every boolean operation's extent
//! close to the patch's own, so the grid step stays far below a millimetre.
//!
//! Sutherland–Hodgman clips each ring on its own. For a concave ring the result may contain
//! zero-width "bridges" running along the rectangle's border; they enclose no area. tuban always
//! follows the clip with an exact intersection against a patch that lies strictly inside the
//! rectangle, which removes them.

use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};

/// Clips every ring of `mp` to `rect`, translating the result by `-origin` on the way (so the output
/// is in the caller's local frame). Rings that vanish are dropped; a polygon whose exterior vanishes
/// is dropped with its holes.
///
/// ```
/// use geo::{polygon, Area, Coord, MultiPolygon, Rect};
/// use tuban_core::clip::clip_to_rect;
///
/// let big = MultiPolygon(vec![polygon![
///     (x: -1e5, y: -1e5), (x: 1e5, y: -1e5), (x: 1e5, y: 1e5), (x: -1e5, y: 1e5)]]);
/// let rect = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 2.0, y: 3.0 });
/// let clipped = clip_to_rect(&big, rect, Coord { x: 0.0, y: 0.0 });
/// assert_eq!(clipped.unsigned_area(), 6.0);
/// ```
pub fn clip_to_rect(
    mp: &MultiPolygon<f64>,
    rect: Rect<f64>,
    origin: Coord<f64>,
) -> MultiPolygon<f64> {
    let mut out = Vec::with_capacity(mp.0.len());
    for poly in &mp.0 {
        let Some(ext) = clip_ring(poly.exterior(), rect, origin) else {
            continue;
        };
        let holes = poly
            .interiors()
            .iter()
            .filter_map(|h| clip_ring(h, rect, origin))
            .collect();
        out.push(Polygon::new(ext, holes));
    }
    MultiPolygon(out)
}

/// Clips one closed ring; `None` if fewer than three vertices survive.
fn clip_ring(
    ring: &LineString<f64>,
    rect: Rect<f64>,
    origin: Coord<f64>,
) -> Option<LineString<f64>> {
    let (min, max) = (rect.min(), rect.max());
    // Open ring (drop the closing vertex); Sutherland–Hodgman works on the vertex cycle.
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    // Each boundary: (is the point inside?, where does the segment cross?).
    let edges: [(u8, f64); 4] = [(0, min.x), (1, max.x), (2, min.y), (3, max.y)];
    for (side, v) in edges {
        if pts.is_empty() {
            return None;
        }
        let inside = |c: &Coord<f64>| match side {
            0 => c.x >= v,
            1 => c.x <= v,
            2 => c.y >= v,
            _ => c.y <= v,
        };
        let cross = |a: &Coord<f64>, b: &Coord<f64>| -> Coord<f64> {
            if side < 2 {
                let t = (v - a.x) / (b.x - a.x);
                Coord {
                    x: v,
                    y: a.y + t * (b.y - a.y),
                }
            } else {
                let t = (v - a.y) / (b.y - a.y);
                Coord {
                    x: a.x + t * (b.x - a.x),
                    y: v,
                }
            }
        };
        let mut next = Vec::with_capacity(pts.len() + 4);
        let n = pts.len();
        for i in 0..n {
            let cur = &pts[i];
            let prev = &pts[(i + n - 1) % n];
            match (inside(prev), inside(cur)) {
                (true, true) => next.push(*cur),
                (true, false) => next.push(cross(prev, cur)),
                (false, true) => {
                    next.push(cross(prev, cur));
                    next.push(*cur);
                }
                (false, false) => {}
            }
        }
        pts = next;
    }
    if pts.len() < 3 {
        return None;
    }
    let mut coords: Vec<Coord<f64>> = pts
        .into_iter()
        .map(|c| Coord {
            x: c.x - origin.x,
            y: c.y - origin.y,
        })
        .collect();
    coords.push(coords[0]);
    Some(LineString(coords))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area, BooleanOps};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    #[test]
    fn concave_ring_clipped_then_intersected_matches_direct_intersection() {
        // A "U" shape: 3 × 3 square minus the middle column's top two cells (area 9 - 2 = 7).
        let u = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 2.0, y: 3.0),
            (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 0.0, y: 3.0)]]);
        assert_eq!(u.unsigned_area(), 7.0);
        // Clipping the top band y in [2, 3] leaves two separate 1 × 1 legs joined by a zero-width
        // bridge along y = 2: area 2, by hand.
        let clipped = clip_to_rect(&u, rect(-1.0, 2.0, 4.0, 3.0), Coord { x: 0.0, y: 0.0 });
        assert_eq!(clipped.unsigned_area(), 2.0);
        // Intersecting with a patch strictly inside the rectangle removes the bridge.
        let patch = MultiPolygon(vec![polygon![
            (x: 0.5, y: 2.2), (x: 2.5, y: 2.2), (x: 2.5, y: 2.8), (x: 0.5, y: 2.8)]]);
        // Both agree with the hand value 2 × 0.6 × 0.5 = 0.6 to i_overlay's grid: it snaps to a
        // step of about extent / 2^30 (here ~3e-9 m), so areas carry errors of ~1e-9 m².
        let via_clip = patch.intersection(&clipped).unsigned_area();
        let direct = patch.intersection(&u).unsigned_area();
        assert!((via_clip - 0.6).abs() < 1e-8, "{via_clip}");
        assert!((direct - 0.6).abs() < 1e-8, "{direct}");
    }

    #[test]
    fn holes_are_clipped_and_kept() {
        let with_hole = MultiPolygon(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        )]);
        // Rectangle [3, 7]²: 16 minus the 4 of the hole.
        let c = clip_to_rect(
            &with_hole,
            rect(3.0, 3.0, 7.0, 7.0),
            Coord { x: 3.0, y: 3.0 },
        );
        assert_eq!(c.unsigned_area(), 12.0);
        // Translated into the local frame: the hole now starts at (1, 1).
        assert!(c.0[0].interiors()[0].0.contains(&Coord { x: 1.0, y: 1.0 }));
    }

    #[test]
    fn disjoint_ring_vanishes() {
        let sq = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]]);
        assert!(
            clip_to_rect(&sq, rect(5.0, 5.0, 6.0, 6.0), Coord { x: 0.0, y: 0.0 })
                .0
                .is_empty()
        );
    }
}
