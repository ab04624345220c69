//! Values that can only be built valid: the seed, importers and the API all parse through these.
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum DomainError {
    #[error("{0:?} is not an amount of money (expected digits with at most two decimals)")]
    Money(String),
}

/// An amount of money in integer cents, parsed from a decimal string such as `148100` or `71.20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

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
        self.0 as f64 / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_and_decimal_amounts() {
        assert_eq!(Cents::parse("148100"), Ok(Cents(14_810_000)));
        assert_eq!(Cents::parse("71.20"), Ok(Cents(7120)));
        assert_eq!(Cents::parse("71.2"), Ok(Cents(7120)));
        assert_eq!(Cents::parse("0.05"), Ok(Cents(5)));
    }

    #[test]
    fn rejects_what_is_not_money() {
        for bad in ["", "-5", "1.234", "1e5", "12,000", ".5", "#", "*", "99999999999999999999"] {
            assert!(Cents::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
