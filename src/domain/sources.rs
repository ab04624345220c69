//! What careerql states about each dataset it reads: publisher, release, license and attribution. The seed
//! and the importer record these (with what they loaded, and when) as `source` rows; every figure's source
//! is found from them.
use super::codes::slug;

/// The O*NET release whose technology examples and flags the seed's role↔tool links carry.
pub const ONET_SLUG: &str = "onet-29-2";

/// A dataset as careerql describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFacts {
    pub slug: String,
    /// The name salary ranges carry in their `source` column.
    pub name: String,
    pub publisher: String,
    pub title: String,
    pub release: Option<String>,
    pub reference_period: Option<String>,
    pub published_on: Option<String>,
    pub license: Option<String>,
    pub license_url: Option<String>,
    pub attribution: String,
    pub url: Option<String>,
}

/// The slug of the source a salary range names by `source` and `reference_period`.
pub fn source_slug(name: &str, reference_period: &str) -> String {
    slug(&format!("{name} {reference_period}"))
}

/// A BLS OEWS release by the period it describes ("May 2025"). BLS numbers its annual OEWS release by the
/// reference year (`2025A01`); the publication date is known for the release careerql ships.
pub fn bls_oews(reference_period: &str) -> SourceFacts {
    let year =
        reference_period.split_whitespace().last().filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    let published_on = (reference_period == "May 2025").then(|| "2026-05-15".to_owned());
    SourceFacts {
        slug: source_slug(super::BLS_SOURCE, reference_period),
        name: super::BLS_SOURCE.to_owned(),
        publisher: "U.S. Bureau of Labor Statistics (BLS)".to_owned(),
        title: format!(
            "Occupational Employment and Wage Statistics (OEWS), {reference_period}: cross-industry, all ownerships"
        ),
        release: year.map(|y| format!("{y}A01")),
        reference_period: Some(reference_period.to_owned()),
        published_on,
        license: Some("Public domain (U.S. government work)".to_owned()),
        license_url: None,
        attribution: "BLS.gov cannot vouch for the data or analyses derived from these data after the data have been retrieved from BLS.gov.".to_owned(),
        url: Some("https://www.bls.gov/oes/".to_owned()),
    }
}

/// O*NET 29.2 (February 2025), whose CC BY 4.0 license requires this attribution wherever its data goes.
pub fn onet_29_2() -> SourceFacts {
    SourceFacts {
        slug: ONET_SLUG.to_owned(),
        name: "O*NET".to_owned(),
        publisher: "U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)".to_owned(),
        title: "O*NET 29.2 Database: Technology Skills".to_owned(),
        release: Some("29.2".to_owned()),
        reference_period: None,
        published_on: Some("2025-02".to_owned()),
        license: Some("CC BY 4.0".to_owned()),
        license_url: Some("https://creativecommons.org/licenses/by/4.0/".to_owned()),
        attribution: "This product includes information from the O*NET 29.2 Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license.".to_owned(),
        url: Some("https://www.onetcenter.org/database.html".to_owned()),
    }
}

/// A figure careerql has only as another document quotes it (the careers overview's Glassdoor salary): no
/// release, license or publication date is known, and the attribution says so.
pub fn quoted(name: &str, reference_period: &str, publisher: &str, title: &str) -> SourceFacts {
    SourceFacts {
        slug: source_slug(name, reference_period),
        name: name.to_owned(),
        publisher: publisher.to_owned(),
        title: title.to_owned(),
        release: None,
        reference_period: Some(reference_period.to_owned()),
        published_on: None,
        license: None,
        license_url: None,
        attribution: format!(
            "Attributed to {publisher} by the careers overview careerql's catalog is written from; not checked against {publisher}."
        ),
        url: None,
    }
}
