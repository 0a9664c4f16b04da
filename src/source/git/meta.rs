//! Commit metadata for provenance, and RFC 3339 dates without a date library.

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
            }
        }
        Err(_) => Provenance {
            commit: commit.to_string(),
            author: String::new(),
            date: String::new(),
            summary: String::new(),
            at_head: false,
        },
    }
}

/// `2024-03-05T14:07:09+01:00` for a UNIX time and a UTC offset in minutes.
pub fn rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
