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

/// How `rank` placed an amount in a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankMethod {
    /// The amount is one of the range's published percentiles: its rank is published, not estimated.
    Exact,
    /// Between p10 and p90, on the piecewise-linear model between the published percentiles.
    Interpolated,
    /// Below the distribution's 10th percentile: only "under 10" is known.
    BelowP10,
    /// Above the distribution's 90th percentile: only "over 90" is known.
    AboveP90,
    /// The rank depends on a top-coded percentile, known only as a lower bound: only bounds are known.
    TopCoded,
}

/// Where an amount falls: the share of the distribution's jobs paid at or below it, as a number when it is
/// known and always as bounds (`at_least` = `at_most` = `share` when the share is known). Shares are 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank {
    pub share: Option<f64>,
    pub at_least: f64,
    pub at_most: f64,
    pub method: RankMethod,
}

/// Shares within this of a bound count as on it: floating point, and an estimate shown rounded to the cent
/// (a cent moves a share by well under 1e-6 in any published distribution).
const EPSILON: f64 = 1e-6;

impl Component {
    /// The share of this range's jobs paid at or below `x`, on the model's piecewise-linear CDF, as bounds:
    /// equal where the CDF is known there; where it depends on a top-coded percentile, what that lower bound
    /// allows (a higher true percentile can only lower the share).
    fn share_at(&self, x: f64) -> (f64, f64) {
        let knots = self.knots();
        // From the last corner at or below x ("at or below": where two percentiles are alike, the higher share).
        let share = match knots.iter().rposition(|(value, _)| *value <= x) {
            None => 0.0,
            Some(6) => 1.0,
            Some(i) => {
                let ((a, fa), (b, fb)) = (knots[i], knots[i + 1]);
                if b > a { fa + (fb - fa) * (x - a) / (b - a) } else { fb }
            }
        };
        if x <= self.known_up_to() {
            return (share, share);
        }
        let at_least = if self.exact == 0 { 0.0 } else { SHARES[self.exact - 1] };
        // Below the first top-coded value the true percentile lies above x too, so the share is under its share.
        let first_bound = self.percentiles[self.exact.min(4)];
        let at_most = if x < first_bound { share.min(SHARES[self.exact.min(4)]) } else { 1.0 };
        (at_least.min(at_most), at_most)
    }
}

/// The rank of `x` in the pool of `components` (weighted by employment, as `pooled_percentiles` pools them);
/// `None` for an empty pool. Outside the pool's p10–p90 the model's tails are a guess, so only the bound is
/// given; a rank that depends on a top-coded figure is given as bounds.
pub fn rank(components: &[Component], x: f64) -> Option<Rank> {
    let components = usable(components);
    let total: f64 = components.iter().map(|c| c.weight).sum();
    if components.is_empty() || total <= 0.0 || !x.is_finite() {
        return None;
    }
    let (mut low, mut high) = (0.0, 0.0);
    for c in &components {
        let (l, h) = c.share_at(x);
        low += c.weight * l / total;
        high += c.weight * h / total;
    }
    let bound = |at_least, at_most, method| Some(Rank { share: None, at_least, at_most, method });
    if high < SHARES[0] - EPSILON {
        return bound(0.0, SHARES[0], RankMethod::BelowP10);
    }
    if low > SHARES[4] + EPSILON {
        return bound(SHARES[4], 1.0, RankMethod::AboveP90);
    }
    if high - low > EPSILON {
        return bound(low, high, RankMethod::TopCoded);
    }
    let share = low;
    let published = match components.as_slice() {
        [one] => one.percentiles[..one.exact].iter().any(|p| (p - x).abs() < 0.5),
        _ => false,
    };
    let method = if published { RankMethod::Exact } else { RankMethod::Interpolated };
    Some(Rank { share: Some(share), at_least: share, at_most: share, method })
}

/// An estimated percentile, and whether it is only a lower bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lower_bound: bool,
}

/// The components that weigh something and publish finite figures, percentiles that decrease taken in sorted
/// order.
fn usable(components: &[Component]) -> Vec<Component> {
    components
        .iter()
        .filter(|c| c.weight > 0.0 && c.percentiles.iter().all(|p| p.is_finite()))
        .map(|c| {
            let mut c = *c;
            c.percentiles.sort_by(f64::total_cmp);
            c
        })
        .collect()
}

/// The pooled p10, p25, median, p75 and p90 of `components`, or `None` for an empty pool (or one whose weights
/// sum to nothing). Percentiles that decrease are taken in sorted order.
pub fn pooled_percentiles(components: &[Component]) -> Option<[Estimate; 5]> {
    let mut components = usable(components);
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
    /// The pool itself, for ranking an amount in it (`rank`).
    pub pool: std::sync::Arc<Vec<Component>>,
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
            pool: std::sync::Arc::new(pool),
        })
    }

    /// Where `x` (cents) falls in the pool: the inverse of the estimates, on the same model.
    pub fn rank(&self, x: f64) -> Option<Rank> {
        rank(&self.pool, x)
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

    use rand::{Rng, SeedableRng};

    /// A wage from `c`'s model distribution: the inverse of its CDF at a uniform share.
    fn sample(c: &Component, rng: &mut impl Rng) -> f64 {
        let u: f64 = rng.random();
        let knots = c.knots();
        let i = knots.windows(2).position(|pair| u < pair[1].1).unwrap_or(5);
        let ((a, fa), (b, fb)) = (knots[i], knots[i + 1]);
        a + (u - fa) / (fb - fa) * (b - a)
    }

    fn random_pool(rng: &mut impl Rng, size: usize) -> Vec<Component> {
        (0..size)
            .map(|_| {
                let mut value = rng.random_range(20_000.0..90_000.0);
                let percentiles = std::array::from_fn(|_| {
                    value += rng.random_range(1_000.0..40_000.0);
                    value
                });
                component(rng.random_range(10.0..50_000.0), percentiles)
            })
            .collect()
    }

    #[test]
    fn ranking_an_estimate_gives_back_its_share() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        let mut worst: f64 = 0.0;
        for size in [1, 2, 3, 7, 40] {
            for _ in 0..50 {
                let pool = random_pool(&mut rng, size);
                let estimates = pooled_percentiles(&pool).unwrap();
                for (estimate, share) in estimates.iter().zip(SHARES) {
                    let rank = rank(&pool, estimate.value).unwrap();
                    let found = rank.share.unwrap_or_else(|| panic!("{rank:?} at {estimate:?}"));
                    worst = worst.max((found - share).abs());
                    assert!(matches!(rank.method, RankMethod::Interpolated | RankMethod::Exact), "{rank:?}");
                }
            }
        }
        // Within 0.5% of the share, as issue 17 asks; in fact within floating-point error.
        assert!(worst < 0.005 * 0.10, "worst disagreement {worst}");
        assert!(worst < 1e-9, "worst disagreement {worst}");
    }

    #[test]
    fn a_published_percentile_ranks_exactly_and_the_tails_only_as_bounds() {
        let c = component(1.0, [10.0, 20.0, 30.0, 45.0, 70.0]);
        for (p, share) in c.percentiles.iter().zip(SHARES) {
            assert_eq!(
                rank(&[c], *p),
                Some(Rank { share: Some(share), at_least: share, at_most: share, method: RankMethod::Exact })
            );
        }
        let between = rank(&[c], 25.0).unwrap();
        assert_eq!((between.share, between.method), (Some(0.375), RankMethod::Interpolated));
        assert_eq!(rank(&[c], 9.0).unwrap().method, RankMethod::BelowP10);
        assert_eq!(rank(&[c], 9.0).unwrap().share, None);
        let above = rank(&[c], 71.0).unwrap();
        assert_eq!((above.method, above.at_least, above.at_most), (RankMethod::AboveP90, 0.90, 1.0));
        assert_eq!(rank(&[], 1.0), None);
    }

    #[test]
    fn ranks_agree_with_samples_drawn_from_the_model() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(29);
        let pool = random_pool(&mut rng, 5);
        let total: f64 = pool.iter().map(|c| c.weight).sum();
        let mut wages: Vec<f64> = Vec::with_capacity(400_000);
        for c in &pool {
            let n = (400_000.0 * c.weight / total).round() as usize;
            wages.extend((0..n).map(|_| sample(c, &mut rng)));
        }
        let estimates = pooled_percentiles(&pool).unwrap();
        let (p10, p90) = (estimates[0].value, estimates[4].value);
        for i in 0..=20 {
            let x = p10 + (p90 - p10) * f64::from(i) / 20.0;
            let sampled = wages.iter().filter(|w| **w <= x).count() as f64 / wages.len() as f64;
            let ranked = rank(&pool, x).unwrap().share.unwrap();
            // 400,000 draws: a share's standard error is at most 0.0008.
            assert!((ranked - sampled).abs() < 0.004, "at {x}: ranked {ranked}, sampled {sampled}");
        }
    }

    /// Log-normal wages (as real wage distributions roughly are): the model, built from five percentiles of the
    /// sample, ranks amounts within two percentile points of where they really fall (1.7 at worst for this
    /// spread, σ = 0.45: the model is flat between published percentiles, the log-normal is not).
    #[test]
    fn ranks_agree_with_a_log_normal_sample() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(41);
        let mut wages: Vec<f64> = (0..200_000)
            .map(|_| {
                // Box-Muller.
                let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
                let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
                (11.7 + 0.45 * z).exp()
            })
            .collect();
        wages.sort_by(f64::total_cmp);
        let at = |share: f64| wages[(share * wages.len() as f64) as usize];
        let c = component(1.0, SHARES.map(at));
        let mut worst: f64 = 0.0;
        for i in 0..=40 {
            let share = 0.10 + 0.80 * f64::from(i) / 40.0;
            let x = at(share);
            let ranked = rank(&[c], x).unwrap().share.unwrap();
            worst = worst.max((ranked - share).abs());
        }
        assert!(worst < 0.02, "worst {worst}");
    }

    #[test]
    fn percentiles_published_alike_rank_at_the_higher_share() {
        let c = component(1.0, [54_450.0, 54_450.0, 82_250.0, 124_990.0, 138_170.0]);
        let rank = rank(&[c], 54_450.0).unwrap();
        assert_eq!((rank.share, rank.method), (Some(0.25), RankMethod::Exact));
    }

    #[test]
    fn above_a_top_coded_percentile_only_bounds_are_known() {
        // p90 is top-coded at 60: the true p90 is 60 or more.
        let capped = Component { weight: 1.0, percentiles: [10.0, 20.0, 30.0, 45.0, 60.0], exact: 4 };
        let below_the_bound = rank(&[capped], 50.0).unwrap();
        assert_eq!(below_the_bound.method, RankMethod::TopCoded);
        assert_eq!(below_the_bound.at_least, 0.75);
        assert!((below_the_bound.at_most - (0.75 + 0.15 * 5.0 / 15.0)).abs() < 1e-12, "{below_the_bound:?}");
        let past_the_bound = rank(&[capped], 65.0).unwrap();
        assert_eq!((past_the_bound.at_least, past_the_bound.at_most), (0.75, 1.0));
        // Whatever the true p90 (60 up to 200), the true share at 50 lies within the bounds.
        for true_p90 in [60.0, 61.0, 80.0, 200.0] {
            let truth = component(1.0, [10.0, 20.0, 30.0, 45.0, true_p90]);
            let share = rank(&[truth], 50.0).unwrap();
            let share = share.share.unwrap_or(share.at_least);
            assert!(
                below_the_bound.at_least <= share && share <= below_the_bound.at_most + 1e-12,
                "{share} outside {below_the_bound:?}"
            );
        }
        // Below the last exact percentile nothing depends on the top code.
        assert_eq!(rank(&[capped], 40.0).unwrap().method, RankMethod::Interpolated);
    }

    #[test]
    fn empty_pools_have_no_percentiles() {
        assert_eq!(pooled_percentiles(&[]), None);
        assert_eq!(pooled_percentiles(&[component(0.0, [1.0; 5]), component(0.0, [2.0; 5])]), None);
    }
}
