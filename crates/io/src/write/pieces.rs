//! The obstacle layer shared by the map writers: each class's geometry inside each patch.
//!
//! A run keeps these geometries only when asked ([`tuban_core::overlay::OverlayOptions::keep_pieces`]);
//! they are in [`tuban_core::overlay::PatchResult::pieces`]. When no patch has any (the run did not
//! keep them, or nothing stands in the way anywhere), the obstacle layers are written **empty**:
//! a valid layer with its fields and no features, never a missing file.
//!
//! Every writer gives each piece the same attributes, in this order ([`PIECE_FIELDS`]):
//!
//! | field | meaning |
//! |---|---|
//! | `patch_id` | the patch the piece lies in |
//! | `village` | that patch's village |
//! | `class` | the obstacle class (`grave`, `forest`, `road`, `steep`, or a rules file's class) |
//! | `class_zh` | its Chinese name (墓地, 林地, 道路, 陡坡; other classes keep their name) |
//! | `area_m2`, `area_mu` | the piece's area by the run's method: the patch's `C_m2` / `C_mu` |
//!
//! A piece is the union of all of the class's obstacles inside the patch, so a patch has at most one
//! piece per class and the areas are exactly the patch's per-class columns.
//!
//! Formats with one layer per file (shapefile, GeoJSON) write the obstacle layer beside the
//! patches' file, named by [`pieces_path`]: `out/x.shp` → `out/x_obstacles.shp`. The GeoPackage
//! holds both layers.

use std::path::{Path, PathBuf};

use geo::orient::{Direction, Orient};
use geo::{BoundingRect, MultiPolygon, Rect};
use tuban_core::report::{Report, Unit};
use tuban_core::units::mu;
use tuban_core::verdict::class_zh;

/// The attribute names and kinds of the obstacle layer, in order.
pub const PIECE_FIELDS: [(&str, Unit); 6] = [
    ("patch_id", Unit::Text),
    ("village", Unit::Text),
    ("class", Unit::Text),
    ("class_zh", Unit::Text),
    ("area_m2", Unit::M2),
    ("area_mu", Unit::Mu),
];

/// One class's geometry inside one patch, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece<'a> {
    /// The patch's row in the report.
    pub row: usize,
    /// The class index in [`Report::classes`].
    pub class: usize,
    /// The patch's id.
    pub patch_id: &'a str,
    /// The patch's village.
    pub village: &'a str,
    /// The class name.
    pub class_name: &'a str,
    /// The class's Chinese name.
    pub class_zh: &'a str,
    /// The area by the run's method, m² (the patch's `C_m2`).
    pub area_m2: f64,
    /// The geometry in the report's CRS, exteriors counter-clockwise and holes clockwise (OGC and
    /// RFC 7946 winding; the shapefile writer reverses it).
    pub geometry: MultiPolygon<f64>,
}

impl Piece<'_> {
    /// The area in mu.
    pub fn area_mu(&self) -> f64 {
        mu(self.area_m2)
    }

    /// The value of field `k` of [`PIECE_FIELDS`]: `Ok(text)` or `Err(number)`.
    pub fn field(&self, k: usize) -> Result<&str, f64> {
        match k {
            0 => Ok(self.patch_id),
            1 => Ok(self.village),
            2 => Ok(self.class_name),
            3 => Ok(self.class_zh),
            4 => Err(self.area_m2),
            _ => Err(self.area_mu()),
        }
    }

    /// The bounding box of the geometry (`None` for an empty one, which [`pieces`] never yields).
    pub fn envelope(&self) -> Option<Rect<f64>> {
        self.geometry.bounding_rect()
    }
}

/// The pieces of every patch, in patch order and then class order; empty pieces and failed
/// patches are skipped.
pub fn pieces(report: &Report) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    for (row, r) in report.results.iter().enumerate() {
        if r.error.is_some() {
            continue;
        }
        let mut mine: Vec<&(usize, MultiPolygon<f64>)> =
            r.pieces.iter().filter(|(_, g)| !g.0.is_empty()).collect();
        mine.sort_by_key(|(c, _)| *c);
        for (c, g) in mine {
            let name = report.classes[*c].as_str();
            out.push(Piece {
                row,
                class: *c,
                patch_id: &report.patches[row].id,
                village: &report.patches[row].village,
                class_name: name,
                class_zh: class_zh(name),
                area_m2: r.class_m2[*c],
                geometry: g.orient(Direction::Default),
            });
        }
    }
    out
}

/// The obstacle layer's path beside the patches' one: `out/x.shp` → `out/x_obstacles.shp`
/// (the extension is kept as given).
///
/// ```
/// use std::path::Path;
/// use tuban_io::write::pieces::pieces_path;
/// assert_eq!(pieces_path(Path::new("out/x.shp")), Path::new("out/x_obstacles.shp"));
/// assert_eq!(pieces_path(Path::new("out/x.geojson")), Path::new("out/x_obstacles.geojson"));
/// ```
pub fn pieces_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(e) => format!("{stem}_obstacles.{}", e.to_string_lossy()),
        None => format!("{stem}_obstacles"),
    };
    path.with_file_name(name)
}
