//! Rate limiting by cost: each client has a token bucket (governor's GCRA) of `rate_limit_per_minute`
//! points, refilled continuously. A request pays 1 on arrival, and each operation pays its requested cost
//! before it runs (the guard calls [`ClientBudget::charge`]). Clients are told what is left in
//! `RateLimit-*` headers.
use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::graphql::admission::CostBudget;

/// Who pays: an API key (a bearer token, kept only as a hash) or, without one, the client's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    ApiKey(u64),
    Address(IpAddr),
    /// Neither is known (a request that did not come through a socket): all such share one bucket.
    Unknown,
}

type KeyedLimiter = RateLimiter<ClientKey, DefaultKeyedStateStore<ClientKey>, DefaultClock, StateInformationMiddleware>;

/// Forget clients whose buckets are full again every this many charges, so random keys cannot grow memory.
const SWEEP_EVERY: u64 = 1024;

pub struct CostLimiter {
    limiter: Option<KeyedLimiter>,
    per_minute: u32,
    token_hasher: std::collections::hash_map::RandomState,
    charges: AtomicU64,
}

impl CostLimiter {
    /// `per_minute` points per client and minute; 0 turns rate limiting off.
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|per_minute| {
            RateLimiter::keyed(Quota::per_minute(per_minute)).with_middleware::<StateInformationMiddleware>()
        });
        Self { limiter, per_minute, token_hasher: Default::default(), charges: AtomicU64::new(0) }
    }

    pub fn client_key(&self, parts: &Parts) -> ClientKey {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        if let Some(token) = token {
            return ClientKey::ApiKey(self.token_hasher.hash_one(token));
        }
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(address)) => ClientKey::Address(address.ip()),
            None => ClientKey::Unknown,
        }
    }

    pub fn budget(self: &Arc<Self>, key: ClientKey) -> Arc<ClientBudget> {
        Arc::new(ClientBudget { limiter: self.clone(), key, last: Mutex::new(None) })
    }
}

/// One request's view of its client's bucket: it charges it and remembers the latest outcome for the
/// response headers.
pub struct ClientBudget {
    limiter: Arc<CostLimiter>,
    key: ClientKey,
    last: Mutex<Option<Charge>>,
}

#[derive(Debug, Clone, Copy)]
enum Charge {
    Paid { remaining: u32 },
    Refused { wait: Duration },
}

impl ClientBudget {
    /// `RateLimit-Limit`, `-Remaining` and `-Reset` (seconds until the bucket is full), and `Retry-After` when
    /// the latest charge was refused. Nothing when rate limiting is off.
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let limit = self.limiter.per_minute;
        let Some(last) = *self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) else { return headers };
        let remaining = match last {
            Charge::Paid { remaining } => remaining,
            Charge::Refused { .. } => 0,
        };
        let reset = (u64::from(limit - remaining.min(limit)) * 60).div_ceil(u64::from(limit.max(1)));
        headers.insert("ratelimit-limit", HeaderValue::from(limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(reset));
        if let Charge::Refused { wait } = last {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs_f64().ceil() as u64));
        }
        headers
    }
}

impl CostBudget for ClientBudget {
    fn charge(&self, cost: u64) -> Result<(), Duration> {
        let limiter = &*self.limiter;
        let Some(keyed) = &limiter.limiter else { return Ok(()) };
        // A cost above the whole budget takes the whole budget: governor refuses a charge it can never pay.
        let cells = NonZeroU32::new(cost.clamp(1, u64::from(limiter.per_minute)) as u32).unwrap_or(NonZeroU32::MIN);
        let charge = match keyed.check_key_n(&self.key, cells) {
            Ok(Ok(state)) => Charge::Paid { remaining: state.remaining_burst_capacity() },
            Ok(Err(not_until)) => Charge::Refused { wait: not_until.wait_time_from(keyed.clock().now()) },
            Err(_) => Charge::Refused { wait: Duration::from_secs(60) },
        };
        if limiter.charges.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            keyed.retain_recent();
            keyed.shrink_to_fit();
        }
        *self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(charge);
        match charge {
            Charge::Paid { .. } => Ok(()),
            Charge::Refused { wait } => Err(wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_pays_from_its_own_bucket_until_it_is_empty() {
        let limiter = Arc::new(CostLimiter::new(100));
        let alice = limiter.budget(ClientKey::ApiKey(1));
        let bob = limiter.budget(ClientKey::ApiKey(2));
        assert_eq!(alice.charge(60), Ok(()));
        assert_eq!(alice.headers()["ratelimit-remaining"], "40");
        let wait = alice.charge(60).expect_err("only 40 left");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(alice.headers()["retry-after"], wait.as_secs_f64().ceil().to_string().as_str());
        assert_eq!(bob.charge(100), Ok(()), "another client has a bucket of its own");
        let carol = limiter.budget(ClientKey::ApiKey(3));
        assert_eq!(carol.charge(1_000_000), Ok(()), "a cost above the whole budget takes the whole budget");
        assert!(carol.charge(1).is_err());
    }

    #[test]
    fn zero_turns_rate_limiting_off() {
        let limiter = Arc::new(CostLimiter::new(0));
        let client = limiter.budget(ClientKey::Unknown);
        assert_eq!(client.charge(u64::MAX), Ok(()));
        assert!(client.headers().is_empty());
    }
}
