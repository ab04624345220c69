//! API keys: who a request comes from, and what it may do.
//!
//! A token is `cql_<id>_<secret>`: the id finds the key's row, the secret is checked against the SHA-256
//! stored there, in constant time. Only the hash is kept; the token is shown once, when the key is made.
use std::time::SystemTime;

use entity::api_key;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::bounded_text;

/// What a key may do: editors create and update, admins also delete and read the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum KeyRole {
    Editor,
    Admin,
}

impl KeyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Editor, Self::Admin].into_iter().find(|role| role.as_str() == text)
    }
}

/// Who sent a request: nobody in particular (who may read), or the holder of a valid key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Key { name: String, role: KeyRole },
}

/// Why a request's credentials were refused; the text is what the client is told.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <API key>`")]
    Malformed,
    #[error("the API key is not valid or has been revoked")]
    Invalid,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The caller an `Authorization` header value names; no header is an anonymous caller.
pub async fn authenticate(db: &impl ConnectionTrait, authorization: Option<&[u8]>) -> Result<Caller, AuthError> {
    let Some(header) = authorization else { return Ok(Caller::Anonymous) };
    let header = std::str::from_utf8(header).map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(AuthError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed);
    }
    let (id, secret) = parse_token(token.trim()).ok_or(AuthError::Invalid)?;
    let key = api_key::Entity::find_by_id(id).one(db).await?.ok_or(AuthError::Invalid)?;
    let matches: bool = hash(secret).as_bytes().ct_eq(key.token_hash.as_bytes()).into();
    match (matches, key.revoked_at, KeyRole::parse(&key.role)) {
        (true, None, Some(role)) => Ok(Caller::Key { name: key.name, role }),
        _ => Err(AuthError::Invalid),
    }
}

fn parse_token(token: &str) -> Option<(i32, &str)> {
    let (id, secret) = token.strip_prefix("cql_")?.split_once('_')?;
    Some((id.parse().ok()?, secret))
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Now, as the audit trail and the key table write times: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key name {0}")]
    Name(crate::domain::DomainError),
    #[error("a key named {0:?} already exists")]
    Exists(String),
    #[error("no active key is named {0:?}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Makes a key and returns its token, which is not stored and cannot be shown again.
pub async fn create_key(db: &impl ConnectionTrait, name: &str, role: KeyRole) -> Result<String, KeyError> {
    let name = bounded_text(name, 100).map_err(KeyError::Name)?;
    if api_key::Entity::find().filter(api_key::Column::Name.eq(&name)).one(db).await?.is_some() {
        return Err(KeyError::Exists(name));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let key = api_key::ActiveModel {
        name: Set(name),
        role: Set(role.as_str().to_owned()),
        token_hash: Set(hash(&secret)),
        created_at: Set(now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(format!("cql_{}_{secret}", key.id))
}

/// Every key, oldest first, revoked ones included.
pub async fn list_keys(db: &impl ConnectionTrait) -> Result<Vec<api_key::Model>, DbErr> {
    api_key::Entity::find().order_by_asc(api_key::Column::Id).all(db).await
}

/// Revokes the active key named `name`; its token stops working at once.
pub async fn revoke_key(db: &impl ConnectionTrait, name: &str) -> Result<(), KeyError> {
    let revoked = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(api_key::Column::Name.eq(name))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if revoked.rows_affected == 0 { Err(KeyError::NotFound(name.to_owned())) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_an_id_and_a_secret() {
        assert_eq!(parse_token("cql_12_abc"), Some((12, "abc")));
        for bad in ["", "cql_", "cql_x_abc", "key_12_abc", "cql_12"] {
            assert_eq!(parse_token(bad), None, "{bad:?}");
        }
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
