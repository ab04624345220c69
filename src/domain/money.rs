//! Money: amounts are stored as integer cents and shown in currency units; this is the one place that
//! converts between the two.
use super::DomainError;

/// An amount of money in integer cents, parsed from a decimal string such as `148100` or `71.20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

/// Cents per currency unit: every conversion between the two goes through this module.
const CENTS_PER_UNIT: f64 = 100.0;

impl Cents {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::Money(text.to_owned());
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || fraction.len() > 2 || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        whole.checked_mul(100).and_then(|c| c.checked_add(fraction)).map(Cents).ok_or_else(invalid)
    }

    /// The amount in currency units, as GraphQL clients read it.
    pub fn units(self) -> f64 {
        units(self.0 as f64)
    }

    /// A whole number of currency units, as the seed's round figures are written.
    pub fn whole_units(units: i64) -> Self {
        Cents(units * CENTS_PER_UNIT as i64)
    }

    /// The nearest whole cents to an amount in units, unchecked: a filter's bound to compare stored cents
    /// with, where any number is a fair question.
    pub fn nearest(units: f64) -> Self {
        Cents((units * CENTS_PER_UNIT).round() as i64)
    }

    /// An amount given in currency units (as the API shows amounts), e.g. `148100.5`.
    pub fn from_units(units: f64) -> Result<Self, DomainError> {
        let cents = (units * CENTS_PER_UNIT).round();
        let whole_cents = (units * CENTS_PER_UNIT - cents).abs() < 1e-6;
        if units.is_finite() && (0.0..=MAX_UNITS).contains(&units) && whole_cents {
            Ok(Cents(cents as i64))
        } else {
            Err(DomainError::Amount(units))
        }
    }
}

/// The largest amount accepted, in currency units: far above any wage, far below where `f64` loses cents.
pub const MAX_UNITS: f64 = 1e10;

/// Amounts in the order they must not fall (p10 to p90, or low to high); a missing one is not checked.
pub fn in_order(amounts: &[(&'static str, Option<Cents>)]) -> Result<(), DomainError> {
    let given: Vec<(&'static str, Cents)> =
        amounts.iter().filter_map(|(name, amount)| amount.map(|amount| (*name, amount))).collect();
    match given.windows(2).find(|pair| pair[0].1 > pair[1].1) {
        Some(pair) => Err(DomainError::OutOfOrder(pair[0].0, pair[1].0)),
        None => Ok(()),
    }
}

/// An amount of cents, possibly fractional (an estimate, a weighted mean), in currency units.
pub fn units(cents: f64) -> f64 {
    cents / CENTS_PER_UNIT
}
