//! Audit output: text for a terminal, JSON for tools, Markdown for a migration ticket.

use std::fmt::Write as _;

use serde_json::json;

use super::{Audit, Component};
use crate::outcome::Outcome;

const REVOKE: &str = "Revoke the static token: Okta Admin Console → Security → API → Tokens (or `DELETE /api/v1/api-tokens/{tokenId}`), after the service app is live; check the System Log for its last use first.";

pub fn text(audit: &Audit, leaks: &Outcome) -> String {
    let comps = audit.components();
    let used: usize = comps
        .iter()
        .map(|c| c.sites.iter().filter(|s| !s.migrated).count())
        .sum();
    let migrated = audit.sites.iter().filter(|s| s.migrated).count();
    let mut s = String::new();
    for c in &comps {
        let kinds: Vec<&str> = c.kinds.iter().map(String::as_str).collect();
        let _ = writeln!(s, "{} ({})", c.name, kinds.join(", "));
        for site in c.sites.iter().filter(|x| !x.migrated) {
            let _ = writeln!(
                s,
                "  {}:{}: {} — {}",
                site.path, site.line, site.pattern, site.title
            );
            let _ = writeln!(s, "      {}", site.snippet);
        }
        for call in &c.calls {
            let _ = writeln!(
                s,
                "  calls {} {}  ({}:{}) → {}",
                call.method.as_deref().unwrap_or("?"),
                call.endpoint,
                call.path,
                call.line,
                call.scope.as_deref().unwrap_or("no scope known")
            );
        }
        let scopes: Vec<&str> = c.scopes.iter().map(String::as_str).collect();
        let _ = writeln!(
            s,
            "  scopes for its service app: {}\n",
            if scopes.is_empty() {
                "(no Management API calls found)".to_string()
            } else {
                scopes.join(" ")
            }
        );
    }
    if leaks.reported().next().is_some() {
        s.push_str("leaked secrets (revoke these first):\n");
        for f in leaks.reported() {
            let _ = writeln!(
                s,
                "  {}:{}: {} [{}] {}",
                crate::escape::sanitize(&f.path),
                f.line,
                f.rule_id,
                f.confidence,
                f.secret
            );
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "{used} static-token usage site{} in {} component{}; {migrated} site{} already on OAuth private keys; {} leaked secret{}.",
        plural(used),
        comps.len(),
        plural(comps.len()),
        plural(migrated),
        leaks.reported().count(),
        plural(leaks.reported().count()),
    );
    // No --verbose here: the JSON output lists what was skipped.
    let _ = writeln!(s, "{}", crate::report::summary(leaks, true));
    if used > 0 {
        s.push_str("Migration plan: tokenwarden audit --format markdown\n");
    }
    s
}

pub fn json(audit: &Audit, leaks: &Outcome) -> serde_json::Value {
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "usage": audit.sites.iter().filter(|s| !s.migrated).collect::<Vec<_>>(),
        "migrated": audit.sites.iter().filter(|s| s.migrated).collect::<Vec<_>>(),
        "components": audit.components(),
        "findings": leaks.reported().map(crate::report::finding_json).collect::<Vec<_>>(),
        "stats": crate::report::stats_json(leaks),
    })
}

/// A migration report a team can paste into a ticket.
pub fn markdown(audit: &Audit, leaks: &Outcome) -> String {
    let comps = audit.components();
    let mut s = String::from("# Okta static API token migration\n\n");
    let _ = writeln!(
        s,
        "Static Okta API tokens (SSWS) act with every permission of the admin who created them. Okta recommends \
         replacing them with an OAuth 2.0 service app (API service integration) using **client credentials with \
         `private_key_jwt`** and only the scopes each component needs; access tokens then last one hour.\n"
    );
    if leaks.reported().next().is_some() {
        let _ = writeln!(
            s,
            "> **{} leaked secret(s) were found as well**: revoke those tokens first (`tokenwarden scan` lists them).\n",
            leaks.reported().count()
        );
    }
    let skipped = &leaks.stats.skipped;
    if !skipped.is_empty() {
        let reasons: Vec<String> = leaks
            .stats
            .skipped_by_reason()
            .iter()
            .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
            .collect();
        let _ = writeln!(
            s,
            "> {} file(s) were not read ({}); `--format json` lists them.\n",
            skipped.len(),
            reasons.join(", ")
        );
    }
    if comps.is_empty() {
        s.push_str("No static-token usage found.\n");
        return s;
    }
    let _ = writeln!(
        s,
        "| component | uses | sites | scopes for its service app |\n|---|---|---|---|"
    );
    for c in &comps {
        let kinds: Vec<&str> = c.kinds.iter().map(String::as_str).collect();
        let scopes: Vec<String> = c.scopes.iter().map(|x| format!("`{x}`")).collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            c.name,
            kinds.join(", "),
            c.sites.iter().filter(|x| !x.migrated).count(),
            if scopes.is_empty() {
                "–".into()
            } else {
                scopes.join(" ")
            }
        );
    }
    for c in &comps {
        component_section(&mut s, c);
    }
    s
}

fn component_section(s: &mut String, c: &Component) {
    let _ = writeln!(
        s,
        "\n## `{}`\n\n### Where the static token is used\n",
        c.name
    );
    for site in c.sites.iter().filter(|x| !x.migrated) {
        let _ = writeln!(
            s,
            "- `{}:{}`: {}  \n  `{}`",
            site.path,
            site.line,
            site.title,
            site.snippet.replace('`', "'")
        );
    }
    if !c.calls.is_empty() {
        s.push_str("\n### Management API calls\n\n| method | endpoint | where | scope |\n|---|---|---|---|\n");
        for call in &c.calls {
            let _ = writeln!(
                s,
                "| {} | `{}` | `{}:{}` | {} |",
                call.method.as_deref().unwrap_or("? (read assumed)"),
                call.endpoint,
                call.path,
                call.line,
                call.scope
                    .as_deref()
                    .map_or("unknown: check the scope reference".into(), |x| format!(
                        "`{x}`"
                    ))
            );
        }
    }
    let scopes: Vec<&str> = c.scopes.iter().map(String::as_str).collect();
    let scope_list = if scopes.is_empty() {
        "okta.users.read".to_string()
    } else {
        scopes.join(" ")
    };
    let _ = writeln!(
        s,
        "\n### Steps\n\n1. Create an API service integration (service app) for `{}`: client authentication **Public key / Private key**, \
         generate a key pair, keep the private key in your secret manager.\n2. Grant it exactly these scopes: `{scope_list}` \
         (and an admin role only if an endpoint requires one).\n3. Switch the code:\n",
        c.name
    );
    for kind in &c.kinds {
        let _ = writeln!(s, "{}", snippet_for(kind, &scope_list));
    }
    let _ = writeln!(s, "4. {REVOKE}");
}

/// Before/after configuration for each way of using a token.
fn snippet_for(kind: &str, scopes: &str) -> String {
    let quoted: Vec<String> = scopes.split(' ').map(|x| format!("\"{x}\"")).collect();
    let list = quoted.join(", ");
    match kind {
        "terraform" => format!(
            "   Terraform provider:\n   ```hcl\n   # before\n   provider \"okta\" {{ org_name = var.org  base_url = \"okta.com\"  api_token = var.okta_api_token }}\n   # after\n   provider \"okta\" {{\n     org_name       = var.org\n     base_url       = \"okta.com\"\n     client_id      = var.okta_client_id\n     private_key_id = var.okta_private_key_id\n     private_key    = var.okta_private_key\n     scopes         = [{list}]\n   }}\n   ```"
        ),
        "sdk-config" | "env" => format!(
            "   SDK configuration (okta.yaml or environment):\n   ```yaml\n   # before: OKTA_CLIENT_TOKEN / okta.client.token\n   # after\n   okta:\n     client:\n       orgUrl: https://<org>.okta.com\n       authorizationMode: PrivateKey\n       clientId: <service app client id>\n       scopes: [{list}]\n       privateKey: /run/secrets/okta-private-key.pem\n   ```\n   Environment: `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`, `OKTA_CLIENT_CLIENTID`, `OKTA_CLIENT_SCOPES`, `OKTA_CLIENT_PRIVATEKEY`; remove `OKTA_CLIENT_TOKEN` / `OKTA_API_TOKEN` from CI secrets."
        ),
        "sdk-java" => format!(
            "   Java SDK:\n   ```java\n   // before: .setClientCredentials(new TokenClientCredentials(token))\n   Client client = Clients.builder()\n       .setOrgUrl(orgUrl)\n       .setAuthorizationMode(AuthorizationMode.PRIVATE_KEY)\n       .setClientId(clientId)\n       .setScopes(new HashSet<>(Arrays.asList({list})))\n       .setPrivateKey(privateKeyPemPath)\n       .build();\n   ```"
        ),
        "sdk-dotnet" => format!(
            "   .NET SDK:\n   ```csharp\n   // before: new OktaClientConfiguration {{ OktaDomain = org, Token = token }}\n   var config = new OktaClientConfiguration {{\n       OktaDomain = org, AuthorizationMode = AuthorizationMode.PrivateKey, ClientId = clientId,\n       Scopes = new List<string> {{ {list} }}, PrivateKey = privateKeyJwk }};\n   ```"
        ),
        "sdk-node" => format!(
            "   Node.js SDK:\n   ```js\n   // before: new okta.Client({{ orgUrl, token }})\n   const client = new okta.Client({{ orgUrl, authorizationMode: 'PrivateKey', clientId,\n     scopes: [{list}], privateKey: process.env.OKTA_PRIVATE_KEY }});\n   ```"
        ),
        "sdk-python" => format!(
            "   Python SDK:\n   ```python\n   # before: OktaClient({{\"orgUrl\": org, \"token\": token}})\n   client = OktaClient({{\"orgUrl\": org, \"authorizationMode\": \"PrivateKey\", \"clientId\": client_id,\n                        \"scopes\": [{list}], \"privateKey\": private_key_pem}})\n   ```"
        ),
        "sdk-go" => format!(
            "   Go SDK:\n   ```go\n   // before: okta.WithToken(token)\n   okta.NewConfiguration(okta.WithOrgUrl(org), okta.WithAuthorizationMode(\"PrivateKey\"),\n       okta.WithClientId(clientID), okta.WithScopes([]string{{{list}}}), okta.WithPrivateKey(pemOrPath))\n   ```"
        ),
        "sdk-ruby" => "   Ruby: Oktakit only supports static tokens; call the API with an access token from the client credentials flow (`POST /oauth2/v1/token` with a `private_key_jwt` client assertion) and send `Authorization: Bearer <access token>`.".to_string(),
        "sdk-powershell" => "   PowerShell: switch the module to OAuth (private key) authentication, or obtain an access token with the client credentials flow and send `Authorization: Bearer`.".to_string(),
        _ => format!(
            "   HTTP clients: replace `Authorization: SSWS <token>` with `Authorization: Bearer <access token>`, where the access token comes from `POST https://<org>.okta.com/oauth2/v1/token` (`grant_type=client_credentials`, `scope={scopes}`, `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion=<JWT signed with the private key>`); cache it for its hour."
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
