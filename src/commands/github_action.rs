//! `tokenwarden github-action`: the logic of action.yml, in the binary rather than in
//! YAML shell, so it is tested like everything else.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use super::output::{self, Run};
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{FormatArg, GithubActionArgs};
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::report::github::{annotations, job_summary};
use crate::source::git::history::{self, HistoryOptions};
use crate::source::git::{SHALLOW_WARNING, open_git2, range};

const ZERO_SHA: &str = "0000000000000000000000000000000000000000";

/// What the event asks to scan.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Range {
        base: String,
        head: String,
    },
    Branch(String),
    Everything,
    /// A push that deleted a branch.
    Nothing,
}

impl Plan {
    fn describe(&self, event: &str) -> String {
        match self {
            Plan::Range { base, head } => format!(
                "`{event}`: lines added by the commits in `{}..{}`.",
                short(base),
                short(head)
            ),
            Plan::Branch(head) => format!(
                "`{event}`: the whole history of the pushed branch (`{}`).",
                short(head)
            ),
            Plan::Everything => format!("`{event}`: every blob reachable from any ref."),
            Plan::Nothing => format!("`{event}`: a deleted branch, nothing to scan."),
        }
    }
}

pub fn run(mut args: GithubActionArgs) -> Result<i32> {
    let started = Instant::now();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let event_name = env("GITHUB_EVENT_NAME").ok_or_else(|| {
        Error::new("GITHUB_EVENT_NAME is not set: `tokenwarden github-action` runs inside GitHub Actions (use `scan` or `history` elsewhere)")
    })?;
    let workspace = PathBuf::from(env("GITHUB_WORKSPACE").unwrap_or_else(|| ".".into()));
    let event = match env("GITHUB_EVENT_PATH") {
        Some(p) => read_event(Path::new(&p))?,
        None => Value::Null,
    };
    let mut plan = plan(&event_name, &event)?;
    if plan == Plan::Nothing {
        // A deleted branch: there are no commits to scan, and failing would block nothing.
        println!(
            "::notice title=tokenwarden::the `{event_name}` event deletes a branch (after is all zeros): nothing to scan"
        );
        if let Some(path) = env("GITHUB_OUTPUT") {
            append(Path::new(&path), "findings=0\n")?;
        }
        return Ok(EXIT_CLEAN);
    }

    let repo = open_git2(&workspace)?;
    let mut out = Outcome::default();
    ensure_history(&repo, &workspace, &plan, &mut out).or_else(|e| {
        force_pushed(&repo, &event_name, &plan, &mut out)
            .map(|p| plan = p)
            .ok_or(e)
    })?;

    let sarif_path = args.sarif_file.clone().unwrap_or_else(|| {
        PathBuf::from(env("RUNNER_TEMP").unwrap_or_else(|| ".".into())).join("tokenwarden.sarif")
    });
    args.common.format = FormatArg::Sarif;
    args.common.output = Some(sarif_path.clone());
    let common = &args.common;
    output::configure_threads(common);
    let run: Run = output::prepare(common, repo.workdir())?;
    match &plan {
        Plan::Range { base, head } => range::scan(
            &repo,
            &run.engine,
            &format!("{base}..{head}"),
            args.max_file_size,
            &mut out,
        )?,
        Plan::Branch(head) => history::scan(
            &workspace,
            &run.engine,
            &HistoryOptions {
                branch: Some(head),
                max_size: args.max_file_size,
            },
            &mut out,
        )?,
        Plan::Nothing => {}
        Plan::Everything => history::scan(
            &workspace,
            &run.engine,
            &HistoryOptions {
                branch: None,
                max_size: args.max_file_size,
            },
            &mut out,
        )?,
    }
    run.config.drop_allowed(&mut out);
    out.stats.elapsed = started.elapsed();
    output::settle(common, &run, &mut out);
    output::emit(common, &run.engine, &out)?;

    let rules = run.engine.matcher.rules();
    print!("{}", annotations(&out, rules));
    let count = out.reported().count();
    if let Some(path) = env("GITHUB_STEP_SUMMARY") {
        append(
            Path::new(&path),
            &job_summary(&out, rules, &plan.describe(&event_name)),
        )?;
    }
    if let Some(path) = env("GITHUB_OUTPUT") {
        append(
            Path::new(&path),
            &format!("findings={count}\nsarif-file={}\n", sarif_path.display()),
        )?;
    }
    Ok(if count == 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn read_event(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).map_err(|e| Error::io("read the event file", path, &e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::new(format!(
            "{}: not a GitHub event (JSON): {e}",
            path.display()
        ))
    })
}

fn plan(event_name: &str, event: &Value) -> Result<Plan> {
    let sha = |v: &Value, what: &str| -> Result<String> {
        v.as_str()
            .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_string)
            .ok_or_else(|| Error::new(format!("the {event_name} event has no {what}")))
    };
    Ok(match event_name {
        "pull_request" | "pull_request_target" => Plan::Range {
            base: sha(
                &event["pull_request"]["base"]["sha"],
                "pull_request.base.sha",
            )?,
            head: sha(
                &event["pull_request"]["head"]["sha"],
                "pull_request.head.sha",
            )?,
        },
        "push" => {
            let after = sha(&event["after"], "after")?;
            if after == ZERO_SHA {
                return Ok(Plan::Nothing);
            }
            match sha(&event["before"], "before").ok() {
                Some(before) if before != ZERO_SHA => Plan::Range {
                    base: before,
                    head: after,
                },
                _ => Plan::Branch(after),
            }
        }
        _ => Plan::Everything,
    })
}

/// Makes sure the commits the plan names (and the history between them) are present,
/// deepening a shallow checkout from `origin` if needed.
fn ensure_history(
    repo: &git2::Repository,
    workspace: &Path,
    plan: &Plan,
    out: &mut Outcome,
) -> Result<()> {
    let needed: Vec<&str> = match plan {
        Plan::Range { base, head } if base == head => return Ok(()),
        Plan::Nothing => return Ok(()),
        Plan::Range { base, head } => vec![base, head],
        Plan::Branch(head) => vec![head],
        Plan::Everything => vec![],
    };
    let missing = |repo: &git2::Repository| needed.iter().any(|sha| !has_commit(repo, sha));
    if !repo.is_shallow() && !missing(repo) {
        return Ok(());
    }
    let mut fetch = Command::new("git");
    fetch
        .arg("-C")
        .arg(workspace)
        .args(["fetch", "--no-tags", "--quiet"]);
    if repo.is_shallow() {
        fetch.arg("--unshallow");
    }
    fetch.arg("origin").args(&needed);
    let result = fetch.stdin(Stdio::null()).stdout(Stdio::null()).output();
    let fetched = matches!(&result, Ok(o) if o.status.success());
    let repo =
        git2::Repository::open(repo.path()).map_err(|e| Error::new(e.message().to_string()))?;
    if fetched && !missing(&repo) {
        return Ok(());
    }
    if !missing(&repo) {
        // Everything named is here, but older history is not: scan and say so.
        out.stats.warnings.push(SHALLOW_WARNING.into());
        return Ok(());
    }
    let why = match result {
        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
        Err(e) => e.to_string(),
    };
    Err(Error::new(format!(
        "the checkout lacks the commits to scan ({}) and fetching them from origin failed ({why}); \
         use `fetch-depth: 0` with actions/checkout",
        needed.join(", ")
    )))
}

/// A force-push's `before` commit is no longer in the repository (nor on origin): there is
/// no range to diff, so the pushed branch's whole history is scanned instead, with a
/// warning, rather than failing the check or scanning nothing.
fn force_pushed(
    repo: &git2::Repository,
    event_name: &str,
    plan: &Plan,
    out: &mut Outcome,
) -> Option<Plan> {
    let Plan::Range { base, head } = plan else {
        return None;
    };
    // In a shallow checkout a missing `before` is missing depth, not a force-push: the
    // error from ensure_history (use `fetch-depth: 0`) stands.
    if event_name != "push"
        || repo.is_shallow()
        || has_commit(repo, base)
        || !has_commit(repo, head)
    {
        return None;
    }
    out.stats.warnings.push(format!(
        "the push's `before` commit {} is not in the repository (a force-push?): \
         scanning the whole history of {} instead",
        short(base),
        short(head)
    ));
    Some(Plan::Branch(head.clone()))
}

fn has_commit(repo: &git2::Repository, sha: &str) -> bool {
    git2::Oid::from_str(sha)
        .and_then(|o| repo.find_commit(o))
        .is_ok()
}

/// The first 10 characters of a commit id, as messages show it.
fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

fn append(path: &Path, text: &str) -> Result<()> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io("write", path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plans() {
        let pr = json!({"pull_request": {"base": {"sha": "a".repeat(40)}, "head": {"sha": "b".repeat(40)}}});
        assert_eq!(
            plan("pull_request", &pr).unwrap(),
            Plan::Range {
                base: "a".repeat(40),
                head: "b".repeat(40)
            }
        );
        let push = json!({"before": "c".repeat(40), "after": "d".repeat(40)});
        assert_eq!(
            plan("push", &push).unwrap(),
            Plan::Range {
                base: "c".repeat(40),
                head: "d".repeat(40)
            }
        );
        let deleted = json!({"before": "c".repeat(40), "after": ZERO_SHA});
        assert_eq!(plan("push", &deleted).unwrap(), Plan::Nothing);
        let new_branch = json!({"before": ZERO_SHA, "after": "d".repeat(40)});
        assert_eq!(
            plan("push", &new_branch).unwrap(),
            Plan::Branch("d".repeat(40))
        );
        assert_eq!(plan("schedule", &Value::Null).unwrap(), Plan::Everything);
        assert!(plan("pull_request", &json!({})).is_err());
        let odd = json!({"pull_request": {"base": {"sha": "ééééééééé"}, "head": {"sha": "b".repeat(40)}}});
        assert!(plan("pull_request", &odd).is_err(), "not a commit id");
    }
}
