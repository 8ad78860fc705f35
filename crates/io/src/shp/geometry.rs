//! Shapes to geometries: the plain 2D shape types read straight from the record's bytes, the Z
//! and M types through the `shapefile` crate, and polygon rings sorted into polygons (see
//! [Geometry](super#geometry)).

use geo::algorithm::coordinate_position::{coord_pos_relative_to_ring, CoordPos};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use shapefile::Shape;

use super::header::{le_i32, Family};

/// Checks the counts and the part table of a record against its length before the `shapefile`
/// crate allocates anything from them.
pub(super) fn check_sizes(buf: &[u8], fam: Family) -> Result<(), String> {
    let len = buf.len() as u64;
    let short = |need: u64| {
        format!(
            "the record is {len} bytes long but its content needs {need}: the .shp is damaged; \
             export the layer again"
        )
    };
    match fam {
        Family::Point => {
            if len < 20 {
                return Err(short(20));
            }
        }
        Family::MultiPoint => {
            if len < 40 {
                return Err(short(40));
            }
            let points = le_i32(buf, 36);
            let need = u64::try_from(points)
                .map_err(|_| format!("the record gives a negative number of points ({points})"))?
                * 16
                + 40;
            if need > len {
                return Err(short(need));
            }
        }
        Family::Line | Family::Polygon => {
            if len < 44 {
                return Err(short(44));
            }
            let (parts, points) = (le_i32(buf, 36), le_i32(buf, 40));
            let (Ok(nparts), Ok(npoints)) = (u64::try_from(parts), u64::try_from(points)) else {
                return Err(format!(
                    "the record gives a negative count ({parts} parts, {points} points): the .shp \
                     is damaged; export the layer again"
                ));
            };
            let need = 44 + 4 * nparts + 16 * npoints;
            if need > len {
                return Err(short(need));
            }
            if npoints > 0 && nparts == 0 {
                return Err(format!(
                    "the record has {npoints} points but no parts: the .shp is damaged; export \
                     the layer again"
                ));
            }
            let mut previous = 0i64;
            for k in 0..nparts as usize {
                let start = i64::from(le_i32(buf, 44 + 4 * k));
                let bad = if k == 0 {
                    start != 0
                } else {
                    start < previous || start > points as i64
                };
                if bad {
                    return Err(format!(
                        "the part table is damaged (part {} starts at point {start} of {points}); \
                         export the layer again",
                        k + 1
                    ));
                }
                previous = start;
            }
        }
        Family::Null | Family::MultiPatch => {}
    }
    Ok(())
}

/// x and y of any shapefile point type.
trait Xy {
    fn xy(&self) -> Coord<f64>;
}

impl Xy for shapefile::Point {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

impl Xy for shapefile::PointM {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

impl Xy for shapefile::PointZ {
    fn xy(&self) -> Coord<f64> {
        Coord {
            x: self.x,
            y: self.y,
        }
    }
}

fn coords<P: Xy>(points: Vec<P>) -> Result<Vec<Coord<f64>>, String> {
    let coords = xy(points);
    check_finite(&coords)?;
    Ok(coords)
}

/// An error for the first vertex of `coords` that is not a finite coordinate.
pub(crate) fn check_finite(coords: &[Coord<f64>]) -> Result<(), String> {
    if let Some(c) = coords
        .iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(format!(
            "has a vertex at ({}, {}), which is not a finite coordinate; fix the shape in a GIS \
             and export again",
            c.x, c.y
        ));
    }
    Ok(())
}

fn le_f64(buf: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
}

/// The x, y of `n` points stored one after the other from byte `at` (16 bytes each).
fn xy_run(buf: &[u8], at: usize, n: usize) -> Vec<Coord<f64>> {
    // One spare place: an unclosed ring gets its first point repeated without a new allocation.
    let mut out = Vec::with_capacity(n + 1);
    out.extend(buf[at..at + 16 * n].chunks_exact(16).map(|p| Coord {
        x: le_f64(p, 0),
        y: le_f64(p, 8),
    }));
    out
}

/// The geometry of a record of the plain (2D) shape types, read straight from its bytes, which
/// [`check_sizes`] has checked: the same geometry, and the same errors, as reading it with the
/// `shapefile` crate and [`convert`], without its intermediate copies. `None` for the other shape
/// types (Z and M, read with the crate).
pub(super) fn plain_shape(buf: &[u8], shape_type: i32) -> Option<Result<Geometry<f64>, String>> {
    let parts = |buf: &[u8]| -> Vec<Vec<Coord<f64>>> {
        let (nparts, npoints) = (le_i32(buf, 36) as usize, le_i32(buf, 40) as usize);
        let points_at = 44 + 4 * nparts;
        (0..nparts)
            .map(|k| {
                let start = le_i32(buf, 44 + 4 * k) as usize;
                let end = if k + 1 < nparts {
                    le_i32(buf, 44 + 4 * (k + 1)) as usize
                } else {
                    npoints
                };
                xy_run(buf, points_at + 16 * start, end - start)
            })
            .collect()
    };
    Some(match shape_type {
        1 => {
            let c = Coord {
                x: le_f64(buf, 4),
                y: le_f64(buf, 12),
            };
            check_finite(&[c]).map(|()| Geometry::Point(Point(c)))
        }
        8 => {
            let c = xy_run(buf, 40, le_i32(buf, 36) as usize);
            check_finite(&c)
                .map(|()| Geometry::MultiPoint(MultiPoint(c.into_iter().map(Point).collect())))
        }
        3 => plain_lines(parts(buf)),
        5 => plain_polygons(parts(buf)),
        _ => return None,
    })
}

/// Lines from their parts' vertices, each part checked in turn (finite coordinates, then at
/// least 2 points).
pub(crate) fn plain_lines(parts: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    let mut lines = Vec::with_capacity(parts.len());
    for (i, c) in parts.into_iter().enumerate() {
        check_finite(&c)?;
        if c.len() < 2 {
            return Err(format!(
                "line part {} has {} point{} (a line needs at least 2); fix the shape in a GIS \
                 and export again",
                i + 1,
                c.len(),
                if c.len() == 1 { "" } else { "s" }
            ));
        }
        lines.push(LineString(c));
    }
    Ok(if lines.len() == 1 {
        Geometry::LineString(lines.remove(0))
    } else {
        Geometry::MultiLineString(MultiLineString(lines))
    })
}

/// Polygons from their rings' vertices: every ring checked for finite coordinates, then the
/// rings sorted into polygons by [`assemble_polygons`].
pub(crate) fn plain_polygons(rings: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    for r in &rings {
        check_finite(r)?;
    }
    assemble_polygons(rings)
}

fn point<P: Xy>(p: P) -> Result<Geometry<f64>, String> {
    let mut c = coords(vec![p])?;
    Ok(Geometry::Point(Point(c.remove(0))))
}

fn multipoint<P: Xy>(points: Vec<P>) -> Result<Geometry<f64>, String> {
    Ok(Geometry::MultiPoint(MultiPoint(
        coords(points)?.into_iter().map(Point).collect(),
    )))
}

fn xy<P: Xy>(points: Vec<P>) -> Vec<Coord<f64>> {
    // `into_iter` lets the standard library reuse the points' allocation.
    points.into_iter().map(|p| p.xy()).collect()
}

fn lines<P: Xy>(parts: Vec<Vec<P>>) -> Result<Geometry<f64>, String> {
    plain_lines(parts.into_iter().map(xy).collect())
}

fn polygons<P: Xy>(rings: Vec<shapefile::PolygonRing<P>>) -> Result<Geometry<f64>, String> {
    plain_polygons(rings.into_iter().map(|r| xy(r.into_inner())).collect())
}

pub(super) fn convert(shape: Shape) -> Result<Option<Geometry<f64>>, String> {
    Ok(Some(match shape {
        Shape::NullShape => return Ok(None),
        Shape::Point(p) => point(p)?,
        Shape::PointM(p) => point(p)?,
        Shape::PointZ(p) => point(p)?,
        Shape::Multipoint(m) => multipoint(m.into_inner())?,
        Shape::MultipointM(m) => multipoint(m.into_inner())?,
        Shape::MultipointZ(m) => multipoint(m.into_inner())?,
        Shape::Polyline(l) => lines(l.into_inner())?,
        Shape::PolylineM(l) => lines(l.into_inner())?,
        Shape::PolylineZ(l) => lines(l.into_inner())?,
        Shape::Polygon(p) => polygons(p.into_inner())?,
        Shape::PolygonM(p) => polygons(p.into_inner())?,
        Shape::PolygonZ(p) => polygons(p.into_inner())?,
        Shape::Multipatch(_) => {
            return Err("is a MultiPatch shape (a 3D surface), which tuban does not read".into())
        }
    }))
}

/// Twice the signed area of a closed ring, positive when counter-clockwise. Coordinates are taken
/// relative to the first vertex so that Gauss-Kruger magnitudes (10⁶ m) lose no precision.
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    let Some(o) = ring.first() else { return 0.0 };
    ring.windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum()
}

/// Whether every vertex of `ring` lies on one straight line (exactly): such a ring covers
/// nothing.
fn collinear(ring: &[Coord<f64>]) -> bool {
    let Some(&o) = ring.first() else { return true };
    let Some(&d) = ring.iter().find(|c| **c != o) else {
        return true;
    };
    let d = d - o;
    ring.iter().all(|c| {
        let v = *c - o;
        d.x * v.y - d.y * v.x == 0.0
    })
}

/// Axis-aligned bounds of a ring: (min x, min y, max x, max y).
fn bounds(ring: &[Coord<f64>]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

fn bounds_contain(outer: &[f64; 4], inner: &[f64; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/// Whether ring `inner` lies inside ring `outer` (the first vertex not on `outer`'s boundary
/// decides; a ring entirely on the boundary counts as inside).
fn ring_inside(inner: &LineString<f64>, outer: &LineString<f64>) -> bool {
    for c in &inner.0 {
        match coord_pos_relative_to_ring(*c, outer) {
            CoordPos::Inside => return true,
            CoordPos::Outside => return false,
            CoordPos::OnBoundary => {}
        }
    }
    true
}

struct Shell {
    ring: LineString<f64>,
    area2: f64,
    bounds: [f64; 4],
    holes: Vec<LineString<f64>>,
}

/// Sorts shapefile polygon rings into polygons; see the module documentation.
fn assemble_polygons(rings: Vec<Vec<Coord<f64>>>) -> Result<Geometry<f64>, String> {
    let mut shells: Vec<Shell> = Vec::with_capacity(1);
    let mut holes: Vec<(LineString<f64>, [f64; 4])> = Vec::new();
    for (i, mut ring) in rings.into_iter().enumerate() {
        let written = ring.len();
        if ring.first() != ring.last() {
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
        }
        if ring.len() < 4 {
            return Err(format!(
                "polygon ring {} has {written} point{} (a ring needs at least 4: three corners \
                 and the first one repeated); fix the shape in a GIS and export again",
                i + 1,
                if written == 1 { "" } else { "s" }
            ));
        }
        let a2 = signed_area2(&ring);
        if a2 == 0.0 && collinear(&ring) {
            continue; // covers nothing
        }
        let b = bounds(&ring);
        // A ring whose signed area is 0 without being flat crosses itself (a bowtie with equal
        // lobes): it covers area, so it is kept, as an outer ring, for the validity check.
        if a2 <= 0.0 {
            shells.push(Shell {
                ring: LineString(ring),
                area2: -a2,
                bounds: b,
                holes: Vec::new(),
            });
        } else {
            holes.push((LineString(ring), b));
        }
    }
    let mut orphans = Vec::new();
    for (hole, hb) in holes {
        let mut best: Option<usize> = None;
        for (k, shell) in shells.iter().enumerate() {
            if bounds_contain(&shell.bounds, &hb)
                && best.is_none_or(|b| shell.area2 < shells[b].area2)
                && ring_inside(&hole, &shell.ring)
            {
                best = Some(k);
            }
        }
        match best {
            Some(k) => shells[k].holes.push(hole),
            None => orphans.push(hole),
        }
    }
    let mut polys: Vec<Polygon<f64>> = shells
        .into_iter()
        .map(|s| Polygon::new(s.ring, s.holes))
        .collect();
    polys.extend(orphans.into_iter().map(|r| Polygon::new(r, vec![])));
    Ok(if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(MultiPolygon(polys))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shp::header::family;
    use geo::coord;
    use shapefile::ReadableShape;
    use std::io::Cursor;

    fn square(x0: f64, y0: f64, s: f64, clockwise: bool) -> Vec<Coord<f64>> {
        let mut r = vec![
            coord! {x: x0, y: y0},
            coord! {x: x0 + s, y: y0},
            coord! {x: x0 + s, y: y0 + s},
            coord! {x: x0, y: y0 + s},
            coord! {x: x0, y: y0},
        ];
        if clockwise {
            r.reverse();
        }
        r
    }

    #[test]
    fn holes_go_to_the_smallest_containing_shell_wherever_they_are() {
        // shell A, shell B, hole in A (listed last), island in A's hole with its own hole.
        let rings = vec![
            square(0.0, 0.0, 10.0, true),
            square(20.0, 0.0, 5.0, true),
            square(2.0, 2.0, 6.0, false),
            square(3.0, 3.0, 4.0, true),
            square(4.0, 4.0, 1.0, false),
        ];
        let Geometry::MultiPolygon(mp) = assemble_polygons(rings).unwrap() else {
            panic!("expected a MultiPolygon")
        };
        assert_eq!(mp.0.len(), 3);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].interiors()[0].0[0], coord! {x: 2.0, y: 2.0});
        assert_eq!(mp.0[1].interiors().len(), 0);
        assert_eq!(mp.0[2].interiors().len(), 1);
    }

    #[test]
    fn a_lone_counter_clockwise_ring_is_an_outer_ring() {
        let g = assemble_polygons(vec![square(0.0, 0.0, 1.0, false)]).unwrap();
        assert!(matches!(g, Geometry::Polygon(p) if p.interiors().is_empty()));
    }

    #[test]
    fn short_rings_are_errors_and_flat_rings_are_dropped() {
        let e = assemble_polygons(vec![vec![coord! {x: 0.0, y: 0.0}, coord! {x: 1.0, y: 1.0}]])
            .unwrap_err();
        assert!(e.starts_with("polygon ring 1 has 2 points"), "{e}");
        let flat = vec![
            coord! {x: 0.0, y: 0.0},
            coord! {x: 1.0, y: 0.0},
            coord! {x: 2.0, y: 0.0},
            coord! {x: 0.0, y: 0.0},
        ];
        let g = assemble_polygons(vec![square(0.0, 0.0, 1.0, true), flat]).unwrap();
        assert!(matches!(g, Geometry::Polygon(_)));
    }

    /// A record's content (shape type onwards) with the given parts, as a writer lays it out.
    fn record(shape_type: i32, parts: &[&[(f64, f64)]]) -> Vec<u8> {
        let mut b = shape_type.to_le_bytes().to_vec();
        b.extend([0u8; 32]); // the box: not read when decoding
        let n: usize = parts.iter().map(|p| p.len()).sum();
        b.extend((parts.len() as i32).to_le_bytes());
        b.extend((n as i32).to_le_bytes());
        let mut start = 0;
        for p in parts {
            b.extend((start as i32).to_le_bytes());
            start += p.len();
        }
        for (x, y) in parts.iter().flat_map(|p| p.iter()) {
            b.extend(x.to_le_bytes());
            b.extend(y.to_le_bytes());
        }
        b
    }

    /// The geometry through the `shapefile` crate, as for Z and M shapes.
    fn via_crate(buf: &[u8]) -> Result<Option<Geometry<f64>>, String> {
        let shape =
            Shape::read_from(&mut Cursor::new(buf), buf.len() as i32).map_err(|e| e.to_string())?;
        convert(shape)
    }

    #[test]
    fn plain_shapes_read_as_the_shapefile_crate_reads_them() {
        let sq = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)];
        let hole = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8), (0.2, 0.2)];
        let open = [(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (6.0, 5.0)];
        let nan = [(0.0, 0.0), (f64::NAN, 1.0), (1.0, 1.0), (0.0, 0.0)];
        let short = [(0.0, 0.0), (1.0, 1.0)];
        let one = [(3.0, 4.0)];
        let cases: Vec<Vec<u8>> = vec![
            record(5, &[&sq]),
            record(5, &[&hole, &sq]),
            record(5, &[&sq, &hole, &open]),
            record(5, &[&sq, &nan]),
            record(5, &[&short]),
            record(5, &[&sq, &[]]),
            record(5, &[]),
            record(3, &[&sq]),
            record(3, &[&sq, &short, &open]),
            record(3, &[&one]),
            record(3, &[&sq, &nan]),
            record(3, &[]),
        ];
        let mut checked = 0;
        for buf in &cases {
            let fam = family(le_i32(buf, 0)).unwrap();
            check_sizes(buf, fam).unwrap();
            let plain = plain_shape(buf, le_i32(buf, 0)).unwrap().map(Some);
            assert_eq!(plain, via_crate(buf));
            checked += 1;
        }
        // Points and multipoints.
        for (t, pts) in [(8i32, &sq[..]), (8, &nan[..]), (8, &[][..])] {
            let mut b = t.to_le_bytes().to_vec();
            b.extend([0u8; 32]);
            b.extend((pts.len() as i32).to_le_bytes());
            for (x, y) in pts {
                b.extend(x.to_le_bytes());
                b.extend(y.to_le_bytes());
            }
            check_sizes(&b, Family::MultiPoint).unwrap();
            assert_eq!(plain_shape(&b, t).unwrap().map(Some), via_crate(&b));
            checked += 1;
        }
        for (x, y) in [(1.5f64, -2.0f64), (f64::INFINITY, 0.0)] {
            let mut b = 1i32.to_le_bytes().to_vec();
            b.extend(x.to_le_bytes());
            b.extend(y.to_le_bytes());
            assert_eq!(plain_shape(&b, 1).unwrap().map(Some), via_crate(&b));
            checked += 1;
        }
        assert_eq!(checked, 17);
        assert!(plain_shape(&record(15, &[&sq]), 15).is_none());
    }
}
