//! GeoPackage reader (`.gpkg`, OGC GeoPackage 1.0 to 1.4): one feature table of the file as a
//! [`Layer`].
//!
//! A GeoPackage is an SQLite database; it is opened read-only through SQLite itself (rusqlite,
//! SQLite built in, the same the `.gpkg` writer uses), so no system library is needed. The
//! geometry blobs (the `GP` header, then WKB) are decoded by hand in [`blob`], which says why.
//!
//! ```no_run
//! use std::path::Path;
//! use tuban_io::{gpkg, read::ReadOptions};
//!
//! let opts = ReadOptions { layer: Some("DLTB".into()), ..Default::default() };
//! let layer = gpkg::read(Path::new("data/county.gpkg"), &opts)?;
//! println!("{} features, CRS {:?}", layer.features.len(), layer.crs_text);
//! # Ok::<(), tuban_io::error::ReadError>(())
//! ```
//!
//! # Which table
//!
//! The feature tables are those `gpkg_contents` lists with `data_type` `features` and
//! `gpkg_geometry_columns` describes. [`ReadOptions::layer`] names one (exactly, else ignoring
//! ASCII letter case, as SQLite does); a file with one feature table needs no name. No name for
//! a file with several, or a name it lacks, is [`ReadError::NoSuchLayer`], which lists them.
//! [`list`] describes every table without reading its features. The layer's name is the
//! table's (or [`ReadOptions::name`]).
//!
//! # Geometry
//!
//! Point, LineString, Polygon, MultiPoint, MultiLineString and MultiPolygon, in 2D: Z and M
//! values are dropped, and [`read_noted`] says so. Rings are taken as written (the first is the
//! exterior, the others holes), closed if the writer did not repeat the first point; a ring of
//! fewer than 4 points, a line of 1 point, or a coordinate that is not a finite number is an
//! error naming the feature. A NULL geometry is `None`, as a null shape; an empty geometry (the
//! header's empty flag, or WKB without coordinates) is the empty geometry of its type (`None`
//! for an empty point). Curves (CircularString, CompoundCurve, CurvePolygon, MultiCurve,
//! MultiSurface), GeometryCollections and 3D surfaces are refused with an error naming the
//! feature and saying how to convert them. A geometry of another dimension than the column's
//! declared type (a point in a `MULTIPOLYGON` column), or whose header names another SRS than
//! the column's (0 and -1, undefined, are tolerated), is an error naming the feature; Polygon
//! and MultiPolygon (and Point/MultiPoint, LineString/MultiLineString) are accepted in each
//! other's columns, since GDAL writes shapefile layers that way.
//!
//! # Features
//!
//! Features come in the order of their feature id (the table's `INTEGER PRIMARY KEY`, `fid` in
//! files GDAL and QGIS write), which is also their [`Feature::record`](tuban_core::layer::Feature),
//! so record numbers in tuban's outputs are the ids QGIS shows (a table converted from a
//! shapefile by ogr2ogr numbers them from 1, as the shapefile's records). A table without such a
//! key (a view) numbers its features from 1 in the order SQLite gives them. A negative id is an
//! error.
//!
//! # Attributes
//!
//! | declared type                        | [`FieldKind`](tuban_core::layer::FieldKind) | value                                      |
//! |--------------------------------------|---------------|--------------------------------------------|
//! | `INTEGER`, `MEDIUMINT`, `SMALLINT`, `TINYINT`, `INT` | `Integer` | `Int`; a REAL value with a fraction is an error |
//! | `REAL`, `DOUBLE`, `FLOAT`, `NUMERIC` | `Float`       | `Float` (an integer value is converted)    |
//! | `TEXT`, `TEXT(n)`, `VARCHAR`         | `Text`        | `Text`; a number stored there is written out |
//! | `BOOLEAN`                            | `Bool`        | 0 → false, 1 → true                        |
//! | `DATE`                               | `Date`        | `Text("YYYY-MM-DD")`, checked as a date    |
//! | `DATETIME`                           | `Text`        | `Text`, as stored (ISO 8601)               |
//! | `BLOB`, no type                      | —             | error if the field is read                 |
//!
//! NULL is [`Value::Null`] in every field. SQLite lets a column hold a value of another kind
//! than declared; one that cannot be read as the column's kind (text in a `REAL` column) is an
//! error naming the table, the feature and the field, never a silent `Null`. The feature id and
//! the geometry column are not fields.
//!
//! Text is UTF-8, as the GeoPackage standard requires; bytes that are not valid UTF-8 are an
//! error suggesting `--encoding`. When [`ReadOptions::encoding`] names another encoding (for a
//! file a non-conforming tool filled with GBK bytes), text values are decoded with it instead.
//!
//! # CRS
//!
//! [`Layer::crs_text`] comes from the table's row of `gpkg_spatial_ref_sys`: `EPSG:NNNN` when
//! its `organization` is EPSG (so the CRS is recognised by its code, as a GeoJSON `crs` name
//! is, without the WKT), else its WKT `definition`, recognised as a `.prj` is. The undefined
//! systems (srs_id -1 and 0, or a definition of `undefined`) give `None`. An EPSG code and a WKT
//! definition that tuban both recognises and that disagree are an error: which one the
//! coordinates follow cannot be told.
//!
//! # Subsets
//!
//! [`read_filtered`] reads only the fields a [`Subset`] keeps (the others are not even fetched
//! from SQLite, so their values cannot fail the read) and only the features whose box passes
//! its filter. The box is the envelope in the geometry's header when there is one (GDAL writes
//! one for every geometry but points), tested before the WKB is decoded, else the bounding box
//! of the decoded geometry. NULL and empty geometries are always kept.
//!
//! When the table has the standard R-tree index (`rtree_<table>_<column>`, which QGIS, GDAL and
//! tuban's writer keep) and the filter says where it keeps nothing
//! ([`BoxFilter::within`](crate::read::BoxFilter::within), [`BoxFilter::meeting`]), the index
//! is asked for the features near that area only; when the filter's test keeps every box that
//! contains a box it keeps ([`BoxFilter::growing`](crate::read::BoxFilter::growing)), it is
//! also run on the index's boxes (which contain the features' own: SQLite rounds them outward
//! to 32-bit floats). Only the features the index keeps are fetched, by id: the rest of the
//! table is never read. The features the index does not hold (NULL and empty geometries) are
//! fetched as always; when the index holds as many features as the table's ids span, there are
//! none and the table is not scanned. The result is the same as without the index, as long as
//! the index is up to date (the standard's triggers keep it so; GDAL and QGIS trust it too).
//! On 506,573 land-use polygons with a box of 1% of their extent, the read took 0.03-0.08 s
//! through the index, 0.28-0.37 s scanning the table and 0.12-0.22 s from the shapefile
//! (`benches/gpkg_read.sh`, shared machine).
//!
//! [`BoxFilter::meeting`]: crate::read::BoxFilter::meeting

pub mod blob;
mod schema;

use std::path::Path;

use encoding_rs::Encoding;
use geo::{BoundingRect, Geometry, Rect};
use rusqlite::types::ValueRef;
use tuban_core::layer::{Feature, Field, Layer, Value};

use crate::error::ReadError;
use crate::read::{encoding_by_name, LayerInfo, ReadOptions, Subset};
use schema::{quote, Column, ColumnKind, Gpkg, Table};

/// Reads one feature table of the GeoPackage at `path` (see [`ReadOptions::layer`] and the
/// [module documentation](self)).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Layer, ReadError> {
    read_filtered(path, opts, &Subset::default()).map(|(layer, _)| layer)
}

/// [`read`], keeping only the fields and features `subset` says; also returns how many features
/// the box filter left out.
pub fn read_filtered(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    read_noted(path, opts, subset).map(|(layer, n, _)| (layer, n))
}

/// [`read_filtered`], also returning what the user should be told about the read (Z or M values
/// dropped), one sentence each.
pub fn read_noted(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize, Vec<String>), ReadError> {
    let db = Gpkg::open(path)?;
    let table = db.choose(opts.layer.as_deref())?;
    let columns = db.columns(&table)?;
    let crs_text = db.crs_text(&table)?;
    let text = TextDecoding::new(path, opts)?;

    let mut kept: Vec<&Column> = Vec::new();
    let mut kinds: Vec<ColumnKind> = Vec::new();
    for c in &columns.fields {
        if !subset.keeps_field(&c.name) {
            continue;
        }
        let kind = c.kind.clone().map_err(|why| {
            ReadError::invalid(
                path,
                format!(
                    "layer {}, field {} (declared {:?}) {why}",
                    table.name, c.name, c.declared
                ),
            )
        })?;
        kept.push(c);
        kinds.push(kind);
    }
    let fields: Vec<Field> = kept
        .iter()
        .zip(&kinds)
        .map(|(c, k)| Field::new(c.name.clone(), k.field_kind()))
        .collect();

    let mut reader = RowReader {
        path,
        table: &table,
        fields: &fields,
        kinds: &kinds,
        text: &text,
        subset,
        z: false,
        m: false,
        filtered_out: 0,
        features: Vec::new(),
    };
    let select = {
        let mut cols = vec![quote(&table.geometry_column)];
        cols.extend(kept.iter().map(|c| quote(&c.name)));
        cols.join(", ")
    };
    let from = quote(&table.name);
    let index = match (&subset.keep, &columns.fid) {
        (Some(keep), Some(_)) if keep.grows() || keep.bounds().is_some() => db.rtree(&table)?,
        _ => None,
    };
    match (&columns.fid, index) {
        (Some(fid), Some(rtree)) => read_through_index(&db, &mut reader, fid, &rtree, &select)?,
        (Some(fid), None) => {
            let sql = format!(
                "SELECT {}, {select} FROM {from} ORDER BY {}",
                quote(fid),
                quote(fid)
            );
            let mut stmt = db.conn.prepare(&sql).map_err(|e| db.sql(e))?;
            let mut rows = stmt.query([]).map_err(|e| db.sql(e))?;
            while let Some(row) = rows.next().map_err(|e| db.sql(e))? {
                let id: i64 = row.get(0).map_err(|e| db.sql(e))?;
                reader.row(id, row, 1)?;
            }
        }
        (None, _) => {
            let sql = format!("SELECT {select} FROM {from}");
            let mut stmt = db.conn.prepare(&sql).map_err(|e| db.sql(e))?;
            let mut rows = stmt.query([]).map_err(|e| db.sql(e))?;
            let mut n = 0;
            while let Some(row) = rows.next().map_err(|e| db.sql(e))? {
                n += 1;
                reader.row(n, row, 0)?;
            }
        }
    }

    let mut notes = Vec::new();
    let dropped = match (reader.z, reader.m) {
        (true, true) => Some("Z and M values"),
        (true, false) => Some("Z values (heights)"),
        (false, true) => Some("M values (measures)"),
        (false, false) => None,
    };
    if let Some(what) = dropped {
        notes.push(format!(
            "{}: layer {}: {what} dropped; tuban works in 2D (x and y)",
            path.display(),
            table.name
        ));
    }
    let (filtered_out, features) = (reader.filtered_out, reader.features);
    let layer = Layer {
        name: opts.name.clone().unwrap_or_else(|| table.name.clone()),
        source: Some(path.to_path_buf()),
        fields,
        features,
        crs_text,
        encoding: Some(text.label.clone()),
    };
    Ok((layer, filtered_out, notes))
}

/// The subset read through the R-tree: the index is asked for the features near the filter's
/// bounds (all of them without bounds), a growing filter tests their index boxes, and only the
/// features it keeps, and those the index does not hold (NULL and empty geometries), are
/// fetched, each by its id, in id order. The features the index does not hold are found
/// without reading the table when the index holds as many features as the table.
fn read_through_index(
    db: &Gpkg,
    reader: &mut RowReader<'_>,
    fid: &str,
    rtree: &str,
    select: &str,
) -> Result<(), ReadError> {
    let keep = reader.subset.keep.clone().expect("a box filter");
    let table = quote(&reader.table.name);
    let mut wanted: Vec<i64> = Vec::new();
    {
        let mut sql = format!("SELECT id, minx, maxx, miny, maxy FROM {}", quote(rtree));
        let mut bounds: Vec<f64> = Vec::new();
        if let Some(b) = keep.bounds() {
            sql.push_str(" WHERE maxx >= ?1 AND minx <= ?2 AND maxy >= ?3 AND miny <= ?4");
            // The index holds 32-bit floats rounded outward; the bounds are widened the same
            // way so that a box touching them is not lost to rounding.
            let down = |v: f64| (v as f32).next_down() as f64;
            let up = |v: f64| (v as f32).next_up() as f64;
            bounds = vec![
                down(b.min().x),
                up(b.max().x),
                down(b.min().y),
                up(b.max().y),
            ];
        }
        let mut stmt = db.conn.prepare(&sql).map_err(|e| db.sql(e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(bounds))
            .map_err(|e| db.sql(e))?;
        while let Some(row) = rows.next().map_err(|e| db.sql(e))? {
            let id: i64 = row.get(0).map_err(|e| db.sql(e))?;
            if keep.grows() {
                let get = |i| row.get::<_, f64>(i).map_err(|e| db.sql(e));
                let (x0, x1, y0, y1) = (get(1)?, get(2)?, get(3)?, get(4)?);
                let r = Rect::new(geo::coord! {x: x0, y: y0}, geo::coord! {x: x1, y: y1});
                if !keep.keeps(&r) {
                    continue;
                }
            }
            wanted.push(id);
        }
    }
    // How many features the index holds: its `_rowid` shadow table (SQLite 3.24 and later)
    // counts them without walking the tree.
    let shadow = format!("{rtree}_rowid");
    let counted = if db.has_table(&shadow)? {
        shadow
    } else {
        rtree.to_string()
    };
    let indexed: usize = db
        .conn
        .query_row(
            &format!("SELECT count(*) FROM {}", quote(&counted)),
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as usize)
        .map_err(|e| db.sql(e))?;
    // The table's size without reading it when its ids are dense (min..=max holds as many ids
    // as the index: every id is then a feature and in the index); else counted.
    // Two queries: SQLite finds a lone min() or max() of the key at one end of the table, but
    // reads the whole table for both in one query.
    let end = |f: &str| -> Result<Option<i64>, ReadError> {
        db.conn
            .query_row(
                &format!("SELECT {f}({}) FROM {table}", quote(fid)),
                [],
                |r| r.get(0),
            )
            .map_err(|e| db.sql(e))
    };
    let (lo, hi) = (end("min")?, end("max")?);
    let dense = match (lo, hi) {
        (Some(lo), Some(hi)) => {
            hi.checked_sub(lo).and_then(|d| usize::try_from(d).ok()) == indexed.checked_sub(1)
        }
        _ => indexed == 0,
    };
    let total = if dense {
        indexed
    } else {
        db.count(reader.table)?
    };
    if indexed != total {
        // Some features are not in the index (NULL or empty geometries): they are kept.
        let sql = format!(
            "SELECT {f} FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {} WHERE id = {table}.{f})",
            quote(rtree),
            f = quote(fid)
        );
        let mut stmt = db.conn.prepare(&sql).map_err(|e| db.sql(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(|e| db.sql(e))?;
        for id in rows {
            wanted.push(id.map_err(|e| db.sql(e))?);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let sql = format!("SELECT {select} FROM {table} WHERE {} = ?1", quote(fid));
    let mut one = db.conn.prepare(&sql).map_err(|e| db.sql(e))?;
    let mut fetched = 0;
    for id in wanted {
        let mut rows = one.query([id]).map_err(|e| db.sql(e))?;
        if let Some(row) = rows.next().map_err(|e| db.sql(e))? {
            fetched += 1;
            reader.row(id, row, 0)?;
        }
    }
    reader.filtered_out += total.saturating_sub(fetched);
    Ok(())
}

/// How text values are decoded: UTF-8, or the encoding the user named.
struct TextDecoding {
    /// `None`: UTF-8.
    encoding: Option<&'static Encoding>,
    label: String,
}

impl TextDecoding {
    fn new(path: &Path, opts: &ReadOptions) -> Result<TextDecoding, ReadError> {
        let Some(name) = &opts.encoding else {
            return Ok(TextDecoding {
                encoding: None,
                label: "UTF-8 (GeoPackage)".into(),
            });
        };
        let (enc, label) = encoding_by_name(name).ok_or_else(|| ReadError::Encoding {
            path: path.to_path_buf(),
            message: format!(
                "unknown text encoding {name:?} (given with --encoding); GeoPackage text is \
                 UTF-8: leave --encoding out"
            ),
        })?;
        Ok(if enc == encoding_rs::UTF_8 {
            TextDecoding {
                encoding: None,
                label: "UTF-8 (GeoPackage)".into(),
            }
        } else {
            TextDecoding {
                encoding: Some(enc),
                label: format!("{label} (given by the user)"),
            }
        })
    }

    fn decode(&self, bytes: &[u8]) -> Result<String, String> {
        match self.encoding {
            None => String::from_utf8(bytes.to_vec()).map_err(|_| {
                "holds text that is not valid UTF-8, as GeoPackage text must be; if the file \
                 was filled in another encoding, say it with --encoding (e.g. --encoding GBK)"
                    .to_string()
            }),
            Some(enc) => enc
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| s.into_owned())
                .ok_or_else(|| {
                    format!(
                        "holds text that is not valid {} (the encoding given with --encoding); \
                         check the encoding",
                        enc.name()
                    )
                }),
        }
    }
}

/// Turns rows into features.
struct RowReader<'a> {
    path: &'a Path,
    table: &'a Table,
    fields: &'a [Field],
    kinds: &'a [ColumnKind],
    text: &'a TextDecoding,
    subset: &'a Subset,
    z: bool,
    m: bool,
    filtered_out: usize,
    features: Vec<Feature>,
}

impl RowReader<'_> {
    fn error(&self, id: i64, field: Option<&str>, message: String) -> ReadError {
        ReadError::InLayer {
            path: self.path.to_path_buf(),
            layer: self.table.name.clone(),
            feature: id,
            field: field.map(String::from),
            message,
        }
    }

    /// One row: the geometry at column `at`, the kept fields after it.
    fn row(&mut self, id: i64, row: &rusqlite::Row<'_>, at: usize) -> Result<(), ReadError> {
        let geom = row
            .get_ref(at)
            .map_err(|e| schema::sql_error(self.path, e))?;
        let geometry = match geom {
            ValueRef::Null => None,
            ValueRef::Blob(b) => match self.geometry(id, b)? {
                Some(g) => g,
                None => {
                    self.filtered_out += 1;
                    return Ok(());
                }
            },
            other => {
                return Err(self.error(
                    id,
                    None,
                    format!(
                        "the geometry column {} holds {}, not a geometry: the GeoPackage is \
                         damaged; export the layer again",
                        self.table.geometry_column,
                        describe(other)
                    ),
                ))
            }
        };
        let record = usize::try_from(id).map_err(|_| {
            self.error(
                id,
                None,
                "has a negative feature id, which tuban cannot use as a record number; renumber \
                 the features (e.g. ogr2ogr without -preserve_fid) and export again"
                    .into(),
            )
        })?;
        let mut values = Vec::with_capacity(self.fields.len());
        for (k, (field, kind)) in self.fields.iter().zip(self.kinds).enumerate() {
            let v = row
                .get_ref(at + 1 + k)
                .map_err(|e| schema::sql_error(self.path, e))?;
            let value = self
                .value(v, *kind)
                .map_err(|why| self.error(id, Some(&field.name), why))?;
            values.push(value);
        }
        self.features.push(Feature::new(record, geometry, values));
        Ok(())
    }

    /// The geometry of a blob: `Ok(None)` when the box filter leaves the feature out.
    #[allow(clippy::type_complexity)]
    fn geometry(&mut self, id: i64, b: &[u8]) -> Result<Option<Option<Geometry<f64>>>, ReadError> {
        let err = |e: String| self.error(id, None, format!("the geometry {e}"));
        let h = blob::header(b).map_err(err)?;
        // Every geometry of a column is in the column's CRS (0 and -1, "undefined", are
        // tolerated: some writers leave them); another one would be silently misplaced.
        if h.srs_id > 0 && i64::from(h.srs_id) != self.table.srs_id {
            return Err(self.error(
                id,
                None,
                format!(
                    "the geometry says it is in srs_id {}, but the layer's geometry column is in \
                     srs_id {}: a GeoPackage column holds one CRS; reproject the feature (or \
                     export the layer again)",
                    h.srs_id, self.table.srs_id
                ),
            ));
        }
        let keep = self.subset.keep.as_ref();
        if let (Some(keep), Some(env), false) = (keep, h.envelope, h.empty) {
            if !keep.keeps(&env) {
                return Ok(None);
            }
        }
        let d = blob::wkb(&b[h.wkb_at..]).map_err(err)?;
        if let (Some(keep), None, false) = (keep, h.envelope, h.empty) {
            if let Some(r) = d.geometry.as_ref().and_then(|g| g.bounding_rect()) {
                if !keep.keeps(&r) {
                    return Ok(None);
                }
            }
        }
        self.z |= d.z;
        self.m |= d.m;
        let declared = self.table.geometry_type.as_str();
        if let Some(dim) = declared_dimension(declared) {
            if dim != d.kind.dimension() {
                return Err(self.error(
                    id,
                    None,
                    format!(
                        "holds a {} geometry, but the layer's geometry column {} is declared {}: \
                         the GeoPackage does not follow its own description; fix the feature or \
                         export the layer again",
                        d.kind.sql_name(),
                        self.table.geometry_column,
                        declared
                    ),
                ));
            }
        }
        Ok(Some(d.geometry))
    }

    fn value(&self, v: ValueRef<'_>, kind: ColumnKind) -> Result<Value, String> {
        if let ValueRef::Null = v {
            return Ok(Value::Null);
        }
        if let ValueRef::Blob(_) = v {
            return Err(
                "holds binary data (a BLOB) where the column's type says otherwise; \
                        fix the value in the attribute table"
                    .into(),
            );
        }
        match kind {
            ColumnKind::Integer => match v {
                ValueRef::Integer(i) => Ok(Value::Int(i)),
                ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Ok(Value::Int(f as i64))
                }
                ValueRef::Real(f) => Err(format!(
                    "holds {f}, which is not a whole number, in an integer field; fix the value \
                     in the attribute table"
                )),
                ValueRef::Text(t) => Err(format!(
                    "holds the text {:?} in an integer field; fix the value in the attribute \
                     table",
                    String::from_utf8_lossy(t)
                )),
                _ => unreachable!("NULL and BLOB handled above"),
            },
            ColumnKind::Float => match v {
                ValueRef::Integer(i) => Ok(Value::Float(i as f64)),
                ValueRef::Real(f) if f.is_finite() => Ok(Value::Float(f)),
                ValueRef::Real(f) => Err(format!(
                    "holds {f}, which is not a finite number; fix the value in the attribute \
                     table"
                )),
                ValueRef::Text(t) => Err(format!(
                    "holds the text {:?}, which is not a number; fix the value in the attribute \
                     table",
                    String::from_utf8_lossy(t)
                )),
                _ => unreachable!("NULL and BLOB handled above"),
            },
            ColumnKind::Text | ColumnKind::DateTime => match v {
                ValueRef::Text(t) => self.text.decode(t).map(Value::Text),
                ValueRef::Integer(i) => Ok(Value::Text(i.to_string())),
                ValueRef::Real(f) => Ok(Value::Text(f.to_string())),
                _ => unreachable!("NULL and BLOB handled above"),
            },
            ColumnKind::Bool => match v {
                ValueRef::Integer(0) => Ok(Value::Bool(false)),
                ValueRef::Integer(1) => Ok(Value::Bool(true)),
                other => Err(format!(
                    "holds {} in a BOOLEAN field (0 for false, 1 for true); fix the value in the \
                     attribute table",
                    describe(other)
                )),
            },
            ColumnKind::Date => match v {
                ValueRef::Text(t) => {
                    let s = self.text.decode(t)?;
                    if valid_date(&s) {
                        Ok(Value::Text(s))
                    } else {
                        Err(format!(
                            "{s:?} is not a date (a DATE field holds YYYY-MM-DD); fix the value \
                             in the attribute table"
                        ))
                    }
                }
                other => Err(format!(
                    "holds {} in a DATE field (which holds text YYYY-MM-DD); fix the value in \
                     the attribute table",
                    describe(other)
                )),
            },
        }
    }
}

/// What an SQLite value is, for messages.
fn describe(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => format!("the integer {i}"),
        ValueRef::Real(f) => format!("the number {f}"),
        ValueRef::Text(t) => format!("the text {:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("binary data ({} bytes)", b.len()),
    }
}

/// The dimension a declared geometry type allows (0 points, 1 lines, 2 areas), `None` for
/// `GEOMETRY` and `GEOMETRYCOLLECTION` (any) and names the standard does not define.
fn declared_dimension(declared: &str) -> Option<u8> {
    match declared {
        "POINT" | "MULTIPOINT" => Some(0),
        "LINESTRING" | "MULTILINESTRING" | "CIRCULARSTRING" | "COMPOUNDCURVE" | "MULTICURVE"
        | "CURVE" => Some(1),
        "POLYGON" | "MULTIPOLYGON" | "CURVEPOLYGON" | "MULTISURFACE" | "SURFACE" => Some(2),
        _ => None,
    }
}

/// `YYYY-MM-DD` naming a day of the Gregorian calendar.
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !s[..4].bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The CRS text of the table `layer` names (or the only one), without reading its features: what
/// [`Layer::crs_text`] will hold.
pub fn crs_text(path: &Path, layer: Option<&str>) -> Result<Option<String>, ReadError> {
    let db = Gpkg::open(path)?;
    let table = db.choose(layer)?;
    db.crs_text(&table)
}

/// Describes every feature table of the GeoPackage at `path`, without reading its features.
pub fn list(path: &Path) -> Result<Vec<LayerInfo>, ReadError> {
    let db = Gpkg::open(path)?;
    let mut out = Vec::new();
    for t in db.tables()? {
        let zm = match (t.z, t.m) {
            (0, 0) => "",
            (_, 0) => " Z",
            (0, _) => " M",
            _ => " ZM",
        };
        let mut notes = Vec::new();
        if !zm.is_empty() {
            notes.push(format!(
                "{} values are dropped on reading: tuban works in 2D",
                zm.trim()
            ));
        }
        out.push(LayerInfo {
            feature_count: db.count(&t)?,
            crs_text: db.crs_text(&t)?,
            geometry_type: format!("{}{zm}", t.geometry_type),
            name: t.name,
            notes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2023-2-28"));
        assert!(!valid_date("20230228"));
        assert!(!valid_date("2023-13-01"));
        assert!(!valid_date("+023-01-01"));
    }

    #[test]
    fn declared_dimensions() {
        assert_eq!(declared_dimension("MULTIPOLYGON"), Some(2));
        assert_eq!(declared_dimension("POINT"), Some(0));
        assert_eq!(declared_dimension("GEOMETRY"), None);
    }
}
