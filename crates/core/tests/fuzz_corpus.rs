//! Replays the `analyzer_ops` fuzz corpus (and random programs) through the fuzz target's body,
//! so CI catches regressions on stable without cargo-fuzz.

use proptest::prelude::*;

#[test]
fn committed_corpus_replays() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/analyzer_ops");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/analyzer_ops") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read");
        rtpscope_core::fuzzing::analyzer_ops(&data);
        n += 1;
    }
    assert!(n >= 10, "only {n} corpus files");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
    #[test]
    fn random_programs_keep_the_invariants(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        rtpscope_core::fuzzing::analyzer_ops(&data);
    }
}
