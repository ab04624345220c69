//! A published wage distribution for one occupation in one area, from one source and period.
//!
//! Amounts are integer cents, so figures round-trip exactly. A `None` amount was not published; an amount
//! named in `top_coded` is the source's lower bound ("at or above"), not an exact figure.
use super::enums::PayPeriod;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "salary_range")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub occupation_id: i32,
    pub city_id: i32,
    /// Set when the source describes one role rather than the whole occupation (e.g. a job-board figure).
    pub role_id: Option<i32>,
    pub period: PayPeriod,
    /// ISO 4217 code.
    pub currency: String,
    pub p10_cents: Option<i64>,
    pub p25_cents: Option<i64>,
    pub median_cents: Option<i64>,
    pub p75_cents: Option<i64>,
    pub p90_cents: Option<i64>,
    pub mean_cents: Option<i64>,
    /// Bounds of a range published without percentiles.
    pub low_cents: Option<i64>,
    pub high_cents: Option<i64>,
    /// Space-separated statistic names (`p90 mean ...`) whose amount is a top-coded lower bound.
    pub top_coded: String,
    pub employment: Option<i64>,
    pub location_quotient: Option<f64>,
    /// Jobs in the occupation per 1,000 jobs in the area.
    pub jobs_per_1000: Option<f64>,
    /// BLS's relative standard error of `employment`, in percent (`EMP_PRSE`).
    pub employment_rse: Option<f64>,
    /// BLS's relative standard error of the mean wage, in percent (`MEAN_PRSE`; the same for both periods).
    pub mean_rse: Option<f64>,
    pub source: String,
    /// The period the figures describe, e.g. "May 2025".
    pub reference_period: String,
    pub year: Option<i32>,
    /// Goes up by one with every change, so an editor's update can say which version it read.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
