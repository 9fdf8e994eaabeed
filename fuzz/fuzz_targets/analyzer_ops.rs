//! Drives the sans-IO analyzer with operation sequences (packets, RTCP bytes, clock jumps,
//! timers, payload-type learning, reports) and checks its invariants after each step.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rtpscope_core::fuzzing::analyzer_ops(data);
});
