//! GeoPackage geometry blobs: the `GP` header, then a WKB geometry.
//!
//! Hand-written rather than taken from a crate: the header is eight bytes and an envelope, and
//! the WKB tuban reads is six geometry types; what a crate would not give is the part that
//! matters here: errors that say what is wrong in words a land official can act on (a curve
//! type refused by name, a ring too short, a count larger than the blob), Z and M values noticed
//! and dropped, every coordinate checked finite, and no allocation larger than the blob itself
//! whatever its counts claim (the fuzz target `gpkg` feeds this module arbitrary bytes).
//!
//! The layout (GeoPackage 1.3, clause 2.1.3 "Geometry Encoding"):
//!
//! ```text
//! 0..2   magic "GP"
//! 2      version: 0 (version 1)
//! 3      flags: bit 0 byte order of srs_id and envelope (1 little endian), bits 1-3 the
//!        envelope's contents (0 none, 1 xy, 2 xyz, 3 xym, 4 xyzm), bit 4 empty geometry,
//!        bit 5 extended blob (a user-defined geometry encoding), bits 6-7 reserved
//! 4..8   srs_id
//! 8..    the envelope: min x, max x, min y, max y [, min z, max z] [, min m, max m] (f64)
//! then   the geometry as ISO WKB (each geometry with its own byte-order mark), or, in an
//!        extended blob, a four-byte extension code and bytes only that extension reads
//! ```
//!
//! WKB type codes are read in both conventions: ISO (1000 + code for Z, 2000 + for M, 3000 +
//! for ZM), as GeoPackage prescribes, and the high-bit flags of older GDAL versions
//! (0x80000000 Z, 0x40000000 M).

use geo::{
    coord, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
    Rect,
};

/// What the `GP` header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The SRS id stored in the blob.
    pub srs_id: i32,
    /// The x/y part of the envelope, when the blob holds one and it is made of finite numbers
    /// with min ≤ max.
    pub envelope: Option<Rect<f64>>,
    /// The header's "empty geometry" flag.
    pub empty: bool,
    /// Where the WKB starts.
    pub wkb_at: usize,
}

/// Reads the `GP` header of a GeoPackage geometry blob. Errors are phrased to follow "the
/// geometry ..." (the caller names the file, the table and the feature).
pub fn header(blob: &[u8]) -> Result<Header, String> {
    if blob.len() < 8 {
        return Err(format!(
            "holds {} bytes, too few for a GeoPackage geometry (its header alone is 8 bytes): \
             the value is damaged; export the layer again",
            blob.len()
        ));
    }
    if &blob[..2] != b"GP" {
        let what = match blob[0] {
            0 | 1 => {
                " (it looks like plain WKB, or a SpatiaLite geometry, written by a tool that \
                       does not follow the GeoPackage format)"
            }
            _ => "",
        };
        return Err(format!(
            "does not start with the GeoPackage geometry mark \"GP\" (it starts with bytes \
             {:02X} {:02X}){what}; export the layer again with QGIS or ogr2ogr",
            blob[0], blob[1]
        ));
    }
    if blob[2] != 0 {
        return Err(format!(
            "has GeoPackage geometry version {} in its header; tuban reads version 1 (stored as \
             0), the only one the GeoPackage standard defines: export the layer again",
            blob[2]
        ));
    }
    let flags = blob[3];
    if flags & 0xC0 != 0 {
        return Err(format!(
            "has reserved header flags set (flags byte 0x{flags:02X}): the value is damaged; \
             export the layer again"
        ));
    }
    let little = flags & 1 == 1;
    let doubles = match (flags >> 1) & 7 {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        n => {
            return Err(format!(
                "has envelope code {n} in its header flags (0x{flags:02X}); only 0 to 4 exist: \
                 the value is damaged; export the layer again"
            ))
        }
    };
    let empty = flags & 0x10 != 0;
    let extended = flags & 0x20 != 0;
    let wkb_at = 8 + 8 * doubles;
    if blob.len() < wkb_at {
        return Err(format!(
            "is cut short: its header announces an envelope of {doubles} numbers ({wkb_at} bytes \
             with the header) but the value holds only {} bytes; export the layer again",
            blob.len()
        ));
    }
    let i32_at = |at: usize| {
        let b: [u8; 4] = blob[at..at + 4].try_into().expect("4 bytes");
        if little {
            i32::from_le_bytes(b)
        } else {
            i32::from_be_bytes(b)
        }
    };
    let f64_at = |at: usize| {
        let b: [u8; 8] = blob[at..at + 8].try_into().expect("8 bytes");
        if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        }
    };
    if extended {
        let code = blob
            .get(wkb_at..wkb_at + 4)
            .map(|c| {
                let shown: String = c
                    .iter()
                    .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
                    .collect();
                format!(" (extension code \"{shown}\")")
            })
            .unwrap_or_default();
        return Err(format!(
            "is an extended GeoPackage geometry{code}: a user-defined encoding that only the \
             program that wrote it reads; convert the layer to standard geometries (Polygon, \
             MultiPolygon, LineString, Point, ...) in that program and export it again"
        ));
    }
    let envelope = (doubles > 0)
        .then(|| {
            let (x0, x1, y0, y1) = (f64_at(8), f64_at(16), f64_at(24), f64_at(32));
            let sound = [x0, x1, y0, y1].iter().all(|v| v.is_finite()) && x0 <= x1 && y0 <= y1;
            sound.then(|| Rect::new(coord! {x: x0, y: y0}, coord! {x: x1, y: y1}))
        })
        .flatten();
    Ok(Header {
        srs_id: i32_at(4),
        envelope,
        empty,
        wkb_at,
    })
}

/// A decoded geometry and what was dropped from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The geometry in 2D; `None` for an empty point (a geometry type tuban cannot hold
    /// empty).
    pub geometry: Option<Geometry<f64>>,
    /// The WKB type, for messages: `Point`, `MultiPolygon`, ...
    pub kind: Kind,
    /// The geometry had Z values (dropped).
    pub z: bool,
    /// The geometry had M values (dropped).
    pub m: bool,
}

/// The six WKB geometry types tuban reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// WKB 1.
    Point,
    /// WKB 2.
    LineString,
    /// WKB 3.
    Polygon,
    /// WKB 4.
    MultiPoint,
    /// WKB 5.
    MultiLineString,
    /// WKB 6.
    MultiPolygon,
}

impl Kind {
    /// The name as GeoPackage writes it in `gpkg_geometry_columns` (upper case).
    pub fn sql_name(self) -> &'static str {
        match self {
            Kind::Point => "POINT",
            Kind::LineString => "LINESTRING",
            Kind::Polygon => "POLYGON",
            Kind::MultiPoint => "MULTIPOINT",
            Kind::MultiLineString => "MULTILINESTRING",
            Kind::MultiPolygon => "MULTIPOLYGON",
        }
    }

    /// 0 for points, 1 for lines, 2 for polygons.
    pub fn dimension(self) -> u8 {
        match self {
            Kind::Point | Kind::MultiPoint => 0,
            Kind::LineString | Kind::MultiLineString => 1,
            Kind::Polygon | Kind::MultiPolygon => 2,
        }
    }
}

/// Decodes a whole GeoPackage geometry blob: the header, then the WKB after it, which must fill
/// the rest of the blob exactly.
pub fn decode(blob: &[u8]) -> Result<(Header, Decoded), String> {
    let h = header(blob)?;
    let d = wkb(&blob[h.wkb_at..])?;
    Ok((h, d))
}

/// Decodes a WKB geometry that fills `bytes` exactly.
pub fn wkb(bytes: &[u8]) -> Result<Decoded, String> {
    let mut r = Reader {
        bytes,
        at: 0,
        z: false,
        m: false,
    };
    let (kind, geometry) = r.geometry(None)?;
    if r.at != bytes.len() {
        return Err(format!(
            "has {} bytes after the end of its {} (WKB): the value is damaged; export the layer \
             again",
            bytes.len() - r.at,
            name_of(kind)
        ));
    }
    Ok(Decoded {
        geometry,
        kind,
        z: r.z,
        m: r.m,
    })
}

fn name_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Point => "Point",
        Kind::LineString => "LineString",
        Kind::Polygon => "Polygon",
        Kind::MultiPoint => "MultiPoint",
        Kind::MultiLineString => "MultiLineString",
        Kind::MultiPolygon => "MultiPolygon",
    }
}

/// The geometry types of ISO WKB that tuban does not read, by code, with advice.
fn refused(code: u32) -> String {
    let name = match code {
        0 => "an untyped Geometry (code 0)",
        7 => "a GeometryCollection",
        8 => "a CircularString (a curve)",
        9 => "a CompoundCurve (a curve)",
        10 => "a CurvePolygon (a polygon with curved edges)",
        11 => "a MultiCurve (curves)",
        12 => "a MultiSurface (polygons that may have curved edges)",
        13 => "a Curve",
        14 => "a Surface",
        15 => "a PolyhedralSurface (a 3D surface)",
        16 => "a TIN (a 3D surface)",
        17 => "a Triangle",
        _ => {
            return format!(
            "has WKB geometry type code {code}, which is not a geometry type of the standard: the \
             value is damaged; export the layer again"
        )
        }
    };
    let advice = match code {
        8..=14 => {
            "; tuban measures straight-edged shapes only: turn the curves into straight segments \
             (QGIS: Vector > Geometry Tools > Segmentize; ogr2ogr -nlt CONVERT_TO_LINEAR) and \
             export again"
        }
        7 => {
            "; split it into features of one geometry type each (ogr2ogr -explodecollections) \
             and export again"
        }
        _ => "; tuban reads Point, LineString, Polygon and their Multi- forms: export the layer as one of those",
    };
    format!("is {name}, which tuban does not read{advice}")
}

/// Reads WKB from a byte slice, never past its end, never allocating more than it holds.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    z: bool,
    m: bool,
}

/// The byte order and coordinate width of one WKB geometry.
#[derive(Clone, Copy)]
struct Form {
    little: bool,
    /// Numbers per coordinate: 2, 3 or 4.
    width: usize,
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn cut_short(&self, what: &str) -> String {
        format!(
            "is cut short: the WKB ends ({} bytes in) inside {what}; the value is damaged or was \
             truncated; export the layer again",
            self.bytes.len()
        )
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], String> {
        if self.left() < n {
            return Err(self.cut_short(what));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn u32(&mut self, little: bool, what: &str) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4, what)?.try_into().expect("4 bytes");
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// A count of items each at least `min_bytes` long: larger than what is left is an error
    /// (so no count can make the reader allocate beyond the blob's size).
    fn count(&mut self, little: bool, min_bytes: usize, what: &str) -> Result<usize, String> {
        let n = self.u32(little, what)? as usize;
        if n.saturating_mul(min_bytes) > self.left() {
            return Err(format!(
                "is cut short: its WKB announces {n} {what} but only {} bytes follow; the value \
                 is damaged or was truncated; export the layer again",
                self.left()
            ));
        }
        Ok(n)
    }

    /// One coordinate, its x and y kept.
    fn coord(&mut self, f: Form) -> Result<Coord<f64>, String> {
        let bytes = self.take(8 * f.width, "a coordinate")?;
        let num = |i: usize| {
            let b: [u8; 8] = bytes[8 * i..8 * i + 8].try_into().expect("8 bytes");
            if f.little {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            }
        };
        Ok(coord! {x: num(0), y: num(1)})
    }

    /// `n` coordinates, each checked finite.
    fn coords(&mut self, f: Form, n: usize) -> Result<Vec<Coord<f64>>, String> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let c = self.coord(f)?;
            finite(c)?;
            out.push(c);
        }
        Ok(out)
    }

    /// The byte-order mark and type of the next geometry: its base code and form.
    fn start(&mut self) -> Result<(u32, Form), String> {
        let little = match self.take(1, "a geometry's byte-order mark")?[0] {
            0 => false,
            1 => true,
            b => {
                return Err(format!(
                    "has byte-order mark {b} in its WKB (only 0, big endian, and 1, little \
                     endian, exist): the value is damaged; export the layer again"
                ))
            }
        };
        let raw = self.u32(little, "a geometry's type")?;
        // Older GDAL and EWKB mark Z and M with the high bits; an SRID (0x20000000) has no
        // place in a GeoPackage blob, whose header holds the SRS.
        if raw & 0x2000_0000 != 0 {
            return Err(
                "holds extended WKB with an embedded SRID (PostGIS EWKB), which has no place in a \
                 GeoPackage geometry: the layer was written by a tool that does not follow the \
                 format; export it again with QGIS or ogr2ogr"
                    .into(),
            );
        }
        let mut z = raw & 0x8000_0000 != 0;
        let mut m = raw & 0x4000_0000 != 0;
        let code = raw & 0x0FFF_FFFF;
        match code / 1000 {
            0 => {}
            1 => z = true,
            2 => m = true,
            3 => (z, m) = (true, true),
            _ => return Err(refused(code)),
        }
        self.z |= z;
        self.m |= m;
        Ok((
            code % 1000,
            Form {
                little,
                width: 2 + usize::from(z) + usize::from(m),
            },
        ))
    }

    /// One geometry; `inside` is the Multi- type it belongs to, whose parts must be of one type.
    fn geometry(&mut self, inside: Option<Kind>) -> Result<(Kind, Option<Geometry<f64>>), String> {
        let (code, f) = self.start()?;
        let kind = match code {
            1 => Kind::Point,
            2 => Kind::LineString,
            3 => Kind::Polygon,
            4 => Kind::MultiPoint,
            5 => Kind::MultiLineString,
            6 => Kind::MultiPolygon,
            other => return Err(refused(other)),
        };
        if let Some(multi) = inside {
            let expected = match multi {
                Kind::MultiPoint => Kind::Point,
                Kind::MultiLineString => Kind::LineString,
                _ => Kind::Polygon,
            };
            if kind != expected {
                return Err(format!(
                    "is a {} holding a {} where each part must be a {}: the value is damaged; \
                     export the layer again",
                    name_of(multi),
                    name_of(kind),
                    name_of(expected)
                ));
            }
        }
        let g = match kind {
            Kind::Point => {
                let c = self.coord(f)?;
                // WKB writes an empty point as NaN coordinates.
                if c.x.is_nan() && c.y.is_nan() {
                    if inside.is_some() {
                        return Err("is a MultiPoint holding an empty point: the value is \
                                    damaged; export the layer again"
                            .into());
                    }
                    return Ok((kind, None));
                }
                finite(c)?;
                Some(Geometry::Point(Point(c)))
            }
            Kind::LineString => Some(Geometry::LineString(self.line(f)?)),
            Kind::Polygon => Some(Geometry::Polygon(self.polygon(f)?)),
            Kind::MultiPoint => {
                let n = self.count(f.little, 5 + 16, "points")?;
                let mut points = Vec::with_capacity(n);
                for _ in 0..n {
                    if let (_, Some(Geometry::Point(p))) = self.geometry(Some(kind))? {
                        points.push(p);
                    }
                }
                Some(Geometry::MultiPoint(MultiPoint(points)))
            }
            Kind::MultiLineString => {
                let n = self.count(f.little, 9, "lines")?;
                let mut lines = Vec::with_capacity(n);
                for _ in 0..n {
                    if let (_, Some(Geometry::LineString(l))) = self.geometry(Some(kind))? {
                        lines.push(l);
                    }
                }
                Some(Geometry::MultiLineString(MultiLineString(lines)))
            }
            Kind::MultiPolygon => {
                let n = self.count(f.little, 9, "polygons")?;
                let mut polygons = Vec::with_capacity(n);
                for _ in 0..n {
                    if let (_, Some(Geometry::Polygon(p))) = self.geometry(Some(kind))? {
                        polygons.push(p);
                    }
                }
                Some(Geometry::MultiPolygon(MultiPolygon(polygons)))
            }
        };
        Ok((kind, g))
    }

    fn line(&mut self, f: Form) -> Result<LineString<f64>, String> {
        let n = self.count(f.little, 16, "points in a line")?;
        if n == 1 {
            return Err(
                "has a line of 1 point (a line needs at least 2); fix the shape in a GIS \
                        and export again"
                    .into(),
            );
        }
        Ok(LineString(self.coords(f, n)?))
    }

    fn polygon(&mut self, f: Form) -> Result<Polygon<f64>, String> {
        let n = self.count(f.little, 4, "polygon rings")?;
        let mut rings = Vec::with_capacity(n);
        for i in 0..n {
            let written = self.count(f.little, 16, "points in a ring")?;
            let mut c = self.coords(f, written)?;
            if c.first() != c.last() {
                if let Some(&first) = c.first() {
                    c.push(first);
                }
            }
            if c.len() < 4 {
                return Err(format!(
                    "has polygon ring {} of {written} point{} (a ring needs at least 4: three \
                     corners and the first one repeated); fix the shape in a GIS and export again",
                    i + 1,
                    if written == 1 { "" } else { "s" }
                ));
            }
            rings.push(LineString(c));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(vec![]));
        Ok(Polygon::new(exterior, rings.collect()))
    }
}

fn finite(c: Coord<f64>) -> Result<(), String> {
    if c.x.is_finite() && c.y.is_finite() {
        Ok(())
    } else {
        Err(format!(
            "has a vertex at ({}, {}), which is not a finite coordinate; fix the shape in a GIS \
             and export again",
            c.x, c.y
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon};

    /// A GeoPackage blob: little-endian header with an xy envelope, then `wkb`.
    fn blob(flags: u8, envelope: &[f64], wkb: &[u8]) -> Vec<u8> {
        let mut b = b"GP\0".to_vec();
        b.push(flags);
        b.extend(4544i32.to_le_bytes());
        for v in envelope {
            b.extend(v.to_le_bytes());
        }
        b.extend(wkb);
        b
    }

    fn wkb_le(code: u32, body: &[f64], counts: &[u32]) -> Vec<u8> {
        let mut b = vec![1];
        b.extend(code.to_le_bytes());
        for c in counts {
            b.extend(c.to_le_bytes());
        }
        for v in body {
            b.extend(v.to_le_bytes());
        }
        b
    }

    #[test]
    fn point_little_and_big_endian() {
        let le = wkb_le(1, &[600000.5, 3303000.25], &[]);
        let d = wkb(&le).unwrap();
        assert_eq!(
            d.geometry,
            Some(Geometry::Point(point!(x: 600000.5, y: 3303000.25)))
        );
        let mut be = vec![0];
        be.extend(1u32.to_be_bytes());
        be.extend(600000.5f64.to_be_bytes());
        be.extend(3303000.25f64.to_be_bytes());
        assert_eq!(wkb(&be).unwrap(), d);
    }

    #[test]
    fn polygon_z_drops_z_and_says_so() {
        // ISO PolygonZ (1003): one ring of 4 points, x y z each.
        let ring = [0.0, 0.0, 5.0, 1.0, 0.0, 5.0, 1.0, 1.0, 5.0, 0.0, 0.0, 5.0];
        let d = wkb(&wkb_le(1003, &ring, &[1, 4])).unwrap();
        assert!(d.z && !d.m);
        assert_eq!(
            d.geometry,
            Some(Geometry::Polygon(
                polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)]
            ))
        );
        // The same with GDAL's old high-bit Z flag.
        let d2 = wkb(&wkb_le(0x8000_0003, &ring, &[1, 4])).unwrap();
        assert_eq!(d2, d);
    }

    #[test]
    fn header_envelope_and_flags() {
        let w = wkb_le(1, &[1.0, 2.0], &[]);
        let h = header(&blob(0b0000_0011, &[1.0, 1.0, 2.0, 2.0], &w)).unwrap();
        assert_eq!(h.wkb_at, 40);
        assert_eq!(h.srs_id, 4544);
        assert_eq!(
            h.envelope,
            Some(Rect::new(coord! {x: 1.0, y: 2.0}, coord! {x: 1.0, y: 2.0}))
        );
        // xyzm envelope: 8 doubles skipped.
        let h = header(&blob(0b0000_1001, &[0.0; 8], &w)).unwrap();
        assert_eq!(h.wkb_at, 8 + 64);
        // A big-endian header.
        let mut b = b"GP\0\x02".to_vec();
        b.extend(4490i32.to_be_bytes());
        for v in [1.0f64, 3.0, 2.0, 4.0] {
            b.extend(v.to_be_bytes());
        }
        let h = header(&b).unwrap();
        assert_eq!(h.srs_id, 4490);
        assert_eq!(
            h.envelope,
            Some(Rect::new(coord! {x: 1.0, y: 2.0}, coord! {x: 3.0, y: 4.0}))
        );
    }

    #[test]
    fn damaged_blobs_are_errors() {
        let w = wkb_le(3, &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0], &[1, 4]);
        let good = blob(1, &[], &w);
        assert!(decode(&good).is_ok());
        let cut = &good[..good.len() - 3];
        assert!(decode(cut).unwrap_err().contains("cut short"));
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(decode(&bad_magic).unwrap_err().contains("\"GP\""));
        let mut extended = good.clone();
        extended[3] |= 0x20;
        assert!(decode(&extended).unwrap_err().contains("extended"));
        let mut env7 = good.clone();
        env7[3] = 0b0000_1111;
        assert!(decode(&env7).unwrap_err().contains("envelope code 7"));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(decode(&trailing).unwrap_err().contains("after the end"));
        // A ring count of four billion cannot make the reader allocate.
        let huge = wkb_le(3, &[], &[u32::MAX]);
        assert!(wkb(&huge).unwrap_err().contains("announces 4294967295"));
    }

    #[test]
    fn curves_and_collections_are_refused_by_name() {
        let e = wkb(&wkb_le(10, &[], &[0])).unwrap_err();
        assert!(
            e.contains("CurvePolygon") && e.contains("Segmentize"),
            "{e}"
        );
        let e = wkb(&wkb_le(1012, &[], &[0])).unwrap_err();
        assert!(e.contains("MultiSurface"), "{e}");
        let e = wkb(&wkb_le(7, &[], &[0])).unwrap_err();
        assert!(e.contains("GeometryCollection"), "{e}");
    }

    #[test]
    fn empty_geometries() {
        let d = wkb(&wkb_le(1, &[f64::NAN, f64::NAN], &[])).unwrap();
        assert_eq!(d.geometry, None);
        let d = wkb(&wkb_le(6, &[], &[0])).unwrap();
        assert_eq!(
            d.geometry,
            Some(Geometry::MultiPolygon(MultiPolygon(vec![])))
        );
        let d = wkb(&wkb_le(3, &[], &[0])).unwrap();
        assert!(matches!(d.geometry, Some(Geometry::Polygon(p)) if p.exterior().0.is_empty()));
    }

    #[test]
    fn non_finite_vertex_is_an_error() {
        let e = wkb(&wkb_le(2, &[0.0, 0.0, f64::INFINITY, 1.0], &[2])).unwrap_err();
        assert!(e.contains("not a finite coordinate"), "{e}");
    }
}
