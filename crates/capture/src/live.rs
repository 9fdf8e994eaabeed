//! Live capture from a network interface (feature `live`), through pnet's datalink channel.
//!
//! Frames are timestamped with the system clock when they are read: capture is I/O, and the
//! analysis downstream only ever uses the timestamps it is handed.
//!
//! ```no_run
//! use rtpscope_capture::live::{interfaces, LiveSource};
//! use std::time::Duration;
//!
//! for i in interfaces() {
//!     println!("{} up={} loopback={}", i.name, i.is_up, i.is_loopback);
//! }
//! let mut src = LiveSource::open("lo", Duration::from_millis(200))?;
//! while let Some(frame) = src.next_frame()? {
//!     println!("{} {} bytes", frame.flow, frame.payload.len());
//! }
//! # Ok::<(), rtpscope_capture::CaptureError>(())
//! ```

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pnet_datalink::{self as datalink, Channel, DataLinkReceiver, NetworkInterface};
use rtpscope_wire::Timestamp;

use crate::counters::FoundIn;
use crate::decap::{decode_udp, linktype};
use crate::reassembly::Reassembler;
use crate::tcp_sip::{Found, TcpSip};
use crate::{CaptureError, DropCounters, Frame, Skip};

/// A network interface that can be captured on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Name to pass to [`LiveSource::open`].
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// Administratively up.
    pub is_up: bool,
    /// The loopback interface.
    pub is_loopback: bool,
    /// Addresses, as text.
    pub addresses: Vec<String>,
}

/// Interfaces of this host.
pub fn interfaces() -> Vec<InterfaceInfo> {
    datalink::interfaces()
        .into_iter()
        .map(|i| InterfaceInfo {
            description: i.description.clone(),
            is_up: i.is_up(),
            is_loopback: i.is_loopback(),
            addresses: i.ips.iter().map(|ip| ip.to_string()).collect(),
            name: i.name,
        })
        .collect()
}

/// Frames from one interface.
pub struct LiveSource {
    rx: Box<dyn DataLinkReceiver>,
    linktype: u32,
    buf: Vec<u8>,
    counters: DropCounters,
    index: u64,
    /// On loopback (where every packet is seen leaving and arriving), drops the second sighting.
    loopback: Option<LoopbackCopies>,
    /// IPv4 datagrams being put back together from fragments.
    reassembly: Reassembler,
    sip: TcpSip,
}

/// The two sightings of one loopback packet are this close in time at most. Frames are
/// stamped when they are read, not when the kernel saw them, so a reader that stalls between
/// the two (at start-up, on a busy host) sees them well apart: a 5 ms window once let a copy
/// through as a duplicate. Only the frame just before is compared, and a datagram repeated bit
/// for bit (IP ID and checksum included) within this window is a copy, not traffic.
const LOOPBACK_COPY_WINDOW_NS: i128 = 250_000_000;

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource")
            .field("linktype", &self.linktype)
            .field("counters", &self.counters)
            .finish()
    }
}

impl LiveSource {
    /// Opens `name` for capture; reads wait at most `read_timeout`.
    pub fn open(name: &str, read_timeout: Duration) -> Result<Self, CaptureError> {
        let iface: NetworkInterface = datalink::interfaces()
            .into_iter()
            .find(|i| i.name == name)
            .ok_or_else(|| CaptureError::Interface {
                interface: name.to_string(),
                reason: "no such interface".into(),
            })?;
        let config = datalink::Config {
            read_timeout: Some(read_timeout),
            ..Default::default()
        };
        let rx = match datalink::channel(&iface, config) {
            Ok(Channel::Ethernet(_tx, rx)) => rx,
            Ok(_) => {
                return Err(CaptureError::Interface {
                    interface: name.into(),
                    reason: "unsupported channel type".into(),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return Err(CaptureError::PermissionDenied {
                    interface: name.into(),
                })
            }
            Err(e) => {
                return Err(CaptureError::Interface {
                    interface: name.into(),
                    reason: e.to_string(),
                })
            }
        };
        // Linux hands Ethernet headers for Ethernet and loopback; interfaces without a MAC
        // (tun, wireguard) deliver bare IP packets.
        let has_mac = iface.mac.is_some_and(|m| m.octets() != [0; 6]);
        let linktype = if has_mac || iface.is_loopback() {
            linktype::ETHERNET
        } else {
            linktype::RAW
        };
        Ok(LiveSource {
            rx,
            linktype,
            buf: Vec::with_capacity(65_536),
            counters: DropCounters::default(),
            index: 0,
            loopback: iface.is_loopback().then(LoopbackCopies::default),
            reassembly: Reassembler::default(),
            sip: TcpSip::default(),
        })
    }

    /// The next UDP datagram; `Ok(None)` when the read timed out (check your stop flag and
    /// call again). Non-UDP frames are counted and skipped.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        let (ts, start, len, length, flow, found_in) = loop {
            match self.rx.next() {
                Ok(frame) => {
                    self.buf.clear();
                    self.buf.extend_from_slice(frame);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    return Ok(None)
                }
                Err(source) => return Err(CaptureError::Io { offset: 0, source }),
            }
            let ts = now();
            self.index += 1;
            self.counters.frames += 1;
            if let Some(copies) = &mut self.loopback {
                if copies.is_copy(ts, &self.buf) {
                    self.counters.loopback_copies += 1;
                    continue;
                }
            }
            match decode_udp(self.linktype, &self.buf) {
                Ok(d) => {
                    if d.tunnels > 0 {
                        self.counters.tunneled += 1;
                    }
                    let start = d.payload.as_ptr() as usize - self.buf.as_ptr() as usize;
                    break (ts, start, d.payload.len(), d.length, d.flow, FoundIn::Frame);
                }
                Err(Skip::Fragment) => {
                    let found = self.reassembly.take_frame(
                        &mut self.counters,
                        ts.as_nanos(),
                        self.linktype,
                        &self.buf,
                    );
                    if let Some((start, len, length, flow)) = found {
                        break (ts, start, len, length, flow, FoundIn::Reassembly);
                    }
                }
                Err(skip) => {
                    if skip == Skip::NotUdp {
                        let found = self.sip.take_frame(
                            &mut self.counters,
                            ts.as_nanos(),
                            self.linktype,
                            &self.buf,
                        );
                        match found {
                            Some(Found::InFrame { at, len, flow }) => {
                                break (ts, at, len, len, flow, FoundIn::TcpSip);
                            }
                            Some(Found::Joined { flow }) => {
                                let len = self.sip.message().len();
                                break (ts, 0, len, len, flow, FoundIn::TcpSipJoined);
                            }
                            None => {}
                        }
                    }
                    self.counters.count(skip);
                }
            }
        };
        self.counters.count_found(found_in);
        let bytes = match found_in {
            FoundIn::Reassembly => self.reassembly.datagram(),
            FoundIn::TcpSipJoined => self.sip.message(),
            FoundIn::Frame | FoundIn::TcpSip => &self.buf,
        };
        let payload = bytes.get(start..start + len).unwrap_or_default();
        let frame = Frame {
            length,
            ..Frame::new(ts, flow, payload, self.index)
        };
        if frame.is_cut() {
            self.counters.cut_short += 1;
        }
        Ok(Some(frame))
    }

    /// What happened to every frame read so far.
    pub fn counters(&self) -> &DropCounters {
        &self.counters
    }
}

/// The frame last kept on loopback, until its second sighting has been skipped.
#[derive(Debug, Default)]
struct LoopbackCopies {
    last: Option<(Timestamp, Vec<u8>)>,
}

impl LoopbackCopies {
    /// Whether `frame` is the arriving copy of the loopback packet just seen leaving;
    /// otherwise it becomes the one whose copy is awaited.
    fn is_copy(&mut self, ts: Timestamp, frame: &[u8]) -> bool {
        if let Some((at, last)) = &self.last {
            if last.as_slice() == frame && ts.nanos_since(*at) <= LOOPBACK_COPY_WINDOW_NS {
                self.last = None;
                return true;
            }
        }
        // The buffer of the previous frame is reused: no allocation per frame.
        let mut copy = self.last.take().map(|(_, v)| v).unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(frame);
        self.last = Some((ts, copy));
        false
    }
}

fn now() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs(), d.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Timestamp {
        Timestamp::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn the_second_sighting_of_a_loopback_packet_is_a_copy_once() {
        let mut c = LoopbackCopies::default();
        assert!(!c.is_copy(at(0), b"packet a"));
        // Read 40 ms later: the reader stalled between the two sightings.
        assert!(c.is_copy(at(40), b"packet a"));
        // A third identical frame is traffic again (it awaits its own copy).
        assert!(!c.is_copy(at(41), b"packet a"));
        assert!(!c.is_copy(at(42), b"packet b"));
        // Too late to be the copy of the frame before.
        assert!(!c.is_copy(at(1_000), b"packet b"));
        assert!(c.is_copy(at(1_001), b"packet b"));
    }
}
