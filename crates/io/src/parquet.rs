//! GeoParquet reader (`.parquet`): a table written by GeoPandas (`to_parquet`), GDAL
//! (`ogr2ogr -f Parquet`), DuckDB, Spark or tuban itself, with its geometry as WKB.
//!
//! * The geometry column is the `geo` metadata's `primary_column` (GeoParquet 1.0 or 1.1);
//!   without `geo` metadata, a binary column named `geometry`. Its `encoding` must be `WKB`
//!   (GeoArrow-native columns are refused with the fix); the WKB is decoded by the GeoPackage
//!   reader's decoder ([`crate::gpkg::blob::wkb`]), Z and M dropped.
//! * The CRS comes from the column's `crs`, a PROJJSON object recognised by its EPSG id
//!   ([`crate::projjson::from_projjson`]) and stated as `EPSG:NNNN`; `"crs": null` states none.
//!   A file with `geo` metadata but no `crs` key is longitude/latitude (OGC:CRS84) by the
//!   standard, stated as `EPSG:4326`.
//! * Attribute columns of text, integer, floating-point and boolean types are read; other
//!   types (lists, structs, timestamps) are left out unless the run needs them, which is an
//!   error naming the column.
//! * Records are numbered from 1 in row order.
//!
//! Only Snappy-compressed and uncompressed files are read (what GeoPandas, GDAL, pyarrow and
//! Spark write by default); another codec is an error that names it and the fix.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use geo::BoundingRect;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use tuban_core::layer::{Feature, Field, FieldKind, Layer, Value};

use crate::error::ReadError;
use crate::read::{ReadOptions, Subset};

fn invalid(path: &Path, message: impl Into<String>) -> ReadError {
    ReadError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn kind_of(t: &DataType) -> Option<FieldKind> {
    Some(match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => FieldKind::Text,
        t if t.is_integer() => FieldKind::Integer,
        DataType::Float32 | DataType::Float64 => FieldKind::Float,
        DataType::Boolean => FieldKind::Bool,
        _ => return None,
    })
}

fn value(a: &ArrayRef, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Value::Text(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::Text(a.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Value::Text(a.as_string_view().value(i).to_string()),
        DataType::Int8 => Value::Int(a.as_primitive::<Int8Type>().value(i).into()),
        DataType::Int16 => Value::Int(a.as_primitive::<Int16Type>().value(i).into()),
        DataType::Int32 => Value::Int(a.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => Value::Int(a.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Value::Int(a.as_primitive::<UInt8Type>().value(i).into()),
        DataType::UInt16 => Value::Int(a.as_primitive::<UInt16Type>().value(i).into()),
        DataType::UInt32 => Value::Int(a.as_primitive::<UInt32Type>().value(i).into()),
        DataType::UInt64 => {
            let v = a.as_primitive::<UInt64Type>().value(i);
            i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
        }
        DataType::Float32 => float(f64::from(a.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => float(a.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        _ => Value::Null,
    }
}

/// pandas writes a missing number as NaN; tuban's readers give it as Null.
fn float(v: f64) -> Value {
    if v.is_nan() {
        Value::Null
    } else {
        Value::Float(v)
    }
}

fn wkb_at(a: &ArrayRef, i: usize) -> Option<&[u8]> {
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Binary => Some(a.as_binary::<i32>().value(i)),
        DataType::LargeBinary => Some(a.as_binary::<i64>().value(i)),
        DataType::BinaryView => Some(a.as_binary_view().value(i)),
        _ => None,
    }
}

/// Reads the GeoParquet file `path` as a layer, keeping what `subset` says; returns the layer
/// and how many records the box filter left out.
pub fn read_filtered(
    path: &Path,
    opts: &ReadOptions,
    subset: &Subset,
) -> Result<(Layer, usize), ReadError> {
    let file = File::open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound {
                path: path.to_path_buf(),
                hint: String::new(),
            }
        } else {
            ReadError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    let pq = |e: parquet::errors::ParquetError| {
        let text = e.to_string();
        if text.contains("Disabled feature") || text.contains("codec") {
            invalid(
                path,
                format!(
                    "is compressed with a codec tuban does not read ({text}); tuban reads Snappy or \
                     uncompressed Parquet: write it again with compression=\"snappy\" \
                     (GeoPandas: to_parquet(..., compression=\"snappy\"); GDAL: -lco COMPRESSION=SNAPPY)"
                ),
            )
        } else {
            invalid(
                path,
                format!("is not a Parquet file tuban can read: {text}"),
            )
        }
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
    let schema = builder.schema().clone();
    let geo: Option<serde_json::Value> = match schema.metadata().get("geo") {
        Some(text) => Some(serde_json::from_str(text).map_err(|e| {
            invalid(
                path,
                format!("its GeoParquet metadata `geo` is not JSON: {e}"),
            )
        })?),
        None => None,
    };
    let (geom_name, crs_text) = match &geo {
        Some(g) => {
            let primary = g
                .get("primary_column")
                .and_then(|v| v.as_str())
                .ok_or_else(|| invalid(path, "its GeoParquet metadata names no primary_column"))?
                .to_string();
            let column = g
                .get("columns")
                .and_then(|c| c.get(&primary))
                .ok_or_else(|| {
                    invalid(
                        path,
                        format!("its GeoParquet metadata does not describe the column {primary}"),
                    )
                })?;
            let encoding = column
                .get("encoding")
                .and_then(|e| e.as_str())
                .unwrap_or("");
            if !encoding.eq_ignore_ascii_case("WKB") {
                return Err(invalid(
                    path,
                    format!(
                        "its geometry column {primary} is encoded as {encoding:?}; tuban reads WKB \
                         GeoParquet: write it again with WKB geometry (GeoPandas: \
                         to_parquet(..., geometry_encoding=\"WKB\"); GDAL: -lco GEOMETRY_ENCODING=WKB)"
                    ),
                ));
            }
            let crs = match column.get("crs") {
                None => Some("EPSG:4326".to_string()),
                Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(v) => Some(format!(
                    "EPSG:{}",
                    crate::projjson::from_projjson(v)
                        .map_err(|e| invalid(path, e))?
                        .epsg()
                )),
            };
            (primary, crs)
        }
        None => ("geometry".to_string(), None),
    };
    let geom_index = schema.index_of(&geom_name).map_err(|_| {
        invalid(
            path,
            format!(
                "has no geometry column {geom_name} (a GeoParquet file names its geometry column in \
                 its `geo` metadata; a plain Parquet file needs a WKB column named geometry); \
                 columns: {}",
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    if !matches!(
        schema.field(geom_index).data_type(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    ) {
        return Err(invalid(
            path,
            format!(
                "its geometry column {geom_name} is of type {}, not WKB bytes (binary)",
                schema.field(geom_index).data_type()
            ),
        ));
    }
    let mut columns: Vec<(usize, Field)> = Vec::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if i == geom_index || !subset.keeps_field(f.name()) {
            continue;
        }
        match kind_of(f.data_type()) {
            Some(kind) => columns.push((i, Field::new(f.name().clone(), kind))),
            None if subset.fields.is_some() => {
                return Err(invalid(
                    path,
                    format!(
                        "column {} is of type {}; tuban reads text, integer, floating-point and \
                         boolean columns: convert it",
                        f.name(),
                        f.data_type()
                    ),
                ))
            }
            None => {}
        }
    }
    let reader = builder.build().map_err(pq)?;
    let name = opts.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let mut layer = Layer::new(name);
    layer.source = Some(path.to_path_buf());
    layer.fields = columns.iter().map(|(_, f)| f.clone()).collect();
    layer.crs_text = crs_text;
    layer.encoding = Some("UTF-8 (Parquet)".into());
    let mut record = 0usize;
    let mut filtered_out = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| invalid(path, format!("cannot be read: {e}")))?;
        let geom = batch.column(geom_index);
        for i in 0..batch.num_rows() {
            record += 1;
            let geometry = match wkb_at(geom, i) {
                None => None,
                Some(bytes) => {
                    crate::gpkg::blob::wkb(bytes)
                        .map_err(|message| ReadError::Record {
                            path: path.to_path_buf(),
                            record,
                            message: format!("its geometry (column {geom_name}) {message}"),
                        })?
                        .geometry
                }
            };
            if let (Some(keep), Some(g)) = (&subset.keep, &geometry) {
                if let Some(r) = g.bounding_rect() {
                    if !keep.keeps(&r) {
                        filtered_out += 1;
                        continue;
                    }
                }
            }
            let values = columns
                .iter()
                .map(|(k, _)| value(batch.column(*k), i))
                .collect();
            layer.features.push(Feature::new(record, geometry, values));
        }
    }
    Ok((layer, filtered_out))
}
