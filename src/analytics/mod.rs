//! Salary analytics, below the schema: the grouped SQL behind `salaryStats` (`grouping`) and the pooled
//! percentile model its estimates come from (`pooled`).
pub mod grouping;
pub mod pooled;
