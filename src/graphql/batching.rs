//! Loader batches that start when the request is idle, not after a timer.
//!
//! async-graphql's DataLoader collects keys for a fixed delay and then fires, so a level whose resolvers
//! take longer than the delay to enqueue their keys (a long list, a busy CPU) is split over several
//! statements. Here the loader hands its batches to the request's own task, which starts them only once
//! every resolver has run as far as it can and is waiting: every key a level asks for lands in one batch,
//! whatever the timing, and no request waits on a timer.
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

/// Batches a request's loaders have asked to run.
#[derive(Clone, Default)]
pub struct Batches {
    queued: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
}

impl Batches {
    /// The spawner to hand to `DataLoader::new`.
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let queued = self.queued.clone();
        move |batch| queued.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(batch)
    }

    fn take_queued(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Drives `request` and its batches on the current task until the request completes.
    pub async fn run<F: Future>(self, request: F) -> F::Output {
        let mut request = pin!(request);
        let mut running = FuturesUnordered::new();
        let woken = Arc::new(Flag::default());
        std::future::poll_fn(move |cx| {
            let waker = Waker::from(Arc::new(RequestWaker { flag: woken.clone(), task: cx.waker().clone() }));
            woken.0.store(false, Ordering::Relaxed);
            if let Poll::Ready(output) = request.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            if woken.0.load(Ordering::Relaxed) {
                // The request yielded with work left: more keys may still come, so no batch starts yet.
                return Poll::Pending;
            }
            running.extend(self.take_queued());
            while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {}
            Poll::Pending
        })
        .await
    }
}

#[derive(Default)]
struct Flag(AtomicBool);

/// Wakes the task, and records that it was the request (not a batch) that asked to run again.
struct RequestWaker {
    flag: Arc<Flag>,
    task: Waker,
}

impl Wake for RequestWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.flag.0.store(true, Ordering::Relaxed);
        self.task.wake_by_ref();
    }
}
