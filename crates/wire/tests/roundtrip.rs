//! Property tests: for every packet type, `parse(emit(x)) == x`, and compound packets
//! frame back into the packets they were built from.

mod common;

use common::*;
use proptest::prelude::*;
use rtpscope_wire::rtcp::{CompoundIter, RtcpRepr};
use rtpscope_wire::rtp::{Extension, RtpPacket, RtpRepr};
use rtpscope_wire::EmitError;

proptest! {
    #![proptest_config(config("proptest-regressions/roundtrip.txt"))]

    #[test]
    fn rtp_round_trips(owned in arb_rtp()) {
        let repr = owned.repr();
        let bytes = owned.bytes();
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(RtpRepr::parse(&packet), repr);
        prop_assert_eq!(packet.payload(), &owned.payload[..]);
    }

    #[test]
    fn rtp_emit_into_short_buffer_fails(owned in arb_rtp(), cut in 1usize..12) {
        let repr = owned.repr();
        let needed = repr.buffer_len();
        let mut buf = vec![0; needed - cut.min(needed)];
        prop_assert_eq!(repr.emit(&mut buf), Err(EmitError::BufferTooShort { needed, available: buf.len() }));
    }

    #[test]
    fn one_byte_elements_round_trip((elements, data) in one_byte_elements()) {
        let ext = Extension::new(0xBEDE, &data);
        let parsed: Vec<(u8, Vec<u8>)> =
            ext.elements().map(|e| e.map(|e| (e.id, e.data.to_vec()))).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(parsed, elements);
    }

    #[test]
    fn every_rtcp_type_round_trips(owned in arb_rtcp()) {
        let bytes = compound_bytes(std::slice::from_ref(&owned));
        let mut packets = CompoundIter::new(&bytes);
        let packet = packets.next().unwrap().unwrap();
        prop_assert!(packets.next().is_none());
        prop_assert_eq!(packet.raw().as_bytes().len(), bytes.len());
        prop_assert_eq!(RtcpRepr::parse(&packet), Some(owned.repr()));
    }

    #[test]
    fn compound_round_trips(owned in proptest::collection::vec(arb_rtcp(), 1..5)) {
        let bytes = compound_bytes(&owned);
        let parsed: Vec<_> = CompoundIter::new(&bytes).map(|p| RtcpRepr::parse(&p.unwrap())).collect();
        let expected: Vec<_> = owned.iter().map(|o| Some(o.repr())).collect();
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(CompoundIter::validate(&bytes), Ok(owned.len()));
    }

    #[test]
    fn a_cut_compound_keeps_the_packets_that_end_before_the_cut(
        owned in proptest::collection::vec(arb_rtcp(), 1..5),
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = compound_bytes(&owned);
        let cut = cut.index(bytes.len() + 1);
        let whole = CompoundIter::whole_packets(&bytes[..cut]);
        // The packets that fit, by the lengths they were built with.
        let mut end = 0;
        let mut kept = 0;
        for packet in &owned {
            let len = compound_bytes(std::slice::from_ref(packet)).len();
            if end + len > cut {
                break;
            }
            end += len;
            kept += 1;
        }
        prop_assert_eq!(whole, &bytes[..end]);
        let parsed: Vec<_> = CompoundIter::new(whole).map(|p| RtcpRepr::parse(&p.unwrap())).collect();
        let expected: Vec<_> = owned[..kept].iter().map(|o| Some(o.repr())).collect();
        prop_assert_eq!(parsed, expected);
    }

    #[test]
    fn rtcp_emit_into_short_buffer_fails(owned in arb_rtcp(), cut in 1usize..8) {
        let repr = owned.repr();
        let needed = repr.buffer_len();
        let mut buf = vec![0; needed - cut.min(needed)];
        prop_assert_eq!(repr.emit(&mut buf), Err(EmitError::BufferTooShort { needed, available: buf.len() }));
    }
}
