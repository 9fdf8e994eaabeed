//! One end of a flow, printed as `SocketAddr` prints it (or its address as `IpAddr` does),
//! only faster for IPv4.
//!
//! Reports name every stream by its two ends, and a capture of 100 k streams prints them a
//! few hundred thousand times: `SocketAddr`'s `Display` pads every octet through the general
//! integer formatter, about 2 000 instructions an address. IPv4 ends are written here from
//! their digits; IPv6 ends (rare, and with `::` compression to get right) go to `std`.
//!
//! ```
//! use rtpscope_wire::Flow;
//!
//! let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "[2001:db8::1]:5004".parse().unwrap());
//! assert_eq!(flow.src_end().to_string(), "10.0.0.1:4000");
//! assert_eq!(flow.dst_end().to_string(), "[2001:db8::1]:5004");
//! ```

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A transport address held as a flow holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The address as 128 bits (IPv4: its 32-bit value).
    bits: u128,
    v6: bool,
    port: u16,
}

impl Endpoint {
    pub(crate) const fn new(bits: u128, v6: bool, port: u16) -> Self {
        Endpoint { bits, v6, port }
    }

    /// The same address with another port (0: a key for the address alone).
    #[inline]
    pub const fn with_port(self, port: u16) -> Self {
        Endpoint { port, ..self }
    }

    /// As a socket address.
    #[inline]
    pub fn socket_addr(&self) -> SocketAddr {
        let ip = if self.v6 {
            IpAddr::V6(Ipv6Addr::from_bits(self.bits))
        } else {
            IpAddr::V4(Ipv4Addr::from_bits(self.bits as u32))
        };
        SocketAddr::new(ip, self.port)
    }
}

impl From<Endpoint> for SocketAddr {
    fn from(e: Endpoint) -> SocketAddr {
        e.socket_addr()
    }
}

impl From<SocketAddr> for Endpoint {
    /// The end as a flow holds it (IPv6 flow labels and scope ids are not kept).
    #[inline]
    fn from(a: SocketAddr) -> Endpoint {
        let (bits, v6) = match a.ip() {
            IpAddr::V4(v4) => (u128::from(v4.to_bits()), false),
            IpAddr::V6(v6) => (v6.to_bits(), true),
        };
        Endpoint::new(bits, v6, a.port())
    }
}

/// Two words, where `SocketAddr`'s derived `Hash` feeds its enum tag and address bytes to the
/// hasher piece by piece (the slow path of word-oriented hashers). Equal ends have equal
/// words, so this agrees with `Eq`.
impl core::hash::Hash for Endpoint {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u128(self.bits);
        state.write_u32(u32::from(self.port) | u32::from(self.v6) << 16);
    }
}

/// Writes `v` in decimal at the end of `buf[..end]`, returning the new start.
fn digits(buf: &mut [u8], end: usize, mut v: u32) -> usize {
    let mut at = end;
    loop {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || at == 0 {
            return at;
        }
    }
}

/// Writes the IPv4 address `bits` dotted at the end of `buf[..end]`, returning the new start.
fn dotted(buf: &mut [u8], end: usize, bits: u32) -> usize {
    let mut at = end;
    for (i, &o) in bits.to_be_bytes().iter().enumerate().rev() {
        at = digits(buf, at, u32::from(o));
        if i > 0 {
            at = at.saturating_sub(1);
            if let Some(b) = buf.get_mut(at) {
                *b = b'.';
            }
        }
    }
    at
}

/// `buf[at..]`, which holds only ASCII digits, dots and a colon, padded as `f` asks.
fn pad(f: &mut fmt::Formatter<'_>, buf: &[u8], at: usize) -> fmt::Result {
    f.pad(core::str::from_utf8(buf.get(at..).unwrap_or_default()).unwrap_or_default())
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v6 {
            return fmt::Display::fmt(&self.socket_addr(), f);
        }
        // "255.255.255.255:65535" is 21 bytes; filled from the end.
        let mut buf = [0u8; 21];
        let mut at = digits(&mut buf, 21, u32::from(self.port)) - 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b':';
        }
        at = dotted(&mut buf, at, self.bits as u32);
        pad(f, &buf, at)
    }
}

/// An end's address without its port, printed as [`IpAddr`] prints it: [`Endpoint::address`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Address(Endpoint);

impl Endpoint {
    /// The address alone, for printing (as `IpAddr` prints it, faster for IPv4).
    ///
    /// ```
    /// use rtpscope_wire::Flow;
    ///
    /// let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "[2001:db8::1]:5004".parse().unwrap());
    /// assert_eq!(flow.src_end().address().to_string(), "10.0.0.1");
    /// assert_eq!(flow.dst_end().address().to_string(), "2001:db8::1");
    /// ```
    pub fn address(self) -> Address {
        Address(self)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.v6 {
            return fmt::Display::fmt(&self.0.socket_addr().ip(), f);
        }
        // "255.255.255.255" is 15 bytes.
        let mut buf = [0u8; 15];
        let at = dotted(&mut buf, 15, self.0.bits as u32);
        pad(f, &buf, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{format, string::ToString};

    #[test]
    fn prints_as_socket_addr_does() {
        for text in [
            "0.0.0.0:0",
            "255.255.255.255:65535",
            "10.0.0.1:4000",
            "192.168.100.9:5",
            "1.20.100.200:10001",
            "[2001:db8::1]:5004",
            "[::ffff:10.0.0.1]:2",
            "[::]:0",
        ] {
            let a: SocketAddr = text.parse().expect("address");
            let e = Endpoint::from(a);
            let flow = crate::Flow::new(a, a);
            assert_eq!((flow.src_end(), flow.dst_end()), (e, e));
            assert_eq!(e.to_string(), a.to_string());
            assert_eq!(format!("{e:>24}|{e:<24}|"), format!("{a:>24}|{a:<24}|"));
            assert_eq!(SocketAddr::from(e), a);
            assert_eq!(e.address().to_string(), a.ip().to_string());
            assert_eq!(format!("{:>18}|", e.address()), format!("{:>18}|", a.ip()));
        }
    }

    #[test]
    fn an_ipv4_end_and_its_mapped_ipv6_form_are_different_ends() {
        let v4: SocketAddr = "10.0.0.1:2".parse().expect("address");
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:2".parse().expect("address");
        assert_ne!(Endpoint::from(v4), Endpoint::from(mapped));
        assert_ne!(
            Endpoint::from(v4),
            Endpoint::from(SocketAddr::new(v4.ip(), 3))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_ipv4_end_prints_as_socket_addr(ip: u32, port: u16) {
            let a = SocketAddr::new(IpAddr::V4(Ipv4Addr::from_bits(ip)), port);
            let e = Endpoint::new(u128::from(ip), false, port);
            proptest::prop_assert_eq!(e.to_string(), a.to_string());
            proptest::prop_assert_eq!(e.address().to_string(), a.ip().to_string());
        }
    }
}
