#![no_main]
//! Fuzz target: see `harness::gdbtable`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::report_panics_without_aborting();
    harness::gdbtable(data)
});
