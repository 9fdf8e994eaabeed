//! A channel bounded by how many messages it holds, not by a ring allocated up front.
//!
//! `crossbeam_channel::bounded(n)` allocates and initialises all `n` slots when it is made:
//! the 65 536 events an embedder may leave unread, at about 240 bytes each, are 16 MB faulted
//! in by the thread that builds the pipeline before the first packet is read, twice over
//! (workers to collector, collector to embedder). Events are few next to packets and
//! mostly never queue, so the queue here grows in small blocks as messages wait, and the
//! bound is a count checked before each send.

use crossbeam_channel::{unbounded, Receiver, SendError, Sender, TrySendError};

/// The sending side of [`capped`]. Clones share the queue and the cap.
#[derive(Debug)]
pub(crate) struct CappedSender<T> {
    tx: Sender<T>,
    cap: usize,
}

impl<T> Clone for CappedSender<T> {
    fn clone(&self) -> Self {
        CappedSender {
            tx: self.tx.clone(),
            cap: self.cap,
        }
    }
}

/// A queue that refuses [`CappedSender::try_send`] while `cap` (at least 1) messages wait.
pub(crate) fn capped<T>(cap: usize) -> (CappedSender<T>, Receiver<T>) {
    let (tx, rx) = unbounded();
    (
        CappedSender {
            tx,
            cap: cap.max(1),
        },
        rx,
    )
}

impl<T> CappedSender<T> {
    /// Sends unless the queue is full. Senders on several threads may each pass the check at
    /// once, so the queue can exceed the cap by one message per extra sender, no more.
    pub(crate) fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        if self.tx.len() >= self.cap {
            return Err(TrySendError::Full(msg));
        }
        self.tx
            .send(msg)
            .map_err(|SendError(msg)| TrySendError::Disconnected(msg))
    }

    /// Sends whatever the count: for the few messages that must arrive (a shard's reports,
    /// one per snapshot and one at the end).
    pub(crate) fn send(&self, msg: T) -> Result<(), SendError<T>> {
        self.tx.send(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_at_the_cap_and_accepts_again_once_read() {
        let (tx, rx) = capped(2);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.clone().try_send(2), Ok(()));
        assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(tx.try_send(4), Ok(()));
        // Reports bypass the count.
        assert_eq!(tx.send(5), Ok(()));
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), [2, 4, 5]);
        drop(rx);
        assert_eq!(tx.try_send(6), Err(TrySendError::Disconnected(6)));
    }

    #[test]
    fn a_zero_cap_still_lets_one_message_wait() {
        let (tx, _rx) = capped(0);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    }
}
