//! # tuban-ledger: the farmland ledger (耕地一本账)
//!
//! A township is judged each year on five "one-vote veto" indicators (cropland retention,
//! permanent basic farmland, the in/out balance, the occupation-compensation balance, illegal
//! occupation) plus the non-grain risk. Each is an overlay of survey layers and some arithmetic,
//! in mu to two decimals; townships compute them by hand, and their documents carry slips (Erping's
//! plan states a 62.35 mu gap that is 61.90, and 31.76% for 32/101 = 31.68%). This crate computes
//! the ledger from the layers, township and per village, and audits a document's figures.
//!
//! It builds on `tuban` rather than copying its pipeline: the same readers and CRS rules
//! ([`layers`]), the same exact overlay and survey area rule ([`measure`]), the same per-patch
//! verdicts for the compensation plots (through [`tuban::run`]), and the same largest-remainder
//! rounding for village rows.
//!
//! ```text
//! LedgerProject ── layers::read (CRS settled into the DLTB's) ── measure::{current, flows}
//!      │            restoration tasks (fields), compensation plots (tuban::run)
//!      ▼
//! Sums (m², per village) ── indicators::derive ──► Ledger ── audit::audit(stated) ──► AuditRow
//!                                                     └── write (CSV, workbook, page), show (table, JSON)
//! ```
//!
//! ```no_run
//! let project = tuban_ledger::LedgerProject::from_file("fixtures/erping/ledger.toml".as_ref())?;
//! let ledger = tuban_ledger::run(&project)?;
//! println!("{:.2} mu of cropland", ledger.indicators["cropland_mu"]);
//! for row in ledger.audit.iter().filter(|r| !r.ok) {
//!     println!("{} stated {} is wrong: {}", row.figure, row.stated, row.formula);
//! }
//! # Ok::<(), tuban_ledger::Error>(())
//! ```
#![warn(missing_docs)]

pub mod audit;
pub mod html;
pub mod indicators;
pub mod layers;
pub mod measure;
pub mod project;
pub mod show;
pub mod write;

use std::collections::BTreeMap;

use tuban::core::area::AreaMeasure;
use tuban::core::geo::{BoundingRect, MapCoords, MultiPolygon};
use tuban::core::layer::Value;
use tuban::core::units::{mu, M2_PER_MU};

pub use audit::AuditRow;
pub use measure::Matrix;
pub use project::{LedgerProject, RestorationSpec, Stated, Targets};

/// Why a ledger could not be made. Every message names the file (and record) and the fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The ledger file is unreadable or malformed.
    #[error("{path}: {message}")]
    Config {
        /// The ledger file.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A layer lacks what the ledger needs, or holds a bad value.
    #[error("{layer}{}: {message}", .record.map(|r| format!(": record {r}")).unwrap_or_default())]
    Layer {
        /// The layer's file.
        layer: String,
        /// The record, from 1, if one is at fault.
        record: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },
    /// Anything a `tuban run` stage refuses (reading, CRS, the compensation run, writing).
    #[error(transparent)]
    Tuban(#[from] tuban::Error),
}

/// One compensation plot as `tuban run` judged it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotVerdict {
    /// The plot's id.
    pub id: String,
    /// Its village.
    pub village: String,
    /// Its area, m².
    pub area_m2: f64,
    /// What can be rectified, m² (the clean area unless the verdict is not rectifiable).
    pub rectifiable_m2: f64,
    /// `rectifiable`, `partly`, `not_rectifiable`, or `failed`.
    pub verdict: String,
    /// The obstacles found, in Chinese, largest first.
    pub reasons: String,
    /// The plot's outline (in the compensation run's working CRS).
    pub geometry: MultiPolygon<f64>,
}

/// One enforcement case: the cropland, and the cropland inside the PBF, it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    /// Record number in the cases layer, from 1.
    pub record: usize,
    /// Its village.
    pub village: String,
    /// Cropland inside, m² after the ridge deduction.
    pub cropland_m2: f64,
    /// Cropland inside and in the PBF polygons, m² after the deduction.
    pub pbf_m2: f64,
}

/// The ledger: indicators (mu, % or a count, unrounded), village rows, the transition matrix, the
/// compensation plots' verdicts and the audit of the stated figures.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// Township indicators by key (see [`indicators::KEYS`]); only those the layers allow.
    pub indicators: BTreeMap<String, f64>,
    /// Per village: indicator key → value.
    pub villages: BTreeMap<String, BTreeMap<String, f64>>,
    /// Before code × after code, m² (with `dltb_before`).
    pub matrix: Option<Matrix>,
    /// The compensation plots (with `[compensation]`).
    pub plots: Vec<PlotVerdict>,
    /// The enforcement cases (with `violations`).
    pub cases: Vec<CaseDetail>,
    /// Every stated figure, checked.
    pub audit: Vec<AuditRow>,
    /// How each layer was read: `(layer, how its CRS was settled)`.
    pub notes: Vec<(String, String)>,
    /// Things to know that did not stop the ledger.
    pub warnings: Vec<String>,
    /// How areas were measured.
    pub method_note: String,
    /// Compensation plots `tuban run` could not measure.
    pub failed_plots: usize,
    /// What the page's map draws.
    pub shapes: measure::Shapes,
    /// The working CRS (the current DLTB's).
    pub crs: tuban::core::crs::Crs,
}

impl Ledger {
    /// Whether the audit flagged any stated figure.
    pub fn flagged(&self) -> bool {
        self.audit.iter().any(|r| !r.ok)
    }
}

/// Makes the ledger of `project` (writing nothing; see [`write::write_outputs`]).
pub fn run(project: &LedgerProject) -> Result<Ledger, Error> {
    let assume = project.assume_crs.as_deref();
    let vf = project.village_field.as_deref();
    let short = project.village_short;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();

    let (dltb, working) = layers::read("dltb", &project.dltb, assume, None)?;
    notes.push(("dltb".to_string(), dltb.how.clone()));
    let read = |role: &str, spec: &tuban::LayerSpec, notes: &mut Vec<(String, String)>| {
        layers::read(role, spec, assume, Some(working)).map(|(r, _)| {
            notes.push((role.to_string(), r.how.clone()));
            r.layer
        })
    };
    let method = project.area_method;
    let make = || -> Result<Box<dyn AreaMeasure>, Error> {
        Ok(tuban::stage::overlay::measure(working, method)?)
    };
    let method_note = make()?.describe();
    let current = layers::land_pieces(&dltb.layer, vf, short, &mut warnings)?;
    let dltb_label = dltb.layer.label();
    let geoms = |l: &tuban::core::layer::Layer,
                 w: &mut Vec<String>|
     -> Result<Vec<MultiPolygon<f64>>, Error> {
        Ok(layers::plots(l, &[], None, false, w)?
            .into_iter()
            .map(|p| p.geometry)
            .collect())
    };
    let pbf = geoms(&read("pbf", &project.pbf, &mut notes)?, &mut warnings)?;
    let protection = geoms(
        &read("protection", &project.protection, &mut notes)?,
        &mut warnings,
    )?;
    let mut sums = measure::Sums::default();
    let mut shapes = measure::Shapes::default();

    let mut case_plots = Vec::new();
    let cases = match &project.violations {
        None => None,
        Some(spec) => {
            let layer = read("violations", spec, &mut notes)?;
            let plots = layers::plots(&layer, &[], vf, short, &mut warnings)?;
            sums.touch("violation_cases");
            for p in &plots {
                sums.add(&p.village, "violation_cases", 1.0);
            }
            let g = plots.iter().map(|p| p.geometry.clone()).collect::<Vec<_>>();
            case_plots = plots;
            Some(g)
        }
    };
    let case_areas = measure::current(
        &dltb_label,
        &current,
        &measure::Zones {
            protection: &protection,
            pbf: &pbf,
            cases: cases.as_deref(),
        },
        &make,
        &mut sums,
        &mut shapes,
    )?;

    let cases: Vec<CaseDetail> = case_plots
        .iter()
        .zip(case_areas)
        .map(|(p, a)| CaseDetail {
            record: p.record,
            village: p.village.clone(),
            cropland_m2: a.cropland_m2,
            pbf_m2: a.pbf_m2,
        })
        .collect();

    let matrix = match &project.dltb_before {
        None => None,
        Some(spec) => {
            let layer = read("dltb_before", spec, &mut notes)?;
            let before = layers::land_pieces(&layer, vf, short, &mut warnings)?;
            Some(measure::flows(
                &layer.label(),
                &dltb_label,
                &before,
                &current,
                &make,
                &mut sums,
                &mut shapes,
            )?)
        }
    };

    if let Some(r) = &project.restoration {
        let layer = read("restoration", &r.layer, &mut notes)?;
        restoration(r, &layer, (vf, short), &make, &mut sums, &mut warnings)?;
    }

    let mut plots = Vec::new();
    let mut failed_plots = 0;
    if let Some(c) = &project.compensation {
        let outcome = tuban::run(c)?;
        let report = &outcome.report;
        notes.extend(
            outcome
                .crs_notes
                .iter()
                .map(|(role, how)| (format!("compensation {role}"), how.clone())),
        );
        warnings.extend(
            outcome
                .warnings
                .iter()
                .map(|w| format!("compensation: {w}")),
        );
        sums.touch("compensation_task_mu");
        sums.touch("compensation_rectifiable_mu");
        for (name, t) in &report.villages.villages {
            sums.add(name, "compensation_task_mu", t.area_m2);
            sums.add(name, "compensation_rectifiable_mu", t.rectifiable_m2);
        }
        failed_plots = report.villages.total.failed;
        for (i, (p, r)) in report.patches.iter().zip(&report.results).enumerate() {
            let j = report.judgements[i].as_ref();
            let verdict = j.map(|j| j.verdict.as_str()).unwrap_or("failed");
            let rectifiable = match j {
                Some(j) if j.verdict != tuban::core::verdict::Verdict::NotRectifiable => {
                    r.clean_m2()
                }
                _ => 0.0,
            };
            plots.push(PlotVerdict {
                id: p.id.clone(),
                village: p.village.clone(),
                area_m2: r.area_m2,
                rectifiable_m2: rectifiable,
                verdict: verdict.to_string(),
                reasons: report.reasons_text(i, true),
                geometry: if outcome.working_crs == working {
                    p.geometry.clone()
                } else {
                    MultiPolygon(Vec::new())
                },
            });
        }
    }

    let convert = |m: &BTreeMap<String, f64>| -> BTreeMap<String, f64> {
        m.iter()
            .map(|(k, v)| {
                let v = if k.ends_with("_mu") { mu(*v) } else { *v };
                (k.clone(), v)
            })
            .collect()
    };
    let mut indicators = convert(&sums.township);
    let t = &project.targets;
    for (key, v) in [
        ("cropland_target_mu", t.cropland_mu),
        ("pbf_target_mu", t.pbf_mu),
    ] {
        if let Some(v) = v {
            indicators.insert(key.to_string(), v);
        }
    }
    indicators::derive(&mut indicators);
    for (what, target, key) in [
        ("restoration", t.restoration_mu, "restoration_task_mu"),
        ("compensation", t.compensation_mu, "compensation_task_mu"),
    ] {
        if let (Some(target), Some(&v)) = (target, indicators.get(key)) {
            if (target - v).abs() >= 0.005 {
                warnings.push(format!(
                    "the {what} layer's tasks add up to {v:.2} mu, not the target's {target:.2} mu: a task is missing from the layer or the target has changed"
                ));
            }
        }
    }
    let villages = sums
        .villages
        .iter()
        .map(|(name, m)| {
            let mut v = convert(m);
            indicators::derive(&mut v);
            (name.clone(), v)
        })
        .collect();
    let mut ledger = Ledger {
        indicators,
        villages,
        matrix,
        plots,
        cases,
        audit: Vec::new(),
        notes,
        warnings,
        method_note,
        failed_plots,
        shapes,
        crs: working,
    };
    ledger.audit = audit::audit(&ledger, &project.stated, &project.targets);
    // A stated figure nothing can check is not a slip, but it is not confirmed either: say so.
    for r in &ledger.audit {
        if r.from_stated.is_none() && r.from_layers.is_none() && !r.figure.ends_with("_target_mu") {
            ledger.warnings.push(format!(
                "stated {} = {} cannot be checked: no layer of the ledger file measures it and its formula's inputs are not stated",
                r.figure, r.stated
            ));
        }
    }
    for village in project.stated.villages.keys() {
        if !ledger.villages.contains_key(village) {
            let known: Vec<&str> = ledger.villages.keys().map(String::as_str).collect();
            ledger.warnings.push(format!(
                "stated figures for {village}, a village no layer names (the layers name {}): check the spelling, or village_short",
                known.join(", ")
            ));
        }
    }
    Ok(ledger)
}

/// The restoration tasks: `restoration_task_mu` and `restoration_accepted_mu`.
fn restoration(
    spec: &RestorationSpec,
    layer: &tuban::core::layer::Layer,
    (vf, short): (Option<&str>, bool),
    make: &dyn Fn() -> Result<Box<dyn AreaMeasure>, Error>,
    sums: &mut measure::Sums,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let mut fields = Vec::new();
    if let Some(f) = &spec.task_field {
        fields.push((f.as_str(), "task_field: each task's area in mu"));
    }
    if let Some(f) = &spec.status_field {
        fields.push((f.as_str(), "status_field: each task's status"));
    }
    let plots = layers::plots(layer, &fields, vf, short, warnings)?;
    let measure = make()?;
    sums.touch("restoration_task_mu");
    sums.touch("restoration_accepted_mu");
    for p in &plots {
        let task_m2 = match &spec.task_field {
            Some(name) => match p.values[0].as_f64() {
                Some(v) if v.is_finite() && v >= 0.0 => v * M2_PER_MU,
                _ => {
                    return Err(Error::Layer {
                        layer: layer.label(),
                        record: Some(p.record),
                        message: format!(
                            "{name} = {:?} is not a task area in mu: fill it in, or leave task_field out to use the polygon's area",
                            p.values[0]
                        ),
                    })
                }
            },
            None => area(&*measure, &p.geometry),
        };
        sums.add(&p.village, "restoration_task_mu", task_m2);
        let status = spec.status_field.as_ref().map(|_| {
            let v = p.values.last().cloned().unwrap_or(Value::Null);
            v.as_text().unwrap_or_default().trim().to_string()
        });
        if status.is_some_and(|s| spec.accepted.contains(&s)) {
            sums.add(&p.village, "restoration_accepted_mu", task_m2);
        }
    }
    Ok(())
}

/// The area of `g` (in the working CRS) by `measure`, in a frame local to its box.
pub fn area(measure: &dyn AreaMeasure, g: &MultiPolygon<f64>) -> f64 {
    let origin = g.bounding_rect().map(|r| r.min()).unwrap_or_default();
    let local = g.map_coords(|c| c - origin);
    measure.area(&local, origin)
}
