//! The stages of a run, in the order the data flows. Each is a public function with typed inputs
//! and outputs, callable and testable alone; [`crate::run`] chains them with the defaults of the
//! command line.
//!
//! | # | stage | function | in → out |
//! |---|-------|----------|----------|
//! | 1 | read | [`read::read`] | [`Project`](crate::Project), rules → [`read::Inputs`] (layers as stated) |
//! | 2 | settle CRS | [`crs::settle`] | `Inputs` → [`crs::Settled`] (every layer in the working CRS) |
//! | 3 | build | [`build::patches`], [`build::obstacles`] | placed layers → [`build::Patches`], [`build::Obstacles`] |
//! | 3b | coverage | [`coverage::landuse`], [`coverage::check_coverage`] | the land-use layer code by code; how every layer meets the patches |
//! | 4 | slope | [`slope::steep_cells`] | DEM, patches → [`slope::SteepCells`] (steep cells as obstacles) |
//! | 5 | index | [`overlay::index`] | obstacles → R-tree |
//! | 6 | overlay | [`overlay::overlay`] | patches, R-tree → [`overlay::Overlaid`] (areas per class and union) |
//! | 7 | account | [`account::account`] | patches, areas → [`Report`](tuban_core::report::Report) (status, verdicts, village totals) |
//! | 8 | write | [`write::write_outputs`] | report → files |

pub mod account;
pub mod build;
pub mod coverage;
pub mod crs;
pub mod overlay;
pub mod read;
pub mod slope;
pub mod write;
