//! Well-known binary (ISO WKB, little-endian) of the patches' multipolygons: the geometry of
//! GeoParquet's WKB column and the body of a GeoPackage geometry blob. Written here rather than
//! through a crate because tuban writes one geometry type and the encoding is twenty lines.

use geo::MultiPolygon;

/// Appends the little-endian ISO WKB of `mp` (type 6, MultiPolygon), rings as they are, to `b`.
pub fn write_multipolygon(b: &mut Vec<u8>, mp: &MultiPolygon<f64>) {
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            b.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
            for c in &ring.0 {
                b.extend_from_slice(&c.x.to_le_bytes());
                b.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
}

/// The little-endian ISO WKB of `mp` (type 6, MultiPolygon), rings as they are.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// let mp = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)]]);
/// let b = tuban_io::write::wkb::multipolygon(&mp);
/// // byte order, type 6, one polygon, byte order, type 3, one ring of four points, 4 × 16 bytes
/// assert_eq!(b.len(), 1 + 4 + 4 + 1 + 4 + 4 + 4 + 4 * 16);
/// assert_eq!(&b[..5], &[1, 6, 0, 0, 0]);
/// ```
pub fn multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let coords: usize =
        mp.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
    let mut b = Vec::with_capacity(9 + mp.0.len() * 13 + coords * 16);
    write_multipolygon(&mut b, mp);
    b
}
