//! SIP (RFC 3261) over UDP, and over TCP where a message fills one segment
//! ([`crate::decap::tcp_sip_message`]): calls and the media endpoints their SDP bodies
//! announce.
//!
//! ```
//! use rtpscope_capture::SipTracker;
//! use rtpscope_wire::{Flow, Timestamp};
//!
//! let invite = "INVITE sip:bob@192.0.2.2 SIP/2.0\r\nCall-ID: abc@192.0.2.1\r\nCSeq: 1 INVITE\r\n\
//!               Content-Type: application/sdp\r\n\r\n\
//!               v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 7000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
//! let flow = Flow::new("192.0.2.1:5060".parse().unwrap(), "192.0.2.2:5060".parse().unwrap());
//! let mut sip = SipTracker::new();
//! assert!(sip.observe(Timestamp::ZERO, flow, invite.as_bytes()));
//! assert_eq!(sip.media()[0].call_id, "abc@192.0.2.1");
//! let rtp = Flow::new("192.0.2.2:5004".parse().unwrap(), "192.0.2.1:7000".parse().unwrap());
//! assert_eq!(sip.payload_mapping(&rtp, 111).unwrap().clock_rate, 48000);
//! ```

use std::net::SocketAddr;

use foldhash::HashMap;
use rtpscope_wire::{Flow, Timestamp};

use crate::sdp::{parse_sdp, MediaEndpoint, PayloadMapping};

/// Calls remembered at most; later calls are counted and ignored.
const MAX_CALLS: usize = 10_000;
/// Media endpoints remembered at most.
const MAX_MEDIA: usize = 40_000;

const METHODS: [&str; 14] = [
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "PRACK",
    "UPDATE",
    "INFO",
    "SUBSCRIBE",
    "NOTIFY",
    "REFER",
    "MESSAGE",
    "PUBLISH",
];

/// One SIP dialog, by Call-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipCall {
    /// The Call-ID header.
    pub call_id: String,
    /// The From header of the first message seen.
    pub from: String,
    /// The To header of the first message seen.
    pub to: String,
    /// The flow of the first message seen.
    pub signalling: Flow,
    /// When the first message was seen.
    pub first_seen: Timestamp,
    /// When a 2xx answered the INVITE.
    pub answered: Option<Timestamp>,
    /// When a BYE or CANCEL was seen.
    pub ended: Option<Timestamp>,
    /// Whether an SDP offer was seen (the next SDP is the answer).
    pub offer_seen: bool,
}

/// Follows SIP messages and collects the media endpoints of their SDP bodies. Bounded.
///
/// Dialogs and endpoints are found through indexes, so a message costs the same with ten
/// thousand calls known as with one (a scan of every call per message took 3 s for the 50 000
/// messages of 10 000 calls; `benches/benches/signalling.rs`).
#[derive(Debug, Default)]
pub struct SipTracker {
    calls: Vec<SipCall>,
    media: Vec<MediaEndpoint>,
    /// Position in `calls` by Call-ID.
    call_at: HashMap<String, usize>,
    /// Position in `media` by call position and endpoint.
    media_at: HashMap<(usize, SocketAddr), usize>,
    /// Positions in `media` by endpoint, oldest first.
    media_of: HashMap<SocketAddr, Vec<usize>>,
    messages: u64,
    dropped: u64,
}

impl SipTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one UDP payload; returns whether it was a SIP message.
    pub fn observe(&mut self, ts: Timestamp, flow: Flow, payload: &[u8]) -> bool {
        if !looks_like_sip(payload) {
            return false;
        }
        let split = find(payload, b"\r\n\r\n")
            .map(|i| (i, i + 4))
            .or_else(|| find(payload, b"\n\n").map(|i| (i, i + 2)));
        let (head_end, body_start) = split.unwrap_or((payload.len(), payload.len()));
        let head = String::from_utf8_lossy(payload.get(..head_end).unwrap_or_default());
        let mut lines = head.lines();
        let start = lines.next().unwrap_or_default();
        let mut call_id = None;
        let mut content_type = String::new();
        let mut content_length = None;
        let mut cseq_method = String::new();
        let (mut from, mut to) = (String::new(), String::new());
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "call-id" | "i" => call_id = Some(value.to_string()),
                "content-type" | "c" => content_type = value.to_ascii_lowercase(),
                "content-length" | "l" => content_length = value.parse::<usize>().ok(),
                "cseq" => {
                    cseq_method = value
                        .split_ascii_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_string()
                }
                "from" | "f" => from = value.to_string(),
                "to" | "t" => to = value.to_string(),
                _ => {}
            }
        }
        self.messages += 1;
        let Some(call_id) = call_id else {
            return true;
        };
        let mut body = payload.get(body_start..).unwrap_or_default();
        if let Some(len) = content_length {
            body = body.get(..len).unwrap_or(body);
        }
        let idx = match self.call_at.get(&call_id) {
            Some(&i) => i,
            None if self.calls.len() < MAX_CALLS => {
                self.call_at.insert(call_id.clone(), self.calls.len());
                self.calls.push(SipCall {
                    call_id: call_id.clone(),
                    from,
                    to,
                    signalling: flow,
                    first_seen: ts,
                    answered: None,
                    ended: None,
                    offer_seen: false,
                });
                self.calls.len() - 1
            }
            None => {
                self.dropped += 1;
                return true;
            }
        };
        let Some(call) = self.calls.get_mut(idx) else {
            return true;
        };
        let status = start
            .strip_prefix("SIP/2.0 ")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse::<u16>().ok());
        match status {
            Some(200..=299) if cseq_method == "INVITE" => {
                call.answered = call.answered.or(Some(ts))
            }
            None if start.starts_with("BYE ") || start.starts_with("CANCEL ") => {
                call.ended = call.ended.or(Some(ts))
            }
            _ => {}
        }
        let is_sdp = content_type.starts_with("application/sdp")
            || (content_type.is_empty() && body.starts_with(b"v=0"));
        if is_sdp && !body.is_empty() {
            let from_offer = !call.offer_seen;
            call.offer_seen = true;
            for m in parse_sdp(&String::from_utf8_lossy(body)) {
                let endpoint = MediaEndpoint {
                    call_id: call_id.clone(),
                    addr: m.addr,
                    media: m.media,
                    payloads: m.payloads,
                    from_offer,
                    direction: m.direction,
                    rtcp_mux: m.rtcp_mux,
                };
                // A re-INVITE or a retransmission updates the endpoint rather than adding one.
                let known = self.media_at.get(&(idx, endpoint.addr)).copied();
                if let Some(slot) = known.and_then(|i| self.media.get_mut(i)) {
                    *slot = endpoint;
                } else if self.media.len() < MAX_MEDIA {
                    self.media_at.insert((idx, endpoint.addr), self.media.len());
                    self.media_of
                        .entry(endpoint.addr)
                        .or_default()
                        .push(self.media.len());
                    self.media.push(endpoint);
                } else {
                    self.dropped += 1;
                }
            }
        }
        true
    }

    /// Media endpoints learnt so far, in the order first seen.
    pub fn media(&self) -> &[MediaEndpoint] {
        &self.media
    }

    /// Calls seen so far.
    pub fn calls(&self) -> &[SipCall] {
        &self.calls
    }

    /// SIP messages read.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Calls or endpoints not remembered because a bound was reached.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// What payload type `pt` means on `flow`: from the SDP of the receiving endpoint (the
    /// flow's destination), else of the sending one, else the RFC 3551 static table.
    pub fn payload_mapping(&self, flow: &Flow, pt: u8) -> Option<PayloadMapping> {
        let find = |addr| {
            self.media_of
                .get(&addr)?
                .iter()
                .rev()
                .filter_map(|&i| self.media.get(i))
                .find_map(|e| {
                    e.payloads
                        .iter()
                        .find(|p| p.payload_type == pt && p.clock_rate > 0)
                })
        };
        find(flow.dst())
            .or_else(|| find(flow.src()))
            .cloned()
            .or_else(|| crate::sdp::static_payload(pt))
    }
}

/// How much of a TCP byte stream's next SIP message `p` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// A whole message: its start line, headers, Content-Length (required over TCP) and that
    /// many bytes of body, in the first this many bytes of `p`.
    Whole(usize),
    /// The start of a message whose headers or body go on in later segments.
    Partial,
    /// Not the start of a SIP message, or one that can never be whole (no Content-Length,
    /// or longer than [`MAX_TCP_MESSAGE`]).
    Not,
}

/// The longest SIP message put together from TCP segments (RFC 3261 sets no limit; an
/// INVITE with a large SDP is a few kilobytes).
pub(crate) const MAX_TCP_MESSAGE: usize = 65_535;

/// Frames the SIP message at the start of `p` (RFC 3261 §18.3: by Content-Length).
pub(crate) fn framing(p: &[u8]) -> Framing {
    if !looks_like_sip(p) {
        return if could_begin_sip(p) {
            Framing::Partial
        } else {
            Framing::Not
        };
    }
    let Some(head_end) = find(p, b"\r\n\r\n") else {
        return if p.len() < MAX_TCP_MESSAGE {
            Framing::Partial
        } else {
            Framing::Not
        };
    };
    let head = p.get(..head_end).unwrap_or_default();
    let length = head.split(|&b| b == b'\n').find_map(|line| {
        let (name, value) = std::str::from_utf8(line).ok()?.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l"))
            .then(|| value.trim().parse::<usize>().ok())?
    });
    // Checked: a crafted Content-Length may be near usize::MAX.
    match length.and_then(|len| (head_end + 4).checked_add(len)) {
        Some(total) if total <= p.len() => Framing::Whole(total),
        Some(total) if total <= MAX_TCP_MESSAGE => Framing::Partial,
        _ => Framing::Not,
    }
}

/// `p` is one SIP message and all of it, nothing more.
pub(crate) fn is_whole_message(p: &[u8]) -> bool {
    framing(p) == Framing::Whole(p.len())
}

fn looks_like_sip(p: &[u8]) -> bool {
    if p.starts_with(b"SIP/2.0 ") {
        return true;
    }
    METHODS.iter().any(|m| {
        p.len() > m.len() + 5
            && p.starts_with(m.as_bytes())
            && p.get(m.len()) == Some(&b' ')
            && p.get(m.len() + 1..).is_some_and(|r| {
                r.starts_with(b"sip:") || r.starts_with(b"sips:") || r.starts_with(b"tel:")
            })
    })
}

/// `p` is too short to tell, but every byte so far agrees with a SIP start line (a segment
/// may end a few bytes into the next message).
fn could_begin_sip(p: &[u8]) -> bool {
    // `p` is a proper prefix of the pieces' concatenation (no allocation: every TCP segment
    // of a capture may come here).
    let agrees = |pieces: &[&[u8]]| {
        let mut rest = p;
        for (i, piece) in pieces.iter().enumerate() {
            let n = rest.len().min(piece.len());
            if rest.get(..n) != piece.get(..n) {
                return false;
            }
            rest = rest.get(n..).unwrap_or_default();
            if rest.is_empty() {
                return n < piece.len() || i + 1 < pieces.len();
            }
        }
        false
    };
    !p.is_empty()
        && (agrees(&[b"SIP/2.0 "])
            || METHODS.iter().any(|m| {
                [&b" sip:"[..], b" sips:", b" tel:"]
                    .iter()
                    .any(|scheme| agrees(&[m.as_bytes(), scheme, b"x"]))
            }))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_bytes_that_may_begin_a_message_are_partial() {
        use Framing::{Not, Partial};
        for (p, want) in [
            (&b"S"[..], Partial),
            (b"SIP/2.0", Partial),
            (b"INVITE", Partial),
            (b"INVITE ", Partial),
            (b"BYE si", Partial),
            (b"ACK sips", Partial),
            (b"REFER tel", Partial),
            (b"", Not),
            (b"SIP/2.1", Not),
            (b"GET / HTTP/1.1", Not),
            (b"INVITEX", Not),
            (b"INVITE http", Not),
            (b"\r\n\r\n", Not),
        ] {
            assert_eq!(framing(p), want, "{}", String::from_utf8_lossy(p));
        }
        // Long enough to tell: the start line is read, and the message goes on.
        assert_eq!(framing(b"INVITE sip:b@x SIP/2.0\r\n"), Framing::Partial);
        assert_eq!(
            framing(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
            Framing::Whole(37)
        );
        // No Content-Length: over TCP it can never be framed.
        assert_eq!(framing(b"SIP/2.0 200 OK\r\n\r\n"), Framing::Not);
    }

    fn invite(call: &str, port: u16, pt: u8) -> Vec<u8> {
        let body = format!("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio {port} RTP/AVP {pt}\r\n");
        format!(
            "INVITE sip:bob@192.0.2.2 SIP/2.0\r\nCall-ID: {call}\r\nCSeq: 1 INVITE\r\n\
             Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn flow() -> Flow {
        Flow::new(
            "192.0.2.1:5060".parse().expect("addr"),
            "192.0.2.2:5060".parse().expect("addr"),
        )
    }

    #[test]
    fn a_whole_message_is_its_headers_and_content_length_bytes() {
        let body = "v=0\r\nm=audio 7000 RTP/AVP 0\r\n";
        let msg = format!(
            "INVITE sip:b@192.0.2.2 SIP/2.0\r\nCall-ID: x\r\nl: {}\r\n\r\n{body}",
            body.len()
        );
        let msg = msg.as_bytes();
        assert!(is_whole_message(msg));
        // Cut inside the body, followed by another message's bytes, or without a length.
        assert!(!is_whole_message(&msg[..msg.len() - 1]));
        assert!(!is_whole_message(&[msg, b"SIP/2.0 100 Trying"].concat()));
        assert!(!is_whole_message(
            b"BYE sip:b@192.0.2.2 SIP/2.0\r\nCall-ID: x\r\n\r\n"
        ));
        assert!(is_whole_message(
            b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
        ));
        assert!(!is_whole_message(
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        ));
        assert!(!is_whole_message(
            b"SIP/2.0 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nv=0"
        ));
    }

    #[test]
    fn a_re_invite_updates_its_endpoint_and_other_calls_keep_theirs() {
        let mut sip = SipTracker::new();
        for message in [
            invite("a", 7000, 0),
            invite("a", 7000, 0), // retransmission
            invite("b", 7000, 0), // another call, same endpoint
            invite("a", 7000, 8), // re-INVITE: PCMA now
            invite("a", 7002, 8), // a second stream of call a
        ] {
            assert!(sip.observe(Timestamp::ZERO, flow(), &message));
        }
        let found: Vec<(&str, u16, u8)> = sip
            .media()
            .iter()
            .map(|m| {
                (
                    m.call_id.as_str(),
                    m.addr.port(),
                    m.payloads[0].payload_type,
                )
            })
            .collect();
        assert_eq!(found, [("a", 7000, 8), ("b", 7000, 0), ("a", 7002, 8)]);
        let calls: Vec<&str> = sip.calls().iter().map(|c| c.call_id.as_str()).collect();
        assert_eq!(calls, ["a", "b"]);
        assert_eq!((sip.messages(), sip.dropped()), (5, 0));
    }

    #[test]
    fn calls_beyond_the_bound_are_counted_not_kept() {
        let mut sip = SipTracker::new();
        for i in 0..MAX_CALLS + 3 {
            sip.observe(Timestamp::ZERO, flow(), &invite(&format!("c{i}"), 7000, 0));
        }
        // A known call still updates past the bound.
        sip.observe(Timestamp::ZERO, flow(), &invite("c0", 7000, 8));
        assert_eq!(sip.calls().len(), MAX_CALLS);
        assert_eq!(sip.dropped(), 3);
        assert_eq!(sip.media()[0].payloads[0].payload_type, 8);
    }
}
