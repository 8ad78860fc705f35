//! Reading the ledger's layers into one CRS, and the attributes the ledger needs from each.
//!
//! Every layer is read by tuban's readers (shapefile, GeoPackage, File Geodatabase, GeoJSON) and
//! settled by the same CRS rules as a `tuban run` ([`tuban::core::reproject::layer_crs`]): the
//! spec's `crs`, else what the file states, else the ledger's `assume_crs`. The working CRS is the
//! current DLTB's (the survey's own Gauss-Kruger zone); every other layer is moved into it.
//!
//! A land-use polygon becomes a [`LandPiece`]: its code (DLBM), its field-ridge deduction
//! coefficient (KCXS) and its village. KCXS is a fraction (0.0523); a value outside [0, 1) stops the
//! run naming the record, since a percentage read as a fraction would change every cropland figure.

use tuban::core::build::{as_areal, short_village_name, PatchFields};
use tuban::core::crs::Crs;
use tuban::core::geo::MultiPolygon;
use tuban::core::layer::Layer;
use tuban::core::reproject::{layer_crs, reproject};
use tuban::io::read::{read_layer_filtered, ReadOptions, Subset};
use tuban::{LayerSpec, Source};

use crate::Error;

/// One polygon of a land-use layer, as the ledger uses it.
#[derive(Debug, Clone)]
pub struct LandPiece {
    /// Record number in the layer, from 1.
    pub record: usize,
    /// The land-use code (DLBM), trimmed, with its K suffix.
    pub code: String,
    /// The field-ridge deduction coefficient (KCXS), 0 when absent.
    pub kcxs: f64,
    /// The village ("" when the layer has no village field).
    pub village: String,
    /// The outline, in the working CRS.
    pub geometry: MultiPolygon<f64>,
}

impl LandPiece {
    /// Whether this is cropland (耕地: 0101 水田, 0102 水浇地, 0103 旱地).
    pub fn is_cropland(&self) -> bool {
        crate::indicators::is_cropland(&self.code)
    }
}

/// A polygon of any other layer: its record, village and outline.
#[derive(Debug, Clone)]
pub struct Plot {
    /// Record number, from 1.
    pub record: usize,
    /// The village ("" when none).
    pub village: String,
    /// Attribute values the caller asked for, in the order asked.
    pub values: Vec<tuban::core::layer::Value>,
    /// The outline, in the working CRS.
    pub geometry: MultiPolygon<f64>,
}

/// A layer read and moved into the working CRS, with how its CRS was settled.
pub struct Read {
    /// The layer.
    pub layer: Layer,
    /// How its CRS was decided.
    pub how: String,
}

/// Reads `spec` (as `role`, for messages) and moves it from its CRS to `working` (`None`: keep
/// it; the caller learns its CRS from the returned value).
pub fn read(
    role: &str,
    spec: &LayerSpec,
    assume: Option<&str>,
    working: Option<Crs>,
) -> Result<(Read, Crs), Error> {
    let mut layer = match &spec.source {
        Source::File { path, layer } => {
            let opts = ReadOptions {
                encoding: spec.encoding.clone(),
                name: Some(role.to_string()),
                layer: layer.clone(),
            };
            read_layer_filtered(path, &opts, &Subset::default())
                .map_err(tuban::Error::from)?
                .0
        }
        Source::Memory(l) => (**l).clone(),
    };
    let parse = |text: Option<&str>, what: String| -> Result<Option<Crs>, Error> {
        text.map(|t| {
            Crs::from_user(t).map_err(|source| {
                Error::Tuban(tuban::Error::BadCrs {
                    given: what,
                    source,
                })
            })
        })
        .transpose()
    };
    let forced = parse(spec.crs.as_deref(), format!("the crs of the {role} layer"))?;
    let assumed = parse(assume, "assume_crs".into())?;
    let settled = layer_crs(&layer, forced, assumed).map_err(tuban::Error::from)?;
    let to = working.unwrap_or(settled.crs);
    reproject(&mut layer, settled.crs, to);
    Ok((
        Read {
            layer,
            how: settled.how,
        },
        to,
    ))
}

/// A polygon settled by the run's default policy (repair, as `tuban run` does): a repaired one is
/// counted in `repairs`, one that cannot be repaired stops the ledger naming the record.
fn settle(
    layer: &Layer,
    record: usize,
    mut g: MultiPolygon<f64>,
    repairs: &mut usize,
) -> Result<MultiPolygon<f64>, Error> {
    use tuban::core::validity::{settle_obstacle, InvalidPolicy, Settled};
    match settle_obstacle(&mut g, InvalidPolicy::Repair) {
        Settled::Valid => Ok(g),
        Settled::Repaired(_) => {
            *repairs += 1;
            Ok(g)
        }
        Settled::Skipped(why) | Settled::Invalid(why) => Err(Error::Layer {
            layer: layer.label(),
            record: Some(record),
            message: why,
        }),
    }
}

/// Adds a warning when `repairs` polygons of `layer` were repaired.
pub fn note_repairs(layer: &Layer, repairs: usize, warnings: &mut Vec<String>) {
    if repairs > 0 {
        warnings.push(format!(
            "{}: {repairs} invalid polygon(s) repaired before they were measured (self-intersections, rings wound the wrong way, ...)",
            layer.label()
        ));
    }
}

/// The village field of `layer`: the one named (an error if missing), else the first of the
/// patch candidates it has.
pub fn village_field(layer: &Layer, named: Option<&str>) -> Result<Option<usize>, Error> {
    match named {
        Some(name) => match layer.field_index(name) {
            Some(i) => Ok(Some(i)),
            // A layer without the named field (e.g. the PBF polygons) simply has no villages.
            None => Ok(None),
        },
        None => Ok(PatchFields::guess(layer)
            .village
            .and_then(|n| layer.field_index(&n))),
    }
}

fn text(layer: &Layer, f: &tuban::core::layer::Feature, i: Option<usize>, short: bool) -> String {
    let Some(i) = i else { return String::new() };
    let v = f
        .values
        .get(i)
        .and_then(|v| v.as_text())
        .unwrap_or_default();
    let v = v.trim().to_string();
    let _ = layer;
    if short {
        short_village_name(&v)
    } else {
        v
    }
}

/// The land-use polygons of a DLTB layer. `DLBM` must exist; `KCXS` may (0 when absent).
pub fn land_pieces(
    layer: &Layer,
    village: Option<&str>,
    short: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<LandPiece>, Error> {
    let mut repairs = 0;
    let label = layer.label();
    let fields: Vec<&str> = layer.fields.iter().map(|f| f.name.as_str()).collect();
    let Some(code_i) = layer.field_index("DLBM") else {
        return Err(Error::Layer {
            layer: label,
            record: None,
            message: format!(
                "no DLBM field (the land-use code); the layer has {}: give the Third Survey's DLTB layer",
                fields.join(", ")
            ),
        });
    };
    let kcxs_i = layer.field_index("KCXS");
    let village_i = village_field(layer, village)?;
    if let (Some(name), None) = (village, village_i) {
        return Err(Error::Layer {
            layer: label,
            record: None,
            message: format!(
                "no field {name} (village_field); the layer has {}: name one of them in village_field",
                fields.join(", ")
            ),
        });
    }
    let mut out = Vec::with_capacity(layer.features.len());
    for f in &layer.features {
        let Some(geometry) = f.geometry.as_ref().and_then(as_areal) else {
            continue;
        };
        let code = f
            .values
            .get(code_i)
            .and_then(|v| v.as_text())
            .unwrap_or_default()
            .trim()
            .to_string();
        let kcxs = match kcxs_i.and_then(|i| f.values.get(i)) {
            None => 0.0,
            Some(v) if v.is_null() => 0.0,
            Some(v) => match v.as_f64() {
                Some(k) if (0.0..1.0).contains(&k) => k,
                _ => {
                    return Err(Error::Layer {
                        layer: label,
                        record: Some(f.record),
                        message: format!(
                            "KCXS {v:?} is not a deduction coefficient between 0 and 1 (e.g. 0.0523); a percentage must be divided by 100 in the layer"
                        ),
                    })
                }
            },
        };
        out.push(LandPiece {
            record: f.record,
            code,
            kcxs,
            village: text(layer, f, village_i, short),
            geometry: settle(layer, f.record, geometry, &mut repairs)?,
        });
    }
    note_repairs(layer, repairs, warnings);
    Ok(out)
}

/// The polygons of a layer, with the values of `fields` (each must exist) and the village.
pub fn plots(
    layer: &Layer,
    fields: &[(&str, &str)],
    village: Option<&str>,
    short: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Plot>, Error> {
    let mut repairs = 0;
    let label = layer.label();
    let mut idx = Vec::new();
    for (name, purpose) in fields {
        match layer.field_index(name) {
            Some(i) => idx.push(i),
            None => {
                let have: Vec<&str> = layer.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(Error::Layer {
                    layer: label,
                    record: None,
                    message: format!(
                        "no field {name} ({purpose}); the layer has {}: name the right one in the ledger file",
                        have.join(", ")
                    ),
                });
            }
        }
    }
    let village_i = village_field(layer, village)?;
    let mut out = Vec::with_capacity(layer.features.len());
    for f in &layer.features {
        let Some(geometry) = f.geometry.as_ref().and_then(as_areal) else {
            continue;
        };
        out.push(Plot {
            record: f.record,
            village: text(layer, f, village_i, short),
            values: idx
                .iter()
                .map(|&i| {
                    f.values
                        .get(i)
                        .cloned()
                        .unwrap_or(tuban::core::layer::Value::Null)
                })
                .collect(),
            geometry: settle(layer, f.record, geometry, &mut repairs)?,
        });
    }
    note_repairs(layer, repairs, warnings);
    Ok(out)
}
