//! Running the library without the GIL, with progress and Ctrl-C.
//!
//! The work runs on a worker thread (and the rayon pool) while the calling thread, the GIL
//! released, waits for it in steps of 20 ms. Between steps the calling thread takes the GIL back
//! briefly to do what only it can do:
//! - check for signals (`Python::check_signals`: a Ctrl-C in a terminal or a notebook's
//!   interrupt raises `KeyboardInterrupt` only on the main thread);
//! - call the progress callback with what the stages reported (so a callback, tqdm included, is
//!   only ever called from the thread that called tuban, never from rayon's threads).
//!
//! If either raises, the run is cancelled through [`tuban::Progress::cancelled`] (asked between
//! stages and between blocks of patches), the worker is awaited, and that exception is raised.
//! Other Python threads run freely meanwhile: two overlays in two threads overlap.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use tuban::Stage;

use crate::errors::{to_py, Failure};

/// How long the calling thread waits between two looks at signals and progress. A Ctrl-C is
/// noticed within one step and progress reaches the callback at most one step late; a run on
/// a few thousand patches takes about 0.1 s, so a step of 100 ms (as before) could deliver its
/// progress only once it was over, and miss a Ctrl-C given while it ran. Each step costs taking
/// the GIL and one signal check: nothing next to a run.
const STEP: Duration = Duration::from_millis(20);

/// A progress event, for the callback.
#[derive(Clone)]
struct Event {
    stage: &'static str,
    done: u64,
    total: Option<u64>,
}

/// What the stages report, and whether to stop: shared by the worker and the calling thread.
#[derive(Default)]
pub struct Shared {
    cancel: AtomicBool,
    done: AtomicU64,
    /// Events not yet delivered, and the stage under way.
    state: Mutex<(Vec<Event>, Option<Event>)>,
}

impl tuban::Progress for Shared {
    fn start(&self, stage: Stage, total: Option<u64>) {
        self.done.store(0, Ordering::Relaxed);
        let e = Event {
            stage: stage.label(),
            done: 0,
            total,
        };
        let mut s = self.state.lock().expect("progress lock");
        s.0.push(e.clone());
        s.1 = Some(e);
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    fn finish(&self) {
        let mut s = self.state.lock().expect("progress lock");
        if let Some(mut e) = s.1.take() {
            e.done = self.done.load(Ordering::Relaxed);
            if let Some(total) = e.total {
                e.done = e.done.max(total);
            }
            s.0.push(e);
        }
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Shared {
    /// Whether the caller stopped the run.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The events since the last call, then the stage under way if it moved.
    fn drain(&self, last_done: &mut u64) -> Vec<Event> {
        let mut s = self.state.lock().expect("progress lock");
        let mut events = std::mem::take(&mut s.0);
        if let Some(e) = &s.1 {
            let done = self.done.load(Ordering::Relaxed);
            if done != *last_done {
                events.push(Event { done, ..e.clone() });
            }
        }
        if let Some(e) = events.last() {
            *last_done = e.done;
        }
        events
    }
}

/// Runs `work` off the GIL on a pool of `threads` threads (0: rayon's global pool, one per core),
/// reporting progress to `callback(stage, done, total)` and stopping on a signal or on an
/// exception from the callback.
pub fn execute<T: Send>(
    py: Python<'_>,
    threads: usize,
    callback: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&Shared) -> Result<T, Failure> + Send,
) -> PyResult<T> {
    let shared = Shared::default();
    let finished = (Mutex::new(false), Condvar::new());
    let mut pending: Option<PyErr> = None;
    let mut last_done = u64::MAX;
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let run = || -> Result<T, Failure> {
                if threads == 0 {
                    return work(&shared);
                }
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| {
                        Failure::Own(
                            crate::errors::Kind::Usage,
                            format!("cannot start {threads} threads: {e}"),
                        )
                    })?
                    .install(|| work(&shared))
            };
            let result = std::panic::catch_unwind(AssertUnwindSafe(run));
            *finished.0.lock().expect("done lock") = true;
            finished.1.notify_all();
            result
        });
        loop {
            let over = py.detach(|| {
                let guard = finished.0.lock().expect("done lock");
                let (guard, _) = finished
                    .1
                    .wait_timeout_while(guard, STEP, |done| !*done)
                    .expect("done lock");
                *guard
            });
            if pending.is_none() {
                if let Err(e) = py.check_signals() {
                    pending = Some(e);
                }
            }
            if let (Some(cb), None) = (callback, &pending) {
                for e in shared.drain(&mut last_done) {
                    if let Err(err) = cb.call1((e.stage, e.done, e.total)) {
                        pending = Some(err);
                        break;
                    }
                }
            }
            if pending.is_some() {
                shared.cancel.store(true, Ordering::Relaxed);
            }
            if over {
                break;
            }
        }
        py.detach(|| worker.join())
            .expect("the worker catches panics")
    });
    if let Some(e) = pending {
        return Err(e);
    }
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(failure)) => Err(to_py(py, failure)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            Err(to_py(py, Failure::Panic(message)))
        }
    }
}
