//! tuban's errors as Python exceptions.
//!
//! Every [`tuban::Error`] becomes an instance of one of the classes of `tuban._errors` (a
//! [`TubanError`](../tuban/_errors.py) subclass by kind: input, CRS, rules, output, usage), with
//! the library's message (which names the file, the record and what is wrong) and, where an
//! option would fix it ([`tuban::Error::fixed_by`]), a hint naming the Python keyword. The
//! exception's `fix` attribute holds that keyword (`"assume_crs"`), else `None`.

use pyo3::prelude::*;
use tuban::{Error, Fix};

/// Which exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An input layer, the DEM or the project file cannot be read or used.
    Input,
    /// A coordinate system is missing, unknown or contradicts the coordinates.
    Crs,
    /// The rules file cannot be read or is malformed.
    Rules,
    /// An output cannot be written.
    Output,
    /// The call itself is wrong (an unknown option, a bad value).
    Usage,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Kind::Input => "InputError",
            Kind::Crs => "CrsError",
            Kind::Rules => "RulesError",
            Kind::Output => "OutputError",
            Kind::Usage => "UsageError",
        }
    }
}

/// Why a call failed, before it became a Python exception.
#[derive(Debug)]
pub enum Failure {
    /// The library's error.
    Run(Error),
    /// An error of this crate (converting a table, reading an option).
    Own(Kind, String),
    /// The run was stopped: by the progress callback's exception or a signal (the pending
    /// Python exception is raised instead).
    Cancelled,
    /// A panic inside the library: a bug.
    Panic(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Cancelled => Failure::Cancelled,
            e => Failure::Run(e),
        }
    }
}

/// The Python keyword that fixes an error, and a sentence saying how.
pub fn hint(fix: Fix) -> (&'static str, &'static str) {
    match fix {
        Fix::Overwrite => ("overwrite", "pass overwrite=True to replace existing outputs"),
        Fix::AssumeCrs => (
            "assume_crs",
            "name the CRS: crs=\"EPSG:NNNN\" for tables and GeoDataFrames that state none, assume_crs=\"EPSG:NNNN\" for every layer that states none (e.g. EPSG:4544 = CGCS2000 / 3-degree Gauss-Kruger CM 105E)",
        ),
        Fix::InvalidPolicy => (
            "invalid",
            "invalid=\"repair\", \"skip\" or \"error\" chooses what to do with invalid geometry",
        ),
        Fix::VillageField => (
            "village_field",
            "village_field=\"FIELD\" names the patches' village field",
        ),
        Fix::MeasureScale => (
            "road_width_scale",
            "road_width_scale=0.01 (a width field in centimetres) or grave_area_scale=666.6667 (an area field in mu) turns a field's unit into metres or m2",
        ),
        Fix::AcceptNoOverlap => (
            "accept_no_overlap",
            "accept_no_overlap=[\"graves\"] accepts a layer that truly has nothing near the patches (landuse, graves, roads or dem)",
        ),
    }
}

fn kind_of(e: &Error) -> Kind {
    match e {
        Error::Config { .. }
        | Error::Read(_)
        | Error::Dem(_)
        | Error::Steep { .. }
        | Error::Build(_)
        | Error::Invalid { .. }
        | Error::Standard(_)
        | Error::Implausible(_) => Kind::Input,
        Error::Crs(_) | Error::BadCrs { .. } | Error::Misses(_) => Kind::Crs,
        Error::Rules { .. } => Kind::Rules,
        Error::Write(_) | Error::OutputExists(_) => Kind::Output,
        Error::Unsupported(_) | Error::Cancelled => Kind::Usage,
    }
}

/// The exception for `failure`.
pub fn to_py(py: Python<'_>, failure: Failure) -> PyErr {
    let (kind, message, fix) = match failure {
        Failure::Run(e) => {
            let fix = e.fixed_by();
            let message = match &e {
                // The library's message names the project file's key; here the keyword is meant.
                Error::OutputExists(path) => format!("{}: already exists", path.display()),
                e => e.to_string(),
            };
            (kind_of(&e), message, fix)
        }
        Failure::Own(kind, message) => (kind, message, None),
        Failure::Cancelled => (Kind::Usage, "the run was cancelled".to_string(), None),
        Failure::Panic(message) => {
            return match raise(py, "TubanError", format!("tuban stopped on an internal error (a bug: please report it with the input that caused it): {message}"), None) {
                Ok(e) | Err(e) => e,
            }
        }
    };
    let (keyword, message) = match fix.map(hint) {
        Some((keyword, how)) => (Some(keyword), format!("{message}\nhint: {how}")),
        None => (None, message),
    };
    match raise(py, kind.class_name(), message, keyword) {
        Ok(e) | Err(e) => e,
    }
}

/// An instance of `tuban._errors.<class>` with `message`, and `fix` set.
fn raise(py: Python<'_>, class: &str, message: String, fix: Option<&str>) -> PyResult<PyErr> {
    let module = py.import("tuban._errors")?;
    let exc = module.getattr(class)?.call1((message,))?;
    exc.setattr("fix", fix)?;
    Ok(PyErr::from_value(exc))
}
