//! Who may do what: the one check that every guarded field (the writes, the audit trail) makes of the
//! caller's key, kept apart from both so that reading the audit trail does not depend on how writes work.
use async_graphql::Context;

use crate::auth::{Caller, KeyRole};
use crate::graphql::error::ApiError;

/// The caller's key name, if its role is at least `needs`.
pub fn require(ctx: &Context<'_>, needs: KeyRole) -> Result<String, ApiError> {
    match ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous) {
        Caller::Anonymous => Err(ApiError::Unauthenticated(format!(
            "this needs an {} API key: send `Authorization: Bearer <key>`",
            needs.as_str()
        ))),
        Caller::Key { role, .. } if *role < needs => {
            Err(ApiError::Forbidden(format!("this needs an {} key; yours is an {} key", needs.as_str(), role.as_str())))
        }
        Caller::Key { name, .. } => Ok(name.clone()),
    }
}
