//! The map (SVG and PNG) and the HTML report, checked by reading them back: the SVG with
//! roxmltree and usvg (one `path.patch` per patch, the legend, the scale bar, the north arrow,
//! village labels), the PNG by decoding it and looking at the pixels of the patches, a hole and
//! the background, the HTML by its tables (the village rows add up to the total row), its
//! escaping and the absence of anything to load from elsewhere.

use std::collections::BTreeMap;
use std::fs;

use geo::{polygon, Area, LineString, MapCoords, MultiPolygon, Polygon};
use tuban_core::area::AreaMethod;
use tuban_core::codes::{CodeRow, CodeTable};
use tuban_core::crs::Crs;
use tuban_core::overlay::{Patch, PatchResult};
use tuban_core::report::{Measured, PatchStatus, Report};
use tuban_core::rules::{Decision, Rules};
use tuban_core::verdict::VerdictRules;
use tuban_io::write::run_info::{InputFile, RunInfo};
use tuban_io::write::svg::{self, MapOptions};
use tuban_io::write::{html, Lang};

const X0: f64 = 601_000.0;
const Y0: f64 = 3_304_000.0;

fn rect(x: f64, y: f64, w: f64, h: f64) -> Polygon<f64> {
    polygon![
        (x: X0 + x, y: Y0 + y),
        (x: X0 + x + w, y: Y0 + y),
        (x: X0 + x + w, y: Y0 + y + h),
        (x: X0 + x, y: Y0 + y + h),
    ]
}

fn mp(polys: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
    MultiPolygon(polys)
}

fn result(
    area: f64,
    classes: Vec<f64>,
    union: f64,
    pieces: Vec<(usize, MultiPolygon<f64>)>,
) -> PatchResult {
    let n = classes.len();
    PatchResult {
        area_m2: area,
        class_m2: classes,
        union_m2: union,
        class_count: vec![1; n],
        point_count: vec![0; n],
        method: AreaMethod::Ellipsoidal,
        pieces,
        kernel: Default::default(),
        error: None,
    }
}

/// Seven patches in EPSG:4544 in four villages (one named `A&B <村>`): forest and a grave in a
/// partly rectifiable field, a two-part patch crossed by a road with a rules-file class in its
/// second part, a failed patch, a rectifiable field with a pond (hole), a patch without
/// geometry (skipped on purpose), a field almost all on a steep slope (not rectifiable), and a
/// clean field.
fn sample() -> Report {
    let classes: Vec<String> = ["grave", "forest", "road", "steep", "wetland_area"]
        .map(String::from)
        .to_vec();
    let k = classes.len();
    let a = |g: &MultiPolygon<f64>| g.unsigned_area();
    let p1 = mp(vec![rect(0.0, 0.0, 100.0, 80.0)]);
    let forest1 = mp(vec![rect(0.0, 0.0, 30.0, 80.0)]);
    let grave1 = mp(vec![rect(28.0, 40.0, 4.0, 4.0)]);
    let p2 = mp(vec![
        rect(200.0, 0.0, 50.0, 50.0),
        rect(300.0, 0.0, 20.0, 30.0),
    ]);
    let road2 = mp(vec![rect(200.0, 20.0, 50.0, 6.0)]);
    let wet2 = mp(vec![rect(300.0, 0.0, 20.0, 10.0)]);
    let p3 = mp(vec![rect(400.0, 0.0, 10.0, 10.0)]);
    let p4 = MultiPolygon(vec![Polygon::new(
        rect(0.0, 200.0, 60.0, 60.0).exterior().clone(),
        vec![LineString::from(vec![
            (X0 + 20.0, Y0 + 220.0),
            (X0 + 20.0, Y0 + 240.0),
            (X0 + 40.0, Y0 + 240.0),
            (X0 + 40.0, Y0 + 220.0),
            (X0 + 20.0, Y0 + 220.0),
        ])],
    )]);
    let p5 = MultiPolygon::<f64>(vec![]);
    let p6 = mp(vec![rect(200.0, 200.0, 80.0, 40.0)]);
    let steep6 = mp(vec![rect(200.0, 200.0, 78.0, 40.0)]);
    let p7 = mp(vec![rect(400.0, 200.0, 50.0, 50.0)]);

    let mut c1 = vec![0.0; k];
    c1[0] = a(&grave1);
    c1[1] = a(&forest1);
    let union1 = a(&forest1) + a(&grave1) - 8.0;
    let mut r1 = result(a(&p1), c1, union1, vec![(1, forest1), (0, grave1)]);
    r1.point_count[0] = 3;
    let mut c2 = vec![0.0; k];
    c2[2] = a(&road2);
    c2[4] = a(&wet2);
    let r2 = result(
        a(&p2),
        c2,
        a(&road2) + a(&wet2),
        vec![(2, road2), (4, wet2)],
    );
    let mut r3 = result(0.0, vec![0.0; k], 0.0, vec![]);
    r3.error = Some("the boolean engine failed: 自相交 <self-intersection>".into());
    let r4 = result(a(&p4), vec![0.0; k], 0.0, vec![]);
    let mut r5 = result(0.0, vec![0.0; k], 0.0, vec![]);
    r5.error = Some("no geometry (a null shape)".into());
    let mut c6 = vec![0.0; k];
    c6[3] = a(&steep6);
    let r6 = result(a(&p6), c6, a(&steep6), vec![(3, steep6)]);
    let r7 = result(a(&p7), vec![0.0; k], 0.0, vec![]);
    let patches = vec![
        Patch::new("0012", "中山村", p1).with_record(1),
        Patch::new("0013", "二坪村", p2).with_record(2),
        Patch::new("0014", "中山村", p3).with_record(3),
        Patch::new("0015", "高家村", p4).with_record(4),
        Patch::new("0016", "高家村", p5).with_record(5),
        Patch::new("0017", "A&B <村>", p6).with_record(6),
        Patch::new("0018\u{1}", "二坪村", p7).with_record(7),
    ];
    // 0016 was left out by the policy `skip`; 0012 was repaired.
    let mut status = vec![PatchStatus::Measured; 7];
    status[4] = PatchStatus::Skipped("no area (a null shape); skipped".into());
    status[0] = PatchStatus::Repaired("a self-intersection; repaired".into());
    Report::new(Measured {
        classes,
        method: AreaMethod::Ellipsoidal,
        method_note: "ellipsoidal: a test note 椭球面积".into(),
        patches,
        results: vec![r1, r2, r3, r4, r5, r6, r7],
        status,
        verdict_rules: VerdictRules::default(),
        both_areas: None,
        crs: Some(Crs::from_epsg(4544).unwrap()),
    })
}

fn info() -> RunInfo {
    RunInfo {
        inputs: vec![InputFile {
            role: "patches".into(),
            path: "data/patches<1>.shp".into(),
            bytes: 1234,
            sha256: "ab".repeat(32),
        }],
        crs: Crs::from_epsg(4544).unwrap().to_string(),
        crs_notes: vec![("patches".into(), "from the .prj".into())],
        area_method: "ellipsoidal on CGCS2000".into(),
        rules: vec!["grave: landuse DLBM = 09".into()],
        thresholds: vec![("steep threshold_deg".into(), "25".into())],
        tuban_version: "0.1.0-test".into(),
        started: "2026-11-28T06:03:05Z".into(),
        seconds: 0.25,
        warnings: vec!["3 patches beyond the DEM".into()],
        layer_notes: vec![("graves".into(), "2 of 5 features near the patches".into())],
        landuse: Some(CodeTable {
            field: Some("DLBM".into()),
            rows: vec![
                CodeRow {
                    features: 3,
                    m2: 900.0,
                    ..CodeRow::new(
                        "0101".into(),
                        &Rules::builtin(),
                        Decision::NotObstacle,
                        Some(0),
                    )
                },
                CodeRow {
                    features: 1,
                    m2: 100.0,
                    ..CodeRow::new("0999".into(), &Rules::builtin(), Decision::NoMatch, None)
                },
            ],
            covered_m2: 1000.0,
            patches_m2: 1250.0,
            patches_short: 1,
            ..Default::default()
        }),
    }
}

fn class_has(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|w| w == class))
}

/// The elements with `class` in their class list.
fn with_class<'a>(doc: &'a roxmltree::Document, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && class_has(n, class))
        .collect()
}

/// The rings of a path's `d` as the map writes it (`M x y l dx dy … z`), in absolute user units.
fn rings(d: &str) -> Vec<Vec<(f64, f64)>> {
    let spaced: String = d
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphabetic() {
                vec![' ', c, ' ']
            } else {
                vec![c]
            }
        })
        .collect();
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cmd = ' ';
    let mut nums: Vec<f64> = Vec::new();
    let mut pos = (0.0, 0.0);
    let flush =
        |cmd: char, nums: &mut Vec<f64>, out: &mut Vec<Vec<(f64, f64)>>, pos: &mut (f64, f64)| {
            for (k, xy) in nums.chunks(2).enumerate() {
                match cmd {
                    'M' if k == 0 => {
                        *pos = (xy[0], xy[1]);
                        out.push(vec![*pos]);
                    }
                    'M' | 'L' => {
                        *pos = (xy[0], xy[1]);
                        out.last_mut().unwrap().push(*pos);
                    }
                    'l' => {
                        *pos = (pos.0 + xy[0], pos.1 + xy[1]);
                        out.last_mut().unwrap().push(*pos);
                    }
                    other => panic!("unexpected path command {other} in {d}"),
                }
            }
            nums.clear();
        };
    for tok in spaced.split_whitespace() {
        match tok {
            "M" | "l" | "L" | "z" => {
                flush(cmd, &mut nums, &mut out, &mut pos);
                cmd = tok.chars().next().unwrap();
            }
            n => nums.push(
                n.parse()
                    .unwrap_or_else(|_| panic!("bad number {n} in {d}")),
            ),
        }
    }
    flush(cmd, &mut nums, &mut out, &mut pos);
    out
}

/// The bounding box of a path's rings: `[min x, min y, max x, max y]`.
fn bbox(rings: &[Vec<(f64, f64)>]) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for r in rings {
        for &(x, y) in r {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    }
    b
}

#[test]
fn the_svg_has_one_path_per_patch_a_legend_a_scale_bar_and_a_north_arrow() {
    let report = sample();
    let text = svg::render(&report, &MapOptions::default());
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("277.0mm"));
    assert_eq!(root.attribute("height"), Some("190.0mm"));

    // One path per patch, with its id (escaped, the control character dropped), even the one
    // without geometry; the paths with geometry have one ring per part and hole.
    let patches = with_class(&doc, "patch");
    assert_eq!(patches.len(), report.patches.len());
    assert!(patches.iter().all(|p| p.tag_name().name() == "path"));
    let mut ids: Vec<&str> = patches
        .iter()
        .map(|p| p.attribute("data-patch-id").unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["0012", "0013", "0014", "0015", "0016", "0017", "0018"]
    );
    let by_id: BTreeMap<&str, roxmltree::Node> = patches
        .iter()
        .map(|p| (p.attribute("data-patch-id").unwrap(), *p))
        .collect();
    let n_rings = |id: &str| rings(by_id[id].attribute("d").unwrap()).len();
    assert_eq!(n_rings("0012"), 1);
    assert_eq!(n_rings("0013"), 2);
    assert_eq!(n_rings("0015"), 2, "the exterior and the hole");
    assert_eq!(n_rings("0016"), 0, "no geometry: an empty path");
    assert_eq!(
        by_id["0017"].attribute("data-village"),
        Some("A&B <村>"),
        "escaped in the file, the village name reads back"
    );
    assert!(text.contains("A&amp;B &lt;村&gt;"));
    // Each verdict's patches are in a group with its fill, holes by the even-odd rule.
    let verdict_of = |id: &str| {
        by_id[id]
            .parent_element()
            .unwrap()
            .attribute("class")
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict_of("0012"), "verdict verdict-partly");
    assert_eq!(verdict_of("0015"), "verdict verdict-rectifiable");
    assert_eq!(verdict_of("0017"), "verdict verdict-not_rectifiable");
    assert_eq!(verdict_of("0014"), "verdict verdict-failed");
    assert_eq!(verdict_of("0016"), "verdict verdict-skipped");
    assert_eq!(
        by_id["0015"]
            .parent_element()
            .unwrap()
            .attribute("fill-rule"),
        Some("evenodd")
    );
    // A tooltip per patch.
    let tip = by_id["0012"].first_element_child().unwrap();
    assert_eq!(tip.tag_name().name(), "title");
    assert!(tip.text().unwrap().contains("中山村"), "{:?}", tip.text());

    // The obstacle pieces: one per class in each patch, by class.
    let pieces = with_class(&doc, "piece");
    assert_eq!(pieces.len(), 5);
    let classes: Vec<&str> = with_class(&doc, "obstacle")
        .iter()
        .map(|g| g.attribute("data-class").unwrap())
        .collect();
    // Areas first, then roads, then graves on top.
    assert_eq!(
        classes,
        ["forest", "steep", "wetland_area", "road", "grave"]
    );

    // The legend: the three verdicts and the failed patches, every class; the village labels.
    let legend = with_class(&doc, "legend");
    assert_eq!(legend.len(), 1);
    assert_eq!(with_class(&doc, "legend-verdict").len(), 4);
    assert_eq!(with_class(&doc, "legend-class").len(), 5);
    let legend_text: String = legend[0]
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|");
    for word in [
        "可整改",
        "部分可整改",
        "不可整改",
        "处理失败",
        "墓地",
        "林地",
        "道路",
        "陡坡",
        "wetland_area",
        "（3 座）",
    ] {
        assert!(legend_text.contains(word), "{word} in {legend_text}");
    }
    let mut villages: Vec<&str> = with_class(&doc, "village")
        .iter()
        .map(|t| t.text().unwrap())
        .collect();
    villages.sort();
    assert_eq!(villages, ["A&B <村>", "中山村", "二坪村", "高家村"]);

    // The scale bar has a round length that fits the panel; the north arrow says grid north.
    let bar = with_class(&doc, "scale-bar");
    assert_eq!(bar.len(), 1);
    let len: f64 = bar[0].attribute("data-length-m").unwrap().parse().unwrap();
    let mantissa = len / 10f64.powf(len.log10().floor());
    assert!(
        [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
        "{len}"
    );
    // The data are 450 m wide on a frame of about 190 mm: a bar of at most 54 mm is under 150 m.
    assert!((20.0..=200.0).contains(&len), "{len}");
    let arrow = with_class(&doc, "north-arrow");
    assert_eq!(arrow.len(), 1);
    assert!(text.contains("坐标北（网格北）"));
    // The notes (wrapped over lines): method, CRS, meridian convergence.
    let notes: String = with_class(&doc, "notes")[0]
        .descendants()
        .filter(|n| n.is_text() && n.parent_element().unwrap().tag_name().name() == "text")
        .filter_map(|n| n.text())
        .collect();
    for s in ["椭球面积", "EPSG:4544", "子午线收敛角", "真北偏西 0.52°"] {
        assert!(notes.contains(s), "{s} in {notes}");
    }
}

#[test]
fn the_map_is_to_scale() {
    // The 100 m wide patch 0012 and the scale bar agree: both are in the same user units.
    let report = sample();
    let text = svg::render(&report, &MapOptions::default());
    let doc = roxmltree::Document::parse(&text).unwrap();
    let p = with_class(&doc, "patch")
        .into_iter()
        .find(|p| p.attribute("data-patch-id") == Some("0012"))
        .unwrap();
    let b = bbox(&rings(p.attribute("d").unwrap()));
    let per_m = (b[2] - b[0]) / 100.0;
    assert!(((b[3] - b[1]) / 80.0 - per_m).abs() < 0.01, "square pixels");
    let bar = with_class(&doc, "scale-bar")[0];
    let len: f64 = bar.attribute("data-length-m").unwrap().parse().unwrap();
    let width: f64 = bar
        .children()
        .filter(|n| n.tag_name().name() == "rect")
        .map(|r| r.attribute("width").unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(
        (width - len * per_m).abs() < 0.05,
        "{width} vs {}",
        len * per_m
    );
}

#[test]
fn english_labels() {
    let report = sample();
    let text = svg::render(
        &report,
        &MapOptions {
            lang: Lang::En,
            title: Some("Erping <test> map".into()),
            ..Default::default()
        },
    );
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert!(text.contains("Erping &lt;test&gt; map"));
    for word in [
        "Legend",
        "partly rectifiable",
        "not rectifiable",
        "forest",
        "grid north",
        "Areas: ellipsoidal",
    ] {
        assert!(text.contains(word), "{word}");
    }
    assert!(!text.contains("图例"));
    assert_eq!(with_class(&doc, "patch").len(), report.patches.len());
}

#[test]
fn longitude_latitude_is_drawn_to_the_same_scale() {
    // The same report in CGCS2000 longitude/latitude: the same shapes and scale bar, north up.
    let projected = sample();
    let crs = Crs::from_epsg(4544).unwrap();
    let mut report = sample();
    let to_lonlat = |g: &MultiPolygon<f64>| {
        g.map_coords(|c| {
            let (lon, lat) = crs.to_geographic(c.x, c.y);
            geo::Coord { x: lon, y: lat }
        })
    };
    for p in &mut report.patches {
        p.geometry = to_lonlat(&p.geometry);
    }
    for r in &mut report.results {
        for (_, g) in &mut r.pieces {
            *g = to_lonlat(g);
        }
    }
    report.crs = Some(Crs::from_epsg(4490).unwrap());
    let a = svg::render(&projected, &MapOptions::default());
    let b = svg::render(&report, &MapOptions::default());
    let (da, db) = (
        roxmltree::Document::parse(&a).unwrap(),
        roxmltree::Document::parse(&b).unwrap(),
    );
    let len = |d: &roxmltree::Document| {
        with_class(d, "scale-bar")[0]
            .attribute("data-length-m")
            .unwrap()
            .to_string()
    };
    assert_eq!(len(&da), len(&db));
    // The sides of 0012 (100 m and 80 m) have the same lengths on both maps; only their
    // direction differs, by the meridian convergence (true north is up on the second).
    let sides = |d: &roxmltree::Document, id: &str| {
        let p = with_class(d, "patch")
            .into_iter()
            .find(|p| p.attribute("data-patch-id") == Some(id))
            .unwrap();
        let r = &rings(p.attribute("d").unwrap())[0];
        let len = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
        (
            len(r[0], r[1]),
            len(r[1], r[2]),
            (r[1].1 - r[0].1).atan2(r[1].0 - r[0].0),
        )
    };
    // User units per metre, from the scale bar.
    let per_m = |d: &roxmltree::Document| {
        let bar = with_class(d, "scale-bar")[0];
        let len: f64 = bar.attribute("data-length-m").unwrap().parse().unwrap();
        let width: f64 = bar
            .children()
            .filter(|n| n.tag_name().name() == "rect")
            .map(|r| r.attribute("width").unwrap().parse::<f64>().unwrap())
            .sum();
        width / len
    };
    let (wa, ha, ta) = sides(&da, "0012");
    let (wb, hb, tb) = sides(&db, "0012");
    let (ka, kb) = (per_m(&da), per_m(&db));
    // To the rounding of the path to 0.1 px (a 100 m side is about 150 px).
    for (got, m) in [
        (wa / ka, 100.0),
        (ha / ka, 80.0),
        (wb / kb, 100.0),
        (hb / kb, 80.0),
    ] {
        assert!((got - m).abs() < 0.15, "{got} m for {m} m");
    }
    // East of the central meridian in the north, true north is west of grid north: turned
    // clockwise on screen (y down) by about half a degree.
    let turn = (tb - ta).to_degrees();
    assert!((0.3..0.8).contains(&turn), "{turn}°");
    assert!(b.contains("经纬度"));
    assert!(!b.contains("坐标北（网格北）"));
}

#[test]
fn a_report_without_geometry_or_crs_still_renders() {
    let mut report = sample();
    for p in &mut report.patches {
        p.geometry = MultiPolygon(vec![]);
    }
    for r in &mut report.results {
        r.pieces.clear();
    }
    report.crs = None;
    let text = svg::render(&report, &MapOptions::default());
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(with_class(&doc, "patch").len(), report.patches.len());
    assert!(with_class(&doc, "scale-bar").is_empty());
    assert!(text.contains("没有可绘制的图斑图形"));
    // The run kept no pieces although there are obstacles: the legend says so.
    assert!(text.contains("未保留障碍图形"));
}

#[test]
fn a_big_map_stays_compact() {
    // 10 000 patches of 30 × 20 m with 12 vertices each: about 100 bytes a patch beyond the tooltip.
    let classes: Vec<String> = ["grave", "forest", "road", "steep"]
        .map(String::from)
        .to_vec();
    let mut patches = Vec::new();
    let mut results = Vec::new();
    for i in 0..10_000 {
        let (x, y) = ((i % 100) as f64 * 40.0, (i / 100) as f64 * 30.0);
        let mut ring: Vec<(f64, f64)> = Vec::new();
        for k in 0..12 {
            let t = k as f64 / 12.0 * std::f64::consts::TAU;
            ring.push((
                X0 + x + 15.0 + 15.0 * t.cos(),
                Y0 + y + 10.0 + 10.0 * t.sin(),
            ));
        }
        let g = MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]);
        results.push(result(g.unsigned_area(), vec![0.0; 4], 0.0, vec![]));
        patches.push(Patch::new(format!("{i:05}"), format!("村{}", i / 2500), g));
    }
    let report = Report::new(Measured {
        classes,
        method: AreaMethod::Planar,
        method_note: "planar".into(),
        patches,
        results,
        status: vec![],
        verdict_rules: VerdictRules::default(),
        both_areas: None,
        crs: Some(Crs::from_epsg(4544).unwrap()),
    });
    let t = std::time::Instant::now();
    let text = svg::render(&report, &MapOptions::default());
    let took = t.elapsed();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(with_class(&doc, "patch").len(), 10_000);
    assert!(text.len() < 10_000 * 260, "{} bytes", text.len());
    assert!(took.as_secs_f64() < 5.0, "{took:?}");
}

#[test]
fn the_files_are_written_whole() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("map.svg");
    svg::write(&report, &MapOptions::default(), &svg_path).unwrap();
    assert_eq!(
        fs::read_to_string(&svg_path).unwrap(),
        svg::render(&report, &MapOptions::default())
    );
    let html_path = dir.path().join("report.html");
    html::write(&report, &info(), Lang::Zh, &html_path).unwrap();
    assert!(fs::read_to_string(&html_path)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tuban-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The `<td>` texts of each `<tr>` in `section` of a table with `class`: (body rows, foot rows).
fn table_rows(html: &str, class: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let start = html
        .find(&format!("<table class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no table {class}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let rows = |part: &str| -> Vec<Vec<String>> {
        part.split("<tr")
            .skip(1)
            .map(|tr| {
                tr.split("<td")
                    .skip(1)
                    .map(|td| {
                        let open = td.find('>').unwrap() + 1;
                        td[open..td.find("</td>").unwrap()].to_string()
                    })
                    .collect()
            })
            .collect()
    };
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    let foot = match (table.find("<tfoot>"), table.find("</tfoot>")) {
        (Some(a), Some(b)) => rows(&table[a..b]),
        _ => Vec::new(),
    };
    (rows(body), foot)
}

/// `12.34` → 1234.
fn hundredths(s: &str) -> i64 {
    let (i, f) = s.split_once('.').unwrap_or((s, "00"));
    assert_eq!(f.len(), 2, "{s}");
    i.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
}

#[test]
fn the_html_report_is_self_contained_and_its_village_rows_add_up() {
    let report = sample();
    let page = html::render(&report, &info(), Lang::Zh);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    // Nothing to load from elsewhere: no address, script, stylesheet link, image or import.
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "@import", "url(http", "src=",
    ] {
        assert!(!page.contains(bad), "{bad}");
    }
    // The map is inline, with one path per patch.
    assert_eq!(page.matches("<svg").count(), 1);
    assert_eq!(
        page.matches("<path class=\"patch\"").count(),
        report.patches.len()
    );
    // Everything from the data is escaped.
    assert!(page.contains("A&amp;B &lt;村&gt;"));
    assert!(!page.contains("A&B <村>"));
    assert!(page.contains("自相交 &lt;self-intersection&gt;"));
    assert!(page.contains("data/patches&lt;1&gt;.shp"));
    assert!(!page.contains('\u{1}'));

    // The village table: every mu column's rows add up to the total row; the counts too.
    let (rows, foot) = table_rows(&page, "villages");
    assert_eq!(rows.len(), 4);
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["A&amp;B &lt;村&gt;", "中山村", "二坪村", "高家村"]);
    let total = &foot[0];
    assert_eq!(total[0], "合计");
    assert_eq!(total[1], "7");
    assert_eq!(total.len(), rows[0].len());
    for col in 1..8 {
        let sum: i64 = rows.iter().map(|r| r[col].parse::<i64>().unwrap()).sum();
        assert_eq!(sum, total[col].parse::<i64>().unwrap(), "column {col}");
    }
    // Verdicts: rectifiable 0015 and 0018, partly 0012 and 0013, not 0017; 0014 failed, 0016
    // was skipped, 0012 repaired (and judged).
    assert_eq!(&total[2..8], ["2", "2", "1", "1", "1", "1"]);
    for col in 8..total.len() {
        let sum: i64 = rows.iter().map(|r| hundredths(&r[col])).sum();
        assert_eq!(sum, hundredths(&total[col]), "column {col}");
    }
    // The total area in mu is the summary's.
    let area_mu = &total[8];
    assert!(page.contains(&format!("{area_mu} 亩")), "{area_mu}");

    // The class table has every class and the union, clean and all-patches rows; the graves'
    // count.
    let (classes, foot) = table_rows(&page, "classes");
    assert_eq!(classes.len(), 5);
    assert!(classes[0][0].contains("墓地"));
    assert_eq!(classes[0][5], "3");
    assert_eq!(classes[4][0], "wetland_area");
    assert_eq!(foot.len(), 3);

    // The land-use codes: every code inside the patches, the unknown one marked, the share.
    let (codes, _) = table_rows(&page, "landuse");
    assert_eq!(codes.len(), 2);
    assert_eq!(codes[0][0], "0101");
    assert_eq!(codes[1][0], "！0999");
    assert_eq!(codes[1][2], "no rule");
    assert!(page.contains("80.00%"), "1000 of 1250 m² covered");
    assert!(page.contains("2 of 5 features near the patches"));

    // The failed patches are listed with their errors.
    let (failed, _) = (page.matches("<table class=\"failures\">").count(), ());
    assert_eq!(failed, 1);
    let (failed, _) = table_rows(&page, "failures");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0][0], "0014");
    assert!(failed[0][3].contains("自相交 &lt;self-intersection&gt;"));
    let (skipped, _) = table_rows(&page, "skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0][0], "0016");
    assert!(skipped[0][3].contains("skipped"));
    let (repaired, _) = table_rows(&page, "repaired");
    assert_eq!(repaired.len(), 1);
    assert_eq!(repaired[0][0], "0012");
    // The summary states the method, the CRS and the date.
    for s in [
        "ellipsoidal on CGCS2000",
        "EPSG:4544",
        "2026-11-28T06:03:05Z",
        "3 patches beyond the DEM",
    ] {
        assert!(page.contains(s), "{s}");
    }
}

#[test]
fn the_html_report_in_english() {
    let report = sample();
    let page = html::render(&report, &info(), Lang::En);
    assert!(page.contains("<html lang=\"en\">"));
    for s in [
        "Summary",
        "Villages",
        "Obstacle classes",
        "Failed patches (1)",
        "Skipped patches (1)",
        "Repaired patches (1)",
        "1 failed, 1 skipped",
        "total",
        "Legend",
    ] {
        assert!(page.contains(s), "{s}");
    }
    assert!(!page.contains("概况"));
}

#[cfg(feature = "png")]
mod png {
    use super::*;
    use resvg::tiny_skia::Pixmap;
    use tuban_io::write::png;

    #[test]
    fn usvg_reads_the_svg() {
        let text = svg::render(&sample(), &MapOptions::default());
        let tree = resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default())
            .expect("usvg parses the map");
        // 277 × 190 mm at 96 px per inch.
        assert!(
            (tree.size().width() - 1046.9).abs() < 0.1,
            "{:?}",
            tree.size()
        );
    }

    #[test]
    fn the_png_shows_the_patches_their_holes_and_the_background() {
        let mut report = sample();
        // No labels over the patches (a patch without village has none): the test looks at
        // the patches' own paint.
        for p in &mut report.patches {
            p.village.clear();
        }
        let dpi = 96.0;
        let png = png::render(&report, &MapOptions::default(), dpi).unwrap();
        // 277 × 190 mm at 96 dpi.
        assert_eq!((png.width, png.height), (1047, 718));
        let pix = Pixmap::decode_png(&png.data).unwrap();
        assert_eq!((pix.width(), pix.height()), (png.width, png.height));

        let text = svg::render(&report, &MapOptions::default());
        let doc = roxmltree::Document::parse(&text).unwrap();
        let k = dpi / 96.0;
        let rgb = |x: f64, y: f64| {
            let p = pix.pixel((x * k) as u32, (y * k) as u32).unwrap();
            (p.red(), p.green(), p.blue())
        };
        let hex = |s: &str| {
            let v = u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap();
            ((v >> 16) as u8, (v >> 8) as u8, v as u8)
        };
        let white = (255, 255, 255);
        let near = |a: (u8, u8, u8), b: (u8, u8, u8)| {
            (a.0 as i32 - b.0 as i32).abs() <= 3
                && (a.1 as i32 - b.1 as i32).abs() <= 3
                && (a.2 as i32 - b.2 as i32).abs() <= 3
        };
        // Every patch with geometry has paint at the middle of its first ring's box; the
        // clean ones show their verdict's fill there.
        for p in with_class(&doc, "patch") {
            let r = rings(p.attribute("d").unwrap());
            if r.is_empty() {
                continue;
            }
            let b = bbox(&r[..1]);
            let mid = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            let id = p.attribute("data-patch-id").unwrap();
            let got = rgb(mid.0, mid.1);
            if id == "0015" {
                // The middle of 0015 is its pond: the white background shows through.
                assert_eq!(got, white, "{id}: the hole");
                // A quarter in from its corner is field.
                let q = (b[0] + (b[2] - b[0]) / 8.0, b[1] + (b[3] - b[1]) / 8.0);
                let fill = hex(p.parent_element().unwrap().attribute("fill").unwrap());
                assert!(
                    near(rgb(q.0, q.1), fill),
                    "{id}: {:?} vs {fill:?}",
                    rgb(q.0, q.1)
                );
            } else {
                assert_ne!(got, white, "{id} at {mid:?}");
            }
            if id == "0018" {
                let fill = hex(p.parent_element().unwrap().attribute("fill").unwrap());
                assert!(near(got, fill), "{id}: {got:?} vs {fill:?}");
            }
        }
        // Just inside the map frame's corner there is nothing: white.
        let frame = with_class(&doc, "frame")[0];
        let fx: f64 = frame.attribute("x").unwrap().parse().unwrap();
        let fy: f64 = frame.attribute("y").unwrap().parse().unwrap();
        assert_eq!(rgb(fx + 5.0, fy + 5.0), white);
        // The map has text (title, legend, labels): dark pixels above the frame. (Only where
        // the machine has a font: without any, text is not drawn and the writer says so.)
        if png.warnings.iter().any(|w| w.contains("no fonts")) {
            return;
        }
        let dark = (0..(fy * k) as u32)
            .flat_map(|y| (0..pix.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| pix.pixel(x, y).unwrap().red() < 80)
            .count();
        assert!(dark > 500, "{dark} dark pixels in the title strip");
    }

    #[test]
    fn the_png_file_is_written_at_300_dpi() {
        let report = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.png");
        // The narrowest page (150 mm) keeps the test quick in a debug build; the default A4
        // page at 300 dpi is 3272 × 2244 pixels.
        let opts = MapOptions {
            width_mm: 150.0,
            ..Default::default()
        };
        let warnings = png::write(&report, &opts, &path).unwrap();
        let bytes = fs::read(&path).unwrap();
        let pix = Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((pix.width(), pix.height()), (1772, 1215));
        // pHYs: 300 dpi = 11 811 pixels per metre.
        let at = bytes.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(&bytes[at + 4..at + 8], &11_811u32.to_be_bytes());
        // Warnings only about fonts.
        assert!(warnings.iter().all(|w| w.contains("font")), "{warnings:?}");
    }
}
