//! Annotated tags: what refs reach through them, and their messages. A tag message is free
//! text like a commit message (release notes pasted from a terminal), so it is scanned like
//! one, once per tag object.

use std::collections::HashSet;

use git2::{Commit, Object, Oid, Repository};

use super::messages::{TAG_MESSAGE_PATH, scan_message};
use super::meta::tag_provenance;
use crate::outcome::Outcome;
use crate::source::Scanner;

/// The annotated tags met while peeling, each once, in the order met.
#[derive(Default)]
pub struct Tags {
    seen: HashSet<Oid>,
    pub found: Vec<Oid>,
}

/// The object `id` names once annotated tags are followed (a tag of a tag, of a commit,
/// tree or blob), recording each tag met for the first time. `None` when the chain joins a
/// tag met before: its end was found then. A chain that comes back to one of its own tags
/// (only a corrupt object store holds one) is an error: libgit2's own peeling loops forever.
pub fn peel<'r>(
    repo: &'r Repository,
    id: Oid,
    tags: &mut Tags,
) -> Result<Option<Object<'r>>, git2::Error> {
    let start = tags.found.len();
    let mut object = repo.find_object(id, None)?;
    while let Some(tag) = object.as_tag() {
        let id = tag.id();
        if !tags.seen.insert(id) {
            if tags.found[start..].contains(&id) {
                return Err(git2::Error::from_str(&format!(
                    "tag {id} leads back to itself"
                )));
            }
            return Ok(None);
        }
        tags.found.push(id);
        let target = tag.target_id();
        object = repo.find_object(target, None)?;
    }
    Ok(Some(object))
}

/// HEAD's commit, whether HEAD names it through a branch, a tag or directly. gix's and
/// libgit2's own peeling would loop forever on HEAD at a tag that leads back to itself.
pub fn head_commit(repo: &Repository) -> Option<Commit<'_>> {
    let target = repo.head().ok()?.target()?;
    peel(repo, target, &mut Tags::default())
        .ok()??
        .into_commit()
        .ok()
}

/// Scans the message of every tag in `tags`: a secret in one is reported at path
/// `<tag message>`, with the tag as provenance.
pub fn scan_messages(repo: &Repository, scanner: &dyn Scanner, tags: &[Oid], out: &mut Outcome) {
    for &id in tags {
        // Read once already, while peeling.
        let Ok(tag) = repo.find_tag(id) else {
            continue;
        };
        scan_message(
            scanner,
            TAG_MESSAGE_PATH,
            &format_args!("tag {id}"),
            tag.message_bytes().unwrap_or_default(),
            || tag_provenance(&tag),
            out,
        );
    }
}
