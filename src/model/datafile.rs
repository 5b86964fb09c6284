//! Data files shipped in `checks/` (the catalogue, bot-challenge
//! fingerprints, the scope vocabulary, the API-description data): TOML,
//! validated against a JSON Schema before it is deserialised, so an error
//! names its location.

use serde::de::DeserializeOwned;

/// Why a data file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataFileError {
    /// Not TOML, or not the expected shape after validation.
    Toml(String),
    /// Schema violations, one line each with its location.
    Schema(Vec<String>),
}

/// Parse TOML, validate it (as JSON) against `schema`, then deserialise it.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    schema: &jsonschema::Validator,
) -> Result<T, DataFileError> {
    let value: toml::Value =
        toml::from_str(text).map_err(|e| DataFileError::Toml(e.to_string()))?;
    let json = serde_json::to_value(&value).map_err(|e| DataFileError::Toml(e.to_string()))?;
    let errors: Vec<String> = schema
        .iter_errors(&json)
        .map(|e| {
            let path = e.instance_path().to_string();
            format!("  at `{}`: {e}", if path.is_empty() { "/" } else { &path })
        })
        .collect();
    if !errors.is_empty() {
        return Err(DataFileError::Schema(errors));
    }
    toml::from_str(text).map_err(|e| DataFileError::Toml(e.to_string()))
}
