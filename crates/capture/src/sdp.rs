//! SDP (RFC 8866) media descriptions: where media is received and which payload types it uses.
//!
//! Only what RTP analysis needs is read: `c=`, `m=`, `a=rtpmap`, the direction attributes
//! and `a=rtcp-mux`. Payload types listed on `m=` without an `a=rtpmap` get their RFC 3551
//! static mapping.
//!
//! ```
//! use rtpscope_capture::sdp::parse_sdp;
//!
//! let sdp = "v=0\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\nm=audio 5006 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\n";
//! let media = parse_sdp(sdp);
//! assert_eq!(media[0].addr.to_string(), "192.0.2.7:5006");
//! let opus = &media[0].payloads[0];
//! assert_eq!((opus.payload_type, opus.encoding.as_str(), opus.clock_rate, opus.channels), (111, "opus", 48000, Some(2)));
//! assert_eq!(media[0].payloads[1].encoding, "PCMU"); // static, from RFC 3551
//! ```

use std::net::{IpAddr, SocketAddr};

/// A payload type and what it means in this session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayloadMapping {
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name as written (`PCMU`, `opus`, `VP8`, ...).
    pub encoding: String,
    /// RTP clock rate, Hz.
    pub clock_rate: u32,
    /// Audio channels, when given.
    pub channels: Option<u8>,
}

/// One `m=` line of an SDP body, with its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpMedia {
    /// Where this party receives the media (`c=` address, `m=` port).
    pub addr: SocketAddr,
    /// `audio`, `video`, ...
    pub media: String,
    /// Transport protocol (`RTP/AVP`, `RTP/SAVPF`, ...).
    pub protocol: String,
    /// Payload types in `m=` order.
    pub payloads: Vec<PayloadMapping>,
    /// `sendrecv` (default), `sendonly`, `recvonly` or `inactive`.
    pub direction: String,
    /// `a=rtcp-mux`: RTCP shares the RTP port.
    pub rtcp_mux: bool,
}

/// A media endpoint learnt from SIP signalling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaEndpoint {
    /// The SIP Call-ID.
    pub call_id: String,
    /// Where this party receives the media.
    pub addr: SocketAddr,
    /// `audio`, `video`, ...
    pub media: String,
    /// Payload types with encoding and clock rate.
    pub payloads: Vec<PayloadMapping>,
    /// From the offer (true) or the answer (false).
    pub from_offer: bool,
    /// `sendrecv`, `sendonly`, `recvonly` or `inactive`.
    pub direction: String,
    /// `a=rtcp-mux`.
    pub rtcp_mux: bool,
}

/// The RFC 3551 static payload type `pt`, if it is one.
pub fn static_payload(pt: u8) -> Option<PayloadMapping> {
    let (name, rate, ch): (&str, u32, u8) = match pt {
        0 => ("PCMU", 8000, 1),
        3 => ("GSM", 8000, 1),
        4 => ("G723", 8000, 1),
        5 => ("DVI4", 8000, 1),
        6 => ("DVI4", 16000, 1),
        7 => ("LPC", 8000, 1),
        8 => ("PCMA", 8000, 1),
        9 => ("G722", 8000, 1), // 16 kHz audio, 8 kHz RTP clock: RFC 3551 §4.5.2
        10 => ("L16", 44100, 2),
        11 => ("L16", 44100, 1),
        12 => ("QCELP", 8000, 1),
        13 => ("CN", 8000, 1),
        14 => ("MPA", 90000, 0),
        15 => ("G728", 8000, 1),
        16 => ("DVI4", 11025, 1),
        17 => ("DVI4", 22050, 1),
        18 => ("G729", 8000, 1),
        25 => ("CelB", 90000, 0),
        26 => ("JPEG", 90000, 0),
        28 => ("nv", 90000, 0),
        31 => ("H261", 90000, 0),
        32 => ("MPV", 90000, 0),
        33 => ("MP2T", 90000, 0),
        34 => ("H263", 90000, 0),
        _ => return None,
    };
    Some(PayloadMapping {
        payload_type: pt,
        encoding: name.to_string(),
        clock_rate: rate,
        channels: (ch > 0).then_some(ch),
    })
}

/// Reads the media descriptions of an SDP body. Lines it does not understand are ignored;
/// `m=` lines without a usable address or with port 0 (rejected streams) are left out.
pub fn parse_sdp(text: &str) -> Vec<SdpMedia> {
    let mut session_addr: Option<IpAddr> = None;
    let mut out: Vec<(SdpMedia, Option<IpAddr>, u16)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key {
            "c" => {
                let addr = parse_connection(value);
                match out.last_mut() {
                    Some((_, media_addr, _)) => *media_addr = addr.or(*media_addr),
                    None => session_addr = addr,
                }
            }
            "m" => {
                let mut parts = value.split_ascii_whitespace();
                let media = parts.next().unwrap_or_default().to_string();
                let port = parts
                    .next()
                    .and_then(|p| p.split('/').next())
                    .and_then(|p| p.parse::<u16>().ok());
                let protocol = parts.next().unwrap_or_default().to_string();
                let payloads = parts
                    .filter_map(|f| f.parse::<u8>().ok())
                    .filter(|pt| *pt < 128)
                    .map(|pt| {
                        static_payload(pt).unwrap_or(PayloadMapping {
                            payload_type: pt,
                            encoding: String::new(),
                            clock_rate: 0,
                            channels: None,
                        })
                    });
                let m = SdpMedia {
                    addr: SocketAddr::new(IpAddr::from([0, 0, 0, 0]), 0),
                    media,
                    protocol,
                    payloads: payloads.collect(),
                    direction: "sendrecv".to_string(),
                    rtcp_mux: false,
                };
                out.push((m, None, port.unwrap_or(0)));
            }
            "a" => {
                let Some((m, _, _)) = out.last_mut() else {
                    continue;
                };
                if let Some(map) = value.strip_prefix("rtpmap:") {
                    apply_rtpmap(m, map);
                } else if matches!(value, "sendrecv" | "sendonly" | "recvonly" | "inactive") {
                    m.direction = value.to_string();
                } else if value == "rtcp-mux" {
                    m.rtcp_mux = true;
                }
            }
            _ => {}
        }
    }
    out.into_iter()
        .filter_map(|(mut m, addr, port)| {
            let ip = addr.or(session_addr)?;
            if port == 0 {
                return None;
            }
            m.addr = SocketAddr::new(ip, port);
            Some(m)
        })
        .collect()
}

fn parse_connection(value: &str) -> Option<IpAddr> {
    let mut parts = value.split_ascii_whitespace();
    let (_net, _kind, addr) = (parts.next()?, parts.next()?, parts.next()?);
    // Multicast addresses may carry /ttl[/count].
    addr.split('/').next()?.parse().ok()
}

fn apply_rtpmap(m: &mut SdpMedia, map: &str) {
    let Some((pt, rest)) = map.split_once(' ') else {
        return;
    };
    let Ok(pt) = pt.trim().parse::<u8>() else {
        return;
    };
    let mut fields = rest.trim().split('/');
    let encoding = fields.next().unwrap_or_default().to_string();
    let Some(clock_rate) = fields.next().and_then(|r| r.trim().parse::<u32>().ok()) else {
        return;
    };
    let channels = fields.next().and_then(|c| c.trim().parse::<u8>().ok());
    let mapping = PayloadMapping {
        payload_type: pt,
        encoding,
        clock_rate,
        channels,
    };
    match m.payloads.iter_mut().find(|p| p.payload_type == pt) {
        Some(slot) => *slot = mapping,
        None => m.payloads.push(mapping),
    }
}
