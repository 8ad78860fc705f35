//! Road corridors against GEOS: `tests/data/corridors/corpus.tsv` holds 1 300 roads (survey-like,
//! wild and on whole metres) and the area shapely (GEOS 3.14.1) gives their corridor, written by
//! `make_corpus.py` beside it (the command is in its docstring).

use geo::{Area, Coord, LineString, MultiLineString};
use tuban_core::shapes::road_corridor;

struct Case {
    name: String,
    width: f64,
    line: MultiLineString<f64>,
    geos: f64,
}

fn corpus() -> Vec<Case> {
    let text = include_str!("data/corridors/corpus.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let pts = f[2]
                .split(';')
                .map(|xy| {
                    let (x, y) = xy.split_once(' ').expect("x y");
                    Coord {
                        x: x.parse().expect("x"),
                        y: y.parse().expect("y"),
                    }
                })
                .collect();
            Case {
                name: f[0].to_string(),
                width: f[1].parse().expect("width"),
                line: MultiLineString(vec![LineString(pts)]),
                geos: f[3].parse().expect("area"),
            }
        })
        .collect()
}

/// Survey-like roads get GEOS's area to 1e-6 m². On wild roads GEOS's buffer leaves out parts of
/// the segments' rectangles (at a sharp bend right after a short segment it cuts the inner side
/// where the offset sides cross); tuban's corridor is the union of every segment's rectangle and
/// every bend's fan, so there it is larger than GEOS's, never smaller (see `road_corridor`).
#[test]
fn corridors_have_geos_areas_on_survey_roads_and_never_less_elsewhere() {
    let cases = corpus();
    assert_eq!(cases.len(), 1300);
    let (mut off, mut larger, mut smaller) = (Vec::new(), 0, Vec::new());
    for c in &cases {
        let got = road_corridor(&c.line, c.width, 8).unsigned_area();
        let tol = 1e-6f64.max(1e-12 * c.geos);
        let line = format!(
            "{}: {got} vs GEOS {} ({:+.3e})",
            c.name,
            c.geos,
            got - c.geos
        );
        if got < c.geos - tol {
            smaller.push(line);
        } else if got > c.geos + tol {
            larger += 1;
            if c.name.starts_with("survey") {
                off.push(line);
            }
        }
    }
    assert!(off.is_empty(), "survey roads off GEOS:\n{}", off.join("\n"));
    assert!(
        smaller.is_empty(),
        "smaller than GEOS:\n{}",
        smaller.join("\n")
    );
    // The wild families do reach the cases where the two differ.
    assert!(larger > 0);
}
