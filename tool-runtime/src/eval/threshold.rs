//! Thresholds for CI: the least value a metric may have, and which of them a report
//! falls below.

use std::fmt;
use std::str::FromStr;

use super::report::{Metric, Report};

/// The least value a metric may have, from 0 to 1: `correct=0.8` on a command line.
///
/// ```
/// use tool_runtime::eval::{Metric, Threshold};
///
/// let threshold: Threshold = "correct=0.8".parse()?;
/// assert_eq!(threshold, Threshold { metric: Metric::Correct, min: 0.8 });
/// assert!("correct=80".parse::<Threshold>().is_err()); // a share, not a percentage
/// assert!("speed=0.8".parse::<Threshold>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// The metric.
    pub metric: Metric,
    /// Its least value, 0 to 1.
    pub min: f64,
}

impl FromStr for Threshold {
    type Err = String;

    /// `METRIC=VALUE`, the value from 0 to 1.
    fn from_str(text: &str) -> Result<Self, String> {
        let (metric, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not METRIC=VALUE (e.g. correct=0.8)"))?;
        let metric: Metric = metric.trim().parse()?;
        let min: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a number (e.g. correct=0.8)"))?;
        if !(0.0..=1.0).contains(&min) {
            return Err(format!(
                "{metric}={value}: a threshold is a share from 0 to 1 (e.g. 0.8 for 80%)"
            ));
        }
        Ok(Self { metric, min })
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.metric, self.min)
    }
}

/// A threshold a report does not meet.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Breach {
    /// The threshold.
    pub threshold: Threshold,
    /// The metric's value; `None` when the suite measured nothing of it (a `no_call`
    /// threshold on a suite without no-call cases), which fails too: a bound that
    /// checks nothing would pass CI for the wrong reason.
    pub actual: Option<f64>,
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Threshold { metric, min } = self.threshold;
        match self.actual {
            Some(actual) => write!(f, "{metric} is {actual:.3}, below the minimum {min}"),
            None => write!(f, "{metric} was not measured (minimum {min})"),
        }
    }
}

impl Report {
    /// The thresholds the report's summary does not meet, in the order given (none: all met).
    ///
    /// ```
    /// # use tool_runtime::eval::{Report, Threshold};
    /// # fn gate(report: &Report) -> std::process::ExitCode {
    /// let thresholds: Vec<Threshold> = vec!["correct=0.8".parse().unwrap()];
    /// let breaches = report.check(&thresholds);
    /// for breach in &breaches {
    ///     eprintln!("{breach}");
    /// }
    /// if breaches.is_empty() { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::FAILURE }
    /// # }
    /// ```
    pub fn check(&self, thresholds: &[Threshold]) -> Vec<Breach> {
        thresholds
            .iter()
            .filter_map(|threshold| {
                let actual = self.summary.rate(threshold.metric).value();
                let met = actual.is_some_and(|actual| actual >= threshold.min);
                (!met).then_some(Breach {
                    threshold: *threshold,
                    actual,
                })
            })
            .collect()
    }
}
