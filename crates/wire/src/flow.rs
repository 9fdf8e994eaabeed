//! The UDP flow a datagram travelled on.
//!
//! ```
//! use rtpscope_wire::Flow;
//!
//! let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
//! assert_eq!(flow.reversed().reversed(), flow);
//! assert_eq!(flow.to_string(), "10.0.0.1:4000 -> 10.0.0.2:5000");
//! ```

use core::cmp::Ordering;
use core::net::{IpAddr, SocketAddr};

use crate::endpoint::Endpoint;

/// Source and destination transport addresses of one UDP datagram.
///
/// Held as plain words (each address as 128 bits, the ports and address families in one
/// more), not as two `SocketAddr` enums: a flow is built for every frame and copied into
/// every record and key, and whole words copy, hash and compare in a few instructions where
/// an enum's byte-sized parts cost a stall each time they are read back as a block. IPv6
/// flow labels and scope ids are not kept (captures carry none).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    src_ip: [u64; 2],
    dst_ip: [u64; 2],
    /// Source port << 16 | destination port, plus bit 33 (source) and bit 32 (destination)
    /// set for IPv6.
    ports: u64,
}

/// Word by word: a derived `Hash` would feed each address array to the hasher as a length
/// and a byte slice, the slow path of word-oriented hashers such as foldhash, and flows are
/// hashed for every datagram (the RTP detector, the stream table). Equal flows have equal
/// words, so this agrees with `Eq`.
impl core::hash::Hash for Flow {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.src_ip[0]);
        state.write_u64(self.src_ip[1]);
        state.write_u64(self.dst_ip[0]);
        state.write_u64(self.dst_ip[1]);
        state.write_u64(self.ports);
    }
}

const SRC_V6: u64 = 1 << 33;
const DST_V6: u64 = 1 << 32;

#[inline]
fn split(ip: IpAddr) -> ([u64; 2], bool) {
    let (bits, v6) = match ip {
        IpAddr::V4(v4) => (u128::from(v4.to_bits()), false),
        IpAddr::V6(v6) => (v6.to_bits(), true),
    };
    ([(bits >> 64) as u64, bits as u64], v6)
}

#[inline]
const fn wide(words: [u64; 2]) -> u128 {
    (words[0] as u128) << 64 | words[1] as u128
}

impl Flow {
    /// A flow from its two ends.
    #[inline]
    pub fn new(src: SocketAddr, dst: SocketAddr) -> Self {
        let (src_ip, src_v6) = split(src.ip());
        let (dst_ip, dst_v6) = split(dst.ip());
        Flow {
            src_ip,
            dst_ip,
            ports: (u64::from(src.port()) << 16)
                | u64::from(dst.port())
                | if src_v6 { SRC_V6 } else { 0 }
                | if dst_v6 { DST_V6 } else { 0 },
        }
    }

    /// A flow between two IPv4 endpoints, from their addresses and ports as integers (what a
    /// decoder reads from the headers).
    #[inline]
    pub const fn from_v4(src: u32, src_port: u16, dst: u32, dst_port: u16) -> Self {
        Flow {
            src_ip: [0, src as u64],
            dst_ip: [0, dst as u64],
            ports: ((src_port as u64) << 16) | dst_port as u64,
        }
    }

    /// Sender address and port.
    #[inline]
    pub fn src(&self) -> SocketAddr {
        self.src_end().socket_addr()
    }

    /// Receiver address and port.
    #[inline]
    pub fn dst(&self) -> SocketAddr {
        self.dst_end().socket_addr()
    }

    /// Sender end, which prints as its `SocketAddr` does, only faster.
    #[inline]
    pub const fn src_end(&self) -> Endpoint {
        let (bits, v6) = self.src_bits();
        Endpoint::new(bits, v6, self.src_port())
    }

    /// Receiver end (see [`Flow::src_end`]).
    #[inline]
    pub const fn dst_end(&self) -> Endpoint {
        let (bits, v6) = self.dst_bits();
        Endpoint::new(bits, v6, self.dst_port())
    }

    /// Sender address as 128 bits (an IPv4 address as its 32-bit value) and whether it is
    /// IPv6: the address without building a `SocketAddr`.
    #[inline]
    pub const fn src_bits(&self) -> (u128, bool) {
        (wide(self.src_ip), self.ports & SRC_V6 != 0)
    }

    /// Sender address as two words, upper first (an IPv4 address is the lower word's low
    /// 32 bits): for hashing without rebuilding the address.
    #[inline]
    pub const fn src_words(&self) -> [u64; 2] {
        self.src_ip
    }

    /// Receiver address as two words (see [`Flow::src_words`]).
    #[inline]
    pub const fn dst_words(&self) -> [u64; 2] {
        self.dst_ip
    }

    /// Receiver address as 128 bits and whether it is IPv6 (see [`Flow::src_bits`]).
    #[inline]
    pub const fn dst_bits(&self) -> (u128, bool) {
        (wide(self.dst_ip), self.ports & DST_V6 != 0)
    }

    /// Sender port.
    #[inline]
    pub const fn src_port(&self) -> u16 {
        (self.ports >> 16) as u16
    }

    /// Receiver port.
    #[inline]
    pub const fn dst_port(&self) -> u16 {
        self.ports as u16
    }

    /// The opposite direction.
    #[inline]
    pub const fn reversed(&self) -> Flow {
        let v6 = (self.ports & SRC_V6) >> 1 | (self.ports & DST_V6) << 1;
        Flow {
            src_ip: self.dst_ip,
            dst_ip: self.src_ip,
            ports: v6 | (self.ports & 0xffff) << 16 | (self.ports >> 16 & 0xffff),
        }
    }

    /// A 64-bit hash that is stable across runs and machines (FNV-1a over the addresses), so
    /// that sharding by flow is deterministic.
    pub fn stable_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for addr in [self.src(), self.dst()] {
            match addr {
                SocketAddr::V4(a) => eat(&a.ip().octets()),
                SocketAddr::V6(a) => eat(&a.ip().octets()),
            }
            eat(&addr.port().to_be_bytes());
        }
        h
    }
}

impl core::fmt::Debug for Flow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Flow")
            .field("src", &self.src())
            .field("dst", &self.dst())
            .finish()
    }
}

/// Ordered as the two socket addresses are (source first; an address as `SocketAddr` orders:
/// IPv4 before IPv6, then address, then port), compared as integers: reports sort by it.
impl Ord for Flow {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |f: &Flow| {
            let ((src, src_v6), (dst, dst_v6)) = (f.src_bits(), f.dst_bits());
            (src_v6, src, f.src_port(), dst_v6, dst, f.dst_port())
        };
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Flow {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl core::fmt::Display for Flow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} -> {}", self.src_end(), self.dst_end())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Flow {
    /// As `{"src": "addr:port", "dst": "addr:port"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct AsText(Endpoint);
        impl serde::Serialize for AsText {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }
        let mut st = s.serialize_struct("Flow", 2)?;
        st.serialize_field("src", &AsText(self.src_end()))?;
        st.serialize_field("dst", &AsText(self.dst_end()))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{format, string::ToString};

    fn addr(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn ends_come_back_as_given_and_reverse() {
        for (a, b) in [
            ("10.0.0.1:4000", "192.168.1.2:5004"),
            ("[2001:db8::1]:65535", "10.0.0.2:0"),
            ("0.0.0.0:1", "[::ffff:10.0.0.1]:2"),
            ("[fe80::1:2:3:4]:6000", "[2001:db8::ff]:6001"),
        ] {
            let f = Flow::new(addr(a), addr(b));
            assert_eq!((f.src(), f.dst()), (addr(a), addr(b)));
            assert_eq!(
                (f.src_port(), f.dst_port()),
                (addr(a).port(), addr(b).port())
            );
            let r = f.reversed();
            assert_eq!((r.src(), r.dst()), (addr(b), addr(a)));
            assert_eq!(r.reversed(), f);
            assert_eq!(f.to_string(), format!("{} -> {}", addr(a), addr(b)));
        }
        let v4 = Flow::from_v4(0x0a00_0001, 4000, 0xc0a8_0102, 5004);
        assert_eq!(
            v4,
            Flow::new(addr("10.0.0.1:4000"), addr("192.168.1.2:5004"))
        );
        // An IPv4 address is not its IPv4-mapped IPv6 form: the family is part of the flow.
        assert_ne!(
            v4,
            Flow::new(addr("[::ffff:10.0.0.1]:4000"), addr("192.168.1.2:5004"))
        );
    }

    #[test]
    fn orders_as_its_socket_addresses() {
        let all = [
            "10.0.0.1:4000",
            "10.0.0.1:3999",
            "9.255.255.255:9",
            "[::1]:1",
            "[::ffff:10.0.0.1]:4000",
        ];
        for a in all {
            for b in all {
                let (fa, fb) = (Flow::new(addr(a), addr(b)), Flow::new(addr(b), addr(a)));
                let want = (addr(a), addr(b)).cmp(&(addr(b), addr(a)));
                assert_eq!(fa.cmp(&fb), want, "{a} {b}");
                assert_eq!(fa == fb, a == b);
            }
        }
    }
}
