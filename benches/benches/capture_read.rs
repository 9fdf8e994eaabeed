//! Frames per second of read + decapsulate + demultiplex from an in-memory capture of
//! ≥ 1 M frames made by the synthetic generator, read in place ([`InMemory`]) and through
//! the streaming buffer (what files and pipes use); and raw record iteration of pcap-parser
//! against pcap-file 2 on the same bytes (why the reader uses pcap-parser).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtpscope::capture::synth::{generate, Codec, SynthConfig};
use rtpscope::capture::{CaptureReader, InMemory, PcapWriter, Source};
use rtpscope::wire::PacketKind;

fn capture() -> (Vec<u8>, u64) {
    let cfg = SynthConfig {
        calls: 100,
        duration: Duration::from_secs(103),
        codecs: vec![Codec::Pcmu, Codec::Opus, Codec::Pcma, Codec::G722],
        loss_pct: 1.0,
        jitter_ms: 10.0,
        ..SynthConfig::default()
    };
    let mut w = PcapWriter::new(Vec::with_capacity(256 << 20), 1).expect("writer");
    generate(&cfg, &mut w).expect("generate");
    let frames = w.frames();
    assert!(frames >= 1_000_000, "{frames}");
    (w.into_inner().expect("bytes"), frames)
}

fn read_all<S: Source>(source: S) -> [u64; 7] {
    let mut kinds = [0u64; 7];
    let mut r = CaptureReader::new(source).expect("reader");
    while let Some(f) = r.next_frame().expect("frame") {
        kinds[f.kind() as usize] += 1;
    }
    kinds
}

fn bench(c: &mut Criterion) {
    let (bytes, frames) = capture();
    assert_eq!(read_all(InMemory(&bytes))[PacketKind::Rtp as usize], frames);
    assert_eq!(read_all(&bytes[..])[PacketKind::Rtp as usize], frames);
    let mut g = c.benchmark_group("capture_read");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(frames));
    g.bench_function("read_decap_demux", |b| {
        b.iter(|| black_box(read_all(InMemory(black_box(&bytes)))))
    });
    g.bench_function("read_decap_demux_buffered", |b| {
        b.iter(|| black_box(read_all(black_box(&bytes[..]))))
    });
    g.bench_function("records_pcap_parser", |b| {
        b.iter(|| {
            use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_header};
            let (mut rest, _) = parse_pcap_header(&bytes).expect("header");
            let mut n = 0u64;
            while let Ok((r, block)) = parse_pcap_frame(rest) {
                n += block.data.len() as u64;
                rest = r;
            }
            black_box(n)
        })
    });
    g.bench_function("records_pcap_file", |b| {
        b.iter(|| {
            let mut r = pcap_file::pcap::PcapReader::new(&bytes[..]).expect("header");
            let mut n = 0u64;
            while let Some(Ok(p)) = r.next_packet() {
                n += p.data.len() as u64;
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
