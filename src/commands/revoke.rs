//! `tokenwarden revoke`: ends the exposure of leaked API tokens that still work. Reports
//! hold only redacted secrets, so the tokens are found again in the tree (or its history)
//! by fingerprint, checked with their org, shown, confirmed, and revoked with themselves
//! (`DELETE /api/v1/api-tokens/current`): nobody has to log in to the Admin Console.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use crate::cli::RevokeArgs;
use crate::credential::{Credential, Found};
use crate::error::{Error, Result};
use crate::escape::sanitize;
use crate::finding::Finding;
use crate::okta::{Budget, Client, Revocation};
use crate::outcome::Outcome;
use crate::pipeline::{EXIT_CLEAN, EXIT_FINDINGS, Pipeline};
use crate::report::vocabulary;
use crate::settings::{Settings, VerifySettings};
use crate::source::fs::{WalkOptions, scan_root};
use crate::source::git::{Selection, work_tree};

/// A token to revoke: found again, checked, with every place it leaked.
struct Target {
    finding: Finding,
    places: Vec<String>,
}

pub fn run(args: RevokeArgs) -> Result<i32> {
    let (wanted, path) = targets(&args)?;
    if !path.exists() {
        return Err(Error::new(format!(
            "{} does not exist: pass the directory or repository the report was made of",
            path.display()
        )));
    }
    let settings = settings(&args);
    let pipeline = Pipeline::new(&settings, &[path.as_path()])?;
    let mut out = find_again(&pipeline, &path, &wanted)?;
    let mut found: BTreeMap<String, Target> = BTreeMap::new();
    let mut not_tokens = BTreeMap::new();
    for f in out.findings.drain(..) {
        if !wanted.contains(&f.fingerprint) {
            continue;
        }
        let place = format!("{}:{}", sanitize(&f.path), f.line);
        let Some(item) = f
            .secret_id
            .and_then(|id| pipeline.engine().vault().found(id))
        else {
            continue;
        };
        if !matches!(item.credential, Credential::ApiToken { .. }) {
            not_tokens.insert(f.fingerprint.clone(), (f.rule_id.clone(), place));
            continue;
        }
        match found.get_mut(&f.fingerprint) {
            Some(t) => t.places.push(place),
            None => {
                let mut finding = f;
                finding.suppression = None;
                found.insert(
                    finding.fingerprint.clone(),
                    Target {
                        finding,
                        places: vec![place],
                    },
                );
            }
        }
    }
    let mut stdout = Out;
    for fp in &wanted {
        if let Some((rule, place)) = not_tokens.get(fp) {
            let _ = writeln!(
                stdout,
                "{fp}: {rule} at {place} is not an API token: rotate client secrets and private keys in the Admin Console (the app's General tab)"
            );
        } else if !found.contains_key(fp) {
            let _ = writeln!(
                stdout,
                "{fp}: not found in {} (pass the directory or repository the report was made of)",
                sanitize(&path.display().to_string())
            );
        }
    }
    let mut targets: Vec<Target> = found.into_values().collect();
    let opts = pipeline
        .verify_options()
        .ok_or_else(|| Error::new("revoke: no verification settings"))?;
    let mut findings: Vec<Finding> = targets.iter().map(|t| t.finding.clone()).collect();
    let warning = crate::verify::run(&mut findings, pipeline.engine().vault(), opts);
    for (t, f) in targets.iter_mut().zip(findings) {
        t.finding = f;
    }
    if let Some(w) = warning {
        eprintln!("tokenwarden: warning: {w}");
    }
    let mut live: Vec<&Target> = targets.iter().filter(|t| t.finding.is_live()).collect();
    // The worst first: if the run is cut short, the full-org compromise is already dead.
    live.sort_by_key(|t| std::cmp::Reverse(vocabulary::urgency(&t.finding)));
    for t in targets.iter().filter(|t| !t.finding.is_live()) {
        let v = t.finding.verification.as_ref();
        let _ = writeln!(
            stdout,
            "{} {}: not revoked: {}",
            t.finding.fingerprint,
            t.finding.secret,
            v.map_or_else(|| "not checked".to_string(), vocabulary::verification)
        );
    }
    if live.is_empty() {
        let _ = writeln!(stdout, "No live token to revoke.");
        return Ok(EXIT_CLEAN);
    }
    let _ = writeln!(
        stdout,
        "{} live token{} to revoke:",
        live.len(),
        plural(live.len())
    );
    for t in &live {
        let _ = plan(&mut stdout, t);
    }
    if args.dry_run {
        let _ = writeln!(stdout, "Dry run: nothing was revoked.");
        return Ok(EXIT_CLEAN);
    }
    if !args.yes && !confirm(live.len())? {
        return Err(Error::new("revoke: not confirmed; nothing was revoked"));
    }
    let findings: Vec<&Finding> = live.iter().map(|t| &t.finding).collect();
    let (mut revoked, mut failed) = (0, 0);
    let results = revoke_live(&pipeline, &findings);
    for (f, outcome) in &results {
        let org = f.verified_org().unwrap_or_default();
        let said = match outcome {
            Revocation::Revoked => {
                revoked += 1;
                "revoked: the token no longer works".to_string()
            }
            Revocation::AlreadyInvalid => "already invalid".to_string(),
            Revocation::Failed(why) => {
                failed += 1;
                format!(
                    "FAILED: {} (revoke it in the Admin Console: Security → API → Tokens)",
                    sanitize(why)
                )
            }
        };
        let _ = writeln!(stdout, "{} {} at {org}: {said}", f.fingerprint, f.secret);
        if *outcome != Revocation::AlreadyInvalid {
            let _ = writeln!(stdout, "    {}", system_log_hint(org, f));
        }
    }
    let _ = writeln!(
        stdout,
        "{revoked} revoked, {failed} failed, {} already invalid.",
        results.len() - revoked - failed
    );
    Ok(if failed == 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Revokes each of `live` (findings verified live, whose API tokens the pipeline's vault
/// holds) with its token at the org that said it is live; a fingerprint once.
pub(super) fn revoke_live<'f>(
    pipeline: &Pipeline,
    live: &[&'f Finding],
) -> Vec<(&'f Finding, Revocation)> {
    let Some(opts) = pipeline.verify_options() else {
        return Vec::new();
    };
    let client = Client::new(opts.timeout, Budget::new(opts.max_requests, opts.max_wait));
    let mut done = HashSet::new();
    let mut out = Vec::new();
    for f in live {
        let found = f
            .secret_id
            .and_then(|id| pipeline.engine().vault().found(id));
        let org = f.verified_org();
        let (
            Some(Found {
                credential: Credential::ApiToken { token },
                ..
            }),
            Some(org),
        ) = (found, org)
        else {
            continue;
        };
        if f.is_live() && done.insert(f.fingerprint.clone()) {
            out.push((
                *f,
                client.revoke_api_token(org, &token, &std::thread::sleep),
            ));
        }
    }
    out
}

/// The fingerprints to revoke and the tree to find them in.
fn targets(args: &RevokeArgs) -> Result<(Vec<String>, PathBuf)> {
    let mut positional = args.args.iter();
    let mut wanted: Vec<String> = args.fingerprints.clone();
    if wanted.is_empty() {
        let report = positional.next().ok_or_else(|| {
            Error::new("revoke: name a JSON report (tokenwarden scan --format json -o report.json) or --fingerprint FP")
        })?;
        wanted = fingerprints_of(report)?;
    }
    let path = positional
        .next()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    if let Some(extra) = positional.next() {
        return Err(Error::new(format!(
            "revoke: unexpected argument {} (with --fingerprint, only PATH)",
            extra.display()
        )));
    }
    let mut seen = HashSet::new();
    wanted.retain(|fp| seen.insert(fp.clone()));
    if let Some(bad) = wanted
        .iter()
        .find(|fp| fp.is_empty() || fp.len() > 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Error::new(format!(
            "revoke: {} is not a fingerprint (hex digits, as reports show them)",
            sanitize(bad)
        )));
    }
    Ok((wanted, path))
}

/// The fingerprints of a JSON report's findings (`scan`/`history --format json`).
fn fingerprints_of(report: &Path) -> Result<Vec<String>> {
    let text = std::fs::read(report).map_err(|e| Error::io("read", report, &e))?;
    let json: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        Error::new(format!(
            "{}: not a JSON report ({e}); write one with --format json -o FILE",
            report.display()
        ))
    })?;
    let findings = json["findings"].as_array().ok_or_else(|| {
        Error::new(format!(
            "{}: no `findings` array: not a tokenwarden JSON report",
            report.display()
        ))
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
        .collect())
}

/// Settings to find every token again (any confidence) and check it with its org.
fn settings(args: &RevokeArgs) -> Settings {
    Settings {
        max_file_size: args.limits.max_file_size,
        min_confidence: Some(crate::finding::Confidence::Low),
        verify: Some(VerifySettings {
            orgs: crate::settings::named_orgs(&args.okta_orgs),
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            concurrency: 4,
            max_requests: crate::verify::DEFAULT_MAX_REQUESTS,
            max_wait: std::time::Duration::from_secs(crate::verify::DEFAULT_MAX_WAIT_SECS),
            only_live: false,
        }),
        ..Settings::new()
    }
}

/// The tree's files, then, for what they do not hold, its git history.
fn find_again(pipeline: &Pipeline, path: &Path, wanted: &[String]) -> Result<Outcome> {
    let opts = WalkOptions {
        no_ignore: true,
        max_file_size: pipeline.max_size(),
        threads: pipeline.threads(),
    };
    let mut out = Outcome::default();
    scan_root(
        &pipeline.scanner(0),
        &pipeline.allowed(0),
        path,
        &opts,
        &mut out,
    )?;
    let have: HashSet<&str> = out
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let missing = wanted.iter().any(|fp| !have.contains(fp.as_str()));
    if missing && path.is_dir() && work_tree(path).is_ok() {
        let history = super::history::scan_repository(pipeline, path, &Selection::All, true)?;
        out.findings.extend(history.findings);
    }
    Ok(out)
}

/// What will be revoked: the token, its org, owner, roles and impact, where it leaked.
fn plan(w: &mut Out, t: &Target) -> std::fmt::Result {
    let v = t.finding.verification.as_ref();
    writeln!(
        w,
        "  {} {} — {}",
        t.finding.fingerprint,
        t.finding.secret,
        v.map_or_else(String::new, vocabulary::verification)
    )?;
    if let Some(e) = t.finding.exposure() {
        writeln!(w, "    {}", vocabulary::impact(e))?;
        writeln!(w, "    {}", vocabulary::exposure_details(e))?;
    }
    let shown = t
        .places
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = match t.places.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    writeln!(w, "    leaked at {shown}{more}")
}

/// Asks on the terminal; refuses when nobody can answer.
fn confirm(n: usize) -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::new(
            "revoke: standard input is not a terminal, so nobody can confirm: pass --yes to revoke without asking (or --dry-run to see the plan)",
        ));
    }
    eprint!(
        "Revoke {n} token{}? Whatever still uses {} stops working. Type yes to revoke: ",
        plural(n),
        if n == 1 { "it" } else { "them" }
    );
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::new(format!("revoke: reading the answer: {e}")))?;
    Ok(matches!(answer.trim(), "yes" | "y" | "YES" | "Yes"))
}

/// Where the admin looks next: what the owner's identity did while the token was out.
pub(super) fn system_log_hint(org: &str, f: &Finding) -> String {
    let exposure = f.exposure();
    let owner = exposure.and_then(|e| e.owner.as_ref());
    let since = exposure
        .and_then(|e| e.token.as_ref())
        .and_then(|m| m.created.clone());
    let filter = match owner {
        Some(o) => format!("actor.id eq \"{}\"", sanitize(&o.id)),
        None => "actor.type eq \"User\"".to_string(),
    };
    let window = since.map_or_else(
        || "the last 90 days (the System Log's retention)".to_string(),
        |s| format!("since the token was created ({})", sanitize(&s)),
    );
    format!(
        "Next: review what the token's owner did, {window}: Admin Console → Reports → System Log, filter {filter} (API: GET {org}/api/v1/logs?filter={}), then replace the token with an OAuth 2.0 service app (client credentials, private_key_jwt).",
        filter.replace(' ', "+").replace('"', "%22")
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Standard output, line by line as it is written (the plan shows before the question); a
/// closed pipe ends nothing but the output.
struct Out;

impl std::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(s.as_bytes());
        let _ = stdout.flush();
        Ok(())
    }
}
