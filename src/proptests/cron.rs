//! Cron expressions and time zones of schedules: parsing never panics, and a
//! timing that parses computes next and due runs at any instant without panicking.

use crate::service::schedule::cron::timing;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

/// One cron field from the grammar croner knows, with values in and out of range.
fn arb_field() -> impl Strategy<Value = String> {
    let num = prop_oneof![0u32..70, Just(0u32), Just(99_999), any::<u32>()];
    let atom = prop_oneof![
        Just("*".to_string()),
        Just("?".to_string()),
        Just("L".to_string()),
        Just("LW".to_string()),
        num.clone().prop_map(|n| n.to_string()),
        (num.clone(), num.clone()).prop_map(|(a, b)| format!("{a}-{b}")),
        num.clone().prop_map(|n| format!("*/{n}")),
        (num.clone(), num.clone(), num.clone()).prop_map(|(a, b, c)| format!("{a}-{b}/{c}")),
        num.clone().prop_map(|n| format!("{n}W")),
        (num.clone(), num.clone()).prop_map(|(a, b)| format!("{a}#{b}")),
        num.prop_map(|n| format!("{n}L")),
        prop::sample::select(vec!["MON", "sun", "JAN", "dec", "MON-FRI", "FOO"])
            .prop_map(str::to_string),
        "[-*/,#LW?0-9a-zA-Z]{1,6}",
    ];
    prop::collection::vec(atom, 1..4).prop_map(|v| v.join(","))
}

fn arb_expr() -> impl Strategy<Value = String> {
    prop::collection::vec(arb_field(), 4..8).prop_map(|v| v.join(" "))
}

fn arb_tz() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Chatham"
        ])
        .prop_map(str::to_string),
        ".{0,20}",
    ]
}

/// Any instant from year 1900 to 2200.
fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-2_208_988_800i64..7_258_118_400)
        .prop_map(|s| Utc.timestamp_opt(s, 0).single().expect("in range"))
}

fn check(expr: &str, tz: &str, a: DateTime<Utc>, b: DateTime<Utc>) {
    match timing(expr, tz) {
        Ok(t) => {
            if let Ok(next) = t.next_after(a) {
                assert!(next > a, "next run {next} is not after {a}");
            }
            let (since, now) = (a.min(b), a.max(b));
            if let Some(due) = t.latest_due(since, now) {
                assert!(
                    due > since && due <= now,
                    "due {due} outside ({since}, {now}]"
                );
            }
        }
        Err(e) => {
            let m = e.to_string();
            assert!(
                m.starts_with("cron:") || m.starts_with("timezone:"),
                "unclear error: {m}"
            );
        }
    }
}

proptest! {
    #[test]
    fn proptest_cron_arbitrary_text(expr in ".*", tz in ".*") {
        check(&expr, &tz, Utc::now(), Utc::now());
    }

    #[test]
    fn proptest_cron_near_valid(expr in arb_expr(), tz in arb_tz(), a in arb_instant(), b in arb_instant()) {
        check(&expr, &tz, a, b);
    }
}
