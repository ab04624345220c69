//! `search`: roles, skills, tools and cities ranked by how well they match some text.
use async_graphql::{Context, Enum, Union};
use entity::{city, role, skill, tool};

use crate::graphql::engine::loader::load_by_id;
use crate::graphql::error::ApiError;
use crate::graphql::schema::types::IdType;
use crate::graphql::schema::types::city::City;
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::skill::Skill;
use crate::graphql::schema::types::tool::Tool;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SearchKind {
    Role,
    Skill,
    Tool,
    City,
}

impl SearchKind {
    const ALL: [SearchKind; 4] = [Self::Role, Self::Skill, Self::Tool, Self::City];

    /// The kind as the index stores it.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Role => "ROLE",
            Self::Skill => "SKILL",
            Self::Tool => "TOOL",
            Self::City => "CITY",
        }
    }

    /// The kind the index stores as `stored`.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.stored() == stored)
    }

    /// The type of the objects of this kind.
    pub fn id_type(self) -> IdType {
        match self {
            Self::Role => IdType::Role,
            Self::Skill => IdType::Skill,
            Self::Tool => IdType::Tool,
            Self::City => IdType::City,
        }
    }
}

/// Something `search` found.
#[derive(Union)]
pub enum SearchResult {
    Role(Role),
    Skill(Skill),
    Tool(Tool),
    City(City),
}

/// What `search(text:, kinds:, first:)` asks the index for: the kinds as it stores them (default: all) and
/// how many hits; `BAD_USER_INPUT` for text too long or a `first` out of range. The planner asks the same.
pub fn search_query(
    text: &str,
    kinds: Option<Vec<SearchKind>>,
    first: i32,
) -> Result<(Vec<&'static str>, u64), ApiError> {
    let size = u64::try_from(first)
        .ok()
        .filter(|n| *n <= crate::graphql::engine::page::MAX_PAGE)
        .ok_or_else(|| ApiError::bad_input(format!("`first` must be between 0 and 100, got {first}")))?;
    if text.len() > 200 {
        return Err(ApiError::bad_input("search text is at most 200 characters"));
    }
    let kinds = kinds.unwrap_or(SearchKind::ALL.to_vec()).into_iter().map(SearchKind::stored).collect();
    Ok((kinds, size))
}

/// The best `first` matches for `text`, best first, loaded through the batched loaders.
pub async fn search(
    ctx: &Context<'_>,
    text: &str,
    kinds: Option<Vec<SearchKind>>,
    first: i32,
) -> Result<Vec<SearchResult>, ApiError> {
    let (kinds, size) = search_query(text, kinds, first)?;
    let db = crate::graphql::engine::db(ctx)?;
    let hits = crate::search::search(db, text, &kinds, size).await?;
    let found = futures_util::future::join_all(hits.iter().map(|(kind, id)| async move {
        Ok::<_, ApiError>(match SearchKind::from_stored(kind) {
            Some(SearchKind::Role) => load_by_id::<role::Entity>(ctx, *id).await?.map(|m| SearchResult::Role(Role(m))),
            Some(SearchKind::Skill) => {
                load_by_id::<skill::Entity>(ctx, *id).await?.map(|m| SearchResult::Skill(Skill(m)))
            }
            Some(SearchKind::Tool) => load_by_id::<tool::Entity>(ctx, *id).await?.map(|m| SearchResult::Tool(Tool(m))),
            Some(SearchKind::City) => load_by_id::<city::Entity>(ctx, *id).await?.map(|m| SearchResult::City(City(m))),
            None => None,
        })
    }))
    .await;
    // An object removed since the index was built is simply not returned.
    found.into_iter().filter_map(Result::transpose).collect()
}
