//! Values that can only be built valid: the seed, importers and the API all parse through these.
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum DomainError {
    #[error("{0:?} is not an amount of money (expected digits with at most two decimals)")]
    Money(String),
    #[error("{0:?} is not a SOC code (expected two digits, a hyphen and four digits, e.g. 15-1252)")]
    SocCode(String),
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

/// BLS top-codes wages at these amounts: a published `#` means "at or above", so it is stored as this lower
/// bound and flagged, never as an exact figure.
pub const BLS_HOURLY_TOP_CODE: Cents = Cents(11_500);
pub const BLS_ANNUAL_TOP_CODE: Cents = Cents(23_920_000);

/// A Standard Occupational Classification code such as `15-1252`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SocCode(String);

impl SocCode {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bytes = text.as_bytes();
        let valid =
            bytes.len() == 7 && bytes[2] == b'-' && bytes.iter().enumerate().all(|(i, b)| i == 2 || b.is_ascii_digit());
        if valid { Ok(Self(text.to_owned())) } else { Err(DomainError::SocCode(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stable, URL-safe name made from words: lower case ASCII, words joined by hyphens (`san-francisco-ca`).
pub fn slug(words: &str) -> String {
    slug::slugify(words)
}

/// Postal codes of the states and territories BLS publishes, by FIPS code.
#[rustfmt::skip]
const STATES: [(&str, &str); 56] = [
    ("01", "AL"), ("02", "AK"), ("04", "AZ"), ("05", "AR"), ("06", "CA"), ("08", "CO"), ("09", "CT"),
    ("10", "DE"), ("11", "DC"), ("12", "FL"), ("13", "GA"), ("15", "HI"), ("16", "ID"), ("17", "IL"),
    ("18", "IN"), ("19", "IA"), ("20", "KS"), ("21", "KY"), ("22", "LA"), ("23", "ME"), ("24", "MD"),
    ("25", "MA"), ("26", "MI"), ("27", "MN"), ("28", "MS"), ("29", "MO"), ("30", "MT"), ("31", "NE"),
    ("32", "NV"), ("33", "NH"), ("34", "NJ"), ("35", "NM"), ("36", "NY"), ("37", "NC"), ("38", "ND"),
    ("39", "OH"), ("40", "OK"), ("41", "OR"), ("42", "PA"), ("44", "RI"), ("45", "SC"), ("46", "SD"),
    ("47", "TN"), ("48", "TX"), ("49", "UT"), ("50", "VT"), ("51", "VA"), ("53", "WA"), ("54", "WV"),
    ("55", "WI"), ("56", "WY"), ("60", "AS"), ("66", "GU"), ("69", "MP"), ("72", "PR"), ("78", "VI"),
];

/// The postal code of the state or territory with this two-digit FIPS code.
pub fn state_postal_code(fips: &str) -> Option<&'static str> {
    STATES.iter().find(|(code, _)| *code == fips).map(|(_, postal)| *postal)
}

/// A wage band derived from published percentiles (see [`experience_levels`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band<T> {
    pub low: T,
    pub high: T,
}

/// careerql's own mapping from percentiles to experience levels; BLS publishes no levels. Entry is the
/// 10th to 25th percentile, mid the 25th to 75th, senior the 75th to 90th. `percentiles` are
/// p10, p25, median, p75, p90.
pub fn experience_levels<T: Copy>(percentiles: [T; 5]) -> [Band<T>; 3] {
    let [p10, p25, _, p75, p90] = percentiles;
    [Band { low: p10, high: p25 }, Band { low: p25, high: p75 }, Band { low: p75, high: p90 }]
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
    fn rejects_what_is_not_money() {
        for bad in ["", "-5", "1.234", "1e5", "12,000", ".5", "#", "*", "99999999999999999999"] {
            assert!(Cents::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
