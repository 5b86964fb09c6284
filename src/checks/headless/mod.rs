//! Browserless authentication: can an agent get a credential without a browser (RFC 8628, RFC 7591, RFC 8693, RFC 7523)?

pub mod browserless_path;
pub mod client_compatibility;
pub mod client_registration;
pub mod delegation_grants;
pub mod device_authorization;
