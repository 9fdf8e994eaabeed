//! Big-endian field readers over a slice whose length the caller has already checked.
//!
//! They return 0 instead of panicking when handed a short slice, so a validation bug can only
//! produce a wrong number, never a crash.

#[inline(always)]
pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

#[inline(always)]
pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, c, d, e]) => u32::from_be_bytes([a, c, d, e]),
        _ => 0,
    }
}

#[inline(always)]
pub(crate) fn u8_at(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

/// Writes `v` big-endian at `at`; the caller has sized `b`.
#[inline(always)]
pub(crate) fn put_u16(b: &mut [u8], at: usize, v: u16) {
    if let Some(d) = b.get_mut(at..at + 2) {
        d.copy_from_slice(&v.to_be_bytes());
    }
}

/// Writes `v` big-endian at `at`; the caller has sized `b`.
#[inline(always)]
pub(crate) fn put_u32(b: &mut [u8], at: usize, v: u32) {
    if let Some(d) = b.get_mut(at..at + 4) {
        d.copy_from_slice(&v.to_be_bytes());
    }
}
