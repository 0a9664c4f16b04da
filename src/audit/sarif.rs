//! `tokenwarden audit --format sarif`: the leak findings of the run, plus one note-level
//! result per static-token usage site, for code scanning.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, MultiformatMessageString, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel,
};
use sha2::{Digest, Sha256};

use crate::finding::hex;
use crate::outcome::Outcome;
use crate::report::sarif::{camel_name, location, run, text, text_message, uri_path, write_run};

/// A static-token usage site from `tokenwarden audit`, reported as a note-level result
/// beside the leak findings of the same run.
pub struct UsageNote<'a> {
    pub path: &'a str,
    pub line: usize,
    pub pattern: &'a str,
    pub title: &'a str,
    pub snippet: &'a str,
}

const USAGE_RULE: &str = "okta-static-token-usage";
const USAGE_HELP: &str = "**This code uses a static Okta API token (SSWS).** Static tokens act with every permission \
of the admin who created them. Move this component to an OAuth 2.0 service app using client credentials with \
`private_key_jwt` and least-privilege scopes (`tokenwarden audit --format markdown` lists the scopes its calls \
need and the configuration to switch to), then revoke the static token in the Admin Console (Security → API → Tokens).";

pub fn write(w: &mut dyn Write, out: &Outcome, usage: &[UsageNote]) -> io::Result<()> {
    let mut run = run(out);
    if !usage.is_empty() {
        let index = out.rules.len() as i64;
        if let Some(list) = run.tool.driver.rules.as_mut() {
            list.push(usage_descriptor());
        }
        let results = run.results.get_or_insert_with(Vec::new);
        results.extend(usage.iter().map(|u| usage_result(u, index)));
    }
    write_run(w, run)
}

fn usage_descriptor() -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), json!("3.0"));
    ReportingDescriptor::builder()
        .id(USAGE_RULE)
        .name(camel_name(USAGE_RULE))
        .short_description(text_message("Static Okta API token in use"))
        .full_description(text_message(
            "Code or configuration authenticates to Okta with a static API token (SSWS) instead of OAuth 2.0 client credentials.",
        ))
        .help(
            MultiformatMessageString::builder()
                .text(crate::report::plain_text(USAGE_HELP))
                .markdown(USAGE_HELP)
                .build(),
        )
        .default_configuration(ReportingConfiguration {
            level: Some(json!("note")),
            ..Default::default()
        })
        .properties(PropertyBag {
            tags: Some(vec!["security".into(), "okta".into(), "migration".into()]),
            additional_properties: props,
        })
        .build()
}

fn usage_result(u: &UsageNote, rule_index: i64) -> SarifResult {
    let location = location(
        uri_path(u.path),
        Region {
            start_line: Some(u.line as i64),
            snippet: Some(ArtifactContent {
                text: Some(u.snippet.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let mut h = Sha256::new();
    for part in [u.pattern, u.path, u.snippet.trim()] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "primaryLocationLineHash".to_string(),
        format!("{}:1", hex(&h.finalize()[..8])),
    );
    let mut props = BTreeMap::new();
    props.insert("pattern".to_string(), json!(u.pattern));
    SarifResult::builder()
        .rule_id(USAGE_RULE)
        .rule_index(rule_index)
        .level(ResultLevel::Note)
        .message(text(format!(
            "{}: move this to OAuth 2.0 client credentials (private_key_jwt).",
            u.title
        )))
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag {
            tags: None,
            additional_properties: props,
        })
        .build()
}
