//! Loader batches that start when the request is idle, not after a timer.
//!
//! async-graphql's DataLoader collects keys for a fixed delay and then fires, so a level whose resolvers
//! take longer than the delay to enqueue their keys (a long list, a busy CPU) is split over several
//! statements. Here the loader hands its batches to the request's own task, which starts them only once
//! every resolver has run as far as it can and is waiting, and lets the request go on only once every
//! started batch has taken its keys: every key a level asks for lands in one batch, and no key lands in a
//! batch of another level, whatever the timing.
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
        let woken = Arc::new(Flag(AtomicBool::new(true)));
        // Batches started but not yet past their first wake-up: DataLoader takes a batch's keys only after
        // its (zero) delay, one timer tick later, so the request must not add keys to it in the meantime.
        let unsettled = Arc::new(AtomicUsize::new(0));
        std::future::poll_fn(move |cx| {
            loop {
                if woken.0.swap(false, Ordering::AcqRel) {
                    if unsettled.load(Ordering::Acquire) > 0 {
                        woken.0.store(true, Ordering::Release);
                    } else {
                        let waker =
                            Waker::from(Arc::new(RequestWaker { flag: woken.clone(), task: cx.waker().clone() }));
                        if let Poll::Ready(output) = request.as_mut().poll(&mut Context::from_waker(&waker)) {
                            return Poll::Ready(output);
                        }
                        if woken.0.load(Ordering::Acquire) {
                            // The request yielded with work left: more keys may still come, so no batch
                            // starts yet.
                            return Poll::Pending;
                        }
                        for batch in self.take_queued() {
                            running.push(settling(batch, unsettled.clone()));
                        }
                    }
                }
                while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {}
                if !(woken.0.load(Ordering::Acquire) && unsettled.load(Ordering::Acquire) == 0) {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// Counts `batch` as unsettled until it has been polled twice (its delay has passed and it has taken its
/// keys) or has finished.
fn settling(batch: BoxFuture<'static, ()>, unsettled: Arc<AtomicUsize>) -> BoxFuture<'static, ()> {
    unsettled.fetch_add(1, Ordering::AcqRel);
    let mut batch = batch;
    let mut polls = 0;
    Box::pin(std::future::poll_fn(move |cx| {
        polls += 1;
        let poll = batch.as_mut().poll(cx);
        if polls == 2 || (polls == 1 && poll.is_ready()) {
            unsettled.fetch_sub(1, Ordering::AcqRel);
        }
        poll
    }))
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
        self.flag.0.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}
