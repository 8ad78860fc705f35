//! Arrow across the boundary: the Arrow PyCapsule interface (`__arrow_c_stream__`), both ways.
//!
//! Any object with `__arrow_c_stream__` (pyarrow tables and readers, polars, GeoPandas'
//! `to_arrow()`, geoarrow-rust, DuckDB results) hands over a capsule named `arrow_array_stream`
//! holding an `ArrowArrayStream` of the Arrow C data interface; arrow-rs imports it without
//! copying a buffer. Results go back the same way: [`ArrowStream`] is a small Python object whose
//! `__arrow_c_stream__` returns such a capsule, which `pyarrow.table()` (or polars, or DuckDB)
//! consumes.
//!
//! Written here rather than taken from pyo3-arrow: the two functions below are all this crate
//! needs, and pyo3-arrow would add numpy, ndarray and arrow-cast to every build.

use std::ffi::CStr;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

const STREAM: &CStr = c"arrow_array_stream";

/// Every record batch of `obj`'s `__arrow_c_stream__`, with the stream's schema. Buffers are
/// shared with the producer, not copied.
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast_into::<PyCapsule>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "__arrow_c_stream__ did not return a PyCapsule (the Arrow PyCapsule interface)",
        )
    })?;
    let ptr = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule is named `arrow_array_stream`, so by the PyCapsule interface it points
    // to an `ArrowArrayStream`. `from_raw` moves the stream out and leaves a released (empty)
    // struct behind, which the capsule's own destructor then leaves alone, as the interface
    // requires of a consumer.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
    let reader = RecordBatchStreamReader::try_new(stream).map_err(arrow_err)?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(arrow_err)?;
    Ok((schema, batches))
}

fn arrow_err(e: arrow_schema::ArrowError) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(format!("reading an Arrow stream: {e}"))
}

/// A table produced in Rust, handed to Python through the Arrow PyCapsule interface: pass it to
/// `pyarrow.table()`. The stream can be taken once.
#[pyclass(module = "tuban._tuban", name = "ArrowStream")]
pub struct ArrowStream {
    schema: SchemaRef,
    batches: Option<Vec<RecordBatch>>,
}

impl ArrowStream {
    /// A stream of one batch.
    pub fn new(batch: RecordBatch) -> Self {
        ArrowStream {
            schema: batch.schema(),
            batches: Some(vec![batch]),
        }
    }
}

#[pymethods]
impl ArrowStream {
    /// The Arrow C stream of the table (the PyCapsule interface). `requested_schema` is
    /// accepted and ignored, as the interface allows.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &mut self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = self.batches.take().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("this Arrow stream was already consumed")
        })?;
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        // The capsule owns the stream; a consumer moves it out (leaving a released struct), and
        // an unconsumed stream is released by FFI_ArrowArrayStream's Drop when the capsule dies.
        PyCapsule::new_with_value(py, stream, STREAM)
    }
}
