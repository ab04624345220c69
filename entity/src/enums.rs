//! Closed sets of values, stored as their upper-case names.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of BLS area a city row stands for; the nation is an area too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AreaKind {
    #[sea_orm(string_value = "NATIONAL")]
    National,
    #[sea_orm(string_value = "STATE")]
    State,
    #[sea_orm(string_value = "METROPOLITAN")]
    Metropolitan,
    #[sea_orm(string_value = "NONMETROPOLITAN")]
    Nonmetropolitan,
}

/// An occupation's level in the SOC hierarchy (BLS's O_GROUP): all occupations, major, minor and broad
/// groups, and detailed occupations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OccupationGroup {
    #[sea_orm(string_value = "TOTAL")]
    Total,
    #[sea_orm(string_value = "MAJOR")]
    Major,
    #[sea_orm(string_value = "MINOR")]
    Minor,
    #[sea_orm(string_value = "BROAD")]
    Broad,
    #[sea_orm(string_value = "DETAILED")]
    Detailed,
}

/// The period a wage is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum PayPeriod {
    #[sea_orm(string_value = "ANNUAL")]
    Annual,
    #[sea_orm(string_value = "HOURLY")]
    Hourly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SkillCategory {
    #[sea_orm(string_value = "TECHNICAL")]
    Technical,
    #[sea_orm(string_value = "PROFESSIONAL")]
    Professional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ToolCategory {
    #[sea_orm(string_value = "LANGUAGE")]
    Language,
    #[sea_orm(string_value = "RUNTIME")]
    Runtime,
    #[sea_orm(string_value = "FRAMEWORK")]
    Framework,
    #[sea_orm(string_value = "DATABASE")]
    Database,
    #[sea_orm(string_value = "VERSION_CONTROL")]
    VersionControl,
    #[sea_orm(string_value = "API_TOOLING")]
    ApiTooling,
    #[sea_orm(string_value = "CLOUD_PLATFORM")]
    CloudPlatform,
}
