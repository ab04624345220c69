//! One file per GraphQL object type, each beside its filter, ordering and the lists it pages.
pub mod change;
pub mod city;
pub mod node;
pub mod occupation;
pub mod role;
pub mod role_skill;
pub mod role_tool;
pub mod salary_range;
pub mod salary_stats;
pub mod search;
pub mod skill;
pub mod tool;

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// An opaque, globally unique ID: the type name and the row id, so normalized client caches never collide.
pub fn global_id(type_name: &str, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// The type name and row id inside a global ID, if it is one of ours.
pub fn parse_global_id(id: &str) -> Option<(String, i32)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (type_name, row) = text.split_once(':')?;
    Some((type_name.to_owned(), row.parse().ok()?))
}
