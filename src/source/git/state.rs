//! `history --state FILE`: what a full-history scan covered, so that the next one reads only
//! what is new. Kept: the commits walked and the blobs scanned (they are not walked or
//! scanned again), the blobs that had findings (scanned again each run: a handful, and
//! their raw secrets are needed for `--verify`, while the file holds no secret), the
//! commits that introduced each of them (an introduction depends only on a commit and its
//! parents, so old ones stay true), the commits whose messages had findings, and the ref
//! tips (to tell whether any history vanished since).
//!
//! Binary, versioned, checksummed: `TWSTATE\0`, the format version, a JSON header (the
//! tokenwarden version and the rule set's digest), the sections, then the SHA-256 of all
//! that. Anything that does not check out is refused with the reason, and the caller falls
//! back to a full scan.

use std::io;
use std::path::Path;

use gix::ObjectId;
use sha2::{Digest as _, Sha256};

const MAGIC: &[u8; 8] = b"TWSTATE\0";
const FORMAT: u32 = 1;

#[derive(Default, Debug, PartialEq, Eq)]
pub struct State {
    /// The tokenwarden version that wrote it.
    pub tool: String,
    /// `RuleSet::digest` of the rules it was scanned with.
    pub rules: String,
    /// The commits every ref pointed at.
    pub tips: Vec<ObjectId>,
    /// Every commit walked.
    pub commits: Vec<ObjectId>,
    /// Every blob scanned.
    pub blobs: Vec<ObjectId>,
    /// Blobs that had findings, each with the path it was scanned at.
    pub targets: Vec<(ObjectId, String)>,
    /// (blob, path, commit): the commit introduced the blob at the path.
    pub introductions: Vec<(ObjectId, String, ObjectId)>,
    /// Commits whose messages had findings.
    pub messages: Vec<ObjectId>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    tool: String,
    rules: String,
}

impl State {
    /// The state at `path`, or why it cannot be used.
    pub fn read(path: &Path) -> Result<State, String> {
        let data = std::fs::read(path).map_err(|e| format!("cannot read it ({e})"))?;
        if data.len() < MAGIC.len() + 4 + 32 || &data[..MAGIC.len()] != MAGIC {
            return Err("not a tokenwarden state file".into());
        }
        let (body, sum) = data.split_at(data.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err("its checksum does not match (truncated or corrupt)".into());
        }
        let mut r = Reader {
            data: &body[MAGIC.len()..],
        };
        let format = r.u32()?;
        if format != FORMAT {
            return Err(format!("format {format}, this tokenwarden reads {FORMAT}"));
        }
        let header: Header = serde_json::from_slice(r.bytes()?).map_err(|_| "bad header")?;
        let mut state = State {
            tool: header.tool,
            rules: header.rules,
            ..State::default()
        };
        state.tips = r.ids()?;
        state.commits = r.ids()?;
        state.blobs = r.ids()?;
        state.messages = r.ids()?;
        for _ in 0..r.count()? {
            state.targets.push((r.id()?, r.text()?));
        }
        for _ in 0..r.count()? {
            state.introductions.push((r.id()?, r.text()?, r.id()?));
        }
        if !r.data.is_empty() {
            return Err("trailing data".into());
        }
        Ok(state)
    }

    /// Writes the state to `path` atomically: a reader sees the old file or the new one.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut body = Vec::new();
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&FORMAT.to_le_bytes());
        let header = serde_json::to_vec(&Header {
            tool: self.tool.clone(),
            rules: self.rules.clone(),
        })?;
        put_bytes(&mut body, &header);
        for ids in [&self.tips, &self.commits, &self.blobs, &self.messages] {
            put_count(&mut body, ids.len());
            for id in ids {
                body.extend_from_slice(id.as_bytes());
            }
        }
        put_count(&mut body, self.targets.len());
        for (id, path) in &self.targets {
            body.extend_from_slice(id.as_bytes());
            put_bytes(&mut body, path.as_bytes());
        }
        put_count(&mut body, self.introductions.len());
        for (blob, path, commit) in &self.introductions {
            body.extend_from_slice(blob.as_bytes());
            put_bytes(&mut body, path.as_bytes());
            body.extend_from_slice(commit.as_bytes());
        }
        let sum = Sha256::digest(&body);
        crate::atomic::write_file(path, |w| {
            w.write_all(&body)?;
            w.write_all(&sum)
        })
    }
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.data.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// A count, no larger than what the rest of the file could hold (a corrupt count must
    /// not reserve memory).
    fn count(&mut self) -> Result<usize, String> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        if n > self.data.len() as u64 / 20 {
            return Err("a count larger than the file".into());
        }
        Ok(n as usize)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn text(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| "a path that is not UTF-8".into())
    }

    fn id(&mut self) -> Result<ObjectId, String> {
        ObjectId::try_from(self.take(20)?).map_err(|_| "a bad object id".into())
    }

    fn ids(&mut self) -> Result<Vec<ObjectId>, String> {
        let n = self.count()?;
        (0..n).map(|_| self.id()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reads_back_and_damage_is_refused() {
        let id = |b: u8| ObjectId::from_bytes_or_panic(&[b; 20]);
        let state = State {
            tool: "1.0".into(),
            rules: "abc".into(),
            tips: vec![id(1)],
            commits: vec![id(1), id(2)],
            blobs: vec![id(3)],
            targets: vec![(id(3), "a/b.env".into())],
            introductions: vec![(id(3), "a/b.env".into(), id(2))],
            messages: vec![id(2)],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        state.write(&path).unwrap();
        assert_eq!(State::read(&path).unwrap(), state);
        let data = std::fs::read(&path).unwrap();
        std::fs::write(&path, &data[..data.len() - 10]).unwrap();
        assert!(State::read(&path).unwrap_err().contains("checksum"));
        let mut flipped = data.clone();
        flipped[40] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(State::read(&path).is_err());
        std::fs::write(&path, b"{\"findings\": []}").unwrap();
        assert_eq!(
            State::read(&path).unwrap_err(),
            "not a tokenwarden state file"
        );
    }
}
