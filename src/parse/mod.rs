//! Pure parsers of what a target sends: `WWW-Authenticate` challenges,
//! JSON within a memory budget, YAML, OpenAPI and Swagger descriptions,
//! RFC 9264 linksets and `Link` headers, robots.txt, and the data files
//! the catalogue ships. They import only the model.

pub mod cards;
pub mod description;
mod error;
pub mod json;
pub mod links;
pub mod markdown;
pub mod mcp;
pub mod openapi;
pub mod robots;
pub mod www_authenticate;
pub mod yaml;

pub use error::DocumentError;
