//! Markdown, read with a real parser (CommonMark, pulldown-cmark): the
//! first level-1 heading and everything a document mentions.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// What a Markdown document says, read with a real Markdown parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkdownFacts {
    /// Text of the first level-1 heading.
    pub first_h1: Option<String>,
    /// Link destinations, inline-code spans, code blocks and text, for
    /// finding references (lower-cased).
    pub mentions: String,
}

/// Parse Markdown: the first H1 and everything it mentions.
pub fn read_markdown(text: &str) -> MarkdownFacts {
    let mut facts = MarkdownFacts::default();
    let mut in_h1 = false;
    let mut h1 = String::new();
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if facts.first_h1.is_none() => in_h1 = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if in_h1 => {
                in_h1 = false;
                facts.first_h1 = Some(h1.trim().to_string());
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                facts.mentions.push_str(&dest_url.to_lowercase());
                facts.mentions.push('\n');
            }
            Event::Text(t) | Event::Code(t) => {
                if in_h1 {
                    h1.push_str(&t);
                }
                facts.mentions.push_str(&t.to_lowercase());
                facts.mentions.push('\n');
            }
            _ => {}
        }
        if facts.mentions.len() > 1 << 20 {
            break;
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_read_with_a_parser() {
        let f = read_markdown(
            "Intro text\n\n# Auth.MD for *Acme*\n\nSee [here](https://x/.well-known/oauth-protected-resource).\n\n# Second\n",
        );
        assert_eq!(f.first_h1.as_deref(), Some("Auth.MD for Acme"));
        assert!(f.mentions.contains("/.well-known/oauth-protected-resource"));
        // A setext heading is an H1 too; a code block with "# auth.md" is not.
        assert_eq!(
            read_markdown("auth.md\n=======\n").first_h1.as_deref(),
            Some("auth.md")
        );
        assert_eq!(read_markdown("```\n# auth.md\n```\n").first_h1, None);
    }
}
