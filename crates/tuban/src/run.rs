//! The entry point: a [`Project`] in, an [`Outcome`] out, through the stages in order.

use std::path::PathBuf;
use std::time::Instant;

use tuban_core::codes::CodeTable;
use tuban_core::crs::Crs;
use tuban_core::report::Report;
use tuban_core::rules::{Role, Rules};
use tuban_core::steep::SteepStats;
use tuban_core::units::mu;

use crate::progress::{check, NoProgress, Progress, Stage, Timings};
use crate::project::{Project, RulesSpec};
use crate::stage::{self, write::WriteOptions};
use crate::Error;

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The per-patch results, statuses, verdicts and village totals.
    pub report: Report,
    /// The files written, in the order of [`Project::outputs`], then the village table.
    pub written: Vec<PathBuf>,
    /// Number of obstacle features indexed.
    pub obstacles: usize,
    /// The CRS the overlay worked in.
    pub working_crs: Crs,
    /// How each layer's CRS was settled: `(role, explanation)`.
    pub crs_notes: Vec<(String, String)>,
    /// How each layer was understood besides its CRS: `(role, note)` (which fields gave the
    /// patches' id and village, how the obstacle layers meet the patches, their measures).
    pub layer_notes: Vec<(String, String)>,
    /// Options that would improve this run (e.g. naming the village field): the command line
    /// prints them as hints in its own spelling.
    pub fixes: Vec<crate::Fix>,
    /// How each obstacle layer (and the DEM) meets the patches.
    pub coverage: Vec<stage::coverage::LayerCoverage>,
    /// The land-use layer code by code inside the patches, if one was given.
    pub landuse: Option<CodeTable>,
    /// What the slope step did, if a DEM was given.
    pub steep: Option<SteepStats>,
    /// Things the user should know that did not stop the run (e.g. patches beyond the DEM).
    pub warnings: Vec<String>,
    /// Information about the outputs (e.g. how long column names were shortened for a DBF), and
    /// how the area kernel served the overlay.
    pub notes: Vec<String>,
    /// How the area kernel served the overlay: where it measured, where i_overlay stood in.
    pub kernel: tuban_core::overlay::KernelUse,
    /// Stage timings.
    pub timings: Timings,
}

/// The rules of `project`: its rules file, the rules it was given, or the built-in rules.
pub fn rules(project: &Project) -> Result<Rules, Error> {
    match &project.rules {
        None => Ok(Rules::builtin()),
        Some(RulesSpec::Given(rules)) => Ok(rules.clone()),
        Some(RulesSpec::File(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
                path: path.display().to_string(),
                message: format!("cannot read the rules file: {e}"),
            })?;
            Rules::from_toml_str(&text).map_err(|source| Error::Rules {
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// Carries out `project`: read → settle CRS → build → slope → index → overlay → account →
/// write. With `threads` set, every parallel step runs on a pool of that many threads; otherwise
/// on rayon's global pool (one thread per core).
pub fn run(project: &Project) -> Result<Outcome, Error> {
    run_with(project, &NoProgress)
}

/// [`run`], reporting each stage to `progress` (which may cancel the run).
pub fn run_with(project: &Project, progress: &dyn Progress) -> Result<Outcome, Error> {
    if project.threads == 0 {
        return run_here(project, progress);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(project.threads)
        .build()
        .map_err(|e| Error::Unsupported(format!("cannot start {} threads: {e}", project.threads)))?
        .install(|| run_here(project, progress))
}

fn run_here(project: &Project, progress: &dyn Progress) -> Result<Outcome, Error> {
    let start = Instant::now();
    project.check().map_err(Error::Unsupported)?;
    stage::write::check_outputs(project)?;
    let rules = rules(project)?;
    let mut clock = Clock::new();
    let measured = measure(project, rules, progress, &mut clock)?;
    let Measured {
        rules,
        report,
        obstacles,
        working,
        crs_notes,
        layer_notes,
        fixes,
        coverage,
        landuse,
        steep,
        mut warnings,
        kernel,
    } = measured;
    let options = WriteOptions {
        lang: project.lang,
        shp_encoding: project.shp_encoding,
    };
    let notes = stage::write::RunNotes {
        crs: &crs_notes,
        layers: &layer_notes,
        landuse: landuse.as_ref(),
        warnings: &warnings,
    };
    let describe = || stage::write::describe_run(project, &report, &notes, &rules, start);
    let written = stage::write::write_outputs(
        &report,
        &project.outputs,
        project.villages.as_deref(),
        &options,
        &describe,
        progress,
    )?;
    let mut files = written.files;
    if let (Some(path), Some(table)) = (&project.codes, landuse.as_ref()) {
        stage::write::write_codes(table, path)?;
        files.push(path.clone());
    }
    clock.lap(|t| &mut t.write);
    warnings.extend(written.warnings);
    let mut timings = clock.timings;
    timings.total = start.elapsed();
    Ok(Outcome {
        report,
        written: files,
        obstacles,
        working_crs: working,
        crs_notes,
        layer_notes,
        fixes,
        coverage,
        landuse,
        steep,
        warnings,
        notes: {
            let mut notes = written.notes;
            notes.push(stage::overlay::kernel_note(&kernel));
            notes
        },
        kernel,
        timings,
    })
}

/// What the stages before writing produce.
struct Measured {
    /// The rules as applied: the project's, with the built-in rules of the land-use layer's
    /// survey standard.
    rules: Rules,
    report: Report,
    obstacles: usize,
    working: Crs,
    crs_notes: Vec<(String, String)>,
    layer_notes: Vec<(String, String)>,
    fixes: Vec<crate::Fix>,
    coverage: Vec<stage::coverage::LayerCoverage>,
    landuse: Option<CodeTable>,
    steep: Option<SteepStats>,
    warnings: Vec<String>,
    kernel: tuban_core::overlay::KernelUse,
}

/// Stages 1 to 7: read, settle CRS, build, slope, index, overlay, account.
fn measure(
    project: &Project,
    rules: Rules,
    progress: &dyn Progress,
    clock: &mut Clock,
) -> Result<Measured, Error> {
    let inputs = stage::read::read(project, &rules, progress)?;
    // The land-use layer's codes say which survey's built-in rules apply.
    let standard = stage::coverage::standard(&inputs, &rules, project.landuse_standard)?;
    let rules = match standard.as_ref() {
        Some(s) => rules.with_standard(s.standard),
        None => rules,
    };
    let rules = &rules;
    clock.lap(|t| &mut t.read);
    check(progress)?;

    progress.start(Stage::Crs, None);
    let settled = stage::crs::settle(inputs, project.assume_crs.as_deref())?;
    let mut crs_notes = settled.notes();
    let working = settled.working.crs;
    let mut warnings: Vec<String> = settled.working.warning.clone().into_iter().collect();
    progress.finish();
    clock.lap(|t| &mut t.crs);
    check(progress)?;

    progress.start(Stage::Build, None);
    let patches = stage::build::patches(&settled.patches, &project.patches, project.invalid)?;
    // The patches now have their own copies of what the run needs; the layer as read (every
    // geometry again, with its fields) would otherwise stay to the end of the run, through the
    // index's peak: 0.65 GB at a million patches (the RSS once the overlay's inputs are freed
    // fell from 2.0 to 1.35 GB when this drop came in).
    drop(settled.patches);
    warnings.extend(patches.warnings.iter().cloned());
    let mut layer_notes: Vec<(String, String)> = patches
        .notes
        .iter()
        .map(|n| ("patches".to_string(), n.clone()))
        .collect();
    let fixes = patches.fixes.clone();
    if let Some(s) = &standard {
        layer_notes.push(("landuse".into(), s.note.clone()));
        warnings.extend(s.warning.clone());
    }
    progress.finish();
    let boxes = stage::coverage::PatchBoxes::new(&patches.patches);
    let method = project.area_method;
    let mut built = stage::build::Obstacles::default();
    let (mut coverage, mut landuse) = (Vec::new(), None);
    for (placed, params) in settled.obstacles {
        let role = placed.read.role;
        let label = placed.read.layer.label();
        let features = placed.read.layer.features.len() + placed.read.filtered_out;
        let obstacles = if role == Role::Landuse {
            let lu = stage::coverage::landuse(
                placed,
                &params,
                &patches.patches,
                &boxes,
                rules,
                working,
                method,
                progress,
            )?;
            coverage.push(lu.coverage);
            landuse = Some(lu.table);
            lu.obstacles
        } else {
            // Widths, areas and counts as the survey makes plausible, or a stop that names the fix.
            let m = tuban_core::measures::measures(&placed.read.layer, &params);
            let verdict = tuban_core::measures::check(&label, &m);
            if let Some(e) = verdict.errors.into_iter().next() {
                return Err(Error::Implausible(e));
            }
            warnings.extend(verdict.warnings);
            layer_notes.push((role.to_string(), tuban_core::measures::describe(&m)));
            let o = stage::build::layer_obstacles(placed, &params, rules)?;
            coverage.push(boxes.coverage(role.as_str(), &label, features, &o));
            o
        };
        stage::build::settle_obstacles(obstacles, &label, project.invalid, &mut built)?;
    }
    warnings.append(&mut built.warnings);
    clock.lap(|t| &mut t.build);
    check(progress)?;

    let mut steep = None;
    if let Some(dem) = &project.dem {
        progress.start(Stage::Slope, None);
        let assumed = project.assume_crs.as_deref();
        let cells = stage::slope::steep_cells(dem, assumed, working, &patches.patches, rules)?;
        crs_notes.push(("dem".into(), cells.note));
        warnings.extend(cells.warnings);
        coverage.push(stage::coverage::LayerCoverage {
            role: "dem".into(),
            label: dem.path.display().to_string(),
            features: cells.stats.cells_computed,
            near: patches.patches.len() - cells.stats.envelopes_outside,
            share: None,
            extent: None,
        });
        built.obstacles.extend(cells.obstacles);
        steep = Some(cells.stats);
        progress.finish();
        check(progress)?;
    }
    clock.lap(|t| &mut t.slope);
    warnings.extend(stage::coverage::check_coverage(
        &coverage,
        &boxes,
        landuse.as_ref(),
        &project.accept_no_overlap,
    )?);
    layer_notes.extend(notes_of(&coverage, landuse.as_ref(), &mut warnings));
    // The patches' box tree has done its work (coverage): not held through the index's peak.
    drop(boxes);

    progress.start(Stage::Index, None);
    let obstacles = built.obstacles.len();
    let index = stage::overlay::index(built.obstacles);
    progress.finish();
    clock.lap(|t| &mut t.index);

    let keep_pieces = stage::write::keeps_pieces(&project.outputs);
    let classes = rules.classes().len();
    let overlaid = stage::overlay::overlay(
        &patches.patches,
        &index,
        classes,
        working,
        method,
        keep_pieces,
        progress,
    )?;
    drop(index);
    clock.lap(|t| &mut t.overlay);

    progress.start(Stage::Account, None);
    let kernel = overlaid.kernel;
    let report = stage::account::account(patches, overlaid, rules, working);
    progress.finish();
    clock.lap(|t| &mut t.account);
    check(progress)?;
    Ok(Measured {
        rules: rules.clone(),
        report,
        obstacles,
        working,
        crs_notes,
        layer_notes,
        fixes,
        coverage,
        landuse,
        steep,
        warnings,
        kernel,
    })
}

/// The run-description lines of each layer's coverage and of the land-use codes; a warning for
/// codes inside the patches that no rule knows.
fn notes_of(
    coverage: &[stage::coverage::LayerCoverage],
    landuse: Option<&CodeTable>,
    warnings: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut notes: Vec<(String, String)> = coverage
        .iter()
        .filter(|c| c.role != "dem")
        .map(|c| (c.role.clone(), c.describe()))
        .collect();
    if let Some(t) = landuse {
        let inside = t.rows.iter().filter(|r| r.m2 > 0.0);
        let codes: std::collections::BTreeSet<&str> = inside.map(|r| r.code.as_str()).collect();
        let unknown: Vec<String> = t
            .unknown()
            .map(|r| format!("{} ({:.2} mu)", display_code(&r.code), mu(r.m2)))
            .collect();
        notes.push((
            "landuse".into(),
            format!(
                "{} codes inside the patches (field {}){}",
                codes.len(),
                t.field.as_deref().unwrap_or("none"),
                if unknown.is_empty() {
                    ", every one known to a rule".to_string()
                } else {
                    format!(
                        "; {} known to no rule: {}",
                        unknown.len(),
                        unknown.join(", ")
                    )
                }
            ),
        ));
        if !unknown.is_empty() {
            warnings.push(format!(
                "land-use codes inside the patches that no rule knows: {}; their area counts as clean, not as an obstacle: if some are obstacles, say so in a rules file",
                unknown.join(", ")
            ));
        }
    }
    notes
}

/// A code as shown: `(empty)` for none.
fn display_code(code: &str) -> &str {
    if code.is_empty() {
        "(empty)"
    } else {
        code
    }
}

/// Wall time per stage: each lap goes to the stage that just ended.
struct Clock {
    lap: Instant,
    timings: Timings,
}

impl Clock {
    fn new() -> Self {
        Clock {
            lap: Instant::now(),
            timings: Timings::default(),
        }
    }

    fn lap(&mut self, slot: impl FnOnce(&mut Timings) -> &mut std::time::Duration) {
        *slot(&mut self.timings) = self.lap.elapsed();
        self.lap = Instant::now();
    }
}
