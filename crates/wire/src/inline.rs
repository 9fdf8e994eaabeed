//! A fixed-capacity list stored inline, so that representations of variable-length packets
//! (report blocks, SDES chunks, BYE sources, XR blocks) need no allocation.
//!
//! ```
//! use rtpscope_wire::inline::InlineVec;
//!
//! let mut list: InlineVec<u32, 2> = InlineVec::new();
//! assert!(list.push(1).is_ok());
//! assert!(list.push(2).is_ok());
//! assert_eq!(list.push(3), Err(3));
//! assert_eq!(list.as_slice(), &[1, 2]);
//! ```

use core::fmt;

/// Up to `N` values of `T`, stored inline.
#[derive(Clone, Copy)]
pub struct InlineVec<T: Copy + Default, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> InlineVec<T, N> {
    /// An empty list.
    #[inline]
    pub fn new() -> Self {
        InlineVec {
            items: [T::default(); N],
            len: 0,
        }
    }

    /// A list holding a copy of `values`; `None` if there are more than `N`.
    pub fn from_slice(values: &[T]) -> Option<Self> {
        let mut list = Self::new();
        list.items.get_mut(..values.len())?.copy_from_slice(values);
        list.len = values.len();
        Some(list)
    }

    /// Appends `value`, handing it back when the list is full.
    #[inline]
    pub fn push(&mut self, value: T) -> Result<(), T> {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = value;
                self.len += 1;
                Ok(())
            }
            None => Err(value),
        }
    }

    /// The values.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.items[..self.len]
    }

    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`.
    pub const CAPACITY: usize = N;
}

impl<T: Copy + Default, const N: usize> Default for InlineVec<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for InlineVec<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + Default + Eq, const N: usize> Eq for InlineVec<T, N> {}

impl<T: Copy + Default + fmt::Debug, const N: usize> fmt::Debug for InlineVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl<T: Copy + Default, const N: usize> core::ops::Deref for InlineVec<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}
