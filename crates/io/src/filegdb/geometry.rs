//! A row's shape: the format's compressed ESRI shape, decoded to `geo` geometries.
//!
//! A shape blob starts with its shape type (a varuint: the shapefile codes, or the "general"
//! codes 50-54 whose high bits say Z, M and curves). Points store x and y as varuints, plus one,
//! on the geometry column's integer grid (0 means empty). Multipoints, polylines and polygons
//! store their number of points, of parts (and of curves when the curve flag is set), their
//! envelope as four varuints (xmin, ymin, width, height), the number of points of every part
//! but the last, then the points as signed varint differences from the previous point (running
//! on across parts), then Z, M and the curve descriptions. A grid value v is the coordinate
//! `v / xy_scale + origin`, computed exactly as GDAL does, so both read the same doubles.
//!
//! Z and M are not read (tuban measures in the plane). Curved segments (circular arcs, Bézier
//! curves, elliptic arcs) are refused: see the [module documentation](super#curves).

use geo::{Coord, Geometry, MultiPoint, Point, Rect};

use super::bytes::Bytes;
use crate::shp::{check_finite, plain_lines, plain_polygons};

/// The integer grid of a geometry column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub x_origin: f64,
    pub y_origin: f64,
    pub scale: f64,
}

impl Grid {
    // The grid value as a double, divided by the scale, plus the origin: GDAL's formula (a
    // value converts to the same double whatever integer type holds it).
    fn x(&self, v: i128) -> f64 {
        v as f64 / self.scale + self.x_origin
    }

    fn y(&self, v: i128) -> f64 {
        v as f64 / self.scale + self.y_origin
    }
}

const Z_FLAG: u64 = 0x8000_0000;
const M_FLAG: u64 = 0x4000_0000;
const CURVE_FLAG: u64 = 0x2000_0000;

/// What kind of shape a type code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Point,
    MultiPoint,
    Polyline,
    Polygon,
}

/// The kind of a shape type code, or an error for the kinds tuban does not read.
fn kind(code: u64) -> Result<Kind, String> {
    Ok(match code & 0xFF {
        0 => Kind::Null,
        1 | 9 | 11 | 21 | 52 => Kind::Point,
        8 | 18 | 20 | 28 => Kind::MultiPoint,
        3 | 10 | 13 | 23 | 50 => Kind::Polyline,
        5 | 15 | 19 | 25 | 51 => Kind::Polygon,
        31 | 32 | 54 => {
            return Err(
                "is a MultiPatch shape (a 3D surface), which tuban does not read".to_string(),
            )
        }
        other => {
            return Err(format!(
                "has shape type {other}, which tuban does not read (the table is damaged, or \
                 holds a kind of shape tuban does not know)"
            ))
        }
    })
}

/// The first numbers of a multipoint, polyline or polygon: counts and envelope.
struct Head {
    points: u64,
    parts: u64,
    curves: u64,
    /// xmin, ymin, xmax, ymax on the grid.
    bounds: [u64; 4],
}

/// Reads the counts and the envelope; `None` when the shape has no points.
fn head(b: &mut Bytes<'_>, code: u64, k: Kind) -> Result<Option<Head>, String> {
    let points = b.varuint("the number of points")?;
    if points == 0 {
        return Ok(None);
    }
    let (mut parts, mut curves) = (1, 0);
    if k != Kind::MultiPoint {
        parts = b.varuint("the number of parts")?;
        if code & CURVE_FLAG != 0 {
            curves = b.varuint("the number of curves")?;
        }
    }
    let what = "the envelope";
    let (xmin, ymin) = (b.varuint(what)?, b.varuint(what)?);
    let (dx, dy) = (b.varuint(what)?, b.varuint(what)?);
    let (Some(xmax), Some(ymax)) = (xmin.checked_add(dx), ymin.checked_add(dy)) else {
        return Err("has an envelope beyond the coordinate grid: the table is damaged".into());
    };
    Ok(Some(Head {
        points,
        parts,
        curves,
        bounds: [xmin, ymin, xmax, ymax],
    }))
}

/// The box a row's shape says it covers, read without decoding its points, for the box
/// filter: for a point the point; for other shapes the stored envelope, widened by one grid
/// step on each side (so it holds every point [`decode`] accepts: see there). `None` for a
/// null or empty shape (always kept). Errors are phrases about the shape.
pub(crate) fn envelope(blob: &[u8], grid: &Grid) -> Result<Option<Rect<f64>>, String> {
    let mut b = Bytes::new(blob);
    let code = b.varuint("the shape type")?;
    match kind(code)? {
        Kind::Null => Ok(None),
        Kind::Point => Ok(point(&mut b, grid)?.map(|c| Rect::new(c, c))),
        k => Ok(head(&mut b, code, k)?.map(|h| {
            let [x0, y0, x1, y1] = h.bounds;
            let [x0, y0, x1, y1] = [x0, y0, x1, y1].map(i128::from);
            Rect::new(
                Coord {
                    x: grid.x(x0 - 1),
                    y: grid.y(y0 - 1),
                },
                Coord {
                    x: grid.x(x1 + 1),
                    y: grid.y(y1 + 1),
                },
            )
        })),
    }
}

/// A point's coordinates; `None` for an empty point.
fn point(b: &mut Bytes<'_>, grid: &Grid) -> Result<Option<Coord<f64>>, String> {
    let x = b.varuint("the point's x")?;
    let y = b.varuint("the point's y")?;
    if x == 0 || y == 0 {
        return Ok(None);
    }
    Ok(Some(Coord {
        x: grid.x(i128::from(x) - 1),
        y: grid.y(i128::from(y) - 1),
    }))
}

/// Decodes a shape blob. `None` for a null shape or an empty point; an empty multipoint,
/// polyline or polygon is an empty `MultiPoint`, `MultiLineString` or `MultiPolygon`.
///
/// Each point must lie in the envelope the shape stores, give or take one grid step: the box
/// filter trusts that envelope, so a shape that breaks it is reported as damaged rather than
/// risk being left out wrongly.
pub(crate) fn decode(blob: &[u8], grid: &Grid) -> Result<Option<Geometry<f64>>, String> {
    let mut b = Bytes::new(blob);
    let code = b.varuint("the shape type")?;
    let k = kind(code)?;
    match k {
        Kind::Null => return Ok(None),
        Kind::Point => {
            return match point(&mut b, grid)? {
                None => Ok(None),
                Some(c) => {
                    check_finite(&[c])?;
                    Ok(Some(Geometry::Point(Point(c))))
                }
            }
        }
        _ => {}
    }
    let Some(h) = head(&mut b, code, k)? else {
        return Ok(Some(match k {
            Kind::MultiPoint => Geometry::MultiPoint(MultiPoint(vec![])),
            Kind::Polyline => plain_lines(vec![])?,
            _ => plain_polygons(vec![])?,
        }));
    };
    // Every point takes at least two bytes, every part count one: a count beyond what is left
    // of the blob is damage (and would make a huge allocation).
    let left = b.remaining() as u64;
    if h.points > left / 2 || h.parts > left {
        return Err(format!(
            "claims {} points in {} parts but holds only {left} more bytes: the table is damaged",
            h.points, h.parts
        ));
    }
    if h.parts == 0 {
        return Err(format!(
            "has {} points in no part: the table is damaged",
            h.points
        ));
    }
    let mut counts = Vec::with_capacity(h.parts as usize);
    let mut sum: u64 = 0;
    for _ in 1..h.parts {
        let n = b.varuint("the number of points of a part")?;
        sum = sum.saturating_add(n);
        counts.push(n);
    }
    if sum > h.points {
        return Err(format!(
            "has parts of {sum} points in all, more than its {} points: the table is damaged",
            h.points
        ));
    }
    counts.push(h.points - sum);
    let [x0, y0, x1, y1] = h.bounds.map(i128::from);
    let (mut xi, mut yi) = (0i64, 0i64);
    let mut parts: Vec<Vec<Coord<f64>>> = Vec::with_capacity(counts.len());
    for &n in &counts {
        let mut part = Vec::with_capacity(n as usize + 1);
        for _ in 0..n {
            let dx = b.varint("a point")?;
            let dy = b.varint("a point")?;
            let (Some(x), Some(y)) = (xi.checked_add(dx), yi.checked_add(dy)) else {
                return Err("has a point beyond the coordinate grid: the table is damaged".into());
            };
            (xi, yi) = (x, y);
            let (x, y) = (i128::from(x), i128::from(y));
            if x < x0 - 1 || x > x1 + 1 || y < y0 - 1 || y > y1 + 1 {
                return Err(format!(
                    "has a point at ({}, {}) outside the envelope it stores ({} .. {}, {} .. {}): \
                     the table is damaged",
                    grid.x(x),
                    grid.y(y),
                    grid.x(x0),
                    grid.x(x1),
                    grid.y(y0),
                    grid.y(y1),
                ));
            }
            part.push(Coord {
                x: grid.x(x),
                y: grid.y(y),
            });
        }
        parts.push(part);
    }
    if h.curves > 0 {
        return Err(curves_error(&mut b, code, &counts, h.curves));
    }
    match k {
        Kind::MultiPoint => {
            let coords = parts.concat();
            check_finite(&coords)?;
            Ok(Some(Geometry::MultiPoint(MultiPoint(
                coords.into_iter().map(Point).collect(),
            ))))
        }
        Kind::Polyline => plain_lines(parts).map(Some),
        _ => plain_polygons(parts).map(Some),
    }
}

/// The refusal of a shape with curved segments, naming their kinds when the curve
/// descriptions (after the Z and M values) can be read.
fn curves_error(b: &mut Bytes<'_>, code: u64, counts: &[u64], curves: u64) -> String {
    let points: u64 = counts.iter().sum();
    let kinds = curve_kinds(b, code, points, curves).unwrap_or_default();
    let what = if kinds.is_empty() {
        String::new()
    } else {
        format!(" ({})", kinds.join(", "))
    };
    format!(
        "has {curves} curved segment{}{what}; tuban measures shapes made of straight segments \
         only and does not approximate curves silently: densify them first (ArcGIS: Densify; \
         GDAL: ogr2ogr -nlt CONVERT_TO_LINEAR) and read the result",
        if curves == 1 { "" } else { "s" }
    )
}

/// The names of the kinds of curved segments, skipping the Z and M values before them.
fn curve_kinds(b: &mut Bytes<'_>, code: u64, points: u64, curves: u64) -> Option<Vec<String>> {
    if code & Z_FLAG != 0 {
        for _ in 0..points {
            b.varint("z").ok()?;
        }
    }
    if code & M_FLAG != 0 {
        // A single 0x42 byte stands for "no M values".
        if b.take(1, "m").ok()? != [0x42] {
            return None; // M values present: not worth decoding for a message
        }
    }
    let mut names: Vec<String> = Vec::new();
    for _ in 0..curves.min(1000) {
        b.varuint("curve").ok()?;
        let t = b.varuint("curve").ok()?;
        let (name, size) = match t {
            1 => ("circular arc", 2 * 8 + 4),
            4 => ("Bézier curve", 4 * 8),
            5 => ("elliptic arc", 5 * 8 + 4),
            _ => return None,
        };
        b.take(size, "curve").ok()?;
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, LineString, Polygon};

    const GRID: Grid = Grid {
        x_origin: 0.0,
        y_origin: 0.0,
        scale: 1000.0,
    };

    fn varuint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn varint(v: i64, out: &mut Vec<u8>) {
        let mut m = v.unsigned_abs();
        let mut first = (m & 0x3F) as u8;
        if v < 0 {
            first |= 0x40;
        }
        m >>= 6;
        if m == 0 {
            out.push(first);
            return;
        }
        out.push(first | 0x80);
        varuint(m, out);
    }

    /// A polyline or polygon blob of `parts` (grid integers), type `code`.
    fn multipart(code: u64, parts: &[&[(i64, i64)]], curves: Option<u64>) -> Vec<u8> {
        multipart_in(code, parts, curves, None)
    }

    /// [`multipart`] with the envelope given (xmin, ymin, width, height) instead of computed.
    fn multipart_in(
        code: u64,
        parts: &[&[(i64, i64)]],
        curves: Option<u64>,
        envelope: Option<[u64; 4]>,
    ) -> Vec<u8> {
        let pts: Vec<(i64, i64)> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        let mut v = Vec::new();
        varuint(code, &mut v);
        varuint(pts.len() as u64, &mut v);
        varuint(parts.len() as u64, &mut v);
        if let Some(c) = curves {
            varuint(c, &mut v);
        }
        let xmin = pts.iter().map(|p| p.0).min().unwrap();
        let ymin = pts.iter().map(|p| p.1).min().unwrap();
        let xmax = pts.iter().map(|p| p.0).max().unwrap();
        let ymax = pts.iter().map(|p| p.1).max().unwrap();
        let computed = [xmin, ymin, xmax - xmin, ymax - ymin].map(|n| n as u64);
        for n in envelope.unwrap_or(computed) {
            varuint(n, &mut v);
        }
        for p in &parts[..parts.len() - 1] {
            varuint(p.len() as u64, &mut v);
        }
        let (mut x, mut y) = (0, 0);
        for (px, py) in pts {
            varint(px - x, &mut v);
            varint(py - y, &mut v);
            (x, y) = (px, py);
        }
        v
    }

    fn square(x: i64, y: i64, s: i64) -> Vec<(i64, i64)> {
        // Clockwise: an outer ring.
        vec![(x, y), (x, y + s), (x + s, y + s), (x + s, y), (x, y)]
    }

    #[test]
    fn points_are_stored_plus_one() {
        let mut v = Vec::new();
        varuint(1, &mut v);
        varuint(601_234_568, &mut v); // 601234.567 + one step
        varuint(3_304_000_001, &mut v);
        let g = decode(&v, &GRID).unwrap().unwrap();
        assert_eq!(g, Geometry::Point(Point::new(601_234.567, 3_304_000.0)));
        let r = envelope(&v, &GRID).unwrap().unwrap();
        assert_eq!(r.min(), coord! {x: 601_234.567, y: 3_304_000.0});
        // 0 is an empty point: no geometry, no envelope.
        let empty = [1u8, 0, 0];
        assert_eq!(decode(&empty, &GRID), Ok(None));
        assert_eq!(envelope(&empty, &GRID), Ok(None));
    }

    #[test]
    fn polygon_rings_run_on_across_parts_and_holes_find_their_shell() {
        // A 10 m square with a 2 m hole (written counter-clockwise, after it), 1 mm grid.
        let outer = square(0, 0, 10_000);
        let mut hole = square(4_000, 4_000, 2_000);
        hole.reverse();
        let blob = multipart(5, &[&outer, &hole], None);
        let g = decode(&blob, &GRID).unwrap().unwrap();
        let ring = |pts: &[(i64, i64)]| {
            LineString::from(
                pts.iter()
                    .map(|&(x, y)| (x as f64 / 1000.0, y as f64 / 1000.0))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            g,
            Geometry::Polygon(Polygon::new(ring(&outer), vec![ring(&hole)]))
        );
        // The general polygon code (51) with the curve flag but no curve reads the same.
        let general = multipart(51 | CURVE_FLAG, &[&outer, &hole], Some(0));
        assert_eq!(decode(&general, &GRID).unwrap().unwrap(), g);
        let r = envelope(&blob, &GRID).unwrap().unwrap();
        assert_eq!(r.min(), coord! {x: -0.001, y: -0.001});
        assert_eq!(r.max(), coord! {x: 10.001, y: 10.001});
    }

    #[test]
    fn lines_and_multipoints() {
        let blob = multipart(3, &[&[(0, 0), (1000, 0)], &[(0, 5000), (2000, 5000)]], None);
        match decode(&blob, &GRID).unwrap().unwrap() {
            Geometry::MultiLineString(m) => {
                assert_eq!(m.0.len(), 2);
                assert_eq!(m.0[1].0[1], coord! {x: 2.0, y: 5.0});
            }
            other => panic!("{other:?}"),
        }
        let mut v = Vec::new();
        varuint(8, &mut v);
        varuint(2, &mut v);
        for n in [0u64, 0, 3000, 1000] {
            varuint(n, &mut v);
        }
        varint(3000, &mut v);
        varint(0, &mut v);
        varint(-3000, &mut v);
        varint(1000, &mut v);
        assert_eq!(
            decode(&v, &GRID).unwrap().unwrap(),
            Geometry::MultiPoint(MultiPoint(vec![Point::new(3.0, 0.0), Point::new(0.0, 1.0)]))
        );
    }

    #[test]
    fn curves_are_refused_naming_their_kind() {
        let mut blob = multipart(51 | CURVE_FLAG, &[&square(0, 0, 10_000)], Some(1));
        varuint(0, &mut blob); // the curve starts at point 0
        varuint(1, &mut blob); // a circular arc
        blob.extend([0u8; 20]);
        let e = decode(&blob, &GRID).unwrap_err();
        assert!(e.starts_with("has 1 curved segment (circular arc);"), "{e}");
        assert!(e.contains("CONVERT_TO_LINEAR"), "{e}");
    }

    #[test]
    fn damage_is_reported() {
        let blob = multipart(5, &[&square(0, 0, 10_000)], None);
        for cut in 1..blob.len() {
            assert!(decode(&blob[..cut], &GRID).is_err(), "cut at {cut}");
        }
        // A point one step outside the stored envelope is tolerated (the filter widens the
        // envelope by as much), two steps are damage.
        let near = multipart_in(
            5,
            &[&square(0, 0, 10_000)],
            None,
            Some([1, 0, 9_999, 10_000]),
        );
        assert!(decode(&near, &GRID).is_ok());
        let far = multipart_in(
            5,
            &[&square(0, 0, 10_000)],
            None,
            Some([2, 0, 9_998, 10_000]),
        );
        let e = decode(&far, &GRID).unwrap_err();
        assert!(e.contains("outside the envelope it stores"), "{e}");
        assert!(decode(&[32], &GRID).unwrap_err().contains("MultiPatch"));
        assert!(decode(&[7], &GRID).unwrap_err().contains("shape type 7"));
    }
}
