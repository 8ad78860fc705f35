//! The report as an OGC GeoPackage (`.gpkg`): one SQLite file with two feature layers,
//! `patches` (every column of [`Report::columns`], under the CSV's names) and `obstacles` (each
//! class's geometry inside each patch, see [`super::pieces`]; empty when the run kept none).
//!
//! Written through SQLite itself (rusqlite, SQLite built in), following GeoPackage 1.3
//! (`application_id` `GPKG`, `user_version` 10300, the version GDAL 3.6 and later, QGIS and
//! ArcGIS Pro read without remark):
//!
//! * `gpkg_spatial_ref_sys` with the three rows the standard requires (-1, 0, 4326) and the
//!   report's CRS under its EPSG code, defined by OGC WKT 1 with EPSG authority codes (the text
//!   `gdalsrsinfo -o wkt1 EPSG:NNNN` prints); a report without a CRS uses -1 (undefined
//!   Cartesian);
//! * `gpkg_contents` with each layer's extent, `gpkg_geometry_columns` (`geom`, `MULTIPOLYGON`,
//!   no Z or M);
//! * geometries as GeoPackage binary: the `GP` header with the SRS id and the xy envelope, then
//!   little-endian WKB MultiPolygons, exteriors counter-clockwise; a patch without geometry has
//!   a NULL `geom`;
//! * a spatial index per layer: the `rtree_<table>_geom` virtual table, filled directly, with
//!   the standard triggers that keep it up to date when the layer is edited later (in QGIS), and
//!   the `gpkg_rtree_index` extension registered in `gpkg_extensions`.
//!
//! Numbers are `REAL`, unrounded (the same `f64` as the CSV); counts `MEDIUMINT` (32-bit); text `TEXT`
//! (UTF-8, as SQLite stores it); an empty cell is NULL. The file is written under a temporary
//! name beside the target and renamed into place when complete.

use std::path::Path;

use geo::orient::{Direction, Orient};
use geo::{BoundingRect, MultiPolygon, Rect};
use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection};
use tuban_core::crs::{Crs, Datum};
use tuban_core::report::{Cell, Report, Unit};

use super::pieces::{pieces, PIECE_FIELDS};
use super::WriteError;

/// The SQLite `application_id` of a GeoPackage: `GPKG` in ASCII.
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// The SQLite `user_version` written: GeoPackage 1.3.0.
pub const USER_VERSION: i32 = 10300;

/// Writes the GeoPackage `path` with the layers `patches` and `obstacles`, whole or not at all.
pub fn write(report: &Report, path: &Path) -> Result<(), WriteError> {
    let io = |source: std::io::Error| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let sql = |e: rusqlite::Error| io(std::io::Error::other(e));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tuban-")
        .suffix(".gpkg.part")
        .tempfile_in(&dir)
        .map_err(io)?
        .into_temp_path();
    {
        let mut conn = Connection::open(&tmp).map_err(sql)?;
        fill(&mut conn, report).map_err(sql)?;
        conn.close().map_err(|(_, e)| sql(e))?;
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644));
    }
    Ok(())
}

/// A column of a feature table: name, SQL type, and each row's value.
struct Column {
    name: String,
    sql_type: &'static str,
}

fn sql_type(unit: Unit) -> &'static str {
    match unit {
        Unit::Text => "TEXT",
        // MEDIUMINT: 32 bits, which GDAL reads as an Integer (INTEGER would be Integer64).
        Unit::Count => "MEDIUMINT",
        _ => "REAL",
    }
}

fn fill(conn: &mut Connection, report: &Report) -> rusqlite::Result<()> {
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", USER_VERSION)?;
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (
            srs_name TEXT NOT NULL,
            srs_id INTEGER NOT NULL PRIMARY KEY,
            organization TEXT NOT NULL,
            organization_coordsys_id INTEGER NOT NULL,
            definition TEXT NOT NULL,
            description TEXT
        );
        CREATE TABLE gpkg_contents (
            table_name TEXT NOT NULL PRIMARY KEY,
            data_type TEXT NOT NULL,
            identifier TEXT UNIQUE,
            description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE,
            min_y DOUBLE,
            max_x DOUBLE,
            max_y DOUBLE,
            srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
        );
        CREATE TABLE gpkg_geometry_columns (
            table_name TEXT NOT NULL,
            column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL,
            srs_id INTEGER NOT NULL,
            z TINYINT NOT NULL,
            m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT uk_gc_table_name UNIQUE (table_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
        );
        CREATE TABLE gpkg_extensions (
            table_name TEXT,
            column_name TEXT,
            extension_name TEXT NOT NULL,
            definition TEXT NOT NULL,
            scope TEXT NOT NULL,
            CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
        );",
    )?;
    let srs_rows: [(&str, i64, &str, i64, String, &str); 3] = [
        (
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined".into(),
            "undefined cartesian coordinate reference system",
        ),
        (
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined".into(),
            "undefined geographic coordinate reference system",
        ),
        (
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            ogc_wkt(&Crs::from_epsg(4326).expect("EPSG:4326")),
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
        ),
    ];
    for (name, id, org, code, def, desc) in &srs_rows {
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, id, org, code, def, desc],
        )?;
    }
    let srs_id: i64 = match report.crs {
        Some(crs) => {
            let id = i64::from(crs.epsg());
            if id != 4326 {
                tx.execute(
                    "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, ?4)",
                    params![crs.name(), id, ogc_wkt(&crs), crs.to_string()],
                )?;
            }
            id
        }
        None => -1,
    };

    // The patches.
    let columns = report.columns();
    let cols: Vec<Column> = columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            sql_type: sql_type(c.unit),
        })
        .collect();
    let geoms: Vec<Option<&MultiPolygon<f64>>> = report
        .patches
        .iter()
        .map(|p| Some(&p.geometry).filter(|g| !g.0.is_empty()))
        .collect();
    let rows = (0..report.patches.len()).map(|i| {
        columns
            .iter()
            .map(|c| match report.cell(i, c) {
                Cell::Text(s) => Sql::Text(s),
                Cell::Number(v) if c.unit == Unit::Count => Sql::Integer(v as i64),
                Cell::Number(v) => Sql::Real(v),
                Cell::Empty => Sql::Null,
            })
            .collect::<Vec<Sql>>()
    });
    layer(
        &tx,
        "patches",
        "整改图斑及其障碍测算结果 (rectification patches and what stands in the way)",
        srs_id,
        &cols,
        &geoms,
        rows,
    )?;

    // The obstacle pieces.
    let all = pieces(report);
    let cols: Vec<Column> = PIECE_FIELDS
        .iter()
        .map(|(n, u)| Column {
            name: n.to_string(),
            sql_type: sql_type(*u),
        })
        .collect();
    let geoms: Vec<Option<&MultiPolygon<f64>>> = all.iter().map(|p| Some(&p.geometry)).collect();
    let rows = all.iter().map(|p| {
        (0..PIECE_FIELDS.len())
            .map(|k| match p.field(k) {
                Ok(s) => Sql::Text(s.to_string()),
                Err(v) => Sql::Real(v),
            })
            .collect::<Vec<Sql>>()
    });
    layer(
        &tx,
        "obstacles",
        "图斑内各类障碍的范围 (each obstacle class inside each patch)",
        srs_id,
        &cols,
        &geoms,
        rows,
    )?;
    tx.commit()
}

/// `name` quoted as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates and fills one feature table with its contents row, geometry column and R-tree.
fn layer(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    description: &str,
    srs_id: i64,
    cols: &[Column],
    geoms: &[Option<&MultiPolygon<f64>>],
    rows: impl Iterator<Item = Vec<Sql>>,
) -> rusqlite::Result<()> {
    let t = ident(table);
    let mut create = format!(
        "CREATE TABLE {t} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON"
    );
    for c in cols {
        create.push_str(&format!(", {} {}", ident(&c.name), c.sql_type));
    }
    create.push(')');
    tx.execute_batch(&create)?;

    let placeholders: Vec<String> = (0..cols.len() + 2).map(|k| format!("?{}", k + 1)).collect();
    let names: Vec<String> = cols.iter().map(|c| ident(&c.name)).collect();
    let insert = format!(
        "INSERT INTO {t} (fid, geom, {}) VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    let rtree = format!("rtree_{table}_geom");
    tx.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
        ident(&rtree)
    ))?;
    let mut extent: Option<Rect<f64>> = None;
    {
        let mut ins = tx.prepare(&insert)?;
        let mut idx = tx.prepare(&format!(
            "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
            ident(&rtree)
        ))?;
        for (k, (g, values)) in geoms.iter().zip(rows).enumerate() {
            let fid = (k + 1) as i64;
            let oriented = g.map(|g| g.orient(Direction::Default));
            let env = oriented.as_ref().and_then(|g| g.bounding_rect());
            let blob = match (&oriented, env) {
                (Some(g), Some(env)) => Sql::Blob(gpkg_geometry(g, srs_id as i32, env)),
                _ => Sql::Null,
            };
            let mut params: Vec<Sql> = vec![Sql::Integer(fid), blob];
            params.extend(values);
            ins.execute(rusqlite::params_from_iter(params))?;
            if let Some(e) = env {
                idx.execute(params![fid, e.min().x, e.max().x, e.min().y, e.max().y])?;
                extent = Some(match extent {
                    None => e,
                    Some(x) => Rect::new(
                        geo::Coord {
                            x: x.min().x.min(e.min().x),
                            y: x.min().y.min(e.min().y),
                        },
                        geo::Coord {
                            x: x.max().x.max(e.max().x),
                            y: x.max().y.max(e.max().y),
                        },
                    ),
                });
            }
        }
    }
    let (x0, y0, x1, y1) = match extent {
        Some(e) => (
            Some(e.min().x),
            Some(e.min().y),
            Some(e.max().x),
            Some(e.max().y),
        ),
        None => (None, None, None, None),
    };
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![table, description, x0, y0, x1, y1, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'MULTIPOLYGON', ?2, 0, 0)",
        params![table, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', \
         'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![table],
    )?;
    tx.execute_batch(&rtree_triggers(table, "geom", "fid"))?;
    Ok(())
}

/// The standard triggers keeping `rtree_<t>_<c>` in step with the table (GeoPackage 1.3,
/// F.3). They call `ST_*` functions that GeoPackage readers (GDAL, QGIS) provide; tuban fills the
/// index itself before creating them, so they never run here.
fn rtree_triggers(t: &str, c: &str, i: &str) -> String {
    let r = format!("rtree_{t}_{c}");
    let (tq, cq, iq, rq) = (ident(t), ident(c), ident(i), ident(&r));
    let insert_new = format!(
        "INSERT OR REPLACE INTO {rq} VALUES (NEW.{iq}, ST_MinX(NEW.{cq}), ST_MaxX(NEW.{cq}), \
         ST_MinY(NEW.{cq}), ST_MaxY(NEW.{cq}));"
    );
    [
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {tq} WHEN (NEW.{cq} NOT NULL AND NOT ST_IsEmpty(NEW.{cq})) \
             BEGIN {insert_new} END;",
            ident(&format!("{r}_insert"))
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {cq} ON {tq} WHEN OLD.{iq} = NEW.{iq} AND \
             (NEW.{cq} NOTNULL AND NOT ST_IsEmpty(NEW.{cq})) BEGIN {insert_new} END;",
            ident(&format!("{r}_update1"))
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {cq} ON {tq} WHEN OLD.{iq} = NEW.{iq} AND \
             (NEW.{cq} ISNULL OR ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rq} WHERE id = OLD.{iq}; END;",
            ident(&format!("{r}_update2"))
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {tq} WHEN OLD.{iq} != NEW.{iq} AND \
             (NEW.{cq} NOTNULL AND NOT ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rq} WHERE id = OLD.{iq}; \
             {insert_new} END;",
            ident(&format!("{r}_update3"))
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {tq} WHEN OLD.{iq} != NEW.{iq} AND \
             (NEW.{cq} ISNULL OR ST_IsEmpty(NEW.{cq})) BEGIN DELETE FROM {rq} WHERE id IN (OLD.{iq}, NEW.{iq}); END;",
            ident(&format!("{r}_update4"))
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {tq} WHEN OLD.{cq} NOT NULL \
             BEGIN DELETE FROM {rq} WHERE id = OLD.{iq}; END;",
            ident(&format!("{r}_delete"))
        ),
    ]
    .join("\n")
}

/// A GeoPackage binary geometry: the `GP` header (version 0, little-endian, xy envelope), then
/// the little-endian WKB of `mp`.
pub fn gpkg_geometry(mp: &MultiPolygon<f64>, srs_id: i32, envelope: Rect<f64>) -> Vec<u8> {
    let mut b = Vec::with_capacity(40 + 9 + mp.0.len() * 64);
    b.extend_from_slice(b"GP");
    b.push(0); // version 1
    b.push(0b0000_0011); // little-endian; envelope [minx, maxx, miny, maxy]
    b.extend_from_slice(&srs_id.to_le_bytes());
    for v in [
        envelope.min().x,
        envelope.max().x,
        envelope.min().y,
        envelope.max().y,
    ] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    super::wkb::write_multipolygon(&mut b, mp);
    b
}

/// The CRS as OGC WKT 1 with EPSG authority codes: what `gdalsrsinfo -o wkt1 EPSG:NNNN` prints
/// on one line (GDAL 3.6), which GeoPackage readers recognise as the EPSG definition.
///
/// ```
/// use tuban_core::crs::Crs;
/// let wkt = tuban_io::write::gpkg::ogc_wkt(&Crs::from_epsg(4544).unwrap());
/// assert!(wkt.starts_with(r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 105E",GEOGCS["China Geodetic Coordinate System 2000""#));
/// assert!(wkt.ends_with(r#"AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4544"]]"#));
/// ```
pub fn ogc_wkt(crs: &Crs) -> String {
    const CGCS2000: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]"#;
    const WGS84: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]"#;
    const METRE: &str = r#"UNIT["metre",1,AUTHORITY["EPSG","9001"]]"#;
    let geogcs = |datum: Datum, axes: bool| {
        let (base, code) = match datum {
            Datum::Cgcs2000 => (CGCS2000, 4490),
            Datum::Wgs84 => (WGS84, 4326),
        };
        let axes = if axes {
            r#",AXIS["Latitude",NORTH],AXIS["Longitude",EAST]"#
        } else {
            ""
        };
        format!(r#"{base}{axes},AUTHORITY["EPSG","{code}"]]"#)
    };
    let code = crs.epsg();
    let tm = |datum, cm: f64, k: f64, fe: f64, fn_: f64, axes: &str| {
        format!(
            r#"PROJCS["{}",{},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{cm}],PARAMETER["scale_factor",{k}],PARAMETER["false_easting",{fe}],PARAMETER["false_northing",{fn_}],{METRE},{axes},AUTHORITY["EPSG","{code}"]]"#,
            crs.name(),
            geogcs(datum, false)
        )
    };
    const NE: &str = r#"AXIS["Northing",NORTH],AXIS["Easting",EAST]"#;
    const EN: &str = r#"AXIS["Easting",EAST],AXIS["Northing",NORTH]"#;
    match *crs {
        Crs::Geographic { datum } => geogcs(datum, true),
        Crs::GaussKruger {
            central_meridian, ..
        } => tm(
            Datum::Cgcs2000,
            f64::from(central_meridian),
            1.0,
            crs.false_easting(),
            0.0,
            NE,
        ),
        Crs::Utm { zone, north } => tm(
            Datum::Wgs84,
            6.0 * f64::from(zone) - 183.0,
            0.9996,
            500_000.0,
            if north { 0.0 } else { 10_000_000.0 },
            EN,
        ),
        Crs::WebMercator => format!(
            r#"PROJCS["WGS 84 / Pseudo-Mercator",{},PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],{METRE},{EN},EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#,
            geogcs(Datum::Wgs84, false)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// The texts `gdalsrsinfo -o wkt1 --single-line` (GDAL 3.6.2) printed.
    #[test]
    fn wkt_is_what_gdal_prints() {
        let cases = [
            (
                4523,
                r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 35",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",1],PARAMETER["false_easting",35500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4523"]]"#,
            ),
            (
                4490,
                r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#,
            ),
            (
                32748,
                r#"PROJCS["WGS 84 / UTM zone 48S",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",10000000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32748"]]"#,
            ),
            (
                3857,
                r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#,
            ),
            (
                4491,
                r#"PROJCS["CGCS2000 / Gauss-Kruger zone 13",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",75],PARAMETER["scale_factor",1],PARAMETER["false_easting",13500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4491"]]"#,
            ),
        ];
        for (code, want) in cases {
            assert_eq!(ogc_wkt(&Crs::from_epsg(code).unwrap()), want, "EPSG:{code}");
        }
    }

    #[test]
    fn geometry_blob_header() {
        let mp = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 0.0, y: 0.0)
        ]]);
        let env = mp.bounding_rect().unwrap();
        let b = gpkg_geometry(&mp, 4544, env);
        assert_eq!(&b[..4], b"GP\x00\x03");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4544);
        assert_eq!(f64::from_le_bytes(b[16..24].try_into().unwrap()), 2.0); // max x
        assert_eq!(b[40], 1); // WKB little-endian
        assert_eq!(u32::from_le_bytes(b[41..45].try_into().unwrap()), 6);
        assert_eq!(b.len(), 40 + 9 + 9 + 4 + 4 * 16);
    }
}
