//! Every reference capture opens, and the detector finds exactly tshark's RTP packets per
//! stream, with no port hints. Skips (with a message) when ../shared is absent.

mod common;

use std::path::Path;

use rtpscope_capture::{open_path, SipTracker};

fn check_dir(dir: &Path) -> usize {
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
            continue;
        }
        let mut reader = open_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stem = name.trim_end_matches(".pcapng").trim_end_matches(".pcap");
        let tsv = dir.join(format!("{stem}.ref.tsv"));
        if !tsv.exists() {
            // Still must read to the end without error.
            while reader
                .next_frame()
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .is_some()
            {}
            continue;
        }
        let got = common::rtp_counts(&mut reader);
        let want = common::ref_counts(&tsv);
        assert_eq!(
            got, want,
            "{name}: RTP packets per stream (left: ours, right: tshark)"
        );
        let c = reader.counters();
        assert_eq!(c.frames, c.udp + c.sip_tcp + c.skipped(), "{name}");
        eprintln!(
            "{name}: {} streams match tshark; counters {:?}",
            want.len(),
            c
        );
        checked += 1;
    }
    checked
}

#[test]
fn per_stream_packet_counts_match_tshark() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    assert!(check_dir(&dir) >= 5);
}

#[test]
fn tests_data_captures_match_tshark_when_present() {
    let Some(dir) = common::test_data() else {
        std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: tests/data not present\n"),
        )
        .unwrap_or(());
        return;
    };
    let n = check_dir(&dir);
    eprintln!("tests/data: {n} captures checked");
}

#[test]
fn multi_pcap_sdp_gives_opus_and_vp8() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let mut reader = open_path(&dir.join("multi.pcap")).expect("open");
    let mut sip = SipTracker::new();
    while let Some(f) = reader.next_frame().expect("read") {
        sip.observe(f.ts, f.flow, f.payload);
    }
    let find = |pt: u8| {
        sip.media()
            .iter()
            .flat_map(|m| m.payloads.iter())
            .find(|p| p.payload_type == pt)
            .cloned()
            .expect("pt")
    };
    let opus = find(111);
    assert_eq!(
        (opus.encoding.as_str(), opus.clock_rate, opus.channels),
        ("opus", 48000, Some(2))
    );
    let vp8 = find(96);
    assert_eq!((vp8.encoding.as_str(), vp8.clock_rate), ("VP8", 90000));
    assert!(!sip.calls().is_empty());
    assert!(sip.media().iter().all(|m| !m.call_id.is_empty()));
    assert!(sip.media().iter().any(|m| m.from_offer) && sip.media().iter().any(|m| !m.from_offer));
    // The same bodies as files.
    for (file, pt, enc) in [
        ("multi.offer.sdp", 96, "VP8"),
        ("multi.answer.sdp", 111, "opus"),
    ] {
        let text = std::fs::read_to_string(dir.join("sdp").join(file)).expect("sdp");
        let media = rtpscope_capture::sdp::parse_sdp(&text);
        assert!(
            media
                .iter()
                .flat_map(|m| &m.payloads)
                .any(|p| p.payload_type == pt && p.encoding == enc),
            "{file}"
        );
    }
    // The opus stream's flow resolves through the answer's m= line.
    let flow = rtpscope_wire::Flow::new(
        "198.51.100.1:7002".parse().unwrap(),
        "198.51.100.2:5006".parse().unwrap(),
    );
    assert_eq!(
        sip.payload_mapping(&flow, 111).map(|p| p.clock_rate),
        Some(48000)
    );
}
