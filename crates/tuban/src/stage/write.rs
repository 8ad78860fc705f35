//! Stage 8, **write**: the report in every format asked for, each file whole or absent.
//!
//! The format follows the extension: `.csv`, `.geojson`/`.json`, `.xlsx`, `.shp`, `.gpkg`,
//! `.parquet`,
//! `.svg`, `.png`, `.html`/`.htm`. The GIS formats (and the map) also carry the obstacle pieces:
//! [`keeps_pieces`] tells the overlay to keep them. [`check_outputs`] runs before any work: an
//! unknown format, an output that is also an input, or an existing file (without `overwrite`) stops
//! the run before it reads anything.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tuban_core::report::Report;
use tuban_core::rules::Rules;
use tuban_io::write;
use tuban_io::write::run_info::{InputFile, RunInfo};
use tuban_io::write::shp::ShpEncoding;
use tuban_io::write::Lang;

use crate::progress::{Progress, Stage};
use crate::project::Project;
use crate::Error;

/// An output format, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: the per-patch table.
    Csv,
    /// `.geojson`, `.json`: patches (RFC 7946, longitude/latitude), and the obstacle pieces beside.
    GeoJson,
    /// `.xlsx`: the workbook.
    Xlsx,
    /// `.shp`: patches, and the obstacle pieces beside.
    Shp,
    /// `.gpkg`: patches and obstacle pieces as two layers.
    Gpkg,
    /// `.svg`: the map.
    Svg,
    /// `.png`: the map, rasterised.
    Png,
    /// `.html`, `.htm`: the self-contained report.
    Html,
    /// `.parquet`: the per-patch table as GeoParquet 1.1 (WKB outlines, CRS as PROJJSON).
    Parquet,
}

impl Format {
    /// The format of `path`, by its extension (any case).
    pub fn of(path: &Path) -> Result<Format, Error> {
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
            "parquet" => Ok(Format::Parquet),
            _ => Err(Error::Unsupported(format!(
                "{}: unknown output format '.{ext}': use .csv, .xlsx, .geojson, .shp, .gpkg, .parquet, .svg, .png or .html",
                path.display()
            ))),
        }
    }

    /// Does this format carry the obstacle pieces (so the overlay must keep them)?
    pub fn has_pieces(self) -> bool {
        matches!(
            self,
            Format::GeoJson | Format::Shp | Format::Gpkg | Format::Svg | Format::Png | Format::Html
        )
    }
}

/// Whether any of `outputs` draws the obstacle pieces (they cost memory, so the overlay keeps
/// them only then).
pub fn keeps_pieces(outputs: &[PathBuf]) -> bool {
    outputs
        .iter()
        .any(|o| Format::of(o).is_ok_and(Format::has_pieces))
}

/// Every file writing `out` creates: for a shapefile its sidecars, and the obstacle layer beside
/// the patches for the GIS formats that have one.
fn files_of(out: &Path) -> Result<Vec<PathBuf>, Error> {
    let format = Format::of(out)?;
    let mut v = vec![out.to_path_buf()];
    if format == Format::Shp {
        // What the writer makes, in its letter case: the patches and the pieces beside them.
        v = write::shp::files(out);
        v.extend(write::shp::files(&write::pieces::pieces_path(out)));
    } else if format == Format::GeoJson {
        v.push(write::pieces::pieces_path(out));
    }
    Ok(v)
}

/// Checks the outputs of `project` before any work is done: known formats, no input overwritten
/// (sidecars included), and no existing file replaced unless the project allows it.
pub fn check_outputs(project: &Project) -> Result<(), Error> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut inputs: Vec<PathBuf> = Vec::new();
    for (_, p) in project.inputs() {
        inputs.push(canon(p));
        // A shapefile input (named by any of its files) is all of its files, in any letter case.
        let is_shp = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(tuban_io::shp::is_shapefile_extension);
        if is_shp {
            let shp = p.with_extension("shp");
            inputs.push(canon(&shp));
            for ext in tuban_io::shp::COMPANIONS {
                let companion = tuban_io::shp::find_companion(&shp, ext)
                    .unwrap_or_else(|| shp.with_extension(ext));
                inputs.push(canon(&companion));
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
        let is_table = |t: &Option<PathBuf>| t.as_deref() == Some(out);
        let files = if is_table(&project.villages) || is_table(&project.codes) {
            if Format::of(out)? != Format::Csv {
                return Err(write::WriteError::Refused(format!(
                    "{}: the village and code tables are written as CSV: name the file .csv",
                    out.display()
                ))
                .into());
            }
            vec![out.to_path_buf()]
        } else {
            files_of(out)?
        };
        for f in files {
            if inputs.contains(&canon(&f)) {
                return Err(clash(&f).into());
            }
            if f.exists() && !project.overwrite {
                return Err(Error::OutputExists(f));
            }
        }
    }
    Ok(())
}

/// How the outputs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Language of the workbook, the map and the HTML report.
    pub lang: Lang,
    /// Text encoding of shapefile outputs.
    pub shp_encoding: ShpEncoding,
}

/// What writing did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Every file written, in the order of the outputs (the files written beside one after it).
    pub files: Vec<PathBuf>,
    /// Information about the outputs (e.g. how long column names were shortened for a DBF).
    pub notes: Vec<String>,
    /// Things the user should know (values cut to fit a DBF field, a map drawn without a CJK
    /// font).
    pub warnings: Vec<String>,
}

/// Writes `report` to every file of `outputs` (format by extension) and the village table to
/// `villages`. `describe` gives the run's description for the workbook and the HTML report; it is
/// asked for only when one of them is written (it hashes the inputs).
pub fn write_outputs(
    report: &Report,
    outputs: &[PathBuf],
    villages: Option<&Path>,
    options: &WriteOptions,
    describe: &dyn Fn() -> Result<RunInfo, Error>,
    progress: &dyn Progress,
) -> Result<Written, Error> {
    let mut done = Written::default();
    progress.start(
        Stage::Write,
        Some((outputs.len() + villages.is_some() as usize) as u64),
    );
    let source_crs = report.crs;
    for out in outputs {
        // Files written beside `out` (the obstacle layers), listed after it.
        let mut extra = Vec::new();
        match Format::of(out)? {
            Format::Csv => write::csv::write(report, out)?,
            Format::GeoJson => {
                let opts = write::geojson::GeoJsonOptions {
                    source_crs,
                    ..Default::default()
                };
                write::geojson::write(report, &opts, out)?;
                let pieces = write::pieces::pieces_path(out);
                write::geojson::write_pieces(report, &opts, &pieces)?;
                extra.push(pieces);
            }
            Format::Shp => {
                let opts = write::shp::ShpOptions {
                    encoding: options.shp_encoding,
                };
                let patches = write::shp::write(report, &opts, out)?;
                let pieces = write::pieces::pieces_path(out);
                let pieces_done = write::shp::write_pieces(report, &opts, &pieces)?;
                extra.push(pieces);
                done.notes.extend(patches.field_map_note());
                done.warnings.extend(patches.warnings);
                done.warnings.extend(pieces_done.warnings);
            }
            Format::Gpkg => write::gpkg::write(report, out)?,
            Format::Parquet => write::parquet::write(report, out)?,
            Format::Svg => {
                let opts = write::svg::MapOptions {
                    lang: options.lang,
                    ..Default::default()
                };
                write::svg::write(report, &opts, out)?
            }
            Format::Png => {
                let opts = write::svg::MapOptions {
                    lang: options.lang,
                    ..Default::default()
                };
                done.warnings.extend(write::png::write(report, &opts, out)?)
            }
            Format::Html => write::html::write(report, &describe()?, options.lang, out)?,
            Format::Xlsx => write::xlsx::write(report, &describe()?, options.lang, out)?,
        }
        done.files.push(out.clone());
        done.files.append(&mut extra);
        progress.advance(1);
    }
    if let Some(path) = villages {
        write::csv::write_villages(report, path)?;
        done.files.push(path.to_path_buf());
        progress.advance(1);
    }
    progress.finish();
    Ok(done)
}

/// Writes the land-use layer's code table to `path` as CSV (see
/// [`tuban_io::write::csv::write_code_table`] for the columns), whole or not at all.
pub fn write_codes(table: &tuban_core::codes::CodeTable, path: &Path) -> Result<(), Error> {
    write::csv::write_codes(table, path)?;
    Ok(())
}

/// What the run found out about its inputs, for its description.
#[derive(Debug, Clone, Copy)]
pub struct RunNotes<'a> {
    /// How each layer's CRS was settled.
    pub crs: &'a [(String, String)],
    /// How each layer was understood besides its CRS.
    pub layers: &'a [(String, String)],
    /// The land-use layer code by code.
    pub landuse: Option<&'a tuban_core::codes::CodeTable>,
    /// The warnings so far.
    pub warnings: &'a [String],
}

/// What the workbook's run sheet and the HTML report say of the run: inputs with sizes and
/// SHA-256, CRS, method, rules, thresholds, version, start time and time taken so far.
pub fn describe_run(
    project: &Project,
    report: &Report,
    notes: &RunNotes<'_>,
    rules: &Rules,
    start: Instant,
) -> Result<RunInfo, Error> {
    let mut inputs = Vec::new();
    for (role, path) in project.inputs() {
        let files = InputFile::describe(role, path).map_err(|source| {
            Error::Write(write::WriteError::Io {
                path: path.display().to_string(),
                source,
            })
        })?;
        inputs.extend(files);
    }
    let mut thresholds = Vec::new();
    if let Some(d) = &project.dem {
        thresholds.push((
            "steep slope, degrees".into(),
            format!("> {}", d.threshold_deg),
        ));
    }
    if let Some(g) = &project.graves {
        thresholds.push(("grave disc radius, m".into(), g.shape.radius_m.to_string()));
        thresholds.push((
            "segments per quarter circle".into(),
            g.shape.quad_segs.to_string(),
        ));
    }
    if let Some(r) = &project.roads {
        thresholds.push((
            "road minimum width, m".into(),
            r.shape.min_width_m.to_string(),
        ));
        if let Some(w) = r.shape.default_width_m {
            thresholds.push(("road default width, m".into(), w.to_string()));
        }
    }
    Ok(RunInfo {
        inputs,
        crs: report.crs.map(|c| c.to_string()).unwrap_or_default(),
        crs_notes: notes.crs.to_vec(),
        layer_notes: notes.layers.to_vec(),
        landuse: notes.landuse.cloned(),
        area_method: report.method_note.clone(),
        rules: rules
            .rules()
            .iter()
            .map(tuban_core::codes::describe_rule)
            .collect(),
        thresholds,
        tuban_version: env!("CARGO_PKG_VERSION").into(),
        started: write::run_info::timestamp_utc(std::time::SystemTime::now() - start.elapsed()),
        seconds: start.elapsed().as_secs_f64(),
        warnings: notes.warnings.to_vec(),
    })
}
