//! Broken files give a typed error with the byte offset, after every good frame before it.

use rtpscope_capture::decap::linktype;
use rtpscope_capture::{CaptureError, CaptureReader, InMemory, PcapWriter, Source};
use rtpscope_wire::{Flow, Timestamp};

fn good_pcap(frames: usize) -> (Vec<u8>, Vec<usize>) {
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).unwrap();
    let flow = Flow::new(
        "192.0.2.1:4000".parse().unwrap(),
        "192.0.2.2:5004".parse().unwrap(),
    );
    let mut ends = Vec::new();
    let mut len = 24;
    for i in 0..frames {
        w.write_udp(
            Timestamp::from_millis(i as u64 * 20),
            flow,
            &[0x80, 0, 0, i as u8],
        )
        .unwrap();
        len += 16 + 14 + 20 + 8 + 4;
        ends.push(len);
    }
    (w.into_inner().unwrap(), ends)
}

/// Reads to the end, through a buffer and in place; returns frames delivered and the error,
/// after checking that both ways agree.
fn read_all(bytes: &[u8]) -> (usize, Option<CaptureError>) {
    let buffered = read_from(bytes);
    let in_place = read_from(InMemory(bytes));
    assert_eq!(buffered.0, in_place.0);
    assert_eq!(
        buffered.1.as_ref().map(ToString::to_string),
        in_place.1.as_ref().map(ToString::to_string)
    );
    buffered
}

fn read_from<S: Source>(source: S) -> (usize, Option<CaptureError>) {
    let mut r = match CaptureReader::new(source) {
        Ok(r) => r,
        Err(e) => return (0, Some(e)),
    };
    let mut n = 0;
    loop {
        match r.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

#[test]
fn truncated_file_delivers_frames_before_the_cut() {
    let (bytes, ends) = good_pcap(5);
    let cut = ends[2] + 10;
    let (n, err) = read_all(&bytes[..cut]);
    assert_eq!(n, 3);
    let err = err.expect("error");
    assert!(
        matches!(err, CaptureError::Truncated { offset, .. } if offset == ends[2] as u64),
        "{err}"
    );
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn garbage_after_valid_records() {
    let (mut bytes, ends) = good_pcap(3);
    bytes.extend_from_slice(&[0xff; 40]);
    let (n, err) = read_all(&bytes);
    assert_eq!(n, 3);
    match err.expect("error") {
        CaptureError::RecordTooLarge { offset, .. } => assert_eq!(offset, ends[2] as u64),
        e => panic!("{e}"),
    }
}

#[test]
fn wrong_magic_empty_and_short_header() {
    assert!(matches!(
        read_all(b"GIF89a.........................").1,
        Some(CaptureError::BadMagic {
            offset: 0,
            found: 0x4749_4638
        })
    ));
    assert!(matches!(read_all(b"").1, Some(CaptureError::Empty)));
    let (bytes, _) = good_pcap(1);
    assert!(matches!(
        read_all(&bytes[..10]).1,
        Some(CaptureError::Truncated { offset: 0, .. })
    ));
}

#[test]
fn zero_and_giant_record_lengths() {
    let (mut bytes, ends) = good_pcap(2);
    // A zero-length record is a frame with nothing in it: counted, not fatal.
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    while r.next_frame().unwrap().is_some() {}
    assert_eq!((r.counters().frames, r.counters().truncated), (3, 1));
    // A giant one is an error at its offset.
    let (mut bytes, _) = good_pcap(2);
    bytes.extend_from_slice(&[
        0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f,
    ]);
    let (n, err) = read_all(&bytes);
    assert_eq!(n, 2);
    assert!(
        matches!(err, Some(CaptureError::RecordTooLarge { offset, len: 0x7fff_ffff, .. }) if offset == ends[1] as u64)
    );
}

#[test]
fn pcapng_block_with_bad_length() {
    // SHB, IDB, then an EPB whose length is not a multiple of 4, then one whose trailing length differs.
    let mut b = Vec::new();
    let block = |b: &mut Vec<u8>, kind: u32, body: &[u8], len: u32, trailer: u32| {
        b.extend_from_slice(&kind.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(body);
        b.extend_from_slice(&trailer.to_le_bytes());
    };
    let shb = [
        0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    block(&mut b, 0x0A0D_0D0A, &shb, 28, 28);
    block(&mut b, 1, &[1, 0, 0, 0, 0, 0, 4, 0], 20, 20);
    let good_end = b.len();
    let mut bad = b.clone();
    block(&mut bad, 6, &[0; 22], 34, 34);
    let (n, err) = read_all(&bad);
    assert_eq!(n, 0);
    assert!(
        matches!(err, Some(CaptureError::Malformed { offset, .. }) if offset == good_end as u64)
    );
    let mut bad = b.clone();
    block(&mut bad, 6, &[0; 20], 32, 36);
    assert!(
        matches!(read_all(&bad).1, Some(CaptureError::Malformed { offset, .. }) if offset == good_end as u64)
    );
    let mut bad = b;
    block(&mut bad, 6, &[0; 20], 0x7fff_0000, 32);
    assert!(
        matches!(read_all(&bad).1, Some(CaptureError::RecordTooLarge { offset, .. }) if offset == good_end as u64)
    );
}

#[test]
fn read_errors_carry_the_offset() {
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let (bytes, _) = good_pcap(1);
            let n = bytes.len().min(buf.len()).min(self.0);
            buf[..n].copy_from_slice(&bytes[..n]);
            self.0 = 0;
            Ok(n)
        }
    }
    let mut r = CaptureReader::new(Failing(24)).unwrap();
    let err = r.next_frame().unwrap_err();
    assert!(matches!(err, CaptureError::Io { offset: 24, .. }), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}
