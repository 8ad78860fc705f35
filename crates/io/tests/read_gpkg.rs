//! The GeoPackage reader on files whose every byte is known: `data/gpkg/kinds.gpkg` and
//! `one.gpkg`, written blob by blob by `data/gpkg/make_gpkg.py` (its docstring lists what each
//! feature holds, and the expected values below are those numbers), and `good_gdal.gpkg`, the
//! shapefile `fixtures/bad/good` converted by GDAL:
//!
//! ```sh
//! ogr2ogr -f GPKG crates/io/tests/data/gpkg/good_gdal.gpkg fixtures/bad/good.shp   # GDAL 3.6.2
//! ```
//!
//! which must read exactly as the shapefile does.

use std::path::{Path, PathBuf};

use geo::{
    coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect,
};
use tuban_core::layer::{FieldKind, Value};
use tuban_io::error::ReadError;
use tuban_io::read::{
    list_layers, read_layer, read_layer_filtered, read_layer_noted, split_layer, BoxFilter,
    ReadOptions, Subset,
};

const X0: f64 = 600000.0;
const Y0: f64 = 3303000.0;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gpkg")
        .join(name)
}

fn layer(name: &str) -> ReadOptions {
    ReadOptions {
        layer: Some(name.into()),
        ..Default::default()
    }
}

/// The square of side `s` at (x, y), counter-clockwise from its lower left corner, as the
/// generator writes it.
fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
    LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
}

/// Every field but the two that cannot be read (PIC, a BLOB; BAD, which holds text in fid 2).
fn readable() -> Subset {
    Subset {
        fields: Some(
            ["TBBH", "NAME", "TBMJ", "N", "OK", "D", "T"]
                .map(String::from)
                .to_vec(),
        ),
        ..Default::default()
    }
}

#[test]
fn a_file_of_several_tables_needs_a_name_and_a_wrong_one_lists_them() {
    let path = data("kinds.gpkg");
    let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
    match &e {
        ReadError::NoSuchLayer {
            layer: None,
            available,
            ..
        } => assert_eq!(available, &["patches", "graves", "roads"]),
        other => panic!("{other}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("holds several layers") && msg.contains("FILE:LAYER"),
        "{msg}"
    );
    let e = read_layer(&path, &layer("dltb")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("no layer named \"dltb\"") && msg.contains("patches, graves, roads"),
        "{msg}"
    );
    // An attribute table is not a layer.
    assert!(read_layer(&path, &layer("notes")).is_err());
}

#[test]
fn one_table_needs_no_name_and_names_match_in_any_case() {
    let path = data("one.gpkg");
    let l = read_layer(&path, &ReadOptions::default()).unwrap();
    assert_eq!(l.name, "dltb");
    assert_eq!(l.features.len(), 2);
    assert_eq!(l.crs_text.as_deref(), Some("EPSG:4544"));
    let l2 = read_layer(&path, &layer("DLTB")).unwrap();
    assert_eq!(l2.features, l.features);
    // FILE:LAYER as the command line writes it.
    let (file, name) = split_layer(&format!("{}:dltb", path.display()));
    let l3 = read_layer(
        &file,
        &ReadOptions {
            layer: name,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(l3.features, l.features);
    assert_eq!(
        l.features[0].geometry,
        Some(Geometry::Polygon(Polygon::new(
            square(X0 - 50.0, Y0, 100.0),
            vec![]
        )))
    );
    assert_eq!(l.features[0].values, vec![Value::Text("0301".into())]);
}

#[test]
fn patches_geometry_attributes_and_record_numbers() {
    let read = read_layer_noted(&data("kinds.gpkg"), &layer("patches"), &readable()).unwrap();
    let l = &read.layer;
    assert_eq!(l.name, "patches");
    assert_eq!(l.crs_text.as_deref(), Some("EPSG:4544"));
    assert_eq!(l.encoding.as_deref(), Some("UTF-8 (GeoPackage)"));
    let kinds: Vec<(&str, FieldKind)> =
        l.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("TBBH", FieldKind::Text),
            ("NAME", FieldKind::Text),
            ("TBMJ", FieldKind::Float),
            ("N", FieldKind::Integer),
            ("OK", FieldKind::Bool),
            ("D", FieldKind::Date),
            ("T", FieldKind::Text),
        ]
    );
    let records: Vec<usize> = l.features.iter().map(|f| f.record).collect();
    assert_eq!(records, [1, 2, 3, 4, 7], "record numbers are the fids");

    let f = &l.features;
    assert_eq!(
        f[0].geometry,
        Some(Geometry::Polygon(Polygon::new(
            square(X0, Y0, 100.0),
            vec![]
        )))
    );
    let hole = LineString::from(vec![
        (X0 + 225.0, Y0 + 25.0),
        (X0 + 225.0, Y0 + 75.0),
        (X0 + 275.0, Y0 + 75.0),
        (X0 + 275.0, Y0 + 25.0),
        (X0 + 225.0, Y0 + 25.0),
    ]);
    assert_eq!(
        f[1].geometry,
        Some(Geometry::MultiPolygon(MultiPolygon(vec![
            Polygon::new(square(X0 + 200.0, Y0, 100.0), vec![hole]),
            Polygon::new(square(X0 + 400.0, Y0, 100.0), vec![]),
        ]))),
        "big-endian header and WKB"
    );
    assert_eq!(f[2].geometry, None, "NULL geometry");
    assert_eq!(
        f[3].geometry,
        Some(Geometry::MultiPolygon(MultiPolygon(vec![]))),
        "empty geometry"
    );
    assert_eq!(
        f[4].geometry,
        Some(Geometry::Polygon(Polygon::new(
            square(X0, Y0 + 200.0, 100.0),
            vec![]
        ))),
        "PolygonZ read in 2D"
    );
    assert_eq!(
        read.notes,
        [format!(
            "{}: layer patches: Z values (heights) dropped; tuban works in 2D (x and y)",
            data("kinds.gpkg").display()
        )]
    );

    let t = |s: &str| Value::Text(s.into());
    assert_eq!(
        f[0].values,
        [
            t("P1"),
            t("狮子村"),
            Value::Float(10000.0),
            Value::Int(1),
            Value::Bool(true),
            t("2024-03-15"),
            t("2024-03-15T08:30:00.000Z"),
        ]
    );
    assert_eq!(
        f[1].values,
        [
            t("P2"),
            t("隘口村"),
            Value::Float(17500.0),
            Value::Int(2),
            Value::Bool(false),
            Value::Null,
            Value::Null,
        ]
    );
    assert_eq!(f[2].values[1..], vec![Value::Null; 6][..]);
    assert_eq!(f[3].values[1], t(""), "an empty string stays one");
    assert_eq!(f[4].values[3], Value::Int(-7));
    assert_eq!(f[4].values[5], t("2020-02-29"));
}

#[test]
fn a_bad_value_fails_only_when_its_field_is_read() {
    let path = data("kinds.gpkg");
    // Every field: the BLOB column is refused first, naming it.
    let e = read_layer(&path, &layer("patches")).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("field PIC") && msg.contains("BLOB"), "{msg}");
    // BAD holds the text "12,5" in fid 2 (GDAL reads it as 12).
    let subset = Subset {
        fields: Some(vec!["TBBH".into(), "bad".into()]),
        ..Default::default()
    };
    let e = read_layer_filtered(&path, &layer("patches"), &subset).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: layer patches, feature 2, field BAD: holds the text \"12,5\", which is not a \
             number; fix the value in the attribute table",
            path.display()
        )
    );
    assert_eq!(e.record(), Some(2));
    // Without BAD, fid 2 reads.
    assert!(read_layer_filtered(&path, &layer("patches"), &readable()).is_ok());
}

#[test]
fn box_subsets_agree_with_the_full_read_with_and_without_the_index() {
    let path = data("kinds.gpkg");
    let whole = read_layer_filtered(&path, &layer("patches"), &readable())
        .unwrap()
        .0;
    // The area around P1 only: P2 (x + 200..) and P7 (y + 200..) are left out; the NULL (fid
    // 3) and empty (fid 4) geometries are kept.
    let area = Rect::new(
        coord! {x: X0 - 10.0, y: Y0 - 10.0},
        coord! {x: X0 + 150.0, y: Y0 + 150.0},
    );
    let meets = move |r: &Rect<f64>| {
        r.min().x <= area.max().x
            && r.max().x >= area.min().x
            && r.min().y <= area.max().y
            && r.max().y >= area.min().y
    };
    for (what, filter) in [
        ("R-tree (meeting)", BoxFilter::meeting(area)),
        ("R-tree (growing)", BoxFilter::growing(meets)),
        ("no index (new)", BoxFilter::new(meets)),
    ] {
        assert_eq!(filter.grows(), what.starts_with("R-tree"));
        let subset = Subset {
            keep: Some(filter),
            ..readable()
        };
        let (l, out) = read_layer_filtered(&path, &layer("patches"), &subset).unwrap();
        let records: Vec<usize> = l.features.iter().map(|f| f.record).collect();
        assert_eq!(records, [1, 3, 4], "{what}");
        assert_eq!(out, 2, "{what}");
        for f in &l.features {
            let w = whole
                .features
                .iter()
                .find(|w| w.record == f.record)
                .unwrap();
            assert_eq!(f, w, "{what}");
        }
    }
    // Nothing kept but what has no box.
    let subset = Subset {
        keep: Some(BoxFilter::growing(|_| false)),
        ..readable()
    };
    let (l, out) = read_layer_filtered(&path, &layer("patches"), &subset).unwrap();
    assert_eq!((l.features.len(), out), (2, 3));
    // Points have no envelope: their box is the point.
    let subset = Subset {
        keep: Some(BoxFilter::new(|r| r.min().x > X0 + 200.0)),
        ..Default::default()
    };
    let (l, out) = read_layer_filtered(&path, &layer("graves"), &subset).unwrap();
    let records: Vec<usize> = l.features.iter().map(|f| f.record).collect();
    assert_eq!((records, out), (vec![2, 3, 4], 1));
}

#[test]
fn graves_points_of_both_byte_orders_and_an_empty_one() {
    let l = read_layer(&data("kinds.gpkg"), &layer("graves")).unwrap();
    let g: Vec<_> = l.features.iter().map(|f| f.geometry.clone()).collect();
    assert_eq!(
        g,
        [
            Some(Geometry::Point(Point::new(X0 + 50.0, Y0 + 50.0))),
            Some(Geometry::Point(Point::new(X0 + 250.0, Y0 + 50.0))),
            None,
            Some(Geometry::MultiPoint(MultiPoint(vec![
                Point::new(X0 + 450.0, Y0 + 50.0),
                Point::new(X0 + 460.0, Y0 + 60.0)
            ]))),
        ]
    );
    let sl: Vec<_> = l.features.iter().map(|f| f.values[0].clone()).collect();
    assert_eq!(
        sl,
        [Value::Int(1), Value::Int(2), Value::Int(0), Value::Int(3)]
    );
}

#[test]
fn roads_state_their_crs_by_wkt_and_their_m_values_are_noted() {
    let path = data("kinds.gpkg");
    let read = read_layer_noted(&path, &layer("roads"), &Subset::default()).unwrap();
    let prj = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erping/patches.prj"),
    )
    .unwrap();
    assert_eq!(read.layer.crs_text.as_deref(), Some(prj.trim()));
    assert!(
        read.notes[0].contains("M values (measures) dropped"),
        "{:?}",
        read.notes
    );
    assert_eq!(
        read.layer.features[0].geometry,
        Some(Geometry::LineString(LineString::from(vec![
            (X0, Y0 + 150.0),
            (X0 + 500.0, Y0 + 150.0)
        ])))
    );
    assert_eq!(
        read.layer.features[1].geometry,
        Some(Geometry::MultiLineString(MultiLineString(vec![
            LineString::from(vec![(X0, Y0), (X0, Y0 + 300.0)]),
            LineString::from(vec![(X0 + 10.0, Y0), (X0 + 10.0, Y0 + 300.0)]),
        ])))
    );
}

#[test]
fn list_layers_describes_every_table_without_reading_it() {
    let infos = list_layers(&data("kinds.gpkg")).unwrap();
    let rows: Vec<(&str, &str, usize, Option<&str>)> = infos
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.geometry_type.as_str(),
                i.feature_count,
                i.crs_text.as_deref(),
            )
        })
        .collect();
    assert_eq!(rows[0], ("patches", "MULTIPOLYGON Z", 5, Some("EPSG:4544")));
    assert_eq!(rows[1], ("graves", "POINT", 4, Some("EPSG:4544")));
    assert_eq!(
        (rows[2].0, rows[2].1, rows[2].2),
        ("roads", "LINESTRING M", 2)
    );
    assert!(rows[2]
        .3
        .unwrap()
        .starts_with("PROJCS[\"CGCS2000_3_Degree_GK_CM_105E\""));
    assert_eq!(infos.len(), 3);
    assert!(infos[0].notes[0].contains("Z values"));
    let table = tuban_io::read::LayerInfo::table(Path::new("kinds.gpkg"), &infos);
    assert!(table.starts_with("kinds.gpkg holds 3 layers:"), "{table}");
    assert!(
        table.contains("\n  graves   POINT                  4  EPSG:4544"),
        "{table}"
    );
    // A shapefile is one layer, named after its file.
    let shp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad/good.shp");
    let one = list_layers(&shp).unwrap();
    assert_eq!(
        (one.len(), one[0].name.as_str(), one[0].feature_count),
        (1, "good", 3)
    );
    assert_eq!(one[0].geometry_type, "Polygon");
}

#[test]
fn gdal_conversion_of_a_shapefile_reads_as_the_shapefile() {
    let shp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad/good.shp");
    let a = read_layer(&shp, &ReadOptions::default()).unwrap();
    let b = read_layer(&data("good_gdal.gpkg"), &ReadOptions::default()).unwrap();
    assert_eq!(b.name, "good");
    assert_eq!(a.fields, b.fields);
    assert_eq!(a.features, b.features);
    assert_eq!(b.crs_text.as_deref(), Some("EPSG:4544"));
    // Both settle to the same CRS.
    let ca = tuban_core::reproject::layer_crs(&a, None, None).unwrap();
    let cb = tuban_core::reproject::layer_crs(&b, None, None).unwrap();
    assert_eq!(ca.crs, cb.crs);
    // Through GDAL's R-tree (ids 1..=3, all indexed: the table is not even counted), as the
    // shapefile's stored boxes give.
    let area = Rect::new(
        coord! {x: X0 + 150.0, y: Y0},
        coord! {x: X0 + 250.0, y: Y0 + 10.0},
    );
    let subset = Subset {
        keep: Some(BoxFilter::meeting(area)),
        ..Default::default()
    };
    let (sa, oa) = read_layer_filtered(&shp, &ReadOptions::default(), &subset).unwrap();
    let (sb, ob) =
        read_layer_filtered(&data("good_gdal.gpkg"), &ReadOptions::default(), &subset).unwrap();
    assert_eq!((sb.features.len(), ob), (1, 2));
    assert_eq!((sa.features, oa), (sb.features, ob));
}

#[test]
fn text_decoding_can_be_overridden() {
    let l = read_layer(
        &data("one.gpkg"),
        &ReadOptions {
            encoding: Some("GBK".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(l.encoding.as_deref(), Some("GBK (given by the user)"));
    assert_eq!(l.features[0].values[0], Value::Text("0301".into()));
}

#[test]
fn the_index_is_what_a_growing_filter_consults() {
    // A copy whose R-tree puts fid 1 far away: a growing filter trusts the index (as GDAL and
    // QGIS do) and skips fid 1 without reading it; a plain filter reads every feature.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("moved.gpkg");
    std::fs::copy(data("kinds.gpkg"), &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute(
        "UPDATE rtree_patches_geom SET minx = 0, maxx = 1, miny = 0, maxy = 1 WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let area = Rect::new(coord! {x: X0, y: Y0}, coord! {x: X0 + 50.0, y: Y0 + 50.0});
    let records = |filter: BoxFilter| -> Vec<usize> {
        let subset = Subset {
            keep: Some(filter),
            ..readable()
        };
        let (l, _) = read_layer_filtered(&copy, &layer("patches"), &subset).unwrap();
        l.features.iter().map(|f| f.record).collect()
    };
    assert_eq!(records(BoxFilter::meeting(area)), [3, 4]);
    let plain = BoxFilter::new(move |r| {
        r.min().x <= area.max().x
            && r.max().x >= area.min().x
            && r.min().y <= area.max().y
            && r.max().y >= area.min().y
    });
    assert_eq!(records(plain), [1, 3, 4]);
}

#[test]
fn a_geometry_in_another_srs_than_its_column_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("srs.gpkg");
    std::fs::copy(data("kinds.gpkg"), &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    // Grave 1's header (little endian) says srs_id 4545 (0x11C1), its column 4544.
    conn.execute(
        "UPDATE graves SET geom = CAST(substr(geom, 1, 4) || X'C1110000' || substr(geom, 9) \
         AS BLOB) WHERE fid = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let e = read_layer(&copy, &layer("graves")).unwrap_err().to_string();
    assert!(
        e.contains("layer graves, feature 1: the geometry says it is in srs_id 4545"),
        "{e}"
    );
    // 0 (undefined) is tolerated.
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute(
        "UPDATE graves SET geom = CAST(substr(geom, 1, 4) || X'00000000' || substr(geom, 9) \
         AS BLOB) WHERE fid = 1",
        [],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        read_layer(&copy, &layer("graves")).unwrap().features.len(),
        4
    );
}
