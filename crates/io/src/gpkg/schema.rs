//! What a GeoPackage says about its feature tables: which there are, their columns, their CRS,
//! their spatial index. Read from `gpkg_contents`, `gpkg_geometry_columns`,
//! `gpkg_spatial_ref_sys` and SQLite's own catalogue; nothing here reads a feature.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use tuban_core::crs::Crs;
use tuban_core::layer::FieldKind;

use crate::error::ReadError;

/// An open GeoPackage (read-only).
pub(crate) struct Gpkg {
    pub path: PathBuf,
    pub conn: Connection,
}

/// A feature table as `gpkg_contents` and `gpkg_geometry_columns` describe it.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The table's name as in `gpkg_contents`.
    pub name: String,
    /// The geometry column's name.
    pub geometry_column: String,
    /// The declared geometry type, upper case (`MULTIPOLYGON`, `GEOMETRY`, ...).
    pub geometry_type: String,
    /// The SRS id.
    pub srs_id: i64,
    /// `gpkg_geometry_columns.z` and `.m`: 0 prohibited, 1 mandatory, 2 optional.
    pub z: i64,
    /// See `z`.
    pub m: i64,
}

/// One column of a feature table, other than the feature id and the geometry.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    /// The declared type as written (`TEXT(20)`, `MEDIUMINT`, ...).
    pub declared: String,
    /// What tuban reads it as; `Err` says why it cannot (only an error if the field is kept).
    pub kind: Result<ColumnKind, String>,
}

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Integer,
    Float,
    Text,
    Bool,
    Date,
    DateTime,
}

impl ColumnKind {
    pub fn field_kind(self) -> FieldKind {
        match self {
            ColumnKind::Integer => FieldKind::Integer,
            ColumnKind::Float => FieldKind::Float,
            ColumnKind::Text | ColumnKind::DateTime => FieldKind::Text,
            ColumnKind::Bool => FieldKind::Bool,
            ColumnKind::Date => FieldKind::Date,
        }
    }
}

/// A table's columns: the feature id, the geometry, the rest.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// The `INTEGER PRIMARY KEY` column (the feature id, `fid` in GDAL's files); `None` for a
    /// view or a table without one.
    pub fid: Option<String>,
    /// The attribute columns in table order.
    pub fields: Vec<Column>,
}

/// `name` quoted as an SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Gpkg {
    /// Opens `path` read-only, checking first that it is an SQLite database.
    pub fn open(path: &Path) -> Result<Gpkg, ReadError> {
        use std::io::Read;
        let mut head = [0u8; 16];
        let mut f = std::fs::File::open(path).map_err(|e| ReadError::io(path, e))?;
        let n = f.read(&mut head).map_err(|e| ReadError::io(path, e))?;
        if n < 16 || &head != b"SQLite format 3\0" {
            let what = if n == 0 {
                "it is empty".to_string()
            } else {
                "it does not start with \"SQLite format 3\"".to_string()
            };
            return Err(ReadError::invalid(
                path,
                format!(
                    "is not a GeoPackage: a GeoPackage is an SQLite database, and {what}; the \
                     file is damaged or is another format named .gpkg: export the layer again"
                ),
            ));
        }
        // Read-only: an input is never written. SQLite may still create the `-shm` file a
        // database in WAL mode needs beside it (as QGIS leaves them).
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error(path, e))?;
        let db = Gpkg {
            path: path.to_path_buf(),
            conn,
        };
        // Reading the catalogue is the first real read: a damaged database fails here.
        for (table, role) in [
            (
                "gpkg_contents",
                "the list of the layers it holds (gpkg_contents)",
            ),
            (
                "gpkg_geometry_columns",
                "the description of its geometry columns (gpkg_geometry_columns)",
            ),
            (
                "gpkg_spatial_ref_sys",
                "its coordinate systems (gpkg_spatial_ref_sys)",
            ),
        ] {
            if !db.has_table(table)? {
                return Err(ReadError::invalid(
                    path,
                    format!(
                        "is an SQLite database but not a GeoPackage: it lacks {role}; export the \
                         layer again as a GeoPackage (QGIS, or ogr2ogr -f GPKG)"
                    ),
                ));
            }
        }
        Ok(db)
    }

    /// Whether a table or view called `name` exists (any letter case, as SQLite compares).
    pub fn has_table(&self, name: &str) -> Result<bool, ReadError> {
        self.conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1 \
                 COLLATE NOCASE",
                [name],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.sql(e))
    }

    /// An SQLite error while reading this file.
    pub fn sql(&self, e: rusqlite::Error) -> ReadError {
        sql_error(&self.path, e)
    }

    /// The feature tables, in the order of `gpkg_contents`.
    pub fn tables(&self) -> Result<Vec<Table>, ReadError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id, g.z, g.m
                 FROM gpkg_contents c JOIN gpkg_geometry_columns g
                   ON g.table_name = c.table_name COLLATE NOCASE
                 WHERE c.data_type = 'features' COLLATE NOCASE
                 ORDER BY c.rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Table {
                    name: r.get(0)?,
                    geometry_column: r.get(1)?,
                    geometry_type: r.get::<_, String>(2)?.to_ascii_uppercase(),
                    srs_id: r.get::<_, Option<i64>>(3)?.unwrap_or(-1),
                    z: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                    m: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The table `asked` names, or the only one when none is named.
    pub fn choose(&self, asked: Option<&str>) -> Result<Table, ReadError> {
        let tables = self.tables()?;
        let names = || tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        let found = match asked {
            None if tables.len() == 1 => Some(tables[0].clone()),
            None => None,
            Some(a) => tables
                .iter()
                .find(|t| t.name == a)
                .or_else(|| tables.iter().find(|t| t.name.eq_ignore_ascii_case(a)))
                .cloned(),
        };
        found.ok_or_else(|| ReadError::NoSuchLayer {
            path: self.path.clone(),
            layer: asked.map(String::from),
            available: names(),
        })
    }

    /// The columns of `table`.
    pub fn columns(&self, table: &Table) -> Result<Columns, ReadError> {
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA table_info({})", quote(&table.name)))
            .map_err(|e| self.sql(e))?;
        // (name, declared type, position in the primary key)
        let info: Vec<(String, String, i64)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get::<_, i64>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sql(e))?;
        if info.is_empty() {
            return Err(ReadError::invalid(
                &self.path,
                format!(
                    "gpkg_contents lists the layer {}, but the file has no such table: the \
                     GeoPackage is damaged; export the layer again",
                    table.name
                ),
            ));
        }
        if !info
            .iter()
            .any(|(n, _, _)| n.eq_ignore_ascii_case(&table.geometry_column))
        {
            return Err(ReadError::invalid(
                &self.path,
                format!(
                    "gpkg_geometry_columns says the geometry of layer {} is in column {}, which \
                     the table does not have: the GeoPackage is damaged; export the layer again",
                    table.name, table.geometry_column
                ),
            ));
        }
        let keys = info.iter().filter(|(_, _, pk)| *pk > 0).count();
        let fid = info
            .iter()
            .find(|(_, t, pk)| keys == 1 && *pk == 1 && t.eq_ignore_ascii_case("INTEGER"))
            .map(|(n, _, _)| n.clone());
        let fields = info
            .into_iter()
            .filter(|(n, _, _)| {
                !n.eq_ignore_ascii_case(&table.geometry_column) && Some(n) != fid.as_ref()
            })
            .map(|(name, declared, _)| {
                let kind = column_kind(&declared);
                Column {
                    name,
                    declared,
                    kind,
                }
            })
            .collect();
        Ok(Columns { fid, fields })
    }

    /// The table's CRS text: `EPSG:NNNN` when `gpkg_spatial_ref_sys` names an EPSG code, else the
    /// WKT `definition`; `None` for the undefined systems (-1 and 0) and a definition of
    /// `undefined`. An EPSG code and a WKT that tuban both recognises and that disagree are an
    /// error (which one the data follows cannot be told).
    pub fn crs_text(&self, table: &Table) -> Result<Option<String>, ReadError> {
        // (srs_name, organization, organization_coordsys_id, definition)
        type SrsRow = (String, Option<String>, Option<i64>, Option<String>);
        let row: Option<SrsRow> = self
            .conn
            .query_row(
                "SELECT srs_name, organization, organization_coordsys_id, definition
                 FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
                [table.srs_id],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some((srs_name, organization, code, definition)) = row else {
            if table.srs_id == 0 || table.srs_id == -1 {
                return Ok(None);
            }
            return Err(ReadError::invalid(
                &self.path,
                format!(
                    "layer {} has srs_id {}, which gpkg_spatial_ref_sys does not define: the \
                     GeoPackage is damaged; export the layer again",
                    table.name, table.srs_id
                ),
            ));
        };
        let definition = definition
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("undefined"));
        let epsg = match (organization.as_deref(), code) {
            (Some(o), Some(c)) if o.trim().eq_ignore_ascii_case("EPSG") && c > 0 => Some(c),
            _ => None,
        };
        let Some(code) = epsg else {
            // -1 and 0 are the standard's undefined systems, whatever their definition says.
            if table.srs_id == 0 || table.srs_id == -1 {
                return Ok(None);
            }
            return Ok(definition);
        };
        if let (Some(def), Ok(by_code)) = (&definition, Crs::from_epsg(code as u32)) {
            if let Ok(by_wkt) = Crs::from_wkt(def) {
                if by_wkt.crs != by_code {
                    return Err(ReadError::invalid(
                        &self.path,
                        format!(
                            "gpkg_spatial_ref_sys row {} (\"{srs_name}\") names EPSG:{code} \
                             ({by_code}) but its WKT definition describes {} ({}): the two \
                             disagree and tuban cannot tell which one the coordinates follow; \
                             fix the row (or export the layer again with the right CRS)",
                            table.srs_id, by_wkt.crs, by_wkt.how
                        ),
                    ));
                }
            }
        }
        Ok(Some(format!("EPSG:{code}")))
    }

    /// The name of the table's R-tree spatial index (`rtree_<table>_<column>`), if it has one.
    pub fn rtree(&self, table: &Table) -> Result<Option<String>, ReadError> {
        let name = format!("rtree_{}_{}", table.name, table.geometry_column);
        let sql: Option<String> = self
            .conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                [&name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .flatten();
        Ok(sql
            .filter(|s| s.to_ascii_lowercase().contains("using rtree"))
            .map(|_| name))
    }

    /// The number of rows of `table`.
    pub fn count(&self, table: &Table) -> Result<usize, ReadError> {
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM {}", quote(&table.name)),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as usize)
            .map_err(|e| self.sql(e))
    }
}

/// How a column of this declared type is read: the GeoPackage types by name (BOOLEAN, DATE,
/// DATETIME), the others by SQLite's affinity rules (clause 3.1 of SQLite's "Datatypes"
/// page), as any SQLite reader sees them.
pub(crate) fn column_kind(declared: &str) -> Result<ColumnKind, String> {
    let t = declared.trim().to_ascii_uppercase();
    let base = t.split('(').next().unwrap_or("").trim();
    Ok(match base {
        "BOOLEAN" => ColumnKind::Bool,
        "DATE" => ColumnKind::Date,
        "DATETIME" => ColumnKind::DateTime,
        _ if t.contains("INT") => ColumnKind::Integer,
        _ if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") => ColumnKind::Text,
        _ if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") => ColumnKind::Float,
        _ if t.contains("BLOB") => {
            return Err(
                "is a BLOB column (binary data), which tuban does not read; delete the \
                        field, or turn it into a text field, and export the layer again"
                    .into(),
            )
        }
        "" => {
            return Err(
                "has no declared type, so its values may be of any kind; give it a type \
                        (TEXT, INTEGER, REAL, ...) and export the layer again"
                    .into(),
            )
        }
        // NUMERIC affinity: NUMERIC, DECIMAL(10,2), ...
        _ => ColumnKind::Float,
    })
}

/// An SQLite error as a [`ReadError`] on `path`, with advice for the common ones.
pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> ReadError {
    use rusqlite::ffi::ErrorCode;
    let advice = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "; the file is not an SQLite database, or is damaged: export the layer again"
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            "; the GeoPackage is damaged: export the layer again (or try QGIS's or sqlite3's \
             .recover on a copy)"
        }
        Some(ErrorCode::DatabaseBusy) => {
            "; another program is writing it: close it there and try again"
        }
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => {
            "; check that the file can be read (a GeoPackage in WAL mode also needs its folder \
             writable, or its -wal and -shm files beside it)"
        }
        _ => "",
    };
    ReadError::invalid(path, format!("SQLite could not read it: {e}{advice}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types() {
        for (t, k) in [
            ("INTEGER", ColumnKind::Integer),
            ("MEDIUMINT", ColumnKind::Integer),
            ("TINYINT", ColumnKind::Integer),
            ("REAL", ColumnKind::Float),
            ("DOUBLE", ColumnKind::Float),
            ("FLOAT", ColumnKind::Float),
            ("TEXT", ColumnKind::Text),
            ("TEXT(20)", ColumnKind::Text),
            ("VARCHAR(8)", ColumnKind::Text),
            ("boolean", ColumnKind::Bool),
            ("DATE", ColumnKind::Date),
            ("DATETIME", ColumnKind::DateTime),
            ("NUMERIC(12,2)", ColumnKind::Float),
        ] {
            assert_eq!(column_kind(t), Ok(k), "{t}");
        }
        assert!(column_kind("BLOB").unwrap_err().contains("BLOB"));
        assert!(column_kind("").is_err());
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
