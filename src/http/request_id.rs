//! The ids of requests that arrive without one: UUIDs of version 8 (RFC 9562's layout for ids made to an
//! application's own scheme), a random half drawn once per process and a counter. Unique within a process,
//! and across processes as a random 62-bit draw is; a v4 UUID per request asked the kernel for randomness
//! each time, a syscall that was the largest single cost of a small query's id (perf, docs/benchmarks.md).
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Makes the next id of this process for each request without one.
#[derive(Clone, Copy, Default)]
pub struct Sequential;

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::try_from(next()).ok().map(RequestId::new)
    }
}

/// This process's next id.
pub fn next() -> String {
    static PROCESS: LazyLock<u64> = LazyLock::new(rand::random);
    static COUNT: AtomicU64 = AtomicU64::new(0);
    format(*PROCESS, COUNT.fetch_add(1, Ordering::Relaxed))
}

/// The UUID of `count` in the process drawn as `process`: version 8 in the time_hi nibble, RFC 9562's
/// variant (`10`) at the top of the clock sequence, the counter below it. Written digit by digit: through
/// `format!` the id was 3% of the instructions of `{ __typename }` (callgrind, docs/benchmarks.md).
fn format(process: u64, count: u64) -> String {
    let high = (process & !0xf000) | 0x8000;
    let low = (count & (u64::MAX >> 2)) | (1 << 63);
    let mut id = *b"00000000-0000-0000-0000-000000000000";
    hex(&mut id[0..8], high >> 32);
    hex(&mut id[9..13], high >> 16);
    hex(&mut id[14..18], high);
    hex(&mut id[19..23], low >> 48);
    hex(&mut id[24..36], low);
    String::from_utf8(id.to_vec()).expect("hex digits and dashes are ASCII")
}

/// Writes the lowest `digits.len()` nibbles of `value` into `digits`, in hex.
fn hex(digits: &mut [u8], value: u64) {
    for (i, digit) in digits.iter_mut().rev().enumerate() {
        *digit = b"0123456789abcdef"[((value >> (4 * i)) & 0xf) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_8_uuids_that_differ_by_their_counter() {
        let first = format(0x0123_4567_89ab_cdef, 0);
        assert_eq!(first, "01234567-89ab-8def-8000-000000000000");
        assert_eq!(format(0x0123_4567_89ab_cdef, 0x2a), "01234567-89ab-8def-8000-00000000002a");
        assert_eq!(format(u64::MAX, u64::MAX), "ffffffff-ffff-8fff-bfff-ffffffffffff");
        assert_ne!(next(), next());
    }
}
