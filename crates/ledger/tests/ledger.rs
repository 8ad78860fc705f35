//! The ledger end to end on layers built in memory, with planar areas so that every expected
//! number is a hand calculation (1 mu = 10000/15 m²).

use std::collections::BTreeMap;
use std::path::Path;

use tuban::core::geo::{polygon, Geometry};
use tuban::core::layer::{Feature, Field, FieldKind, Layer, Value};
use tuban::LayerSpec;
use tuban_ledger::{show, LedgerProject};

/// Gauss-Kruger coordinates near Erping (EPSG:4544), so the CRS check sees plausible numbers.
const X0: f64 = 601_000.0;
const Y0: f64 = 3_304_000.0;

fn square(x: f64, y: f64, w: f64, h: f64) -> Geometry<f64> {
    let (x, y) = (X0 + x, Y0 + y);
    Geometry::Polygon(
        polygon![(x: x, y: y), (x: x + w, y: y), (x: x + w, y: y + h), (x: x, y: y + h)],
    )
}

fn layer(
    name: &str,
    fields: &[(&str, FieldKind)],
    rows: Vec<(Geometry<f64>, Vec<Value>)>,
) -> LayerSpec {
    let mut l = Layer::new(name);
    l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
    for (i, (g, v)) in rows.into_iter().enumerate() {
        l.features.push(Feature::new(i + 1, Some(g), v));
    }
    LayerSpec {
        crs: Some("EPSG:4544".into()),
        ..LayerSpec::memory(l)
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn project(stated: &str) -> LedgerProject {
    let text_ = format!(
        "area_method = \"planar\"\ndltb = {{ path = \"x\" }}\npbf = {{ path = \"x\" }}\nprotection = {{ path = \"x\" }}\n[targets]\ncropland_mu = 20.0\npbf_mu = 14.0\n[stated]\n{stated}"
    );
    let mut p = LedgerProject::from_toml_str(&text_, Path::new(".")).unwrap();
    let f = [
        ("DLBM", FieldKind::Text),
        ("KCXS", FieldKind::Float),
        ("ZLDWMC", FieldKind::Text),
    ];
    // A: 0101, 100 m square, KCXS 0.1, 甲: 10000 m² gross, 9000 net = 13.5 mu.
    // B: 0103, 100 m square, KCXS 0.2, 乙: 8000 net = 12 mu; its right half (4000 net = 6 mu) lies
    //    outside the protection task.
    // C: 0301 forest, 甲: not cropland.
    p.dltb = layer(
        "dltb",
        &f,
        vec![
            (
                square(0.0, 0.0, 100.0, 100.0),
                vec![text("0101"), Value::Float(0.1), text("甲")],
            ),
            (
                square(200.0, 0.0, 100.0, 100.0),
                vec![text("0103"), Value::Float(0.2), text("乙")],
            ),
            (
                square(400.0, 0.0, 100.0, 100.0),
                vec![text("0301"), Value::Null, text("甲")],
            ),
        ],
    );
    // PBF: all of A (13.5 mu) → 0.5 mu short of 14.
    p.pbf = layer("pbf", &[], vec![(square(-5.0, -5.0, 110.0, 110.0), vec![])]);
    p.protection = layer(
        "protection",
        &[],
        vec![(square(-5.0, -5.0, 255.0, 110.0), vec![])],
    );
    p
}

#[test]
fn the_ledger_by_hand_and_the_audit_flags_only_the_slip() {
    let p = project(
        "cropland_mu = 25.5\ncropland_outside_protection_mu = 6.0\ncropland_counted_mu = 19.5\ncropland_gap_mu = 0.6\npbf_gap_mu = 0.5\n",
    );
    let l = tuban_ledger::run(&p).unwrap();
    let close = |k: &str, v: f64| {
        assert!(
            (l.indicators[k] - v).abs() < 1e-9,
            "{k}: {} vs {v}",
            l.indicators[k]
        )
    };
    close("cropland_mu", 25.5);
    close("cropland_outside_protection_mu", 6.0);
    close("cropland_counted_mu", 19.5);
    close("cropland_gap_mu", 0.5);
    close("pbf_mu", 13.5);
    close("pbf_gap_mu", 0.5);
    assert!((l.villages["甲"]["cropland_mu"] - 13.5).abs() < 1e-9);
    assert!((l.villages["乙"]["cropland_outside_protection_mu"] - 6.0).abs() < 1e-9);
    let flagged: Vec<&str> = l
        .audit
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.figure.as_str())
        .collect();
    assert_eq!(flagged, vec!["cropland_gap_mu"]);
    let gap = l
        .audit
        .iter()
        .find(|r| r.figure == "cropland_gap_mu")
        .unwrap();
    // From the stated figures: 20 − 19.5 = 0.5, as from the layers.
    assert_eq!(gap.from_stated, Some(0.5));
    let j = show::json(&l);
    assert_eq!(j["indicators"]["cropland_mu"], 25.5);
    assert_eq!(j["audit"].as_array().unwrap().len(), 5);
    assert!(j["villages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["village"] == "乙"));
    assert!(show::table(&l).contains("cropland_gap_mu: stated 0.6"));
}

#[test]
fn village_rows_add_up_to_the_township_by_largest_remainder() {
    let mut l = tuban_ledger::run(&project("")).unwrap();
    // Three villages of 1/3 mu each: rounded alone 0.33 × 3 = 0.99; by largest remainder
    // 0.34 + 0.33 + 0.33 = 1.00, the township's figure.
    l.villages = ["a", "b", "c"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                BTreeMap::from([("cropland_mu".to_string(), 1.0 / 3.0)]),
            )
        })
        .collect();
    l.indicators.insert("cropland_mu".into(), 1.0);
    let (keys, rows, total) = show::village_table(&l);
    let k = keys.iter().position(|k| *k == "cropland_mu").unwrap();
    let col: Vec<i64> = rows.iter().map(|(_, v)| v[k].unwrap()).collect();
    assert_eq!(col, vec![34, 33, 33]);
    assert_eq!(total[k], Some(100));
    assert_eq!(show::township(&l, "cropland_mu"), Some(100));
}

#[test]
fn a_bad_kcxs_names_the_record_and_the_fix() {
    let mut p = project("");
    p.dltb = layer(
        "dltb",
        &[("DLBM", FieldKind::Text), ("KCXS", FieldKind::Float)],
        vec![
            (
                square(0.0, 0.0, 10.0, 10.0),
                vec![text("0101"), Value::Float(0.05)],
            ),
            (
                square(20.0, 0.0, 10.0, 10.0),
                vec![text("0101"), Value::Float(5.23)],
            ),
        ],
    );
    let e = tuban_ledger::run(&p).unwrap_err().to_string();
    assert!(
        e.contains("record 2") && e.contains("5.23") && e.contains("divided by 100"),
        "{e}"
    );
}

#[test]
fn an_invalid_polygon_is_repaired_as_in_a_run_and_said() {
    let mut p = project("");
    // A bow-tie: (0,0) (10,10) (10,0) (0,10), two triangles of 25 m² each, by hand: 50 m².
    let (x, y) = (X0, Y0);
    let bowtie = Geometry::Polygon(polygon![
        (x: x, y: y), (x: x + 10.0, y: y + 10.0), (x: x + 10.0, y: y), (x: x, y: y + 10.0)
    ]);
    p.dltb = layer(
        "dltb",
        &[("DLBM", FieldKind::Text)],
        vec![(bowtie, vec![text("0101")])],
    );
    let l = tuban_ledger::run(&p).unwrap();
    assert!(
        (l.indicators["cropland_mu"] - 50.0 * 15.0 / 10000.0).abs() < 1e-9,
        "{}",
        l.indicators["cropland_mu"]
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("1 invalid polygon(s) repaired")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn figures_nothing_can_check_are_said_not_passed_silently() {
    let p = project("outflow_mu = 3.0\n[stated.villages.\"丙\"]\ncropland_mu = 1.0\n");
    let l = tuban_ledger::run(&p).unwrap();
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("stated outflow_mu = 3 cannot be checked")),
        "{:?}",
        l.warnings
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("丙") && w.contains("甲")),
        "{:?}",
        l.warnings
    );
}
