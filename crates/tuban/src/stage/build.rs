//! Stage 3, **build**: patches from the patch layer and obstacles from the obstacle layers
//! (rules, grave discs, road corridors), every geometry checked and settled by the run's policy
//! for invalid geometry.
//!
//! An invalid patch is repaired (and said so), skipped, or stops the run, as the policy says; one
//! that cannot be measured is marked failed and the others go on. An obstacle that cannot be used
//! stops the run whatever the policy but `skip`: leaving it out would silently shrink every patch
//! it touches, so `skip` says how many were left out.

use rayon::prelude::*;
use tuban_core::build::{
    obstacles_from_owned_layer, patches_from_layer, short_village_name, PatchFields,
};
use tuban_core::geo;
use tuban_core::layer::FieldKind;
use tuban_core::overlay::{Obstacle, Patch};
use tuban_core::report::PatchStatus;
use tuban_core::rules::Rules;
use tuban_core::validity::{
    check_patch, overlapping_pairs, settle_obstacle, InvalidPolicy, Outcome, Settled,
};

use crate::project::PatchSpec;
use crate::stage::crs::Placed;
use crate::stage::read::{schema, with_every_field};
use crate::{Error, Fix};

/// How many individual warnings of one kind are listed before the rest are counted.
const LISTED: usize = 20;

/// The patches, ready for the overlay.
#[derive(Debug, Clone)]
pub struct Patches {
    /// One per record, in record order; a skipped or failed patch has an empty geometry.
    pub patches: Vec<Patch>,
    /// What happened to each patch's geometry.
    pub status: Vec<PatchStatus>,
    /// Which fields gave the id and the village.
    pub fields: PatchFields,
    /// How the id and the village were found (`id: field TBBH (...)`), for the run's description.
    pub notes: Vec<String>,
    /// Things the user should know (no village field, overlapping patches).
    pub warnings: Vec<String>,
    /// Options that would improve the run (a village field to name).
    pub fixes: Vec<Fix>,
}

/// Builds the patches of `placed` as `spec` says (the id and village fields, each guessed from
/// the layer's field names when not given; short village names) and settles invalid geometry by
/// `policy`.
pub fn patches(placed: &Placed, spec: &PatchSpec, policy: InvalidPolicy) -> Result<Patches, Error> {
    let layer = &placed.read.layer;
    let label = layer.label();
    let identity = identity(placed, spec);
    let fields = identity.fields.clone();
    let mut patches = patches_from_layer(layer, &fields)
        .map_err(|e| with_every_field(e, placed.read.role, &placed.read.spec))?;
    if spec.village_short {
        for p in &mut patches {
            p.village = short_village_name(&p.village);
        }
    }
    let mut status = vec![PatchStatus::Measured; patches.len()];
    // Checked in parallel, settled in order (the first invalid patch is the one reported).
    let checked: Vec<Outcome> = patches
        .par_iter()
        .map(|p| check_patch(&p.geometry, policy))
        .collect();
    for ((p, checked), status) in patches.iter_mut().zip(checked).zip(&mut status) {
        match checked {
            Outcome::Valid(_) => {}
            Outcome::Repaired { geometry, what } => {
                p.geometry = geometry;
                *status = PatchStatus::Repaired(what);
            }
            Outcome::Skipped(why) => {
                p.geometry = geo::MultiPolygon(vec![]);
                *status = PatchStatus::Skipped(why);
            }
            Outcome::Invalid(why) if policy == InvalidPolicy::Error => {
                return Err(Error::Invalid {
                    layer: label,
                    record: p.record,
                    message: format!(
                        "{why} (the invalid-geometry policy is `error`; `repair` or `skip` lets the run go on)"
                    ),
                })
            }
            Outcome::Invalid(why) => {
                p.geometry = geo::MultiPolygon(vec![]);
                *status = PatchStatus::Failed(why);
            }
        }
    }
    // Overlapping patches are each measured right, but a total counts the overlap twice.
    let overlaps = overlapping_pairs(
        &patches.iter().map(|p| &p.geometry).collect::<Vec<_>>(),
        0.0,
    );
    let mut warnings = identity.warnings;
    warnings.extend(overlaps
        .iter()
        .take(LISTED)
        .map(|o| {
            format!(
                "{label}: patches {} and {} overlap by {:.2} m2: each is measured right, but totals count the overlap twice",
                patches[o.a].id, patches[o.b].id, o.area
            )
        }));
    if overlaps.len() > LISTED {
        warnings.push(format!(
            "... and {} more overlapping pairs of patches",
            overlaps.len() - LISTED
        ));
    }
    Ok(Patches {
        patches,
        status,
        fields,
        notes: identity.notes,
        warnings,
        fixes: identity.fixes,
    })
}

/// How a patch layer's id and village are found, and what to say about it.
struct Identity {
    fields: PatchFields,
    notes: Vec<String>,
    warnings: Vec<String>,
    fixes: Vec<Fix>,
}

fn identity(placed: &Placed, spec: &PatchSpec) -> Identity {
    let layer = &placed.read.layer;
    let guess = PatchFields::guess(layer);
    let mut out = Identity {
        fields: PatchFields {
            id: spec.id_field.clone().or(guess.id.clone()),
            village: spec.village_field.clone().or(guess.village.clone()),
        },
        notes: Vec::new(),
        warnings: Vec::new(),
        fixes: Vec::new(),
    };
    let ids = PatchFields::ID_CANDIDATES.join(", ");
    out.notes.push(match (&spec.id_field, &guess.id) {
        (Some(f), _) => format!("id: field {f} (given)"),
        (None, Some(f)) => format!("id: field {f} (the first of {ids} the layer has)"),
        (None, None) => format!("id: the record number (the layer has none of {ids})"),
    });
    let villages = PatchFields::VILLAGE_CANDIDATES.join(", ");
    match (&spec.village_field, &guess.village) {
        (Some(f), _) => out.notes.push(format!("village: field {f} (given)")),
        (None, Some(f)) => out.notes.push(format!(
            "village: field {f} (the first of {villages} the layer has)"
        )),
        (None, None) => {
            let text_fields: Vec<String> = schema(placed.read.role, &placed.read.spec)
                .unwrap_or_default()
                .into_iter()
                .filter(|f| f.kind == FieldKind::Text)
                .map(|f| f.name)
                .collect();
            let text_fields = if text_fields.is_empty() {
                "it has no text field".to_string()
            } else {
                format!("its text fields are {}", text_fields.join(", "))
            };
            out.warnings.push(format!(
                "{}: no village field (none of {villages}): every patch's village is empty and the village table has a single row; {text_fields}: name the one that holds the village (village_field)",
                layer.label()
            ));
            out.fixes.push(Fix::VillageField);
        }
    }
    if let Some(i) = out
        .fields
        .village
        .as_deref()
        .and_then(|f| layer.field_index(f))
    {
        let full = layer
            .features
            .iter()
            .filter_map(|f| f.values.get(i))
            .map(|v| v.to_string())
            .find(|v| short_village_name(v) != *v);
        match (full, spec.village_short) {
            (Some(name), true) => out.notes.push(format!(
                "village: short names (village_short), e.g. {name} → {}",
                short_village_name(&name)
            )),
            (Some(name), false) => out.notes.push(format!(
                "village: the field holds full unit names such as {name}; village_short would show {}",
                short_village_name(&name)
            )),
            (None, _) => {}
        }
    }
    out
}

/// The obstacles, ready for the index.
#[derive(Debug, Clone, Default)]
pub struct Obstacles {
    /// Every obstacle of every layer, in layer order then record order.
    pub obstacles: Vec<Obstacle>,
    /// Obstacle features whose geometry was repaired.
    pub repaired: usize,
    /// Obstacle features left out by the policy `skip`.
    pub skipped: usize,
    /// Things the user should know (the first repairs, what was left out).
    pub warnings: Vec<String>,
}

/// Builds the obstacles of every placed obstacle layer by `rules`, and settles invalid geometry
/// by `policy`. The layers are consumed: polygons move into their obstacles.
pub fn obstacles(
    layers: Vec<(Placed, tuban_core::build::ShapeParams)>,
    rules: &Rules,
    policy: InvalidPolicy,
) -> Result<Obstacles, Error> {
    let mut out = Obstacles::default();
    for (placed, params) in layers {
        let label = placed.read.layer.label();
        let built = layer_obstacles(placed, &params, rules)?;
        settle_obstacles(built, &label, policy, &mut out)?;
    }
    Ok(out)
}

/// The obstacles of one placed layer by `rules` (points as discs, lines as corridors, as
/// `params` say), not yet checked for validity. The layer is consumed.
pub fn layer_obstacles(
    placed: Placed,
    params: &tuban_core::build::ShapeParams,
    rules: &Rules,
) -> Result<Vec<Obstacle>, Error> {
    let read = placed.read;
    let (role, spec) = (read.role, read.spec);
    obstacles_from_owned_layer(role.as_str(), read.layer, rules, params)
        .map_err(|e| with_every_field(e, role, &spec).into())
}

/// Checks (and repairs in place) the geometry of `built`, the obstacles of the layer `label`,
/// by `policy`, and adds them to `out` with what was done. Checked in parallel, settled in order.
pub fn settle_obstacles(
    built: Vec<Obstacle>,
    label: &str,
    policy: InvalidPolicy,
    out: &mut Obstacles,
) -> Result<(), Error> {
    let mut built = built;
    let settled: Vec<Settled> = built
        .par_iter_mut()
        .map(|o| {
            // Grave discs are tuban's own regular polygons around finite points: valid by
            // construction (tuban_core::build), so not checked again.
            if o.tally.is_some() {
                Settled::Valid
            } else {
                settle_obstacle(&mut o.geometry, policy)
            }
        })
        .collect();
    out.obstacles.reserve(built.len());
    let (repaired_before, skipped_before) = (out.repaired, out.skipped);
    for (o, settled) in built.into_iter().zip(settled) {
        let record = o.source.as_ref().map_or(0, |s| s.record);
        match settled {
            Settled::Valid => {}
            Settled::Repaired(what) => {
                out.repaired += 1;
                if out.repaired - repaired_before <= LISTED {
                    out.warnings
                        .push(format!("{label}: record {record}: {what}"));
                }
            }
            Settled::Skipped(_) => {
                out.skipped += 1;
                continue;
            }
            Settled::Invalid(why) => {
                return Err(Error::Invalid {
                    layer: label.to_string(),
                    record,
                    message: format!(
                        "{why} (fix the feature, or choose the invalid-geometry policy `skip` to leave such obstacles out)"
                    ),
                })
            }
        }
        out.obstacles.push(o);
    }
    let repaired = out.repaired - repaired_before;
    if repaired > LISTED {
        out.warnings.push(format!(
            "{label}: ... and {} more features repaired",
            repaired - LISTED
        ));
    }
    let skipped = out.skipped - skipped_before;
    if skipped > 0 {
        out.warnings.push(format!(
            "{label}: {skipped} feature(s) with invalid geometry were left out (invalid-geometry policy `skip`): the patches they touch may be under-counted"
        ));
    }
    Ok(())
}
