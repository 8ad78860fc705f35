//! Every text tuban writes itself can be encoded in GBK, the default shapefile encoding: a run
//! must never fail on its own words (issue 11: `forest 1.6 m²` stopped a GBK shapefile, since GBK
//! has no `²`).
//!
//! Two tests. The first builds a report that takes every path that makes text (each verdict, in
//! both languages; reasons in mu and in square metres, one grave and several; every validity
//! problem under each policy; failed, skipped and repaired patches; both areas; a class a rules
//! file adds), checks every header and cell, the names of the shapefile's fields and their note,
//! then writes every output (CSV, village CSV, GeoJSON, workbook and map and page in both
//! languages, shapefiles in GBK, GeoPackage) and runs all the text of every file through
//! encoding_rs's GBK encoder. The second scans the library crates' sources for string and char
//! literals GBK cannot hold, so that a new message cannot bring one back.
//!
//! User text (ids, village names, class names of a rules file) is the user's: here it is GBK, and
//! text outside GBK is refused with the fix (see `write_outputs.rs`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{polygon, LineString, MultiPolygon, Polygon};
use tuban_core::area::AreaMethod;
use tuban_core::crs::Crs;
use tuban_core::overlay::{Patch, PatchResult};
use tuban_core::report::{Cell, Measured, PatchStatus, Report};
use tuban_core::validity::{check_obstacle, check_patch, diagnose, InvalidPolicy, Outcome};
use tuban_core::verdict::{class_zh, Verdict, VerdictRules};
use tuban_io::read::ReadOptions;
use tuban_io::write::geojson::GeoJsonOptions;
use tuban_io::write::pieces::pieces_path;
use tuban_io::write::run_info::{InputFile, RunInfo};
use tuban_io::write::shp::{short_names, ShpEncoding, ShpOptions};
use tuban_io::write::svg::MapOptions;
use tuban_io::write::{self, Lang};

const X0: f64 = 601_000.0;
const Y0: f64 = 3_304_000.0;

/// The characters of `text` that GBK cannot encode.
fn not_gbk(text: &str) -> String {
    text.chars()
        .filter(|c| {
            let (_, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut [0; 4]));
            unmappable
        })
        .collect()
}

/// Collects the texts that are not GBK, with where they come from.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, what: &str, text: &str) {
        let bad = not_gbk(text);
        if !bad.is_empty() {
            let at = text.find(bad.chars().next().unwrap()).unwrap();
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(30)
                .map_or(0, |(i, _)| i);
            let context: String = text[from..].chars().take(60).collect();
            self.0.push(format!("{what}: {bad:?} in …{context}…"));
        }
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "text GBK cannot hold:\n{}",
            self.0.join("\n")
        );
    }
}

fn square(x: f64, y: f64, s: f64) -> Polygon<f64> {
    polygon![
        (x: X0 + x, y: Y0 + y),
        (x: X0 + x + s, y: Y0 + y),
        (x: X0 + x + s, y: Y0 + y + s),
        (x: X0 + x, y: Y0 + y + s),
    ]
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    LineString::from(
        points
            .iter()
            .map(|(x, y)| (X0 + x, Y0 + y))
            .collect::<Vec<_>>(),
    )
}

/// Geometries with every problem validity can find, and some without any.
fn problem_geometries() -> Vec<MultiPolygon<f64>> {
    let bowtie = Polygon::new(
        ring(&[
            (0.0, 0.0),
            (0.0, 10.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 0.0),
        ]),
        vec![],
    );
    let nan = Polygon::new(
        ring(&[(0.0, 0.0), (f64::NAN, 10.0), (10.0, 0.0), (0.0, 0.0)]),
        vec![],
    );
    let flat = Polygon::new(
        ring(&[(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (0.0, 0.0)]),
        vec![],
    );
    let hole_outside = Polygon::new(
        square(0.0, 0.0, 10.0).exterior().clone(),
        vec![ring(&[
            (20.0, 0.0),
            (22.0, 0.0),
            (22.0, 2.0),
            (20.0, 2.0),
            (20.0, 0.0),
        ])],
    );
    let holes_meet = Polygon::new(
        square(0.0, 0.0, 10.0).exterior().clone(),
        vec![
            ring(&[(2.0, 2.0), (6.0, 2.0), (6.0, 6.0), (2.0, 6.0), (2.0, 2.0)]),
            ring(&[(4.0, 4.0), (8.0, 4.0), (8.0, 8.0), (4.0, 8.0), (4.0, 4.0)]),
        ],
    );
    let hole_on_shell = Polygon::new(
        square(0.0, 0.0, 10.0).exterior().clone(),
        vec![ring(&[
            (0.0, 2.0),
            (4.0, 2.0),
            (4.0, 6.0),
            (0.0, 6.0),
            (0.0, 2.0),
        ])],
    );
    vec![
        MultiPolygon(vec![square(0.0, 0.0, 10.0)]),
        MultiPolygon(vec![bowtie]),
        MultiPolygon(vec![nan]),
        MultiPolygon(vec![flat.clone()]),
        MultiPolygon(vec![square(0.0, 0.0, 10.0), flat]),
        MultiPolygon(vec![hole_outside]),
        MultiPolygon(vec![holes_meet]),
        MultiPolygon(vec![hole_on_shell]),
        // Parts that overlap, lie one inside the other, share an edge.
        MultiPolygon(vec![square(0.0, 0.0, 10.0), square(5.0, 5.0, 10.0)]),
        MultiPolygon(vec![square(0.0, 0.0, 10.0), square(2.0, 2.0, 3.0)]),
        MultiPolygon(vec![square(0.0, 0.0, 10.0), square(10.0, 0.0, 10.0)]),
        MultiPolygon(vec![]),
    ]
}

fn result(area: f64, class_m2: Vec<f64>, union: f64) -> PatchResult {
    let n = class_m2.len();
    PatchResult {
        area_m2: area,
        class_m2,
        union_m2: union,
        class_count: vec![1; n],
        point_count: vec![0; n],
        method: AreaMethod::Ellipsoidal,
        pieces: vec![],
        kernel: Default::default(),
        error: None,
    }
}

/// A report with every verdict, reasons in mu and m² with one and several graves, a rules file's
/// class, and failed, skipped and repaired patches with the validity module's own texts.
fn report() -> Report {
    let classes: Vec<String> = ["grave", "forest", "road", "steep", "wetland"]
        .map(String::from)
        .to_vec();
    let k = classes.len();
    let class = |pairs: &[(usize, f64)]| {
        let mut v = vec![0.0; k];
        for &(c, a) in pairs {
            v[c] = a;
        }
        v
    };
    let bowtie = problem_geometries().swap_remove(1);
    let nan = problem_geometries().swap_remove(2);
    let empty = MultiPolygon::<f64>(vec![]);

    let mut patches = Vec::new();
    let mut results = Vec::new();
    let mut repairs = Vec::new();
    let mut skipped = Vec::new();
    let mut add = |id: &str,
                   village: &str,
                   g: MultiPolygon<f64>,
                   mut r: PatchResult,
                   repair: String,
                   skip: bool| {
        // A forest piece (the whole patch will do), for the obstacle layers' class names.
        if r.class_m2[1] > 0.0 {
            r.pieces.push((1, g.clone()));
        }
        patches.push(Patch::new(id, village, g).with_record(patches.len() + 1));
        results.push(r);
        repairs.push(repair);
        skipped.push(skip);
    };
    let sq = |i: usize| MultiPolygon(vec![square(100.0 * i as f64, 0.0, 40.0)]);
    // Rectifiable: nothing in the way, and a road of 0.6 m² (under 0.005 mu: shown in m²).
    add(
        "0001",
        "中山村",
        sq(1),
        result(1600.0, class(&[]), 0.0),
        String::new(),
        false,
    );
    add(
        "0002",
        "中山村",
        sq(2),
        result(1600.0, class(&[(2, 0.6)]), 0.6),
        String::new(),
        false,
    );
    // Partly: forest in mu, one grave.
    let mut r = result(1600.0, class(&[(1, 500.0), (0, 10.0)]), 505.0);
    r.point_count[0] = 1;
    add("0003", "二坪村", sq(3), r, String::new(), false);
    // Not rectifiable: several graves, steep, and the rules file's class in m².
    let mut r = result(1600.0, class(&[(0, 5.0), (3, 1500.0), (4, 0.3)]), 1503.0);
    r.point_count[0] = 3;
    add("0004", "二坪村", sq(4), r, String::new(), false);
    // Repaired under `repair`, and measured.
    let Outcome::Repaired { geometry, what } = check_patch(&bowtie, InvalidPolicy::Repair) else {
        panic!("a bowtie is repaired")
    };
    add(
        "0005",
        "高家村",
        geometry,
        result(50.0, class(&[(1, 20.0)]), 20.0),
        what,
        false,
    );
    // Skipped under `skip`: not measured, with the pipeline's wording.
    let why = check_patch(&bowtie, InvalidPolicy::Skip).note().to_string();
    let mut r = result(0.0, class(&[]), 0.0);
    r.error = Some(format!("not measured: {why}"));
    add("0006", "高家村", empty.clone(), r, why, true);
    // Failed: not repairable, and no area.
    for (id, g) in [("0007", &nan), ("0008", &empty)] {
        let mut r = result(0.0, class(&[]), 0.0);
        r.error = Some(check_patch(g, InvalidPolicy::Repair).note().to_string());
        add(id, "高家村", empty.clone(), r, String::new(), false);
    }
    let status = results
        .iter()
        .zip(repairs.into_iter().zip(skipped))
        .map(|(r, (repair, skip))| match (skip, &r.error) {
            (true, _) => PatchStatus::Skipped(repair),
            (false, Some(e)) => PatchStatus::Failed(e.clone()),
            (false, None) if !repair.is_empty() => PatchStatus::Repaired(repair),
            (false, None) => PatchStatus::Measured,
        })
        .collect();
    let both = results
        .iter()
        .map(|r| (r.area_m2, r.area_m2 * 1.0001))
        .collect();
    Report::new(Measured {
        classes,
        method: AreaMethod::Ellipsoidal,
        method_note: "ellipsoidal: the survey's method 椭球面积".into(),
        patches,
        results,
        status,
        verdict_rules: VerdictRules::default(),
        both_areas: Some(both),
        crs: Some(Crs::from_epsg(4544).unwrap()),
    })
}

fn info(dir: &Path) -> RunInfo {
    let rules = dir.join("rules.toml");
    fs::write(&rules, "[verdict]\nnegligible_m2 = 1.0\n").unwrap();
    RunInfo {
        inputs: InputFile::describe("rules", &rules).unwrap(),
        crs: Crs::from_epsg(4544).unwrap().to_string(),
        crs_notes: vec![("patches".into(), "from the .prj".into())],
        area_method: "ellipsoidal on CGCS2000".into(),
        rules: vec!["grave: landuse DLBM = 09".into()],
        thresholds: vec![("steep threshold_deg".into(), "25".into())],
        tuban_version: "0.1.0-test".into(),
        started: "2026-12-02T06:03:05Z".into(),
        seconds: 0.25,
        warnings: vec!["a warning".into()],
        ..Default::default()
    }
}

#[test]
fn every_text_tuban_writes_is_gbk() {
    let report = report();
    let mut found = Findings::default();

    // The paths the report was meant to take.
    let verdicts: Vec<Option<Verdict>> = report
        .judgements
        .iter()
        .map(|j| j.as_ref().map(|j| j.verdict))
        .collect();
    for v in Verdict::ALL {
        assert!(verdicts.contains(&Some(v)), "no {v:?} patch");
    }
    let reasons = report.reasons_text(1, false);
    assert_eq!(reasons, "road 0.6 m2", "square metres as GBK holds them");
    assert_eq!(report.reasons_text(1, true), "道路 0.6平方米");
    assert!(report.reasons_text(2, false).contains("(1 grave)"));
    assert!(report.reasons_text(3, false).contains("(3 graves)"));
    assert!(report.reasons_text(3, true).contains("（3座）"));
    assert!(report.reasons_text(3, false).contains("wetland 0.3 m2"));
    assert!(
        report.repairs[4].contains("repaired into"),
        "{}",
        report.repairs[4]
    );
    assert!(report.repairs[5].contains("skipped"));
    assert!(report.results[6]
        .error
        .as_deref()
        .unwrap()
        .contains("finite"));
    assert!(report.results[7]
        .error
        .as_deref()
        .unwrap()
        .contains("no area"));

    // Every header and every cell.
    let columns = report.columns();
    for c in &columns {
        found.check("column name", &c.name);
        for row in 0..report.patches.len() {
            if let Cell::Text(t) = report.cell(row, c) {
                found.check(&format!("row {row}, column {}", c.name), &t);
            }
        }
    }
    // The vocabulary: verdicts, classes, and every validity text under every policy.
    for v in Verdict::ALL {
        found.check("verdict", v.as_str());
        found.check("verdict_zh", v.zh());
    }
    for c in &report.classes {
        found.check("class_zh", class_zh(c));
    }
    for g in problem_geometries() {
        for p in diagnose(&g) {
            found.check("problem", &p.to_string());
        }
        for policy in [
            InvalidPolicy::Repair,
            InvalidPolicy::Skip,
            InvalidPolicy::Error,
        ] {
            found.check("patch outcome", check_patch(&g, policy).note());
            found.check("obstacle outcome", check_obstacle(&g, policy).note());
        }
    }
    // The shapefile's field names and the note that maps them.
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    for n in short_names(&names, ShpEncoding::Gbk) {
        found.check("field name", &n);
    }

    // Every output, in both languages where there are two.
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let info = info(dir.path());
    write::csv::write(&report, &p("x.csv")).unwrap();
    write::csv::write_villages(&report, &p("villages.csv")).unwrap();
    let gj = GeoJsonOptions {
        source_crs: report.crs,
        keep_crs: false,
    };
    write::geojson::write(&report, &gj, &p("x.geojson")).unwrap();
    write::geojson::write_pieces(&report, &gj, &pieces_path(&p("x.geojson"))).unwrap();
    write::gpkg::write(&report, &p("x.gpkg")).unwrap();
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        write::xlsx::write(&report, &info, lang, &p(&format!("{tag}.xlsx"))).unwrap();
        write::html::write(&report, &info, lang, &p(&format!("{tag}.html"))).unwrap();
        let map = MapOptions {
            lang,
            ..MapOptions::default()
        };
        write::svg::write(&report, &map, &p(&format!("{tag}.svg"))).unwrap();
    }
    // The default shapefile: GBK. It must be written (this is what failed in issue 11).
    let opts = ShpOptions::default();
    let written = write::shp::write(&report, &opts, &p("x.shp")).expect("GBK shapefile");
    write::shp::write_pieces(&report, &opts, &pieces_path(&p("x.shp"))).expect("GBK pieces");
    if let Some(note) = written.field_map_note() {
        found.check("field map note", &note);
    }
    for w in &written.warnings {
        found.check("shapefile warning", w);
    }
    // ... and reads back with tuban's own text, unchanged.
    let layer = tuban_io::shp::read(&p("x.shp"), &ReadOptions::default()).unwrap();
    let text = |row: usize, field: &str| {
        layer
            .value(&layer.features[row], field)
            .and_then(|v| v.as_text())
            .unwrap_or_default()
    };
    assert_eq!(text(1, "reasons"), "road 0.6 m2");
    assert_eq!(text(4, "repair"), report.repairs[4]);

    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv" | "geojson" | "svg" | "html" | "prj" | "cpg") => {
                let text = fs::read_to_string(&path).unwrap();
                // The CSV's byte-order mark is not text (it tells Excel the file is UTF-8).
                found.check(&name, text.strip_prefix('\u{feff}').unwrap_or(&text));
            }
            Some("xlsx") => {
                let mut zip = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
                for i in 0..zip.len() {
                    let mut part = zip.by_index(i).unwrap();
                    // rust_xlsxwriter's stock Office theme names fonts for other scripts
                    // (Hangul among them): not tuban's text.
                    let part_name = part.name().unwrap().to_string();
                    if part_name == "xl/theme/theme1.xml" {
                        continue;
                    }
                    let part_name = format!("{name}:{part_name}");
                    let mut xml = String::new();
                    part.read_to_string(&mut xml).unwrap();
                    found.check(&part_name, &xml);
                }
            }
            Some("gpkg") => {
                let db = rusqlite::Connection::open(&path).unwrap();
                let tables: Vec<String> = db
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                for t in tables {
                    let mut stmt = db.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
                    let n = stmt.column_count();
                    let mut rows = stmt.query([]).unwrap();
                    while let Some(row) = rows.next().unwrap() {
                        for k in 0..n {
                            if let Ok(s) = row.get::<_, String>(k) {
                                found.check(&format!("{name}: table {t}"), &s);
                            }
                        }
                    }
                }
            }
            // The .dbf was encoded in GBK by the writer, which refuses what GBK cannot hold.
            _ => {}
        }
    }
    found.assert_none();
}

/// The Rust sources of the library crates under `crates/`.
fn sources() -> Vec<PathBuf> {
    let root: PathBuf = [env!("CARGO_MANIFEST_DIR"), ".."].iter().collect();
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = ["core", "io", "synth", "tuban"]
        .iter()
        .map(|c| root.join(c).join("src"))
        .collect();
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out
}

/// The string and char literals of a source file's code (its tests left out: a `tests.rs` file,
/// or everything from `#[cfg(test)]` on), one a line, with `\u{…}` escapes decoded: what can end
/// up in a message. A small lexer: comments, strings (`"…"`, `r#"…"#`, byte strings), char
/// literals and lifetimes.
fn literals_of(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    let c: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        match c[i] {
            '/' if c.get(i + 1) == Some(&'/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            'r' | 'b'
                if !prev_ident && {
                    let mut j = i + 1;
                    if c[i] == 'b' && c.get(j) == Some(&'r') {
                        j += 1;
                    }
                    while c.get(j) == Some(&'#') {
                        j += 1;
                    }
                    c.get(j) == Some(&'"') && (j > i + 1 || c[i] == 'r')
                } =>
            {
                // A raw string: up to the quote followed by as many hashes.
                let mut j = i + 1;
                if c[j] == 'r' {
                    j += 1;
                }
                let mut hashes = 0;
                while c[j] == '#' {
                    hashes += 1;
                    j += 1;
                }
                j += 1;
                let closing: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let rest: String = c[j..].iter().collect();
                let end = rest.find(&closing).unwrap();
                out.push_str(&rest[..end]);
                out.push('\n');
                i = j + rest[..end].chars().count() + closing.chars().count();
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' {
                        i += 1;
                        if c[i] == 'u' && c.get(i + 1) == Some(&'{') {
                            let end = (i..c.len()).find(|&k| c[k] == '}').unwrap();
                            let hex: String = c[i + 2..end].iter().collect();
                            out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                            i = end;
                        }
                    } else {
                        out.push(c[i]);
                    }
                    i += 1;
                }
                out.push('\n');
                i += 1;
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{2009}'), or a lifetime ('a).
                if c.get(i + 1) == Some(&'\\') {
                    // From the character after the escaped one: '\'' ends at its third quote.
                    let end = (i + 3..c.len()).find(|&k| c[k] == '\'').unwrap();
                    if c[i + 2] == 'u' {
                        let hex: String = c[i + 4..end - 1].iter().collect();
                        out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                        out.push('\n');
                    }
                    i = end + 1;
                } else if c.get(i + 2) == Some(&'\'') {
                    out.push(c[i + 1]);
                    out.push('\n');
                    i += 3;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn no_message_in_the_sources_has_text_gbk_cannot_hold() {
    // Characters that are not text: the byte-order mark (written to the CSV, stripped from
    // .prj and .cpg files), and what `escape` drops from user text.
    let not_text = ['\u{feff}', '\u{fffe}', '\u{ffff}'];
    let mut found = Findings::default();
    let files = sources();
    assert!(files.len() > 40, "found {} sources", files.len());
    // The lexer finds the literals: the reasons' units, a raw string of the map, a char.
    let lit = |path: &str| literals_of(&files.iter().find(|f| f.ends_with(path)).unwrap().clone());
    let report = lit("core/src/report.rs");
    assert!(report.contains("{m2:.1}平方米\n") && report.contains("{m2:.1} m2\n"));
    assert!(lit("write/svg/legend.rs").contains(r##" font-weight="bold" fill="#111111""##));
    assert!(
        lit("write/svg/text.rs").contains("\u{fffe}\n"),
        "a char escape decoded"
    );
    for f in files {
        let literals: String = literals_of(&f)
            .chars()
            .filter(|c| !not_text.contains(c))
            .collect();
        found.check(&f.display().to_string(), &literals);
    }
    found.assert_none();
}
