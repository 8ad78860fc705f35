//! Checking, and where possible repairing, the geometry of patches and obstacles before the
//! overlay measures them.
//!
//! A polygon that breaks the OGC rules gives a plausible but wrong area: the shoelace area of a
//! bowtie whose two lobes are equal is 0, a hole drawn outside its outer ring is subtracted
//! anyway, and two overlapping parts of one record are counted twice. [`check_patch`] and
//! [`check_obstacle`] find these problems by geo's validation rules ([`geo::Validation`]: the same
//! checks, with a sweep instead of geo's quadratic test for self-intersecting rings, so a survey
//! polygon of 40000 vertices is checked in milliseconds) and settle each geometry by
//! an [`InvalidPolicy`] (the CLI's `--invalid repair|skip|error`, default `repair`) into an
//! [`Outcome`] whose text says what was wrong and what was done, for the patch's row in the
//! outputs.
//!
//! ```
//! use geo::{polygon, Area, MultiPolygon};
//! use tuban_core::validity::{check_patch, InvalidPolicy, Outcome};
//!
//! // A bowtie: the outline crosses itself at (5, 5); as drawn its shoelace area is 0.
//! let bowtie = MultiPolygon(vec![polygon![
//!     (x: 0.0, y: 0.0), (x: 0.0, y: 10.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0)]]);
//! match check_patch(&bowtie, InvalidPolicy::Repair) {
//!     Outcome::Repaired { geometry, what } => {
//!         assert_eq!(geometry.0.len(), 2); // two triangles of 25 m² each
//!         assert!((geometry.unsigned_area() - 50.0).abs() < 1e-9);
//!         assert!(what.contains("crosses or touches itself"), "{what}");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert!(matches!(check_patch(&bowtie, InvalidPolicy::Skip), Outcome::Skipped(_)));
//! assert!(matches!(check_patch(&bowtie, InvalidPolicy::Error), Outcome::Invalid(_)));
//! ```
//!
//! # What is checked
//!
//! | problem ([`Problem`])                                  | repair (`repair`)                                  |
//! |--------------------------------------------------------|----------------------------------------------------|
//! | a vertex that is NaN or infinite                       | none: never repairable (`skip` skips, else invalid) |
//! | a ring with fewer than 3 distinct corners              | the ring encloses nothing and is dropped            |
//! | a hole whose corners all lie on one line               | it encloses nothing and is dropped                  |
//! | a ring that crosses or touches itself (bowtie, spike, loop) | rebuilt by the even-odd rule (i_overlay's fill through geo's [`BooleanOps`], as GEOS/PostGIS `ST_MakeValid`): a bowtie becomes its two lobes, a spike is cut off |
//! | a hole not inside its outer ring                       | only the part of the hole inside the outer ring is cut out (a hole wholly outside removes nothing) |
//! | holes that cross the outer ring, each other, or run along it | all holes of the part merged and cut out once |
//! | parts of a multipolygon that overlap, lie one inside another, or share an edge | merged: the overlap counted once (a part inside another adds nothing: if it was meant as a hole, its orientation is wrong, and the text says so) |
//! | no area at all (a null shape, every vertex on one line, or nothing left after repair) | a **patch** with no area cannot be measured (its shares would divide by zero): it is skipped under `skip`, else invalid; an **obstacle** with no area covers nothing and is kept as it is |
//!
//! Duplicate consecutive vertices and ring orientation are not problems: the area does not
//! depend on them (the overlay orients rings itself).
//!
//! The repair follows the "structure" method of GEOS's `MakeValid`: each ring is first made valid
//! on its own (even-odd rule), then per part the outer ring's area minus the union of its holes'
//! areas, then the union of all parts. It runs in a frame shifted to the geometry's lower-left
//! corner, so Gauss-Kruger magnitudes lose no precision (call these functions in the projected
//! working CRS, never on longitude/latitude: the texts speak of m2). The boolean operations snap
//! to a grid fitted to the geometry's extent, so on near-degenerate input a first result can keep
//! an invalid sliver; the result is therefore checked and repaired again (at most twice), and a
//! geometry still invalid after that is an error, never handed on. A repaired geometry is valid
//! by [`geo::Validation`], with counter-clockwise outer rings.
//!
//! A repair is the same in every run. geo's own [`MakeValid`] is not used for the rings: it
//! traces its result from a `HashSet` of edges, whose order changes with each set's random
//! seed, and on a ring that touches itself at a vertex the traced rings differed from run to
//! run (some of them invalid; found by fuzzing, see `fuzz/README.md`).
//!
//! # Outcomes
//!
//! | policy   | valid geometry | repairable problem | unrepairable (non-finite, repair failed) | patch of zero area |
//! |----------|----------------|--------------------|------------------------------------------|--------------------|
//! | `repair` | `Valid`        | `Repaired`         | `Invalid`                                | `Invalid`          |
//! | `skip`   | `Valid`        | `Skipped`          | `Skipped`                                | `Skipped`          |
//! | `error`  | `Valid`        | `Invalid`          | `Invalid`                                | `Invalid`          |
//!
//! The texts name the part (from 1, in the order of the geometry's polygons) and the ring
//! ("outer ring", "hole 2") and say what to do; the caller adds the file and the record.
//! Areas in the texts are planar, in the coordinates' unit squared (`m2` in a projected CRS:
//! the texts hold only characters GBK can encode, as they go into GBK shapefiles).
//!
//! Patches that overlap **each other** are not invalid (each is measured on its own and its
//! numbers are right), but a total over them counts the shared area twice: [`overlapping_pairs`]
//! finds them so the caller can warn.
//!
//! [`MakeValid`]: geo::MakeValid
//! [`BooleanOps`]: geo::BooleanOps
//!
//! # Code layout
//!
//! `policy` holds what the caller sees: the [`InvalidPolicy`], the [`Outcome`] (and [`Settled`])
//! and the functions that settle a geometry by a policy. They call `diagnose` (the
//! [`Problem`]s of one geometry, by geo's rules with a sweep for self-intersections) and, under
//! `repair`, `repair` (GEOS's "structure" method). `overlaps` looks across geometries: the
//! patches that overlap each other.

mod diagnose;
mod overlaps;
mod policy;
mod repair;
#[cfg(test)]
mod tests;

pub use diagnose::{diagnose, Problem, Ring};
pub use overlaps::{overlapping_pairs, Overlap};
pub use policy::{check_obstacle, check_patch, settle_obstacle, InvalidPolicy, Outcome, Settled};
pub use repair::repair;
