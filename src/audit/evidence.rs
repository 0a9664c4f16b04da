//! What kind of evidence a file is: production code and configuration (what the service
//! app must be allowed to do), tests (including recorded HTTP fixtures), or docs and
//! examples. Only production evidence sets scopes unless the user asks for more.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    Production,
    Tests,
    Docs,
    /// A file naming more than [`CATALOGUE_CALLS`] endpoints.
    Catalogue,
}

impl Evidence {
    pub fn label(self) -> &'static str {
        match self {
            Evidence::Production => "production code",
            Evidence::Tests => "tests and recorded fixtures",
            Evidence::Docs => "docs and examples",
            Evidence::Catalogue => "endpoint catalogues (API descriptions, rate-limit tables)",
        }
    }
}

/// A file naming more endpoints than this is a catalogue (an API description, a
/// rate-limit table, a route list), not code that calls them all.
pub const CATALOGUE_CALLS: usize = 200;

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "test_data",
    "test-data",
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
    "fixtures",
    "fixture",
    "cassettes",
    "vcr_cassettes",
    "recordings",
    "e2e",
    "acctest",
    "mocks",
];

const DOC_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "website",
    "notebooks",
    "tutorials",
    "templates",
];

const DOC_EXTENSIONS: &[&str] = &[
    "md", "mdx", "markdown", "rst", "adoc", "asciidoc", "txt", "html", "ipynb", "org",
];

/// The class of the file at `path` (relative to the scanned root).
pub fn classify(path: &str) -> Evidence {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    let name = parts.pop().unwrap_or_default();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let test_name = stem.ends_with("_test")
        || stem.ends_with(".test")
        || stem.ends_with(".spec")
        || stem.ends_with("_spec")
        || stem.starts_with("test_")
        || stem.ends_with("test") && name.ends_with(".java")
        || stem.ends_with("tests") && (name.ends_with(".cs") || name.ends_with(".java"))
        || ext == "har"
        || stem.contains("cassette");
    if test_name || parts.iter().any(|d| TEST_DIRS.contains(d)) {
        return Evidence::Tests;
    }
    let sample = [".sample", ".example", ".dist", ".template"]
        .iter()
        .any(|s| name.contains(s))
        || name.starts_with("example");
    if sample || DOC_EXTENSIONS.contains(&ext) || parts.iter().any(|d| DOC_DIRS.contains(d)) {
        return Evidence::Docs;
    }
    Evidence::Production
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for (path, want) in [
            (
                "okta/services/idaas/resource_okta_user.go",
                Evidence::Production,
            ),
            ("sdk/v2_user.go", Evidence::Production),
            ("infra/main.tf", Evidence::Production),
            (".github/workflows/sync.yml", Evidence::Production),
            (
                "src/test_helpers_are_not_tests_dir/x.py",
                Evidence::Production,
            ),
            (
                "okta/services/idaas/resource_okta_user_test.go",
                Evidence::Tests,
            ),
            ("test/fixtures/vcr/idaas/TestAccUser.yaml", Evidence::Tests),
            ("pkg/testdata/users.json", Evidence::Tests),
            ("web/src/api.test.ts", Evidence::Tests),
            ("web/src/__tests__/api.js", Evidence::Tests),
            ("tests/test_sync.py", Evidence::Tests),
            ("app/src/test/java/UsersTest.java", Evidence::Tests),
            ("recordings/session.har", Evidence::Tests),
            ("okta/acctest/sku.go", Evidence::Tests),
            ("docs/resources/user.md", Evidence::Docs),
            ("examples/resources/okta_user/basic.tf", Evidence::Docs),
            ("README.md", Evidence::Docs),
            (".env.sample", Evidence::Docs),
            ("config/okta.yaml.example", Evidence::Docs),
            ("notebooks/explore.ipynb", Evidence::Docs),
        ] {
            assert_eq!(classify(path), want, "{path}");
        }
    }
}
