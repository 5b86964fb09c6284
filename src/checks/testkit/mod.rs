//! Hand-written sites shared by the checks' unit tests, grouped as the
//! checks were written (a test of one check often judges its neighbours).

pub(crate) mod agent_auth;
pub(crate) mod apis;
pub(crate) mod discovery;
pub(crate) mod headless;
pub(crate) mod metadata;
pub(crate) mod scopes;
