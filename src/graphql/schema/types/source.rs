//! `Source`: where a figure comes from and as of when, reachable from the root, every salary range and every
//! O*NET-derived link.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use entity::source;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::graphql::engine::db;
use crate::graphql::engine::loader::{DbLoader, loader};
use crate::graphql::error::ApiError;

/// A dataset careerql reads: who published it, which release and period, under which license and with
/// which attribution, and what careerql last loaded from it, and when.
pub struct Source(pub source::Model);

#[Object]
impl Source {
    /// Stable key, e.g. `bls-oews-may-2025` or `onet-29-2`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The name figures carry as their `source`, e.g. "BLS OEWS".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who published the dataset.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }

    /// The dataset's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The publisher's release identifier, e.g. `2025A01` (BLS OEWS) or `29.2` (O*NET); null where unknown.
    async fn release(&self) -> Option<&str> {
        self.0.release.as_deref()
    }

    /// The period the figures describe, e.g. "May 2025"; null where the source names none.
    async fn reference_period(&self) -> Option<&str> {
        self.0.reference_period.as_deref()
    }

    /// When the release was published: an ISO 8601 date, or year and month; null where unknown.
    async fn published_on(&self) -> Option<&str> {
        self.0.published_on.as_deref()
    }

    /// The license the data is used under; null where none is stated.
    async fn license(&self) -> Option<&str> {
        self.0.license.as_deref()
    }

    async fn license_url(&self) -> Option<&str> {
        self.0.license_url.as_deref()
    }

    /// The attribution or notice that must travel with the data (O*NET's CC BY 4.0 requires it); show it
    /// wherever the figures are shown.
    async fn attribution(&self) -> &str {
        &self.0.attribution
    }

    /// Where the publisher offers the dataset.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// The file careerql's last load read (relative to the shared data folder for the seed's files).
    async fn file(&self) -> Option<&str> {
        self.0.file.as_deref()
    }

    /// Data lines the last load took from that file (the seed: the lines its compact files keep).
    async fn rows_imported(&self) -> Option<i64> {
        self.0.rows_imported
    }

    /// When the last load ran (RFC 3339, UTC).
    async fn imported_at(&self) -> Option<&str> {
        self.0.imported_at.as_deref()
    }
}

/// A source by slug, batched with every other looked up in the request.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SourceSlug(pub String);

impl Loader<SourceSlug> for DbLoader {
    type Value = source::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[SourceSlug]) -> Result<HashMap<SourceSlug, Self::Value>, Self::Error> {
        let slugs: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        let rows = source::Entity::find().filter(source::Column::Slug.is_in(slugs)).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| (SourceSlug(row.slug.clone()), row)).collect())
    }
}

/// The source with `slug`, if careerql has loaded it.
pub async fn source_by_slug(ctx: &Context<'_>, slug: String) -> Result<Option<Source>, ApiError> {
    Ok(loader(ctx)?.load_one(SourceSlug(slug)).await?.map(Source))
}

/// Every source, by slug.
pub async fn all_sources(ctx: &Context<'_>) -> Result<Vec<Source>, ApiError> {
    let rows = source::Entity::find().order_by_asc(source::Column::Slug).all(db(ctx)?).await?;
    Ok(rows.into_iter().map(Source).collect())
}
