//! Rate limits on Management API calls made with a user's own token
//! (`current_user` scopes), per user: a token bucket with a burst and a
//! sustained rate, both configurable (`--rate-limit BURST/PER_MINUTE`).
//! The defaults are this tenant's own; Auth0's differ from plan to plan.

use std::collections::HashMap;
use std::sync::Mutex;

/// A burst, and how many requests a minute refill it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            burst: 20,
            per_minute: 60,
        }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `20/60`: a burst of 20, refilled at 60 a minute.
    fn from_str(s: &str) -> Result<Self, String> {
        let (b, m) = s
            .split_once('/')
            .ok_or("expected BURST/PER_MINUTE, such as 20/60")?;
        let burst = b
            .trim()
            .parse()
            .map_err(|_| "the burst must be a whole number")?;
        let per_minute = m
            .trim()
            .parse()
            .map_err(|_| "the rate must be a whole number")?;
        if burst == 0 || per_minute == 0 {
            return Err("the burst and the rate must be above zero".into());
        }
        Ok(RateLimit { burst, per_minute })
    }
}

/// The answer to one request: allowed or not, and the headers to send.
#[derive(Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// UNIX seconds when the bucket is full again (`X-RateLimit-Reset`).
    pub reset: i64,
}

pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Limiter {
            limit,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `key`'s bucket at `now_ms`.
    pub fn take(&self, key: &str, now_ms: i64) -> Verdict {
        let burst = f64::from(self.limit.burst);
        let per_ms = f64::from(self.limit.per_minute) / 60_000.0;
        let mut buckets = self.buckets.lock().expect("limiter lock");
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((burst, now_ms));
        *tokens = (*tokens + (now_ms - *last).max(0) as f64 * per_ms).min(burst);
        *last = now_ms;
        let allowed = *tokens >= 1.0;
        if allowed {
            *tokens -= 1.0;
        }
        let to_full_ms = ((burst - *tokens) / per_ms).ceil() as i64;
        Verdict {
            allowed,
            limit: self.limit.burst,
            remaining: tokens.floor() as u32,
            reset: (now_ms + to_full_ms + 999) / 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let l = Limiter::new(RateLimit {
            burst: 3,
            per_minute: 60,
        });
        let t0 = 1_000_000;
        let remaining: Vec<u32> = (0..3).map(|_| l.take("u", t0).remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = l.take("u", t0);
        assert!(!refused.allowed);
        assert_eq!(
            refused.reset,
            (t0 + 3000) / 1000,
            "full again in three seconds"
        );
        assert!(l.take("u", t0 + 1000).allowed, "one a second comes back");
        assert!(l.take("other", t0).allowed, "per user");
    }

    #[test]
    fn parses_burst_and_rate() {
        assert_eq!(
            "5/30".parse(),
            Ok(RateLimit {
                burst: 5,
                per_minute: 30
            })
        );
        assert!("5".parse::<RateLimit>().is_err());
        assert!("0/30".parse::<RateLimit>().is_err());
    }
}
