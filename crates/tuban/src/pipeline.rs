//! Carrying out a [`Project`]: read → classify → index → overlay → account → write.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tuban_core::area::{AreaMeasure, AreaMethod, Ellipsoidal, Planar};
use tuban_core::build::{
    obstacles_from_owned_layer, patches_from_layer, PatchFields, DEFAULT_WIDTH_FIELD,
};
use tuban_core::crs::Crs;
use tuban_core::geo;
use tuban_core::layer::Layer;
use tuban_core::overlay::{overlay_with_progress, ObstacleIndex, OverlayOptions};
use tuban_core::overlay::{Obstacle, Patch, PatchResult};
use tuban_core::report::Report;
use tuban_core::reproject::{extent, layer_crs, reproject, working_crs, LayerCrs};
use tuban_core::rules::Rules;
use tuban_core::steep::{steep_obstacles, SteepOptions, SteepStats};
use tuban_core::validity::{
    check_patch, overlapping_pairs, settle_obstacle, InvalidPolicy, Outcome as Checked, Settled,
};
use tuban_io::geotiff::Dem;
use tuban_io::read::{read_layer_filtered, BoxFilter, ReadOptions, Subset};
use tuban_io::write;

use crate::{DemSpec, Project, ProjectError};

/// The stages of a run, as reported to a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the input layers (counted in layers).
    Read,
    /// Computing slope from the DEM.
    Slope,
    /// Classifying obstacles and building the R-tree.
    Index,
    /// The overlay (counted in patches).
    Overlay,
    /// Writing the outputs (counted in files).
    Write,
}

impl Stage {
    /// A short label: `reading`, `slope`, `indexing`, `overlay`, `writing`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Read => "reading",
            Stage::Slope => "slope",
            Stage::Index => "indexing",
            Stage::Overlay => "overlay",
            Stage::Write => "writing",
        }
    }
}

/// Receives progress from [`run_with`]. The pipeline knows nothing of terminals: the CLI draws
/// bars from these calls; an embedder may log them or ignore them ([`NoProgress`]).
pub trait Progress: Sync {
    /// A stage begins, with its number of steps if known.
    fn start(&self, _stage: Stage, _total: Option<u64>) {}
    /// `n` more steps of the current stage are done (may be called from any thread).
    fn advance(&self, _n: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading the input layers.
    pub read: Duration,
    /// Classifying obstacles and building the R-tree.
    pub index: Duration,
    /// Reading the DEM windows and computing slope.
    pub slope: Duration,
    /// The overlay itself.
    pub overlay: Duration,
    /// Writing the outputs.
    pub write: Duration,
    /// Everything.
    pub total: Duration,
}

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The per-patch results and village totals.
    pub report: Report,
    /// The files written, in the order of [`Project::outputs`].
    pub written: Vec<PathBuf>,
    /// Number of obstacle features indexed.
    pub obstacles: usize,
    /// The CRS the overlay worked in.
    pub working_crs: Crs,
    /// How each layer's CRS was settled: `(role, explanation)`.
    pub crs_notes: Vec<(String, String)>,
    /// What the slope step did, if a DEM was given.
    pub steep: Option<SteepStats>,
    /// Things the user should know that did not stop the run (e.g. patches beyond the DEM).
    pub warnings: Vec<String>,
    /// Information about the outputs (e.g. how long column names were shortened for a DBF).
    pub notes: Vec<String>,
    /// Stage timings.
    pub timings: Timings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
    Xlsx,
    Shp,
    Gpkg,
    Svg,
    Png,
    Html,
}

impl Format {
    /// Does this format carry the obstacle-pieces layer (so the overlay must keep them)?
    fn has_pieces(self) -> bool {
        matches!(
            self,
            Format::GeoJson | Format::Shp | Format::Gpkg | Format::Svg | Format::Png | Format::Html
        )
    }
}

fn output_format(path: &Path) -> Result<Format, ProjectError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => Ok(Format::Csv),
        "geojson" | "json" => Ok(Format::GeoJson),
        "xlsx" => Ok(Format::Xlsx),
        "shp" => Ok(Format::Shp),
        "gpkg" => Ok(Format::Gpkg),
        "svg" => Ok(Format::Svg),
        "png" => Ok(Format::Png),
        "html" | "htm" => Ok(Format::Html),
        _ => Err(ProjectError::Unsupported(format!(
            "{}: unknown output format '.{ext}': use .csv, .xlsx, .geojson, .shp, .gpkg, .svg, .png or .html",
            path.display()
        ))),
    }
}

/// Every file writing `out` creates: for a shapefile its sidecars, and the obstacle layer beside
/// the patches for the GIS formats that have one.
fn files_of(out: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let format = output_format(out)?;
    let mut v = vec![out.to_path_buf()];
    if format == Format::Shp {
        let pieces = write::pieces::pieces_path(out);
        for base in [out.to_path_buf(), pieces.clone()] {
            for ext in ["shx", "dbf", "prj", "cpg"] {
                v.push(base.with_extension(ext));
            }
        }
        v.push(pieces);
    } else if format == Format::GeoJson {
        v.push(write::pieces::pieces_path(out));
    }
    Ok(v)
}

/// Checks the outputs before any work is done: known formats, no input overwritten (sidecars
/// included), and no existing file replaced unless the project allows it.
fn check_outputs(project: &Project) -> Result<(), ProjectError> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut inputs: Vec<PathBuf> = Vec::new();
    for p in project.inputs() {
        inputs.push(canon(p));
        // A shapefile input is all of its sidecars.
        if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp")) {
            for ext in ["shx", "dbf", "prj", "cpg"] {
                inputs.push(canon(&p.with_extension(ext)));
            }
        }
    }
    let clash = |f: &Path| {
        write::WriteError::Refused(format!(
            "{}: this output is also an input of the run; tuban never writes its inputs: choose another output path",
            f.display()
        ))
    };
    for out in project.all_outputs() {
        // The path itself first, whatever its format: writing an input is the worst mistake.
        if inputs.contains(&canon(out)) {
            return Err(clash(out).into());
        }
        let files = if project.villages.as_deref() == Some(out) {
            output_format(out)?;
            vec![out.to_path_buf()]
        } else {
            files_of(out)?
        };
        for f in files {
            if inputs.contains(&canon(&f)) {
                return Err(clash(&f).into());
            }
            if f.exists() && !project.overwrite {
                return Err(write::WriteError::Refused(format!(
                    "{}: already exists; pass --overwrite (or set overwrite = true in the project file) to replace it",
                    f.display()
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// A CRS written by the user (`EPSG:4544`, `4544`, a WKT; with the `proj` feature also any CRS
/// PROJ reads), or an error naming where it came from.
pub(crate) fn parse_crs<'a>(
    text: &'a Option<String>,
    context: &str,
) -> Result<Option<crate::external::UserCrs<'a>>, ProjectError> {
    text.as_deref()
        .map(|t| crate::external::user_crs(t, context))
        .transpose()
}

/// A layer read, with its CRS settled (and how).
struct Placed {
    role: &'static str,
    layer: Layer,
    crs: LayerCrs,
}

#[allow(clippy::too_many_arguments)]
fn read(
    role: &'static str,
    path: &Path,
    layer: &Option<String>,
    encoding: &Option<String>,
    crs: &Option<String>,
    assumed: Option<crate::external::UserCrs<'_>>,
    subset: &Subset,
) -> Result<Placed, ProjectError> {
    let opts = ReadOptions {
        encoding: encoding.clone(),
        name: Some(role.to_string()),
        layer: layer.clone(),
    };
    let (mut layer, _) = read_layer_filtered(path, &opts, subset)?;
    let context = format!("the crs of the {role} layer ({})", path.display());
    let forced = parse_crs(crs, &context)?;
    // A CRS outside the built-in set is converted to EPSG:4490 by PROJ here (feature `proj`,
    // external.rs); the built-in set settles every other layer.
    let crs = match crate::external::convert_if_outside(&mut layer, forced, assumed)? {
        Some(converted) => converted,
        None => layer_crs(
            &layer,
            forced.and_then(crate::external::UserCrs::builtin),
            assumed.and_then(crate::external::UserCrs::builtin),
        )
        .map_err(crate::external::with_hint)?,
    };
    Ok(Placed { role, layer, crs })
}

/// What the workbook's run sheet says: inputs with sizes and SHA-256, CRS, method, rules,
/// thresholds, version, start time and time taken so far.
fn run_info(
    project: &Project,
    report: &Report,
    crs_notes: &[(String, String)],
    warnings: &[String],
    rules: &Rules,
    start: Instant,
) -> Result<write::run_info::RunInfo, ProjectError> {
    let mut inputs = Vec::new();
    let mut describe = |role: &str, path: &Path| -> Result<(), ProjectError> {
        let files = write::run_info::InputFile::describe(role, path).map_err(|source| {
            ProjectError::Write(write::WriteError::Io {
                path: path.display().to_string(),
                source,
            })
        })?;
        inputs.extend(files);
        Ok(())
    };
    describe("patches", &project.patches.path)?;
    if let Some(l) = &project.landuse {
        describe("landuse", &l.path)?;
    }
    if let Some(l) = &project.graves {
        describe("graves", &l.path)?;
    }
    if let Some(l) = &project.roads {
        describe("roads", &l.path)?;
    }
    if let Some(d) = &project.dem {
        describe("dem", &d.path)?;
    }
    if let Some(r) = &project.rules {
        describe("rules", r)?;
    }
    let mut thresholds = Vec::new();
    if let Some(d) = &project.dem {
        thresholds.push((
            "steep slope, degrees".into(),
            format!("> {}", d.threshold_deg.unwrap_or(25.0)),
        ));
    }
    if let Some(g) = &project.graves {
        let p = g.shape_params();
        thresholds.push(("grave disc radius, m".into(), p.radius_m.to_string()));
        thresholds.push((
            "segments per quarter circle".into(),
            p.quad_segs.to_string(),
        ));
    }
    if let Some(r) = &project.roads {
        let p = r.shape_params();
        thresholds.push(("road minimum width, m".into(), p.min_width_m.to_string()));
        if let Some(w) = p.default_width_m {
            thresholds.push(("road default width, m".into(), w.to_string()));
        }
    }
    let rule_lines = rules
        .rules()
        .iter()
        .map(|r| {
            let when: Vec<String> = r
                .when
                .iter()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .collect();
            format!(
                "{} <- {}{}{}",
                r.class,
                r.layer,
                if when.is_empty() {
                    String::new()
                } else {
                    format!(" where {}", when.join(" and "))
                },
                r.note
                    .as_ref()
                    .map(|n| format!("  ({n})"))
                    .unwrap_or_default()
            )
        })
        .collect();
    Ok(write::run_info::RunInfo {
        inputs,
        crs: report.crs.map(|c| c.to_string()).unwrap_or_default(),
        crs_notes: crs_notes.to_vec(),
        area_method: report.method_note.clone(),
        rules: rule_lines,
        thresholds,
        tuban_version: env!("CARGO_PKG_VERSION").into(),
        started: write::run_info::timestamp_utc(std::time::SystemTime::now() - start.elapsed()),
        seconds: start.elapsed().as_secs_f64(),
        warnings: warnings.to_vec(),
    })
}

/// The steep cells of the DEM under the patches, as obstacles in the working CRS.
fn steep_cells(
    spec: &DemSpec,
    assumed: Option<Crs>,
    working: Crs,
    patches: &[Patch],
    rules: &Rules,
) -> Result<(Vec<Obstacle>, SteepStats, String), ProjectError> {
    let dem = Dem::open(&spec.path)?;
    let label = spec.path.display().to_string();
    // The DEM's CRS must be one of the built-in set: its cells are squares in that CRS.
    let forced = match parse_crs(&spec.crs, "the crs of the dem")? {
        None => None,
        Some(u) => Some(u.builtin().ok_or_else(|| {
            ProjectError::Unsupported(format!(
                "{label}: the DEM's crs must be one tuban knows without PROJ (e.g. EPSG:4544); warp the DEM with gdalwarp -t_srs EPSG:4544"
            ))
        })?),
    };
    let (dem_crs, how) = match (forced, dem.epsg(), assumed) {
        (Some(c), _, _) => (c, format!("{c}, set for the DEM in the project file")),
        (None, Some(code), _) => {
            let c = Crs::from_epsg(code).map_err(|source| ProjectError::BadCrs {
                given: format!("{label}: the GeoTIFF's EPSG code {code}"),
                source,
            })?;
            (c, format!("{c}, from the GeoTIFF's GeoKeys"))
        }
        (None, None, Some(c)) => (c, format!("{c}, assumed (--assume-crs): the GeoTIFF states none")),
        (None, None, None) => {
            return Err(ProjectError::Unsupported(format!(
                "{label}: the GeoTIFF names no EPSG code in its GeoKeys; say which with --assume-crs EPSG:NNNN or crs = \"EPSG:NNNN\" under [dem]"
            )))
        }
    };
    let e = dem.spec().extent();
    dem_crs
        .check_coordinates([e.min().x, e.min().y, e.max().x, e.max().y])
        .map_err(|source| ProjectError::BadCrs {
            given: label.clone(),
            source,
        })?;
    let threshold = spec.threshold_deg.unwrap_or(25.0);
    let class = rules
        .classes()
        .iter()
        .position(|c| c == "steep")
        .expect("steep is a built-in class");
    // Patch envelopes in the DEM's CRS (through every vertex when the systems differ).
    let same = dem_crs == working;
    let (to_dem, to_working) = (working.projector(), dem_crs.projector());
    let envelopes: Vec<geo::Rect<f64>> = patches
        .iter()
        .filter_map(|p| {
            if same {
                return geo::BoundingRect::bounding_rect(&p.geometry);
            }
            let moved = geo::MapCoords::map_coords(&p.geometry, |c| {
                let (lon, lat) = to_dem.to_geographic(c.x, c.y);
                let (x, y) = to_working.from_geographic(lon, lat);
                geo::Coord { x, y }
            });
            geo::BoundingRect::bounding_rect(&moved)
        })
        .collect();
    let options = SteepOptions {
        threshold_deg: threshold,
        ..Default::default()
    };
    let result = steep_obstacles(&dem, &envelopes, class, &options).map_err(|source| {
        ProjectError::Steep {
            path: label.clone(),
            source,
        }
    })?;
    let mut obstacles = result.obstacles;
    if !same {
        for o in &mut obstacles {
            geo::MapCoordsInPlace::map_coords_in_place(&mut o.geometry, |c: geo::Coord<f64>| {
                let (lon, lat) = to_working.to_geographic(c.x, c.y);
                let (x, y) = to_dem.from_geographic(lon, lat);
                geo::Coord { x, y }
            });
        }
    }
    let how = format!(
        "{how}; slope by Horn's method over {} cells, {} steeper than {threshold}°",
        result.stats.cells_computed, result.stats.steep_cells
    );
    Ok((obstacles, result.stats, how))
}

/// Carries out `project`. With `threads` set, every parallel step (slope, overlay) runs on a
/// pool of that many threads; otherwise on rayon's global pool (one thread per core).
pub fn run(project: &Project) -> Result<Outcome, ProjectError> {
    run_with(project, &NoProgress)
}

/// [`run`], reporting each stage to `progress`.
pub fn run_with(project: &Project, progress: &dyn Progress) -> Result<Outcome, ProjectError> {
    if project.threads == 0 {
        return run_here(project, progress);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(project.threads)
        .build()
        .map_err(|e| {
            ProjectError::Unsupported(format!("cannot start {} threads: {e}", project.threads))
        })?
        .install(|| run_here(project, progress))
}

fn run_here(project: &Project, progress: &dyn Progress) -> Result<Outcome, ProjectError> {
    let start = Instant::now();
    let mut timings = Timings::default();
    let assumed = parse_crs(&project.assume_crs, "assume_crs")?;
    project.lang()?;
    let policy = project.invalid()?;
    project.shp_encoding()?;
    check_outputs(project)?;

    let rules = match &project.rules {
        None => Rules::builtin(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| ProjectError::Config {
                path: path.display().to_string(),
                message: format!("cannot read the rules file: {e}"),
            })?;
            Rules::from_toml_str(&text).map_err(|source| ProjectError::Rules {
                path: path.display().to_string(),
                source,
            })?
        }
    };

    let t = Instant::now();
    let layers = 1 + [
        project.landuse.is_some(),
        project.graves.is_some(),
        project.roads.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count() as u64;
    progress.start(Stage::Read, Some(layers));
    let p = &project.patches;
    // Only the fields a patch's identity needs (the configured ones, and those PatchFields::guess
    // would pick): a damaged value in any other field (an impossible date, an overflowed
    // number) is never decoded, so it cannot stop the run.
    let patch_fields: Vec<String> = [&p.id_field, &p.village_field]
        .into_iter()
        .flatten()
        .cloned()
        .chain(
            PatchFields::CANDIDATES
                .iter()
                .flat_map(|names| names.iter())
                .map(|n| n.to_string()),
        )
        .collect();
    let patches_in = read(
        "patches",
        &p.path,
        &p.layer,
        &p.encoding,
        &p.crs,
        assumed,
        &Subset {
            fields: Some(patch_fields),
            ..Default::default()
        },
    )?;
    progress.advance(1);
    let mut others = Vec::new();
    if let Some(spec) = &project.landuse {
        // Only what the rules test, and only the polygons whose box meets a patch's (when the
        // layer is in the patches' CRS, which its .prj says before it is read): the land-use
        // layer is by far the largest input.
        let near =
            same_crs_as_before_reading(&spec.path, &spec.layer, &spec.crs, patches_in.crs.crs)
                .then(|| near_patches(&patches_in.layer));
        let subset = Subset {
            fields: Some(rules.fields("landuse")),
            keep: near,
            ..Default::default()
        };
        let placed = read(
            "landuse",
            &spec.path,
            &spec.layer,
            &spec.encoding,
            &spec.crs,
            assumed,
            &subset,
        )?;
        others.push((
            placed,
            Default::default(),
            spec.path.clone(),
            spec.layer.clone(),
            spec.encoding.clone(),
        ));
        progress.advance(1);
    }
    for (role, spec) in [("graves", &project.graves), ("roads", &project.roads)] {
        if let Some(spec) = spec {
            let params = spec.shape_params();
            // Points and lines are grown into discs and corridors, so their boxes say little
            // about what they cover: every record is read, with the fields the rules and the
            // shapes need.
            let mut fields = rules.fields(role);
            fields.extend(
                [&params.area_field, &params.count_field, &params.width_field]
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            fields.push(DEFAULT_WIDTH_FIELD.into());
            let subset = Subset {
                fields: Some(fields),
                ..Default::default()
            };
            let placed = read(
                role,
                &spec.path,
                &spec.layer,
                &spec.encoding,
                &spec.crs,
                assumed,
                &subset,
            )?;
            others.push((
                placed,
                params,
                spec.path.clone(),
                spec.layer.clone(),
                spec.encoding.clone(),
            ));
            progress.advance(1);
        }
    }
    progress.finish();
    timings.read = t.elapsed();

    // Everything moves into the working CRS: the patches' own, or the Gauss-Kruger zone of
    // their centre for patches in longitude/latitude.
    let t = Instant::now();
    let patches_crs = patches_in.crs.crs;
    let working = extent(&patches_in.layer).map_or(patches_crs, |e| working_crs(patches_crs, e));
    let mut crs_notes = vec![(patches_in.role.to_string(), patches_in.crs.how.clone())];
    let mut patch_layer = patches_in.layer;
    reproject(&mut patch_layer, patches_crs, working);
    let guess = PatchFields::guess(&patch_layer);
    let fields = PatchFields {
        id: p.id_field.clone().or(guess.id),
        village: p.village_field.clone().or(guess.village),
    };
    let mut patches = patches_from_layer(&patch_layer, &fields)
        .map_err(|e| with_every_field(e, "patches", &p.path, &p.layer, &p.encoding))?;
    let patch_label = patch_layer.label();
    drop(patch_layer);
    // Invalid patch geometry: repaired (and said so), skipped, or an error, by --invalid.
    let mut repairs = vec![String::new(); patches.len()];
    let mut unmeasured: Vec<Option<String>> = vec![None; patches.len()];
    let mut skipped = vec![false; patches.len()];
    // Checked in parallel, settled in order (the first invalid patch is the one reported).
    let checked: Vec<Checked> = patches
        .par_iter()
        .map(|p| check_patch(&p.geometry, policy))
        .collect();
    for ((i, p), checked) in patches.iter_mut().enumerate().zip(checked) {
        match checked {
            Checked::Valid(_) => {}
            Checked::Repaired { geometry, what } => {
                p.geometry = geometry;
                repairs[i] = what;
            }
            Checked::Skipped(why) => {
                unmeasured[i] = Some(format!("not measured: {why}"));
                repairs[i] = why;
                skipped[i] = true;
                p.geometry = geo::MultiPolygon(vec![]);
            }
            Checked::Invalid(why) if policy == InvalidPolicy::Error => {
                return Err(ProjectError::Invalid {
                    layer: patch_label,
                    record: p.record,
                    message: format!("{why} (--invalid repair or skip lets the run go on)"),
                })
            }
            Checked::Invalid(why) => {
                unmeasured[i] = Some(why);
                p.geometry = geo::MultiPolygon(vec![]);
            }
        }
    }
    // Overlapping patches are each measured right, but a total counts the overlap twice.
    let overlaps = overlapping_pairs(
        &patches.iter().map(|p| &p.geometry).collect::<Vec<_>>(),
        0.0,
    );
    let mut early_warnings: Vec<String> = overlaps
        .iter()
        .take(20)
        .map(|o| {
            format!(
                "{patch_label}: patches {} and {} overlap by {:.2} m²: each is measured right, but totals count the overlap twice",
                patches[o.a].id, patches[o.b].id, o.area
            )
        })
        .collect();
    if overlaps.len() > 20 {
        early_warnings.push(format!(
            "... and {} more overlapping pairs of patches",
            overlaps.len() - 20
        ));
    }
    let mut obstacles = Vec::new();
    let mut invalid_note = None;
    let mut skipped_obstacles = 0usize;
    let mut repaired_obstacles = 0usize;
    for (mut placed, params, path, layer, encoding) in others {
        crs_notes.push((placed.role.to_string(), placed.crs.how.clone()));
        reproject(&mut placed.layer, placed.crs.crs, working);
        let label = placed.layer.label();
        let role = placed.role;
        let mut built = obstacles_from_owned_layer(role, placed.layer, &rules, &params)
            .map_err(|e| with_every_field(e, role, &path, &layer, &encoding))?;
        // Checked (and repaired in place) in parallel, settled in order.
        let settled: Vec<Settled> = built
            .par_iter_mut()
            .map(|o| {
                // Grave discs are tuban's own regular polygons around finite points: valid by
                // construction (build.rs), so not checked again.
                if o.tally.is_some() {
                    Settled::Valid
                } else {
                    settle_obstacle(&mut o.geometry, policy)
                }
            })
            .collect();
        obstacles.reserve(built.len());
        for (o, settled) in built.into_iter().zip(settled) {
            // An obstacle that cannot be used stops the run whatever the policy: leaving it out
            // would silently shrink every patch it touches.
            match settled {
                Settled::Valid => {}
                Settled::Repaired(what) => {
                    repaired_obstacles += 1;
                    if repaired_obstacles <= 20 {
                        early_warnings.push(format!(
                            "{label}: record {}: {what}",
                            o.source.as_ref().map_or(0, |s| s.record)
                        ));
                    }
                }
                Settled::Skipped(_) => {
                    skipped_obstacles += 1;
                    continue;
                }
                Settled::Invalid(why) => {
                    return Err(ProjectError::Invalid {
                        layer: label,
                        record: o.source.as_ref().map_or(0, |s| s.record),
                        message: format!(
                        "{why} (fix the feature, or --invalid skip to leave such obstacles out)"
                    ),
                    })
                }
            }
            obstacles.push(o);
        }
    }
    if repaired_obstacles > 20 {
        early_warnings.push(format!(
            "... and {} more obstacle features repaired",
            repaired_obstacles - 20
        ));
    }
    if skipped_obstacles > 0 {
        invalid_note = Some(format!(
            "{skipped_obstacles} obstacle feature(s) with invalid geometry were left out (--invalid skip): the patches they touch may be under-counted"
        ));
    }
    timings.index = t.elapsed();

    // Steep slope: Horn's slope over the DEM windows the patches need; the steep cells become
    // obstacles (exact cell squares) that the overlay clips like any other.
    let t = Instant::now();
    let mut steep_stats = None;
    let mut warnings: Vec<String> = early_warnings;
    warnings.extend(invalid_note);
    if let Some(spec) = &project.dem {
        progress.start(Stage::Slope, None);
        let assumed = assumed.and_then(|u| u.builtin());
        let (steep, stats, how) = steep_cells(spec, assumed, working, &patches, &rules)?;
        crs_notes.push(("dem".into(), how));
        let dem = spec.path.display();
        if stats.envelopes_outside > 0 {
            warnings.push(format!(
                "{dem}: {} patch(es) lie outside the DEM: no steep slope can be measured there",
                stats.envelopes_outside
            ));
        }
        if stats.envelopes_partly_outside > 0 {
            warnings.push(format!(
                "{dem}: {} patch(es) reach beyond the DEM: their part outside is not counted as steep",
                stats.envelopes_partly_outside
            ));
        }
        if stats.nodata_cells > 0 {
            warnings.push(format!(
                "{dem}: {} DEM cell(s) under the patches have no elevation (nodata): they are not counted as steep",
                stats.nodata_cells
            ));
        }
        obstacles.extend(steep);
        steep_stats = Some(stats);
        progress.finish();
    }
    timings.slope = t.elapsed();
    let t = Instant::now();
    let n_obstacles = obstacles.len();
    let index = ObstacleIndex::new(obstacles);
    timings.index += t.elapsed();

    let ellipsoidal = Ellipsoidal::new(&working).map_err(|source| ProjectError::BadCrs {
        given: format!("the working CRS {working}"),
        source,
    })?;
    let measure: Box<dyn AreaMeasure> = match project.area_method {
        AreaMethod::Planar => Box::new(Planar),
        AreaMethod::Ellipsoidal => Box::new(ellipsoidal.clone()),
    };
    let method = measure.method();
    let method_note = measure.describe();
    // The obstacle pieces are kept only when an output draws them (they cost memory).
    let keep_pieces = project
        .outputs
        .iter()
        .any(|o| output_format(o).is_ok_and(|f| f.has_pieces()));
    let options = OverlayOptions {
        measure,
        keep_pieces,
    };
    let t = Instant::now();
    let classes = rules.classes().len();
    progress.start(Stage::Overlay, Some(patches.len() as u64));
    let results = overlay_with_progress(&patches, &index, classes, &options, &|n| {
        progress.advance(n)
    });
    progress.finish();
    let results: Vec<_> = results
        .into_iter()
        .zip(&unmeasured)
        .map(|(r, why)| match why {
            Some(why) => PatchResult::failed(classes, r.method, why.clone()),
            None => r,
        })
        .collect();
    timings.overlay = t.elapsed();

    // Both areas of every patch go in the outputs, whichever method the other columns use.
    let both: Vec<(f64, f64)> = patches
        .par_iter()
        .map(|p| {
            let origin = geo::BoundingRect::bounding_rect(&p.geometry)
                .map(|r| r.min())
                .unwrap_or_default();
            let local = geo::MapCoords::map_coords(&p.geometry, |c| c - origin);
            (
                Planar.area(&local, origin),
                ellipsoidal.area(&local, origin),
            )
        })
        .collect();
    let mut report = Report::new(
        rules.classes().to_vec(),
        method_note,
        patches,
        results,
        method,
        rules.verdict.clone(),
    );
    report.both_areas = Some(both);
    report.repairs = repairs;
    report.skipped = skipped;
    report.crs = Some(working);

    let t = Instant::now();
    let mut written = Vec::new();
    progress.start(Stage::Write, Some(project.all_outputs().len() as u64));
    let mut notes = Vec::new();
    for out in &project.outputs {
        // Files written beside `out` (the obstacle layers), listed after it.
        let mut extra = Vec::new();
        match output_format(out)? {
            Format::Csv => write::csv::write(&report, out)?,
            Format::GeoJson => {
                let opts = write::geojson::GeoJsonOptions {
                    source_crs: Some(working),
                    ..Default::default()
                };
                write::geojson::write(&report, &opts, out)?;
                let pieces = write::pieces::pieces_path(out);
                write::geojson::write_pieces(&report, &opts, &pieces)?;
                extra.push(pieces);
            }
            Format::Shp => {
                let opts = write::shp::ShpOptions {
                    encoding: project.shp_encoding()?,
                };
                let done = write::shp::write(&report, &opts, out)?;
                let pieces = write::pieces::pieces_path(out);
                let done_pieces = write::shp::write_pieces(&report, &opts, &pieces)?;
                extra.push(pieces);
                notes.extend(done.field_map_note());
                warnings.extend(done.warnings);
                warnings.extend(done_pieces.warnings);
            }
            Format::Gpkg => write::gpkg::write(&report, out)?,
            Format::Svg => {
                let opts = write::svg::MapOptions {
                    lang: project.lang()?,
                    ..Default::default()
                };
                write::svg::write(&report, &opts, out)?
            }
            Format::Png => {
                let opts = write::svg::MapOptions {
                    lang: project.lang()?,
                    ..Default::default()
                };
                warnings.extend(write::png::write(&report, &opts, out)?)
            }
            Format::Html => {
                let info = run_info(project, &report, &crs_notes, &warnings, &rules, start)?;
                write::html::write(&report, &info, project.lang()?, out)?
            }
            Format::Xlsx => {
                let info = run_info(project, &report, &crs_notes, &warnings, &rules, start)?;
                write::xlsx::write(&report, &info, project.lang()?, out)?
            }
        }
        written.push(out.clone());
        written.append(&mut extra);
        progress.advance(1);
    }
    if let Some(path) = &project.villages {
        write::csv::write_villages(&report, path)?;
        written.push(path.clone());
        progress.advance(1);
    }
    progress.finish();
    timings.write = t.elapsed();
    timings.total = start.elapsed();
    Ok(Outcome {
        report,
        written,
        obstacles: n_obstacles,
        working_crs: working,
        crs_notes,
        steep: steep_stats,
        warnings,
        notes,
        timings,
    })
}

/// Whether the layer at `path` is, by its `.prj` (or the CRS the project file sets for it), in
/// `crs`: checked before reading, so that the reader can filter records by their boxes in the
/// patches' coordinates. `false` when unsure (no `.prj`, a GeoJSON file, a CRS outside the
/// built-in set): the layer is then read whole.
fn same_crs_as_before_reading(
    path: &Path,
    layer: &Option<String>,
    forced: &Option<String>,
    crs: Crs,
) -> bool {
    if let Some(text) = forced {
        return Crs::from_user(text).is_ok_and(|c| c == crs);
    }
    // A File Geodatabase feature class states its CRS in its table's header.
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gdb"))
    {
        let classes = tuban_io::filegdb::list_feature_classes(path).unwrap_or_default();
        let class = match layer {
            Some(name) => classes.iter().find(|c| c.name.eq_ignore_ascii_case(name)),
            None if classes.len() == 1 => classes.first(),
            None => None,
        };
        return class
            .and_then(|c| c.crs_text.as_deref())
            .and_then(|text| Crs::from_wkt(text).ok())
            .is_some_and(|r| r.crs == crs);
    }
    let is_shp = path
        .extension()
        .is_none_or(|e| e.eq_ignore_ascii_case("shp"));
    if !is_shp {
        return false;
    }
    std::fs::read_to_string(path.with_extension("prj"))
        .ok()
        .and_then(|text| Crs::from_wkt(&text).ok())
        .is_some_and(|r| r.crs == crs)
}

/// A box filter keeping the records whose box meets some patch's box: a grid over the patches'
/// extent (cells about a typical patch box's size, at most about 4096 a side) marks the cells
/// any patch box meets, and a record is kept when its box meets a marked cell; a box wholly
/// outside the extent is left out. Conservative: a record left out meets no patch.
fn near_patches(patches: &Layer) -> BoxFilter {
    let boxes: Vec<geo::Rect<f64>> = patches
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .filter_map(geo::BoundingRect::bounding_rect)
        .filter(|r| {
            r.min().x.is_finite()
                && r.min().y.is_finite()
                && r.max().x.is_finite()
                && r.max().y.is_finite()
        })
        .collect();
    let Some(extent) = boxes.iter().copied().reduce(|a, b| {
        geo::Rect::new(
            geo::Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            geo::Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    }) else {
        return BoxFilter::new(|_| false);
    };
    // Cells about the size of a typical patch box, but at most about 4096 a side.
    let mut sizes: Vec<f64> = boxes.iter().map(|r| r.width().max(r.height())).collect();
    let mid = sizes.len() / 2;
    let typical = *sizes.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
    let span = extent.width().max(extent.height()).max(f64::MIN_POSITIVE);
    let cell = typical.max(span / 4096.0).max(span * 1e-9);
    let cols = ((extent.width() / cell).floor() as usize + 1).min(1 << 13);
    let rows = ((extent.height() / cell).floor() as usize + 1).min(1 << 13);
    let origin = extent.min();
    let at = move |v: f64, o: f64, n: usize| -> usize {
        (((v - o) / cell).floor().max(0.0) as usize).min(n - 1)
    };
    let mut marked = vec![false; cols * rows];
    for r in &boxes {
        for j in at(r.min().y, origin.y, rows)..=at(r.max().y, origin.y, rows) {
            for i in at(r.min().x, origin.x, cols)..=at(r.max().x, origin.x, cols) {
                marked[j * cols + i] = true;
            }
        }
    }
    let hi = extent.max();
    BoxFilter::new(move |r| {
        if r.max().x < origin.x || r.max().y < origin.y || r.min().x > hi.x || r.min().y > hi.y {
            return false;
        }
        let (i0, i1) = (at(r.min().x, origin.x, cols), at(r.max().x, origin.x, cols));
        let (j0, j1) = (at(r.min().y, origin.y, rows), at(r.max().y, origin.y, rows));
        (j0..=j1).any(|j| marked[j * cols + i0..=j * cols + i1].iter().any(|&m| m))
    })
}

/// A missing-field error from a layer read with only some fields lists only those as available:
/// name every field the file has instead (read its schema again, without records).
fn with_every_field(
    e: tuban_core::build::BuildError,
    role: &'static str,
    path: &Path,
    which: &Option<String>,
    encoding: &Option<String>,
) -> tuban_core::build::BuildError {
    match e {
        tuban_core::build::BuildError::MissingField {
            layer,
            field,
            purpose,
            available,
        } => {
            let opts = ReadOptions {
                encoding: encoding.clone(),
                name: Some(role.to_string()),
                layer: which.clone(),
            };
            let schema = Subset {
                keep: Some(BoxFilter::new(|_| false)),
                ..Default::default()
            };
            let available = read_layer_filtered(path, &opts, &schema)
                .map(|(l, _)| {
                    l.fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or(available);
            tuban_core::build::BuildError::MissingField {
                layer,
                field,
                purpose,
                available,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Coord, Geometry, Rect};
    use tuban_core::layer::Feature;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// Patches: two 10 m squares far apart, at (0,0) and (1000,1000), and a tiny one at (500,0).
    fn patches() -> Layer {
        let mut l = Layer::new("patches");
        for (k, (x, y, s)) in [(0.0, 0.0, 10.0), (1000.0, 1000.0, 10.0), (500.0, 0.0, 0.5)]
            .into_iter()
            .enumerate()
        {
            let p =
                polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)];
            l.features
                .push(Feature::new(k + 1, Some(Geometry::Polygon(p)), vec![]));
        }
        l
    }

    #[test]
    fn near_patches_keeps_every_box_that_meets_a_patch_box() {
        let f = near_patches(&patches());
        // Meeting a patch's box, overlapping, inside, holding it, or touching its edge: kept.
        for r in [
            rect(5.0, 5.0, 6.0, 6.0),
            rect(-5.0, -5.0, 2.0, 2.0),
            rect(10.0, 0.0, 20.0, 3.0),
            rect(-100.0, -100.0, 2000.0, 2000.0),
            rect(1009.0, 1009.0, 1100.0, 1100.0),
            rect(500.2, 0.2, 500.3, 0.3),
        ] {
            assert!(f.keeps(&r), "{r:?}");
        }
        // Outside the patches' extent: left out.
        for r in [
            rect(-50.0, -50.0, -1.0, -1.0),
            rect(1011.0, 0.0, 1020.0, 5.0),
            rect(0.0, 1011.0, 5.0, 1020.0),
        ] {
            assert!(!f.keeps(&r), "{r:?}");
        }
        // Far from every patch, inside the extent (the grid's cells are about a patch's size, so
        // a box 200 m from any patch is in no marked cell).
        assert!(!f.keeps(&rect(300.0, 300.0, 310.0, 310.0)));
        assert!(!f.keeps(&rect(700.0, 600.0, 720.0, 610.0)));
    }

    #[test]
    fn near_patches_of_no_patches_keeps_nothing() {
        assert!(!near_patches(&Layer::new("none")).keeps(&rect(0.0, 0.0, 1.0, 1.0)));
    }
}
