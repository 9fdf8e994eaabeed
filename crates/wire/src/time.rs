//! Time as an input: a timestamp in nanoseconds from an origin the caller chooses.
//!
//! Captures give nanoseconds since the Unix epoch; a phone may give a monotonic clock. Nothing
//! in rtpscope reads a clock itself: every timestamp is handed in by the caller.
//!
//! ```
//! use core::time::Duration;
//! use rtpscope_wire::Timestamp;
//!
//! let t = Timestamp::from_millis(20);
//! assert_eq!((t + Duration::from_millis(5)).as_nanos(), 25_000_000);
//! assert_eq!(Timestamp::ZERO.saturating_duration_since(t), Duration::ZERO);
//! ```

use core::time::Duration;

/// A point in time, in nanoseconds since an origin chosen by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(u64);

#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    /// As nanoseconds.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl Timestamp {
    /// The origin.
    pub const ZERO: Timestamp = Timestamp(0);

    /// From nanoseconds since the origin.
    #[inline]
    pub const fn from_nanos(nanos: u64) -> Self {
        Timestamp(nanos)
    }

    /// From microseconds since the origin (saturating).
    #[inline]
    pub const fn from_micros(micros: u64) -> Self {
        Timestamp(micros.saturating_mul(1_000))
    }

    /// From milliseconds since the origin (saturating).
    #[inline]
    pub const fn from_millis(millis: u64) -> Self {
        Timestamp(millis.saturating_mul(1_000_000))
    }

    /// From whole seconds and nanoseconds (saturating).
    #[inline]
    pub const fn from_secs_nanos(secs: u64, nanos: u32) -> Self {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(nanos as u64),
        )
    }

    /// Nanoseconds since the origin.
    #[inline]
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the origin, as a float.
    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later (a clock that went back).
    #[inline]
    pub const fn saturating_duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Signed nanoseconds from `earlier` to `self`.
    #[inline]
    pub const fn nanos_since(self, earlier: Timestamp) -> i128 {
        self.0 as i128 - earlier.0 as i128
    }

    /// `self + d`, saturating at the end of time.
    #[inline]
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_add(nanos))
    }
}

impl core::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        self.saturating_add(d)
    }
}
