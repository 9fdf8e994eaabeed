//! The UDP flow a datagram travelled on.
//!
//! ```
//! use rtpscope_wire::Flow;
//!
//! let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
//! assert_eq!(flow.reversed().reversed(), flow);
//! assert_eq!(flow.to_string(), "10.0.0.1:4000 -> 10.0.0.2:5000");
//! ```

use core::net::SocketAddr;

/// Source and destination transport addresses of one UDP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flow {
    /// Sender address and port.
    pub src: SocketAddr,
    /// Receiver address and port.
    pub dst: SocketAddr,
}

impl Flow {
    /// A flow from its two ends.
    #[inline]
    pub const fn new(src: SocketAddr, dst: SocketAddr) -> Self {
        Flow { src, dst }
    }

    /// The opposite direction.
    #[inline]
    pub const fn reversed(&self) -> Flow {
        Flow {
            src: self.dst,
            dst: self.src,
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
        for addr in [self.src, self.dst] {
            match addr {
                SocketAddr::V4(a) => eat(&a.ip().octets()),
                SocketAddr::V6(a) => eat(&a.ip().octets()),
            }
            eat(&addr.port().to_be_bytes());
        }
        h
    }
}

/// A [`Flow`] as plain integers, for hash-table keys that are compared and hashed for every
/// packet: an enum of socket addresses costs several times more to hash and compare.
///
/// Distinct flows give distinct packed keys (an IPv4 address is not confused with its
/// IPv4-mapped IPv6 form: the address family is part of the key).
///
/// ```
/// use rtpscope_wire::Flow;
/// let a = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
/// let b = Flow::new("[::ffff:10.0.0.1]:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
/// assert_ne!(a.packed(), b.packed());
/// assert_eq!(a.packed(), a.packed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackedFlow {
    src: u128,
    dst: u128,
    /// Source port, destination port, and one bit per end for IPv6.
    ports: u64,
}

impl Flow {
    /// The flow as plain integers (see [`PackedFlow`]).
    #[inline]
    pub fn packed(&self) -> PackedFlow {
        #[inline]
        fn ip(a: &SocketAddr) -> (u128, u64) {
            match a {
                SocketAddr::V4(v4) => (u128::from(v4.ip().to_bits()), 0),
                SocketAddr::V6(v6) => (v6.ip().to_bits(), 1),
            }
        }
        let (src, src_v6) = ip(&self.src);
        let (dst, dst_v6) = ip(&self.dst);
        let ports = (src_v6 << 33)
            | (dst_v6 << 32)
            | (u64::from(self.src.port()) << 16)
            | u64::from(self.dst.port());
        PackedFlow { src, dst, ports }
    }
}

impl core::fmt::Display for Flow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} -> {}", self.src, self.dst)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Flow {
    /// As `{"src": "addr:port", "dst": "addr:port"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct AsText(SocketAddr);
        impl serde::Serialize for AsText {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }
        let mut st = s.serialize_struct("Flow", 2)?;
        st.serialize_field("src", &AsText(self.src))?;
        st.serialize_field("dst", &AsText(self.dst))?;
        st.end()
    }
}
