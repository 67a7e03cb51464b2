//! What time the dashboard shows. A real service runs on the wall clock; `callboard demo`
//! runs on the simulator's faster one, so the header, the ages, the elapsed time and the
//! schedules all read one clock and agree with what happens on screen.

use chrono::{DateTime, Utc};
use std::sync::Arc;

type NowFn = dyn Fn() -> DateTime<Utc> + Send + Sync;

#[derive(Clone, Default)]
pub struct Clock {
    now: Option<Arc<NowFn>>,
    /// How many clock seconds pass per real second (1 = the wall clock).
    pub speed: f64,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Self {
            now: None,
            speed: 1.0,
        }
    }

    /// A clock that reads `now`, running `speed` times faster than the wall clock.
    pub fn scaled(speed: f64, now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self {
            now: Some(Arc::new(now)),
            speed,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.now {
            Some(f) => f(),
            None => Utc::now(),
        }
    }

    /// Faster than the wall clock: the header says so.
    pub fn is_accelerated(&self) -> bool {
        self.now.is_some() && (self.speed - 1.0).abs() > f64::EPSILON
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock(×{})", self.speed)
    }
}
