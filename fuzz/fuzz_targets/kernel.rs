#![no_main]
//! Fuzz target: see `harness::kernel`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::report_panics_without_aborting();
    harness::kernel(data)
});
