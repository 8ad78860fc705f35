//! Stage 2, **settle CRS**: recognise each layer's coordinate system, check it against the
//! coordinates, choose the working CRS and move every layer into it.
//!
//! A layer's CRS is, in order: its spec's `crs`, what the file states (`.prj`, GeoJSON `crs`,
//! GeoPackage SRS), the run's assumed CRS, else an error (see
//! [`tuban_core::reproject::layer_crs`]). With the `proj` feature, a CRS outside the built-in set
//! is converted by PROJ to CGCS2000 longitude/latitude first (see `external.rs`). The working CRS
//! is the patches' own when projected; for patches in longitude/latitude, the Gauss-Kruger zone of
//! their centre, or outside China the UTM zone of their centre
//! ([`tuban_core::reproject::choose_working_crs`]).

use tuban_core::reproject::{choose_working_crs, extent, layer_crs, reproject, LayerCrs, Working};

use crate::external::{self, UserCrs};
use crate::stage::read::{Inputs, ReadLayer};
use crate::Error;

/// A layer in the working CRS.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The layer as read, its coordinates now in the working CRS.
    pub read: ReadLayer,
    /// The CRS it was in, and how that was decided.
    pub crs: LayerCrs,
}

/// Every layer of the run in one CRS.
#[derive(Debug, Clone)]
pub struct Settled {
    /// The CRS the overlay works in, and why.
    pub working: Working,
    /// The patches.
    pub patches: Placed,
    /// The obstacle layers, in the order read, with their shape parameters.
    pub obstacles: Vec<(Placed, tuban_core::build::ShapeParams)>,
}

impl Settled {
    /// `(role, how its CRS was settled)` for every layer, patches first: what the run prints.
    /// When the overlay works in another CRS than the patches', a last `("overlay", why)`.
    pub fn notes(&self) -> Vec<(String, String)> {
        let mut notes: Vec<(String, String)> = std::iter::once(&self.patches)
            .chain(self.obstacles.iter().map(|(p, _)| p))
            .map(|p| (p.read.role.to_string(), p.crs.how.clone()))
            .collect();
        if self.working.crs != self.patches.crs.crs {
            let w = &self.working;
            notes.push(("overlay".into(), format!("{}: {}", w.crs, w.why)));
        }
        notes
    }
}

/// A CRS written by the user (`EPSG:4544`, `4544`, a WKT; with the `proj` feature also any CRS
/// PROJ reads), or an error naming where it came from (`context`).
pub(crate) fn user_crs<'a>(
    text: Option<&'a str>,
    context: &str,
) -> Result<Option<UserCrs<'a>>, Error> {
    text.map(|t| external::user_crs(t, context)).transpose()
}

/// Settles the CRS of every layer of `inputs` and moves them all into the working CRS.
/// `assume_crs` is the run's CRS for layers that state none.
pub fn settle(inputs: Inputs, assume_crs: Option<&str>) -> Result<Settled, Error> {
    let assumed = user_crs(assume_crs, "assume_crs")?;
    let mut patches = place(inputs.patches, assumed)?;
    let from = patches.crs.crs;
    let working = match extent(&patches.read.layer) {
        Some(e) => choose_working_crs(from, e).map_err(|source| Error::BadCrs {
            given: patches.read.spec.source.label(),
            source,
        })?,
        None => Working {
            crs: from,
            why: "the patches' own CRS (they have no coordinates)".into(),
            warning: None,
        },
    };
    reproject(&mut patches.read.layer, from, working.crs);
    let mut obstacles = Vec::with_capacity(inputs.obstacles.len());
    for (read, params) in inputs.obstacles {
        let mut placed = place(read, assumed)?;
        reproject(&mut placed.read.layer, placed.crs.crs, working.crs);
        obstacles.push((placed, params));
    }
    Ok(Settled {
        working,
        patches,
        obstacles,
    })
}

/// Settles one layer's CRS (converting it with PROJ first where the built-in set cannot).
pub(crate) fn place(mut read: ReadLayer, assumed: Option<UserCrs<'_>>) -> Result<Placed, Error> {
    let context = format!(
        "the crs of the {} layer ({})",
        read.role,
        read.spec.source.label()
    );
    let forced = user_crs(read.spec.crs.as_deref(), &context)?;
    let crs = match external::convert_if_outside(&mut read.layer, forced, assumed)? {
        Some(converted) => converted,
        None => layer_crs(
            &read.layer,
            forced.and_then(UserCrs::builtin),
            assumed.and_then(UserCrs::builtin),
        )
        .map_err(external::with_hint)?,
    };
    Ok(Placed { read, crs })
}
