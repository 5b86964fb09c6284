//! Token lifecycle: revocation (RFC 7009), introspection (RFC 7662), lifetime.

pub mod token_introspection;
pub mod token_lifetime;
pub mod token_revocation;
