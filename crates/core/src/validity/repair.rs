//! Repairing a geometry: each ring by the even-odd rule, then holes from their part, then the
//! union of the parts (GEOS's "structure" method), in a frame shifted to the geometry's corner.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, LineString, MakeValid, MapCoords, MultiPolygon,
    Polygon,
};

use super::diagnose::{diagnose, diagnose_non_finite, polygon_problems};

/// Repairs `mp` whatever its problems (see the [module documentation](super)): the valid
/// geometry covering what the outline meant, with counter-clockwise outer rings; possibly empty.
/// An error (never a panic) when a vertex is not finite or geo's repair fails.
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
        let mut g = repair_local(&local)?;
        // The boolean operations snap to a grid, and geo's even-odd repair rounds the points
        // where edges cross: on near-degenerate input the result can keep a sliver that is
        // itself invalid (a 0.008 m² part whose hole lies outside it, found by fuzzing). A
        // second pass over the result settles it.
        for _ in 0..2 {
            if diagnose(&g).is_empty() {
                break;
            }
            g = repair_local(&g)?;
        }
        Ok::<_, String>(g)
    }))
    .map_err(|p| format!("the repair failed ({})", panic_text(&p)))??;
    Ok(repaired.map_coords(|c| c + origin))
}

fn repair_local(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for poly in &mp.0 {
        let shell = ring_area(poly.exterior())?;
        if shell.0.is_empty() {
            continue;
        }
        let mut holes: Vec<Polygon<f64>> = Vec::new();
        for h in poly.interiors() {
            holes.extend(ring_area(h)?.0);
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
    Ok(merged.orient(Direction::Default))
}

/// The area a ring encloses, as a valid multipolygon: the ring itself when it is simple, else
/// geo's even-odd repair of it.
fn ring_area(ring: &LineString<f64>) -> Result<MultiPolygon<f64>, String> {
    let alone = Polygon::new(ring.clone(), vec![]);
    if polygon_problems(&alone, 1).is_empty() && alone.unsigned_area() > 0.0 {
        return Ok(MultiPolygon(vec![alone]).orient(Direction::Default));
    }
    alone
        .make_valid()
        .map(|m| m.orient(Direction::Default))
        .map_err(|e| format!("the repair failed ({e})"))
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}
