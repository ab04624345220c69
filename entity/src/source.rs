//! A dataset careerql reads: who published it, which release, under which license, and when it was loaded.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable key: the slug of `name` and `reference_period` (e.g. `bls-oews-may-2025`), or the release's own.
    #[sea_orm(unique)]
    pub slug: String,
    /// The name salary ranges carry in their `source` column, e.g. "BLS OEWS".
    pub name: String,
    pub publisher: String,
    /// The dataset's title as its publisher gives it.
    pub title: String,
    /// The publisher's release identifier, e.g. `2025A01` or `29.2`.
    pub release: Option<String>,
    /// The period the figures describe, e.g. "May 2025".
    pub reference_period: Option<String>,
    /// ISO 8601 date (or year-month) of publication.
    pub published_on: Option<String>,
    pub license: Option<String>,
    pub license_url: Option<String>,
    /// The attribution or notice the publisher asks to travel with the data.
    pub attribution: String,
    pub url: Option<String>,
    /// The file the last load read.
    pub file: Option<String>,
    /// Data lines the last load took from the file.
    pub rows_imported: Option<i64>,
    /// RFC 3339, UTC: when the last load ran.
    pub imported_at: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
