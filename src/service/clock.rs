//! The service's "now" where a decision depends on it (a skip that
//! expires): the system clock plus an offset that tests move forward, so an
//! expiry can be tested without waiting for it.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// The system clock, shifted by an adjustable offset (zero in production).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// The current time as the service sees it.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the service's time forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_clock_tells_the_system_time() {
        let c = Clock::default();
        let d = (c.now() - Utc::now()).num_seconds().abs();
        assert!(d < 5, "{d}");
    }

    #[test]
    fn advancing_moves_now_forward_by_that_much() {
        let c = Clock::default();
        c.advance(Duration::hours(2));
        let ahead = (c.now() - Utc::now()).num_minutes();
        assert!((119..=120).contains(&ahead), "{ahead}");
    }
}
