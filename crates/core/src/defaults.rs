//! Every default of a run, in one place.
//!
//! The command line (its flags' defaults), the project file (keys left out), the library's entry
//! point and the Python package all take their defaults from here, so they cannot drift apart.
//! Each value says where it comes from.

use crate::area::AreaMethod;
use crate::validity::InvalidPolicy;

/// Areas as the land survey reports them: on the CGCS2000 ellipsoid (图斑椭球面积, the
/// trapezoid formula of 国土调查办发〔2008〕32号 and TD/T 1055-2019).
pub const AREA_METHOD: AreaMethod = AreaMethod::Ellipsoidal;

/// Invalid geometry is repaired, and the repair is reported per patch.
pub const INVALID_POLICY: InvalidPolicy = InvalidPolicy::Repair;

/// A DEM cell is steep when its slope is strictly greater than this many degrees: slope grade 5
/// (坡度分级 > 25°), above which cropland cannot stay basic farmland.
pub const STEEP_THRESHOLD_DEG: f64 = 25.0;

/// A grave point becomes a disc of this radius in metres (about 12.6 m², a single grave with its
/// surround), unless an area field says otherwise.
pub const GRAVE_RADIUS_M: f64 = 2.0;

/// Roads narrower than this many metres are not obstacles: in the south, field paths under 1 m
/// count as cropland (the survey's rule for 1006 农村道路).
pub const ROAD_MIN_WIDTH_M: f64 = 1.0;

/// The road width field a line layer is read with when none is named: the survey's `KD` (宽度).
pub const ROAD_WIDTH_FIELD: &str = "KD";

/// Segments per quarter circle for grave discs and round road joins: 8, as GEOS and PostGIS, so
/// that discs and corridors are the same polygons those tools build.
pub const QUAD_SEGS: u32 = 8;
