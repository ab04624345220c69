//! Facts about the BLS OEWS publication that the seed, the importer and the API share.
use super::money::Cents;

/// The `source` of every salary range read from an OEWS table.
pub const BLS_SOURCE: &str = "BLS OEWS";

/// BLS top-codes wages at these amounts: a published `#` means "at or above", so it is stored as this lower
/// bound and flagged, never as an exact figure.
pub const BLS_HOURLY_TOP_CODE: Cents = Cents(11_500);
pub const BLS_ANNUAL_TOP_CODE: Cents = Cents(23_920_000);

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

/// careerql's bar for `lowReliability`: a relative standard error (in percent) above which a figure is flagged.
/// It is the bar BLS holds its own OEWS wage estimates to: BLS does not release a mean wage whose relative
/// standard error is above 30% (in the May 2025 file the largest `MEAN_PRSE` of 234,340 is 29.9). BLS releases
/// employment up to 50% (the largest `EMP_PRSE` is 49.9); an employment figure past 30% is one whose precision
/// BLS would not accept for a wage, and its 90% interval spans about ±49% of the figure.
pub const LOW_RELIABILITY_RSE: f64 = 30.0;

/// The standard normal quantile of a two-sided 90% confidence interval.
pub const Z_90: f64 = 1.645;
