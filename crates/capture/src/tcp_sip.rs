//! SIP messages over TCP (RFC 3261 §18.3), framed by Content-Length, put back together when
//! TCP split them, in bounded memory.
//!
//! An INVITE or a 200 OK carrying a large SDP (many codecs, ICE candidates) exceeds one
//! segment, and a link with a small MTU splits even a plain one; its SDP is what names the
//! call's dynamic payload types. A message that fits its segment is read in place. Otherwise
//! the segments of one connection are joined while each follows the last in sequence; a
//! segment that ends one message and begins the next keeps the next. At most [`MAX_PENDING`]
//! messages are joined at once, each at most 64 KiB; one whose next segment does not come
//! within [`TIMEOUT_NS`] of capture time, or comes out of order (a gap, or the capture missed
//! it), is abandoned, and every abandoned message is counted (`sip_tcp_abandoned`). The
//! segments a message was joined from are counted as the TCP they are (`not_udp`), except
//! the one that completes it, which is yielded (`sip_tcp`, and `sip_tcp_joined`).

use rtpscope_wire::Flow;

use crate::decap::{tcp_segment, TcpSegment};
use crate::sip::{framing, Framing, MAX_TCP_MESSAGE};
use crate::DropCounters;

/// Messages joined at once (connections with a message in flight).
pub const MAX_PENDING: usize = 64;
/// Capture time after which a message still missing segments is abandoned.
pub const TIMEOUT_NS: u64 = 5_000_000_000;

/// Where a segment's SIP message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// In the frame: `len` bytes from `at`.
    InFrame { at: usize, len: usize, flow: Flow },
    /// Joined from several segments: [`TcpSip::message`].
    Joined { flow: Flow },
}

#[derive(Debug)]
struct Pending {
    flow: Flow,
    /// The sequence number the next segment must carry.
    next_seq: u32,
    last_ns: u64,
    bytes: Vec<u8>,
}

/// The SIP-over-TCP messages of a capture's connections.
#[derive(Debug, Default)]
pub(crate) struct TcpSip {
    pending: Vec<Pending>,
    message: Vec<u8>,
}

impl TcpSip {
    /// Reads one frame that is IP but not UDP: the SIP message it completes, if any.
    pub(crate) fn take_frame(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        linktype: u32,
        frame: &[u8],
    ) -> Option<Found> {
        let segment = tcp_segment(linktype, frame)?;
        if segment.data.is_empty() {
            return None;
        }
        self.expire(counters, now_ns);
        if let Some(i) = self.pending.iter().position(|p| p.flow == segment.flow) {
            let behind = self.pending[i].next_seq.wrapping_sub(segment.seq);
            if behind < 1 << 31 {
                // The next segment (`behind` 0), or a retransmission: of data already joined,
                // or (repacketised) reaching past it.
                let new = segment.data.get(behind as usize..).unwrap_or_default();
                if new.is_empty() {
                    return None;
                }
                let rest = TcpSegment {
                    seq: segment.seq.wrapping_add(behind),
                    data: new,
                    ..segment
                };
                return self.extend(counters, now_ns, i, rest);
            }
            // A gap (the capture missed a segment, or they came out of order): the message
            // cannot be completed; this segment may begin another.
            self.pending.swap_remove(i);
            counters.sip_tcp_abandoned += 1;
        }
        // CRLFs before a message are keep-alives (RFC 5626), not part of it.
        let skip = leading_crlf(segment.data);
        let data = segment.data.get(skip..).unwrap_or_default();
        if data.is_empty() {
            return None;
        }
        let at = data.as_ptr() as usize - frame.as_ptr() as usize;
        let segment = TcpSegment { data, ..segment };
        self.begin(counters, now_ns, segment, at)
    }

    /// The message of the last [`Found::Joined`].
    pub(crate) fn message(&self) -> &[u8] {
        &self.message
    }

    /// End of input: messages still missing segments are abandoned.
    pub(crate) fn finish(&mut self, counters: &mut DropCounters) {
        counters.sip_tcp_abandoned += self.pending.len() as u64;
        self.pending.clear();
    }

    fn begin(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        segment: TcpSegment<'_>,
        at: usize,
    ) -> Option<Found> {
        let data = segment.data;
        match framing(data) {
            Framing::Whole(len) => {
                if let Some(rest) = data.get(len..).filter(|r| !r.is_empty()) {
                    self.hold(counters, now_ns, segment, rest);
                }
                Some(Found::InFrame {
                    at,
                    len,
                    flow: segment.flow,
                })
            }
            Framing::Partial => {
                self.hold(counters, now_ns, segment, data);
                None
            }
            Framing::Not => None,
        }
    }

    /// Keeps the beginning of a message at the end of `segment`, found in `rest` (what follows
    /// a message just read). Whole messages before it cannot be yielded from this frame: each
    /// is counted, and skipped.
    fn hold(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        segment: TcpSegment<'_>,
        mut rest: &[u8],
    ) {
        let start = loop {
            rest = rest.get(leading_crlf(rest)..).unwrap_or_default();
            match framing(rest) {
                _ if rest.is_empty() => return,
                Framing::Whole(len) => {
                    counters.sip_tcp_abandoned += 1;
                    rest = rest.get(len..).unwrap_or_default();
                }
                Framing::Partial => break rest,
                Framing::Not => {
                    // Bytes that begin no message: the stream is out of step until a segment
                    // begins one.
                    counters.sip_tcp_abandoned += 1;
                    return;
                }
            }
        };
        if self.pending.len() >= MAX_PENDING {
            let oldest = (0..self.pending.len()).min_by_key(|&i| self.pending[i].last_ns);
            if let Some(i) = oldest {
                self.pending.swap_remove(i);
                counters.sip_tcp_abandoned += 1;
            }
        }
        self.pending.push(Pending {
            flow: segment.flow,
            next_seq: next_seq(&segment),
            last_ns: now_ns,
            bytes: start.to_vec(),
        });
    }

    /// Adds the next segment to message `i`.
    fn extend(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        i: usize,
        segment: TcpSegment<'_>,
    ) -> Option<Found> {
        let p = self.pending.get_mut(i)?;
        if p.bytes.len() + segment.data.len() > MAX_TCP_MESSAGE {
            self.pending.swap_remove(i);
            counters.sip_tcp_abandoned += 1;
            return None;
        }
        p.bytes.extend_from_slice(segment.data);
        p.next_seq = next_seq(&segment);
        p.last_ns = now_ns;
        let len = match framing(&p.bytes) {
            Framing::Partial => return None,
            Framing::Not => {
                self.pending.swap_remove(i);
                counters.sip_tcp_abandoned += 1;
                return None;
            }
            Framing::Whole(len) => len,
        };
        let p = self.pending.swap_remove(i);
        counters.sip_tcp_joined += 1;
        self.message.clear();
        self.message
            .extend_from_slice(p.bytes.get(..len).unwrap_or_default());
        if let Some(rest) = p.bytes.get(len..).filter(|r| !r.is_empty()) {
            self.hold(counters, now_ns, segment, rest);
        }
        Some(Found::Joined { flow: segment.flow })
    }

    fn expire(&mut self, counters: &mut DropCounters, now_ns: u64) {
        let before = self.pending.len();
        self.pending
            .retain(|p| now_ns.saturating_sub(p.last_ns) < TIMEOUT_NS);
        counters.sip_tcp_abandoned += (before - self.pending.len()) as u64;
    }
}

/// Leading CR and LF bytes (keep-alives between messages).
fn leading_crlf(p: &[u8]) -> usize {
    p.iter().take_while(|&&b| b == b'\r' || b == b'\n').count()
}

fn next_seq(segment: &TcpSegment<'_>) -> u32 {
    segment.seq.wrapping_add(segment.data.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decap::linktype::ETHERNET;

    /// An Ethernet frame with a TCP segment from 192.0.2.1:`sport` to 192.0.2.2:5060.
    fn segment(sport: u16, seq: u32, data: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        let [l0, l1] = (40 + data.len() as u16).to_be_bytes();
        f.extend_from_slice(&[0x45, 0, l0, l1, 0, 0, 0x40, 0, 64, 6, 0, 0]);
        f.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&5060u16.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        f.extend_from_slice(data);
        f
    }

    fn message(call: &str) -> Vec<u8> {
        let body = format!("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 7000 RTP/AVP 111\r\n{call}\r\n");
        format!(
            "INVITE sip:b@192.0.2.2 SIP/2.0\r\nCall-ID: {call}\r\nContent-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    /// Feeds `(sport, seq, data, ns)` segments; returns what each gave (the joined bytes or
    /// the bytes in the frame) and the counters.
    fn feed(segments: &[(u16, u32, &[u8], u64)]) -> (Vec<Option<Vec<u8>>>, DropCounters) {
        let mut joiner = TcpSip::default();
        let mut c = DropCounters::default();
        let out = segments
            .iter()
            .map(|&(sport, seq, data, ns)| {
                let frame = segment(sport, seq, data);
                match joiner.take_frame(&mut c, ns, ETHERNET, &frame)? {
                    Found::InFrame { at, len, .. } => Some(frame[at..at + len].to_vec()),
                    Found::Joined { flow } => {
                        assert_eq!(flow.src().port(), sport);
                        Some(joiner.message().to_vec())
                    }
                }
            })
            .collect();
        joiner.finish(&mut c);
        (out, c)
    }

    #[test]
    fn a_message_split_over_segments_is_joined_past_retransmissions() {
        let m = message("a");
        let (one, two) = m.split_at(40);
        let (two, three) = two.split_at(25);
        let (got, c) = feed(&[
            (5060, 1000, one, 0),
            (5060, 1000, one, 1), // retransmitted
            (5060, 1040, two, 2),
            (5060, 1065, three, 3),
        ]);
        assert_eq!(got, [None, None, None, Some(m.clone())]);
        assert_eq!((c.sip_tcp_joined, c.sip_tcp_abandoned), (1, 0));
        // Whole in one segment: read in place.
        let (got, c) = feed(&[(5060, 7, &m, 0)]);
        assert_eq!(got, [Some(m)]);
        assert_eq!((c.sip_tcp_joined, c.sip_tcp_abandoned), (0, 0));
    }

    #[test]
    fn a_segment_that_ends_one_message_and_begins_the_next_gives_both() {
        let (a, b) = (message("a"), message("b"));
        let mut stream = a.clone();
        stream.extend_from_slice(&b);
        // Cut inside `a`, then at 10 bytes into `b`; then `a` whole with `b`'s start.
        let (s1, rest) = stream.split_at(30);
        let (s2, s3) = rest.split_at(a.len() - 30 + 10);
        let (got, c) = feed(&[
            (5060, 0, s1, 0),
            (5060, 30, s2, 1),
            (5060, (a.len() + 10) as u32, s3, 2),
        ]);
        assert_eq!(got, [None, Some(a.clone()), Some(b.clone())]);
        assert_eq!((c.sip_tcp_joined, c.sip_tcp_abandoned), (2, 0));
        let (first, second) = stream.split_at(a.len() + 10);
        let (got, c) = feed(&[(6000, 0, first, 0), (6000, first.len() as u32, second, 1)]);
        assert_eq!(got, [Some(a.clone()), Some(b)]);
        assert_eq!((c.sip_tcp_joined, c.sip_tcp_abandoned), (1, 0));
        // Two whole messages in one segment: the second is counted, not read.
        let (got, c) = feed(&[(6000, 0, &stream, 0)]);
        assert_eq!(got, [Some(a)]);
        assert_eq!(c.sip_tcp_abandoned, 1);
    }

    #[test]
    fn gaps_silence_and_floods_abandon_messages_and_count_them() {
        let m = message("a");
        let (one, two) = m.split_at(40);
        // A segment missing: abandoned; the next message on the connection is read again.
        let later = message("b");
        let (got, c) = feed(&[(5060, 0, one, 0), (5060, 500, &later, 1)]);
        assert_eq!(got, [None, Some(later)]);
        assert_eq!(c.sip_tcp_abandoned, 1);
        // Its rest 5 s later: the message expired, and a continuation alone is not SIP.
        let (got, c) = feed(&[(5060, 0, one, 0), (5060, 40, two, TIMEOUT_NS)]);
        assert_eq!(got, [None, None]);
        assert_eq!((c.sip_tcp_joined, c.sip_tcp_abandoned), (0, 1));
        // More connections at once than kept: the oldest goes; at the end the rest count.
        let starts: Vec<(u16, u32, &[u8], u64)> = (0..=MAX_PENDING as u16)
            .map(|i| (10_000 + i, 0, one, u64::from(i)))
            .collect();
        let (got, c) = feed(&starts);
        assert!(got.iter().all(Option::is_none));
        assert_eq!(c.sip_tcp_abandoned, MAX_PENDING as u64 + 1);
        // A Content-Length beyond the bound is never held.
        let huge = b"INVITE sip:b@192.0.2.2 SIP/2.0\r\nContent-Length: 70000\r\n\r\nv=0";
        let (got, c) = feed(&[(5060, 0, huge, 0)]);
        assert_eq!((got, c.sip_tcp_abandoned), (vec![None], 0));
    }

    #[test]
    fn keep_alives_back_to_back_messages_and_repacketised_retransmissions() {
        let (a, b, c) = (message("a"), message("b"), message("c"));
        // A CRLF keep-alive before a message, and one after: neither is a message.
        let mut crlf_a = b"\r\n".to_vec();
        crlf_a.extend_from_slice(&a);
        crlf_a.extend_from_slice(b"\r\n\r\n");
        let (got, cn) = feed(&[(5060, 0, &crlf_a, 0), (5060, 200, b"\r\n\r\n", 1)]);
        assert_eq!(got, [Some(a.clone()), None]);
        assert_eq!((cn.sip_tcp_joined, cn.sip_tcp_abandoned), (0, 0));
        // A and B whole and C begun in one segment, then the rest of C: A read, B counted as
        // unread, C joined.
        let mut first = a.clone();
        first.extend_from_slice(&b);
        first.extend_from_slice(&c[..10]);
        let seq = first.len() as u32;
        let (got, cn) = feed(&[(5060, 0, &first, 0), (5060, seq, &c[10..], 1)]);
        assert_eq!(got, [Some(a.clone()), Some(c.clone())]);
        assert_eq!((cn.sip_tcp_joined, cn.sip_tcp_abandoned), (1, 1));
        // A retransmission that reaches past what was joined (Linux repacketises) adds the
        // new bytes.
        let (got, cn) = feed(&[
            (5060, 1000, &a[..40], 0),
            (5060, 1040, &a[40..65], 1),
            (5060, 1040, &a[40..75], 2),
            (5060, 1075, &a[75..], 3),
        ]);
        assert_eq!(got, [None, None, None, Some(a)]);
        assert_eq!((cn.sip_tcp_joined, cn.sip_tcp_abandoned), (1, 0));
    }
}
