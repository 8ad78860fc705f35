//! Measures in the wrong unit are not taken at face value (issue 18): road widths in centimetres
//! stop the run with their distribution and the fix; with the fix the run gives the metres' numbers.

use std::path::Path;
use std::process::Command;

use tuban::core::geo::Geometry;

fn fixture(name: &str) -> String {
    format!("{}/fixtures/erping/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The fixture's roads as GeoJSON with KD multiplied by `factor`.
fn roads_geojson(path: &Path, factor: f64) {
    let layer =
        tuban::io::read::read_layer(fixture("roads.shp").as_ref(), &Default::default()).unwrap();
    let kd = layer.field_index("KD").unwrap();
    let features: Vec<String> = layer
        .features
        .iter()
        .map(|f| {
            let lines: Vec<Vec<[f64; 2]>> = match f.geometry.as_ref().unwrap() {
                Geometry::LineString(l) => vec![l.0.iter().map(|c| [c.x, c.y]).collect()],
                Geometry::MultiLineString(m) => {
                    m.0.iter().map(|l| l.0.iter().map(|c| [c.x, c.y]).collect()).collect()
                }
                other => panic!("{other:?}"),
            };
            let width = f.values[kd].as_f64().unwrap() * factor;
            format!(
                r#"{{"type": "Feature", "properties": {{"KD": {width}}}, "geometry": {{"type": "MultiLineString", "coordinates": {}}}}}"#,
                serde_json::to_string(&lines).unwrap()
            )
        })
        .collect();
    std::fs::write(
        path,
        format!(
            r#"{{"type": "FeatureCollection", "crs": {{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::4544"}}}}, "features": [{}]}}"#,
            features.join(",\n")
        ),
    )
    .unwrap();
}

fn overlay(roads: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tuban"))
        .args(["overlay", "--patches", &fixture("patches.shp"), "--roads"])
        .arg(roads)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn column(csv: &Path, name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[i].parse().unwrap())
        .collect()
}

#[test]
fn road_widths_in_centimetres_stop_the_run_and_the_scale_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    let (metres, cm) = (dir.path().join("m.geojson"), dir.path().join("cm.geojson"));
    roads_geojson(&metres, 1.0);
    roads_geojson(&cm, 100.0);

    let o = overlay(&cm, &dir.path().join("x.csv"), &[]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("road widths KD min"), "{e}");
    assert!(e.contains("is no road"), "{e}");
    assert!(e.contains("width_scale = 0.01"), "{e}");
    assert!(e.contains("--road-width-scale"), "{e}");
    assert!(!dir.path().join("x.csv").exists());

    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    assert!(overlay(&metres, &a, &[]).status.success());
    let o = overlay(&cm, &b, &["--road-width-scale", "0.01"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (ra, rb) = (column(&a, "road_m2"), column(&b, "road_m2"));
    assert!(ra.iter().sum::<f64>() > 1000.0);
    for (x, y) in ra.iter().zip(&rb) {
        // KD × 100 × 0.01 is KD to the last bit or one ulp off: corridors of the same width.
        assert!((x - y).abs() <= 1e-6 * (1.0 + x), "{x} vs {y}");
    }
    // The run description summarises the widths.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("roads:") && out.contains("lines; width KD min"),
        "{out}"
    );
}
