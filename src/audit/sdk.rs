//! Calls through Okta's SDKs. Code rarely writes `/api/v1/...` itself: it calls
//! `client.UserAPI.ListUsers(ctx)`, `await client.list_users()`, `userApi.listUsers()`.
//! The generated SDKs name their methods after the spec's operationId (in each
//! language's case) and their API classes after its tags, so a method name finds its
//! operation in `operations.toml`, narrowed by the receiver when a name is shared.
//!
//! A method that the audited repository defines itself (a vendored or legacy SDK, such as
//! terraform-provider-okta's `sdk/`) is followed instead: its caller is credited with the
//! requests the method's body makes.
//!
//! Reading a file only records what it calls and defines ([`FileCalls`]); resolving waits
//! for the whole walk ([`resolve`]), since a definition may come after its callers.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::data::{AuditData, Operation, sdk_key, tag_key};
use super::model::{Call, CallNeed, Candidate, Definition, FileCalls, Lang, SdkCall};
use crate::locate::LineCursor;

impl Lang {
    /// The file imports one of Okta's SDKs (any version).
    fn imports_sdk(self, blob: &[u8]) -> bool {
        static RE: OnceLock<[Regex; 5]> = OnceLock::new();
        let re = RE.get_or_init(|| {
            [
                r"(?-u)github\.com/okta/okta-(?:sdk|governance-sdk)-golang",
                r"(?m-u)^\s*(?:from\s+okta[.\s]|import\s+okta\b)",
                r"(?-u)\bcom\.okta\.sdk\b",
                r"(?-u)@okta/okta-sdk-nodejs",
                r"(?-u)\bOkta\.Sdk\b",
            ]
            .map(|r| Regex::new(r).expect("static regex"))
        });
        let i = match self {
            Lang::Go => 0,
            Lang::Python => 1,
            Lang::Java => 2,
            Lang::Node => 3,
            Lang::DotNet => 4,
        };
        re[i].is_match(blob)
    }

    /// `receiver.method(first-argument`: the receiver is the identifier before the dot,
    /// or absent after a call (`getClient(meta).ListX(`).
    fn call_regex(self) -> &'static Regex {
        static RE: OnceLock<[Regex; 4]> = OnceLock::new();
        let re = RE.get_or_init(|| {
            [
                // Go and .NET: exported methods start upper case.
                r"(?-u)(?:\b([A-Za-z_]\w*)|\))\s*\.\s*([A-Z]\w*)\s*\(\s*([A-Za-z_][\w.]*)?",
                r"(?-u)(?:\b([A-Za-z_]\w*)|\))\s*\.\s*([a-z_]\w*)\s*\(\s*([A-Za-z_][\w.]*)?",
                // Java and JavaScript: lower camel case; `$` is an identifier character.
                r"(?-u)(?:\b([A-Za-z_$][\w$]*)|\))\s*\.\s*([a-z]\w*)\s*\(\s*([A-Za-z_][\w.]*)?",
                r"(?-u)(?:\b([A-Za-z_]\w*)|\))\s*\.\s*([A-Z]\w*)\s*(?:<[^<>()]*>)?\s*\(\s*([A-Za-z_][\w.]*)?",
            ]
            .map(|r| Regex::new(r).expect("static regex"))
        });
        &re[match self {
            Lang::Go => 0,
            Lang::Python => 1,
            Lang::Java | Lang::Node => 2,
            Lang::DotNet => 3,
        }]
    }
}

/// SDK call candidates and request-making method definitions of one file; `requests` are
/// the endpoint calls already found in it (for the definitions' bodies).
pub fn read(path: &str, blob: &[u8], requests: &[Call]) -> FileCalls {
    let mut out = FileCalls::default();
    let Some(lang) = Lang::of(path) else {
        return out;
    };
    let imports_sdk = lang.imports_sdk(blob);
    if lang == Lang::Go {
        out.definitions = definitions(path, blob, requests);
    }
    // Go SDK calls are recognisable without the import (`XAPI.Method(ctx`, and the
    // repository's own methods); the other languages' need it.
    if !imports_sdk && lang != Lang::Go {
        return out;
    }
    let types = if matches!(lang, Lang::Java | Lang::DotNet) {
        declared_api_types(blob)
    } else {
        HashMap::new()
    };
    let clients = client_variables(lang, blob);
    let mut lines = LineCursor::default();
    for c in lang.call_regex().captures_iter(blob) {
        let whole = c.get(0).expect("group 0");
        let name = String::from_utf8_lossy(&c[2]).into_owned();
        let mut receiver = c.get(1).map(|r| String::from_utf8_lossy(r.as_bytes()));
        if receiver
            .as_deref()
            .is_some_and(|r| matches!(r, "this" | "self" | "super" | "cls" | "base"))
        {
            continue;
        }
        if let Some(t) = receiver.as_deref().and_then(|r| types.get(r)) {
            receiver = Some(t.clone().into());
        }
        let context_first = c.get(3).is_some_and(|a| {
            let a = a.as_bytes().to_ascii_lowercase();
            a.windows(3).any(|w| w == b"ctx") || a.windows(7).any(|w| w == b"context")
        });
        let on_client = receiver.as_deref().is_some_and(|r| clients.contains(r));
        out.candidates.push(Candidate {
            path: path.to_string(),
            line: lines.advance(blob, whole.start()).0,
            lang,
            receiver: receiver.map(|r| r.into_owned()),
            name,
            context_first,
            imports_sdk,
            on_client,
            file_has_clients: !clients.is_empty(),
        });
    }
    out
}

/// Variables assigned the SDK's client object: every method called on them is an
/// operation (Python's client and Node's before v7 hang all operations on it).
fn client_variables(lang: Lang, blob: &[u8]) -> std::collections::HashSet<String> {
    static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (python, node) = RE.get_or_init(|| {
        (
            // `client = OktaClient(…)`, `async with OktaClient(config) as client:`.
            Regex::new(r"(?-u)\b([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:okta\.client\.)?(?:OktaClient|Client)\s*\(|\b(?:OktaClient|Client)\s*\([^()\n]*\)\s+as\s+([A-Za-z_]\w*)")
                .expect("static regex"),
            Regex::new(r"(?-u)\b([A-Za-z_$][\w$]*)\s*=\s*new\s+(?:okta\.)?Client\s*\(")
                .expect("static regex"),
        )
    });
    let re = match lang {
        Lang::Python => python,
        Lang::Node => node,
        _ => return Default::default(),
    };
    re.captures_iter(blob)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
        .collect()
}

/// Java and .NET variables, fields and parameters of an API class type: `UserApi userApi`,
/// `private readonly IUserApi _userApi`, `var api = new GroupApi(client)`.
fn declared_api_types(blob: &[u8]) -> HashMap<String, String> {
    static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (typed, inferred) = RE.get_or_init(|| {
        (
            Regex::new(r"(?-u)\b(I?[A-Z]\w*Api)\s*(?:<[^<>]*>)?\s+([A-Za-z_]\w*)\s*[;=),]")
                .expect("static regex"),
            Regex::new(r"(?-u)\b(?:var|val|let|const|final)\s+([A-Za-z_]\w*)\s*=\s*new\s+([A-Z]\w*Api)\s*\(")
                .expect("static regex"),
        )
    });
    let mut out = HashMap::new();
    for c in typed.captures_iter(blob) {
        let t = String::from_utf8_lossy(&c[1]);
        // `IUserApi` is the interface of `UserApi`.
        let t = match t.strip_prefix('I') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => rest.to_string(),
            _ => t.into_owned(),
        };
        out.insert(String::from_utf8_lossy(&c[2]).into_owned(), t);
    }
    for c in inferred.captures_iter(blob) {
        out.insert(
            String::from_utf8_lossy(&c[1]).into_owned(),
            String::from_utf8_lossy(&c[2]).into_owned(),
        );
    }
    out
}

/// Go methods (`func (m *T) Name(`) whose bodies make endpoint calls: gofmt closes a
/// top-level function with `}` in column 0.
fn definitions(path: &str, blob: &[u8], requests: &[Call]) -> Vec<Definition> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?m-u)^func\s*\(\s*\w*\s*\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*(\w+)\s*[(\[]")
            .expect("static regex")
    });
    let mut out = Vec::new();
    if requests.is_empty() {
        return out;
    }
    let mut lines = LineCursor::default();
    for c in re.captures_iter(blob) {
        let start = c.get(0).expect("group 0").start();
        let end =
            memchr::memmem::find(&blob[start..], b"\n}").map_or(blob.len(), |i| start + i + 2);
        let first = lines.advance(blob, start).0;
        let last = first + memchr::memchr_iter(b'\n', &blob[start..end]).count();
        let inside: Vec<(Option<String>, String, CallNeed)> = requests
            .iter()
            .filter(|r| r.path == path && (first..=last).contains(&r.line))
            .map(|r| (r.method.clone(), r.endpoint.clone(), r.need.clone()))
            .collect();
        if !inside.is_empty() {
            out.push(Definition {
                path: path.to_string(),
                line: first,
                type_name: String::from_utf8_lossy(&c[1]).into_owned(),
                name: String::from_utf8_lossy(&c[2]).into_owned(),
                requests: inside,
            });
        }
    }
    out
}

/// The repository's own request-making methods, by name.
pub struct Definitions<'a> {
    by_name: HashMap<&'a str, Vec<&'a Definition>>,
}

impl<'a> Definitions<'a> {
    pub fn new(all: &'a [Definition]) -> Self {
        let mut by_name: HashMap<&str, Vec<&Definition>> = HashMap::new();
        for d in all {
            by_name.entry(d.name.as_str()).or_default().push(d);
        }
        Definitions { by_name }
    }

    /// The definitions a Go call may reach: on the receiver's type when the receiver
    /// names one (`client.Application.X` → `ApplicationResource`), else every method of
    /// that name when the receiver is a call's result (`getSupplement(meta).X`).
    fn reached(&self, c: &Candidate) -> Vec<&'a Definition> {
        if c.lang != Lang::Go || !c.context_first {
            return Vec::new();
        }
        let Some(defs) = self.by_name.get(c.name.as_str()) else {
            return Vec::new();
        };
        match &c.receiver {
            Some(r) => {
                let r = tag_key(r);
                defs.iter()
                    .copied()
                    .filter(|d| {
                        let t = tag_key(&d.type_name);
                        t == r || t.strip_suffix("resource") == Some(r.as_str())
                    })
                    .collect()
            }
            None => defs.clone(),
        }
    }
}

/// Is `c` a call through an SDK API object (so that a name the spec does not know is
/// listed as unmapped rather than ignored)?
fn through_api_object(data: &AuditData, c: &Candidate) -> bool {
    let Some(r) = &c.receiver else {
        return false;
    };
    c.on_client
        || match c.lang {
            // v3+: `UserAPI.ListUsers(ctx`; v2: `client.User.ListUsers(ctx` (needs the import).
            Lang::Go => c.context_first && (r.ends_with("API") || c.imports_sdk && data.is_tag(r)),
            Lang::Node | Lang::Java | Lang::DotNet => {
                (r.ends_with("Api") || r.ends_with("API")) && data.is_tag(r)
            }
            Lang::Python => false,
        }
}

/// Plumbing of the generated API classes that is no operation.
fn plumbing(name: &str) -> bool {
    let key = sdk_key(name);
    matches!(
        key.as_str(),
        "execute"
            | "getapiclient"
            | "setapiclient"
            | "getconfiguration"
            | "getconfig"
            | "getrequestexecutor"
            | "setrequestexecutor"
            | "setcustomheaders"
            | "clearcustomheaders"
            | "getdefaultheaders"
            | "close"
            | "then"
            | "catch"
    )
}

/// SDK calls of the whole walk: each candidate that reaches a repository method or names
/// a spec operation becomes one [`Call`] per request (several when a name is shared and
/// the receiver does not decide: the union, marked); calls through an API object that
/// nothing resolves are kept, unmapped, with the reason.
pub fn resolve(
    data: &AuditData,
    candidates: &[Candidate],
    definitions: &[Definition],
) -> Vec<Call> {
    let defs = Definitions::new(definitions);
    let mut out = Vec::new();
    for c in candidates {
        if plumbing(&c.name) {
            continue;
        }
        let written = match &c.receiver {
            Some(r) => format!("{r}.{}", c.name),
            None => format!("(…).{}", c.name),
        };
        let sdk =
            |operation_id: Option<String>, defined: Option<&Definition>, alternatives| SdkCall {
                written: written.clone(),
                lang: c.lang,
                operation_id,
                defined_in: defined.map(|d| d.path.clone()),
                defined_line: defined.map(|d| d.line),
                alternatives,
                unmapped: None,
            };
        let reached = defs.reached(c);
        // A method calling its own package's methods is already counted where they are.
        let reached: Vec<&Definition> = reached.into_iter().filter(|d| d.path != c.path).collect();
        if !reached.is_empty() {
            // Several definitions may send the same request: alternatives are requests.
            let n = reached
                .iter()
                .flat_map(|d| d.requests.iter().map(|(m, e, _)| (m, e)))
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            let mut sent = std::collections::BTreeSet::new();
            for d in &reached {
                for (method, endpoint, need) in &d.requests {
                    if !sent.insert((method, endpoint)) {
                        continue;
                    }
                    out.push(Call {
                        path: c.path.clone(),
                        line: c.line,
                        method: method.clone(),
                        api: data.api_of(method.as_deref(), endpoint),
                        endpoint: endpoint.clone(),
                        need: need.clone(),
                        catalogue: false,
                        sdk: Some(sdk(None, Some(d), n)),
                    });
                }
            }
            continue;
        }
        let through_api = through_api_object(data, c);
        // Where the file names its Okta client, only calls on it (or on an API object) are
        // Okta's: boto3's `iam.list_users()` may sit beside `okta_client.list_users()`.
        if c.file_has_clients && !c.on_client && !through_api {
            continue;
        }
        let gated = c.imports_sdk || through_api;
        // Go's SDK methods all take a context first; anything else is another package.
        let shaped = c.lang != Lang::Go || c.context_first;
        if !gated || !shaped {
            continue;
        }
        let ops = data.operations_named(c.receiver.as_deref(), &c.name);
        if let (true, Some(o)) = (ops.is_empty(), data.unscoped_named(&c.name)) {
            out.push(Call {
                path: c.path.clone(),
                line: c.line,
                method: Some(o.method.clone()),
                endpoint: o.path.clone(),
                api: o.tag.clone(),
                need: CallNeed::NoScope { why: o.why.clone() },
                catalogue: false,
                sdk: Some(sdk(Some(o.operation_id.clone()), None, 1)),
            });
            continue;
        }
        if ops.is_empty() {
            if through_api_object(data, c) {
                out.push(unmapped(c, written.clone(), format!(
                    "no operation of Okta's Management API spec (current or earlier operationIds) is named `{}`",
                    c.name
                )));
            }
            continue;
        }
        let n = ops.len();
        for o in ops {
            out.push(operation_call(
                c,
                o,
                sdk(Some(o.operation_id.clone()), None, n),
            ));
        }
    }
    out
}

fn operation_call(c: &Candidate, o: &Operation, sdk: SdkCall) -> Call {
    Call {
        path: c.path.clone(),
        line: c.line,
        method: Some(o.method.clone()),
        endpoint: o.path.clone(),
        api: o.tag.clone(),
        need: CallNeed::Scope {
            scope: o.scope.clone(),
        },
        catalogue: false,
        sdk: Some(sdk),
    }
}

fn unmapped(c: &Candidate, written: String, why: String) -> Call {
    Call {
        path: c.path.clone(),
        line: c.line,
        method: None,
        endpoint: written.clone(),
        api: c.receiver.as_deref().map(api_name).unwrap_or_default(),
        need: CallNeed::Unknown,
        catalogue: false,
        sdk: Some(SdkCall {
            written,
            lang: c.lang,
            operation_id: None,
            defined_in: None,
            defined_line: None,
            alternatives: 0,
            unmapped: Some(why),
        }),
    }
}

/// `UserAPI`, `userApi`, `IUserApi` → `User`: the group an API object's calls go under.
fn api_name(receiver: &str) -> String {
    let r = receiver
        .strip_suffix("API")
        .or_else(|| receiver.strip_suffix("Api"))
        .unwrap_or(receiver);
    let mut s = String::new();
    for (i, ch) in r.chars().enumerate() {
        s.extend(if i == 0 {
            ch.to_uppercase().collect::<Vec<_>>()
        } else {
            vec![ch]
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each (method, endpoint) a file's SDK calls resolve to, with what was written.
    fn resolved(path: &str, code: &str) -> Vec<String> {
        let data = AuditData::load().unwrap();
        let found = read(path, code.as_bytes(), &[]);
        resolve(&data, &found.candidates, &[])
            .iter()
            .map(|c| {
                let sdk = c.sdk.as_ref().unwrap();
                match &sdk.unmapped {
                    Some(_) => format!("{} unmapped", sdk.written),
                    None => format!(
                        "{} {} {}",
                        sdk.written,
                        c.method.as_deref().unwrap_or("?"),
                        c.endpoint
                    ),
                }
            })
            .collect()
    }

    #[test]
    fn go_v3_and_later_calls_resolve_with_or_without_the_import() {
        let code = "package x\n\nfunc f(ctx context.Context, c *okta.APIClient) {\n\tusers, _, err := c.UserAPI.ListUsers(ctx).Limit(200).Execute()\n\tc.PolicyAPI.\n\t\tReplacePolicyRule(ctx, pid, rid).PolicyRule(r).Execute()\n\tgetV5(meta).NetworkZoneAPI.DeactivateNetworkZone(ctx, id).Execute()\n\tc.UserAPI.ListUsersOfTheMoon(ctx)\n\tfmt.Println(\"x\")\n\tplan.Policy.IsNull()\n}\n";
        assert_eq!(
            resolved("svc/x.go", code),
            [
                "UserAPI.ListUsers GET /api/v1/users",
                "PolicyAPI.ReplacePolicyRule PUT /api/v1/policies/{id}/rules/{id}",
                "NetworkZoneAPI.DeactivateNetworkZone POST /api/v1/zones/{id}/lifecycle/deactivate",
                "UserAPI.ListUsersOfTheMoon unmapped",
            ]
        );
    }

    #[test]
    fn go_v2_calls_need_the_import_and_a_context() {
        let code = "import \"github.com/okta/okta-sdk-golang/v2/okta\"\n\nfunc f() {\n\tclient.User.ListUsers(ctx, nil)\n\tclient.Group.GetGroup(context.Background(), id)\n\tuser.GetProfile()\n}\n";
        assert_eq!(
            resolved("svc/x.go", code),
            [
                "User.ListUsers GET /api/v1/users",
                "Group.GetGroup GET /api/v1/groups/{id}",
            ]
        );
        let without = code.replace("okta-sdk-golang", "other-sdk");
        assert!(resolved("svc/x.go", &without).is_empty());
    }

    #[test]
    fn python_node_java_and_dotnet_calls_resolve_only_where_the_sdk_is_imported() {
        let py = "from okta.client import Client as OktaClient\n\nasync def main():\n    users, resp, err = await client.list_users()\n    user, _, _ = await okta_client.get_user(uid)\n    self.list_users()\n";
        assert_eq!(
            resolved("app/sync.py", py),
            [
                "client.list_users GET /api/v1/users",
                "okta_client.get_user GET /api/v1/users/{id}",
            ]
        );
        let boto = "import boto3\niam = boto3.client('iam')\niam.list_users()\n";
        assert!(resolved("app/aws.py", boto).is_empty());

        let node = "const okta = require('@okta/okta-sdk-nodejs');\nconst users = await client.userApi.listUsers();\nawait client.groupApi.listGroups({ q: 'eng' });\nclient.userApi.listUsersOfTheMoon();\n";
        assert_eq!(
            resolved("web/okta.js", node),
            [
                "userApi.listUsers GET /api/v1/users",
                "groupApi.listGroups GET /api/v1/groups",
                "userApi.listUsersOfTheMoon unmapped",
            ]
        );

        let java = "import com.okta.sdk.resource.api.UserApi;\nclass S {\n  private final UserApi users;\n  void f() {\n    UserApi api = new UserApi(client);\n    api.listUsers(null, null, 200, null, null, null, null);\n    users.getUser(id, null, null);\n    new GroupApi(client).listGroups(null, null, null, 10, null, null, null, null);\n  }\n}\n";
        assert_eq!(
            resolved("svc/S.java", java),
            [
                "UserApi.listUsers GET /api/v1/users",
                "UserApi.getUser GET /api/v1/users/{id}",
                "(…).listGroups GET /api/v1/groups",
            ]
        );

        let cs = "using Okta.Sdk.Api;\nclass S {\n  private readonly IUserApi _userApi;\n  async Task F() {\n    var groupApi = new GroupApi(config);\n    var users = await _userApi.ListUsers().ToListAsync();\n    await groupApi.ListGroups().ToListAsync();\n  }\n}\n";
        assert_eq!(
            resolved("svc/S.cs", cs),
            [
                "UserApi.ListUsers GET /api/v1/users",
                "GroupApi.ListGroups GET /api/v1/groups",
            ]
        );
    }

    #[test]
    fn a_shared_name_is_the_union_and_says_so() {
        let data = AuditData::load().unwrap();
        let code = "from okta.client import Client\nawait client.get_org_settings()\n";
        let found = read("a.py", code.as_bytes(), &[]);
        let calls = resolve(&data, &found.candidates, &[]);
        assert_eq!(calls.len(), 2);
        assert!(
            calls
                .iter()
                .all(|c| c.sdk.as_ref().unwrap().alternatives == 2)
        );
    }

    #[test]
    fn the_repositorys_own_methods_credit_their_callers() {
        let data = AuditData::load().unwrap();
        let sdk_file = "package sdk\n\nfunc (m *ApplicationResource) UpdateApplication(ctx context.Context, appId string, body App) (App, error) {\n\turl := fmt.Sprintf(\"/api/v1/apps/%v\", appId)\n\treq, err := m.client.requestExecutor.NewRequest(\"PUT\", url, body)\n\treturn nil, err\n}\n\nfunc (m *APISupplement) GetEmailSender(ctx context.Context, id string) {\n\turl := fmt.Sprintf(\"/api/v1/org/email/sender/%s\", id)\n\treq, _ := re.NewRequest(http.MethodGet, url, nil)\n}\n";
        let mut audit = crate::audit::model::Audit::default();
        let engine = crate::engine::Engine::builtin();
        crate::audit::audit_blob(
            &data,
            &engine,
            "sdk/v2_application.go",
            sdk_file.as_bytes(),
            &mut audit,
        );
        let caller = "package idaas\n\nfunc r() {\n\tgetOktaClientFromMetadata(meta).Application.UpdateApplication(ctx, id, app)\n\tgetAPISupplementFromMetadata(meta).GetEmailSender(ctx, id)\n\tclient.Group.UpdateApplication(ctx, id, app)\n}\n";
        crate::audit::audit_blob(&data, &engine, "okta/app.go", caller.as_bytes(), &mut audit);
        assert_eq!(audit.sdk.definitions.len(), 2);
        let calls = resolve(&data, &audit.sdk.candidates, &audit.sdk.definitions);
        let got: Vec<String> = calls
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} {}",
                    c.sdk.as_ref().unwrap().written,
                    c.method.as_deref().unwrap_or("?"),
                    c.endpoint,
                    c.sdk
                        .as_ref()
                        .unwrap()
                        .defined_in
                        .as_deref()
                        .unwrap_or("spec")
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "Application.UpdateApplication PUT /api/v1/apps/{id} sdk/v2_application.go",
                "(…).GetEmailSender GET /api/v1/org/email/sender/{id} sdk/v2_application.go",
            ]
        );
    }
}

#[cfg(test)]
mod unscoped_tests {
    use super::*;

    /// A method named after a spec operation with no OAuth scope is a call that needs none,
    /// with the spec's reason, not an unmapped one.
    #[test]
    fn operations_without_a_scope_say_why() {
        let data = AuditData::load().unwrap();
        let code = "package x\n\nfunc f(ctx context.Context) {\n\tc.OrgSettingAPI.GetWellknownOrgMetadata(ctx).Execute()\n}\n";
        let found = read("x.go", code.as_bytes(), &[]);
        let calls = resolve(&data, &found.candidates, &[]);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].endpoint, "/.well-known/okta-organization");
        assert!(
            matches!(&calls[0].need, CallNeed::NoScope { why } if why.contains("no authentication")),
            "{:?}",
            calls[0].need
        );
    }
}
