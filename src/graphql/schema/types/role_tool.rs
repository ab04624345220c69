//! The role↔tool link: edges carry O*NET's flags for the tool in the role's occupation.
use async_graphql::Context;
use entity::role_tool;

use crate::graphql::engine::page::LinkConnection;
use crate::graphql::error::ApiError;
use crate::graphql::schema::types::source::{Source, source_by_slug};

use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::tool::Tool;

/// Edge fields of a role↔tool link. The flags come from O*NET 29.2 and are null where O*NET does not list
/// the tool for the role's occupation (the careers overview names it instead).
pub struct ToolUse(pub role_tool::Model);

object! {
    impl ToolUse(role_tool::Model) {
        /// The O*NET technology example matched, e.g. "Oracle Java".
        onetExample(link) -> Option<&str> { link.onet_example.as_deref() }
        /// O*NET's "hot technology": frequently named in employer job postings.
        hotTechnology(link) -> Option<bool> { link.hot_technology }
        /// O*NET's "in demand": a hot technology named especially often for this occupation.
        inDemand(link) -> Option<bool> { link.in_demand }
    }
    resolvers {
        /// Where the example and flags come from (O*NET 29.2, whose attribution must travel with them); null where
        /// O*NET does not list the tool and the link is the careers overview's.
        async fn data_source(&self, ctx: &Context<'_>) -> Result<Option<Source>, ApiError> {
            match self.0.onet_example {
                Some(_) => source_by_slug(ctx, crate::domain::ONET_SLUG.to_owned()).await,
                None => Ok(None),
            }
        }
    }
}

connection_names!(RoleToolNames, "RoleTool");
connection_names!(ToolRoleNames, "ToolRole");

/// A role's tools.
pub type RoleToolConnection = LinkConnection<Tool, ToolUse, RoleToolNames>;
/// The roles that use a tool.
pub type ToolRoleConnection = LinkConnection<Role, ToolUse, ToolRoleNames>;
