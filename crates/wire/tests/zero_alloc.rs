//! Parsing allocates nothing: a counting global allocator (this file is its own test binary)
//! watches RTP, header-extension and compound-RTCP parsing.

// A global allocator cannot be written without unsafe; the crate under test has none.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket};
use rtpscope_wire::rtp::RtpPacket;

struct Counting;

thread_local! {
    // Per thread, so the test harness's own threads do not count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const RTP_WITH_EXTENSION: &[u8] = &[
    0x92, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 9, // V=2 X CC=2
    0, 0, 0, 1, 0, 0, 0, 2, // CSRCs
    0xbe, 0xde, 0, 2, 0x10, 0xaa, 0x32, 1, 2, 3, 0, 0, // audio level + abs-send-time
    0xff, 0xfe, 0xfd,
];

const COMPOUND: &[u8] = &[
    // SR, one block
    0x81, 200, 0, 12, 0, 0, 0, 1, 0xe0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 5, 0, 0, 0,
    160, 0, 0, 0, 2, 0, 0xff, 0xff, 0xff, 0, 0, 0x10, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0,
    0, //
    // SDES: CNAME "ab"
    0x81, 202, 0, 3, 0, 0, 0, 1, 1, 2, b'a', b'b', 0, 0, 0, 0, //
    // BYE with reason
    0x81, 203, 0, 2, 0, 0, 0, 1, 2, b'o', b'k', 0, //
    // XR with one raw block
    0x80, 207, 0, 3, 0, 0, 0, 1, 4, 0, 0, 1, 0, 0, 0, 0,
];

#[test]
fn parsing_allocates_nothing() {
    let rtp = allocations_during(|| {
        let packet = RtpPacket::new_checked(black_box(RTP_WITH_EXTENSION)).unwrap();
        black_box((
            packet.sequence_number(),
            packet.timestamp(),
            packet.ssrc(),
            packet.payload(),
        ));
        black_box(packet.csrcs().sum::<u32>());
    });
    assert_eq!(rtp, 0, "RTP parse");

    let extension = allocations_during(|| {
        let packet = RtpPacket::new_checked(black_box(RTP_WITH_EXTENSION)).unwrap();
        for element in packet.extension().unwrap().elements() {
            black_box(element.unwrap());
        }
    });
    assert_eq!(extension, 0, "extension elements");

    let rtcp = allocations_during(|| {
        let mut n = 0;
        for packet in CompoundIter::new(black_box(COMPOUND)) {
            match packet.unwrap() {
                RtcpPacket::SenderReport(sr) => {
                    n += sr
                        .report_blocks()
                        .inspect(|b| {
                            black_box(b.jitter());
                        })
                        .count()
                }
                RtcpPacket::SourceDescription(sdes) => {
                    n += sdes
                        .chunks()
                        .flat_map(|c| c.items())
                        .inspect(|i| {
                            black_box(i.value);
                        })
                        .count()
                }
                RtcpPacket::Goodbye(bye) => {
                    n += bye.ssrcs().count() + usize::from(bye.reason().is_some())
                }
                RtcpPacket::ExtendedReport(xr) => n += xr.blocks().count(),
                _ => {}
            }
        }
        assert_eq!(black_box(n), 5);
    });
    assert_eq!(rtcp, 0, "compound RTCP");

    // The counter works: a Vec does allocate.
    assert!(allocations_during(|| drop(black_box(vec![1u8; 16]))) >= 1);
}
