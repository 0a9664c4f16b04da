//! Commit metadata for provenance.

use crate::finding::Provenance;

/// Author, date and summary of `commit` (at_head is filled in by the caller).
pub fn commit_provenance(repo: &git2::Repository, commit: git2::Oid) -> Provenance {
    match repo.find_commit(commit) {
        Ok(c) => {
            let author = c.author();
            let when = author.when();
            Provenance {
                commit: commit.to_string(),
                author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                date: rfc3339(when.seconds(), when.offset_minutes()),
                summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default())
                    .into_owned(),
                at_head: false,
                reintroduced_in: Vec::new(),
            }
        }
        Err(_) => Provenance {
            commit: commit.to_string(),
            author: String::new(),
            date: String::new(),
            summary: String::new(),
            at_head: false,
            reintroduced_in: Vec::new(),
        },
    }
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
