//! Cron expressions and time zones, and the pure timing rules of schedules.
//! The clock is always a parameter, so tests run due ticks directly.

use crate::error::{shown, Error, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds};
use croner::Cron;

/// Runs looked at to find a schedule's shortest interval: with 1,000, a pattern that
/// fires a few times a month is followed for years.
const SAMPLED_RUNS: usize = 1000;
/// The span followed to find a schedule's longest interval: weekly and monthly
/// patterns (a weekend, a month of 31 days) show their longest gap within it.
const LONGEST_SPAN_DAYS: i64 = 35;
/// Most runs followed for the longest interval (every minute for two weeks).
const LONGEST_RUNS: usize = 20_000;

/// The instant without its fraction of a second.
fn whole_second(t: DateTime<Utc>) -> DateTime<Utc> {
    chrono::Timelike::with_nanosecond(&t, 0).unwrap_or(t)
}

/// A validated schedule timing.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Six fields, seconds first, as tokio-cron-scheduler wants it.
    pub six_fields: String,
    pub cron: Cron,
    pub tz: Tz,
}

/// Turns standard 5-field cron (or 6 fields with seconds first) into 6 fields.
pub fn six_fields(expr: &str) -> Result<String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    match fields.len() {
        5 => Ok(format!("0 {}", fields.join(" "))),
        6 => Ok(fields.join(" ")),
        n => Err(Error::Invalid(format!("cron: '{}' has {n} fields; use 5 (minute hour day month weekday) or 6 with seconds first", shown(expr)))),
    }
}

/// Parses a time zone name such as UTC or Europe/Berlin.
pub fn timezone(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        Error::Invalid(format!(
            "timezone: unknown time zone '{}' (use an IANA name such as UTC or Europe/Berlin)",
            shown(name)
        ))
    })
}

/// Longest cron expression accepted: real ones are a few dozen characters; a
/// longer one is stored and shown on every schedule listing.
pub const MAX_CRON_CHARS: usize = 200;

/// Validates a cron expression and time zone together.
pub fn timing(expr: &str, tz: &str) -> Result<Timing> {
    if expr.len() > MAX_CRON_CHARS {
        return Err(Error::Invalid(format!(
            "cron: longer than {MAX_CRON_CHARS} characters"
        )));
    }
    let six = six_fields(expr)?;
    let cron = CronParser::builder()
        .seconds(Seconds::Required)
        .build()
        .parse(&six)
        .map_err(|e| Error::Invalid(format!("cron: '{}' is not valid: {e}", shown(expr))))?;
    Ok(Timing {
        six_fields: six,
        cron,
        tz: timezone(tz)?,
    })
}

impl Timing {
    /// The first fire time strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Result<DateTime<Utc>> {
        // croner keeps the sub-second part of its start; runs fall on whole seconds
        self.cron
            .find_next_occurrence(&whole_second(after).with_timezone(&self.tz), false)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Error::Invalid(format!("cron: no next run: {e}")))
    }

    /// The shortest time between two consecutive runs, judged over the next
    /// `SAMPLED_RUNS` runs: every gap a cron expression has shows up within them.
    pub fn shortest_interval(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let mut at = self.next_after(now).ok()?;
        let mut shortest: Option<chrono::Duration> = None;
        for _ in 0..SAMPLED_RUNS {
            let Ok(next) = self.next_after(at) else { break };
            let gap = next - at;
            shortest = Some(shortest.map_or(gap, |s| s.min(gap)));
            at = next;
        }
        shortest
    }

    /// The longest time between two consecutive runs over the next 35 days (at most
    /// 20,000 runs); a pattern rarer than that: the gap after its next run.
    pub fn longest_interval(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let mut at = self.next_after(now).ok()?;
        let end = at + chrono::Duration::days(LONGEST_SPAN_DAYS);
        let mut longest: Option<chrono::Duration> = None;
        for _ in 0..LONGEST_RUNS {
            let Ok(next) = self.next_after(at) else { break };
            let gap = next - at;
            longest = Some(longest.map_or(gap, |l| l.max(gap)));
            if next > end {
                break;
            }
            at = next;
        }
        longest
    }

    /// The latest fire time at or before `now` that is after `since`, if any:
    /// however many ticks were missed, there is one to run.
    pub fn latest_due(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let last = self
            .cron
            .find_previous_occurrence(&whole_second(now).with_timezone(&self.tz), true)
            .ok()?
            .with_timezone(&Utc);
        (last > since).then_some(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn an_overlong_cron_is_refused_without_echoing_it() {
        // valid croner syntax, only long: a list of the same minute
        let long = format!("0 {} * * * *", vec!["5"; 150].join(","));
        let e = timing(&long, "UTC").unwrap_err().to_string();
        assert!(e.contains("longer than 200"), "{e}");
        assert!(e.len() < 100, "{e}");
    }

    #[test]
    fn five_and_six_fields() {
        assert_eq!(six_fields("0 3 * * *").unwrap(), "0 0 3 * * *");
        assert_eq!(six_fields("30 0 3 * * 1").unwrap(), "30 0 3 * * 1");
        assert!(six_fields("* * *")
            .unwrap_err()
            .to_string()
            .starts_with("cron:"));
        assert!(timing("61 * * * *", "UTC")
            .unwrap_err()
            .to_string()
            .starts_with("cron:"));
        assert!(timing("0 3 * * *", "Mars/Olympus")
            .unwrap_err()
            .to_string()
            .starts_with("timezone:"));
    }

    #[test]
    fn next_runs_follow_the_time_zone() {
        // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer
        let t = timing("0 3 * * *", "Europe/Berlin").unwrap();
        assert_eq!(
            t.next_after(at(2026, 1, 10, 12, 0)).unwrap(),
            at(2026, 1, 11, 2, 0)
        );
        assert_eq!(
            t.next_after(at(2026, 7, 10, 12, 0)).unwrap(),
            at(2026, 7, 11, 1, 0)
        );
        let utc = timing("*/15 * * * *", "UTC").unwrap();
        assert_eq!(
            utc.next_after(at(2026, 1, 1, 0, 0)).unwrap(),
            at(2026, 1, 1, 0, 15)
        );
    }

    #[test]
    fn next_runs_fall_on_whole_seconds() {
        let now = at(2026, 1, 1, 0, 0) + chrono::Duration::nanoseconds(123_456_789);
        let t = timing("*/5 * * * *", "UTC").unwrap();
        let next = t.next_after(now).unwrap();
        assert_eq!(next, at(2026, 1, 1, 0, 5));
        assert_eq!(chrono::Timelike::nanosecond(&next), 0);
    }

    #[test]
    fn shortest_interval_finds_the_closest_runs() {
        let now = at(2026, 1, 1, 0, 0);
        let every_second = timing("* * * * * *", "UTC").unwrap();
        assert_eq!(
            every_second.shortest_interval(now),
            Some(chrono::Duration::seconds(1))
        );
        let daily = timing("0 3 * * *", "UTC").unwrap();
        assert_eq!(
            daily.shortest_interval(now),
            Some(chrono::Duration::days(1))
        );
        // two runs a minute apart, once a year: still found
        let twice = timing("0,1 3 1 1 *", "UTC").unwrap();
        assert_eq!(
            twice.shortest_interval(now),
            Some(chrono::Duration::minutes(1))
        );
    }

    #[test]
    fn longest_interval_finds_the_weekend_and_the_long_month() {
        let now = at(2026, 3, 2, 12, 0); // a Monday
        let weekdays = timing("0 3 * * 1-5", "UTC").unwrap();
        assert_eq!(
            weekdays.longest_interval(now),
            Some(chrono::Duration::days(3))
        );
        let often = timing("*/5 * * * *", "UTC").unwrap();
        assert_eq!(
            often.longest_interval(now),
            Some(chrono::Duration::minutes(5))
        );
        let monthly = timing("0 3 1 * *", "UTC").unwrap();
        assert_eq!(
            monthly.longest_interval(now),
            Some(chrono::Duration::days(31))
        );
    }

    #[test]
    fn missed_ticks_collapse_into_one() {
        let t = timing("0 * * * *", "UTC").unwrap();
        // down from 01:30 to 05:10: four ticks missed, one is due, the latest
        assert_eq!(
            t.latest_due(at(2026, 1, 1, 1, 30), at(2026, 1, 1, 5, 10)),
            Some(at(2026, 1, 1, 5, 0))
        );
        assert_eq!(
            t.latest_due(at(2026, 1, 1, 5, 0), at(2026, 1, 1, 5, 10)),
            None,
            "already ran"
        );
        assert_eq!(
            t.latest_due(at(2026, 1, 1, 5, 0), at(2026, 1, 1, 6, 0)),
            Some(at(2026, 1, 1, 6, 0)),
            "a tick exactly now is due"
        );
    }
}
