//! The short way through a capture: plain frames read straight from the bytes.
//!
//! Almost every frame of a capture is a record (classic pcap, or a pcapng Enhanced Packet
//! Block) of IPv4 and UDP straight on the link (untagged Ethernet, a Linux cooked capture,
//! raw IP). For those, a straight pass over the bytes finds the same time, flow and payload
//! as the general reading (the record parsers, the decapsulation's bookkeeping) for a
//! fraction of the work; anything else, or anything doubtful, takes the general way.
//!
//! A reader that keeps one shard of many flows goes further: it sees most frames only to
//! learn that they are someone else's, and passes over them without handing them out.

use rtpscope_wire::{Flow, Timestamp};

use super::{header_words, iface_ts, pcap_time, word_at, CaptureReader, Format, Frame, MAX_BLOCK};
use crate::decap::PlainLink;
use crate::input::{Input, Source};
use crate::CaptureError;

/// pcapng Enhanced Packet Block.
const PCAPNG_EPB: u32 = 6;
/// Its fixed part: type, length, interface, time (two words), captured and original length.
const EPB_FIXED: usize = 28;

/// Where a record that may hold a plain frame sits.
struct Located {
    ts: Timestamp,
    /// Where the frame starts in the input.
    data_start: usize,
    /// Its captured length.
    caplen: usize,
    /// The whole record's length, header included.
    total: usize,
    /// How its link carries IPv4.
    link: PlainLink,
}

impl<S: Source> CaptureReader<S> {
    /// The next frame, after passing over up to `max` frames in a row for which
    /// `pass(time, flow, payload)` is true; with how many it passed. A passed frame is
    /// counted exactly as [`next_frame`](Self::next_frame) would count it (frame numbers,
    /// counters, the first time), and the frame returned is the one `next_frame` would
    /// return next.
    ///
    /// Only plain datagrams are offered to `pass`: records (classic pcap, or pcapng Enhanced
    /// Packet Blocks) of IPv4 (no options, not a fragment) straight on the link (untagged
    /// Ethernet, Linux cooked capture v1 or v2, raw IP) and UDP on no tunnel's port,
    /// captured whole. So the frame returned may be one `pass` would accept (one of another
    /// kind, or the one after `max`): passing over is only ever a shortcut.
    ///
    /// ```
    /// # use rtpscope_capture::{CaptureReader, InMemory};
    /// # fn shard_of(_: &rtpscope_wire::Flow) -> usize { 1 }
    /// # let file: &[u8] = &[];
    /// # let Ok(mut reader) = CaptureReader::new(InMemory(file)) else { return };
    /// // Keep shard 0's flows.
    /// let others = |_, flow: &_, _: &_| shard_of(flow) != 0;
    /// while let Ok((_, Some(frame))) = reader.next_frame_passing(256, others) {
    ///     if shard_of(&frame.flow) == 0 {
    ///         // ...
    ///     }
    /// }
    /// ```
    #[inline]
    pub fn next_frame_passing(
        &mut self,
        max: u32,
        mut pass: impl FnMut(Timestamp, &Flow, &[u8]) -> bool,
    ) -> Result<(u32, Option<Frame<'_>>), CaptureError> {
        // The last frame handed out is done with: its bytes may go.
        self.start += std::mem::take(&mut self.pending);
        let mut passed = 0;
        while let Some(rec) = self.locate_plain() {
            let bytes = self.input.bytes();
            let Some((flow, length)) = bytes
                .get(rec.data_start..)
                .and_then(|frame| rec.link.header(frame, rec.caplen))
            else {
                break;
            };
            let at = rec.data_start + rec.link.payload_at();
            let Some(payload) = bytes.get(at..at + length) else {
                break;
            };
            let passing = passed < max && pass(rec.ts, &flow, payload);
            self.index += 1;
            self.counters.frames += 1;
            self.counters.udp += 1;
            self.first_ts.get_or_insert(rec.ts);
            if passing {
                self.start += rec.total;
                passed += 1;
                continue;
            }
            // Read in full already: hand it out as `next_frame` would (the payload is sliced
            // again, since counting above needed the reader free of its borrow).
            self.pending = rec.total;
            let payload = self.input.bytes().get(at..at + length).unwrap_or(&[]);
            return Ok((passed, Some(Frame::new(rec.ts, flow, payload, self.index))));
        }
        Ok((passed, self.read_frame()?))
    }

    /// The next record, if it is one the short way reads and is all there: a classic pcap
    /// record, or a pcapng Enhanced Packet Block, on a link [`PlainLink`] knows.
    /// What it finds is what the general parse finds; anything it is unsure of (including
    /// every malformed record) is left to the general parse.
    #[inline(always)]
    fn locate_plain(&self) -> Option<Located> {
        let bytes = self.input.bytes();
        let rec = bytes.get(self.start..)?;
        match &self.format {
            &Format::Pcap {
                big_endian,
                nanos,
                modified: false,
                plain: Some(link),
                max_record,
                ..
            } => {
                let [secs, frac, caplen] = header_words(rec.first_chunk::<16>()?, big_endian);
                let caplen = caplen as usize;
                if caplen as u64 > max_record || rec.len() < 16 + caplen {
                    return None;
                }
                Some(Located {
                    ts: pcap_time(secs, frac, nanos),
                    data_start: self.start + 16,
                    caplen,
                    total: 16 + caplen,
                    link,
                })
            }
            Format::PcapNg {
                big_endian,
                interfaces,
            } => {
                let fixed: &[u8; EPB_FIXED] = rec.first_chunk()?;
                let word = |i: usize| word_at(fixed, i, *big_endian);
                let (len, caplen) = (u64::from(word(4)), u64::from(word(20)));
                // A block length the general parse accepts (a multiple of 4, not too long),
                // the padded data within the block and both length fields alike: a block
                // pcap-parser reads as exactly this frame (it reads options leniently, and
                // none of them matters here). In 64 bits: no length overflows.
                if word(0) != PCAPNG_EPB
                    || len > MAX_BLOCK
                    || len % 4 != 0
                    || len < EPB_FIXED as u64 + caplen.next_multiple_of(4) + 4
                {
                    return None;
                }
                // Both fit: `len` is at most MAX_BLOCK, and `caplen` less than `len`.
                let (len, caplen) = (len as usize, caplen as usize);
                let trailer = word_at(rec.get(len - 4..len)?.first_chunk::<4>()?, 0, *big_endian);
                let iface = interfaces.get(word(8) as usize)?;
                let link = iface.plain?;
                if trailer as usize != len {
                    return None;
                }
                let units = u64::from(word(12)) << 32 | u64::from(word(16));
                Some(Located {
                    ts: iface_ts(iface, units),
                    data_start: self.start + EPB_FIXED,
                    caplen,
                    total: len,
                    link,
                })
            }
            Format::Pcap { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::decap::linktype;
    use crate::{encapsulate_udp, InMemory, PcapWriter, PcapWriterOptions, TsResolution};

    /// A frame as captured: time, captured bytes, original length.
    type Captured = (Timestamp, Vec<u8>, u32);

    /// `n` datagrams on four flows over `link`, with VLAN-tagged (on Ethernet), IPv6, cut (two
    /// ways) and non-UDP frames among them: frames the short way must leave to the general
    /// reading.
    fn frames(n: u16, link: u32) -> Vec<Captured> {
        let ip_at = match link {
            linktype::ETHERNET => 14,
            linktype::LINUX_SLL => 16,
            linktype::LINUX_SLL2 => 20,
            _ => 0,
        };
        (0..n)
            .map(|i| {
                let (src, dst): (SocketAddr, SocketAddr) = if i % 17 == 9 {
                    (
                        "[2001:db8::1]:4001".parse().unwrap(),
                        "[2001:db8::2]:5000".parse().unwrap(),
                    )
                } else {
                    (
                        format!("10.0.0.{}:{}", i % 4 + 1, 4000 + i % 4)
                            .parse()
                            .unwrap(),
                        "10.0.1.1:5000".parse().unwrap(),
                    )
                };
                let vlan: &[u16] = if i % 11 == 3 && link == linktype::ETHERNET {
                    &[7]
                } else {
                    &[]
                };
                let mut frame = Vec::new();
                // Payload lengths 5 to 8: every padding of a pcapng block.
                let payload = [0x80, 0, 0, i as u8, 1, 2, 3, 4];
                let payload = &payload[..5 + usize::from(i % 4)];
                encapsulate_udp(link, vlan, Flow::new(src, dst), payload, &mut frame).unwrap();
                if i % 11 == 5 && i % 17 != 9 {
                    frame[ip_at + 9] = 6; // TCP: not a datagram at all.
                }
                let caplen = match i {
                    // The payload cut short.
                    _ if i % 13 == 7 => frame.len() - 3,
                    // Cut inside the IPv4 header: the headers the short way reads run into
                    // the next record.
                    _ if i % 19 == 12 => 30,
                    _ => frame.len(),
                };
                let ts = Timestamp::from_nanos(1_000_000_000 + u64::from(i) * 20_000_000);
                let orig = frame.len() as u32;
                frame.truncate(caplen);
                (ts, frame, orig)
            })
            .collect()
    }

    fn pcap(frames: &[Captured], link: u32, big_endian: bool, resolution: TsResolution) -> Vec<u8> {
        let opts = PcapWriterOptions {
            linktype: link,
            big_endian,
            resolution,
            ..PcapWriterOptions::default()
        };
        let mut w = PcapWriter::with_options(Vec::new(), opts).unwrap();
        for (ts, data, orig) in frames {
            w.write_record(*ts, data, *orig).unwrap();
        }
        w.into_inner().unwrap()
    }

    /// A pcapng file of `frames` on one interface of `link`, in microseconds or (`nanos`)
    /// nanoseconds; every `options_every`th packet block carries an option (a malformed one
    /// at frame 150). With `options_every` 151, frame 250's block is malformed.
    fn pcapng(
        frames: &[Captured],
        link: u32,
        big_endian: bool,
        nanos: bool,
        options_every: usize,
    ) -> Vec<u8> {
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut out = Vec::new();
        // `bad_trailer`: the trailing length field disagrees with the leading one.
        let mut block = |kind: u32, body: &[u8], bad_trailer: bool| {
            let len = 12 + body.len() as u32;
            out.extend(u32b(kind));
            out.extend(u32b(len));
            out.extend(body);
            out.extend(u32b(if bad_trailer { len + 4 } else { len }));
        };
        // Section header: byte-order magic, version 1.0, section length unknown.
        let mut shb = Vec::from(u32b(0x1A2B_3C4D));
        shb.extend(u16b(1));
        shb.extend(u16b(0));
        shb.extend([0xff; 8]);
        block(0x0A0D_0D0A, &shb, false);
        let mut idb = Vec::from(u16b(link as u16));
        idb.extend(u16b(0));
        idb.extend(u32b(65_535));
        if nanos {
            // if_tsresol 9, then the end of options.
            idb.extend(u16b(9));
            idb.extend(u16b(1));
            idb.extend([9, 0, 0, 0]);
            idb.extend([0; 4]);
        }
        block(1, &idb, false);
        for (i, (ts, data, orig)) in frames.iter().enumerate() {
            let units = if nanos {
                ts.as_nanos()
            } else {
                ts.as_nanos() / 1_000
            };
            let mut epb = Vec::from(u32b(0));
            epb.extend(u32b((units >> 32) as u32));
            epb.extend(u32b(units as u32));
            epb.extend(u32b(data.len() as u32));
            epb.extend(u32b(*orig));
            epb.extend(data);
            epb.resize(epb.len().next_multiple_of(4), 0);
            if i % options_every == options_every - 1 {
                // epb_flags: inbound; at frame 150, an option longer than its block (which
                // pcap-parser passes over).
                epb.extend(u16b(2));
                epb.extend(u16b(if i == 150 { 40 } else { 4 }));
                epb.extend(u32b(1));
                epb.extend([0; 4]);
            }
            block(6, &epb, i == 250 && options_every == 151);
        }
        out
    }

    /// How many frames `next_frame_passing` passes over when it may pass flows from odd
    /// ports (half of them); `capture_file` checks that it reads and counts as ever.
    fn passes(bytes: &[u8]) -> u32 {
        let mut reader = CaptureReader::new(InMemory(bytes)).unwrap();
        let mut passed = 0;
        while let Ok((n, Some(_))) =
            reader.next_frame_passing(3, |_, flow, _| flow.src_port() % 2 == 1)
        {
            passed += n;
        }
        passed
    }

    #[test]
    fn the_short_way_reads_what_the_general_reading_reads() {
        let links = [
            linktype::ETHERNET,
            linktype::LINUX_SLL,
            linktype::LINUX_SLL2,
            linktype::RAW,
        ];
        for link in links {
            let frames = frames(300, link);
            let files = [
                pcap(&frames, link, false, TsResolution::Micro),
                pcap(&frames, link, true, TsResolution::Nano),
                pcapng(&frames, link, false, false, 7),
                pcapng(&frames, link, true, true, 5),
                pcapng(&frames, link, false, true, 151),
            ];
            for bytes in &files {
                // The general reading, the short way and buffered reading agree, frame by
                // frame and in every counter, and passing over frames changes nothing else.
                crate::fuzzing::capture_file(bytes);
                // Half the flows may be passed, in runs of up to three: the short way is
                // taken.
                assert!(passes(bytes) > 60, "link {link}: {}", passes(bytes));
            }
        }
        // The malformed block ends the read there, whichever way.
        let cut = pcapng(
            &frames(300, linktype::ETHERNET),
            linktype::ETHERNET,
            false,
            true,
            151,
        );
        let (read, end) = crate::fuzzing::outcome(InMemory(&cut[..]));
        assert!(end.contains("pcapng block"), "{end}");
        assert_eq!(read.last().map(|f| f.1), Some(250));
    }

    #[test]
    fn a_block_length_the_general_parse_rejects_is_left_to_it() {
        let frames = frames(3, linktype::ETHERNET);
        let mut file = pcapng(&frames[..2], linktype::ETHERNET, false, false, 100);
        // One more packet block, 1 byte longer than a multiple of 4 (a filler byte before its
        // trailing length, which agrees): malformed, whichever way it is read.
        let mut block = pcapng(&frames[2..], linktype::ETHERNET, false, false, 100);
        let at = block.len() - (EPB_FIXED + frames[2].1.len().next_multiple_of(4) + 4);
        let mut epb = block.split_off(at);
        let len = epb.len() as u32 + 1;
        epb.splice(4..8, len.to_le_bytes());
        let end = epb.len() - 4;
        epb.splice(end.., [0].into_iter().chain(len.to_le_bytes()));
        file.extend(epb);
        crate::fuzzing::capture_file(&file);
        let (read, end) = crate::fuzzing::outcome(InMemory(&file[..]));
        assert_eq!(read.len(), 2);
        assert!(end.contains("pcapng block length"), "{end}");
    }

    #[test]
    fn passes_only_plain_frames_of_whole_records_on_links_it_knows() {
        let bytes = pcap(
            &frames(5, linktype::ETHERNET),
            linktype::ETHERNET,
            false,
            TsResolution::Micro,
        );
        let mut reader = CaptureReader::new(InMemory(&bytes[..bytes.len() - 1])).unwrap();
        // Frames 1 to 3 are passed; the tagged frame 4 is not offered.
        let (passed, frame) = reader.next_frame_passing(100, |_, _, _| true).unwrap();
        assert_eq!((passed, frame.map(|f| f.index)), (3, Some(4)));
        assert_eq!(
            reader.first_timestamp(),
            Some(Timestamp::from_nanos(1_000_000_000))
        );
        // The file ends inside the last record: reported as `next_frame` reports it.
        assert!(reader.next_frame_passing(100, |_, _, _| true).is_err());
        // A link the short way does not read (BSD loopback): nothing is offered.
        let mut w = PcapWriter::new(Vec::new(), linktype::NULL).unwrap();
        let flow = Flow::new(
            "10.0.0.1:4000".parse().unwrap(),
            "10.0.0.2:5000".parse().unwrap(),
        );
        w.write_udp(Timestamp::from_nanos(1), flow, b"\x80\0\0\x01")
            .unwrap();
        let raw = w.into_inner().unwrap();
        let mut reader = CaptureReader::new(InMemory(&raw[..])).unwrap();
        let (passed, frame) = reader.next_frame_passing(100, |_, _, _| true).unwrap();
        assert_eq!((passed, frame.map(|f| f.index)), (0, Some(1)));
    }
}
