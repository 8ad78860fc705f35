//! `tuban`: the command-line face of tuban. Parsing arguments, printing and exit codes live here;
//! every piece of real work is in `crates/` (see the README for the map).
//!
//! Exit codes (a contract for scripts): 0 success; 1 bad input (unreadable or malformed files,
//! refused outputs, anything the user must fix); 2 usage (unknown flags, missing arguments);
//! 3 the run finished but some patches failed (they are listed, and marked in the outputs);
//! 4 (`tuban ledger`) the ledger was made and written, but the audit flagged a stated figure.

mod ledger;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tuban::core::account::{hundredths, largest_remainder};
use tuban::core::area::AreaMethod;
use tuban::core::build::ShapeParams;
use tuban::core::defaults;
use tuban::core::report::PatchStatus;
use tuban::core::units::mu;
use tuban::core::validity::InvalidPolicy;
use tuban::io::write::shp::ShpEncoding;
use tuban::io::write::Lang;
use tuban::{DemSpec, Error, Fix, LayerSpec, ObstacleLayerSpec, Outcome, Project, RulesSpec};

const EXAMPLES: &str = "\
Examples:
  tuban run fixtures/erping/tuban.toml
  tuban run fixtures/erping/tuban.toml -o out/x.xlsx -o out/x.shp -o out/x.gpkg --lang en
  tuban overlay --patches patches.shp --landuse dltb.shp -o out.csv -o out.geojson
  tuban overlay --patches patches.shp --landuse dltb.shp --rules rules.toml -o out.csv --threads 2
  tuban inspect fixtures/erping/dltb.shp
  tuban ledger fixtures/erping/ledger.toml --json";

#[derive(Parser)]
#[command(
    name = "tuban",
    version,
    about = "Measure what stands in the way of restoring farmland patches (图斑), in m2 and mu",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Carry out a project file (layers, rules and outputs in one TOML file).
    #[command(after_help = "Example:\n  tuban run fixtures/erping/tuban.toml --overwrite")]
    Run {
        /// The project file.
        project: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Write these outputs instead of the project's (repeatable; format by extension).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        outputs: Vec<PathBuf>,
        /// Write the per-village totals here instead of the project's `villages`.
        #[arg(long, value_name = "OUT")]
        villages: Option<PathBuf>,
    },
    /// Overlay patches against layers given on the command line.
    #[command(
        after_help = "Example:\n  tuban overlay --patches patches.shp --landuse dltb.shp -o out.csv -o out.geojson"
    )]
    Overlay {
        /// The rectification patches (polygons: .shp, .geojson, or FILE:LAYER of a GeoPackage or a
        /// File Geodatabase, e.g. county.gdb:DLTB).
        #[arg(long, value_name = "FILE")]
        patches: PathBuf,
        /// The land-use layer (DLTB polygons with DLBM codes).
        #[arg(long, value_name = "FILE")]
        landuse: Option<PathBuf>,
        /// Grave points (or grave-cluster polygons).
        #[arg(long, value_name = "FILE")]
        graves: Option<PathBuf>,
        /// Road centre lines with a width field (or road polygons).
        #[arg(long, value_name = "FILE")]
        roads: Option<PathBuf>,
        /// A DEM (GeoTIFF) for steep slope.
        #[arg(long, value_name = "FILE")]
        dem: Option<PathBuf>,
        /// A rules file (TOML) mapping layers and attributes to obstacle classes.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Outputs (repeatable; .csv or .geojson).
        #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
        outputs: Vec<PathBuf>,
        /// Also write per-village totals to this CSV.
        #[arg(long, value_name = "OUT")]
        villages: Option<PathBuf>,
        /// Grave disc radius in metres.
        #[arg(long, value_name = "M", default_value_t = defaults::GRAVE_RADIUS_M)]
        grave_radius: f64,
        /// Field with the number of graves at each point (default: 1 each).
        #[arg(long, value_name = "FIELD")]
        grave_count_field: Option<String>,
        /// Field with each road's width in metres.
        #[arg(long, value_name = "FIELD", default_value = defaults::ROAD_WIDTH_FIELD)]
        road_width_field: String,
        /// What the road width field's values are multiplied by to give metres (0.01 for
        /// centimetres).
        #[arg(long, value_name = "S", default_value_t = 1.0)]
        road_width_scale: f64,
        /// What the grave area field's values are multiplied by to give m2 (666.6667 for mu).
        #[arg(long, value_name = "S", default_value_t = 1.0)]
        grave_area_scale: f64,
        /// Width for roads whose width field is empty.
        #[arg(long, value_name = "M")]
        road_default_width: Option<f64>,
        /// Cells of the DEM steeper than this (degrees) are obstacles.
        #[arg(long, value_name = "DEG", default_value_t = defaults::STEEP_THRESHOLD_DEG)]
        steep_threshold: f64,
        /// Roads narrower than this are not obstacles.
        #[arg(long, value_name = "M", default_value_t = defaults::ROAD_MIN_WIDTH_M)]
        road_min_width: f64,
        /// Field holding the patch id (default: TBBH, BSM or XH).
        #[arg(long, value_name = "FIELD")]
        id_field: Option<String>,
        /// Field holding the village (default: the first of QSDWMC, ZLDWMC, XZCMC, CUNMC, CMC,
        /// CUN, 村名, 村 the layer has).
        #[arg(long, value_name = "FIELD")]
        village_field: Option<String>,
        /// Show villages by their short names: 二坪镇中山村民委员会 as 中山村.
        #[arg(long)]
        village_short: bool,
        /// Text encoding of every input's attributes (overrides .cpg and the DBF's language driver).
        #[arg(long, value_name = "ENCODING")]
        encoding: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Generate a realistic synthetic data set (patches, land use, graves, roads, DEM and a
    /// project file) for benchmarks; the same seed and count give the same files.
    #[command(
        after_help = "Example:\n  tuban synth --patches 100000 --out /tmp/s100k\n  tuban run /tmp/s100k/tuban.toml"
    )]
    Synth {
        /// Number of patches.
        #[arg(long, value_name = "N")]
        patches: u64,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Random seed.
        #[arg(long, value_name = "S", default_value_t = tuban_synth::DEFAULT_SEED)]
        seed: u64,
        /// Do not write a DEM (and no [dem] in the project file).
        #[arg(long)]
        no_dem: bool,
        /// Replace files already in the output folder.
        #[arg(long)]
        overwrite: bool,
    },
    /// Describe a layer: geometry type, count, extent, fields, encoding and CRS; for a File
    /// Geodatabase (x.gdb), list its feature classes (x.gdb:NAME describes one).
    #[command(
        after_help = "Example:\n  tuban inspect fixtures/erping/patches.shp\n  tuban inspect county.gdb\n  tuban inspect county.gdb:DLTB"
    )]
    Inspect {
        /// The file (.shp, .gpkg, .geojson or a .gdb folder); FILE:LAYER for one table of a
        /// GeoPackage or one feature class of a File Geodatabase.
        file: PathBuf,
        /// Text encoding override.
        #[arg(long, value_name = "ENCODING")]
        encoding: Option<String>,
        /// The CRS to assume if the file states none, e.g. EPSG:4544.
        #[arg(long, value_name = "EPSG:NNNN")]
        assume_crs: Option<String>,
    },
    /// The farmland ledger (耕地一本账): the five veto indicators from survey layers, township and
    /// per village, with an audit of the figures a document states.
    #[command(after_help = ledger::EXAMPLE)]
    Ledger(ledger::LedgerArgs),
}

#[derive(Args)]
struct Common {
    /// Write the land-use codes inside the patches (area, class, rule; CSV) here; needs a land-use
    /// layer. Overrides the project's `codes`.
    #[arg(long, value_name = "OUT.csv")]
    codes: Option<PathBuf>,
    /// How areas are measured: ellipsoidal (the survey's method; the default for overlay) or
    /// planar (in the patches' projected CRS). Overrides the project file.
    #[arg(long, value_name = "METHOD")]
    area_method: Option<AreaMethod>,
    /// The CRS of layers whose files state none (no .prj), e.g. EPSG:4544.
    #[arg(long, value_name = "EPSG:NNNN")]
    assume_crs: Option<String>,
    /// Worker threads (0: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Replace outputs that already exist.
    #[arg(long)]
    overwrite: bool,
    /// Print only errors and the summary line; no progress bars.
    #[arg(short, long)]
    quiet: bool,
    /// Print the run's summary as JSON on stdout (instead of the table and summary line).
    #[arg(long)]
    json: bool,
    /// Invalid patch or obstacle geometry: repair (default; the repair is reported per patch),
    /// skip, or error.
    #[arg(long, value_name = "repair|skip|error")]
    invalid: Option<InvalidPolicy>,
    /// Language of the workbook, the map and the HTML report: zh (default) or en.
    #[arg(long, value_name = "zh|en")]
    lang: Option<Lang>,
    /// Text encoding of shapefile outputs: GBK (default), GB18030 (every character; GDAL and
    /// QGIS read it by the .cpg) or UTF-8.
    #[arg(long, value_name = "GBK|GB18030|UTF-8")]
    shp_encoding: Option<ShpEncoding>,
    /// A layer that may come near no patch (repeatable): by default such a layer stops the run,
    /// since it most often means a wrong CRS.
    #[arg(long, value_name = "landuse|graves|roads|dem", value_parser = clap::builder::PossibleValuesParser::new(tuban::project::CHECKED_LAYERS))]
    accept_no_overlap: Vec<String>,
    /// Which land survey's codes the land-use layer follows: third (三调, four-digit codes) or
    /// second (二调, three-digit codes); it chooses the built-in rules. Default: recognised
    /// from the codes.
    #[arg(long, value_name = "third|second")]
    landuse_standard: Option<tuban::core::survey::Standard>,
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits with 2 on usage errors, 0 for --help/--version
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tuban: error: {e}");
            if let Some(flag) = e.fixed_by().map(flag_of) {
                eprintln!("tuban: hint: {flag}");
            }
            ExitCode::from(1)
        }
    }
}

/// How the command line spells the option that fixes an error.
fn flag_of(fix: Fix) -> &'static str {
    match fix {
        Fix::Overwrite => "pass --overwrite to replace existing outputs",
        Fix::AssumeCrs => {
            "name the CRS with --assume-crs EPSG:NNNN (e.g. EPSG:4544 = CGCS2000 / 3-degree Gauss-Kruger CM 105E)"
        }
        Fix::InvalidPolicy => "--invalid repair|skip|error chooses what to do with invalid geometry",
        Fix::MeasureScale => {
            "--road-width-scale S or --grave-area-scale S (width_scale, area_scale under [roads], [graves]) turns a field's unit into metres or m2"
        }
        Fix::AcceptNoOverlap => {
            "--accept-no-overlap LAYER accepts a layer that truly has nothing near the patches (landuse, graves, roads or dem)"
        }
        Fix::VillageField => {
            "--village-field FIELD (village_field in the project file) names the patches' village field"
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Ledger(args) => Ok(ledger::ledger(args)),
        Command::Run {
            project,
            common,
            outputs,
            villages,
        } => {
            let mut p = Project::from_file(&project)?;
            if !outputs.is_empty() {
                // Outputs given on the command line replace the project's, village table included.
                p.outputs = outputs;
                p.villages = None;
                p.codes = None;
            }
            if villages.is_some() {
                p.villages = villages;
            }
            apply_common(&mut p, &common);
            execute(&p, &common)
        }
        Command::Overlay {
            patches,
            landuse,
            graves,
            roads,
            dem,
            rules,
            outputs,
            villages,
            grave_radius,
            grave_count_field,
            road_width_field,
            road_default_width,
            road_min_width,
            road_width_scale,
            grave_area_scale,
            steep_threshold,
            id_field,
            village_field,
            village_short,
            encoding,
            common,
        } => {
            let layer = |path: PathBuf| LayerSpec {
                encoding: encoding.clone(),
                ..LayerSpec::file(path)
            };
            let mut p = Project::new(layer(patches));
            p.patches.id_field = id_field;
            p.patches.village_field = village_field;
            p.patches.village_short = village_short;
            p.landuse = landuse.map(layer);
            p.graves = graves.map(|path| ObstacleLayerSpec {
                layer: layer(path),
                shape: ShapeParams {
                    radius_m: grave_radius,
                    count_field: grave_count_field,
                    area_scale: grave_area_scale,
                    ..Default::default()
                },
            });
            p.roads = roads.map(|path| ObstacleLayerSpec {
                layer: layer(path),
                shape: ShapeParams {
                    width_field: Some(road_width_field),
                    default_width_m: road_default_width,
                    min_width_m: road_min_width,
                    width_scale: road_width_scale,
                    ..Default::default()
                },
            });
            p.dem = dem.map(|path| DemSpec {
                threshold_deg: steep_threshold,
                ..DemSpec::at(path)
            });
            p.rules = rules.map(RulesSpec::File);
            p.outputs = outputs;
            p.villages = villages;
            apply_common(&mut p, &common);
            execute(&p, &common)
        }
        Command::Synth {
            patches,
            out,
            seed,
            no_dem,
            overwrite,
        } => {
            if out.join("patches.shp").exists() && !overwrite {
                return Err(Error::Unsupported(format!(
                    "{}: already holds a data set; pass --overwrite to replace it",
                    out.display()
                )));
            }
            let opts = tuban_synth::SynthOptions {
                seed,
                dem: !no_dem,
                ..tuban_synth::SynthOptions::new(patches, out)
            };
            let s = tuban_synth::generate(&opts).map_err(|e| Error::Unsupported(e.to_string()))?;
            println!(
                "{} patches, {} land-use polygons, {} graves, {} roads{} in {}: {:.1} MB in {:.2} s; run it with: tuban run {}",
                s.patches,
                s.dltb,
                s.graves,
                s.roads,
                s.dem.map(|(c, r)| format!(", a {c} × {r} DEM")).unwrap_or_default(),
                opts.out.display(),
                s.bytes as f64 / 1e6,
                s.elapsed.as_secs_f64(),
                s.project.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect {
            file,
            encoding,
            assume_crs,
        } => {
            let (file, layer) = match file.to_str() {
                Some(text) => tuban::io::read::split_layer(text),
                None => (file, None),
            };
            let opts = tuban::io::read::ReadOptions {
                encoding,
                name: None,
                layer,
            };
            let subset = tuban::io::read::Subset::default();
            let read = match tuban::io::read::read_layer_noted(&file, &opts, &subset) {
                // A file of several layers and none named: list them.
                Err(tuban::io::error::ReadError::NoSuchLayer { layer: None, .. }) => {
                    let layers = tuban::io::read::list_layers(&file)?;
                    println!("{}", tuban::io::read::LayerInfo::table(&file, &layers));
                    println!("describe one with: tuban inspect {}:NAME", file.display());
                    return Ok(ExitCode::SUCCESS);
                }
                other => other?,
            };
            let layer = read.layer;
            println!("{}", tuban::io::read::LayerSummary::of(&layer));
            for note in &read.notes {
                println!("note: {note}");
            }
            let assumed =
                match &assume_crs {
                    None => None,
                    Some(t) => Some(tuban::core::crs::Crs::from_user(t).map_err(|source| {
                        Error::BadCrs {
                            given: format!("--assume-crs \"{t}\""),
                            source,
                        }
                    })?),
                };
            // The CRS as tuban understands it; a layer whose CRS cannot be settled is still
            // described above, and the reason is printed here (exit code 1).
            match tuban::core::reproject::layer_crs(&layer, None, assumed) {
                Ok(c) => {
                    println!("CRS recognised: {}", c.crs);
                    println!("  how: {}", c.how);
                    if let tuban::core::crs::Crs::GaussKruger {
                        zone_width,
                        central_meridian,
                        zone,
                        prefixed,
                        ..
                    } = c.crs
                    {
                        println!(
                            "  zone: {zone_width}-degree zone {zone}, central meridian {central_meridian}E, easting {} zone prefix",
                            if prefixed { "with" } else { "without" }
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn apply_common(p: &mut Project, c: &Common) {
    if let Some(codes) = &c.codes {
        p.codes = Some(codes.clone());
    }
    if let Some(t) = c.threads {
        p.threads = t;
    }
    if c.overwrite {
        p.overwrite = true;
    }
    if let Some(m) = c.area_method {
        p.area_method = m;
    }
    if let Some(v) = c.invalid {
        p.invalid = v;
    }
    if let Some(v) = c.lang {
        p.lang = v;
    }
    if let Some(v) = c.shp_encoding {
        p.shp_encoding = v;
    }
    if c.assume_crs.is_some() {
        p.assume_crs = c.assume_crs.clone();
    }
    p.accept_no_overlap
        .extend(c.accept_no_overlap.iter().cloned());
    if c.landuse_standard.is_some() {
        p.landuse_standard = c.landuse_standard;
    }
}

/// Progress bars on stderr, one stage at a time.
struct Bars {
    hidden: bool,
    bar: std::sync::RwLock<Option<indicatif::ProgressBar>>,
}

impl Bars {
    fn new(hidden: bool) -> Self {
        Bars {
            hidden,
            bar: std::sync::RwLock::new(None),
        }
    }
}

impl tuban::Progress for Bars {
    fn start(&self, stage: tuban::Stage, total: Option<u64>) {
        if self.hidden {
            return;
        }
        let bar = match total {
            Some(n) => indicatif::ProgressBar::new(n).with_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:>9} [{bar:30}] {pos}/{len} {elapsed_precise} eta {eta}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            ),
            None => {
                let s = indicatif::ProgressBar::new_spinner().with_style(
                    indicatif::ProgressStyle::with_template(
                        "{prefix:>9} {spinner} {elapsed_precise}",
                    )
                    .expect("a valid template"),
                );
                s.enable_steady_tick(std::time::Duration::from_millis(100));
                s
            }
        };
        bar.set_prefix(stage.label());
        *self.bar.write().expect("progress lock") = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.read().expect("progress lock").as_ref() {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.bar.write().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}

fn execute(project: &Project, common: &Common) -> Result<ExitCode, Error> {
    use std::io::IsTerminal;
    let quiet = common.quiet || common.json;
    let bars = Bars::new(common.quiet || !std::io::stderr().is_terminal());
    let outcome = tuban::run_with(project, &bars)?;
    let mut out = std::io::stdout().lock();
    if common.json {
        writeln!(out, "{}", summary_json(&outcome)).ok();
    }
    if !quiet {
        for (role, how) in outcome.crs_notes.iter().chain(&outcome.layer_notes) {
            writeln!(out, "{role}: {how}").ok();
        }
        writeln!(
            out,
            "overlay in {}; areas {}",
            outcome.working_crs, outcome.report.method_note
        )
        .ok();
        print_villages(&mut out, &outcome).ok();
        for w in &outcome.written {
            writeln!(out, "wrote {}", w.display()).ok();
        }
        for n in &outcome.notes {
            writeln!(out, "{n}").ok();
        }
    }
    for w in &outcome.warnings {
        eprintln!("tuban: warning: {w}");
    }
    for fix in &outcome.fixes {
        eprintln!("tuban: hint: {}", flag_of(*fix));
    }
    if !common.json {
        writeln!(out, "{}", summary_line(&outcome)).ok();
    }
    let failures = outcome.report.failures();
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "tuban: {} patch(es) failed (marked in the outputs' error column):",
            failures.len()
        );
        for (row, id, err) in failures {
            eprintln!("  patch {id} (row {}): {err}", row + 1);
        }
        Ok(ExitCode::from(3))
    }
}

/// `203 patches, 385.41 mu: blocked 98.52 mu, clean 286.89 mu; 121 rectifiable, 75 partly,
/// 7 not rectifiable, 286.80 mu restorable (ellipsoidal area) in 0.56 s`, with blocked and clean
/// rounded so they add up to the displayed total.
fn summary_line(o: &Outcome) -> String {
    let t = &o.report.villages.total;
    let parts = largest_remainder(&[mu(t.union_m2), mu(t.clean_m2)], 2);
    let restorable = largest_remainder(&[mu(t.rectifiable_m2)], 2)[0];
    let counts: Vec<String> = [
        (t.failed, "failed"),
        (t.skipped, "skipped"),
        (t.repaired, "repaired"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    let failed = if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    };
    format!(
        "{} patches{failed}, {} mu: blocked {} mu, clean {} mu; {} rectifiable, {} partly, {} not rectifiable, {} mu restorable ({} area) in {:.2} s",
        t.patches,
        hundredths(parts[0] + parts[1]),
        hundredths(parts[0]),
        hundredths(parts[1]),
        t.verdicts[0],
        t.verdicts[1],
        t.verdicts[2],
        hundredths(restorable),
        o.report.method.as_str(),
        o.timings.total.as_secs_f64()
    )
}

/// The summary as JSON (`--json`): totals, verdicts, villages, method, CRS, files, timings.
/// Areas in m² unrounded, mu rounded to two decimals so that the villages add up.
fn summary_json(o: &Outcome) -> serde_json::Value {
    use serde_json::json;
    let v = &o.report.villages;
    let mu_col = |pick: &dyn Fn(&tuban::core::account::Totals) -> f64| v.mu_column(pick);
    let area = mu_col(&|t| t.area_m2);
    let blocked = mu_col(&|t| t.union_m2);
    let clean = mu_col(&|t| t.clean_m2);
    let restorable = mu_col(&|t| t.rectifiable_m2);
    let classes: Vec<_> = (0..o.report.classes.len())
        .map(|c| mu_col(&|t| t.class_m2[c]))
        .collect();
    let entry = |t: &tuban::core::account::Totals, i: Option<usize>| {
        let pick = |col: &(Vec<i64>, i64)| -> f64 { i.map_or(col.1, |i| col.0[i]) as f64 / 100.0 };
        let by_class: serde_json::Map<String, serde_json::Value> = o
            .report
            .classes
            .iter()
            .enumerate()
            .map(|(c, name)| {
                (
                    name.clone(),
                    json!({ "m2": t.class_m2[c], "mu": pick(&classes[c]) }),
                )
            })
            .collect();
        json!({
            "patches": t.patches,
            "failed": t.failed,
            "skipped": t.skipped,
            "repaired": t.repaired,
            "verdicts": { "rectifiable": t.verdicts[0], "partly": t.verdicts[1], "not_rectifiable": t.verdicts[2] },
            "area_m2": t.area_m2, "area_mu": pick(&area),
            "obstacle_m2": t.union_m2, "obstacle_mu": pick(&blocked),
            "clean_m2": t.clean_m2, "clean_mu": pick(&clean),
            "restorable_m2": t.rectifiable_m2, "restorable_mu": pick(&restorable),
            "classes": by_class,
        })
    };
    let villages: serde_json::Map<String, serde_json::Value> = v
        .villages
        .iter()
        .enumerate()
        .map(|(i, (name, t))| (name.clone(), entry(t, Some(i))))
        .collect();
    json!({
        "tuban_version": env!("CARGO_PKG_VERSION"),
        "area_method": o.report.method.as_str(),
        "area_method_note": o.report.method_note,
        "crs": o.working_crs.to_string(),
        "layers": o.crs_notes.iter().chain(&o.layer_notes).map(|(role, note)| json!({"layer": role, "note": note})).collect::<Vec<_>>(),
        "total": entry(&v.total, None),
        "villages": villages,
        "written": o.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "warnings": o.warnings,
        "failures": o.report.failures().iter().map(|(row, id, e)| json!({"row": row + 1, "patch_id": id, "error": e})).collect::<Vec<_>>(),
        "coverage": o.coverage.iter().map(|c| json!({"layer": c.role, "file": c.label, "features": c.features, "near_patches": c.near, "share_of_patch_area": c.share})).collect::<Vec<_>>(),
        "landuse_codes": o.landuse.as_ref().map(|t| json!({
            "field": t.field,
            "covered_m2": t.covered_m2,
            "patches_m2": t.patches_m2,
            "patches_not_wholly_covered": t.patches_short,
            "patches_overlapped": t.patches_overlapped,
            "overlap_m2": t.overlap_m2,
            "codes": t.rows.iter().map(|r| json!({
                "code": r.code, "class": r.class, "decision": r.decision, "rule": r.rule,
                "unknown": r.unknown(), "features": r.features, "m2": r.m2, "mu": (mu(r.m2) * 100.0).round() / 100.0,
            })).collect::<Vec<_>>(),
        })),
        "skipped": listed(o, |s| matches!(s, PatchStatus::Skipped(_))),
        "repaired": listed(o, |s| matches!(s, PatchStatus::Repaired(_))),
        "seconds": o.timings.total.as_secs_f64(),
        "stage_seconds": {
            "read": o.timings.read.as_secs_f64(),
            "crs": o.timings.crs.as_secs_f64(),
            "build": o.timings.build.as_secs_f64(),
            "slope": o.timings.slope.as_secs_f64(),
            "index": o.timings.index.as_secs_f64(),
            "overlay": o.timings.overlay.as_secs_f64(),
            "account": o.timings.account.as_secs_f64(),
            "write": o.timings.write.as_secs_f64(),
        },
    })
}

/// The patches whose status passes `keep`: `[{"row", "patch_id", "why"}]`.
fn listed(o: &Outcome, keep: fn(&PatchStatus) -> bool) -> Vec<serde_json::Value> {
    o.report
        .status
        .iter()
        .enumerate()
        .filter(|(_, s)| keep(s))
        .map(|(i, s)| {
            serde_json::json!({"row": i + 1, "patch_id": o.report.patches[i].id, "why": s.note()})
        })
        .collect()
}

/// The village table on the terminal: rounded so the rows add up to the total row.
fn print_villages(out: &mut impl Write, o: &Outcome) -> std::io::Result<()> {
    let v = &o.report.villages;
    let classes = &o.report.classes;
    let columns: Vec<(String, (Vec<i64>, i64))> = [
        ("area_mu".to_string(), v.mu_column(|t| t.area_m2)),
        ("blocked_mu".to_string(), v.mu_column(|t| t.union_m2)),
        ("clean_mu".to_string(), v.mu_column(|t| t.clean_m2)),
        (
            "restorable_mu".to_string(),
            v.mu_column(|t| t.rectifiable_m2),
        ),
    ]
    .into_iter()
    .chain(
        classes
            .iter()
            .enumerate()
            .map(|(c, name)| (format!("{name}_mu"), v.mu_column(|t| t.class_m2[c]))),
    )
    .collect();
    // Chinese characters take two columns in a terminal.
    let pad = |s: &str, w: usize| {
        let width: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        format!("{s}{}", " ".repeat(w.saturating_sub(width)))
    };
    write!(
        out,
        "{} {:>7} {:>10}",
        pad("village", 12),
        "patches",
        "ok/pt/no"
    )?;
    for (name, _) in &columns {
        write!(out, " {name:>13}")?;
    }
    writeln!(out)?;
    let rows = v
        .villages
        .iter()
        .enumerate()
        .map(|(i, (name, t))| (name.as_str(), t, Some(i)))
        .chain(std::iter::once(("total", &v.total, None)));
    for (name, t, i) in rows {
        let name = if name.is_empty() { "(none)" } else { name };
        let verdicts = format!("{}/{}/{}", t.verdicts[0], t.verdicts[1], t.verdicts[2]);
        write!(out, "{} {:>7} {:>10}", pad(name, 12), t.patches, verdicts)?;
        for (_, (rows, total)) in &columns {
            let value = i.map_or(*total, |i| rows[i]);
            write!(out, " {:>13}", hundredths(value))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
