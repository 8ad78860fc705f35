//! Carrying out a [`Project`]: read → classify → index → overlay → account → write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tuban_core::area::{AreaMeasure, Planar};
use tuban_core::build::{obstacles_from_layer, patches_from_layer, PatchFields};
use tuban_core::layer::Layer;
use tuban_core::overlay::{overlay, ObstacleIndex, OverlayOptions};
use tuban_core::report::Report;
use tuban_core::rules::Rules;
use tuban_io::read::{read_layer, ReadOptions};
use tuban_io::write;

use crate::{Project, ProjectError};

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading the input layers.
    pub read: Duration,
    /// Classifying obstacles and building the R-tree.
    pub index: Duration,
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
    /// Stage timings.
    pub timings: Timings,
}

enum Format {
    Csv,
    GeoJson,
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
        _ => Err(ProjectError::Unsupported(format!(
            "{}: unknown output format '.{ext}': use .csv or .geojson",
            path.display()
        ))),
    }
}

/// Checks the outputs before any work is done: known formats, no input overwritten, and no
/// existing file replaced unless the project allows it.
fn check_outputs(project: &Project) -> Result<(), ProjectError> {
    let inputs: Vec<PathBuf> = project
        .inputs()
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
        .collect();
    for out in project.all_outputs() {
        let canon = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
        if inputs.contains(&canon) {
            return Err(write::WriteError::Refused(format!(
                "{}: this output is also an input of the run; tuban never writes its inputs: choose another output path",
                out.display()
            ))
            .into());
        }
        output_format(out)?;
        if out.exists() && !project.overwrite {
            return Err(write::WriteError::Refused(format!(
                "{}: already exists; pass --overwrite (or set overwrite = true in the project file) to replace it",
                out.display()
            ))
            .into());
        }
    }
    Ok(())
}

fn read(path: &Path, encoding: &Option<String>, role: &str) -> Result<Layer, ProjectError> {
    let opts = ReadOptions {
        encoding: encoding.clone(),
        name: Some(role.to_string()),
    };
    Ok(read_layer(path, &opts)?)
}

/// Carries out `project`.
pub fn run(project: &Project) -> Result<Outcome, ProjectError> {
    let start = Instant::now();
    let mut timings = Timings::default();
    if let Some(spec) = &project.dem {
        return Err(ProjectError::Unsupported(format!(
            "{}: a DEM cannot be used by this build yet; remove it from the run",
            spec.path.display()
        )));
    }
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
    let patch_layer = read(&project.patches.path, &project.patches.encoding, "patches")?;
    let landuse = match &project.landuse {
        Some(spec) => Some(read(&spec.path, &spec.encoding, "landuse")?),
        None => None,
    };
    let mut point_line_layers = Vec::new();
    for (role, spec) in [("graves", &project.graves), ("roads", &project.roads)] {
        if let Some(spec) = spec {
            point_line_layers.push((
                role,
                read(&spec.path, &spec.encoding, role)?,
                spec.shape_params(),
            ));
        }
    }
    timings.read = t.elapsed();

    let t = Instant::now();
    let guess = PatchFields::guess(&patch_layer);
    let fields = PatchFields {
        id: project.patches.id_field.clone().or(guess.id),
        village: project.patches.village_field.clone().or(guess.village),
    };
    let patches = patches_from_layer(&patch_layer, &fields)?;
    drop(patch_layer);
    let mut obstacles = Vec::new();
    if let Some(l) = &landuse {
        obstacles.extend(obstacles_from_layer(
            "landuse",
            l,
            &rules,
            &Default::default(),
        )?);
    }
    drop(landuse);
    for (role, layer, params) in &point_line_layers {
        obstacles.extend(obstacles_from_layer(role, layer, &rules, params)?);
    }
    drop(point_line_layers);
    let n_obstacles = obstacles.len();
    let index = ObstacleIndex::new(obstacles);
    timings.index = t.elapsed();

    let measure: Box<dyn AreaMeasure> = match project.area_method {
        tuban_core::area::AreaMethod::Planar => Box::new(Planar),
        tuban_core::area::AreaMethod::Ellipsoidal => {
            return Err(ProjectError::Unsupported(
                "the ellipsoidal area method is not available in this build yet: use area_method = \"planar\"".into(),
            ))
        }
    };
    let method = measure.method();
    let method_note = measure.describe();
    let options = OverlayOptions {
        measure,
        keep_pieces: false,
    };
    let t = Instant::now();
    let classes = rules.classes().len();
    let results = if project.threads == 0 {
        overlay(&patches, &index, classes, &options)
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(project.threads)
            .build()
            .map_err(|e| {
                ProjectError::Unsupported(format!("cannot start {} threads: {e}", project.threads))
            })?
            .install(|| overlay(&patches, &index, classes, &options))
    };
    timings.overlay = t.elapsed();

    let report = Report::new(
        rules.classes().to_vec(),
        method_note,
        patches,
        results,
        method,
        rules.verdict.clone(),
    );

    let t = Instant::now();
    let mut written = Vec::new();
    for out in &project.outputs {
        match output_format(out)? {
            Format::Csv => write::csv::write(&report, out)?,
            Format::GeoJson => write::geojson::write(&report, &Default::default(), out)?,
        }
        written.push(out.clone());
    }
    if let Some(path) = &project.villages {
        write::csv::write_villages(&report, path)?;
        written.push(path.clone());
    }
    timings.write = t.elapsed();
    timings.total = start.elapsed();
    Ok(Outcome {
        report,
        written,
        obstacles: n_obstacles,
        timings,
    })
}
