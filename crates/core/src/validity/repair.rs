//! Repairing a geometry: each ring by the even-odd rule, then holes from their part, then the
//! union of the parts (GEOS's "structure" method), in a frame shifted to the geometry's corner.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::bool_ops::FillRule;
use geo::orient::{Direction, Orient};
use geo::winding_order::{Winding, WindingOrder};
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, Contains, Coord, InteriorPoint, LineString,
    MapCoords, MultiPolygon, OpType, Polygon,
};

use super::diagnose::{diagnose, diagnose_non_finite, polygon_problems};

/// Repairs `mp` whatever its problems (see the [module documentation](super)): the valid
/// geometry covering what the outline meant, with counter-clockwise outer rings; possibly empty.
/// An error (never a panic) when a vertex is not finite, when a boolean operation panics, or
/// when the result is still invalid after the passes described there.
pub fn repair(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    if mp.0.is_empty() {
        return Ok(MultiPolygon(vec![]));
    }
    if let Some(p) = diagnose_non_finite(mp) {
        return Err(format!("{p}: cannot be repaired"));
    }
    let Some(env) = mp.bounding_rect() else {
        return Ok(MultiPolygon(vec![]));
    };
    let origin = env.min();
    let local = mp.map_coords(|c| c - origin);
    let repaired = catch_unwind(AssertUnwindSafe(|| {
        let mut g = repair_local(&local);
        // The boolean operations snap to a grid and round the points
        // where edges cross: on near-degenerate input the result can keep a sliver that is
        // itself invalid (a 0.008 m² part whose hole lies outside it, found by fuzzing). A
        // second pass over the result settles it.
        // The boolean operations may also return a ring that touches itself at a vertex (two
        // loops of one hole meeting at a point, found by fuzzing): OGC calls that invalid, and
        // the fix is to split it into its loops.
        g = split_pinched(&g);
        for _ in 0..2 {
            if diagnose(&g).is_empty() {
                break;
            }
            g = split_pinched(&repair_local(&g));
        }
        // Never hand on a geometry that is still invalid: the caller reports the record.
        if let Some(p) = diagnose(&g).first() {
            return Err(format!(
                "the repair left the geometry invalid ({p}); fix it in a GIS and run again"
            ));
        }
        Ok::<_, String>(g)
    }))
    .map_err(|p| format!("the repair failed ({})", panic_text(&p)))??;
    Ok(repaired.map_coords(|c| c + origin))
}

fn repair_local(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for poly in &mp.0 {
        let shell = ring_area(poly.exterior());
        if shell.0.is_empty() {
            continue;
        }
        let mut holes: Vec<Polygon<f64>> = Vec::new();
        for h in poly.interiors() {
            holes.extend(ring_area(h).0);
        }
        let part = if holes.is_empty() {
            shell
        } else {
            let holes = unary_union(holes.iter()).orient(Direction::Default);
            shell.difference(&holes)
        };
        parts.extend(part.orient(Direction::Default).0);
    }
    let merged = match parts.len() {
        0 => MultiPolygon(vec![]),
        1 => MultiPolygon(parts),
        _ => unary_union(parts.iter()),
    };
    merged.orient(Direction::Default)
}

/// The area a ring encloses, as a valid multipolygon: the ring itself when it is simple, else
/// its even-odd fill by i_overlay (not geo's `make_valid`, whose result changes from run to run:
/// see the [module documentation](super)).
fn ring_area(ring: &LineString<f64>) -> MultiPolygon<f64> {
    let alone = Polygon::new(ring.clone(), vec![]);
    if polygon_problems(&alone, 1).is_empty() && alone.unsigned_area() > 0.0 {
        return MultiPolygon(vec![alone]).orient(Direction::Default);
    }
    let none: MultiPolygon<f64> = MultiPolygon(vec![]);
    MultiPolygon(vec![alone])
        .boolean_op_with_fill_rule(&none, OpType::Union, FillRule::EvenOdd)
        .orient(Direction::Default)
}

/// `mp` with every ring that passes through one vertex twice split into its loops (each of
/// which then passes through it once), as OGC asks: a loop turning the ring's way stays what the
/// ring was, a loop turning the other way becomes the other kind (a loop of a shell turning
/// clockwise is a hole touching the shell at a point; one of a hole turning counter-clockwise is
/// an island in it, a polygon of its own). Loops without area are dropped. `mp` must be oriented
/// the default way (outer rings counter-clockwise); rings that repeat no vertex are kept as they
/// are, so a valid geometry comes back unchanged.
pub(super) fn split_pinched(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut out: Vec<Polygon<f64>> = Vec::with_capacity(mp.0.len());
    for poly in &mp.0 {
        let rings = std::iter::once(poly.exterior()).chain(poly.interiors());
        let split: Vec<Option<Vec<LineString<f64>>>> = rings.map(loops).collect();
        if split.iter().all(Option::is_none) {
            out.push(poly.clone());
            continue;
        }
        // With the default orientation, a counter-clockwise loop is an outer ring whichever
        // ring it came from, and a clockwise one a hole; a loop without area has no winding.
        let mut shells: Vec<LineString<f64>> = Vec::new();
        let mut holes: Vec<LineString<f64>> = Vec::new();
        let rings = std::iter::once(poly.exterior()).chain(poly.interiors());
        for (ring, split) in rings.zip(split) {
            for l in split.unwrap_or_else(|| vec![ring.clone()]) {
                match l.winding_order() {
                    Some(WindingOrder::CounterClockwise) => shells.push(l),
                    Some(WindingOrder::Clockwise) => holes.push(l),
                    None => {}
                }
            }
        }
        let mut built: Vec<(Polygon<f64>, Vec<LineString<f64>>)> = shells
            .into_iter()
            .map(|s| (Polygon::new(s, vec![]), Vec::new()))
            .collect();
        for h in holes {
            let inside = Polygon::new(h.clone(), vec![]).interior_point();
            // The smallest shell containing the hole's inside: an island shell inside a hole
            // lies inside the outer shell too, but a hole cannot be inside an island it
            // surrounds, so the smallest container is the right one.
            let home = built
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| inside.is_some_and(|pt| s.contains(&pt)))
                .min_by(|a, b| a.1 .0.unsigned_area().total_cmp(&b.1 .0.unsigned_area()))
                .map(|(k, _)| k);
            if let Some(k) = home {
                built[k].1.push(h);
            }
        }
        out.extend(
            built
                .into_iter()
                .map(|(s, holes)| Polygon::new(s.exterior().clone(), holes)),
        );
    }
    MultiPolygon(out)
}

/// The simple loops of a closed ring that passes through some vertex more than once (`None`
/// when it passes through each once): walking the ring, each return to a vertex already on the
/// path closes the loop since it.
fn loops(ring: &LineString<f64>) -> Option<Vec<LineString<f64>>> {
    let mut pts = ring.0.split_last().map_or(&ring.0[..], |(_, rest)| rest);
    // A repeated point next to itself (also across the closing point) is no loop.
    while pts.len() > 1 && pts.last() == pts.first() {
        pts = &pts[..pts.len() - 1];
    }
    let key = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut path: Vec<Coord<f64>> = Vec::with_capacity(pts.len());
    let mut at: std::collections::HashMap<(u64, u64), usize> = Default::default();
    let mut out = Vec::new();
    for (k, &c) in pts.iter().enumerate() {
        if k > 0 && pts[k - 1] == c {
            continue;
        }
        if let Some(&j) = at.get(&key(&c)) {
            let mut l: Vec<Coord<f64>> = path.drain(j + 1..).collect();
            for d in &l {
                at.remove(&key(d));
            }
            l.insert(0, c);
            l.push(c);
            out.push(LineString(l));
        } else {
            at.insert(key(&c), path.len());
            path.push(c);
        }
    }
    if out.is_empty() {
        return None;
    }
    if path.len() >= 3 {
        let first = path[0];
        path.push(first);
        out.push(LineString(path));
    }
    Some(out)
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}
