//! # tuban
//!
//! A tuban **project file** names the layers, the rules and the outputs of a run; [`run`] carries
//! it out: read → classify → index → overlay → account → write. Both `tuban run PROJECT.toml` and
//! the one-off `tuban overlay --patches … --landuse …` build a [`Project`] and call [`run`], so the
//! two can never drift apart.
//!
//! ```toml
//! # Paths are relative to this file's folder.
//! area_method = "ellipsoidal"     # the survey's method (default), or "planar"
//! assume_crs = "EPSG:4544"        # optional: the CRS of layers without a .prj
//! threads = 0                     # 0: one per core
//! outputs = ["out/patches.csv", "out/patches.xlsx", "out/patches.shp", "out/patches.gpkg", "out/patches.geojson"]
//! lang = "zh"                     # workbook headers: zh (default) or en
//! shp_encoding = "GBK"            # shapefile text: GBK (default) or UTF-8
//! overwrite = true                # replace existing outputs (default: refuse)
//! rules = "rules.toml"            # optional; the built-in rules apply otherwise
//! villages = "out/villages.csv"   # optional: per-village totals
//!
//! [patches]
//! path = "patches.shp"
//! id_field = "TBBH"               # optional: TBBH, BSM or XH, whichever exists
//! village_field = "QSDWMC"        # optional: QSDWMC or ZLDWMC
//! encoding = "GBK"                # optional: overrides .cpg and the DBF language driver
//!
//! [landuse]
//! path = "dltb.shp"               # or path = "县级数据库.gdb" with layer = "DLTB": a feature class
//!
//! [graves]                        # points become discs; polygons are used as they are
//! path = "graves.shp"
//! radius_m = 2.0                  # or area_field = "MJ"
//! count_field = "SL"              # graves per point (default 1)
//!
//! [dem]                           # steep slope from a GeoTIFF DEM (Horn's method, as gdaldem)
//! path = "dem.tif"
//! threshold_deg = 25.0            # cells steeper than this are obstacles (default 25)
//!
//! [roads]                         # centre lines become corridors of their width
//! path = "roads.shp"
//! width_field = "KD"              # the default
//! min_width_m = 1.0               # narrower paths count as cropland
//! ```
#![warn(missing_docs)]

mod external;
mod pipeline;

pub use pipeline::{run, run_with, NoProgress, Outcome, Progress, Stage, Timings};
pub use tuban_core::steep::SteepStats;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use tuban_core::area::AreaMethod;

/// A run could not be carried out. Every variant is about the user's input or environment; the
/// CLI maps them all to exit code 1.
#[derive(Debug, Error)]
pub enum ProjectError {
    /// The project file is unreadable or malformed.
    #[error("{path}: {message}")]
    Config {
        /// The project file.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A layer could not be read.
    #[error(transparent)]
    Read(#[from] tuban_io::error::ReadError),
    /// The DEM could not be read or used.
    #[error(transparent)]
    Dem(#[from] tuban_io::geotiff::DemError),
    /// Slope could not be computed.
    #[error("{path}: {source}")]
    Steep {
        /// The DEM.
        path: String,
        /// Why.
        source: tuban_core::steep::SteepError,
    },
    /// A layer could not be turned into patches or obstacles.
    #[error(transparent)]
    Build(#[from] tuban_core::build::BuildError),
    /// The rules file is malformed.
    #[error("{path}: {source}")]
    Rules {
        /// The rules file.
        path: String,
        /// What is wrong.
        source: tuban_core::rules::RulesError,
    },
    /// An output could not be written.
    #[error(transparent)]
    Write(#[from] tuban_io::write::WriteError),
    /// A layer's coordinate system is missing, refused or contradicts its coordinates.
    #[error(transparent)]
    Crs(#[from] tuban_core::reproject::LayerCrsError),
    /// A CRS named in the project or on the command line is not understood.
    #[error("{given}: {source}")]
    BadCrs {
        /// What the user wrote, and where.
        given: String,
        /// Why it is refused.
        source: tuban_core::crs::CrsError,
    },
    /// A geometry is invalid and the policy says to stop (or it cannot be repaired).
    #[error("{layer}: record {record}: {message}")]
    Invalid {
        /// The layer's file.
        layer: String,
        /// Record number, from 1.
        record: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// The run asks for something this build cannot do.
    #[error("{0}")]
    Unsupported(String),
}

/// One input layer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// The file.
    pub path: PathBuf,
    /// Which layer of a file holding several (a File Geodatabase feature class, a GeoPackage
    /// table), by name; not needed when the file holds one.
    #[serde(default)]
    pub layer: Option<String>,
    /// Text encoding of the attributes, overriding what the file says (e.g. `GBK`).
    #[serde(default)]
    pub encoding: Option<String>,
    /// The layer's CRS (e.g. `EPSG:4544`), overriding its `.prj`.
    #[serde(default)]
    pub crs: Option<String>,
}

/// A point or line obstacle layer (graves, roads), with how its features become areas.
/// Every key but `path` is optional; see [`tuban_core::build::ShapeParams`] for the defaults.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ObstacleLayerSpec {
    /// The file.
    pub path: PathBuf,
    /// Which layer of a file holding several (a File Geodatabase feature class, a GeoPackage
    /// table), by name; not needed when the file holds one.
    #[serde(default)]
    pub layer: Option<String>,
    /// Text encoding override.
    #[serde(default)]
    pub encoding: Option<String>,
    /// The layer's CRS, overriding its `.prj`.
    #[serde(default)]
    pub crs: Option<String>,
    /// Points: disc radius in metres (default 2).
    #[serde(default)]
    pub radius_m: Option<f64>,
    /// Points: field with each disc's area in m² (instead of `radius_m`).
    #[serde(default)]
    pub area_field: Option<String>,
    /// Points: field with the number of graves at the point (default 1 each).
    #[serde(default)]
    pub count_field: Option<String>,
    /// Lines: field with the width in metres (default `KD`).
    #[serde(default)]
    pub width_field: Option<String>,
    /// Lines: width where the field is empty or absent.
    #[serde(default)]
    pub default_width_m: Option<f64>,
    /// Lines narrower than this are not obstacles (default 1.0 m).
    #[serde(default)]
    pub min_width_m: Option<f64>,
    /// Segments per quarter circle (default 8, as GEOS and PostGIS).
    #[serde(default)]
    pub quad_segs: Option<u32>,
}

impl ObstacleLayerSpec {
    /// A layer at `path` with every parameter at its default.
    pub fn at(path: PathBuf) -> Self {
        ObstacleLayerSpec {
            path,
            ..Default::default()
        }
    }

    /// The shape parameters, defaults filled in.
    pub fn shape_params(&self) -> tuban_core::build::ShapeParams {
        let d = tuban_core::build::ShapeParams::default();
        tuban_core::build::ShapeParams {
            radius_m: self.radius_m.unwrap_or(d.radius_m),
            area_field: self.area_field.clone(),
            count_field: self.count_field.clone(),
            width_field: self.width_field.clone(),
            default_width_m: self.default_width_m,
            min_width_m: self.min_width_m.unwrap_or(d.min_width_m),
            quad_segs: self.quad_segs.unwrap_or(d.quad_segs),
        }
    }
}

/// A DEM (GeoTIFF) for steep slope.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DemSpec {
    /// The GeoTIFF.
    pub path: PathBuf,
    /// The DEM's CRS, overriding its GeoKeys (e.g. `EPSG:4544`).
    #[serde(default)]
    pub crs: Option<String>,
    /// Cells steeper than this many degrees (strictly) are obstacles of class `steep`. Default
    /// 25 (slope grade 5, above which cropland cannot stay basic farmland).
    #[serde(default)]
    pub threshold_deg: Option<f64>,
}

/// The patch layer, with how to identify each patch.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatchSpec {
    /// The file.
    pub path: PathBuf,
    /// Which layer of a file holding several (a File Geodatabase feature class, a GeoPackage
    /// table), by name; not needed when the file holds one.
    #[serde(default)]
    pub layer: Option<String>,
    /// Text encoding override.
    #[serde(default)]
    pub encoding: Option<String>,
    /// The layer's CRS, overriding its `.prj`.
    #[serde(default)]
    pub crs: Option<String>,
    /// Field holding the patch id (default: TBBH, BSM or XH, whichever exists; else the record
    /// number).
    #[serde(default)]
    pub id_field: Option<String>,
    /// Field holding the village (default: QSDWMC, else ZLDWMC).
    #[serde(default)]
    pub village_field: Option<String>,
}

/// A whole run.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The rectification patches.
    pub patches: PatchSpec,
    /// The land-use layer (DLTB).
    #[serde(default)]
    pub landuse: Option<LayerSpec>,
    /// Grave points (or grave-cluster polygons).
    #[serde(default)]
    pub graves: Option<ObstacleLayerSpec>,
    /// Road centre lines with a width (or road polygons).
    #[serde(default)]
    pub roads: Option<ObstacleLayerSpec>,
    /// A DEM (GeoTIFF) for slope.
    #[serde(default)]
    pub dem: Option<DemSpec>,
    /// A rules file (TOML); the built-in rules otherwise.
    #[serde(default)]
    pub rules: Option<PathBuf>,
    /// How areas are measured (default: ellipsoidal, as the survey reports them).
    #[serde(default = "ellipsoidal")]
    pub area_method: AreaMethod,
    /// The CRS of every layer whose file states none (no `.prj`), e.g. `EPSG:4544`.
    #[serde(default)]
    pub assume_crs: Option<String>,
    /// Worker threads; 0 means one per core.
    #[serde(default)]
    pub threads: usize,
    /// Files to write; the format follows the extension (`.csv`, `.geojson`/`.json`).
    #[serde(default)]
    pub outputs: Vec<PathBuf>,
    /// Where to write the per-village totals (CSV), if anywhere.
    #[serde(default)]
    pub villages: Option<PathBuf>,
    /// Replace outputs that already exist.
    #[serde(default)]
    pub overwrite: bool,
    /// What to do with an invalid patch or obstacle geometry: `repair` (default), `skip` or
    /// `error` (see tuban_core::validity).
    #[serde(default)]
    pub invalid: Option<String>,
    /// Language of the workbook's headers: `zh` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
    /// Text encoding of shapefile outputs: `GBK` (default, what ArcGIS in China expects) or
    /// `UTF-8`.
    #[serde(default)]
    pub shp_encoding: Option<String>,
}

fn ellipsoidal() -> AreaMethod {
    AreaMethod::Ellipsoidal
}

impl Project {
    /// Reads a project file; relative paths in it are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<Self, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::Config {
            path: path.display().to_string(),
            message: format!("cannot read the project file: {e}"),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::from_toml_str(&text, base).map_err(|message| ProjectError::Config {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses project TOML, resolving relative paths against `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut p: Project = toml::from_str(text).map_err(|e| e.to_string())?;
        p.resolve(base);
        Ok(p)
    }

    /// Makes every relative path absolute against `base` (a no-op for absolute paths).
    pub fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.patches.path);
        for l in [&mut self.landuse].into_iter().flatten() {
            fix(&mut l.path);
        }
        if let Some(d) = &mut self.dem {
            fix(&mut d.path);
        }
        for l in [&mut self.graves, &mut self.roads].into_iter().flatten() {
            fix(&mut l.path);
        }
        if let Some(v) = &mut self.villages {
            fix(v);
        }
        if let Some(r) = &mut self.rules {
            fix(r);
        }
        self.outputs.iter_mut().for_each(fix);
    }

    /// The policy for invalid geometry (`invalid`), checked.
    pub fn invalid(&self) -> Result<tuban_core::validity::InvalidPolicy, ProjectError> {
        match &self.invalid {
            None => Ok(tuban_core::validity::InvalidPolicy::Repair),
            Some(t) => t
                .parse()
                .map_err(|e| ProjectError::Unsupported(format!("invalid: {e}"))),
        }
    }

    /// The workbook language (`lang`), checked.
    pub fn lang(&self) -> Result<tuban_io::write::Lang, ProjectError> {
        match &self.lang {
            None => Ok(Default::default()),
            Some(t) => t.parse().map_err(ProjectError::Unsupported),
        }
    }

    /// The shapefile output encoding (`shp_encoding`), checked.
    pub fn shp_encoding(&self) -> Result<tuban_io::write::shp::ShpEncoding, ProjectError> {
        match &self.shp_encoding {
            None => Ok(Default::default()),
            Some(t) => t.parse().map_err(
                |e: <tuban_io::write::shp::ShpEncoding as std::str::FromStr>::Err| {
                    ProjectError::Unsupported(format!("shp_encoding: {e}"))
                },
            ),
        }
    }

    /// Every output file of the run: the `outputs` and the village table.
    pub fn all_outputs(&self) -> Vec<&Path> {
        let mut v: Vec<&Path> = self.outputs.iter().map(|p| p.as_path()).collect();
        if let Some(p) = &self.villages {
            v.push(p);
        }
        v
    }

    /// Every input file of the run (the patches, the layers and the rules).
    pub fn inputs(&self) -> Vec<&Path> {
        let mut v = vec![self.patches.path.as_path()];
        for l in [&self.landuse].into_iter().flatten() {
            v.push(&l.path);
        }
        if let Some(d) = &self.dem {
            v.push(&d.path);
        }
        for l in [&self.graves, &self.roads].into_iter().flatten() {
            v.push(&l.path);
        }
        if let Some(r) = &self.rules {
            v.push(r);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_resolved_from_the_project_folder() {
        let p = Project::from_toml_str(
            "outputs = [\"out/a.csv\", \"/tmp/b.geojson\"]\n[patches]\npath = \"patches.shp\"\n[landuse]\npath = \"dltb.shp\"\n",
            Path::new("/data/erping"),
        )
        .unwrap();
        assert_eq!(p.patches.path, Path::new("/data/erping/patches.shp"));
        assert_eq!(p.landuse.unwrap().path, Path::new("/data/erping/dltb.shp"));
        assert_eq!(
            p.outputs,
            vec![
                PathBuf::from("/data/erping/out/a.csv"),
                PathBuf::from("/tmp/b.geojson")
            ]
        );
        assert_eq!(p.area_method, AreaMethod::Ellipsoidal);
    }

    #[test]
    fn a_layer_key_names_a_feature_class() {
        let p = Project::from_toml_str(
            "[patches]\npath = \"county.gdb\"\nlayer = \"ZGTB\"\n[landuse]\npath = \"county.gdb\"\nlayer = \"DLTB\"\n[graves]\npath = \"g.shp\"\n",
            Path::new("/data"),
        )
        .unwrap();
        assert_eq!(p.patches.path, Path::new("/data/county.gdb"));
        assert_eq!(p.patches.layer.as_deref(), Some("ZGTB"));
        assert_eq!(p.landuse.unwrap().layer.as_deref(), Some("DLTB"));
        assert_eq!(p.graves.unwrap().layer, None);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = Project::from_toml_str(
            "[patches]\npath = \"p.shp\"\nid_feild = \"TBBH\"\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("id_feild"), "{e}");
    }
}
