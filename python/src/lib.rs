//! `tuban._tuban`: the native half of the Python package `tuban`.
//!
//! A thin binding of the library crate `tuban`: it builds a [`Project`] from the Python call
//! (files by path, tables and GeoDataFrames as in-memory layers, see [`table`]), calls
//! [`tuban::run_with`] off the GIL ([`bridge`]), and hands the report back as Arrow
//! ([`output`], [`capsule`]). The public API, its argument checks and its docstrings are in
//! `python/tuban/__init__.py`; the pipeline and its defaults are the library's, so the numbers
//! are the command line's.

use std::path::PathBuf;
use std::time::Instant;

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rayon::prelude::*;
use tuban::core::build::{PatchFields, ShapeParams};
use tuban::core::defaults;
use tuban::core::report::PatchStatus;
use tuban::core::rules::Rules;
use tuban::{DemSpec, Error, LayerSpec, ObstacleLayerSpec, Outcome, Project, RulesSpec};

mod bridge;
mod capsule;
mod errors;
mod geometry;
mod output;
mod table;

use capsule::ArrowStream;
use errors::{Failure, Kind};
use table::{Stated, Table, Wanted};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A layer as the Python side hands it over.
enum LayerArg {
    /// A file (`FILE:LAYER` for a layer of a GeoPackage or File Geodatabase).
    Path(PathBuf),
    /// A table, already imported from its Arrow stream.
    Table(Table),
}

/// `("path", str)` or `("table", obj, label, crs, geometry)`.
fn layer_arg(arg: Option<&Bound<'_, PyAny>>) -> PyResult<Option<LayerArg>> {
    let Some(arg) = arg else { return Ok(None) };
    if arg.is_none() {
        return Ok(None);
    }
    let t = arg.cast::<PyTuple>()?;
    let kind: String = t.get_item(0)?.extract()?;
    Ok(Some(match kind.as_str() {
        "path" => LayerArg::Path(t.get_item(1)?.extract()?),
        "table" => {
            let (schema, batches) = capsule::import(&t.get_item(1)?)?;
            LayerArg::Table(Table {
                label: t.get_item(2)?.extract()?,
                schema,
                batches,
                crs: t.get_item(3)?.extract()?,
                geometry: t.get_item(4)?.extract()?,
            })
        }
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown layer kind {other}"
            )))
        }
    }))
}

/// The options of `overlay` beyond the layers, as the Python side passes them.
#[derive(Default)]
struct Options {
    area_method: Option<String>,
    invalid: Option<String>,
    assume_crs: Option<String>,
    crs: Option<String>,
    encoding: Option<String>,
    record_field: Option<String>,
    id_field: Option<String>,
    village_field: Option<String>,
    village_short: bool,
    accept_no_overlap: Vec<String>,
    grave_radius: Option<f64>,
    grave_area_field: Option<String>,
    grave_count_field: Option<String>,
    road_width_field: Option<String>,
    road_default_width: Option<f64>,
    road_min_width: Option<f64>,
    road_width_scale: Option<f64>,
    grave_area_scale: Option<f64>,
    steep_threshold: Option<f64>,
    dem_crs: Option<String>,
}

/// The keywords `overlay` accepts in `**options`.
const OPTION_NAMES: [&str; 18] = [
    "road_width_scale",
    "grave_area_scale",
    "id_field",
    "village_field",
    "village_short",
    "accept_no_overlap",
    "grave_radius",
    "grave_area_field",
    "grave_count_field",
    "road_width_field",
    "road_default_width",
    "road_min_width",
    "steep_threshold",
    "encoding",
    "assume_crs",
    "crs",
    "dem_crs",
    "record_field",
];

fn usage(message: String) -> Failure {
    Failure::Own(Kind::Usage, message)
}

impl Options {
    fn from_dict(d: &Bound<'_, PyDict>) -> Result<Self, Failure> {
        let mut o = Options::default();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| usage("option names must be strings".into()))?;
            if v.is_none() {
                continue;
            }
            let text = |v: &Bound<'_, PyAny>| -> Result<Option<String>, Failure> {
                v.extract::<String>()
                    .map(Some)
                    .map_err(|_| usage(format!("{key}= must be a string, not {}", type_name(v))))
            };
            let number = |v: &Bound<'_, PyAny>| -> Result<Option<f64>, Failure> {
                match v.extract::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(usage(format!(
                        "{key}= must be a finite number, not {}",
                        v.repr().map(|r| r.to_string()).unwrap_or_default()
                    ))),
                }
            };
            match key.as_str() {
                "area_method" => o.area_method = text(&v)?,
                "invalid" => o.invalid = text(&v)?,
                "assume_crs" => o.assume_crs = text(&v)?,
                "crs" => o.crs = text(&v)?,
                "encoding" => o.encoding = text(&v)?,
                "record_field" => o.record_field = text(&v)?,
                "id_field" => o.id_field = text(&v)?,
                "village_field" => o.village_field = text(&v)?,
                "village_short" => {
                    o.village_short = v.extract::<bool>().map_err(|_| {
                        usage(format!("{key}= must be True or False, not {}", type_name(&v)))
                    })?
                }
                "accept_no_overlap" => {
                    o.accept_no_overlap = match v.extract::<String>() {
                        Ok(one) => vec![one],
                        Err(_) => v.extract::<Vec<String>>().map_err(|_| {
                            usage(format!(
                                "{key}= must be a layer name or a list of them (landuse, graves, roads, dem), not {}",
                                type_name(&v)
                            ))
                        })?,
                    }
                }
                "grave_radius" => o.grave_radius = number(&v)?,
                "grave_area_field" => o.grave_area_field = text(&v)?,
                "grave_count_field" => o.grave_count_field = text(&v)?,
                "road_width_field" => o.road_width_field = text(&v)?,
                "road_default_width" => o.road_default_width = number(&v)?,
                "road_min_width" => o.road_min_width = number(&v)?,
                "road_width_scale" => o.road_width_scale = number(&v)?,
                "grave_area_scale" => o.grave_area_scale = number(&v)?,
                "steep_threshold" => o.steep_threshold = number(&v)?,
                "dem_crs" => o.dem_crs = text(&v)?,
                other => {
                    return Err(usage(format!(
                        "overlay() got an unknown option {other}=; the options are: {}",
                        OPTION_NAMES.join(", ")
                    )))
                }
            }
        }
        Ok(o)
    }
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// What a call gives back to Python.
struct Produced {
    patches: RecordBatch,
    villages: RecordBatch,
    totals: Vec<(String, output::Total)>,
    info: Info,
}

/// The run's description, as plain data (the report itself is dropped off the GIL).
struct Info {
    area_method: String,
    area_method_note: String,
    working_crs: String,
    crs_notes: Vec<(String, String)>,
    layer_notes: Vec<(String, String)>,
    obstacles: usize,
    written: Vec<String>,
    notes: Vec<String>,
    warnings: Vec<String>,
    failures: Vec<(usize, String, String)>,
    skipped: Vec<(usize, String, String)>,
    repaired: Vec<(usize, String, String)>,
    timings: Vec<(&'static str, f64)>,
    steep: Option<tuban::SteepStats>,
}

/// Turns an outcome into Arrow tables and plain data. `seconds` are timings of this crate's own
/// steps, reported beside the library's.
fn produce(outcome: Outcome, mut extra: Vec<(&'static str, f64)>) -> Produced {
    let started = Instant::now();
    let report = &outcome.report;
    let patches = output::patches(report);
    let (villages, totals) = output::villages(report);
    let listed = |keep: fn(&PatchStatus) -> bool| -> Vec<(usize, String, String)> {
        report
            .status
            .iter()
            .enumerate()
            .filter(|(_, s)| keep(s))
            .map(|(i, s)| (i + 1, report.patches[i].id.clone(), s.note().to_string()))
            .collect()
    };
    let t = &outcome.timings;
    let mut timings = vec![
        ("read", t.read.as_secs_f64()),
        ("crs", t.crs.as_secs_f64()),
        ("build", t.build.as_secs_f64()),
        ("slope", t.slope.as_secs_f64()),
        ("index", t.index.as_secs_f64()),
        ("overlay", t.overlay.as_secs_f64()),
        ("account", t.account.as_secs_f64()),
        ("write", t.write.as_secs_f64()),
        ("total", t.total.as_secs_f64()),
    ];
    extra.push(("to_arrow", started.elapsed().as_secs_f64()));
    timings.extend(extra);
    let info = Info {
        area_method: report.method.as_str().to_string(),
        area_method_note: report.method_note.clone(),
        working_crs: outcome.working_crs.to_string(),
        crs_notes: outcome.crs_notes.clone(),
        layer_notes: outcome.layer_notes.clone(),
        obstacles: outcome.obstacles,
        written: outcome
            .written
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        notes: outcome.notes.clone(),
        warnings: outcome.warnings.clone(),
        failures: listed(|s| matches!(s, PatchStatus::Failed(_))),
        skipped: listed(|s| matches!(s, PatchStatus::Skipped(_))),
        repaired: listed(|s| matches!(s, PatchStatus::Repaired(_))),
        timings,
        steep: outcome.steep.clone(),
    };
    Produced {
        patches,
        villages,
        totals,
        info,
    }
}

/// The Python tuple `(patches, villages, totals, info)`.
fn to_python(py: Python<'_>, p: Produced) -> PyResult<Bound<'_, PyTuple>> {
    let totals = PyDict::new(py);
    for (name, value) in p.totals {
        match value {
            output::Total::Text(s) => totals.set_item(name, s)?,
            output::Total::Int(n) => totals.set_item(name, n)?,
            output::Total::Float(x) => totals.set_item(name, x)?,
        }
    }
    let i = p.info;
    let info = PyDict::new(py);
    info.set_item("tuban_version", env!("CARGO_PKG_VERSION"))?;
    info.set_item("area_method", i.area_method)?;
    info.set_item("area_method_note", i.area_method_note)?;
    info.set_item("crs", i.working_crs)?;
    let notes = PyDict::new(py);
    for (role, how) in i.crs_notes {
        notes.set_item(role, how)?;
    }
    info.set_item("crs_notes", notes)?;
    info.set_item("layer_notes", i.layer_notes)?;
    info.set_item("obstacles", i.obstacles)?;
    info.set_item("written", i.written)?;
    info.set_item("notes", i.notes)?;
    info.set_item("warnings", i.warnings)?;
    let rows = |v: Vec<(usize, String, String)>, what: &str| -> PyResult<Bound<'_, PyList>> {
        let list = PyList::empty(py);
        for (row, id, why) in v {
            let d = PyDict::new(py);
            d.set_item("row", row)?;
            d.set_item("patch_id", id)?;
            d.set_item(what, why)?;
            list.append(d)?;
        }
        Ok(list)
    };
    info.set_item("failures", rows(i.failures, "error")?)?;
    info.set_item("skipped", rows(i.skipped, "why")?)?;
    info.set_item("repaired", rows(i.repaired, "why")?)?;
    let timings = PyDict::new(py);
    for (name, s) in i.timings {
        timings.set_item(name, s)?;
    }
    info.set_item("seconds", timings)?;
    if let Some(s) = i.steep {
        let d = PyDict::new(py);
        d.set_item("envelopes", s.envelopes)?;
        d.set_item("envelopes_outside", s.envelopes_outside)?;
        d.set_item("envelopes_partly_outside", s.envelopes_partly_outside)?;
        d.set_item("cells_computed", s.cells_computed)?;
        d.set_item("nodata_cells", s.nodata_cells)?;
        d.set_item("steep_cells", s.steep_cells)?;
        d.set_item("obstacles", s.obstacles)?;
        info.set_item("steep", d)?;
    }
    PyTuple::new(
        py,
        [
            Bound::new(py, ArrowStream::new(p.patches))?.into_any(),
            Bound::new(py, ArrowStream::new(p.villages))?.into_any(),
            totals.into_any(),
            info.into_any(),
        ],
    )
}

/// The fields a table playing `role` must keep: the ones tuban's file reader would read (see
/// `tuban::stage::read`).
fn wanted_fields(role: &str, project: &Project, rules: &Rules) -> Vec<String> {
    match role {
        "patches" => {
            let p = &project.patches;
            [&p.id_field, &p.village_field]
                .into_iter()
                .flatten()
                .cloned()
                .chain(
                    PatchFields::CANDIDATES
                        .iter()
                        .flat_map(|n| n.iter())
                        .map(|n| n.to_string()),
                )
                .collect()
        }
        "landuse" => rules.fields(role),
        _ => {
            let shape = match role {
                "graves" => project.graves.as_ref().map(|g| &g.shape),
                _ => project.roads.as_ref().map(|g| &g.shape),
            };
            let mut fields = rules.fields(role);
            if let Some(s) = shape {
                fields.extend(
                    [&s.area_field, &s.count_field, &s.width_field]
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            }
            fields.push(defaults::ROAD_WIDTH_FIELD.into());
            fields
        }
    }
}

/// Converts every table of `tables` (by role) into an in-memory layer of `project`.
/// Returns, per table, where its CRS came from (for the CRS notes).
fn place_tables(
    project: &mut Project,
    tables: Vec<(&'static str, Table)>,
    options: &Options,
    rules: &Rules,
) -> Result<Vec<(&'static str, &'static str)>, Failure> {
    type Placed = (&'static str, LayerSpec, &'static str);
    let converted: Vec<Result<Placed, Failure>> = tables
        .par_iter()
        .map(|(role, table)| {
            let fields = wanted_fields(role, project, rules);
            let wanted = Wanted {
                fields: Some(&fields),
                record_field: options.record_field.as_deref(),
            };
            let (mut layer, stated, mut source) =
                table::to_layer(table, &wanted).map_err(|m| Failure::Own(Kind::Input, m))?;
            let mut crs = None;
            match stated {
                Stated::Named(t) => crs = Some(t),
                Stated::Wkt(t) => layer.crs_text = Some(t),
                Stated::None => {
                    crs = options.crs.clone();
                    source = if crs.is_some() { "given by crs=" } else { "" };
                }
            }
            let mut spec = LayerSpec::memory(layer);
            spec.crs = crs;
            Ok((*role, spec, source))
        })
        .collect();
    let mut sources = Vec::new();
    for c in converted {
        let (role, spec, source) = c?;
        sources.push((role, source));
        match role {
            "patches" => project.patches.layer = spec,
            "landuse" => project.landuse = Some(spec),
            "graves" => {
                if let Some(g) = &mut project.graves {
                    g.layer = spec
                }
            }
            _ => {
                if let Some(r) = &mut project.roads {
                    r.layer = spec
                }
            }
        }
    }
    Ok(sources)
}

/// The library words a CRS note for a file (`set for this layer in the project file`, `from the
/// .prj`); for a table, say where its CRS came from instead.
fn table_notes(notes: &mut [(String, String)], sources: &[(&'static str, &'static str)]) {
    for (role, how) in notes.iter_mut() {
        let Some((_, source)) = sources.iter().find(|(r, s)| r == role && !s.is_empty()) else {
            continue;
        };
        *how = how
            .replace(
                ", set for this layer in the project file",
                &format!(", {source}"),
            )
            .replace(", from the .prj:", &format!(", {source}:"));
    }
}

/// A missing-field error about a table lists only the columns converted: list all of its columns.
fn with_every_column(e: Error, columns: &[(String, String)]) -> Error {
    use tuban::core::build::BuildError;
    match e {
        Error::Build(BuildError::MissingField {
            layer,
            field,
            purpose,
            available,
        }) => {
            let available = columns
                .iter()
                .find(|(label, _)| *label == layer)
                .map_or(available, |(_, all)| all.clone());
            Error::Build(BuildError::MissingField {
                layer,
                field,
                purpose,
                available,
            })
        }
        e => e,
    }
}

/// The rules of `project`, every error about them a rules error.
fn rules_of(project: &Project) -> Result<Rules, Failure> {
    tuban::rules(project).map_err(|e| match e {
        Error::Config { path, message } => Failure::Own(Kind::Rules, format!("{path}: {message}")),
        e => Failure::Run(e),
    })
}

fn parse<T: std::str::FromStr<Err = String>>(text: Option<&str>, default: T) -> Result<T, Failure> {
    match text {
        None => Ok(default),
        Some(t) => t.parse().map_err(usage),
    }
}

/// Overlays layers given as paths or tables. Called by `tuban.overlay`, which documents it.
#[pyfunction]
#[pyo3(signature = (patches, landuse, graves, roads, dem, rules, threads, options, progress))]
#[allow(clippy::too_many_arguments)]
fn overlay<'py>(
    py: Python<'py>,
    patches: Bound<'py, PyAny>,
    landuse: Option<Bound<'py, PyAny>>,
    graves: Option<Bound<'py, PyAny>>,
    roads: Option<Bound<'py, PyAny>>,
    dem: Option<PathBuf>,
    rules: Option<PathBuf>,
    threads: usize,
    options: Bound<'py, PyDict>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let options = Options::from_dict(&options).map_err(|f| errors::to_py(py, f))?;
    let args = [
        ("patches", layer_arg(Some(&patches))?),
        ("landuse", layer_arg(landuse.as_ref())?),
        ("graves", layer_arg(graves.as_ref())?),
        ("roads", layer_arg(roads.as_ref())?),
    ];
    let produced = bridge::execute(py, threads, progress.as_ref(), move |shared| {
        let o = &options;
        let started = Instant::now();
        let file = |path: &PathBuf| LayerSpec {
            encoding: o.encoding.clone(),
            ..LayerSpec::file(path)
        };
        // Every layer starts as a path or a placeholder; tables are converted below.
        let mut tables = Vec::new();
        let mut columns = Vec::new();
        let mut specs: Vec<Option<LayerSpec>> = Vec::new();
        for (role, arg) in args {
            specs.push(match arg {
                None => None,
                Some(LayerArg::Path(p)) => Some(file(&p)),
                Some(LayerArg::Table(t)) => {
                    let all = t
                        .schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    columns.push((t.label.clone(), all));
                    tables.push((role, t));
                    Some(LayerSpec::memory(Default::default()))
                }
            });
        }
        let [p, l, g, r]: [Option<LayerSpec>; 4] = specs.try_into().expect("four roles");
        let mut project = Project::new(p.expect("patches are required"));
        project.patches.id_field = o.id_field.clone();
        project.patches.village_field = o.village_field.clone();
        project.patches.village_short = o.village_short;
        project.accept_no_overlap = o.accept_no_overlap.clone();
        project.landuse = l;
        project.graves = g.map(|layer| ObstacleLayerSpec {
            layer,
            shape: ShapeParams {
                radius_m: o.grave_radius.unwrap_or(defaults::GRAVE_RADIUS_M),
                area_field: o.grave_area_field.clone(),
                count_field: o.grave_count_field.clone(),
                area_scale: o.grave_area_scale.unwrap_or(1.0),
                ..Default::default()
            },
        });
        project.roads = r.map(|layer| ObstacleLayerSpec {
            layer,
            shape: ShapeParams {
                width_field: Some(
                    o.road_width_field
                        .clone()
                        .unwrap_or_else(|| defaults::ROAD_WIDTH_FIELD.into()),
                ),
                default_width_m: o.road_default_width,
                min_width_m: o.road_min_width.unwrap_or(defaults::ROAD_MIN_WIDTH_M),
                width_scale: o.road_width_scale.unwrap_or(1.0),
                ..Default::default()
            },
        });
        project.dem = dem.map(|path| DemSpec {
            threshold_deg: o.steep_threshold.unwrap_or(defaults::STEEP_THRESHOLD_DEG),
            crs: o.dem_crs.clone(),
            ..DemSpec::at(path)
        });
        project.rules = rules.map(RulesSpec::File);
        project.area_method = parse(o.area_method.as_deref(), defaults::AREA_METHOD)?;
        project.invalid = parse(o.invalid.as_deref(), defaults::INVALID_POLICY)?;
        project.assume_crs = o.assume_crs.clone();
        let rules = rules_of(&project)?;
        let sources = place_tables(&mut project, tables, o, &rules)?;
        let converted = started.elapsed().as_secs_f64();
        if shared.is_cancelled() {
            return Err(Failure::Cancelled);
        }
        let mut outcome =
            tuban::run_with(&project, shared).map_err(|e| with_every_column(e, &columns))?;
        table_notes(&mut outcome.crs_notes, &sources);
        drop(project);
        Ok(produce(outcome, vec![("from_arrow", converted)]))
    })?;
    to_python(py, produced)
}

/// Runs a project file. Called by `tuban.run`, which documents it.
#[pyfunction]
#[pyo3(signature = (project, outputs, villages, threads, options, progress))]
fn run<'py>(
    py: Python<'py>,
    project: PathBuf,
    outputs: Option<Vec<PathBuf>>,
    villages: Option<PathBuf>,
    threads: Option<usize>,
    options: Bound<'py, PyDict>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut set: Vec<(String, Option<String>, Option<bool>)> = Vec::new();
    for (k, v) in options.iter() {
        let key: String = k.extract()?;
        if v.is_none() {
            continue;
        }
        if key == "overwrite" {
            set.push((key, None, Some(v.extract()?)));
        } else {
            set.push((key, Some(v.extract()?), None));
        }
    }
    // threads= given: the bridge's pool; else the project's own `threads` (run_with's pool).
    let pool = threads.unwrap_or(0);
    let produced = bridge::execute(py, pool, progress.as_ref(), move |shared| {
        let mut p = Project::from_file(&project)?;
        if let Some(outputs) = outputs {
            // As `tuban run -o`: outputs given replace the project's, village and code tables
            // included.
            p.outputs = outputs;
            p.villages = None;
            p.codes = None;
        }
        if villages.is_some() {
            p.villages = villages;
        }
        for (key, text, flag) in set {
            let text = text.as_deref();
            match key.as_str() {
                "overwrite" => p.overwrite = flag.unwrap_or(false),
                "area_method" => p.area_method = parse(text, p.area_method)?,
                "invalid" => p.invalid = parse(text, p.invalid)?,
                "assume_crs" => p.assume_crs = text.map(str::to_string),
                "lang" => p.lang = parse(text, p.lang)?,
                "shp_encoding" => p.shp_encoding = parse(text, p.shp_encoding)?,
                other => {
                    return Err(usage(format!(
                        "run() got an unknown option {other}=; the options are: overwrite, area_method, invalid, assume_crs, lang, shp_encoding"
                    )))
                }
            }
        }
        rules_of(&p)?;
        if threads.is_some() {
            p.threads = 0; // the pool is the bridge's
        }
        let outcome = tuban::run_with(&p, shared)?;
        Ok(produce(outcome, Vec::new()))
    })?;
    to_python(py, produced)
}

/// The defaults of every option, from `tuban::core::defaults` (the CLI's).
#[pyfunction(name = "defaults")]
fn option_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("area_method", defaults::AREA_METHOD.as_str())?;
    d.set_item("invalid", defaults::INVALID_POLICY.as_str())?;
    d.set_item("grave_radius", defaults::GRAVE_RADIUS_M)?;
    d.set_item("road_min_width", defaults::ROAD_MIN_WIDTH_M)?;
    d.set_item("road_width_field", defaults::ROAD_WIDTH_FIELD)?;
    d.set_item("steep_threshold", defaults::STEEP_THRESHOLD_DEG)?;
    d.set_item("quad_segs", defaults::QUAD_SEGS)?;
    Ok(d)
}

/// Square metres to two-decimal mu that add up, as the village table rounds them: each value to
/// mu (`tuban::core::units::mu`), then `tuban::core::account::largest_remainder` to hundredths.
/// Returns the rows and their total, in hundredths of a mu (integers, so that no second rounding
/// happens in Python).
#[pyfunction]
fn mu_hundredths(m2: Vec<f64>) -> (Vec<i64>, i64) {
    let mu: Vec<f64> = m2.iter().map(|v| tuban::core::units::mu(*v)).collect();
    let rows = tuban::core::account::largest_remainder(&mu, 2);
    let total = rows.iter().sum();
    (rows, total)
}

/// The native module.
#[pymodule]
fn _tuban(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(overlay, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(option_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(mu_hundredths, m)?)?;
    m.add_class::<ArrowStream>()?;
    m.add("OVERLAY_OPTIONS", OPTION_NAMES.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
