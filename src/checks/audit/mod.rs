//! Audit: can an action be attributed to the credential that performed it?

pub mod request_attribution;
