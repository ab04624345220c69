//! Codes and names that can only be built valid: SOC and O*NET-SOC codes, slugs, currencies, years,
//! counts, states and area codes.
use super::DomainError;

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
