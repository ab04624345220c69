//! Values that can only be built valid: the seed, importers and the API all parse through these.
mod bls;
mod codes;
mod money;
mod sources;

use thiserror::Error;

pub use bls::*;
pub use codes::*;
pub use money::*;
pub use sources::*;

#[derive(Debug, Error, PartialEq)]
pub enum DomainError {
    #[error("{0:?} is not an amount of money (expected digits with at most two decimals)")]
    Money(String),
    #[error("{0:?} is not a SOC code (expected two digits, a hyphen and four digits, e.g. 15-1252)")]
    SocCode(String),
    #[error("{0:?} is not an O*NET-SOC code (expected a SOC code, a dot and two digits, e.g. 15-1252.00)")]
    OnetSocCode(String),
    #[error("{0:?} is not a slug (expected 1 to {MAX_SLUG} lower-case letters, digits and single inner hyphens)")]
    Slug(String),
    #[error("{0:?} is not an ISO 4217 currency code (e.g. USD)")]
    Currency(String),
    #[error("{0} is not a year between {MIN_YEAR} and {MAX_YEAR}")]
    Year(i32),
    #[error("{0} is not an amount: it must be zero or more, at most {MAX_UNITS}, with at most two decimals")]
    Amount(f64),
    #[error("{0} is negative")]
    Negative(i64),
    #[error("{0} is not a finite number of zero or more")]
    Ratio(f64),
    #[error("must not be blank")]
    Blank,
    #[error("is {0} characters long; the limit is {1}")]
    TooLong(usize, usize),
    #[error("{0:?} is not a two-letter upper-case postal code")]
    State(String),
    #[error("{0:?} is not a BLS area code (expected one to seven digits)")]
    AreaCode(String),
    #[error("{0} must not be more than {1}")]
    OutOfOrder(&'static str, &'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soc_codes_are_two_digits_hyphen_four_digits() {
        assert_eq!(SocCode::parse("15-1252").map(|c| c.as_str().to_owned()), Ok("15-1252".to_owned()));
        for bad in ["", "151252", "15-125", "15-12522", "1a-1252", "15_1252", " 15-1252"] {
            assert!(SocCode::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn slugs_and_states() {
        assert_eq!(slug("San Francisco CA"), "san-francisco-ca");
        assert_eq!(slug("Hawaii / Kauai nonmetro HI"), "hawaii-kauai-nonmetro-hi");
        assert_eq!(state_postal_code("06"), Some("CA"));
        assert_eq!(state_postal_code("72"), Some("PR"));
        assert_eq!(state_postal_code("03"), None);
    }

    #[test]
    fn levels_split_the_percentiles() {
        let [entry, mid, senior] = experience_levels([10, 25, 50, 75, 90]);
        assert_eq!((entry.low, entry.high, mid.low, mid.high, senior.low, senior.high), (10, 25, 25, 75, 75, 90));
    }

    #[test]
    fn parses_whole_and_decimal_amounts() {
        assert_eq!(Cents::parse("148100"), Ok(Cents(14_810_000)));
        assert_eq!(Cents::parse("71.20"), Ok(Cents(7120)));
        assert_eq!(Cents::parse("71.2"), Ok(Cents(7120)));
        assert_eq!(Cents::parse("0.05"), Ok(Cents(5)));
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_hyphens() {
        assert!(Slug::parse("api-developer-2").is_ok());
        let too_long = "a".repeat(MAX_SLUG + 1);
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a_b", "é", too_long.as_str()] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn onet_codes_refine_a_soc_code() {
        assert!(OnetSocCode::parse("15-1252.00").is_ok());
        for bad in ["15-1252", "15-1252.0", "15-1252.000", "15-125.00", "15-1252.a0"] {
            assert!(OnetSocCode::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn amounts_in_units_become_cents() {
        assert_eq!(Cents::from_units(148100.5), Ok(Cents(14_810_050)));
        assert_eq!(Cents::from_units(0.0), Ok(Cents(0)));
        for bad in [-0.01, 1.234, f64::NAN, f64::INFINITY, MAX_UNITS * 2.0] {
            assert!(Cents::from_units(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn percentiles_must_rise() {
        let p = |v: i64| Some(Cents(v));
        let order = |values: [Option<Cents>; 5]| {
            let [a, b, c, d, e] = values;
            in_order(&[("p10", a), ("p25", b), ("median", c), ("p75", d), ("p90", e)])
        };
        assert!(order([p(1), p(2), p(2), None, p(5)]).is_ok());
        assert_eq!(order([p(1), p(3), p(2), None, None]), Err(DomainError::OutOfOrder("p25", "median")));
        assert_eq!(order([p(9), None, None, None, p(5)]), Err(DomainError::OutOfOrder("p10", "p90")));
    }

    #[test]
    fn currencies_years_counts_text_states_and_area_codes() {
        assert!(currency("USD").is_ok() && currency("EUR").is_ok());
        assert!(currency("usd").is_err() && currency("XYZ").is_err() && currency("").is_err());
        assert!(year(2025).is_ok() && year(MIN_YEAR - 1).is_err() && year(MAX_YEAR + 1).is_err());
        assert!(count(0).is_ok() && count(-1).is_err());
        assert!(ratio(1.5).is_ok() && ratio(-0.1).is_err() && ratio(f64::NAN).is_err());
        assert_eq!(bounded_text("  Rust  ", 10), Ok("Rust".to_owned()));
        assert_eq!(bounded_text("   ", 10), Err(DomainError::Blank));
        assert_eq!(bounded_text("abcdef", 5), Err(DomainError::TooLong(6, 5)));
        assert!(state("CA").is_ok() && state("ca").is_err() && state("CAL").is_err());
        assert!(area_code("41860").is_ok() && area_code("").is_err() && area_code("12345678").is_err());
    }

    #[test]
    fn sources_are_keyed_by_name_and_period() {
        let bls = bls_oews("May 2025");
        assert_eq!(bls.slug, "bls-oews-may-2025");
        assert_eq!(bls.slug, source_slug(BLS_SOURCE, "May 2025"));
        assert_eq!((bls.release.as_deref(), bls.published_on.as_deref()), (Some("2025A01"), Some("2026-05-15")));
        let older = bls_oews("May 2024");
        assert_eq!((older.release.as_deref(), older.published_on), (Some("2024A01"), None));
        assert!(onet_29_2().attribution.contains("CC BY 4.0"));
    }

    #[test]
    fn rejects_what_is_not_money() {
        for bad in ["", "-5", "1.234", "1e5", "12,000", ".5", "#", "*", "99999999999999999999"] {
            assert!(Cents::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
