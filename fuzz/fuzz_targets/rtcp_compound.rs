#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtpscope_wire::fuzzing::rtcp_compound(data));
