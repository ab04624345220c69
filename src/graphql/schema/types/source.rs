//! `Source`: where a figure comes from and as of when, reachable from the root, every salary range and every
//! O*NET-derived link.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use entity::source;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::graphql::engine::db;
use crate::graphql::engine::loader::{DbLoader, loader};
use crate::graphql::error::ApiError;

/// A dataset careerql reads: who published it, which release and period, under which license and with
/// which attribution, and what careerql last loaded from it, and when.
pub struct Source(pub source::Model);

object! {
    impl Source(source::Model) {
        /// Stable key, e.g. `bls-oews-may-2025` or `onet-29-2`.
        slug(source) -> &str { &source.slug }
        /// The name figures carry as their `source`, e.g. "BLS OEWS".
        name(source) -> &str { &source.name }
        /// Who published the dataset.
        publisher(source) -> &str { &source.publisher }
        /// The dataset's title.
        title(source) -> &str { &source.title }
        /// The publisher's release identifier, e.g. `2025A01` (BLS OEWS) or `29.2` (O*NET); null where unknown.
        release(source) -> Option<&str> { source.release.as_deref() }
        /// The period the figures describe, e.g. "May 2025"; null where the source names none.
        referencePeriod(source) -> Option<&str> { source.reference_period.as_deref() }
        /// When the release was published: an ISO 8601 date, or year and month; null where unknown.
        publishedOn(source) -> Option<&str> { source.published_on.as_deref() }
        /// The license the data is used under; null where none is stated.
        license(source) -> Option<&str> { source.license.as_deref() }
        licenseUrl(source) -> Option<&str> { source.license_url.as_deref() }
        /// The attribution or notice that must travel with the data (O*NET's CC BY 4.0 requires it); show it
        /// wherever the figures are shown.
        attribution(source) -> &str { &source.attribution }
        /// Where the publisher offers the dataset.
        url(source) -> Option<&str> { source.url.as_deref() }
        /// The file careerql's last load read (relative to the shared data folder for the seed's files).
        file(source) -> Option<&str> { source.file.as_deref() }
        /// Data lines the last load took from that file (the seed: the lines its compact files keep).
        rowsImported(source) -> Option<i64> { source.rows_imported }
        /// When the last load ran (RFC 3339, UTC).
        importedAt(source) -> Option<&str> { source.imported_at.as_deref() }
    }
    resolvers {
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
