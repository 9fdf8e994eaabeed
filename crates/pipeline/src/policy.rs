//! What the source does when a worker falls behind.

use crossbeam_channel::{Sender, TrySendError};

use crate::spin::spin_with;

/// Backpressure policy for the source → worker channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Wait for the worker: nothing is lost, the source slows down (files, offline analysis).
    #[default]
    Block,
    /// Drop the batch that does not fit and count its packets against the shard: capture
    /// never stalls (live interfaces, where stalling only moves the loss into the kernel).
    DropNewest,
}

/// What became of one message.
#[derive(Debug)]
pub(crate) enum Delivery<T> {
    /// Queued for the worker.
    Sent,
    /// The channel was full (only under [`Policy::DropNewest`]); the message comes back.
    Full(T),
    /// The worker is gone; the message comes back.
    Gone(T),
}

impl Policy {
    /// Sends `msg` on `tx` according to the policy, spinning briefly before blocking if
    /// `spin` (see [`crate::spin`]). Never panics: a worker that has gone away (e.g. at
    /// shutdown) is reported, not unwrapped.
    pub(crate) fn deliver<T>(self, tx: &Sender<T>, msg: T, spin: bool) -> Delivery<T> {
        match self {
            Policy::Block => {
                let msg = if spin {
                    match spin_with(msg, |m| match tx.try_send(m) {
                        Ok(()) => Ok(Delivery::Sent),
                        Err(TrySendError::Full(m)) => Err(m),
                        Err(TrySendError::Disconnected(m)) => Ok(Delivery::Gone(m)),
                    }) {
                        Ok(delivery) => return delivery,
                        Err(m) => m,
                    }
                } else {
                    msg
                };
                match tx.send(msg) {
                    Ok(()) => Delivery::Sent,
                    Err(e) => Delivery::Gone(e.into_inner()),
                }
            }
            Policy::DropNewest => match tx.try_send(msg) {
                Ok(()) => Delivery::Sent,
                Err(TrySendError::Full(m)) => Delivery::Full(m),
                Err(TrySendError::Disconnected(m)) => Delivery::Gone(m),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_newest_returns_what_did_not_fit() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        assert!(matches!(
            Policy::DropNewest.deliver(&tx, 1, false),
            Delivery::Sent
        ));
        assert!(matches!(
            Policy::DropNewest.deliver(&tx, 2, false),
            Delivery::Full(2)
        ));
        drop(rx);
        assert!(matches!(
            Policy::Block.deliver(&tx, 3, false),
            Delivery::Gone(3)
        ));
        assert!(matches!(
            Policy::Block.deliver(&tx, 4, true),
            Delivery::Gone(4)
        ));
    }
}
