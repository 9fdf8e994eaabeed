//! Classic pcap writer, with UDP encapsulation for every link type the reader decodes.
//!
//! ```
//! use rtpscope_capture::{decap::linktype, CaptureReader, PcapWriter, PcapWriterOptions, TsResolution};
//! use rtpscope_wire::{Flow, Timestamp};
//!
//! let opts = PcapWriterOptions { linktype: linktype::LINUX_SLL2, resolution: TsResolution::Nano,
//!                                big_endian: true, ..Default::default() };
//! let mut w = PcapWriter::with_options(Vec::new(), opts).unwrap();
//! let flow = Flow::new("[2001:db8::1]:4000".parse().unwrap(), "[2001:db8::2]:5004".parse().unwrap());
//! w.write_udp(Timestamp::from_nanos(1_000_000_007), flow, b"hello").unwrap();
//! let bytes = w.into_inner().unwrap();
//! let mut r = CaptureReader::new(&bytes[..]).unwrap();
//! let f = r.next_frame().unwrap().unwrap();
//! assert_eq!((f.ts.as_nanos(), f.flow, f.payload), (1_000_000_007, flow, &b"hello"[..]));
//! ```

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, Ethernet2Header, PacketBuilder, SingleVlanHeader, VlanId};
use rtpscope_wire::{Flow, Timestamp};

use crate::decap::linktype;

/// Timestamp resolution of a pcap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TsResolution {
    /// Microseconds (magic 0xa1b2c3d4).
    #[default]
    Micro,
    /// Nanoseconds (magic 0xa1b23c4d).
    Nano,
}

/// How a [`PcapWriter`] writes its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapWriterOptions {
    /// LINKTYPE_ value in the header; [`PcapWriter::write_udp`] builds the matching link header.
    pub linktype: u32,
    /// Timestamp resolution.
    pub resolution: TsResolution,
    /// Write big-endian headers (as a big-endian host would).
    pub big_endian: bool,
    /// Snap length in the header; longer frames are cut to it (orig_len keeps the true length).
    pub snaplen: u32,
    /// 802.1Q tags (outer first) inserted by `write_udp` on Ethernet: 0, 1 or 2 (QinQ).
    pub vlan: Vec<u16>,
}

impl Default for PcapWriterOptions {
    fn default() -> Self {
        PcapWriterOptions {
            linktype: linktype::ETHERNET,
            resolution: TsResolution::Micro,
            big_endian: false,
            snaplen: 262_144,
            vlan: Vec::new(),
        }
    }
}

/// Writes a classic pcap file.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    opts: PcapWriterOptions,
    scratch: Vec<u8>,
    frames: u64,
}

impl<W: Write> PcapWriter<W> {
    /// A little-endian microsecond pcap with link type `linktype`.
    pub fn new(out: W, linktype: u32) -> io::Result<Self> {
        Self::with_options(
            out,
            PcapWriterOptions {
                linktype,
                ..Default::default()
            },
        )
    }

    /// A pcap file as `opts` describes; writes the file header.
    pub fn with_options(mut out: W, opts: PcapWriterOptions) -> io::Result<Self> {
        let magic: u32 = match opts.resolution {
            TsResolution::Micro => 0xa1b2_c3d4,
            TsResolution::Nano => 0xa1b2_3c4d,
        };
        let mut h = Vec::with_capacity(24);
        let be = opts.big_endian;
        put32(&mut h, magic, be);
        put16(&mut h, 2, be);
        put16(&mut h, 4, be);
        put32(&mut h, 0, be); // thiszone
        put32(&mut h, 0, be); // sigfigs
        put32(&mut h, opts.snaplen, be);
        put32(&mut h, opts.linktype, be);
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            opts,
            scratch: Vec::with_capacity(2048),
            frames: 0,
        })
    }

    /// Writes one frame as captured, with any link type.
    pub fn write_frame(&mut self, ts: Timestamp, frame: &[u8]) -> io::Result<()> {
        let orig = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        let cut = frame.get(..self.opts.snaplen as usize).unwrap_or(frame);
        self.write_record(ts, cut, orig)
    }

    /// Writes one record whose data is `data` and whose original length is `orig_len`
    /// (to fake a frame cut by the snap length).
    pub fn write_record(&mut self, ts: Timestamp, data: &[u8], orig_len: u32) -> io::Result<()> {
        let ns = ts.as_nanos();
        let secs = u32::try_from(ns / 1_000_000_000).unwrap_or(u32::MAX);
        let frac = (ns % 1_000_000_000) as u32;
        let frac = match self.opts.resolution {
            TsResolution::Micro => frac / 1_000,
            TsResolution::Nano => frac,
        };
        let be = self.opts.big_endian;
        let mut h = [0u8; 16];
        for (i, v) in [secs, frac, data.len() as u32, orig_len]
            .into_iter()
            .enumerate()
        {
            let b = if be { v.to_be_bytes() } else { v.to_le_bytes() };
            h[i * 4..i * 4 + 4].copy_from_slice(&b);
        }
        self.out.write_all(&h)?;
        self.out.write_all(data)?;
        self.frames += 1;
        Ok(())
    }

    /// Wraps `payload` in UDP, IPv4 or IPv6 (by the flow's addresses) and the link header
    /// of this file's link type, and writes it.
    pub fn write_udp(&mut self, ts: Timestamp, flow: Flow, payload: &[u8]) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let r = encapsulate_udp(self.opts.linktype, &self.opts.vlan, flow, payload, &mut buf)
            .and_then(|()| self.write_frame(ts, &buf));
        self.scratch = buf;
        r
    }

    /// Records written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The options this writer uses.
    pub fn options(&self) -> &PcapWriterOptions {
        &self.opts
    }

    /// Flushes and returns the output.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Builds link header + IP + UDP + `payload` into `out` for `linktype` (any the reader
/// decodes). `vlan` adds 802.1Q tags on Ethernet.
pub fn encapsulate_udp(
    linktype: u32,
    vlan: &[u16],
    flow: Flow,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let (v6, builder) = match (flow.src(), flow.dst()) {
        (SocketAddr::V4(s), SocketAddr::V4(d)) => (
            false,
            PacketBuilder::ipv4(s.ip().octets(), d.ip().octets(), 64).udp(s.port(), d.port()),
        ),
        (SocketAddr::V6(s), SocketAddr::V6(d)) => (
            true,
            PacketBuilder::ipv6(s.ip().octets(), d.ip().octets(), 64).udp(s.port(), d.port()),
        ),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "flow mixes IPv4 and IPv6",
            ))
        }
    };
    let ether_type = if v6 { EtherType::IPV6 } else { EtherType::IPV4 };
    match linktype {
        linktype::ETHERNET => {
            let mut next = ether_type;
            let first = if vlan.is_empty() {
                next
            } else {
                EtherType::VLAN_TAGGED_FRAME
            };
            Ethernet2Header {
                source: mac(flow.src().ip()),
                destination: mac(flow.dst().ip()),
                ether_type: first,
            }
            .write(out)
            .map_err(io::Error::other)?;
            for (i, &id) in vlan.iter().enumerate() {
                next = if i + 1 < vlan.len() {
                    EtherType::VLAN_TAGGED_FRAME
                } else {
                    ether_type
                };
                let vlan_id = VlanId::try_new(id & 0x0fff).map_err(io::Error::other)?;
                SingleVlanHeader {
                    vlan_id,
                    ether_type: next,
                    ..Default::default()
                }
                .write(out)
                .map_err(io::Error::other)?;
            }
        }
        linktype::LINUX_SLL => {
            // packet type 0 (to us), ARPHRD_ETHER, 6-byte address, padded to 8, protocol.
            out.extend_from_slice(&[0, 0, 0, 1, 0, 6]);
            out.extend_from_slice(&mac(flow.src().ip()));
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&ether_type.0.to_be_bytes());
        }
        linktype::LINUX_SLL2 => {
            out.extend_from_slice(&ether_type.0.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 0, 6]); // reserved, ifindex 2, ARPHRD_ETHER, type 0, len 6
            out.extend_from_slice(&mac(flow.src().ip()));
            out.extend_from_slice(&[0, 0]);
        }
        linktype::NULL => out.extend_from_slice(&(if v6 { 30u32 } else { 2 }).to_le_bytes()),
        linktype::LOOP => out.extend_from_slice(&(if v6 { 30u32 } else { 2 }).to_be_bytes()),
        linktype::RAW | linktype::DLT_RAW_12 | linktype::DLT_RAW_14 => {}
        linktype::IPV4 | linktype::IPV6 if (linktype == linktype::IPV6) == v6 => {}
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot encapsulate UDP for link type {linktype}"),
            ))
        }
    }
    builder.write(out, payload).map_err(io::Error::other)
}

/// A locally administered MAC derived from an address, so captures look plausible.
fn mac(ip: IpAddr) -> [u8; 6] {
    let tail = match ip {
        IpAddr::V4(a) => a.octets(),
        IpAddr::V6(a) => {
            let o = a.octets();
            [o[12], o[13], o[14], o[15]]
        }
    };
    [0x02, 0x00, tail[0], tail[1], tail[2], tail[3]]
}

fn put32(v: &mut Vec<u8>, x: u32, be: bool) {
    v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() });
}

fn put16(v: &mut Vec<u8>, x: u16, be: bool) {
    v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() });
}
