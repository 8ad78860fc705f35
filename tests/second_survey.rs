//! A land-use layer coded by the Second National Land Survey (issue 18): recognised, read with
//! the Second Survey's built-in rules, and measured exactly as the same land coded by the Third.
//!
//! The fixture's DLTB is recoded in memory by the table below: the correspondence of
//! GB/T 21010-2007 (and the 二调 working classification) with the 三调 working classification
//! (TD/T 1055-2019, appendix; GB/T 21010-2017). K land (taken from cropland, plough layer intact)
//! was cropland in the Second Survey: 013. `09` (special land kept whole) becomes 205
//! (风景名胜及特殊用地), which neither standard's rules class.

use std::path::Path;

use tuban::core::layer::{Layer, Value};
use tuban::{LayerSpec, Project};

const SECOND_FOR_THIRD: [(&str, &str); 19] = [
    ("0101", "011"),
    ("0102", "012"),
    ("0103", "013"),
    ("0201", "021"),
    ("0201K", "013"),
    ("0204", "023"),
    ("0301", "031"),
    ("0301K", "013"),
    ("0305", "032"),
    ("0307", "033"),
    ("0307K", "013"),
    ("0404", "043"),
    ("0702", "203"),
    ("09", "205"),
    ("1003", "102"),
    ("1004", "103"),
    ("1006", "104"),
    ("1104", "114"),
    ("1203", "123"),
];

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/erping")
        .join(name)
}

/// The fixture's DLTB with each code passed through `recode`.
fn dltb_recoded(recode: impl Fn(usize, &str) -> String) -> Layer {
    let mut layer = tuban::io::read::read_layer(&fixture("dltb.shp"), &Default::default()).unwrap();
    let i = layer.field_index("DLBM").unwrap();
    for (k, f) in layer.features.iter_mut().enumerate() {
        let code = f.values[i].to_string();
        f.values[i] = Value::Text(recode(k, &code));
    }
    layer
}

fn second_code(third: &str) -> String {
    SECOND_FOR_THIRD
        .iter()
        .find(|(t, _)| *t == third)
        .unwrap_or_else(|| panic!("no Second Survey code for {third}: extend the table"))
        .1
        .to_string()
}

fn project(landuse: Layer) -> Project {
    let mut p = Project::new(fixture("patches.shp"));
    p.landuse = Some(LayerSpec::memory(landuse));
    p.graves = Some(LayerSpec::file(fixture("graves.shp")).into());
    p
}

#[test]
fn the_second_surveys_codes_give_the_third_surveys_class_areas() {
    let third = tuban::run(&project(dltb_recoded(|_, c| c.to_string()))).unwrap();
    let second = tuban::run(&project(dltb_recoded(|_, c| second_code(c)))).unwrap();
    let (a, b) = (&third.report, &second.report);
    assert_eq!(a.classes, b.classes);
    for (ra, rb) in a.results.iter().zip(&b.results) {
        assert_eq!(ra.class_m2, rb.class_m2);
        assert_eq!(ra.union_m2, rb.union_m2);
    }
    // Not vacuous: forest and roads are there in both.
    let t = &b.villages.total;
    assert!(
        t.class_m2[1] > 40_000.0 && t.class_m2[2] > 1_000.0,
        "{:?}",
        t.class_m2
    );
    // The run says which standard it recognised.
    let said = |o: &tuban::Outcome| {
        o.layer_notes
            .iter()
            .find(|(role, n)| role == "landuse" && n.contains("built-in rules apply"))
            .map(|(_, n)| n.clone())
            .unwrap()
    };
    assert!(
        said(&second).contains("Second National Land Survey"),
        "{}",
        said(&second)
    );
    assert!(
        said(&third).contains("Third National Land Survey"),
        "{}",
        said(&third)
    );
    // The codes no rule knows are the village land and the special land kept whole, in both
    // (0702 and 09; 203 and 205): the fixture's rules file classes 09, this run has no rules file.
    let unknown = |o: &tuban::Outcome| -> Vec<String> {
        o.landuse
            .as_ref()
            .unwrap()
            .unknown()
            .map(|r| r.code.clone())
            .collect()
    };
    assert_eq!(unknown(&third), ["0702", "09"]);
    assert_eq!(unknown(&second), ["203", "205"]);
}

#[test]
fn a_layer_mixing_both_standards_is_refused_with_examples() {
    // Every third feature recoded: about a third of the codes are the Second Survey's.
    let mixed = dltb_recoded(|k, c| {
        if k % 3 == 0 {
            second_code(c)
        } else {
            c.to_string()
        }
    });
    let e = tuban::run(&project(mixed.clone())).unwrap_err().to_string();
    assert!(e.contains("mix the Third Survey's four-digit codes"), "{e}");
    assert!(e.contains("e.g. 011") || e.contains("e.g. 013"), "{e}");
    assert!(e.contains("landuse_standard"), "{e}");
    // Said which, the run goes on and reports the other standard's codes that no rule knows
    // (the roads 102-104 among them: the silent loss this check exists for).
    let mut p = project(mixed);
    p.landuse_standard = Some(tuban::core::survey::Standard::Third);
    let o = tuban::run(&p).unwrap();
    let unknown: Vec<String> = o
        .landuse
        .as_ref()
        .unwrap()
        .unknown()
        .map(|r| r.code.clone())
        .collect();
    for road in ["102", "103", "104"] {
        assert!(unknown.iter().any(|c| c == road), "{unknown:?}");
    }
    assert!(
        o.warnings.iter().any(|w| w.contains("no rule knows")),
        "{:?}",
        o.warnings
    );
}
