//! Views of the evidence: what the documents of a scan say, computed once
//! per store and read by both the planner and the checks.

pub mod descriptions;
