//! Waiting for events in tests: every wait has a bound and says what it awaited.
//!
//! A test never sleeps for a guessed time: it polls a condition until it holds
//! (`wait_for`), and where it must show that something does *not* happen it
//! waits for the event that would have come first (a later scan, a reaper
//! round, a clock advanced by hand) and then looks.

use std::future::Future;
use std::time::{Duration, Instant};

/// The default bound for a condition the service makes true on its own: generous,
/// since CI machines are loaded (a test only takes this long when it fails).
pub const EVENT: Duration = Duration::from_secs(60);

/// How often a condition is polled.
pub const POLL: Duration = Duration::from_millis(20);

/// Polls `probe` until it returns `Some`, for at most `timeout`; fails naming `what`
/// and how long it waited.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    wait_for_showing(what, timeout, || {
        let seen = probe();
        async move { seen.await.ok_or_else(String::new) }
    })
    .await
}

/// `wait_for` for a probe that says what it sees while the condition does not hold
/// (`Err`): a failure shows the last of it (a page's text, a folder's files).
pub async fn wait_for_showing<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        let seen = match probe().await {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        assert!(
            start.elapsed() < timeout,
            "waited {:.1} s for {what}: it did not happen{}",
            start.elapsed().as_secs_f64(),
            if seen.is_empty() {
                String::new()
            } else {
                format!("; last seen:\n{seen}")
            }
        );
        tokio::time::sleep(POLL).await;
    }
}

/// `wait_for` for a probe that blocks (files, child processes, std clients).
pub fn wait_for_blocking<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "waited {:.1} s for {what}: it did not happen",
            start.elapsed().as_secs_f64()
        );
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_for_returns_the_first_value_the_probe_gives() {
        let mut calls = 0;
        let got = wait_for("the third call", Duration::from_secs(5), || {
            calls += 1;
            let n = calls;
            async move { (n == 3).then_some(n) }
        })
        .await;
        assert_eq!(got, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "for the impossible: it did not happen")]
    async fn wait_for_fails_naming_what_it_awaited() {
        wait_for::<(), _, _>("the impossible", Duration::from_millis(50), || async {
            None
        })
        .await;
    }
}
