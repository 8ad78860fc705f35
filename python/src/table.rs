//! An Arrow table (record batches from `__arrow_c_stream__`) as a tuban [`Layer`].
//!
//! The layer is what tuban's own readers produce: one feature per row, numbered from 1 in row
//! order (a GeoDataFrame read from a shapefile keeps the file's order, so the numbers are the
//! shapefile's record numbers), the geometry decoded from WKB or GeoArrow, and the attribute
//! columns the run needs as typed values. As the file readers do, only the columns the run reads
//! are converted (the identity fields of patches, the fields the rules test, the width and count
//! fields of roads and graves): a column of a type tuban has no use for cannot stop the run, and a
//! wide GeoDataFrame costs no more than a narrow one.
//!
//! The table's CRS comes from the GeoArrow extension metadata of its geometry column, or from the
//! GeoParquet `geo` metadata of the schema (a PROJJSON object with an `id`, a WKT, or an
//! `AUTHORITY:CODE` text).

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, SchemaRef, TimeUnit};
use rayon::prelude::*;
use tuban::core::layer::{Feature, Field, FieldKind, Layer, Value};

use crate::geometry::{Column, Encoding};

/// A table handed over by Python, before conversion.
pub struct Table {
    /// How messages name it: `patches (GeoDataFrame)`.
    pub label: String,
    /// The stream's schema.
    pub schema: SchemaRef,
    /// Its batches.
    pub batches: Vec<RecordBatch>,
    /// The CRS the caller states for it (a GeoDataFrame's `.crs`, as `EPSG:NNNN` or WKT).
    pub crs: Option<String>,
    /// The geometry column, if the caller knows it (a GeoDataFrame's active geometry).
    pub geometry: Option<String>,
}

/// What a table states about its CRS.
#[derive(Debug, Clone, PartialEq)]
pub enum Stated {
    /// Nothing.
    None,
    /// A CRS as a user writes it (`EPSG:4544`, `OGC:CRS84`): goes to the spec's `crs`.
    Named(String),
    /// A WKT text: goes to the layer's `crs_text`, recognised as a `.prj` is.
    Wkt(String),
}

impl Stated {
    fn from_text(t: &str) -> Stated {
        let t = t.trim();
        // WKT starts with a keyword and a bracket: PROJCS[, PROJCRS[, GEOGCS[ ...
        let keyword_end = t
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(t.len());
        if keyword_end > 0 && t[keyword_end..].trim_start().starts_with(['[', '(']) {
            Stated::Wkt(t.to_string())
        } else if t.is_empty() {
            Stated::None
        } else {
            Stated::Named(t.to_string())
        }
    }
}

/// What converting a table needs to know about the run.
pub struct Wanted<'a> {
    /// The columns to convert (compared ignoring ASCII case); `None` converts all that can be.
    pub fields: Option<&'a [String]>,
    /// A column of integer record numbers; else rows are numbered from 1.
    pub record_field: Option<&'a str>,
}

/// The layer of `table`, the CRS it states and where it states it (`the GeoDataFrame's .crs`).
/// `Err` names the table, the column or the row, and what to do.
pub fn to_layer(
    table: &Table,
    wanted: &Wanted<'_>,
) -> Result<(Layer, Stated, &'static str), String> {
    let label = &table.label;
    let schema = &table.schema;
    let (geom_index, encoding, (stated, source)) = find_geometry(table)?;
    let geom_name = schema.field(geom_index).name().clone();

    // Attribute columns: the wanted ones, in table order.
    let mut columns: Vec<(usize, Field)> = Vec::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if i == geom_index || is_geometry_field(f) {
            continue;
        }
        let wanted_here = wanted
            .fields
            .is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(f.name())));
        if !wanted_here {
            continue;
        }
        match kind_of(f.data_type()) {
            Some(kind) => columns.push((i, Field::new(f.name().clone(), kind))),
            None if wanted.fields.is_some() => {
                return Err(format!(
                    "{label}: column `{}` is of Arrow type {}; tuban reads text, integers, floats, booleans and dates: convert it (e.g. df[\"{}\"].astype(str))",
                    f.name(),
                    f.data_type(),
                    f.name()
                ))
            }
            None => {}
        }
    }
    let record_index = match wanted.record_field {
        None => None,
        Some(name) => {
            let i = schema.index_of(name).map_err(|_| {
                format!(
                    "{label}: no column `{name}` for the record numbers (record_field); columns: {}",
                    names(schema)
                )
            })?;
            if !schema.field(i).data_type().is_integer() {
                return Err(format!(
                    "{label}: the record numbers (record_field `{name}`) must be integers, not {}",
                    schema.field(i).data_type()
                ));
            }
            Some(i)
        }
    };

    let mut features = Vec::with_capacity(table.batches.iter().map(|b| b.num_rows()).sum());
    let mut first_row = 0usize;
    for batch in &table.batches {
        let geom = Column::new(batch.column(geom_index), encoding)
            .map_err(|e| format!("{label}: geometry column `{geom_name}`: {e}"))?;
        let readers: Vec<Reader<'_>> = columns
            .iter()
            .map(|(i, _)| Reader::new(batch.column(*i)))
            .collect();
        let records: Option<&ArrayRef> = record_index.map(|i| batch.column(i));
        let rows: Result<Vec<Feature>, String> = (0..batch.num_rows())
            .into_par_iter()
            .with_min_len(1024)
            .map(|r| {
                let record = match records {
                    None => first_row + r + 1,
                    Some(a) => record_number(a, r).ok_or_else(|| {
                        format!(
                            "{label}: row {}: the record number (record_field) must be a whole number from 1",
                            first_row + r + 1
                        )
                    })?,
                };
                let geometry = geom
                    .get(r)
                    .map_err(|e| format!("{label}: record {record}: {e}"))?;
                let values = readers.iter().map(|c| c.get(r)).collect();
                Ok(Feature::new(record, geometry, values))
            })
            .collect();
        features.extend(rows?);
        first_row += batch.num_rows();
    }
    let layer = Layer {
        name: label.clone(),
        source: None,
        fields: columns.into_iter().map(|(_, f)| f).collect(),
        features,
        crs_text: None,
        encoding: Some("UTF-8 (Arrow)".into()),
    };
    Ok((layer, stated, source))
}

fn names(schema: &SchemaRef) -> String {
    schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

const EXTENSION: &str = "ARROW:extension:name";

fn is_geometry_field(f: &ArrowField) -> bool {
    f.metadata()
        .get(EXTENSION)
        .is_some_and(|n| n.starts_with("geoarrow."))
}

/// The geometry column's index, its encoding, and the CRS its metadata states with where.
fn find_geometry(table: &Table) -> Result<(usize, Encoding, (Stated, &'static str)), String> {
    let (label, schema) = (&table.label, &table.schema);
    let geo: Option<serde_json::Value> = schema
        .metadata()
        .get("geo")
        .and_then(|t| serde_json::from_str(t).ok());
    let index = if let Some(name) = &table.geometry {
        schema
            .index_of(name)
            .map_err(|_| format!("{label}: no geometry column `{name}`"))?
    } else if let Some(i) = schema.fields().iter().position(|f| is_geometry_field(f)) {
        i
    } else if let Some(i) = geo
        .as_ref()
        .and_then(|g| g.get("primary_column")?.as_str().map(str::to_string))
        .and_then(|name| schema.index_of(&name).ok())
    {
        i
    } else {
        const NAMES: [&str; 5] = ["geometry", "geom", "wkb_geometry", "the_geom", "wkb"];
        schema
            .fields()
            .iter()
            .position(|f| {
                NAMES.iter().any(|n| n.eq_ignore_ascii_case(f.name()))
                    && matches!(
                        f.data_type(),
                        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
                    )
            })
            .ok_or_else(|| {
                format!(
                    "{label}: no geometry column: give the table a GeoArrow geometry column or a binary WKB column named `geometry` (columns: {})",
                    names(schema)
                )
            })?
    };
    let field = schema.field(index);
    let geo_column = geo
        .as_ref()
        .and_then(|g| g.get("columns")?.get(field.name()).cloned());
    let encoding = if let Some(ext) = field.metadata().get(EXTENSION) {
        Encoding::from_name(ext)
    } else if let Some(e) = geo_column
        .as_ref()
        .and_then(|c| c.get("encoding")?.as_str().map(str::to_string))
    {
        Encoding::from_name(&e)
    } else {
        Ok(Encoding::Wkb)
    }
    .map_err(|name| {
        format!(
            "{label}: geometry column `{}` is encoded as {name}, which tuban does not read: use WKB (GeoPandas: to_arrow(geometry_encoding=\"WKB\")) or a native point, line or polygon type",
            field.name()
        )
    })?;

    // The CRS: what the caller stated (a GeoDataFrame's .crs), else the GeoArrow extension
    // metadata, else GeoParquet's (where an absent `crs` means OGC:CRS84 by the specification).
    let stated = if let Some(text) = &table.crs {
        (Stated::from_text(text), "stated by the GeoDataFrame's .crs")
    } else if let Some(meta) = field.metadata().get("ARROW:extension:metadata") {
        let meta: serde_json::Value = serde_json::from_str(meta).map_err(|e| {
            format!(
                "{label}: the GeoArrow metadata of `{}` is not JSON: {e}",
                field.name()
            )
        })?;
        let how = "stated by the table's GeoArrow metadata";
        match meta.get("crs") {
            None | Some(serde_json::Value::Null) => (Stated::None, how),
            Some(crs) => (crs_of(crs, label)?, how),
        }
    } else if let Some(col) = &geo_column {
        let how = "stated by the table's GeoParquet metadata";
        match col.get("crs") {
            None => (Stated::Named("OGC:CRS84".into()), how),
            Some(serde_json::Value::Null) => (Stated::None, how),
            Some(crs) => (crs_of(crs, label)?, how),
        }
    } else {
        (Stated::None, "")
    };
    Ok((index, encoding, stated))
}

/// A CRS from GeoArrow or GeoParquet metadata: a string (WKT, `EPSG:4544`), or a PROJJSON object,
/// read by its `id`.
fn crs_of(crs: &serde_json::Value, label: &str) -> Result<Stated, String> {
    if let Some(text) = crs.as_str() {
        return Ok(Stated::from_text(text));
    }
    let id = crs
        .get("id")
        .or_else(|| crs.get("ids").and_then(|ids| ids.get(0)));
    let authority = id.and_then(|id| id.get("authority")?.as_str());
    let code = id.and_then(|id| {
        let c = id.get("code")?;
        c.as_u64()
            .map(|n| n.to_string())
            .or_else(|| c.as_str().map(str::to_string))
    });
    match (authority, code) {
        (Some(a), Some(c)) => Ok(Stated::Named(format!("{a}:{c}"))),
        _ => {
            let name = crs.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            Err(format!(
                "{label}: the table's CRS (PROJJSON \"{name}\") has no authority code tuban can read: pass crs=\"EPSG:NNNN\" and drop the metadata, or give the CRS as WKT"
            ))
        }
    }
}

/// The tuban field kind of an Arrow type, if tuban reads it.
fn kind_of(t: &DataType) -> Option<FieldKind> {
    Some(match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => FieldKind::Text,
        DataType::Dictionary(_, v)
            if matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            FieldKind::Text
        }
        t if t.is_integer() => FieldKind::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => FieldKind::Float,
        DataType::Decimal128(..) | DataType::Decimal256(..) => FieldKind::Float,
        DataType::Boolean => FieldKind::Bool,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => FieldKind::Date,
        DataType::Null => FieldKind::Text,
        _ => return None,
    })
}

/// Reads one attribute column's values.
struct Reader<'a> {
    array: &'a ArrayRef,
}

impl<'a> Reader<'a> {
    fn new(array: &'a ArrayRef) -> Self {
        Reader { array }
    }

    fn get(&self, i: usize) -> Value {
        let a = self.array;
        if a.is_null(i) {
            return Value::Null;
        }
        match a.data_type() {
            DataType::Utf8 => Value::Text(a.as_string::<i32>().value(i).to_string()),
            DataType::LargeUtf8 => Value::Text(a.as_string::<i64>().value(i).to_string()),
            DataType::Utf8View => Value::Text(a.as_string_view().value(i).to_string()),
            DataType::Dictionary(..) => {
                let d = a.as_any_dictionary();
                let key = d.normalized_keys()[i];
                Reader::new(d.values()).get(key)
            }
            DataType::Int8 => int(a.as_primitive::<Int8Type>().value(i) as i64),
            DataType::Int16 => int(a.as_primitive::<Int16Type>().value(i) as i64),
            DataType::Int32 => int(a.as_primitive::<Int32Type>().value(i) as i64),
            DataType::Int64 => int(a.as_primitive::<Int64Type>().value(i)),
            DataType::UInt8 => int(a.as_primitive::<UInt8Type>().value(i) as i64),
            DataType::UInt16 => int(a.as_primitive::<UInt16Type>().value(i) as i64),
            DataType::UInt32 => int(a.as_primitive::<UInt32Type>().value(i) as i64),
            DataType::UInt64 => {
                let v = a.as_primitive::<UInt64Type>().value(i);
                i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
            }
            DataType::Float16 => float(a.as_primitive::<Float16Type>().value(i).to_f64()),
            DataType::Float32 => float(a.as_primitive::<Float32Type>().value(i) as f64),
            DataType::Float64 => float(a.as_primitive::<Float64Type>().value(i)),
            DataType::Decimal128(_, scale) => float(
                a.as_primitive::<Decimal128Type>().value(i) as f64 / 10f64.powi(*scale as i32),
            ),
            DataType::Decimal256(_, scale) => {
                let v = a.as_primitive::<Decimal256Type>().value(i);
                match v.to_i128() {
                    Some(v) => float(v as f64 / 10f64.powi(*scale as i32)),
                    None => Value::Null,
                }
            }
            DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
            DataType::Date32 => date(a.as_primitive::<Date32Type>().value(i) as i64 * 86_400),
            DataType::Date64 => date(a.as_primitive::<Date64Type>().value(i).div_euclid(1000)),
            DataType::Timestamp(unit, _) => {
                let per_second: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let v = match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(i),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(i),
                };
                date(v.div_euclid(per_second))
            }
            _ => Value::Null,
        }
    }
}

fn int(v: i64) -> Value {
    Value::Int(v)
}

/// pandas marks a missing number with NaN; tuban's readers give such a value as Null.
fn float(v: f64) -> Value {
    if v.is_nan() {
        Value::Null
    } else {
        Value::Float(v)
    }
}

/// A date as tuban's DBF reader gives it: `YYYY-MM-DD` (the time of day, if any, dropped, as a
/// DBF `D` field has none).
fn date(seconds: i64) -> Value {
    let days = seconds.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    Value::Text(format!("{y:04}-{m:02}-{d:02}"))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Row `i` of an integer record-number column, if it is a whole number from 1.
fn record_number(a: &ArrayRef, i: usize) -> Option<usize> {
    if a.is_null(i) {
        return None;
    }
    let v: i128 = match a.data_type() {
        DataType::Int8 => a.as_primitive::<Int8Type>().value(i) as i128,
        DataType::Int16 => a.as_primitive::<Int16Type>().value(i) as i128,
        DataType::Int32 => a.as_primitive::<Int32Type>().value(i) as i128,
        DataType::Int64 => a.as_primitive::<Int64Type>().value(i) as i128,
        DataType::UInt8 => a.as_primitive::<UInt8Type>().value(i) as i128,
        DataType::UInt16 => a.as_primitive::<UInt16Type>().value(i) as i128,
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(i) as i128,
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(i) as i128,
        _ => return None,
    };
    usize::try_from(v).ok().filter(|&r| r >= 1)
}
