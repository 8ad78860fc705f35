//! What a run is asked to do: the [`Project`], from a project file or built in code.
//!
//! A project names the layers (as files, or as layers already in memory), the rules, the options
//! and the outputs. Every option that is left out takes its default from
//! [`tuban_core::defaults`], the one place the command line, the project file and the library
//! share. Options that are closed sets are enums, checked once when the project is read or built.
//!
//! ```toml
//! # Paths are relative to this file's folder.
//! area_method = "ellipsoidal"     # the survey's method (default), or "planar"
//! assume_crs = "EPSG:4544"        # optional: the CRS of layers without a .prj
//! threads = 0                     # 0: one per core
//! outputs = ["out/patches.csv", "out/patches.xlsx", "out/patches.shp", "out/patches.gpkg"]
//! lang = "zh"                     # text of the workbook, map and report: zh (default) or en
//! shp_encoding = "GBK"            # shapefile text: GBK (default), GB18030 or UTF-8
//! invalid = "repair"              # invalid geometry: repair (default), skip or error
//! overwrite = true                # replace existing outputs (default: refuse)
//! accept_no_overlap = ["graves"]  # layers that may come near no patch (default: none may)
//! landuse_standard = "third"      # the land-use codes' survey: third (三调) or second (二调);
//!                                 # default: recognised from the codes
//! rules = "rules.toml"            # optional; the built-in rules apply otherwise
//! villages = "out/villages.csv"   # optional: per-village totals
//! codes = "out/codes.csv"         # optional: the land-use codes inside the patches
//!
//! [patches]
//! path = "patches.shp"            # or a GeoPackage / File Geodatabase with layer = "..."
//! id_field = "TBBH"               # optional: TBBH, BSM or XH, whichever exists
//! village_field = "QSDWMC"        # optional: QSDWMC, ZLDWMC, XZCMC, CUNMC, CMC, CUN, 村名, 村
//! village_short = false           # true: 二坪镇中山村民委员会 shown as 中山村
//! encoding = "GBK"                # optional: overrides .cpg and the DBF language driver
//!
//! [landuse]
//! path = "dltb.shp"
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
//!
//! The same project in code (paths and in-memory layers mix freely):
//!
//! ```
//! use tuban::{LayerSpec, ObstacleLayerSpec, Project};
//! use tuban::core::area::AreaMethod;
//!
//! let mut project = Project::new("fixtures/erping/patches.shp");
//! project.landuse = Some(LayerSpec::file("fixtures/erping/dltb.shp"));
//! project.graves = Some(ObstacleLayerSpec::from(LayerSpec::file("fixtures/erping/graves.shp")));
//! assert_eq!(project.area_method, AreaMethod::Ellipsoidal); // the survey's, as the CLI
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer};
use tuban_core::area::AreaMethod;
use tuban_core::build::ShapeParams;
use tuban_core::layer::Layer;
use tuban_core::rules::Rules;
use tuban_core::survey::Standard;
use tuban_core::validity::InvalidPolicy;
use tuban_io::write::shp::ShpEncoding;
use tuban_io::write::Lang;

use crate::Error;

/// Where a layer comes from.
#[derive(Clone)]
pub enum Source {
    /// A file: a shapefile (`.shp` with its companions), GeoJSON, or one layer of a file that
    /// holds several (`layer` names it).
    File {
        /// The file (for a shapefile, the `.shp`).
        path: PathBuf,
        /// The layer inside a file that holds several; `None` for a file that holds one.
        layer: Option<String>,
    },
    /// A layer already in memory, e.g. converted from a GeoDataFrame or an Arrow table by an
    /// embedder. Its CRS is the spec's `crs`, else the layer's own `crs_text`.
    Memory(Arc<Layer>),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File { path, layer: None } => write!(f, "File({})", path.display()),
            Source::File {
                path,
                layer: Some(l),
            } => write!(f, "File({}:{l})", path.display()),
            Source::Memory(layer) => write!(
                f,
                "Memory({}, {} features)",
                layer.name,
                layer.features.len()
            ),
        }
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Source::File { path, layer },
                Source::File {
                    path: p2,
                    layer: l2,
                },
            ) => path == p2 && layer == l2,
            (Source::Memory(a), Source::Memory(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Source {
    /// The file, if the layer comes from one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File { path, .. } => Some(path),
            Source::Memory(_) => None,
        }
    }

    /// How messages name this layer: the path (with `:layer`), or the in-memory layer's name.
    pub fn label(&self) -> String {
        match self {
            Source::File { path, layer: None } => path.display().to_string(),
            Source::File {
                path,
                layer: Some(l),
            } => format!("{}:{l}", path.display()),
            Source::Memory(layer) => layer.label(),
        }
    }
}

/// One input layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    /// Where it comes from.
    pub source: Source,
    /// Text encoding of the attributes, overriding what the file says (e.g. `GBK`).
    pub encoding: Option<String>,
    /// The layer's CRS (e.g. `EPSG:4544`), overriding its `.prj` or what the layer states.
    pub crs: Option<String>,
}

impl LayerSpec {
    /// A layer read from `path`. The command line's `FILE:LAYER` form is understood (see
    /// [`tuban_io::read::split_layer`]).
    pub fn file(path: impl AsRef<Path>) -> Self {
        let (path, layer) = match path.as_ref().to_str() {
            Some(text) => tuban_io::read::split_layer(text),
            None => (path.as_ref().to_path_buf(), None),
        };
        LayerSpec {
            source: Source::File { path, layer },
            encoding: None,
            crs: None,
        }
    }

    /// A layer already in memory.
    pub fn memory(layer: Layer) -> Self {
        LayerSpec {
            source: Source::Memory(Arc::new(layer)),
            encoding: None,
            crs: None,
        }
    }
}

impl<P: AsRef<Path>> From<P> for LayerSpec {
    fn from(path: P) -> Self {
        LayerSpec::file(path)
    }
}

/// The patch layer, with how to identify each patch.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchSpec {
    /// The layer.
    pub layer: LayerSpec,
    /// Field holding the patch id (default: TBBH, BSM or XH, whichever exists; else the record
    /// number).
    pub id_field: Option<String>,
    /// Field holding the village (default: the first of
    /// [`tuban_core::build::PatchFields::VILLAGE_CANDIDATES`] the layer has).
    pub village_field: Option<String>,
    /// Show each village by its short name: `二坪镇中山村民委员会` as `中山村`
    /// ([`tuban_core::build::short_village_name`]). Off by default: the names are the layer's.
    pub village_short: bool,
}

impl From<LayerSpec> for PatchSpec {
    fn from(layer: LayerSpec) -> Self {
        PatchSpec {
            layer,
            id_field: None,
            village_field: None,
            village_short: false,
        }
    }
}

/// A point or line obstacle layer (graves, roads), with how its features become areas.
#[derive(Debug, Clone, PartialEq)]
pub struct ObstacleLayerSpec {
    /// The layer.
    pub layer: LayerSpec,
    /// Disc radius, area and count fields for points; width fields and limits for lines. The
    /// project file writes these keys beside `path` (`radius_m = 2.0`); defaults in
    /// [`tuban_core::defaults`].
    pub shape: ShapeParams,
}

impl From<LayerSpec> for ObstacleLayerSpec {
    fn from(layer: LayerSpec) -> Self {
        ObstacleLayerSpec {
            layer,
            shape: ShapeParams::default(),
        }
    }
}

/// A DEM (GeoTIFF) for steep slope.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemSpec {
    /// The GeoTIFF.
    pub path: PathBuf,
    /// The DEM's CRS, overriding its GeoKeys (e.g. `EPSG:4544`).
    #[serde(default)]
    pub crs: Option<String>,
    /// Cells steeper than this many degrees (strictly) are obstacles of class `steep` (default
    /// [`tuban_core::defaults::STEEP_THRESHOLD_DEG`]).
    #[serde(default = "steep_threshold")]
    pub threshold_deg: f64,
}

fn steep_threshold() -> f64 {
    tuban_core::defaults::STEEP_THRESHOLD_DEG
}

impl DemSpec {
    /// The DEM at `path`, with the default threshold.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        DemSpec {
            path: path.into(),
            crs: None,
            threshold_deg: steep_threshold(),
        }
    }
}

/// Which rules classify the obstacle layers' features.
#[derive(Debug, Clone, PartialEq)]
pub enum RulesSpec {
    /// A rules file (TOML), read when the run starts.
    File(PathBuf),
    /// Rules built in code.
    Given(Rules),
}

/// A whole run: layers, rules, options, outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The rectification patches.
    pub patches: PatchSpec,
    /// The land-use layer (DLTB).
    pub landuse: Option<LayerSpec>,
    /// Grave points (or grave-cluster polygons).
    pub graves: Option<ObstacleLayerSpec>,
    /// Road centre lines with a width (or road polygons).
    pub roads: Option<ObstacleLayerSpec>,
    /// A DEM (GeoTIFF) for slope.
    pub dem: Option<DemSpec>,
    /// The rules; the built-in rules when `None`.
    pub rules: Option<RulesSpec>,
    /// How areas are measured (default: ellipsoidal, as the survey reports them).
    pub area_method: AreaMethod,
    /// The CRS of every layer that states none (no `.prj`), e.g. `EPSG:4544`.
    pub assume_crs: Option<String>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Files to write; the format follows the extension.
    pub outputs: Vec<PathBuf>,
    /// Where to write the per-village totals (CSV), if anywhere.
    pub villages: Option<PathBuf>,
    /// Where to write the land-use layer's code table (CSV: every code inside the patches, its
    /// area and the class the rules gave it), if anywhere. Needs a land-use layer.
    pub codes: Option<PathBuf>,
    /// Replace outputs that already exist.
    pub overwrite: bool,
    /// What to do with an invalid patch or obstacle geometry (default: repair).
    pub invalid: InvalidPolicy,
    /// Language of the workbook's headers, the map and the HTML report (default: Chinese).
    pub lang: Lang,
    /// Text encoding of shapefile outputs (default: GBK).
    pub shp_encoding: ShpEncoding,
    /// Layers allowed to come near no patch (`landuse`, `graves`, `roads`, `dem`): by default
    /// such a layer stops the run, since it most often means a wrong CRS (see
    /// [`crate::stage::coverage`]).
    pub accept_no_overlap: Vec<String>,
    /// Which land survey's codes the land-use layer follows (`third`: 三调, four digits;
    /// `second`: 二调, three digits), choosing the built-in rules; `None` (the default):
    /// recognised from the codes (see [`tuban_core::survey`]).
    pub landuse_standard: Option<tuban_core::survey::Standard>,
}

/// The layers [`Project::accept_no_overlap`] may name.
pub const CHECKED_LAYERS: [&str; 4] = ["landuse", "graves", "roads", "dem"];

impl Project {
    /// A project over the patches at `patches` (a path or a [`LayerSpec`]) with every option at
    /// its default and no outputs: add layers and outputs by setting the fields.
    pub fn new(patches: impl Into<LayerSpec>) -> Self {
        Project {
            patches: PatchSpec::from(patches.into()),
            landuse: None,
            graves: None,
            roads: None,
            dem: None,
            rules: None,
            area_method: tuban_core::defaults::AREA_METHOD,
            assume_crs: None,
            threads: 0,
            outputs: Vec::new(),
            villages: None,
            codes: None,
            overwrite: false,
            invalid: tuban_core::defaults::INVALID_POLICY,
            lang: Lang::default(),
            shp_encoding: ShpEncoding::default(),
            accept_no_overlap: Vec::new(),
            landuse_standard: None,
        }
    }

    /// Checks what the types cannot: the layer names in `accept_no_overlap`.
    pub fn check(&self) -> Result<(), String> {
        for name in &self.accept_no_overlap {
            if !CHECKED_LAYERS.contains(&name.as_str()) {
                return Err(format!(
                    "accept_no_overlap: unknown layer '{name}': use {}",
                    CHECKED_LAYERS.join(", ")
                ));
            }
        }
        if let Some(c) = &self.codes {
            if self.landuse.is_none() {
                return Err(format!(
                    "codes: the code table ({}) is measured from the land-use layer, and the project has none: add a landuse layer or leave codes out",
                    c.display()
                ));
            }
        }
        Ok(())
    }

    /// Reads a project file; relative paths in it are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: format!("cannot read the project file: {e}"),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::from_toml_str(&text, base).map_err(|message| Error::Config {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses project TOML, resolving relative paths against `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: ProjectFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut p = file.into_project();
        p.check()?;
        p.resolve(base);
        Ok(p)
    }

    /// Makes every relative path absolute against `base` (a no-op for absolute paths and for
    /// layers in memory).
    pub fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        let mut layers: Vec<&mut LayerSpec> = vec![&mut self.patches.layer];
        layers.extend(self.landuse.as_mut());
        layers.extend(
            [&mut self.graves, &mut self.roads]
                .into_iter()
                .flatten()
                .map(|o| &mut o.layer),
        );
        for l in layers {
            if let Source::File { path, .. } = &mut l.source {
                fix(path);
            }
        }
        if let Some(d) = &mut self.dem {
            fix(&mut d.path);
        }
        if let Some(v) = &mut self.villages {
            fix(v);
        }
        if let Some(c) = &mut self.codes {
            fix(c);
        }
        if let Some(RulesSpec::File(r)) = &mut self.rules {
            fix(r);
        }
        self.outputs.iter_mut().for_each(fix);
    }

    /// Every output file of the run: the `outputs`, the village table and the code table.
    pub fn all_outputs(&self) -> Vec<&Path> {
        let mut v: Vec<&Path> = self.outputs.iter().map(|p| p.as_path()).collect();
        if let Some(p) = &self.villages {
            v.push(p);
        }
        if let Some(p) = &self.codes {
            v.push(p);
        }
        v
    }

    /// Every input file of the run (the layers read from files, the DEM and the rules file), by
    /// role: `patches`, `landuse`, `graves`, `roads`, `dem`, `rules`.
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        let mut v: Vec<(&'static str, &Path)> = Vec::new();
        let layers = [
            ("patches", Some(&self.patches.layer)),
            ("landuse", self.landuse.as_ref()),
            ("graves", self.graves.as_ref().map(|o| &o.layer)),
            ("roads", self.roads.as_ref().map(|o| &o.layer)),
        ];
        for (role, spec) in layers {
            if let Some(path) = spec.and_then(|s| s.source.path()) {
                v.push((role, path));
            }
        }
        if let Some(d) = &self.dem {
            v.push(("dem", &d.path));
        }
        if let Some(RulesSpec::File(r)) = &self.rules {
            v.push(("rules", r));
        }
        v
    }
}

// ---------------------------------------------------------------------------------------------
// The project file as written. Kept apart from the types above so that those can hold what a file
// cannot (layers in memory, rules built in code) and the file's keys stay the contract.

/// A closed set read through its `FromStr` (so the project file accepts exactly what the command
/// line does, with the same message listing the allowed values).
fn from_str<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    Option::<String>::deserialize(d)?
        .map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    patches: PatchFile,
    #[serde(default)]
    landuse: Option<LayerFile>,
    #[serde(default)]
    graves: Option<ObstacleFile>,
    #[serde(default)]
    roads: Option<ObstacleFile>,
    #[serde(default)]
    dem: Option<DemSpec>,
    #[serde(default)]
    rules: Option<PathBuf>,
    #[serde(default, deserialize_with = "from_str")]
    area_method: Option<AreaMethod>,
    #[serde(default)]
    assume_crs: Option<String>,
    #[serde(default)]
    threads: usize,
    #[serde(default)]
    outputs: Vec<PathBuf>,
    #[serde(default)]
    villages: Option<PathBuf>,
    #[serde(default)]
    codes: Option<PathBuf>,
    #[serde(default)]
    overwrite: bool,
    #[serde(default, deserialize_with = "from_str")]
    invalid: Option<InvalidPolicy>,
    #[serde(default, deserialize_with = "from_str")]
    lang: Option<Lang>,
    #[serde(default, deserialize_with = "from_str")]
    shp_encoding: Option<ShpEncoding>,
    #[serde(default)]
    accept_no_overlap: Vec<String>,
    #[serde(default, deserialize_with = "from_str")]
    landuse_standard: Option<Standard>,
}

impl ProjectFile {
    fn into_project(self) -> Project {
        let mut p = Project::new(self.patches.layer.into_spec());
        p.patches.id_field = self.patches.id_field;
        p.patches.village_field = self.patches.village_field;
        p.patches.village_short = self.patches.village_short;
        p.landuse = self.landuse.map(LayerFile::into_spec);
        p.graves = self.graves.map(ObstacleFile::into_spec);
        p.roads = self.roads.map(ObstacleFile::into_spec);
        p.dem = self.dem;
        p.rules = self.rules.map(RulesSpec::File);
        p.area_method = self.area_method.unwrap_or(p.area_method);
        p.assume_crs = self.assume_crs;
        p.threads = self.threads;
        p.outputs = self.outputs;
        p.villages = self.villages;
        p.codes = self.codes;
        p.overwrite = self.overwrite;
        p.invalid = self.invalid.unwrap_or(p.invalid);
        p.lang = self.lang.unwrap_or(p.lang);
        p.shp_encoding = self.shp_encoding.unwrap_or(p.shp_encoding);
        p.accept_no_overlap = self.accept_no_overlap;
        p.landuse_standard = self.landuse_standard;
        p
    }
}

/// The keys every layer table has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    path: PathBuf,
    #[serde(default)]
    layer: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    crs: Option<String>,
}

impl LayerFile {
    const KEYS: [&'static str; 4] = ["path", "layer", "encoding", "crs"];

    fn into_spec(self) -> LayerSpec {
        LayerSpec {
            source: Source::File {
                path: self.path,
                layer: self.layer,
            },
            encoding: self.encoding,
            crs: self.crs,
        }
    }

    /// Takes the layer keys out of `table`, leaving the others (a patch's fields, an obstacle's
    /// shape parameters) for their own struct.
    fn take(table: &mut toml::Table) -> Result<Self, String> {
        let mut mine = toml::Table::new();
        for key in Self::KEYS {
            if let Some(v) = table.remove(key) {
                mine.insert(key.into(), v);
            }
        }
        mine.try_into().map_err(|e: toml::de::Error| e.to_string())
    }
}

/// `[patches]`: the layer keys, and the identity fields.
#[derive(Deserialize)]
#[serde(try_from = "toml::Table")]
struct PatchFile {
    layer: LayerFile,
    id_field: Option<String>,
    village_field: Option<String>,
    village_short: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchFields {
    #[serde(default)]
    id_field: Option<String>,
    #[serde(default)]
    village_field: Option<String>,
    #[serde(default)]
    village_short: bool,
}

impl TryFrom<toml::Table> for PatchFile {
    type Error = String;
    fn try_from(mut t: toml::Table) -> Result<Self, String> {
        let layer = LayerFile::take(&mut t)?;
        let fields: PatchFields = t
            .try_into()
            .map_err(|e: toml::de::Error| with_layer_keys(e.to_string()))?;
        Ok(PatchFile {
            layer,
            id_field: fields.id_field,
            village_field: fields.village_field,
            village_short: fields.village_short,
        })
    }
}

/// `[graves]`, `[roads]`: the layer keys, and [`ShapeParams`]' keys beside them.
#[derive(Deserialize)]
#[serde(try_from = "toml::Table")]
struct ObstacleFile {
    layer: LayerFile,
    shape: ShapeParams,
}

impl TryFrom<toml::Table> for ObstacleFile {
    type Error = String;
    fn try_from(mut t: toml::Table) -> Result<Self, String> {
        let layer = LayerFile::take(&mut t)?;
        let shape: ShapeParams = t
            .try_into()
            .map_err(|e: toml::de::Error| with_layer_keys(e.to_string()))?;
        Ok(ObstacleFile { layer, shape })
    }
}

impl ObstacleFile {
    fn into_spec(self) -> ObstacleLayerSpec {
        ObstacleLayerSpec {
            layer: self.layer.into_spec(),
            shape: self.shape,
        }
    }
}

/// An unknown-key message from the second half of a split table lists only that half's keys:
/// add the layer keys it also accepts.
fn with_layer_keys(message: String) -> String {
    let message = message.trim_end().to_string();
    if message.contains("expected") {
        format!("{message}, or one of the layer keys `path`, `layer`, `encoding`, `crs`")
    } else {
        message
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
        assert_eq!(
            p.patches.layer.source.path(),
            Some(Path::new("/data/erping/patches.shp"))
        );
        assert_eq!(
            p.landuse.unwrap().source.path(),
            Some(Path::new("/data/erping/dltb.shp"))
        );
        assert_eq!(
            p.outputs,
            vec![
                PathBuf::from("/data/erping/out/a.csv"),
                PathBuf::from("/tmp/b.geojson")
            ]
        );
        assert_eq!(p.area_method, AreaMethod::Ellipsoidal);
        assert_eq!(p.invalid, InvalidPolicy::Repair);
    }

    #[test]
    fn unknown_keys_are_errors_that_list_every_accepted_key() {
        let e = Project::from_toml_str(
            "[patches]\npath = \"p.shp\"\nid_feild = \"TBBH\"\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("id_feild"), "{e}");
        assert!(e.contains("village_field") && e.contains("`path`"), "{e}");
        let e = Project::from_toml_str(
            "[patches]\npath = \"p.shp\"\n[graves]\npath = \"g.shp\"\nradius = 3\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("radius") && e.contains("radius_m"), "{e}");
    }

    #[test]
    fn obstacle_keys_beside_the_path_are_the_shape_parameters() {
        let p = Project::from_toml_str(
            "[patches]\npath = \"p.gpkg\"\nlayer = \"tb\"\n[roads]\npath = \"r.shp\"\nwidth_field = \"LKD\"\nmin_width_m = 1.5\n",
            Path::new("/d"),
        )
        .unwrap();
        assert_eq!(
            p.patches.layer.source,
            Source::File {
                path: "/d/p.gpkg".into(),
                layer: Some("tb".into())
            }
        );
        let roads = p.roads.unwrap();
        assert_eq!(roads.shape.width_field.as_deref(), Some("LKD"));
        assert_eq!(roads.shape.min_width_m, 1.5);
        // Left out: the defaults.
        assert_eq!(roads.shape.radius_m, tuban_core::defaults::GRAVE_RADIUS_M);
        assert_eq!(roads.shape.quad_segs, tuban_core::defaults::QUAD_SEGS);
    }

    #[test]
    fn closed_sets_are_checked_when_the_file_is_read() {
        for (key, bad, allowed) in [
            ("invalid", "bogus", "repair"),
            ("lang", "xx", "zh"),
            ("area_method", "flat", "ellipsoidal"),
            ("shp_encoding", "klingon", "UTF-8"),
        ] {
            let e = Project::from_toml_str(
                &format!("{key} = \"{bad}\"\n[patches]\npath = \"p.shp\"\n"),
                Path::new("."),
            )
            .unwrap_err();
            let lower = e.to_lowercase();
            assert!(
                lower.contains(bad) && lower.contains(&allowed.to_lowercase()),
                "{key}: {e}"
            );
        }
        let p = Project::from_toml_str(
            "invalid = \"SKIP\"\nlang = \"en\"\narea_method = \"planar\"\nshp_encoding = \"utf8\"\n[patches]\npath = \"p.shp\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(p.invalid, InvalidPolicy::Skip);
        assert_eq!(p.lang, Lang::En);
        assert_eq!(p.area_method, AreaMethod::Planar);
        assert_eq!(p.shp_encoding, ShpEncoding::Utf8);
    }

    #[test]
    fn dem_threshold_defaults_in_one_place() {
        let p = Project::from_toml_str(
            "[patches]\npath = \"p.shp\"\n[dem]\npath = \"d.tif\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(
            p.dem.unwrap().threshold_deg,
            tuban_core::defaults::STEEP_THRESHOLD_DEG
        );
    }
}
