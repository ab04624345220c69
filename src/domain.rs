//! Values that can only be built valid: the seed, importers and the API all parse through these.
use thiserror::Error;

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

impl Cents {
    /// An amount given in currency units (as the API shows amounts), e.g. `148100.5`.
    pub fn from_units(units: f64) -> Result<Self, DomainError> {
        let cents = (units * 100.0).round();
        let whole_cents = (units * 100.0 - cents).abs() < 1e-6;
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

/// An O*NET-SOC code such as `15-1252.00`: a SOC code refined by two digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnetSocCode(String);

impl OnetSocCode {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let refined = text.split_once('.').is_some_and(|(soc, detail)| {
            SocCode::parse(soc).is_ok() && detail.len() == 2 && detail.bytes().all(|b| b.is_ascii_digit())
        });
        if refined { Ok(Self(text.to_owned())) } else { Err(DomainError::OnetSocCode(text.to_owned())) }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

pub const MAX_SLUG: usize = 100;

/// A stable, URL-safe key: lower-case ASCII letters and digits in words joined by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let words_ok = text
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if words_ok && text.len() <= MAX_SLUG {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::Slug(text.to_owned()))
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Text a person wrote: not blank, and at most `max` characters; kept as given but for surrounding space.
pub fn bounded_text(text: &str, max: usize) -> Result<String, DomainError> {
    let text = text.trim();
    let length = text.chars().count();
    match length {
        0 => Err(DomainError::Blank),
        _ if length > max => Err(DomainError::TooLong(length, max)),
        _ => Ok(text.to_owned()),
    }
}

/// Active ISO 4217 currency codes.
#[rustfmt::skip]
const CURRENCIES: [&str; 155] = [
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD", "BIF", "BMD",
    "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL",
    "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR",
    "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR",
    "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD",
    "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ANG", "CUC",
];

/// An ISO 4217 currency code such as `USD`.
pub fn currency(code: &str) -> Result<String, DomainError> {
    if CURRENCIES.contains(&code) { Ok(code.to_owned()) } else { Err(DomainError::Currency(code.to_owned())) }
}

pub const MIN_YEAR: i32 = 1990;
pub const MAX_YEAR: i32 = 2100;

/// The year a figure describes: OEWS in its current form began in the late 1990s.
pub fn year(year: i32) -> Result<i32, DomainError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) { Ok(year) } else { Err(DomainError::Year(year)) }
}

/// A count that cannot be negative, such as employment.
pub fn count(value: i64) -> Result<i64, DomainError> {
    if value >= 0 { Ok(value) } else { Err(DomainError::Negative(value)) }
}

/// A ratio that cannot be negative, such as a location quotient.
pub fn ratio(value: f64) -> Result<f64, DomainError> {
    if value.is_finite() && value >= 0.0 { Ok(value) } else { Err(DomainError::Ratio(value)) }
}

/// A state or territory's two-letter postal code.
pub fn state(code: &str) -> Result<String, DomainError> {
    let valid = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
    if valid { Ok(code.to_owned()) } else { Err(DomainError::State(code.to_owned())) }
}

/// A BLS area code such as `41860`.
pub fn area_code(code: &str) -> Result<String, DomainError> {
    let valid = (1..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    if valid { Ok(code.to_owned()) } else { Err(DomainError::AreaCode(code.to_owned())) }
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
    fn rejects_what_is_not_money() {
        for bad in ["", "-5", "1.234", "1e5", "12,000", ".5", "#", "*", "99999999999999999999"] {
            assert!(Cents::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
