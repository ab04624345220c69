//! The server-wide in-flight budget: what bounds memory is how much work runs at once, not how many clients
//! there are. Each admitted operation holds its requested cost (the analysis's upper bound on the fields its
//! response can hold) from the budget while it executes. One that does not fit waits, in arrival order,
//! until its cost is free or the wait is over; then it is shed with `UNAVAILABLE` (503) and `Retry-After`.
//!
//! Small operations have a lane of their own, so a crowd of heavy ones never holds up a `{ role { title } }`
//! behind them: a heavy operation waits only for other heavy ones. Heavy operations are also counted: fewer
//! run at once than the database pool has connections, so they never fill it and make small ones wait for
//! a connection instead.
use std::sync::Arc;
use std::time::Duration;

use async_graphql::ServerError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{HttpLimits, QueryLimits};
use crate::graphql::error::ErrorCode;

pub struct InFlight {
    small: Lane,
    heavy: Lane,
    /// One permit per heavy operation that may run at once.
    heavy_operations: Arc<Semaphore>,
    /// The most an operation may cost and still go in the small lane.
    small_cost: u64,
    wait: Duration,
}

/// A share of the budget, in cost units.
struct Lane {
    name: &'static str,
    permits: Arc<Semaphore>,
    capacity: u32,
}

impl Lane {
    fn new(name: &'static str, capacity: u64) -> Self {
        // The semaphore counts in `u32`; a budget past that is as good as none.
        let capacity = u32::try_from(capacity).unwrap_or(u32::MAX).min(Semaphore::MAX_PERMITS as u32).max(1);
        Self { name, permits: Arc::new(Semaphore::new(capacity as usize)), capacity }
    }
}

/// What an operation holds from the budget while it runs; its cost is free again when this is dropped.
pub struct Held {
    _permits: Vec<OwnedSemaphorePermit>,
}

impl InFlight {
    pub fn new(limits: &QueryLimits) -> Option<Self> {
        if limits.in_flight_cost == 0 {
            return None;
        }
        let small_cost = limits.in_flight_small_cost.min(limits.in_flight_cost);
        Some(Self {
            // The small lane holds a tenth of the budget, and room for at least one small operation.
            small: Lane::new("small", (limits.in_flight_cost / 10).max(small_cost)),
            heavy: Lane::new("heavy", limits.in_flight_cost),
            heavy_operations: Arc::new(Semaphore::new(limits.in_flight_heavy.unwrap_or(u32::MAX).max(1) as usize)),
            small_cost,
            wait: limits.in_flight_wait.unwrap_or(HttpLimits::DEFAULT.request_timeout / 2),
        })
    }

    /// Waits until `cost` fits in its lane, or refuses once the wait is over. An operation costlier than its
    /// whole lane waits for the lane to empty and then runs alone in it.
    pub async fn enter(&self, cost: u64) -> Result<Held, ServerError> {
        let small = cost <= self.small_cost;
        let lane = if small { &self.small } else { &self.heavy };
        let units = u32::try_from(cost).unwrap_or(u32::MAX).clamp(1, lane.capacity);
        let acquire = async {
            let mut permits = Vec::with_capacity(2);
            if !small {
                permits.push(self.heavy_operations.clone().acquire_owned().await?);
            }
            permits.push(lane.permits.clone().acquire_many_owned(units).await?);
            Ok::<_, tokio::sync::AcquireError>(permits)
        };
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permits)) => Ok(Held { _permits: permits }),
            // The semaphores are never closed; were they, nothing would be held either.
            Ok(Err(_)) => Ok(Held { _permits: Vec::new() }),
            Err(_) => {
                crate::metrics::rejected(if lane.name == "small" { "inFlightSmall" } else { "inFlight" });
                Err(busy(self.wait))
            }
        }
    }
}

fn busy(wait: Duration) -> ServerError {
    let seconds = wait.as_secs().max(1);
    let mut error = ErrorCode::Unavailable
        .error(format!("the server is at capacity and this operation waited {wait:?} for room; retry in {seconds} s"));
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("retryAfter", seconds);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_flight(budget: u64, small: u64, wait_ms: u64) -> InFlight {
        counted(budget, small, wait_ms, None)
    }

    fn counted(budget: u64, small: u64, wait_ms: u64, heavy: Option<u32>) -> InFlight {
        let limits = QueryLimits {
            in_flight_cost: budget,
            in_flight_small_cost: small,
            in_flight_heavy: heavy,
            in_flight_wait: Some(Duration::from_millis(wait_ms)),
            ..QueryLimits::default()
        };
        InFlight::new(&limits).expect("a budget")
    }

    #[tokio::test]
    async fn operations_wait_for_room_and_are_shed_past_the_wait() {
        let budget = in_flight(1000, 10, 50);
        let first = budget.enter(600).await.unwrap();
        let refused = budget.enter(600).await.err().expect("no room for a second");
        assert_eq!(ErrorCode::of(&refused), Some(ErrorCode::Unavailable));
        drop(first);
        assert!(budget.enter(600).await.is_ok(), "room again once the first finished");
    }

    #[tokio::test]
    async fn small_operations_do_not_wait_behind_heavy_ones() {
        let budget = in_flight(1000, 10, 50);
        let _heavy = budget.enter(1000).await.unwrap();
        assert!(budget.enter(5).await.is_ok(), "a small operation has its own lane");
        assert!(budget.enter(500).await.is_err(), "a heavy one waits for heavy room, and is shed");
    }

    #[tokio::test]
    async fn heavy_operations_are_counted_and_small_ones_are_not() {
        let budget = counted(1000, 10, 50, Some(2));
        let (_first, _second) = (budget.enter(100).await.unwrap(), budget.enter(100).await.unwrap());
        assert!(budget.enter(100).await.is_err(), "a third heavy one waits though its cost would fit");
        let small: Vec<_> = futures_util::future::join_all((0..5).map(|_| budget.enter(1))).await;
        assert!(small.iter().all(Result::is_ok), "small operations are not counted");
    }

    #[tokio::test]
    async fn an_operation_costlier_than_the_budget_runs_alone() {
        let budget = in_flight(1000, 10, 50);
        let alone = budget.enter(1_000_000).await.unwrap();
        assert!(budget.enter(100).await.is_err());
        drop(alone);
        assert!(budget.enter(100).await.is_ok());
    }

    #[test]
    fn no_budget_means_no_bound() {
        let limits = QueryLimits { in_flight_cost: 0, ..QueryLimits::default() };
        assert!(InFlight::new(&limits).is_none());
    }
}
