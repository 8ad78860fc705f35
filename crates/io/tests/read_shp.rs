//! The shapefile reader against layers written by pyshp (`tests/data/make_test_data.py`), and
//! its error messages on damaged copies of them.

#[path = "read_support.rs"]
mod support;

use std::path::{Path, PathBuf};

use support::{check_layer, data_dir, expected};
use tuban_core::layer::Value;
use tuban_io::error::ReadError;
use tuban_io::read::{read_layer, LayerSummary, ReadOptions};
use tuban_io::shp;

fn read(name: &str) -> Result<tuban_core::layer::Layer, ReadError> {
    shp::read(
        &data_dir().join(format!("{name}.shp")),
        &ReadOptions::default(),
    )
}

/// Reads `name` and checks it against `name.expected.json`, including the encoding label.
fn check(name: &str) -> tuban_core::layer::Layer {
    let layer = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let exp = expected(name);
    check_layer(&layer, &exp);
    let label = layer.encoding.clone().unwrap();
    let enc = exp["encoding"].as_str().unwrap();
    let source = exp["encoding_source"].as_str().unwrap();
    assert!(
        label.starts_with(enc) && label.contains(source),
        "{name}: encoding label {label:?} should name {enc} and {source}"
    );
    assert_eq!(layer.name, name);
    assert_eq!(
        layer.source.as_deref(),
        Some(data_dir().join(format!("{name}.shp")).as_path())
    );
    layer
}

/// Copies every file of layer `name` into `dir`, renaming each extension with `ext`.
fn copy_layer(name: &str, dir: &Path, ext: impl Fn(&str) -> String) -> PathBuf {
    for e in ["shp", "shx", "dbf", "cpg", "prj"] {
        let from = data_dir().join(format!("{name}.{e}"));
        if from.exists() {
            std::fs::copy(&from, dir.join(format!("{name}.{}", ext(e)))).unwrap();
        }
    }
    dir.join(format!("{name}.{}", ext("shp")))
}

fn same(e: &str) -> String {
    e.to_string()
}

/// Overwrites bytes of a file at `offset`.
fn patch(path: &Path, offset: usize, bytes: &[u8]) {
    let mut data = std::fs::read(path).unwrap();
    data[offset..offset + bytes.len()].copy_from_slice(bytes);
    std::fs::write(path, data).unwrap();
}

/// A field of a .dbf as parsed here: name bytes, offset in the record, width.
type DbfField = (Vec<u8>, usize, usize);

/// (header length, record length, fields) of a .dbf, parsed here independently of the reader.
fn dbf_layout(path: &Path) -> (usize, usize, Vec<DbfField>) {
    let d = std::fs::read(path).unwrap();
    let hlen = u16::from_le_bytes([d[8], d[9]]) as usize;
    let rlen = u16::from_le_bytes([d[10], d[11]]) as usize;
    let mut fields = Vec::new();
    let (mut pos, mut off) = (32, 1);
    while d[pos] != 0x0D {
        let name: Vec<u8> = d[pos..pos + 11]
            .iter()
            .take_while(|b| **b != 0)
            .copied()
            .collect();
        let width = d[pos + 16] as usize;
        fields.push((name, off, width));
        off += width;
        pos += 32;
    }
    (hlen, rlen, fields)
}

/// Byte offset of `field` in record `record` (1-based) of a .dbf.
fn field_offset(path: &Path, record: usize, field: &str) -> (usize, usize) {
    let (hlen, rlen, fields) = dbf_layout(path);
    let (_, off, width) = fields
        .iter()
        .find(|(n, _, _)| n == field.as_bytes())
        .unwrap();
    (hlen + (record - 1) * rlen + off, *width)
}

// --- reading what pyshp wrote -------------------------------------------------------------------

#[test]
fn polygon_layer_in_gbk_with_multipart_holes_nulls_and_all_field_types() {
    let layer = check("patches_gbk");
    // The hole listed after the second outer ring belongs to the first.
    let g = layer.features[0].geometry.as_ref().unwrap();
    let geo::Geometry::MultiPolygon(mp) = g else {
        panic!("record 1 should be a MultiPolygon")
    };
    assert_eq!(mp.0[0].interiors().len(), 1);
    assert_eq!(mp.0[1].interiors().len(), 0);
    // Values that need no JSON to be believed.
    assert_eq!(
        layer.value(&layer.features[0], "zldwmc"),
        Some(&Value::Text("隘口村".into()))
    );
    assert_eq!(
        layer.value(&layer.features[1], "ZLDWMC"),
        Some(&Value::Text("狮子村".into()))
    );
    assert_eq!(layer.value(&layer.features[2], "TBMJ"), Some(&Value::Null));
    assert_eq!(
        layer.value(&layer.features[0], "BGRQ"),
        Some(&Value::Text("2024-03-15".into()))
    );
    assert_eq!(layer.fields[6].name, "备注");
    assert!(layer.features[3].geometry.is_none());
}

#[test]
fn utf8_layer_and_a_character_cut_by_the_writer() {
    let layer = check("patches_utf8");
    assert_eq!(layer.features[0].values[1], Value::Text("狮子".into()));
}

#[test]
fn polygonz_layer_drops_z() {
    check("landuse_z");
}

#[test]
fn point_layer_in_ascii_needs_no_encoding() {
    let layer = check("graves");
    assert!(layer.encoding.unwrap().contains("language driver 0x00"));
}

#[test]
fn polyline_layer_with_a_multipart_line() {
    check("roads");
}

#[test]
fn multipoint_layer() {
    check("wells");
}

#[test]
fn language_driver_0x4d_means_gbk() {
    check("ldid_gbk");
}

#[test]
fn non_ascii_text_without_any_encoding_signal_is_refused() {
    let e = read("no_cpg_gbk").unwrap_err();
    assert!(matches!(e, ReadError::Encoding { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&data_dir().join("no_cpg_gbk.dbf").display().to_string()),
        "{msg}"
    );
    for part in expected("no_cpg_gbk")["error_contains"].as_array().unwrap() {
        assert!(
            msg.contains(part.as_str().unwrap()),
            "{msg} should contain {part}"
        );
    }
    // Saying the encoding fixes it.
    let opts = ReadOptions {
        encoding: Some("gbk".into()),
        ..Default::default()
    };
    let layer = shp::read(&data_dir().join("no_cpg_gbk.shp"), &opts).unwrap();
    assert_eq!(layer.features[1].values[1], Value::Text("狮子村".into()));
    assert_eq!(layer.encoding.as_deref(), Some("GBK (given by the user)"));
}

#[test]
fn multipatch_is_refused() {
    let e = read("multipatch").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("multipatch.shp") && msg.contains("MultiPatch"),
        "{msg}"
    );
}

// --- paths and companion files ------------------------------------------------------------------

#[test]
fn path_without_extension_and_upper_case_extensions() {
    let dir = tempfile::tempdir().unwrap();
    copy_layer("patches_gbk", dir.path(), |e| e.to_uppercase());
    let base = dir.path().join("patches_gbk");
    for p in [
        base.clone(),
        base.with_extension("shp"),
        base.with_extension("SHP"),
    ] {
        let layer = shp::read(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        check_layer(&layer, &expected("patches_gbk"));
        assert_eq!(layer.encoding.as_deref(), Some("GBK (from .cpg)"));
        assert_eq!(
            layer.source.as_deref(),
            Some(base.with_extension("SHP").as_path())
        );
    }
    let named = ReadOptions {
        name: Some("patches".into()),
        ..Default::default()
    };
    assert_eq!(read_layer(&base, &named).unwrap().name, "patches");
}

#[test]
fn missing_dbf_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("graves", dir.path(), same);
    std::fs::remove_file(dir.path().join("graves.dbf")).unwrap();
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, ReadError::MissingCompanion { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&dir.path().join("graves.dbf").display().to_string()),
        "{msg}"
    );
    assert!(msg.contains(".dbf (the attribute table)"), "{msg}");
}

#[test]
fn missing_shp_is_named() {
    let e = shp::read(Path::new("/nonexistent/dir/DLTB"), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, ReadError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/dir/DLTB.shp"), "{e}");
}

#[test]
fn junk_cpg_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    std::fs::write(dir.path().join("patches_gbk.cpg"), "Chinese please").unwrap();
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with(&dir.path().join("patches_gbk.cpg").display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("\"Chinese please\"") && msg.contains("--encoding GBK"),
        "{msg}"
    );
    // An empty .cpg says nothing: the language driver (0 here) and then ASCII-only decide.
    std::fs::write(dir.path().join("patches_gbk.cpg"), "  \n").unwrap();
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("empty .cpg file, language driver 0x00"),
        "{msg}"
    );
}

#[test]
fn accepted_cpg_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    for name in [
        "GBK",
        "gbk\r\n",
        "936",
        "CP936",
        "cp936",
        "GB2312",
        "GB18030",
        "\u{feff}GBK",
    ] {
        std::fs::write(dir.path().join("patches_gbk.cpg"), name).unwrap();
        let layer =
            shp::read(&shp, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name:?}: {e}"));
        check_layer(&layer, &expected("patches_gbk"));
        assert!(layer.encoding.unwrap().ends_with("(from .cpg)"));
    }
}

#[test]
fn the_encoding_option_overrides_a_wrong_cpg() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_utf8", dir.path(), same);
    std::fs::write(dir.path().join("patches_utf8.cpg"), "GBK").unwrap();
    let opts = ReadOptions {
        encoding: Some("UTF-8".into()),
        ..Default::default()
    };
    let layer = shp::read(&shp, &opts).unwrap();
    check_layer(&layer, &expected("patches_utf8"));
    assert_eq!(layer.encoding.as_deref(), Some("UTF-8 (given by the user)"));
    let bad = ReadOptions {
        encoding: Some("klingon".into()),
        ..Default::default()
    };
    let msg = shp::read(&shp, &bad).unwrap_err().to_string();
    assert!(
        msg.contains("\"klingon\"") && msg.contains("patches_utf8.dbf"),
        "{msg}"
    );
}

#[test]
fn gbk_text_declared_utf8_is_an_error_naming_record_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("no_cpg_gbk", dir.path(), same);
    std::fs::write(dir.path().join("no_cpg_gbk.cpg"), "UTF-8").unwrap();
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, ReadError::Field { record: 2, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("no_cpg_gbk.dbf: record 2, field ZLDWMC: the text is not valid UTF-8"),
        "{msg}"
    );
    // A field name that is not valid in the declared encoding is an error too.
    let shp = copy_layer("patches_gbk", dir.path(), same);
    std::fs::write(dir.path().join("patches_gbk.cpg"), "UTF-8").unwrap();
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("patches_gbk.dbf: the name of field 7 is not valid UTF-8"),
        "{msg}"
    );
}

// --- damaged files ------------------------------------------------------------------------------

#[test]
fn truncated_shp_gives_an_error_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    let len = std::fs::metadata(&shp).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&shp).unwrap();
    f.set_len(len - 10).unwrap();
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.record(), Some(5), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("patches_gbk.shp: record 5") && msg.contains("truncated"),
        "{msg}"
    );

    f.set_len(60).unwrap();
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("too short to be a .shp"), "{msg}");
}

#[test]
fn truncated_dbf_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    let dbf = dir.path().join("patches_gbk.dbf");
    let len = std::fs::metadata(&dbf).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&dbf)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("patches_gbk.dbf: is truncated"), "{msg}");
}

#[test]
fn record_count_mismatch_names_both_counts() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    patch(&dir.path().join("patches_gbk.dbf"), 4, &4u32.to_le_bytes());
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ReadError::CountMismatch {
                shp_records: 5,
                dbf_records: 4,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("5 shapes") && msg.contains("4 records"),
        "{msg}"
    );
}

#[test]
fn deleted_records_are_skipped_and_the_others_keep_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    let dbf = dir.path().join("patches_gbk.dbf");
    let (hlen, rlen, _) = dbf_layout(&dbf);
    patch(&dbf, hlen + rlen, b"*"); // record 2
    let layer = shp::read(&shp, &ReadOptions::default()).unwrap();
    let numbers: Vec<usize> = layer.features.iter().map(|f| f.record).collect();
    assert_eq!(numbers, [1, 3, 4, 5]);
    assert_eq!(layer.features[1].values[0], Value::Text("高岩村".into()));
}

#[test]
fn an_overflowed_or_unparsable_number_is_an_error_not_a_null() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    let dbf = dir.path().join("patches_gbk.dbf");
    let (at, width) = field_offset(&dbf, 2, "TBMJ");
    let mut overflow = vec![b' '; width];
    overflow[width - 6..].copy_from_slice(b"12**.5");
    patch(&dbf, at, &overflow);
    let e = shp::read(&shp, &ReadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("patches_gbk.dbf: record 2, field TBMJ: \"12**.5\" is an overflow marker"),
        "{msg}"
    );

    let mut comma = vec![b' '; width];
    comma[width - 4..].copy_from_slice(b"12,5");
    patch(&dbf, at, &comma);
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("record 2, field TBMJ: \"12,5\" is not a number"),
        "{msg}"
    );

    let (at, width) = field_offset(&dbf, 2, "TBBH");
    let mut frac = vec![b' '; width];
    frac[width - 3..].copy_from_slice(b"1.5");
    patch(&dbf, at, &frac);
    let (at, width) = field_offset(&dbf, 2, "TBMJ");
    patch(&dbf, at, &vec![b' '; width]); // blank: null, fine
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("field TBBH: \"1.5\" is not a whole number"),
        "{msg}"
    );
}

#[test]
fn a_bad_date_or_logical_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    let dbf = dir.path().join("patches_gbk.dbf");
    let (at, _) = field_offset(&dbf, 1, "BGRQ");
    patch(&dbf, at, b"20230230");
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("record 1, field BGRQ: \"20230230\" is not a date"),
        "{msg}"
    );
    patch(&dbf, at, b"20230228");
    let (at, _) = field_offset(&dbf, 1, "SFGD");
    patch(&dbf, at, b"X");
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("record 1, field SFGD: \"X\" is not a logical value"),
        "{msg}"
    );
}

#[test]
fn memo_fields_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("patches_gbk", dir.path(), same);
    // The type byte of the 7th field descriptor (备注).
    patch(&dir.path().join("patches_gbk.dbf"), 32 + 6 * 32 + 11, b"M");
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("patches_gbk.dbf: field 备注 is a memo field (type M)"),
        "{msg}"
    );
}

#[test]
fn not_a_shapefile() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_layer("graves", dir.path(), same);
    patch(&shp, 0, &[0, 0, 0, 1]);
    let msg = shp::read(&shp, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("graves.shp: is not an ESRI shapefile"),
        "{msg}"
    );
}

/// A tiny deterministic generator, for the damage test below.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn no_damage_makes_the_reader_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for name in ["patches_gbk", "roads", "graves", "landuse_z", "wells"] {
        let shp = copy_layer(name, dir.path(), same);
        let dbf = dir.path().join(format!("{name}.dbf"));
        let shp_bytes = std::fs::read(&shp).unwrap();
        let dbf_bytes = std::fs::read(&dbf).unwrap();
        // Every truncation of the .shp and the .dbf.
        for len in 0..shp_bytes.len() {
            std::fs::write(&shp, &shp_bytes[..len]).unwrap();
            let _ = shp::read(&shp, &ReadOptions::default());
        }
        std::fs::write(&shp, &shp_bytes).unwrap();
        for len in 0..dbf_bytes.len() {
            std::fs::write(&dbf, &dbf_bytes[..len]).unwrap();
            let _ = shp::read(&shp, &ReadOptions::default());
        }
        // Random bytes overwritten with random values, in either file.
        for round in 0..300 {
            let (target, original) = if round % 2 == 0 {
                (&shp, &shp_bytes)
            } else {
                (&dbf, &dbf_bytes)
            };
            let mut damaged = original.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() % damaged.len() as u64) as usize;
                damaged[at] = rng.next() as u8;
            }
            std::fs::write(target, &damaged).unwrap();
            let _ = shp::read(&shp, &ReadOptions::default());
            std::fs::write(target, original).unwrap();
        }
    }
}

// --- summary and dispatch -----------------------------------------------------------------------

#[test]
fn summary_of_the_polygon_layer() {
    let layer = read("patches_gbk").unwrap();
    let s = LayerSummary::of(&layer);
    assert_eq!(s.feature_count, 5);
    assert_eq!(
        s.geometry_types,
        vec![("Polygon".to_string(), 3), ("MultiPolygon".to_string(), 1)]
    );
    assert_eq!(s.null_geometries, 1);
    // The extent from the expected coordinates.
    let exp = expected("patches_gbk");
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    fn walk(v: &serde_json::Value, xs: &mut Vec<f64>, ys: &mut Vec<f64>) {
        match v.as_array() {
            Some(a) if a.len() == 2 && a[0].is_number() => {
                xs.push(a[0].as_f64().unwrap());
                ys.push(a[1].as_f64().unwrap());
            }
            Some(a) => a.iter().for_each(|x| walk(x, xs, ys)),
            None => {}
        }
    }
    for r in exp["records"].as_array().unwrap() {
        walk(&r["geometry"]["coordinates"], &mut xs, &mut ys);
    }
    let e = s.extent.unwrap();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(
        (e.min_x, e.min_y, e.max_x, e.max_y),
        (min(&xs), min(&ys), max(&xs), max(&ys))
    );
    let text = s.to_string();
    assert!(
        text.contains("geometry   Polygon 3, MultiPolygon 1, none 1"),
        "{text}"
    );
    assert!(text.contains("encoding   GBK (from .cpg)"), "{text}");
    assert!(
        text.contains("crs        PROJCS[\"CGCS2000_3_Degree_GK_CM_105E\""),
        "{text}"
    );
    assert!(text.contains("  备注    text"), "{text}");
}

#[test]
fn read_layer_dispatches_by_extension() {
    let layer = read_layer(&data_dir().join("roads.shp"), &ReadOptions::default()).unwrap();
    assert_eq!(layer.features.len(), 2);
    let layer = read_layer(&data_dir().join("roads"), &ReadOptions::default()).unwrap();
    assert_eq!(layer.name, "roads");
    let layer = read_layer(&data_dir().join("roads.dbf"), &ReadOptions::default()).unwrap();
    assert_eq!(
        layer.source.as_deref(),
        Some(data_dir().join("roads.shp").as_path())
    );
    let e = read_layer(
        &data_dir().join("make_test_data.py"),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ReadError::UnsupportedFormat { .. }), "{e:?}");
    assert!(
        e.to_string().contains("tuban does not read .py files"),
        "{e}"
    );
}
