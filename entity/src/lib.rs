//! careerql's tables as sea-orm entities: one module per table.
pub mod api_key;
pub mod change;
pub mod city;
pub mod enums;
pub mod occupation;
pub mod responsibility;
pub mod role;
pub mod role_skill;
pub mod role_tool;
pub mod salary_range;
pub mod skill;
pub mod skill_tool;
pub mod source;
pub mod tool;
