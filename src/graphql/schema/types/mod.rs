//! One file per GraphQL object type, each beside its filter, ordering and the lists it pages.
pub mod change;
pub mod city;
pub mod comparison;
pub mod node;
pub mod occupation;
pub mod rank;
pub mod role;
pub mod role_skill;
pub mod role_tool;
pub mod salary_range;
pub mod salary_stats;
pub mod search;
pub mod skill;
pub mod source;
pub mod tool;

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The types whose objects carry global IDs; an ID holds the type's GraphQL name, given here only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdType {
    Role,
    Skill,
    Tool,
    City,
    Occupation,
    SalaryRange,
    Change,
}

impl IdType {
    const ALL: [Self; 7] =
        [Self::Role, Self::Skill, Self::Tool, Self::City, Self::Occupation, Self::SalaryRange, Self::Change];

    pub fn name(self) -> &'static str {
        match self {
            Self::Role => "Role",
            Self::Skill => "Skill",
            Self::Tool => "Tool",
            Self::City => "City",
            Self::Occupation => "Occupation",
            Self::SalaryRange => "SalaryRange",
            Self::Change => "Change",
        }
    }
}

/// An opaque, globally unique ID: the type name and the row id, so normalized client caches never collide.
pub fn global_id(ty: IdType, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", ty.name())))
}

/// The type and row id inside a global ID, if it is one of ours.
pub fn parse_global_id(id: &str) -> Option<(IdType, i32)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (type_name, row) = text.split_once(':')?;
    let ty = IdType::ALL.into_iter().find(|ty| ty.name() == type_name)?;
    Some((ty, row.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_foreign_ones_are_refused() {
        for ty in IdType::ALL {
            assert_eq!(parse_global_id(&global_id(ty, 42)), Some((ty, 42)));
        }
        let foreign = |text: &str| URL_SAFE_NO_PAD.encode(text);
        assert_eq!(parse_global_id(&foreign("Role:x")), None);
        assert_eq!(parse_global_id(&foreign("Planet:1")), None);
        assert_eq!(parse_global_id(&foreign("Role1")), None);
        assert_eq!(parse_global_id("not base64!"), None);
    }
}
