//! Reading part of a layer (`read::Subset`: some fields, the records whose box passes a test),
//! and the parallel decoding of shapefiles, which must give exactly what decoding the records one
//! after the other gives, errors included.
//!
//! Expected values come from full reads (checked by `read_shp.rs` and `read_geojson.rs` against
//! their own expectations) and from bytes parsed here, never from the subset reads themselves.

use std::path::{Path, PathBuf};

use geo::{coord, BoundingRect, Geometry, Rect};
use tuban_core::layer::{Field, FieldKind, Layer};
use tuban_io::error::ReadError;
use tuban_io::read::{read_layer, read_layer_filtered, BoxFilter, ReadOptions, Subset};

/// The repository's `fixtures/`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// `crates/io/tests/data`.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The Erping land-use layer: 9993 polygons, more than two chunks of the parallel reader.
fn erping_dltb() -> PathBuf {
    fixtures().join("erping/dltb.shp")
}

fn full(path: &Path) -> Layer {
    read_layer(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn read_with(path: &Path, subset: &Subset) -> Result<(Layer, usize), ReadError> {
    read_layer_filtered(path, &ReadOptions::default(), subset)
}

fn fields(names: &[&str]) -> Option<Vec<String>> {
    Some(names.iter().map(|n| n.to_string()).collect())
}

fn serial(subset: Subset) -> Subset {
    Subset {
        serial: true,
        ..subset
    }
}

/// Asserts that two layers are the same in every part.
fn assert_same_layer(a: &Layer, b: &Layer, what: &str) {
    assert_eq!(a.name, b.name, "{what}: name");
    assert_eq!(a.source, b.source, "{what}: source");
    assert_eq!(a.fields, b.fields, "{what}: fields");
    assert_eq!(a.crs_text, b.crs_text, "{what}: crs_text");
    assert_eq!(a.encoding, b.encoding, "{what}: encoding");
    assert_eq!(a.features.len(), b.features.len(), "{what}: feature count");
    for (fa, fb) in a.features.iter().zip(&b.features) {
        assert_eq!(fa, fb, "{what}: record {}", fa.record);
    }
}

/// Whether two boxes meet (overlap or touch), computed coordinate by coordinate.
fn meet(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// The bounding box of a geometry's vertices, computed here by hand.
fn vertex_box(g: &Geometry<f64>) -> Rect<f64> {
    use geo::CoordsIter;
    let mut it = g.coords_iter();
    let first = it.next().expect("a geometry with vertices");
    let (mut lo, mut hi) = (first, first);
    for c in it {
        lo.x = lo.x.min(c.x);
        lo.y = lo.y.min(c.y);
        hi.x = hi.x.max(c.x);
        hi.y = hi.y.max(c.y);
    }
    Rect::new(lo, hi)
}

// ---------------------------------------------------------------------------------------------
// Fields

#[test]
fn only_the_requested_field_is_kept_with_the_same_values() {
    let path = erping_dltb();
    let whole = full(&path);
    let dlbm = whole.field_index("DLBM").expect("the fixture has DLBM");
    for parallel in [true, false] {
        let subset = Subset {
            fields: fields(&["dlbm"]), // any letter case
            serial: !parallel,
            ..Default::default()
        };
        let (layer, filtered_out) = read_with(&path, &subset).unwrap();
        assert_eq!(filtered_out, 0);
        assert_eq!(layer.fields, vec![Field::new("DLBM", FieldKind::Text)]);
        assert_eq!(layer.features.len(), 9993);
        assert_eq!(layer.features.len(), whole.features.len());
        for (f, w) in layer.features.iter().zip(&whole.features) {
            assert_eq!(f.record, w.record);
            assert_eq!(f.geometry, w.geometry, "record {}", f.record);
            assert_eq!(
                f.values,
                vec![w.values[dlbm].clone()],
                "record {}",
                f.record
            );
        }
        assert_eq!(
            (layer.name.as_str(), &layer.encoding),
            ("dltb", &whole.encoding)
        );
    }
}

#[test]
fn kept_fields_are_in_file_order_and_missing_ones_are_absent() {
    let path = erping_dltb();
    let whole = full(&path);
    // The file's order is BSM, TBBH, DLBM, DLMC, QSDWMC, TBMJ, ...: asked in another order, with
    // a name the file lacks and a repeated one.
    let subset = Subset {
        fields: fields(&["TBMJ", "NO_SUCH", "dlbm", "BSM", "Dlbm"]),
        ..Default::default()
    };
    let (layer, _) = read_with(&path, &subset).unwrap();
    let names: Vec<&str> = layer.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["BSM", "DLBM", "TBMJ"]);
    assert_eq!(layer.fields[2].kind, FieldKind::Float);
    let idx: Vec<usize> = ["BSM", "DLBM", "TBMJ"]
        .iter()
        .map(|n| whole.field_index(n).unwrap())
        .collect();
    for (f, w) in layer.features.iter().zip(&whole.features) {
        let expected: Vec<_> = idx.iter().map(|&i| w.values[i].clone()).collect();
        assert_eq!(f.values, expected, "record {}", f.record);
    }
    // No field at all: the geometries alone.
    let (none, _) = read_with(
        &path,
        &Subset {
            fields: Some(vec![]),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(none.fields.is_empty());
    assert!(none.features.iter().all(|f| f.values.is_empty()));
    assert_eq!(none.features.len(), whole.features.len());
}

#[test]
fn a_bad_value_in_a_field_not_kept_does_not_fail_the_layer() {
    // GXSJ of record 2 is 20230231 (no 31 February).
    let path = fixtures().join("bad/invalid_date.shp");
    let expected_msg = format!(
        "{}: record 2, field GXSJ: \"20230231\" is not a date",
        fixtures().join("bad/invalid_date.dbf").display()
    );
    let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
    let full_msg = e.to_string();
    assert!(full_msg.starts_with(&expected_msg), "{full_msg}");
    for parallel in [true, false] {
        let without = Subset {
            fields: fields(&["TBBH", "QSDWMC", "TBMJ"]),
            serial: !parallel,
            ..Default::default()
        };
        let (layer, _) = read_with(&path, &without).unwrap();
        assert_eq!(layer.features.len(), 3);
        let names: Vec<&str> = layer.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["TBBH", "QSDWMC", "TBMJ"]);
        assert_eq!(layer.features[1].values[0].as_text().as_deref(), Some("P2"));
        let with = Subset {
            fields: fields(&["TBBH", "gxsj"]),
            serial: !parallel,
            ..Default::default()
        };
        let e = read_with(&path, &with).unwrap_err();
        assert!(matches!(e, ReadError::Field { record: 2, .. }), "{e:?}");
        assert_eq!(e.to_string(), full_msg);
    }
}

// ---------------------------------------------------------------------------------------------
// The box filter

#[test]
fn the_box_filter_keeps_exactly_the_records_whose_box_meets_the_area() {
    let path = erping_dltb();
    let whole = full(&path);
    let extent = whole
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(vertex_box)
        .reduce(|a, b| {
            Rect::new(
                coord! {x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y)},
                coord! {x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y)},
            )
        })
        .unwrap();
    // The middle third of the extent each way, and a box touching record 100's box from the east
    // (touching counts).
    let (w, h) = (extent.width(), extent.height());
    let middle = Rect::new(
        coord! {x: extent.min().x + w / 3.0, y: extent.min().y + h / 3.0},
        coord! {x: extent.max().x - w / 3.0, y: extent.max().y - h / 3.0},
    );
    let r100 = vertex_box(whole.features[99].geometry.as_ref().unwrap());
    let touching = Rect::new(
        coord! {x: r100.max().x, y: r100.min().y},
        coord! {x: r100.max().x + 1.0, y: r100.max().y},
    );
    for (area, name) in [(middle, "middle"), (touching, "touching record 100")] {
        let expected: Vec<usize> = whole
            .features
            .iter()
            .filter(|f| {
                f.geometry
                    .as_ref()
                    .is_none_or(|g| meet(&vertex_box(g), &area))
            })
            .map(|f| f.record)
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < whole.features.len(),
            "{name}"
        );
        if name.starts_with("touching") {
            assert!(expected.contains(&100));
        }
        for parallel in [true, false] {
            let subset = Subset {
                keep: Some(BoxFilter::meeting(area)),
                serial: !parallel,
                ..Default::default()
            };
            let (layer, filtered_out) = read_with(&path, &subset).unwrap();
            let records: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
            assert_eq!(records, expected, "{name}, parallel {parallel}");
            assert_eq!(
                filtered_out,
                whole.features.len() - expected.len(),
                "{name}"
            );
            // The features kept are those of the full read, untouched.
            for f in &layer.features {
                assert_eq!(f, &whole.features[f.record - 1], "{name}");
            }
            assert_eq!(layer.fields, whole.fields);
        }
    }
}

#[test]
fn the_box_of_a_point_is_the_point() {
    let path = data_dir().join("graves.shp");
    let whole = full(&path);
    let points: Vec<(usize, f64, f64)> = whole
        .features
        .iter()
        .filter_map(|f| match &f.geometry {
            Some(Geometry::Point(p)) => Some((f.record, p.x(), p.y())),
            _ => None,
        })
        .collect();
    assert!(points.len() >= 2);
    // A box whose corner is the first point exactly, reaching away from the others' mean.
    let (_, x0, y0) = points[0];
    let area = Rect::new(coord! {x: x0, y: y0}, coord! {x: x0 + 1e-9, y: y0 + 1e-9});
    let expected: Vec<usize> = whole
        .features
        .iter()
        .filter(|f| match &f.geometry {
            None => true,
            Some(Geometry::Point(p)) => {
                p.x() >= x0 && p.x() <= x0 + 1e-9 && p.y() >= y0 && p.y() <= y0 + 1e-9
            }
            Some(_) => unreachable!(),
        })
        .map(|f| f.record)
        .collect();
    let (layer, filtered_out) = read_with(
        &path,
        &Subset {
            keep: Some(BoxFilter::meeting(area)),
            ..Default::default()
        },
    )
    .unwrap();
    let records: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
    assert_eq!(records, expected);
    assert!(records.contains(&points[0].0));
    assert_eq!(filtered_out, whole.features.len() - expected.len());
}

#[test]
fn null_shapes_are_kept_and_deleted_records_are_not_counted() {
    let nothing = || Subset {
        keep: Some(BoxFilter::new(|_| false)),
        ..Default::default()
    };
    // Record 2 is a null shape: kept whatever the filter says.
    let (layer, out) = read_with(&fixtures().join("bad/null_shape.shp"), &nothing()).unwrap();
    let records: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
    assert_eq!((records, out), (vec![2], 2));
    assert!(layer.features[0].geometry.is_none());
    // Record 2 is deleted: skipped as always, not counted as filtered out.
    let (layer, out) = read_with(&fixtures().join("bad/deleted_record.shp"), &nothing()).unwrap();
    assert_eq!((layer.features.len(), out), (0, 2));
    let (layer, out) = read_with(
        &fixtures().join("bad/deleted_record.shp"),
        &Subset::default(),
    )
    .unwrap();
    let records: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
    assert_eq!((records, out), (vec![1, 3], 0));
}

#[test]
fn a_record_left_out_is_not_decoded() {
    // Record 2 (P2, the middle patch) has the impossible date; a filter that leaves it out by its
    // box reads the layer.
    let path = fixtures().join("bad/invalid_date.shp");
    let good = full(&fixtures().join("bad/good.shp"));
    let p2 = vertex_box(good.features[1].geometry.as_ref().unwrap());
    let not_p2 = BoxFilter::new(move |r| *r != p2);
    for parallel in [true, false] {
        let subset = Subset {
            keep: Some(not_p2.clone()),
            serial: !parallel,
            ..Default::default()
        };
        let (layer, out) = read_with(&path, &subset).unwrap();
        let records: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
        assert_eq!((records, out), (vec![1, 3], 1));
        assert_eq!(layer.features[0], good.features[0]);
        assert_eq!(layer.features[1], good.features[2]);
    }
}

#[test]
fn geojson_subsets_are_the_full_layer_with_the_rest_left_out() {
    let mut tested = 0;
    for name in ["villages", "single_feature", "bare_geometry"] {
        let path = data_dir().join(format!("{name}.geojson"));
        let whole = full(&path);
        let boxes: Vec<Rect<f64>> = whole
            .features
            .iter()
            .filter_map(|f| f.geometry.as_ref().and_then(|g| g.bounding_rect()))
            .collect();
        // The south-west corner of the first feature's box, as a box of no size.
        let Some(first) = boxes.first().map(|b| Rect::new(b.min(), b.min())) else {
            continue;
        };
        let keep_names: Vec<String> = whole
            .fields
            .iter()
            .step_by(2)
            .map(|f| f.name.to_lowercase())
            .collect();
        let subset = Subset {
            fields: Some(keep_names.clone()),
            keep: Some(BoxFilter::meeting(first)),
            ..Default::default()
        };
        let (layer, out) = read_with(&path, &subset).unwrap();
        let kept_idx: Vec<usize> = (0..whole.fields.len()).step_by(2).collect();
        let expected_fields: Vec<Field> =
            kept_idx.iter().map(|&i| whole.fields[i].clone()).collect();
        assert_eq!(layer.fields, expected_fields, "{name}");
        let expected: Vec<_> = whole
            .features
            .iter()
            .filter(|f| {
                f.geometry
                    .as_ref()
                    .and_then(|g| g.bounding_rect())
                    .is_none_or(|b| meet(&b, &first))
            })
            .collect();
        assert_eq!(out, whole.features.len() - expected.len(), "{name}");
        if name == "villages" {
            assert!(
                out > 0 && layer.fields.len() > 1,
                "{name}: {out} filtered out"
            );
        }
        tested += 1;
        assert_eq!(layer.features.len(), expected.len(), "{name}");
        for (f, w) in layer.features.iter().zip(expected) {
            assert_eq!((f.record, &f.geometry), (w.record, &w.geometry), "{name}");
            let values: Vec<_> = kept_idx.iter().map(|&i| w.values[i].clone()).collect();
            assert_eq!(f.values, values, "{name}");
        }
    }
    assert_eq!(tested, 3);
    // A feature that cannot be read is an error all the same, even with no field kept.
    let path = data_dir().join("collection.geojson");
    let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
    let subset = Subset {
        fields: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(
        read_with(&path, &subset).unwrap_err().to_string(),
        e.to_string()
    );
}

// ---------------------------------------------------------------------------------------------
// Parallel and serial decoding

#[test]
fn parallel_and_serial_decoding_give_the_same_layer() {
    let mut paths = vec![
        erping_dltb(),
        fixtures().join("erping/patches.shp"),
        fixtures().join("erping/roads.shp"),
        fixtures().join("erping/graves.shp"),
    ];
    paths.extend(
        [
            "patches_gbk",
            "patches_utf8",
            "landuse_z",
            "roads",
            "wells",
            "graves",
            "ldid_gbk",
            "no_cpg_gbk",
            "multipatch",
        ]
        .iter()
        .map(|n| data_dir().join(format!("{n}.shp"))),
    );
    // Every damaged fixture too: the same layer, or the same error.
    let mut bad: Vec<PathBuf> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "shp"))
        .collect();
    bad.sort();
    assert!(bad.len() > 20);
    paths.extend(bad);
    for path in &paths {
        let what = path.display().to_string();
        let par = read_with(path, &Subset::default());
        let ser = read_with(path, &serial(Subset::default()));
        match (par, ser) {
            (Ok((a, _)), Ok((b, _))) => assert_same_layer(&a, &b, &what),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!(
                "{what}: parallel {:?}, serial {:?}",
                a.map(|_| ()),
                b.map(|_| ())
            ),
        }
    }
    let dltb = read_with(&erping_dltb(), &Subset::default()).unwrap().0;
    assert_eq!(dltb.features.len(), 9993);
    assert!(dltb
        .features
        .iter()
        .enumerate()
        .all(|(i, f)| f.record == i + 1));
}

/// A copy of the Erping land-use layer in a temporary directory, with the `(offset, length)`
/// of each record from its `.shx` and the `.dbf` layout, parsed here.
struct Copy {
    _dir: tempfile::TempDir,
    shp: PathBuf,
    shx_entries: Vec<(usize, usize)>,
    dbf_header: usize,
    dbf_record: usize,
    /// The shape type of record 1.
    original_shape_type: i32,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        for ext in ["shp", "shx", "dbf", "cpg", "prj"] {
            std::fs::copy(
                fixtures().join(format!("erping/dltb.{ext}")),
                dir.path().join(format!("dltb.{ext}")),
            )
            .unwrap();
        }
        let shx = std::fs::read(dir.path().join("dltb.shx")).unwrap();
        let shx_entries: Vec<(usize, usize)> = shx[100..]
            .chunks_exact(8)
            .map(|e| {
                let off = u32::from_be_bytes(e[..4].try_into().unwrap()) as usize * 2;
                let len = u32::from_be_bytes(e[4..].try_into().unwrap()) as usize * 2;
                (off, len)
            })
            .collect();
        let dbf = std::fs::read(dir.path().join("dltb.dbf")).unwrap();
        let shp = std::fs::read(dir.path().join("dltb.shp")).unwrap();
        let at = shx_entries[0].0 + 8;
        let original_shape_type = i32::from_le_bytes(shp[at..at + 4].try_into().unwrap());
        Copy {
            shp: dir.path().join("dltb.shp"),
            shx_entries,
            dbf_header: u16::from_le_bytes([dbf[8], dbf[9]]) as usize,
            dbf_record: u16::from_le_bytes([dbf[10], dbf[11]]) as usize,
            original_shape_type,
            _dir: dir,
        }
    }

    fn patch(&self, ext: &str, at: usize, bytes: &[u8]) {
        let p = self.shp.with_extension(ext);
        let mut data = std::fs::read(&p).unwrap();
        data[at..at + bytes.len()].copy_from_slice(bytes);
        std::fs::write(&p, data).unwrap();
    }

    /// Writes `bytes` into record `record`'s `.dbf` row at `offset` (0 = the deletion flag).
    fn patch_row(&self, record: usize, offset: usize, bytes: &[u8]) {
        self.patch(
            "dbf",
            self.dbf_header + (record - 1) * self.dbf_record + offset,
            bytes,
        );
    }

    /// Sets record `record`'s shape type (the first 4 bytes of its content) to `t`.
    fn patch_shape_type(&self, record: usize, t: i32) {
        let (off, _) = self.shx_entries[record - 1];
        self.patch("shp", off + 8, &t.to_le_bytes());
    }

    /// Makes the `.shx` give record `record` a length its `.shp` header does not have.
    fn break_shx_entry(&self, record: usize) {
        let (_, len) = self.shx_entries[record - 1];
        let words = (len / 2 + 1) as u32;
        self.patch("shx", 100 + (record - 1) * 8 + 4, &words.to_be_bytes());
    }

    /// The error of both ways of reading, checked to be the same.
    fn error(&self, subset: &Subset) -> ReadError {
        let par = read_with(
            &self.shp,
            &Subset {
                serial: false,
                ..subset.clone()
            },
        )
        .map(|_| ())
        .unwrap_err();
        let ser = read_with(&self.shp, &serial(subset.clone()))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(par.to_string(), ser.to_string());
        par
    }
}

/// TBMJ (offset 1 + 18 + 8 + 5 + 60 + 60 = 152 in the row, 15 wide) set to something that is not
/// a number.
const TBMJ_AT: usize = 152;

#[test]
fn the_first_error_is_that_of_the_lowest_record_across_chunks() {
    let copy = Copy::new();
    copy.patch_row(9000, TBMJ_AT, b"      not a num");
    copy.patch_row(7000, TBMJ_AT, b"          abc  ");
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Field { record: 7000, .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("field TBMJ: \"abc\" is not a number"),
        "{e}"
    );
    // A bad shape earlier wins.
    copy.patch_shape_type(5000, 99);
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Record { record: 5000, .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("shape type 99 is not an ESRI shape type"),
        "{e}"
    );
    // A damaged deletion flag at the first record of the second chunk wins over both.
    copy.patch_row(4097, 0, b"#");
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Record { record: 4097, .. }), "{e:?}");
    // Leaving every record out by its box, and TBMJ out, still checks the file's structure: the
    // deletion flags, the shape types.
    let subset = Subset {
        fields: fields(&["DLBM"]),
        keep: Some(BoxFilter::new(|_| false)),
        ..Default::default()
    };
    let e = copy.error(&subset);
    assert!(matches!(e, ReadError::Record { record: 4097, .. }), "{e:?}");
    copy.patch_row(4097, 0, b" ");
    let e = copy.error(&subset);
    assert!(matches!(e, ReadError::Record { record: 5000, .. }), "{e:?}");
    // Once those are repaired, the bad numbers are not looked at.
    copy.patch_shape_type(5000, copy.original_shape_type);
    let (layer, out) = read_with(&copy.shp, &subset).unwrap();
    assert_eq!((layer.features.len(), out), (0, 9993));
    let dlbm_only = Subset {
        fields: fields(&["DLBM"]),
        ..Default::default()
    };
    let (layer, out) = read_with(&copy.shp, &dlbm_only).unwrap();
    assert_eq!((layer.features.len(), out), (9993, 0));
    // A record with a bad shape and a bad number: the shape's error comes first, as when the
    // records are decoded one after the other.
    let copy = Copy::new();
    copy.patch_row(10, TBMJ_AT, b"          abc  ");
    copy.patch_shape_type(10, 99);
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Record { record: 10, .. }), "{e:?}");
}

#[test]
fn an_inconsistent_shx_falls_back_to_reading_one_record_after_the_other() {
    let whole = full(&erping_dltb());
    let copy = Copy::new();
    copy.break_shx_entry(8000);
    for subset in [Subset::default(), serial(Subset::default())] {
        let (layer, _) = read_with(&copy.shp, &subset).unwrap();
        assert_eq!(layer.features, whole.features);
    }
    // An error before the bad entry is met first: no word about the .shx.
    copy.patch_shape_type(6000, 99);
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Record { record: 6000, .. }), "{e:?}");
    assert!(!e.to_string().contains(".shx could not be used"), "{e}");
    // After it: the .shx is given up at record 3000, the records are read again without it and
    // the error says why the .shx was not used.
    copy.break_shx_entry(3000);
    let e = copy.error(&Subset::default());
    assert!(matches!(e, ReadError::Record { record: 6000, .. }), "{e:?}");
    assert!(
        e.to_string().contains("the .shx could not be used either"),
        "{e}"
    );
    assert!(e.to_string().contains("gives record 3000"), "{e}");
}
