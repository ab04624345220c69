//! One file per GraphQL object type, each beside the loads it makes.
pub mod city;
pub mod occupation;
pub mod role;
pub mod role_skill;
pub mod role_tool;
pub mod salary_range;
pub mod skill;
pub mod tool;

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// An opaque, globally unique ID: the type name and the row id, so normalized client caches never collide.
pub fn global_id(type_name: &str, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// A list size the client asked for, checked against the field's bounds.
pub fn list_size(first: Option<i32>, default: u64) -> Result<u64, super::error::ApiError> {
    const MAX: i32 = 100;
    match first {
        None => Ok(default),
        Some(n) if (0..=MAX).contains(&n) => Ok(n as u64),
        Some(n) => Err(super::error::ApiError::bad_input(format!(
            "`first` must be between 0 and {MAX}, got {n}; page through larger lists"
        ))),
    }
}
