//! Reading any supported layer file, and summarising what was read.
//!
//! [`read_layer`] picks the reader by the file's extension: `.shp` (or no extension) →
//! [`crate::shp::read`], `.gpkg` → [`crate::gpkg::read`] (one table, [`ReadOptions::layer`]),
//! a `.gdb` folder → [`crate::filegdb::read`] (one feature class, [`ReadOptions::layer`]),
//! `.geojson` / `.json` → [`crate::geojson::read`], `.parquet` → [`crate::parquet`] (GeoParquet, WKB). [`LayerSummary`] is what `tuban inspect FILE`
//! shows; [`list_layers`] lists the layers of a file that holds several. [`read_layer_filtered`]
//! reads only part of a layer, as a [`Subset`] says: some attribute fields, the records whose
//! bounding box passes a test; [`read_layer_noted`] also says what the user should be told about
//! the read (Z values dropped, ...).
//!
//! ```no_run
//! use std::path::Path;
//! use tuban_io::read::{read_layer, LayerSummary, ReadOptions};
//!
//! let opts = ReadOptions { encoding: Some("GBK".into()), ..Default::default() };
//! let layer = read_layer(Path::new("data/DLTB.shp"), &opts)?;
//! println!("{}", LayerSummary::of(&layer));
//! # Ok::<(), tuban_io::error::ReadError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::Rect;
use serde::Serialize;
use tuban_core::layer::Layer;

use crate::error::ReadError;

/// What the caller can tell a reader beyond the path.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The text encoding of the attributes (e.g. `GBK`, `UTF-8`, `GB18030`, `936`), as the user
    /// said it. When given it **overrides** every signal in the files (the shapefile's `.cpg` and
    /// the `.dbf` language driver): the user has the last word. For GeoJSON, which is UTF-8 by
    /// definition, a non-UTF-8 encoding here makes the reader decode the file with it instead;
    /// likewise for a GeoPackage's text values.
    pub encoding: Option<String>,
    /// The layer's name; the file stem (a GeoPackage: the table's name) when `None`.
    pub name: Option<String>,
    /// Which layer of a file that holds several (a GeoPackage table, a File Geodatabase feature
    /// class), by name; `None` for a file that holds one (a GeoPackage of one feature table
    /// included). A file holding one layer (a shapefile,
    /// a GeoJSON file) accepts only its own name here. See [`split_layer`] for the command line's
    /// `FILE:LAYER` form.
    pub layer: Option<String>,
}

/// Splits the command line's `FILE:LAYER` form: `dltb.gpkg:DLTB` → (`dltb.gpkg`, `Some("DLTB")`).
/// Only a path whose part before the last `:` ends in `.gpkg` or `.gdb` (any case) is split, so
/// ordinary paths holding a colon are left whole.
///
/// ```
/// use std::path::Path;
/// use tuban_io::read::split_layer;
/// assert_eq!(split_layer("county.gdb:DLTB"), (Path::new("county.gdb").into(), Some("DLTB".into())));
/// assert_eq!(split_layer("a:b.shp"), (Path::new("a:b.shp").into(), None));
/// ```
pub fn split_layer(arg: &str) -> (PathBuf, Option<String>) {
    if let Some((file, layer)) = arg.rsplit_once(':') {
        let lower = file.to_ascii_lowercase();
        let multi = [".gpkg", ".gdb", ".gdb/"]
            .iter()
            .any(|e| lower.ends_with(e));
        if multi && !layer.is_empty() {
            return (PathBuf::from(file), Some(layer.to_string()));
        }
    }
    (PathBuf::from(arg), None)
}

/// A file that holds one layer refuses any other layer name than its own (its file stem).
fn single_layer(path: &Path, opts: &ReadOptions) -> Result<(), ReadError> {
    let Some(asked) = &opts.layer else {
        return Ok(());
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.eq_ignore_ascii_case(asked) {
        return Ok(());
    }
    Err(ReadError::NoSuchLayer {
        path: path.to_path_buf(),
        layer: Some(asked.clone()),
        available: vec![stem],
    })
}

/// Which part of a layer a reader keeps: [`read_layer_filtered`] and the readers' `read_filtered`
/// functions take one. The default keeps everything, exactly as [`read_layer`] reads.
///
/// The result is always the full layer with the other fields and records left out: the same
/// field kinds (for GeoJSON, still inferred from every feature), the same values, the same
/// geometries, and the original record numbers ([`Feature::record`](tuban_core::layer::Feature)).
///
/// These options are kept apart from [`ReadOptions`] because callers build that struct with every
/// field named; a new field there would break them.
///
/// ```no_run
/// use std::path::Path;
/// use geo::{coord, Rect};
/// use tuban_io::read::{read_layer_filtered, BoxFilter, ReadOptions, Subset};
///
/// // Only the land-use code, and only the polygons whose box meets the patches' extent.
/// let extent = Rect::new(coord! {x: 600_000.0, y: 3_300_000.0}, coord! {x: 610_000.0, y: 3_310_000.0});
/// let subset = Subset {
///     fields: Some(vec!["DLBM".into()]),
///     keep: Some(BoxFilter::meeting(extent)),
///     ..Default::default()
/// };
/// let (layer, filtered_out) =
///     read_layer_filtered(Path::new("data/DLTB.shp"), &ReadOptions::default(), &subset)?;
/// if layer.field_index("DLBM").is_none() {
///     eprintln!("DLTB.shp has no DLBM field");
/// }
/// println!("{} polygons kept, {filtered_out} outside", layer.features.len());
/// # Ok::<(), tuban_io::error::ReadError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Subset {
    /// When `Some`, the attribute fields to keep, by name, compared ASCII-case-insensitively with
    /// the `.dbf` field names, the GeoPackage column names or the GeoJSON property names. The layer keeps them in the file's
    /// order (not the order given here); a name the file lacks is simply not in
    /// [`Layer::fields`] (the caller says which of its fields are missing). Fields not kept are
    /// not decoded at all (only their names are, to be compared): a bad value in one (an
    /// impossible date, a number that does not parse, text not valid in the encoding), or a
    /// field type tuban does not read (a memo field), does not fail the layer. The kept fields
    /// are read and checked exactly as in a full read, with the same messages.
    /// `Some(vec![])` keeps no field. `None` (the default) keeps every field.
    pub fields: Option<Vec<String>>,
    /// When `Some`, a test on each record's bounding box, in the file's own coordinates: a record
    /// whose box fails is left out of the layer and counted in the number
    /// [`read_layer_filtered`] returns.
    ///
    /// * Shapefiles: the box is the one stored in the `.shp` record (for polygons, polylines and
    ///   multipoints; for points the point itself, as a box of no size), and it is tested before
    ///   anything else of the record is decoded: a record left out is not checked further (its
    ///   rings, its coordinates, its attribute values). Only the file's structure is still
    ///   checked (the record headers, the shape types, the `.dbf` deletion flags). Records marked
    ///   deleted are skipped as always and not counted as filtered out.
    /// * GeoPackage: the box is the envelope in the geometry's header, tested before the
    ///   geometry is decoded, or (no envelope, as for points) the bounding box of the decoded
    ///   geometry. With a filter that [grows](BoxFilter::grows) or has
    ///   [bounds](BoxFilter::within), the table's R-tree index is asked first, so features far
    ///   away are not even read (see [`crate::gpkg`]).
    /// * GeoJSON: the box is the bounding box of the feature's geometry, after it is read.
    /// * **Null shapes are kept** (as are empty shapes: a shapefile record with no points, a
    ///   GeoJSON geometry with no coordinates, a GeoPackage geometry that is NULL or empty),
    ///   whatever the test says: they have no box, and
    ///   the caller reports them. So is a shapefile record whose stored box is not finite
    ///   numbers (it is decoded, and its coordinates checked, as in a full read).
    pub keep: Option<BoxFilter>,
    /// Decode shapefile records one after the other even when the layer's `.shx` would allow
    /// decoding them in parallel. For tests and benchmarks: the result is the same.
    #[doc(hidden)]
    pub serial: bool,
}

impl Subset {
    /// Whether `name` is one of the fields to keep.
    pub(crate) fn keeps_field(&self, name: &str) -> bool {
        self.fields
            .as_ref()
            .is_none_or(|f| f.iter().any(|k| k.eq_ignore_ascii_case(name)))
    }
}

/// A test on a record's bounding box, for [`Subset::keep`]: `true` keeps the record. It may be
/// called from several threads at once, in any record order, and on boxes larger than the
/// records' own when it [grows](BoxFilter::grows).
///
/// ```
/// use geo::{coord, Rect};
/// use tuban_io::read::BoxFilter;
///
/// let area = Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 10.0, y: 10.0});
/// let f = BoxFilter::meeting(area);
/// assert!(f.keeps(&Rect::new(coord! {x: 10.0, y: 5.0}, coord! {x: 12.0, y: 6.0}))); // touches
/// assert!(!f.keeps(&Rect::new(coord! {x: 10.5, y: 5.0}, coord! {x: 12.0, y: 6.0})));
/// let east = BoxFilter::new(|r| r.min().x >= 5.0);
/// assert!(east.keeps(&Rect::new(coord! {x: 6.0, y: 0.0}, coord! {x: 7.0, y: 1.0})));
/// ```
#[derive(Clone)]
pub struct BoxFilter {
    test: Arc<BoxTest>,
    grows: bool,
    within: Option<Rect<f64>>,
}

/// The test a [`BoxFilter`] holds.
pub type BoxTest = dyn Fn(&Rect<f64>) -> bool + Send + Sync;

impl BoxFilter {
    /// A filter keeping the records for which `test` returns `true`.
    pub fn new(test: impl Fn(&Rect<f64>) -> bool + Send + Sync + 'static) -> Self {
        BoxFilter {
            test: Arc::new(test),
            grows: false,
            within: None,
        }
    }

    /// A filter keeping the records for which `test` returns `true`, where `test` promises to
    /// keep every box that contains a box it keeps ("meets this area", "meets one of these
    /// cells" do; "lies east of x = 5" does not). A reader with a spatial index (a GeoPackage's
    /// R-tree) may then test the index's boxes, which contain the records' own, and skip
    /// without reading them the records whose index box fails. The result is the same as with
    /// [`BoxFilter::new`]; a test that breaks the promise loses records.
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use tuban_io::read::BoxFilter;
    ///
    /// let f = BoxFilter::growing(|r| r.max().x >= 5.0);
    /// assert!(f.grows());
    /// assert!(f.keeps(&Rect::new(coord! {x: 4.0, y: 0.0}, coord! {x: 6.0, y: 1.0})));
    /// ```
    pub fn growing(test: impl Fn(&Rect<f64>) -> bool + Send + Sync + 'static) -> Self {
        BoxFilter {
            test: Arc::new(test),
            grows: true,
            within: None,
        }
    }

    /// A filter keeping the records whose box meets `area`: overlaps it, lies in it, holds it or
    /// touches its edge. It [grows](BoxFilter::grows), and keeps nothing outside `area`
    /// ([`BoxFilter::within`]).
    pub fn meeting(area: Rect<f64>) -> Self {
        let (lo, hi) = (area.min(), area.max());
        BoxFilter::growing(move |r| {
            r.min().x <= hi.x && r.max().x >= lo.x && r.min().y <= hi.y && r.max().y >= lo.y
        })
        .within(area)
    }

    /// The same filter, with the promise that its test keeps no box that does not meet `area`
    /// (its edge included). A reader with a spatial index (a GeoPackage's R-tree) may then ask
    /// the index for the records near `area` only, instead of testing every record. A test that
    /// breaks the promise loses records.
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use tuban_io::read::BoxFilter;
    ///
    /// let area = Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 10.0, y: 10.0});
    /// let f = BoxFilter::growing(|r| r.max().x >= 5.0 && r.min().x <= 10.0).within(area);
    /// assert_eq!(f.bounds(), Some(area));
    /// ```
    pub fn within(mut self, area: Rect<f64>) -> Self {
        self.within = Some(area);
        self
    }

    /// The area outside which the test keeps nothing, when the filter says one
    /// ([`BoxFilter::within`]).
    pub fn bounds(&self) -> Option<Rect<f64>> {
        self.within
    }

    /// Whether a record with bounding box `rect` is kept.
    pub fn keeps(&self, rect: &Rect<f64>) -> bool {
        (self.test)(rect)
    }

    /// Whether the test keeps every box that contains a box it keeps (made by
    /// [`BoxFilter::growing`] or [`BoxFilter::meeting`]).
    pub fn grows(&self) -> bool {
        self.grows
    }
}

impl From<Arc<BoxTest>> for BoxFilter {
    fn from(test: Arc<BoxTest>) -> Self {
        BoxFilter {
            test,
            grows: false,
            within: None,
        }
    }
}

impl fmt::Debug for BoxFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoxFilter(..)")
    }
}

/// Reads the layer at `path`, choosing the reader by the file's extension (case-insensitive):
/// `.shp` or none → ESRI shapefile (so do `.dbf`, `.shx`, `.prj` and `.cpg`, which name the same
/// shapefile), `.gpkg` → GeoPackage (the table [`ReadOptions::layer`] names, or the only one),
/// `.gdb` (a folder, with or without a trailing `/`) → File Geodatabase (the feature class
/// [`ReadOptions::layer`] names, or the only one), `.geojson` / `.json` → GeoJSON, `.parquet` →
/// GeoParquet (WKB geometry). Any other
/// extension gives [`ReadError::UnsupportedFormat`], which lists the supported formats.
pub fn read_layer(path: &Path, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_layer_filtered(path, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read_layer`], keeping only what `subset` says: returns the layer and the number of records
/// the box filter ([`Subset::keep`]) left out (0 without one). With [`Subset::default()`] this is
/// exactly [`read_layer`].
pub fn read_layer_filtered(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    read_layer_noted(path, opts, subset).map(|r| (r.layer, r.filtered_out))
}

/// What [`read_layer_noted`] returns.
#[derive(Debug, Clone)]
pub struct LayerRead {
    /// The layer, as [`read_layer_filtered`] returns it.
    pub layer: Layer,
    /// How many records the box filter left out.
    pub filtered_out: usize,
    /// What the user should be told about the read, one sentence each, naming the file: values
    /// the reader dropped (a GeoPackage's Z or M values), ... Empty for most files.
    pub notes: Vec<String>,
}

/// [`read_layer_filtered`], also returning what the user should be told about the read (see
/// [`LayerRead::notes`]).
pub fn read_layer_noted(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<LayerRead, ReadError> {
    let extension = extension(path);
    if extension == "gpkg" {
        let (layer, filtered_out, notes) = crate::gpkg::read_noted(path, opts, subset)?;
        return Ok(LayerRead {
            layer,
            filtered_out,
            notes,
        });
    }
    let (layer, filtered_out) = if extension == "gdb" {
        // A File Geodatabase is a folder; `x.gdb/` names it too.
        crate::filegdb::read_filtered(path, opts, subset)?
    } else {
        read_single(path, &extension, opts, subset)?
    };
    Ok(LayerRead {
        layer,
        filtered_out,
        notes: Vec::new(),
    })
}

/// The lower-case extension of `path`, empty if it has none.
fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The readers of files that hold one layer.
fn read_single(
    path: &Path,
    extension: &str,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    match extension {
        "shp" | "shx" | "dbf" | "prj" | "cpg" | "" => {
            single_layer(path, opts)?;
            crate::shp::read_filtered(path, opts, subset)
        }
        "geojson" | "json" => {
            single_layer(path, opts)?;
            crate::geojson::read_filtered(path, opts, subset)
        }
        "parquet" | "geoparquet" => {
            single_layer(path, opts)?;
            crate::parquet::read_filtered(path, opts, subset)
        }
        // "patches.v2" meant as "patches.v2.shp": let the shapefile reader look for it.
        _ if !path.exists() && sibling_with_extension(path, "shp").exists() => {
            single_layer(path, opts)?;
            crate::shp::read_filtered(path, opts, subset)
        }
        _ => Err(ReadError::UnsupportedFormat {
            path: path.to_path_buf(),
            extension: extension.to_string(),
        }),
    }
}

/// One layer of a file, as [`list_layers`] describes it without reading its features (for a
/// file that holds several: a GeoPackage's feature tables, a File Geodatabase's feature
/// classes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerInfo {
    /// The layer's name, as [`ReadOptions::layer`] takes it.
    pub name: String,
    /// Its geometry type as the file declares it, e.g. `MULTIPOLYGON`, `POINT Z` (GeoPackage
    /// names); for a file holding one layer, the types found, e.g. `Polygon, MultiPolygon`.
    pub geometry_type: String,
    /// How many features (records) it holds.
    pub feature_count: usize,
    /// Its CRS as the file states it ([`Layer::crs_text`] of the layer once read), `None` when
    /// the file states none.
    pub crs_text: Option<String>,
    /// What the user should know before reading it (e.g. Z values that will be dropped).
    pub notes: Vec<String>,
}

impl LayerInfo {
    /// The layers of `path` as a table, for `tuban inspect`:
    ///
    /// ```text
    /// data/county.gpkg holds 2 layers:
    ///   name    geometry      features  crs
    ///   DLTB    MULTIPOLYGON     98412  EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)
    ///   graves  POINT              311  EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)
    /// ```
    ///
    /// The CRS is shown as tuban recognises it; a text it does not recognise is shown as stated
    /// (cut at 60 characters).
    pub fn table(path: &Path, layers: &[LayerInfo]) -> String {
        let crs = |l: &LayerInfo| -> String {
            let Some(c) = l.crs_text.as_deref() else {
                return "no CRS stated".into();
            };
            if let Ok(known) = tuban_core::crs::Crs::from_user(c) {
                return known.to_string();
            }
            let one_line: String = c.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.chars().count() > 60 {
                let head: String = one_line.chars().take(60).collect();
                format!("not recognised: {head}…")
            } else {
                format!("not recognised: {one_line}")
            }
        };
        let w_name = layers
            .iter()
            .map(|l| display_width(&l.name))
            .chain([4])
            .max()
            .unwrap_or(4);
        let w_geom = layers
            .iter()
            .map(|l| l.geometry_type.len())
            .chain([8])
            .max()
            .unwrap_or(8);
        let w_count = layers
            .iter()
            .map(|l| l.feature_count.to_string().len())
            .chain([8])
            .max()
            .unwrap_or(8);
        let mut out = format!(
            "{} holds {} layer{}:\n  name{}  {:w_geom$}  {:>w_count$}  crs",
            path.display(),
            layers.len(),
            if layers.len() == 1 { "" } else { "s" },
            " ".repeat(w_name - 4),
            "geometry",
            "features"
        );
        for l in layers {
            out.push_str(&format!(
                "\n  {}{}  {:w_geom$}  {:>w_count$}  {}",
                l.name,
                " ".repeat(w_name - display_width(&l.name)),
                l.geometry_type,
                l.feature_count,
                crs(l)
            ));
            for n in &l.notes {
                out.push_str(&format!("\n    note: {n}"));
            }
        }
        out
    }
}

/// The CRS text the layer at `path` states, read without reading its features, as
/// [`Layer::crs_text`] will hold it: a GeoPackage table's (`EPSG:NNNN` or WKT, see
/// [`crate::gpkg`]; the table [`ReadOptions::layer`] names), a shapefile's `.prj`. `None` when
/// the file states none or the format tells it only once read (GeoJSON). A caller uses it to
/// decide, before reading, whether a box filter in another layer's coordinates applies.
pub fn stated_crs_text(path: &Path, opts: &ReadOptions) -> Result<Option<String>, ReadError> {
    match extension(path).as_str() {
        "gpkg" => crate::gpkg::crs_text(path, opts.layer.as_deref()),
        "gdb" => Ok(crate::filegdb::list_feature_classes(path)?
            .into_iter()
            .find(|fc| {
                opts.layer
                    .as_deref()
                    .is_none_or(|l| fc.name.eq_ignore_ascii_case(l))
            })
            .and_then(|fc| fc.crs_text)),
        "shp" | "" => Ok(crate::shp::find_companion(path, "prj")
            .and_then(|prj| std::fs::read_to_string(prj).ok())
            .map(|t| t.trim_start_matches('\u{feff}').trim().to_string())
            .filter(|t| !t.is_empty())),
        _ => Ok(None),
    }
}

/// Describes the layers of the file at `path` without reading their features where the format
/// allows: for a GeoPackage, each feature table. A file holding one layer (a shapefile, a
/// GeoJSON file) is read to describe its one layer, named after the file.
///
/// ```no_run
/// use std::path::Path;
/// use tuban_io::read::{list_layers, LayerInfo};
///
/// let path = Path::new("data/county.gpkg");
/// println!("{}", LayerInfo::table(path, &list_layers(path)?));
/// # Ok::<(), tuban_io::error::ReadError>(())
/// ```
pub fn list_layers(path: &Path) -> Result<Vec<LayerInfo>, ReadError> {
    let extension = extension(path);
    if extension == "gpkg" {
        return crate::gpkg::list(path);
    }
    if extension == "gdb" {
        return Ok(crate::filegdb::list_feature_classes(path)?
            .into_iter()
            .map(|fc| LayerInfo {
                name: fc.name,
                geometry_type: fc.geometry_type,
                feature_count: fc.count as usize,
                crs_text: fc.crs_text,
                notes: Vec::new(),
            })
            .collect());
    }
    let no_fields = Subset {
        fields: Some(vec![]),
        ..Default::default()
    };
    let (layer, _) = read_single(path, &extension, &ReadOptions::default(), &no_fields)?;
    let summary = LayerSummary::of(&layer);
    let mut types: Vec<String> = summary
        .geometry_types
        .iter()
        .map(|(t, _)| t.clone())
        .collect();
    if types.is_empty() {
        types.push("-".into());
    }
    Ok(vec![LayerInfo {
        name: layer.name,
        geometry_type: types.join(", "),
        feature_count: summary.feature_count,
        crs_text: layer.crs_text,
        notes: Vec::new(),
    }])
}

/// The encoding a user, a `.cpg` file or a code-page number names, with the label tuban shows for
/// it. Accepts (any case, surrounding blanks and a UTF-8 BOM ignored) `GBK`, `936`, `CP936`,
/// `GB2312`, `GB18030`, `UTF-8`, `UTF8`, `65001`, Windows code page numbers (`1252`, `CP1251`,
/// `ANSI 1251`, ...), `Big5`/`950`, `Shift_JIS`/`932`, `EUC-KR`/`949`, and every WHATWG label
/// (`windows-1252`, `latin1`, ...). Encodings that are not ASCII-compatible (UTF-16) are refused:
/// a `.dbf` cannot be in them.
pub(crate) fn encoding_by_name(name: &str) -> Option<(&'static encoding_rs::Encoding, String)> {
    use encoding_rs::*;
    let trimmed = name.trim_start_matches('\u{feff}').trim();
    let upper = trimmed.to_ascii_uppercase();
    let mut key = upper.as_str();
    for prefix in ["ANSI ", "ANSI_", "CP", "CP_", "MS", "WINDOWS-"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            if rest.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() {
                key = rest;
            }
        }
    }
    let known: Option<(&'static Encoding, &str)> = match key {
        "GBK" | "936" | "GB2312" | "GB_2312" | "GB-2312" | "X-GBK" | "EUC-CN" => Some((GBK, "GBK")),
        "GB18030" | "GB-18030" | "54936" => Some((GB18030, "GB18030")),
        "UTF-8" | "UTF8" | "65001" => Some((UTF_8, "UTF-8")),
        "BIG5" | "BIG-5" | "950" => Some((BIG5, "Big5")),
        "SHIFT_JIS" | "SHIFT-JIS" | "SJIS" | "932" => Some((SHIFT_JIS, "Shift_JIS")),
        "EUC-KR" | "949" => Some((EUC_KR, "EUC-KR")),
        "866" => Some((IBM866, "IBM866")),
        "874" => Some((WINDOWS_874, "windows-874")),
        "1250" => Some((WINDOWS_1250, "windows-1250")),
        "1251" => Some((WINDOWS_1251, "windows-1251")),
        "1252" => Some((WINDOWS_1252, "windows-1252")),
        "1253" => Some((WINDOWS_1253, "windows-1253")),
        "1254" => Some((WINDOWS_1254, "windows-1254")),
        "1255" => Some((WINDOWS_1255, "windows-1255")),
        "1256" => Some((WINDOWS_1256, "windows-1256")),
        "1257" => Some((WINDOWS_1257, "windows-1257")),
        "1258" => Some((WINDOWS_1258, "windows-1258")),
        _ => None,
    };
    let (enc, label) = match known {
        Some((enc, label)) => (enc, label.to_string()),
        None => {
            let enc = Encoding::for_label_no_replacement(trimmed.as_bytes())?;
            (enc, enc.name().to_string())
        }
    };
    (enc.is_ascii_compatible() && enc != UTF_16LE && enc != UTF_16BE).then_some((enc, label))
}

/// `dir/name.ext` for `dir/name`, keeping any dot already in `name`.
fn sibling_with_extension(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

mod summary;
use summary::display_width;
pub use summary::{Extent, LayerSummary};

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon, Geometry};
    use tuban_core::layer::Feature;
    use tuban_core::layer::{Field, FieldKind};

    #[test]
    fn summary_counts_types_and_extent() {
        let mut layer = Layer::new("t");
        layer.fields.push(Field::new("名称", FieldKind::Text));
        layer.features.push(Feature::new(
            1,
            Some(Geometry::Polygon(
                polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 3.0)],
            )),
            vec![],
        ));
        layer.features.push(Feature::new(
            2,
            Some(Geometry::LineString(
                line_string![(x: -1.0, y: 5.0), (x: 1.0, y: 6.0)],
            )),
            vec![],
        ));
        layer.features.push(Feature::new(3, None, vec![]));
        let s = LayerSummary::of(&layer);
        assert_eq!(
            s.geometry_types,
            vec![("LineString".to_string(), 1), ("Polygon".to_string(), 1)]
        );
        assert_eq!(
            s.extent,
            Some(Extent {
                min_x: -1.0,
                min_y: 0.0,
                max_x: 2.0,
                max_y: 6.0
            })
        );
        let text = s.to_string();
        assert!(
            text.contains("geometry   LineString 1, Polygon 1, none 1"),
            "{text}"
        );
        assert!(text.contains("  名称  text"), "{text}");
    }

    #[test]
    fn unknown_extension_lists_formats() {
        let e = read_layer(Path::new("x/a.tab"), &ReadOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains(".shp") && msg.contains(".gpkg") && msg.contains(".geojson"),
            "{msg}"
        );
    }
}
