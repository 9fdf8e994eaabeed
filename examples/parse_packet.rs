//! Parses one RTP packet and prints its fields.
use rtpscope::wire::rtp::RtpPacket;

fn main() {
    let bytes = [
        0x80, 0x00, 0x30, 0x39, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff,
    ];
    match RtpPacket::new_checked(&bytes[..]) {
        Ok(p) => println!(
            "pt={} seq={} ts={} ssrc={:#010x} payload={} bytes",
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc(),
            p.payload().len()
        ),
        Err(e) => eprintln!("not RTP: {e}"),
    }
}
