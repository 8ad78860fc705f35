//! The geodatabase's catalog (`a00000001.gdbtable`): which tables there are, and which of them
//! are feature classes.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::Serialize;
use tuban_core::layer::Value;

use super::{decode_all, open, table_paths, Files};
use crate::error::ReadError;
use crate::read::Subset;

/// A feature class of a File Geodatabase, as `tuban inspect x.gdb` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureClass {
    /// Its name, as layers are selected (`x.gdb:NAME`, `layer = "NAME"`).
    pub name: String,
    /// The geometry type its table declares: `Point`, `MultiPoint`, `Polyline`, `Polygon` or
    /// `MultiPatch`, followed by ` Z`, ` M` or ` ZM` when its shapes carry those (tuban reads x
    /// and y only).
    pub geometry_type: String,
    /// The number of rows (features), as the table's header counts them.
    pub count: u64,
    /// The CRS as the geometry column states it (ESRI WKT); `None` when it states none.
    pub crs_text: Option<String>,
}

/// A table the catalog lists.
struct Entry {
    number: u32,
    name: String,
    /// Stored in ArcGIS's compressed format (`.gdbtable.cdf`), which tuban does not read.
    compressed: bool,
}

/// The tables of the geodatabase `gdb` whose files exist (plain or compressed), by table
/// number and name, without the geodatabase's own (`GDB_*`, `VAT_*`).
fn entries(gdb: &Path) -> Result<Vec<Entry>, ReadError> {
    match std::fs::metadata(gdb) {
        Err(e) => return Err(ReadError::io(gdb, e)),
        Ok(m) if !m.is_dir() => {
            return Err(ReadError::invalid(
                gdb,
                "is not a folder: a File Geodatabase is a folder whose name ends in .gdb; give \
                 the folder's path",
            ))
        }
        Ok(_) => {}
    }
    let (table, tablx) = table_paths(gdb, 1);
    let file = match File::open(&table) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::invalid(
                gdb,
                "holds no a00000001.gdbtable (the catalog of a File Geodatabase): it is not a \
                 File Geodatabase, or was copied incompletely; copy the whole .gdb folder",
            ))
        }
        Err(e) => return Err(ReadError::io(&table, e)),
    };
    let len = file.metadata().map_err(|e| ReadError::io(&table, e))?.len();
    let tablx_bytes = match std::fs::read(&tablx) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ReadError::io(&tablx, e)),
    };
    let label = gdb.to_path_buf();
    let files = Files {
        table: &table,
        tablx: &tablx,
        label: &label,
        class: "the catalog",
        what: "the catalog".into(),
    };
    let mut opened = open(&files, BufReader::new(file), len)?;
    let has = |name: &str, ints: bool| {
        opened.header.fields.iter().any(|f| {
            f.name == name
                && if ints {
                    matches!(
                        f.kind,
                        super::table::FieldType::Int16 | super::table::FieldType::Int32
                    )
                } else {
                    f.kind == super::table::FieldType::String
                }
        })
    };
    if !has("Name", false) || !has("FileFormat", true) {
        return Err(ReadError::invalid(
            &table,
            "lacks the Name and FileFormat columns of a File Geodatabase catalog: the \
             geodatabase is damaged; copy the .gdb folder again",
        ));
    }
    let subset = Subset {
        fields: Some(vec!["Name".into()]),
        ..Default::default()
    };
    let (fields, rows, _) = decode_all(&files, &mut opened, tablx_bytes.as_deref(), &subset)?;
    let name_at = fields
        .iter()
        .position(|f| f.name == "Name")
        .expect("the Name column is kept");
    let mut names = Vec::with_capacity(rows.len());
    for row in rows {
        if let Value::Text(name) = &row.values[name_at] {
            let number = u32::try_from(row.record).unwrap_or(u32::MAX);
            names.push((number, name.clone()));
        }
    }
    let has_name = |n: &str| names.iter().any(|(_, m)| m == n);
    if has_name("GDB_FeatureClasses") && !has_name("GDB_Items") {
        return Err(ReadError::invalid(
            gdb,
            "is a version 9 File Geodatabase (ArcGIS 9.x), which tuban does not read; in \
             ArcGIS, upgrade it (Upgrade Geodatabase) or copy its feature classes into a \
             version 10 geodatabase",
        ));
    }
    Ok(names
        .into_iter()
        .filter(|(_, name)| {
            let lower = name.to_ascii_lowercase();
            !(lower.starts_with("gdb_") || lower.starts_with("vat_"))
        })
        .filter_map(|(number, name)| {
            let table = table_paths(gdb, number).0;
            let mut cdf = table.clone().into_os_string();
            cdf.push(".cdf");
            let compressed = !table.is_file() && Path::new(&cdf).is_file();
            (table.is_file() || compressed).then_some(Entry {
                number,
                name,
                compressed,
            })
        })
        .collect())
}

/// The feature classes of the File Geodatabase `gdb` (the `.gdb` folder), in catalog order:
/// its tables that have a geometry column, without the geodatabase's own (`GDB_*`, `VAT_*`).
/// Reads the catalog and each table's header, not the rows. Tables stored compressed (ArcGIS's
/// "Compress File Geodatabase Data": `.gdbtable.cdf` files) cannot be opened and are not
/// listed; reading one by name says so.
///
/// A table whose header cannot be read is an error naming it (the geodatabase is damaged, or
/// of a version tuban does not read), rather than a shorter list.
pub fn list_feature_classes(gdb: &Path) -> Result<Vec<FeatureClass>, ReadError> {
    let mut out = Vec::new();
    for Entry { number, name, .. } in entries(gdb)?.into_iter().filter(|e| !e.compressed) {
        let (table, tablx) = table_paths(gdb, number);
        let file = File::open(&table).map_err(|e| ReadError::io(&table, e))?;
        let len = file.metadata().map_err(|e| ReadError::io(&table, e))?.len();
        let label = super::row::label(gdb, &name);
        let files = Files {
            table: &table,
            tablx: &tablx,
            label: &label,
            class: &name,
            what: format!("feature class {name}"),
        };
        let header = open(&files, BufReader::new(file), len)?.header;
        if let Some((_, geom)) = &header.geometry {
            let wkt = geom.wkt.trim();
            out.push(FeatureClass {
                geometry_type: header.geometry_type_name(),
                count: header.valid_rows,
                crs_text: (!wkt.is_empty() && !wkt.starts_with('{')).then(|| wkt.to_string()),
                name,
            });
        }
    }
    Ok(out)
}

/// The feature class to read: the one named (exactly, else ignoring ASCII case), or the only
/// one; its name as the catalog spells it and its table number.
pub(super) fn choose(gdb: &Path, layer: Option<&str>) -> Result<(String, u32), ReadError> {
    let missing = |layer: Option<&str>| -> ReadError {
        match list_feature_classes(gdb) {
            Ok(classes) => ReadError::NoSuchLayer {
                path: gdb.to_path_buf(),
                layer: layer.map(str::to_string),
                available: classes.into_iter().map(|c| c.name).collect(),
            },
            Err(e) => e,
        }
    };
    let tables = entries(gdb)?;
    let chosen = match layer {
        Some(asked) => {
            let exact = tables.iter().find(|e| e.name == asked);
            let loose: Vec<&Entry> = tables
                .iter()
                .filter(|e| e.name.eq_ignore_ascii_case(asked))
                .collect();
            match (exact, loose.as_slice()) {
                (Some(e), _) | (None, &[e]) => e,
                _ => return Err(missing(Some(asked))),
            }
        }
        None => {
            let classes = list_feature_classes(gdb)?;
            let [only] = classes.as_slice() else {
                return Err(missing(None));
            };
            tables
                .iter()
                .find(|e| !e.compressed && e.name == only.name)
                .expect("a feature class is a table")
        }
    };
    if chosen.compressed {
        return Err(ReadError::invalid(
            &table_paths(gdb, chosen.number).0,
            format!(
                "{} is stored compressed (ArcGIS's Compress File Geodatabase Data, a .cdf file), \
                 a format whose description is not public and which tuban does not read; in \
                 ArcGIS, run Uncompress File Geodatabase Data, or export the feature class",
                chosen.name
            ),
        ));
    }
    Ok((chosen.name.clone(), chosen.number))
}
