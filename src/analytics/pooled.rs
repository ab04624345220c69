//! Estimated percentiles of a pooled wage distribution, from the percentiles each range publishes.
//!
//! Each range's wages are taken to be distributed piecewise-linearly through its published p10, p25, median,
//! p75 and p90 (evenly between two neighbouring percentiles), with the 10% tails below p10 and above p90
//! spread at the density of the neighbouring segment. The pool mixes the ranges weighted by employment; its
//! CDF is piecewise linear too, and the estimates invert it. A pool of one range returns that range's own
//! percentiles exactly.
//!
//! A top-coded percentile is only a lower bound, so a range's CDF is known only up to its last exact
//! percentile. An estimate that lies above that point for any top-coded range is itself a lower bound.

/// The cumulative shares of the published percentiles.
pub const SHARES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

/// One range in a pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    pub weight: f64,
    /// p10, p25, median, p75, p90.
    pub percentiles: [f64; 5],
    /// How many of the percentiles, from p10 up, are exact; the rest are top-coded lower bounds.
    pub exact: usize,
}

impl Component {
    /// Below this the range's CDF is known; above it, it depends on a top-coded value.
    fn known_up_to(&self) -> f64 {
        match self.exact {
            5 => f64::INFINITY,
            0 => f64::NEG_INFINITY,
            n => self.percentiles[n - 1],
        }
    }

    /// The CDF's corners: (value, cumulative share), from 0 to 1.
    fn knots(&self) -> [(f64, f64); 7] {
        let [p10, p25, p50, p75, p90] = self.percentiles;
        let low = p10 - (p25 - p10) * (0.10 / 0.15);
        let high = p90 + (p90 - p75) * (0.10 / 0.15);
        [(low, 0.0), (p10, 0.10), (p25, 0.25), (p50, 0.50), (p75, 0.75), (p90, 0.90), (high, 1.0)]
    }
}

/// An estimated percentile, and whether it is only a lower bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lower_bound: bool,
}

/// The pooled p10, p25, median, p75 and p90 of `components`, or `None` for an empty pool (or one whose weights
/// sum to nothing). Percentiles that decrease are taken in sorted order.
pub fn pooled_percentiles(components: &[Component]) -> Option<[Estimate; 5]> {
    let mut components: Vec<Component> = components
        .iter()
        .filter(|c| c.weight > 0.0 && c.percentiles.iter().all(|p| p.is_finite()))
        .map(|c| {
            let mut c = *c;
            c.percentiles.sort_by(f64::total_cmp);
            c
        })
        .collect();
    if let [one] = components.as_slice() {
        return Some(std::array::from_fn(|i| Estimate { value: one.percentiles[i], lower_bound: i >= one.exact }));
    }
    let total: f64 = components.iter().map(|c| c.weight).sum();
    if components.is_empty() || total <= 0.0 {
        return None;
    }

    // The mixture's CDF changes slope (or jumps, where a segment has no width) only at the components' knots.
    struct Event {
        at: f64,
        slope: f64,
        jump: f64,
    }
    let mut events = Vec::with_capacity(components.len() * 12);
    for c in &components {
        for pair in c.knots().windows(2) {
            let ((a, fa), (b, fb)) = (pair[0], pair[1]);
            let mass = c.weight * (fb - fa);
            if b > a {
                events.push(Event { at: a, slope: mass / (b - a), jump: 0.0 });
                events.push(Event { at: b, slope: -mass / (b - a), jump: 0.0 });
            } else {
                events.push(Event { at: a, slope: 0.0, jump: mass });
            }
        }
    }
    events.sort_by(|x, y| x.at.total_cmp(&y.at));

    let mut values = [f64::NAN; 5];
    let mut next = 0;
    let (mut cumulative, mut slope, mut previous) = (0.0, 0.0, events[0].at);
    for event in &events {
        let reached = cumulative + slope * (event.at - previous);
        while next < 5 && SHARES[next] * total <= reached {
            values[next] = if slope > 0.0 { previous + (SHARES[next] * total - cumulative) / slope } else { previous };
            next += 1;
        }
        cumulative = reached + event.jump;
        while next < 5 && SHARES[next] * total <= cumulative {
            values[next] = event.at;
            next += 1;
        }
        slope += event.slope;
        previous = event.at;
    }
    // Rounding can leave the last share a hair above the total: it lies at the top.
    for value in values.iter_mut().skip(next) {
        *value = previous;
    }
    components.retain(|c| c.exact < 5);
    Some(values.map(|value| Estimate { value, lower_bound: components.iter().any(|c| value > c.known_up_to()) }))
}

/// Estimated percentiles (p10 to p90, in cents) of a group's pooled distribution.
#[derive(Clone, Debug)]
pub struct Pooled {
    pub values: [f64; 5],
    pub lower_bounds: [bool; 5],
    /// How many ranges the pool holds.
    pub ranges: usize,
}

impl Pooled {
    /// The pool of a group's ranges: those with employment, or the group's one range whatever its employment,
    /// whose published figures it then is.
    pub fn estimate(rows: &[Component]) -> Option<Self> {
        let pool: Vec<Component> = match rows {
            [one] => vec![Component { weight: 1.0, ..*one }],
            _ => rows.iter().filter(|c| c.weight > 0.0).copied().collect(),
        };
        let estimates = pooled_percentiles(&pool)?;
        Some(Self {
            values: estimates.map(|e| e.value),
            lower_bounds: estimates.map(|e| e.lower_bound),
            ranges: pool.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(weight: f64, percentiles: [f64; 5]) -> Component {
        Component { weight, percentiles, exact: 5 }
    }

    #[test]
    fn one_range_is_its_own_percentiles() {
        let c = component(40.0, [10.0, 20.0, 30.0, 45.0, 70.0]);
        let estimates = pooled_percentiles(&[c]).unwrap();
        assert_eq!(estimates.map(|e| e.value), c.percentiles);
        assert!(estimates.iter().all(|e| !e.lower_bound));
    }

    #[test]
    fn identical_ranges_pool_to_the_same_percentiles() {
        let c = component(3.0, [10.0, 20.0, 30.0, 45.0, 70.0]);
        let estimates = pooled_percentiles(&[c, Component { weight: 7.0, ..c }]).unwrap();
        for (e, p) in estimates.iter().zip(c.percentiles) {
            assert!((e.value - p).abs() < 1e-9, "{e:?} vs {p}");
        }
    }

    #[test]
    fn disjoint_ranges_split_by_weight() {
        // Half the weight on 0..100, half on 1000..1100.
        let low = component(1.0, [10.0, 25.0, 50.0, 75.0, 90.0]);
        let high = component(1.0, [1010.0, 1025.0, 1050.0, 1075.0, 1090.0]);
        let estimates = pooled_percentiles(&[low, high]).unwrap();
        // 20% of the pool lies at or below low's p40 (= 40): the pooled p10 is low's p20.
        assert!((estimates[0].value - 20.0).abs() < 1e-9);
        // Half the pool lies at or below low's top (100); nothing lies between 100 and high's bottom (1000).
        assert!((estimates[2].value - 100.0).abs() < 1e-6, "{:?}", estimates[2]);
        assert!((estimates[4].value - 1080.0).abs() < 1e-9);
    }

    #[test]
    fn estimates_above_a_top_coded_value_are_lower_bounds() {
        let exact = component(1.0, [10.0, 20.0, 30.0, 40.0, 50.0]);
        let capped = Component { weight: 1.0, percentiles: [30.0, 40.0, 50.0, 60.0, 60.0], exact: 4 };
        let estimates = pooled_percentiles(&[exact, capped]).unwrap();
        // capped is known up to its p75 (60): estimates at or below 60 are estimates, not bounds.
        for e in estimates {
            assert_eq!(e.lower_bound, e.value > 60.0, "{e:?}");
        }
        let all_capped = Component { weight: 1.0, percentiles: [60.0; 5], exact: 0 };
        assert!(pooled_percentiles(&[exact, all_capped]).unwrap().iter().all(|e| e.lower_bound));
    }

    #[test]
    fn empty_pools_have_no_percentiles() {
        assert_eq!(pooled_percentiles(&[]), None);
        assert_eq!(pooled_percentiles(&[component(0.0, [1.0; 5]), component(0.0, [2.0; 5])]), None);
    }
}
