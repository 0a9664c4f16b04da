//! What the audit finds in files, before it is planned: usage sites, calls, build
//! manifests, and the SDK calls and definitions that are resolved once the walk is over.

use serde::Serialize;

use super::data::Need;

/// One place that uses a static token (or, `migrated`, already uses OAuth private keys).
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Relative to the audited root.
    pub path: String,
    /// As walked (what SARIF locations and terminals point at).
    #[serde(skip)]
    pub walked: String,
    pub line: usize,
    pub pattern: String,
    pub kind: String,
    pub title: String,
    pub migrated: bool,
    /// An OAuth client secret, not a static token: move it to `private_key_jwt`.
    pub client_secret: bool,
    /// The line, with any secret on it redacted.
    pub snippet: String,
}

/// What a call needs, owned, for reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "need", rename_all = "snake_case")]
pub enum CallNeed {
    Scope {
        scope: String,
    },
    /// No method was found and reads and writes need different scopes.
    ReadOrWrite {
        read: String,
        manage: String,
    },
    NoScope {
        why: String,
    },
    #[default]
    Unknown,
}

impl From<Need<'_>> for CallNeed {
    fn from(n: Need<'_>) -> Self {
        match n {
            Need::Scope(s) => CallNeed::Scope { scope: s.into() },
            Need::Either { read, manage } => CallNeed::ReadOrWrite {
                read: read.into(),
                manage: manage.into(),
            },
            Need::NoScope(why) => CallNeed::NoScope { why: why.into() },
            Need::Unknown => CallNeed::Unknown,
        }
    }
}

/// A Management API call (or a Terraform resource or data source) seen in a file.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// Relative to the audited root.
    pub path: String,
    pub line: usize,
    /// An HTTP method, or `resource`/`data` for Terraform.
    pub method: Option<String>,
    /// The endpoint template (`/api/v1/users/{id}`) or the Terraform type.
    pub endpoint: String,
    pub need: CallNeed,
    /// The file names so many endpoints that it is a catalogue, not calls.
    pub catalogue: bool,
    /// The API (spec tag) the call belongs to, for grouping; `Terraform` for Terraform
    /// types, empty when unknown.
    pub api: String,
    /// Made through an SDK method rather than with a literal path.
    pub sdk: Option<SdkCall>,
}

/// A file that makes its directory a build unit (`go.mod`, `package.json`, a Terraform
/// root module, …).
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: String,
    pub kind: &'static str,
}

#[derive(Default)]
pub struct Audit {
    pub sites: Vec<Site>,
    pub calls: Vec<Call>,
    pub manifests: Vec<Manifest>,
    /// What files call and define, resolved into `calls` once the walk is over.
    pub sdk: FileCalls,
}

impl Audit {
    /// Paths relative to the audited root `root`, so that components are named the same
    /// whether audited from inside or outside the checkout (`.`, `repo`, `./repo/`,
    /// `/abs/repo`); under the root's own name when `several` roots are audited.
    pub fn relative_to(&mut self, root: &std::path::Path, several: bool) {
        // Walked paths are the display form of root-joined paths: strip the root's.
        let base = crate::source::display_path(root);
        let base = base.trim_end_matches('/');
        let root_is_file = root.is_file();
        let rel = |p: &str| -> String {
            let inner = if root_is_file {
                p.rsplit('/').next()
            } else if base.is_empty() || base == "." {
                Some(p)
            } else {
                p.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
            };
            let r = inner.unwrap_or(p);
            if several {
                format!("{base}/{r}")
            } else {
                r.to_string()
            }
        };
        for s in &mut self.sites {
            s.path = rel(&s.walked);
        }
        for c in &mut self.calls {
            c.path = rel(&c.path);
            if let Some(d) = c.sdk.as_mut().and_then(|s| s.defined_in.as_mut()) {
                *d = rel(d);
            }
        }
        for m in &mut self.manifests {
            m.path = rel(&m.path);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Go,
    Python,
    Java,
    Node,
    #[serde(rename = ".net")]
    DotNet,
}

impl Lang {
    pub fn of(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.')?.1;
        Some(match ext {
            "go" => Lang::Go,
            "py" => Lang::Python,
            "java" | "kt" | "kts" | "scala" | "groovy" => Lang::Java,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Lang::Node,
            "cs" | "vb" | "fs" => Lang::DotNet,
            _ => return None,
        })
    }
}

/// One `receiver.method(` of a file that may be an SDK call.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: String,
    pub line: usize,
    pub lang: Lang,
    /// The identifier the method is called on, or for Java and .NET the API class of
    /// the variable it is called on (`UserApi userApi = …; userApi.listUsers()`).
    pub receiver: Option<String>,
    pub name: String,
    /// Go: the first argument is a context, as every Go SDK method takes.
    pub context_first: bool,
    pub imports_sdk: bool,
    /// Called on a variable that holds the SDK's client object (Python
    /// `client = OktaClient(…)`, Node `new okta.Client(…)`), whose methods are operations.
    pub on_client: bool,
    /// The file assigns such a client variable: then calls on other receivers are some
    /// other library's (`iam.list_users()` beside `okta_client.list_users()`).
    pub file_has_clients: bool,
}

/// A method the repository defines whose body sends Management API requests.
#[derive(Debug, Clone)]
pub struct Definition {
    pub path: String,
    pub line: usize,
    /// The receiver's type (`ApplicationResource`).
    pub type_name: String,
    pub name: String,
    /// (method, endpoint template, need) of each request in the body.
    pub requests: Vec<(Option<String>, String, CallNeed)>,
}

#[derive(Debug, Default)]
pub struct FileCalls {
    pub candidates: Vec<Candidate>,
    pub definitions: Vec<Definition>,
}

/// How an SDK call was resolved, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkCall {
    /// As written: `UserAPI.ListUsers`, `client.list_users`, `getClient(…).ListX`.
    pub written: String,
    pub lang: Lang,
    /// The spec operationId it resolved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// The repository's own method it resolved to: its file…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined_in: Option<String>,
    /// …and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined_line: Option<usize>,
    /// The name fits this many operations and the receiver did not tell them apart:
    /// each is counted.
    #[serde(skip_serializing_if = "is_one")]
    pub alternatives: usize,
    /// Why no operation was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmapped: Option<String>,
}

fn is_one(n: &usize) -> bool {
    *n <= 1
}
