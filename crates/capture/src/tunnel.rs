//! Tunnels a probe meets on mirror ports and in mobile cores, opened to the packet inside:
//! IP in IP (IP protocols 4 and 41), GRE (RFC 2784, RFC 2890) carrying IP, Ethernet or
//! ERSPAN (types I, II and III), VXLAN (RFC 7348, UDP port 4789) and GTP-U (3GPP TS 29.281,
//! UDP port 2152, as VoLTE media crosses a mobile core). The inner 5-tuple is the stream's,
//! as Wireshark's RTP streams show it. [`crate::decap`] calls these; each returns what the
//! tunnel carries, or `None` when the bytes are not that tunnel.

use etherparse::{ip_number, IpNumber};

use crate::Skip;

/// Tunnels opened at most, one inside another: crafted input could nest them without end.
pub(crate) const MAX_DEPTH: u8 = 4;

/// The UDP ports of VXLAN and GTP-U.
const VXLAN_PORT: u16 = 4789;
const GTP_U_PORT: u16 = 2152;

/// What a tunnel carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inner<'a> {
    /// An IPv4 or IPv6 packet.
    Ip(&'a [u8]),
    /// An Ethernet frame (VXLAN, transparent Ethernet bridging, ERSPAN).
    Ethernet(&'a [u8]),
}

/// The tunnel in an IP packet's payload of this protocol, if it is one.
pub(crate) fn in_ip(protocol: u8, payload: &[u8]) -> Option<Result<Inner<'_>, Skip>> {
    match IpNumber(protocol) {
        // IP in IP (RFC 2003) and IPv6 in IP (RFC 2473).
        ip_number::IPV4 | ip_number::IPV6 => Some(Ok(Inner::Ip(payload))),
        ip_number::GRE => Some(gre(payload)),
        _ => None,
    }
}

/// Whether a UDP datagram between these ports may carry a tunnel: the three comparisons
/// every datagram pays.
#[inline]
pub(crate) fn on_tunnel_port(src_port: u16, dst_port: u16) -> bool {
    dst_port == VXLAN_PORT || dst_port == GTP_U_PORT || src_port == GTP_U_PORT
}

/// The tunnel in a UDP datagram between these ports, if it is one. `cut`: the capture kept
/// only the start of the datagram's payload, so the packet inside is cut short too.
pub(crate) fn in_udp(
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
    cut: bool,
) -> Option<Result<Inner<'_>, Skip>> {
    if dst_port == VXLAN_PORT {
        return vxlan(payload);
    }
    if dst_port == GTP_U_PORT || src_port == GTP_U_PORT {
        return gtp_u(payload, cut);
    }
    None
}

/// VXLAN: 8 bytes, the first with the I flag (a valid VNI) set, then an Ethernet frame. On
/// its own port an RTP packet would need 8 CSRCs to set that bit, so the flag decides.
fn vxlan(payload: &[u8]) -> Option<Result<Inner<'_>, Skip>> {
    let (header, frame) = payload.split_first_chunk::<8>()?;
    (header[0] & 0x08 != 0).then_some(Ok(Inner::Ethernet(frame)))
}

/// GTP-U: a G-PDU (message type 255) of version 1, its optional fields and extension
/// headers, then the user's IP packet. Other messages (echo, error indication) carry none.
fn gtp_u(payload: &[u8], cut: bool) -> Option<Result<Inner<'_>, Skip>> {
    const G_PDU: u8 = 0xff;
    let (header, rest) = payload.split_first_chunk::<8>()?;
    let flags = header[0];
    // Version 1 and protocol type GTP (not GTP'); an RTP packet starts with version 2.
    if flags & 0xf0 != 0x30 || header[1] != G_PDU {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let mut body = match rest.get(..len) {
        Some(body) => body,
        // The capture's snap length: the packet inside is yielded cut, for its headers.
        None if cut => rest,
        None => return Some(Err(Skip::Truncated)),
    };
    // What is missing was cut by the capture, or the header's length leaves it no room.
    let missing = if body.len() < len {
        Skip::Truncated
    } else {
        Skip::Malformed
    };
    // Sequence number, N-PDU number and next extension type come together when any of
    // the E, S or PN flags is set.
    if flags & 0x07 != 0 {
        let Some((opt, after)) = body.split_first_chunk::<4>() else {
            return Some(Err(missing));
        };
        body = after;
        // The next extension's type means something only with the E flag (TS 29.281 §5.1).
        let mut next = if flags & 0x04 != 0 { opt[3] } else { 0 };
        let mut hops = 0;
        while next != 0 {
            // Each extension: its length in 4-byte units (length byte included), its
            // content, then the next one's type.
            hops += 1;
            let words = body.first().map_or(0, |&w| usize::from(w));
            if hops > 8 || words == 0 {
                return Some(Err(Skip::Malformed));
            }
            let Some(ext) = body.get(..words * 4) else {
                return Some(Err(missing));
            };
            next = ext.last().copied().unwrap_or(0);
            body = body.get(words * 4..).unwrap_or_default();
        }
    }
    Some(match body.first().map(|b| b >> 4) {
        Some(4 | 6) => Ok(Inner::Ip(body)),
        Some(_) => Err(Skip::NotIp),
        None => Err(missing),
    })
}

/// GRE: flags and version, the protocol it carries, then the optional checksum, key and
/// sequence number words. Version 1 (PPTP's) and source routing are not opened.
pub(crate) fn gre(payload: &[u8]) -> Result<Inner<'_>, Skip> {
    const IPV4: u16 = 0x0800;
    const IPV6: u16 = 0x86dd;
    const ETHERNET: u16 = 0x6558;
    const ERSPAN_1_2: u16 = 0x88be;
    const ERSPAN_3: u16 = 0x22eb;
    let (header, _) = payload.split_first_chunk::<4>().ok_or(Skip::Truncated)?;
    let (flags, version) = (header[0], header[1] & 0x07);
    let (checksum, routing, key, sequence) = (
        flags & 0x80 != 0,
        flags & 0x40 != 0,
        flags & 0x20 != 0,
        flags & 0x10 != 0,
    );
    if version != 0 || routing {
        return Err(Skip::NotIp);
    }
    let len = 4 + 4 * (usize::from(checksum) + usize::from(key) + usize::from(sequence));
    let body = payload.get(len..).ok_or(Skip::Truncated)?;
    match u16::from_be_bytes([header[2], header[3]]) {
        IPV4 | IPV6 => Ok(Inner::Ip(body)),
        ETHERNET => Ok(Inner::Ethernet(body)),
        // ERSPAN type II has an 8-byte header and a GRE sequence number; type I has neither.
        ERSPAN_1_2 if sequence => body.get(8..).map(Inner::Ethernet).ok_or(Skip::Truncated),
        ERSPAN_1_2 => Ok(Inner::Ethernet(body)),
        // Type III: 12 bytes, then an 8-byte platform sub-header when its O flag is set; its
        // frame type (FT) 2 mirrors a bare IP packet, 0 an Ethernet frame.
        ERSPAN_3 => {
            let header = body.get(..12).ok_or(Skip::Truncated)?;
            let skip = if header[11] & 0x01 != 0 { 20 } else { 12 };
            let mirrored = body.get(skip..).ok_or(Skip::Truncated)?;
            Ok(match (header[10] >> 2) & 0x1f {
                2 => Inner::Ip(mirrored),
                _ => Inner::Ethernet(mirrored),
            })
        }
        _ => Err(Skip::NotIp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vxlan_needs_its_port_and_the_i_flag() {
        let mut p = vec![0x08, 0, 0, 0, 0, 0, 42, 0];
        p.extend_from_slice(&[0xaa; 14]);
        assert_eq!(
            in_udp(40000, 4789, &p, false),
            Some(Ok(Inner::Ethernet(&[0xaa; 14][..])))
        );
        assert_eq!(
            in_udp(4789, 40000, &p, false),
            None,
            "only the destination port is VXLAN's"
        );
        assert_eq!(in_udp(40000, 5004, &p, false), None);
        // An RTP packet (no CSRC) on the port is not taken for VXLAN.
        p[0] = 0x80;
        assert_eq!(in_udp(40000, 4789, &p, false), None);
        assert_eq!(in_udp(40000, 4789, &p[..7], false), None);
    }

    #[test]
    fn gtp_u_opens_g_pdus_with_and_without_extension_headers() {
        let ip = [
            0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        // No optional fields.
        let mut plain = vec![0x30, 0xff, 0, 20, 0, 0, 0, 1];
        plain.extend_from_slice(&ip);
        assert_eq!(
            in_udp(2152, 2152, &plain, false),
            Some(Ok(Inner::Ip(&ip[..])))
        );
        // E flag: optional word whose last byte is the next extension's type (0x85, PDU
        // session container), one 4-byte extension, then no more (0).
        let mut ext = vec![
            0x34, 0xff, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0x10, 0x09, 0,
        ];
        ext.extend_from_slice(&ip);
        assert_eq!(
            in_udp(2152, 2152, &ext, false),
            Some(Ok(Inner::Ip(&ip[..])))
        );
        // Bytes beyond the GTP length are not the packet's.
        let mut padded = plain.clone();
        padded.extend_from_slice(&[0; 6]);
        assert_eq!(
            in_udp(1234, 2152, &padded, false),
            Some(Ok(Inner::Ip(&ip[..])))
        );
        // S flag only: the optional word is there, but its next-extension byte means nothing.
        let mut seq_only = vec![0x32, 0xff, 0, 24, 0, 0, 0, 1, 0, 1, 0, 0x85];
        seq_only.extend_from_slice(&ip);
        assert_eq!(
            in_udp(2152, 2152, &seq_only, false),
            Some(Ok(Inner::Ip(&ip[..])))
        );
        // An echo request (type 1) carries no user packet; an RTP packet is not GTP.
        let mut echo = plain.clone();
        echo[1] = 1;
        assert_eq!(in_udp(2152, 2152, &echo, false), None);
        assert_eq!(in_udp(2152, 2152, &[0x80; 20], false), None);
        // Cut short, or an extension of length 0 (which would never end).
        assert_eq!(
            in_udp(2152, 2152, &plain[..20], false),
            Some(Err(Skip::Truncated))
        );
        // Cut by the capture inside the packet it carries: that packet, cut.
        assert_eq!(
            in_udp(2152, 2152, &plain[..20], true),
            Some(Ok(Inner::Ip(&plain[8..20])))
        );
        let mut zero = ext.clone();
        zero[12] = 0;
        assert_eq!(in_udp(2152, 2152, &zero, false), Some(Err(Skip::Malformed)));
        // The optional word cut by the capture is missing, not malformed; a length that
        // leaves it no room is malformed.
        assert_eq!(
            in_udp(2152, 2152, &ext[..10], true),
            Some(Err(Skip::Truncated))
        );
        let mut no_room = ext[..10].to_vec();
        no_room[3] = 2;
        assert_eq!(
            in_udp(2152, 2152, &no_room, false),
            Some(Err(Skip::Malformed))
        );
    }

    #[test]
    fn gre_variants() {
        let body = [0x45u8, 1, 2, 3];
        let with = |head: &[u8]| [head, &body[..]].concat();
        assert_eq!(gre(&with(&[0, 0, 0x08, 0])), Ok(Inner::Ip(&body[..])));
        // Checksum, key and sequence number: 12 more bytes.
        let all = with(&[0xb0, 0, 0x86, 0xdd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 9]);
        assert_eq!(gre(&all), Ok(Inner::Ip(&body[..])));
        assert_eq!(
            gre(&with(&[0, 0, 0x65, 0x58])),
            Ok(Inner::Ethernet(&body[..]))
        );
        // ERSPAN type II (sequence number present, 8-byte header) and type I (neither).
        let erspan2 = with(&[0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(gre(&erspan2), Ok(Inner::Ethernet(&body[..])));
        assert_eq!(
            gre(&with(&[0, 0, 0x88, 0xbe])),
            Ok(Inner::Ethernet(&body[..]))
        );
        // ERSPAN type III, with and without the platform sub-header.
        let mut e3 = vec![0x10, 0, 0x22, 0xeb, 0, 0, 0, 1];
        e3.extend_from_slice(&[0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            gre(&[&e3[..], &body[..]].concat()),
            Ok(Inner::Ethernet(&body[..]))
        );
        e3[8 + 11] = 0x01;
        e3.extend_from_slice(&[0; 8]);
        assert_eq!(
            gre(&[&e3[..], &body[..]].concat()),
            Ok(Inner::Ethernet(&body[..]))
        );
        // Frame type 2: the mirrored packet is bare IP.
        e3[8 + 10] = 2 << 2;
        assert_eq!(
            gre(&[&e3[..], &body[..]].concat()),
            Ok(Inner::Ip(&body[..]))
        );
        // PPTP's version 1, routing, unknown payloads and short headers.
        assert_eq!(gre(&with(&[0, 1, 0x88, 0x0b])), Err(Skip::NotIp));
        assert_eq!(gre(&with(&[0x40, 0, 0x08, 0])), Err(Skip::NotIp));
        assert_eq!(gre(&with(&[0, 0, 0x08, 0x06])), Err(Skip::NotIp));
        assert_eq!(gre(&[0x80, 0, 0x08, 0, 0]), Err(Skip::Truncated));
        assert_eq!(gre(&[0, 0, 0x08]), Err(Skip::Truncated));
    }
}
