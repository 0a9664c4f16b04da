//! `tokenwarden github-action`: the logic of action.yml, in the binary rather than in
//! YAML shell, so it is tested like everything else.

mod base;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::GithubActionArgs;
use crate::commands::history::scan_repository;
use crate::commands::revoke;
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::pipeline::{EXIT_CLEAN, Pipeline, ReportTarget, exit_code};
use crate::report::Format;
use crate::report::github::{
    annotations, job_summary, review_annotations, revocation_annotations, revocation_summary,
};
use crate::review;
use crate::source::git::{Selection, checkout, work_tree};

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
    /// The commits that must be in the checkout to scan this plan; `None` when the plan
    /// needs no history at all (an empty range, nothing).
    fn commits(&self) -> Option<Vec<&str>> {
        match self {
            Plan::Range { base, head } if base == head => None,
            Plan::Nothing => None,
            Plan::Range { base, head } => Some(vec![base, head]),
            Plan::Branch(head) => Some(vec![head]),
            Plan::Everything => Some(vec![]),
        }
    }

    fn selection(&self) -> Selection {
        match self {
            Plan::Range { base, head } => Selection::Range(format!("{base}..{head}")),
            Plan::Branch(head) => Selection::Branch(head.clone()),
            Plan::Everything | Plan::Nothing => Selection::All,
        }
    }

    fn describe(&self, event: &str) -> String {
        match self {
            Plan::Range { base, head } => format!(
                "`{event}`: lines added by the commits in `{}..{}`.",
                short(base),
                short(head)
            ),
            Plan::Branch(head) => format!(
                "`{event}`: the whole history of the pushed ref (`{}`).",
                short(head)
            ),
            Plan::Everything => format!("`{event}`: every blob reachable from any ref."),
            Plan::Nothing => format!("`{event}`: a deleted branch, nothing to scan."),
        }
    }
}

pub fn run(args: GithubActionArgs) -> Result<i32> {
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

    let mut out = Outcome::default();
    let ensured = match plan.commits() {
        Some(needed) => checkout::ensure_commits(&workspace, &needed, &mut out),
        None => Ok(()),
    };
    if let Err(e) = ensured {
        plan = match &plan {
            Plan::Range { base, head }
                if event_name == "push" && checkout::force_pushed(&workspace, base, head) =>
            {
                out.stats.warnings.push(format!(
                    "the push's `before` commit {} is not in the repository (a force-push?): \
                     scanning the whole history of {} instead",
                    short(base),
                    short(head)
                ));
                Plan::Branch(head.clone())
            }
            _ => return Err(e),
        };
    }

    let sarif_path = args.sarif_file.clone().unwrap_or_else(|| {
        PathBuf::from(env("RUNNER_TEMP").unwrap_or_else(|| ".".into())).join("tokenwarden.sarif")
    });
    let mut args = args;
    args.settings.verify |= args.revoke_live;
    let settings = args.settings.resolve();
    let root = work_tree(&workspace)?;
    let base = match &plan {
        Plan::Range { base, .. } => Some(base.as_str()),
        _ => None,
    };
    // A config named with --config is trusted, unless it is part of what is scanned: then
    // what it trusts (its rules, its [verify] orgs) comes from a revision the repository
    // agreed on: a range's base, else the default branch's tip. A whole branch or history
    // (a new branch pushed, a dispatched run on any branch, a merge queue) is as much the
    // change's own as a range is; with no such revision here, it trusts nothing.
    let in_tree_config = root
        .as_deref()
        .zip(settings.config.as_deref())
        .and_then(|(root, config)| Some((root, base::in_tree(root, config)?)));
    let base_trust = match in_tree_config {
        Some((root, rel)) => {
            let agreed = match (base, event_name.as_str()) {
                (Some(base), _) => Some(base.to_string()),
                // GitHub runs scheduled workflows on the default branch's latest commit.
                (None, "schedule") => Some("HEAD".to_string()),
                (None, _) => event["repository"]["default_branch"]
                    .as_str()
                    .and_then(|branch| checkout::branch_tip(&workspace, branch)),
            };
            Some(match agreed {
                Some(rev) => base::trust(&workspace, root, &rev, &rel, &mut out)?,
                None => {
                    out.stats.warnings.push(format!(
                        "{rel} is part of what this run scans and the default branch is not in \
                         the checkout to take its trust from: its rules run as the scanned \
                         tree's own and its [verify] orgs are not used"
                    ));
                    Default::default()
                }
            })
        }
        None => None,
    };
    let pipeline = Pipeline::with_base(&settings, root.as_deref().as_slice(), base_trust)?;
    let scanned = match (&args.state, &plan) {
        (Some(state), Plan::Everything) => {
            crate::commands::history::scan_incremental(&pipeline, &workspace, state, true)?
        }
        _ => scan_repository(&pipeline, &workspace, &plan.selection(), true)?,
    };
    let mut out = out.merge(scanned);
    pipeline.settle(&mut out);
    let sarif = ReportTarget {
        format: Format::Sarif,
        output: Some(sarif_path.clone()),
        color: false,
        quiet: false,
    };
    pipeline.report(&sarif, &out)?;

    let added = match (base, root.as_deref()) {
        (Some(base), Some(root)) => {
            let head = base::suppressions_in_checkout(
                root,
                &pipeline.policy(0).config,
                settings.baseline.as_deref(),
            );
            let before = base::suppressions_at(&workspace, base, &head);
            let mut added = review::added(&out, &head, &before, true);
            for a in &mut added {
                // Entries quote what the change wrote, which may be the very secret.
                a.value = a.value.as_deref().map(|v| pipeline.scrub(v));
            }
            added
        }
        _ => Vec::new(),
    };
    print!("{}", annotations(&out));
    print!("{}", review_annotations(&added));
    let (notes, revoked) = if args.revoke_live {
        revoke_on(&event_name, &event, &pipeline, &out)
    } else {
        Default::default()
    };
    print!("{notes}");
    let count = out.reported().count();
    if let Some(path) = env("GITHUB_STEP_SUMMARY") {
        append(
            Path::new(&path),
            &format!(
                "{}{revoked}",
                job_summary(&out, &plan.describe(&event_name), &added)
            ),
        )?;
    }
    if let Some(path) = env("GITHUB_OUTPUT") {
        append(
            Path::new(&path),
            &format!("findings={count}\nsarif-file={}\n", sarif_path.display()),
        )?;
    }
    Ok(exit_code(&out))
}

/// `--revoke-live`: on a push to the default branch or a scheduled run, revokes the API
/// tokens verified live and returns the annotations and the job summary's section.
/// Elsewhere (a pull request, another branch) nothing is revoked and a notice says so: a
/// pull request's scan must not break whatever a token found in it still serves.
fn revoke_on(
    event_name: &str,
    event: &Value,
    pipeline: &Pipeline,
    out: &Outcome,
) -> (String, String) {
    let live: Vec<&crate::finding::Finding> = out.reported().filter(|f| f.is_live()).collect();
    if live.is_empty() {
        return Default::default();
    }
    let default_branch = event["repository"]["default_branch"].as_str();
    let pushed = std::env::var("GITHUB_REF").ok();
    let applies = match event_name {
        "schedule" => true,
        "push" => default_branch
            .zip(pushed.as_deref())
            .is_some_and(|(d, r)| r == format!("refs/heads/{d}")),
        _ => false,
    };
    if !applies {
        let notice = format!(
            "::notice title=tokenwarden::revoke-live: {} live token(s) not revoked: revocation runs on pushes to the default branch and scheduled runs, not on `{event_name}`\n",
            live.len()
        );
        return (notice, String::new());
    }
    let results = revoke::revoke_live(pipeline, &live);
    (
        revocation_annotations(&results),
        revocation_summary(&results),
    )
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
