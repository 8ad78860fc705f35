//! The per-patch table as GeoParquet 1.1 (`.parquet`): what a cluster (Spark, DuckDB, GeoPandas,
//! GDAL) reads without a converter.
//!
//! * One row per patch, the columns of the CSV under the CSV's names and in its order, then the
//!   patch outline in `geometry`. Numbers are `DOUBLE` (the same unrounded `f64` as the CSV),
//!   counts (`grave_count`, `record`) `INT64` (as the Python package and Spark give them), text `UTF8` strings; a cell the CSV leaves empty
//!   is null.
//! * `geometry` is ISO WKB (little-endian MultiPolygon, exteriors counter-clockwise as
//!   GeoPackage and Simple Features want); a patch without geometry has a null.
//! * The file's key-value metadata `geo` is the GeoParquet 1.1.0 document: `primary_column`
//!   `geometry`, its `encoding` `WKB`, `geometry_types` `["MultiPolygon"]`, the `bbox` of all
//!   patches, and the `crs` as PROJJSON ([`crate::projjson`]); a report without a CRS writes
//!   `"crs": null` (GeoParquet's "unknown"; leaving it out would mean longitude/latitude).
//! * Snappy compression, row groups of [`ROW_GROUP`] rows.
//!
//! The obstacle pieces are not written (a Parquet file holds one table); the GeoPackage has them.
//! The file is written under a temporary name beside the target and renamed into place when
//! complete.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{BinaryBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use geo::orient::{Direction, Orient};
use geo::BoundingRect;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_json::json;
use tuban_core::report::{Cell, Report, Unit};

use super::WriteError;

/// Rows per row group (and per Arrow batch while writing).
pub const ROW_GROUP: usize = 65_536;

/// The GeoParquet version written.
pub const GEOPARQUET_VERSION: &str = "1.1.0";

/// The Arrow type of a column holding `unit`.
fn data_type(unit: Unit) -> DataType {
    match unit {
        Unit::Text => DataType::Utf8,
        Unit::Count => DataType::Int64,
        _ => DataType::Float64,
    }
}

/// The GeoParquet `geo` metadata document of `report` (as JSON text).
pub fn geo_metadata(report: &Report) -> String {
    let mut bbox: Option<[f64; 4]> = None;
    for p in &report.patches {
        if let Some(r) = p.geometry.bounding_rect() {
            let b = bbox.get_or_insert([
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ]);
            b[0] = b[0].min(r.min().x);
            b[1] = b[1].min(r.min().y);
            b[2] = b[2].max(r.max().x);
            b[3] = b[3].max(r.max().y);
        }
    }
    let crs = match &report.crs {
        Some(c) => crate::projjson::to_projjson(c),
        None => serde_json::Value::Null,
    };
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "crs": crs,
        "edges": "planar",
        "orientation": "counterclockwise"
    });
    if let Some(b) = bbox {
        column["bbox"] = json!(b);
    }
    json!({
        "version": GEOPARQUET_VERSION,
        "primary_column": "geometry",
        "columns": {"geometry": column}
    })
    .to_string()
}

/// Writes the GeoParquet file `path`, whole or not at all.
pub fn write(report: &Report, path: &Path) -> Result<(), WriteError> {
    let io = |source: std::io::Error| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let pq = |e: parquet::errors::ParquetError| io(std::io::Error::other(e));
    let arrow = |e: arrow_schema::ArrowError| io(std::io::Error::other(e));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tuban-")
        .suffix(".parquet.part")
        .tempfile_in(&dir)
        .map_err(io)?;

    let columns = report.columns();
    let mut fields: Vec<Field> = columns
        .iter()
        .map(|c| Field::new(c.name.clone(), data_type(c.unit), true))
        .collect();
    fields.push(Field::new("geometry", DataType::Binary, true));
    let geo = geo_metadata(report);
    let metadata = HashMap::from([("geo".to_string(), geo.clone())]);
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_created_by(format!("tuban {}", env!("CARGO_PKG_VERSION")))
        // The file's own key-value metadata, where GeoParquet readers look (the Arrow schema's
        // metadata only travels inside the serialised `ARROW:schema`).
        .set_key_value_metadata(Some(vec![KeyValue::new("geo".to_string(), geo)]))
        .build();
    let file = tmp.reopen().map_err(io)?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(pq)?;
    let n = report.patches.len();
    let mut start = 0;
    while start < n || (n == 0 && start == 0) {
        let end = (start + ROW_GROUP).min(n);
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len() + 1);
        for c in &columns {
            let array: ArrayRef = match c.unit {
                Unit::Text => {
                    let mut b = StringBuilder::new();
                    for i in start..end {
                        match report.cell(i, c) {
                            Cell::Text(s) => b.append_value(s),
                            Cell::Number(v) => b.append_value(super::full_precision(v)),
                            Cell::Empty => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
                Unit::Count => {
                    let mut b = Int64Builder::with_capacity(end - start);
                    for i in start..end {
                        match report.cell(i, c) {
                            Cell::Number(v) => b.append_value(v as u64 as i64),
                            Cell::Text(s) => b.append_option(s.parse::<i64>().ok()),
                            Cell::Empty => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
                _ => {
                    let mut b = Float64Builder::with_capacity(end - start);
                    for i in start..end {
                        match report.cell(i, c) {
                            Cell::Number(v) => b.append_value(v),
                            Cell::Text(s) => b.append_option(s.parse::<f64>().ok()),
                            Cell::Empty => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
            };
            arrays.push(array);
        }
        let mut g = BinaryBuilder::new();
        for p in &report.patches[start..end] {
            if p.geometry.0.is_empty() {
                g.append_null();
            } else {
                g.append_value(super::wkb::multipolygon(
                    &p.geometry.orient(Direction::Default),
                ));
            }
        }
        arrays.push(Arc::new(g.finish()));
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(arrow)?;
        writer.write(&batch).map_err(pq)?;
        if n == 0 {
            break;
        }
        start = end;
    }
    writer.close().map_err(pq)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644));
    }
    Ok(())
}
