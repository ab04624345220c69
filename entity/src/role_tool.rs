//! Which tools a role uses, with O*NET's flags where O*NET lists the tool for the role's occupation.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "role_tool")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tool_id: i32,
    /// The O*NET technology example matched, e.g. "Oracle Java"; `None` where O*NET does not list it.
    pub onet_example: Option<String>,
    pub hot_technology: Option<bool>,
    pub in_demand: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
