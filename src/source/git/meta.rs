//! Commit and tag metadata for provenance.

use crate::finding::Provenance;

/// Author, date and summary of `commit` (at_head is filled in by the caller).
pub fn commit_provenance(repo: &git2::Repository, commit: git2::Oid) -> Provenance {
    let Ok(c) = repo.find_commit(commit) else {
        return Provenance {
            commit: commit.to_string(),
            ..Provenance::default()
        };
    };
    let (author, date) = signed(&c.author());
    Provenance {
        commit: commit.to_string(),
        author,
        date,
        summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
        ..Provenance::default()
    }
}

/// For a secret in an annotated tag's message. The report model names commits; the tag
/// object stands in for one (`git show ID` shows the tag, its message and what it tags),
/// the tagger for the author, and the summary names the tag: `tag v1.2: first line`.
pub fn tag_provenance(tag: &git2::Tag<'_>) -> Provenance {
    let (author, date) = tag.tagger().map(|t| signed(&t)).unwrap_or_default();
    let name = String::from_utf8_lossy(tag.name_bytes());
    let message = String::from_utf8_lossy(tag.message_bytes().unwrap_or_default());
    let summary = match message.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(first) => format!("tag {name}: {first}"),
        None => format!("tag {name}"),
    };
    Provenance {
        commit: tag.id().to_string(),
        author,
        date,
        summary,
        ..Provenance::default()
    }
}

/// A signature's name and RFC 3339 time.
fn signed(who: &git2::Signature<'_>) -> (String, String) {
    let when = who.when();
    (
        String::from_utf8_lossy(who.name_bytes()).into_owned(),
        rfc3339(when.seconds(), when.offset_minutes()),
    )
}

/// `2024-03-05T14:07:09+01:00` for a UNIX time and a UTC offset in minutes (empty if
/// either is out of range).
pub fn rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let zoned =
        jiff::tz::Offset::from_seconds(offset_minutes.saturating_mul(60)).and_then(|offset| {
            Ok(jiff::Timestamp::from_second(seconds)?.to_zoned(offset.to_time_zone()))
        });
    zoned.map_or_else(
        |_| String::new(),
        |z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(1_709_647_629, 60), "2024-03-05T15:07:09+01:00");
        assert_eq!(rfc3339(1_709_647_629, -330), "2024-03-05T08:37:09-05:30");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00+00:00");
    }
}
