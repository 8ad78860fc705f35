//! A table's `.gdbtable` header and field descriptions.
//!
//! The file starts with a 40-byte header (format version, number of valid rows, the offset of
//! the field descriptions); the field descriptions say, for each column in row order, its name
//! (UTF-16), alias, type, whether it may be null, and for the geometry column the CRS (as WKT),
//! the integer grid the coordinates are stored on (origin and scale) and the extent.

use super::bytes::Bytes;

/// The largest field-description section read (GDAL refuses more too): guards the allocation
/// against a damaged size.
const MAX_FIELD_SECTION: u32 = 10 << 20;

/// A column's type, as the field description codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// 0: 16-bit integer.
    Int16,
    /// 1: 32-bit integer.
    Int32,
    /// 2: 32-bit float.
    Float32,
    /// 3: 64-bit float.
    Float64,
    /// 4: text.
    String,
    /// 5: date and time, days since 1899-12-30 as a 64-bit float.
    DateTime,
    /// 6: the row number; not stored in the row.
    ObjectId,
    /// 7: the shape.
    Geometry,
    /// 8: a blob.
    Binary,
    /// 9: a raster; `managed` rasters store a 32-bit reference, the others a length and bytes.
    Raster { managed: bool },
    /// 10: a GUID.
    Guid,
    /// 11: a global id (a GUID).
    GlobalId,
    /// 12: XML text.
    Xml,
    /// 13: 64-bit integer (ArcGIS Pro 3.2).
    Int64,
    /// 14: date only (ArcGIS Pro 3.2).
    Date,
    /// 15: time of day only (ArcGIS Pro 3.2).
    Time,
    /// 16: date and time with a UTC offset in minutes (ArcGIS Pro 3.2).
    DateTimeOffset,
}

/// One column.
#[derive(Debug, Clone)]
pub(crate) struct FieldDesc {
    pub name: String,
    pub kind: FieldType,
    /// Whether the row's null-flags bitmap has a bit for this column.
    pub nullable: bool,
}

/// The geometry column's description.
#[derive(Debug, Clone)]
pub(crate) struct GeomDesc {
    /// The CRS as (ESRI) WKT; empty when the writer gave none.
    pub wkt: String,
    pub x_origin: f64,
    pub y_origin: f64,
    /// Grid steps per coordinate unit: x = stored / scale + origin.
    pub xy_scale: f64,
}

/// What the `.gdbtable` header and field descriptions say.
#[derive(Debug, Clone)]
pub(crate) struct TableHeader {
    /// Rows that are not deleted, as the header counts them.
    pub valid_rows: u64,
    /// The table's geometry type code: 0 none, 1 point, 2 multipoint, 3 polyline, 4 polygon,
    /// 9 multipatch.
    pub geometry_type: u8,
    pub has_z: bool,
    pub has_m: bool,
    /// Text values are UTF-8 (else UTF-16).
    pub strings_utf8: bool,
    pub fields: Vec<FieldDesc>,
    /// The geometry column (index into `fields`) and its description.
    pub geometry: Option<(usize, GeomDesc)>,
    /// Bytes of the null-flags bitmap at the start of each row.
    pub null_bytes: usize,
}

impl TableHeader {
    /// The table's geometry type in words, with its Z and M flags.
    pub(crate) fn geometry_type_name(&self) -> String {
        let base = match self.geometry_type {
            0 => "None",
            1 => "Point",
            2 => "MultiPoint",
            3 => "Polyline",
            4 => "Polygon",
            9 => "MultiPatch",
            _ => "unknown",
        };
        match (self.has_z, self.has_m) {
            (false, false) => base.to_string(),
            (true, false) => format!("{base} Z"),
            (false, true) => format!("{base} M"),
            (true, true) => format!("{base} ZM"),
        }
    }
}

/// Why a table cannot be read at all.
#[derive(Debug)]
pub(crate) enum HeaderError {
    /// Something tuban does not read, by design (a message for the user).
    Refused(String),
    /// The bytes are not what the format says (a message for the user).
    Damaged(String),
}

/// Reads the 40-byte file header: the number of valid rows and where the field descriptions
/// start.
pub(crate) fn file_header(head: &[u8]) -> Result<(u64, u64), HeaderError> {
    let mut b = Bytes::new(head);
    let damaged = |m: String| HeaderError::Damaged(m);
    let version = b.i32("the file header").map_err(|_| {
        damaged("is too short to be a File Geodatabase table (40-byte header)".into())
    })?;
    match version {
        3 => {}
        4 => {
            return Err(HeaderError::Refused(
                "is a table of the 64-bit File Geodatabase format (ArcGIS Pro 3.2 and later), \
                 which tuban does not read yet; in ArcGIS, copy the feature class into a \
                 geodatabase of version 10.x, or export it to a shapefile or GeoPackage"
                    .into(),
            ))
        }
        v => {
            return Err(damaged(format!(
                "starts with {v} where a File Geodatabase table starts with 3 (version 10.x): it \
                 is not a .gdbtable or it is damaged"
            )))
        }
    }
    if head.len() < 40 {
        return Err(damaged(format!(
            "is {} bytes long, shorter than the 40-byte table header: it is truncated; copy the \
             .gdb folder again",
            head.len()
        )));
    }
    let valid = b.i32("the file header").map_err(damaged)?;
    let valid = u64::try_from(valid)
        .map_err(|_| damaged(format!("its header gives {valid} rows, a negative number")))?;
    let mut at = Bytes::new(&head[32..40]);
    let fields_at = at.i64("the file header").map_err(damaged)?;
    let fields_at = u64::try_from(fields_at).map_err(|_| {
        damaged(format!(
            "its header puts the field descriptions at offset {fields_at}, a negative number"
        ))
    })?;
    Ok((valid, fields_at))
}

/// The size of the field-description section (without its own 4-byte size), checked.
pub(crate) fn field_section_size(size: &[u8]) -> Result<u32, HeaderError> {
    let n = Bytes::new(size)
        .u32("the field descriptions")
        .map_err(HeaderError::Damaged)?;
    if !(10..=MAX_FIELD_SECTION).contains(&n) {
        return Err(HeaderError::Damaged(format!(
            "its field descriptions claim {n} bytes (expected 10 to {MAX_FIELD_SECTION}): the \
             table is damaged"
        )));
    }
    Ok(n)
}

/// Parses the field-description section (after its 4-byte size).
pub(crate) fn field_section(section: &[u8], valid_rows: u64) -> Result<TableHeader, HeaderError> {
    let damaged = HeaderError::Damaged;
    let mut b = Bytes::new(section);
    let version = b.u32("the field descriptions").map_err(damaged)?;
    match version {
        4 | 6 => {}
        3 => {
            return Err(HeaderError::Refused(
                "is a table of a version 9 File Geodatabase (ArcGIS 9.x), which tuban does not \
                 read; in ArcGIS, upgrade the geodatabase (Upgrade Geodatabase) or copy the \
                 feature class into a version 10 geodatabase"
                    .into(),
            ))
        }
        v => {
            return Err(damaged(format!(
                "its field descriptions have version {v} (10.x tables have 4): the table is \
                 damaged or of a version tuban does not know"
            )))
        }
    }
    let flags = b.u32("the field descriptions").map_err(damaged)?;
    let geometry_type = (flags & 0xFF) as u8;
    let strings_utf8 = flags & 0x100 != 0;
    let has_m = flags & (1 << 30) != 0;
    let has_z = flags & (1 << 31) != 0;
    let count = b.u16("the field descriptions").map_err(damaged)?;
    let mut fields = Vec::with_capacity(usize::from(count));
    let mut geometry = None;
    let mut object_id = false;
    for i in 0..usize::from(count) {
        let at = |m: String| HeaderError::Damaged(format!("field {} of {count}: {m}", i + 1));
        let n = b.u8("a field name").map_err(at)?;
        let name = b.utf16(usize::from(n), "a field name").map_err(at)?;
        let at = |m: String| HeaderError::Damaged(format!("field {name}: {m}"));
        // Names are unique ignoring case (as layers look fields up): a blank or repeated name
        // would make a rule read another column than the one meant.
        if name.trim().is_empty() {
            return Err(HeaderError::Damaged(format!(
                "field {} of {count} has no name: the table is damaged",
                i + 1
            )));
        }
        if fields
            .iter()
            .any(|f: &FieldDesc| f.name.eq_ignore_ascii_case(&name))
        {
            return Err(at(
                "a second field of this name (ignoring case): the table is damaged".into(),
            ));
        }
        let n = b.u8("its alias").map_err(at)?;
        b.utf16(usize::from(n), "its alias").map_err(at)?;
        let code = b.u8("its type").map_err(at)?;
        let (kind, nullable) = match code {
            7 | 9 => {
                let (kind, nullable, geom) = geometry_or_raster(&mut b, code, has_z, has_m)
                    .map_err(|m| HeaderError::Damaged(format!("field {name}: {m}")))?;
                if let Some(g) = geom {
                    if geometry.is_some() {
                        return Err(at("a second geometry field: the table is damaged".into()));
                    }
                    geometry = Some((fields.len(), g));
                }
                (kind, nullable)
            }
            4 => {
                b.i32("its width").map_err(at)?;
                let flags = b.u8("its flags").map_err(at)?;
                let default_len = b.varuint("its default value").map_err(at)?;
                skip_default(&mut b, flags, default_len).map_err(at)?;
                (FieldType::String, flags & 1 != 0)
            }
            6 | 8 | 10 | 11 | 12 => {
                b.u8("its width").map_err(at)?;
                let flags = b.u8("its flags").map_err(at)?;
                let kind = match code {
                    6 => FieldType::ObjectId,
                    8 => FieldType::Binary,
                    10 => FieldType::Guid,
                    11 => FieldType::GlobalId,
                    _ => FieldType::Xml,
                };
                if kind == FieldType::ObjectId {
                    if object_id {
                        return Err(at("a second OBJECTID field: the table is damaged".into()));
                    }
                    object_id = true;
                }
                (kind, flags & 1 != 0 && kind != FieldType::ObjectId)
            }
            0 | 1 | 2 | 3 | 5 | 13..=16 => {
                b.u8("its width").map_err(at)?;
                let flags = b.u8("its flags").map_err(at)?;
                let default_len = b.u8("its default value").map_err(at)?;
                skip_default(&mut b, flags, u64::from(default_len)).map_err(at)?;
                let kind = match code {
                    0 => FieldType::Int16,
                    1 => FieldType::Int32,
                    2 => FieldType::Float32,
                    3 => FieldType::Float64,
                    5 => FieldType::DateTime,
                    13 => FieldType::Int64,
                    14 => FieldType::Date,
                    15 => FieldType::Time,
                    _ => FieldType::DateTimeOffset,
                };
                (kind, flags & 1 != 0)
            }
            other => {
                return Err(at(format!(
                    "has type code {other}, which is not a File Geodatabase field type: the \
                     table is damaged"
                )))
            }
        };
        fields.push(FieldDesc {
            name,
            kind,
            nullable,
        });
    }
    // Some writers leave bytes after the last description (GDAL writes a marker there).
    let nullable = fields.iter().filter(|f| f.nullable).count();
    Ok(TableHeader {
        valid_rows,
        geometry_type,
        has_z,
        has_m,
        strings_utf8,
        fields,
        geometry,
        null_bytes: nullable.div_ceil(8),
    })
}

/// Skips a default value, present when the field's flags have bit 2 (editable) set.
fn skip_default(b: &mut Bytes<'_>, flags: u8, len: u64) -> Result<(), String> {
    if flags & 4 != 0 {
        let len = usize::try_from(len).map_err(|_| "its default value is too long".to_string())?;
        b.take(len, "its default value")?;
    }
    Ok(())
}

/// A geometry (7) or raster (9) field's description, after its type byte.
fn geometry_or_raster(
    b: &mut Bytes<'_>,
    code: u8,
    table_z: bool,
    table_m: bool,
) -> Result<(FieldType, bool, Option<GeomDesc>), String> {
    b.u8("its description")?;
    let flags = b.u8("its flags")?;
    let nullable = flags & 1 != 0;
    if code == 9 {
        let n = b.u8("its raster column name")?;
        b.utf16(usize::from(n), "its raster column name")?;
    }
    let wkt_len = b.u16("its CRS")?;
    let wkt = b.utf16(usize::from(wkt_len / 2), "its CRS (WKT)")?;
    if wkt_len % 2 != 0 {
        b.u8("its CRS (WKT)")?;
    }
    let geom_flags = b.u8("its coordinate flags")?;
    let has_m = geom_flags & 2 != 0;
    let has_z = geom_flags & 4 != 0;
    let mut grid = None;
    if code == 7 || geom_flags != 0 {
        let x_origin = b.f64("its x origin")?;
        let y_origin = b.f64("its y origin")?;
        let xy_scale = b.f64("its xy scale")?;
        // M origin and scale, Z origin and scale, xy tolerance, M and Z tolerances.
        let rest = 8 * (2 * usize::from(has_m) + 2 * usize::from(has_z) + 1)
            + 8 * (usize::from(has_m) + usize::from(has_z));
        b.take(rest, "its coordinate grid")?;
        grid = Some((x_origin, y_origin, xy_scale));
    }
    if code == 9 {
        let kind = b.u8("its raster type")?;
        return Ok((FieldType::Raster { managed: kind == 1 }, nullable, None));
    }
    let (x_origin, y_origin, xy_scale) = grid.expect("a geometry field has a grid");
    if !(x_origin.is_finite() && y_origin.is_finite() && xy_scale.is_finite() && xy_scale > 0.0) {
        return Err(format!(
            "its coordinate grid (origin {x_origin}, {y_origin}, scale {xy_scale}) is not usable: \
             the table is damaged"
        ));
    }
    // The extent (x and y, then z and m when the table has them), a zero byte, and the
    // spatial index's grid sizes.
    let extent = 32 + 16 * (usize::from(table_z) + usize::from(table_m));
    b.take(extent, "its extent")?;
    b.u8("its spatial index grid")?;
    let grids = b.u32("its spatial index grid")?;
    if !(1..=3).contains(&grids) {
        return Err(format!(
            "its spatial index has {grids} grid levels (1 to 3 expected): the table is damaged"
        ));
    }
    b.take(8 * grids as usize, "its spatial index grid")?;
    Ok((
        FieldType::Geometry,
        nullable,
        Some(GeomDesc {
            wkt,
            x_origin,
            y_origin,
            xy_scale,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field-description section (after its size) of long integer fields named `names`.
    fn section(names: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(4u32.to_le_bytes()); // version 10.x
        v.extend(0x0000_0100u32.to_le_bytes()); // no geometry, UTF-8 text
        v.extend((names.len() as u16).to_le_bytes());
        for name in names {
            let units: Vec<u16> = name.encode_utf16().collect();
            v.push(units.len() as u8);
            v.extend(units.iter().flat_map(|u| u.to_le_bytes()));
            v.push(0); // no alias
            v.extend([1, 4, 1, 0]); // long integer, width 4, nullable, no default
        }
        v
    }

    #[test]
    fn fields_are_read_with_their_unicode_names() {
        let h = field_section(&section(&["XH", "权属单位名称"]), 7).unwrap();
        let names: Vec<&str> = h.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["XH", "权属单位名称"]);
        assert!(h
            .fields
            .iter()
            .all(|f| f.kind == FieldType::Int32 && f.nullable));
        assert_eq!(
            (h.null_bytes, h.valid_rows, h.geometry.is_none()),
            (1, 7, true)
        );
    }

    #[test]
    fn blank_and_repeated_names_are_damage() {
        let damaged = |names: &[&str]| match field_section(&section(names), 0) {
            Err(HeaderError::Damaged(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(damaged(&["XH", "xh"]).contains("a second field of this name"));
        assert!(damaged(&["XH", ""]).contains("field 2 of 2 has no name"));
    }
}
