//! Running maxima and minima of `f64` on the packet path.
//!
//! `f64::max` and `f64::min` must return the other operand when one is NaN, which costs a
//! handful of instructions around each `maxsd`/`minsd`. The values kept here (times, jitter,
//! transit) come from integer arithmetic and are never NaN, so a comparison does.

/// `*slot = max(*slot, x)` for values that are never NaN.
#[inline(always)]
pub(crate) fn raise(slot: &mut f64, x: f64) {
    if x > *slot {
        *slot = x;
    }
}

/// `*slot = min(*slot, x)` for values that are never NaN.
#[inline(always)]
pub(crate) fn lower(slot: &mut f64, x: f64) {
    if x < *slot {
        *slot = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_max_and_min() {
        let values = [
            0.0,
            -3.5,
            7.25,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
            2.0,
        ];
        for &start in &values {
            for &x in &values {
                let (mut hi, mut lo) = (start, start);
                raise(&mut hi, x);
                lower(&mut lo, x);
                assert_eq!((hi, lo), (start.max(x), start.min(x)), "{start} {x}");
            }
        }
    }
}
