//! The ledger's project file ([`LedgerProject`]): which survey layers make the ledger, the targets
//! the district set, and the figures a document states (to be audited).
//!
//! The keys are a contract (issue 14); every key left out takes the default of a `tuban run`
//! project (ellipsoidal areas, the village field guessed as for patches). Paths are relative to
//! the file's folder. `[compensation]` is itself a `tuban run` project (its `[compensation.patches]`
//! are the claimed new-cropland plots), so the plots are measured exactly as patches are.
//!
//! ```toml
//! area_method = "ellipsoidal"                # or "planar"
//! village_field = "ZLDWMC"                   # optional: QSDWMC, ZLDWMC, ... whichever exists
//! dltb = { path = "dltb.shp" }               # current land use: DLBM, KCXS, the village
//! dltb_before = { path = "dltb_2022.shp" }   # optional: flows, transition matrix, non-grain
//! pbf = { path = "yjjbnt.shp" }              # permanent basic farmland protection polygons
//! protection = { path = "bhrw.shp" }         # the cropland protection task (三区三线)
//! restoration = { path = "hfbz.shp", task_field = "RWMJ", status_field = "ZT", accepted = ["已验收"] }
//! violations = { path = "wpzf.shp" }         # optional: enforcement cases
//!
//! [compensation]                             # optional: a `tuban run` project
//! patches = { path = "zbph.shp" }
//! landuse = { path = "kcdc.shp" }
//!
//! [targets]
//! cropland_mu = 16057.05
//! pbf_mu = 15364.95
//!
//! [stated]                                   # any indicator key: the audit checks each
//! cropland_gap_mu = 62.35
//! [stated.villages."狮子村"]
//! compensation_rectifiable_mu = 180.4
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tuban::core::area::AreaMethod;
use tuban::{LayerSpec, Project, Source};

use crate::Error;

/// A ledger: the layers, the targets, the stated figures.
#[derive(Debug, Clone)]
pub struct LedgerProject {
    /// How areas are measured (default: ellipsoidal, the survey's).
    pub area_method: AreaMethod,
    /// The village field of every layer (default: guessed as for patches).
    pub village_field: Option<String>,
    /// Show `二坪镇中山村民委员会` as `中山村`.
    pub village_short: bool,
    /// The CRS of layers that state none.
    pub assume_crs: Option<String>,
    /// Current land use (DLTB).
    pub dltb: LayerSpec,
    /// Land use of the earlier vintage, for flows and non-grain.
    pub dltb_before: Option<LayerSpec>,
    /// Permanent basic farmland protection polygons (永久基本农田保护图斑).
    pub pbf: LayerSpec,
    /// The cropland protection task (耕地保护任务, drawn by 三区三线).
    pub protection: LayerSpec,
    /// Restoration tasks (恢复补足任务).
    pub restoration: Option<RestorationSpec>,
    /// Enforcement cases (卫片执法图斑).
    pub violations: Option<LayerSpec>,
    /// The claimed new-cropland plots and their obstacle layers, as a `tuban run` project.
    pub compensation: Option<Project>,
    /// Targets set by the district.
    pub targets: Targets,
    /// Figures as a document states them: township, then per village.
    pub stated: Stated,
    /// Files to write (format by extension: `.csv`, `.xlsx`, `.html`).
    pub outputs: Vec<PathBuf>,
    /// Replace outputs that exist.
    pub overwrite: bool,
    /// Language of the workbook's headers (default: Chinese).
    pub lang: tuban::io::write::Lang,
}

/// The restoration-task layer and how to read it.
#[derive(Debug, Clone)]
pub struct RestorationSpec {
    /// The layer.
    pub layer: LayerSpec,
    /// Field with each task's area in mu; `None`: the polygon's area.
    pub task_field: Option<String>,
    /// Field with each task's status.
    pub status_field: Option<String>,
    /// Status values that mean accepted (市级验收); compared after trimming.
    pub accepted: Vec<String>,
}

/// The district's targets, in mu.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Cropland retention target (耕地保有量任务).
    pub cropland_mu: Option<f64>,
    /// Permanent basic farmland task (永久基本农田保护任务).
    pub pbf_mu: Option<f64>,
    /// Restoration task (恢复补足任务).
    pub restoration_mu: Option<f64>,
    /// Occupation-compensation rectification task (占补平衡整改任务).
    pub compensation_mu: Option<f64>,
}

/// Stated figures: indicator key → value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stated {
    /// Township figures.
    pub township: BTreeMap<String, f64>,
    /// Per-village figures: village → (indicator key → value).
    pub villages: BTreeMap<String, BTreeMap<String, f64>>,
}

impl LedgerProject {
    /// Reads a ledger file; relative paths are taken from its folder.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: format!("cannot read the ledger file: {e}"),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::from_toml_str(&text, base).map_err(|message| Error::Config {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses ledger TOML, resolving relative paths against `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: LedgerFile = toml::from_str(text).map_err(|e| e.to_string())?;
        file.into_project(base)
    }
}

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
    fn spec(self, base: &Path) -> LayerSpec {
        let path = if self.path.is_relative() {
            base.join(&self.path)
        } else {
            self.path
        };
        LayerSpec {
            source: Source::File {
                path,
                layer: self.layer,
            },
            encoding: self.encoding,
            crs: self.crs,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestorationFile {
    path: PathBuf,
    #[serde(default)]
    layer: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    crs: Option<String>,
    #[serde(default)]
    task_field: Option<String>,
    #[serde(default)]
    status_field: Option<String>,
    #[serde(default)]
    accepted: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerFile {
    #[serde(default)]
    area_method: Option<String>,
    #[serde(default)]
    village_field: Option<String>,
    #[serde(default)]
    village_short: bool,
    #[serde(default)]
    assume_crs: Option<String>,
    dltb: LayerFile,
    #[serde(default)]
    dltb_before: Option<LayerFile>,
    pbf: LayerFile,
    protection: LayerFile,
    #[serde(default)]
    restoration: Option<RestorationFile>,
    #[serde(default)]
    violations: Option<LayerFile>,
    #[serde(default)]
    compensation: Option<toml::Table>,
    #[serde(default)]
    targets: Targets,
    #[serde(default)]
    stated: toml::Table,
    #[serde(default)]
    outputs: Vec<PathBuf>,
    #[serde(default)]
    overwrite: bool,
    #[serde(default)]
    lang: Option<String>,
}

impl LedgerFile {
    fn into_project(self, base: &Path) -> Result<LedgerProject, String> {
        let area_method = match &self.area_method {
            Some(m) => m.parse()?,
            None => tuban::core::defaults::AREA_METHOD,
        };
        let lang = match &self.lang {
            Some(l) => l.parse().map_err(|e| format!("lang: {e}"))?,
            None => tuban::io::write::Lang::default(),
        };
        let restoration = match self.restoration {
            None => None,
            Some(r) => {
                if !r.accepted.is_empty() && r.status_field.is_none() {
                    return Err(
                        "restoration: `accepted` lists status values but no `status_field` says where they are: add status_field = \"...\"".into(),
                    );
                }
                let layer = LayerFile {
                    path: r.path,
                    layer: r.layer,
                    encoding: r.encoding,
                    crs: r.crs,
                };
                Some(RestorationSpec {
                    layer: layer.spec(base),
                    task_field: r.task_field,
                    status_field: r.status_field,
                    accepted: r.accepted.iter().map(|s| s.trim().to_string()).collect(),
                })
            }
        };
        let compensation = match self.compensation {
            None => None,
            Some(mut table) => {
                // The plots are measured as `tuban run` measures patches, with the ledger's area
                // method unless the table sets its own; the ledger writes the outputs.
                if !table.contains_key("area_method") {
                    let m = area_method.as_str().to_string();
                    table.insert("area_method".into(), toml::Value::String(m));
                }
                if self.assume_crs.is_some() && !table.contains_key("assume_crs") {
                    let crs = self.assume_crs.clone().unwrap_or_default();
                    table.insert("assume_crs".into(), toml::Value::String(crs));
                }
                let text = toml::to_string(&table).map_err(|e| e.to_string())?;
                let mut p = Project::from_toml_str(&text, base)
                    .map_err(|e| format!("[compensation]: {e}"))?;
                p.outputs.clear();
                p.villages = None;
                p.codes = None;
                if p.patches.village_field.is_none() {
                    p.patches.village_field = self.village_field.clone();
                }
                p.patches.village_short |= self.village_short;
                Some(p)
            }
        };
        Ok(LedgerProject {
            area_method,
            village_field: self.village_field,
            village_short: self.village_short,
            assume_crs: self.assume_crs,
            dltb: self.dltb.spec(base),
            dltb_before: self.dltb_before.map(|l| l.spec(base)),
            pbf: self.pbf.spec(base),
            protection: self.protection.spec(base),
            restoration,
            violations: self.violations.map(|l| l.spec(base)),
            compensation,
            targets: self.targets,
            stated: stated(self.stated)?,
            outputs: self
                .outputs
                .into_iter()
                .map(|p| if p.is_relative() { base.join(p) } else { p })
                .collect(),
            overwrite: self.overwrite,
            lang,
        })
    }
}

/// `[stated]`: indicator keys with numbers, and `[stated.villages.NAME]` tables of the same.
fn stated(table: toml::Table) -> Result<Stated, String> {
    let number = |key: &str, v: &toml::Value| -> Result<f64, String> {
        match v {
            toml::Value::Float(f) => Ok(*f),
            toml::Value::Integer(i) => Ok(*i as f64),
            other => Err(format!(
                "stated.{key}: {other} is not a number: write the figure as the document states it, e.g. {key} = 62.35"
            )),
        }
    };
    let known = |key: &str| -> Result<(), String> {
        if crate::indicators::KEYS.contains(&key) {
            Ok(())
        } else {
            Err(format!(
                "stated.{key}: no such indicator; the indicators are {}",
                crate::indicators::KEYS.join(", ")
            ))
        }
    };
    let mut out = Stated::default();
    for (key, value) in table {
        if key == "villages" {
            let toml::Value::Table(villages) = value else {
                return Err(
                    "stated.villages must be a table of villages: [stated.villages.\"狮子村\"]"
                        .into(),
                );
            };
            for (village, figures) in villages {
                let toml::Value::Table(figures) = figures else {
                    return Err(format!(
                        "stated.villages.{village} must be a table of indicator = figure"
                    ));
                };
                let mut m = BTreeMap::new();
                for (k, v) in figures {
                    known(&k)?;
                    m.insert(k.clone(), number(&format!("villages.{village}.{k}"), &v)?);
                }
                out.villages.insert(village, m);
            }
        } else {
            known(&key)?;
            let v = number(&key, &value)?;
            out.township.insert(key, v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "dltb = { path = \"dltb.shp\" }\npbf = { path = \"pbf.shp\" }\nprotection = { path = \"bhrw.shp\" }\n";

    #[test]
    fn paths_resolve_and_defaults_apply() {
        let text = format!(
            "{MINIMAL}[targets]\ncropland_mu = 16057.05\n[stated]\ncropland_gap_mu = 62.35\n[stated.villages.\"狮子村\"]\ncompensation_rectifiable_mu = 180.4\n"
        );
        let p = LedgerProject::from_toml_str(&text, Path::new("/d")).unwrap();
        assert_eq!(p.area_method, AreaMethod::Ellipsoidal);
        assert_eq!(p.dltb.source.path(), Some(Path::new("/d/dltb.shp")));
        assert_eq!(p.targets.cropland_mu, Some(16057.05));
        assert_eq!(p.stated.township["cropland_gap_mu"], 62.35);
        assert_eq!(
            p.stated.villages["狮子村"]["compensation_rectifiable_mu"],
            180.4
        );
    }

    #[test]
    fn unknown_stated_keys_and_bad_values_name_the_fix() {
        let e = LedgerProject::from_toml_str(
            &format!("{MINIMAL}[stated]\ncropland_gab_mu = 1.0\n"),
            Path::new("."),
        )
        .unwrap_err();
        assert!(
            e.contains("cropland_gab_mu") && e.contains("cropland_gap_mu"),
            "{e}"
        );
        let e = LedgerProject::from_toml_str(
            &format!("{MINIMAL}[stated]\ncropland_gap_mu = \"62.35\"\n"),
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        let e = LedgerProject::from_toml_str(
            &format!("{MINIMAL}area_method = \"flat\"\n"),
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("flat") && e.contains("ellipsoidal"), "{e}");
    }

    #[test]
    fn compensation_is_a_tuban_project() {
        let text = format!(
            "{MINIMAL}area_method = \"planar\"\n[compensation]\npatches = {{ path = \"zbph.shp\" }}\nlanduse = {{ path = \"kc.shp\" }}\n"
        );
        let p = LedgerProject::from_toml_str(&text, Path::new("/d")).unwrap();
        let c = p.compensation.unwrap();
        assert_eq!(
            c.patches.layer.source.path(),
            Some(Path::new("/d/zbph.shp"))
        );
        assert_eq!(c.area_method, AreaMethod::Planar);
        assert!(c.outputs.is_empty());
    }
}
