//! The entries of a tree that an earlier tree at the same path does not hold unchanged.
//!
//! A history walk reads every version of every directory, and a commit changes few
//! entries of the trees it touches: git/git's 382,000 trees hold 135M entries, nearly all
//! of them the same as in the version before. Comparing with that version finds the few
//! changed ones without a lookup per entry, mostly without even parsing: entries wholly
//! inside the bytes both trees start with are the same entries (both parse alike from
//! the start), and once the remaining bytes of both, from an entry boundary of each, are
//! bytes both trees end with, the rest is the same too.

use std::cmp::Ordering;
use std::sync::Arc;

use gix::ObjectId;
use gix::objs::tree::EntryRef;
use gix::prelude::FindExt as _;

/// A tree's bytes, shared between the thread that read it and the traversal.
pub type TreeBytes = Arc<Vec<u8>>;

/// Reads tree `id`; `None` if it is missing or not a tree. `buf` is reused for the next.
pub fn read_tree_bytes(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Option<TreeBytes> {
    let (at, len) = match repo.objects.find(id, buf) {
        Ok(d) if d.kind == gix::object::Kind::Tree => (d.data.as_ptr() as usize, d.data.len()),
        _ => return None,
    };
    if at == buf.as_ptr() as usize {
        let mut bytes = std::mem::take(buf);
        bytes.truncate(len);
        Some(Arc::new(bytes))
    } else {
        // The object store handed out bytes from elsewhere: keep a copy.
        Some(Arc::new(repo.objects.find(id, buf).ok()?.data.to_vec()))
    }
}

/// Calls `changed` with each entry of tree bytes `data` that `previous` (a tree whose
/// every entry parsed) does not hold with the same name, mode and id, in order. Returns
/// `false` at the first entry that does not parse (the rest are not visited).
///
/// Both trees are in git's order; where one is not (a crafted tree), matches are only
/// missed, and a missed match visits an entry, it never skips one.
pub fn for_each_changed<'d>(
    data: &'d [u8],
    previous: Option<&[u8]>,
    hash: gix::hash::Kind,
    mut changed: impl FnMut(EntryRef<'d>),
) -> bool {
    let old = previous.unwrap_or_default();
    let (mut at, mut old_at, mut tail) = (0, 0, 0);
    if !old.is_empty() {
        at = whole_entries(data, common_prefix(data, old), hash.len_in_bytes());
        old_at = at;
        tail = common_suffix(&data[at..], &old[at..]);
    }
    while at < data.len() {
        if data.len() - at == old.len() - old_at && data.len() - at <= tail {
            return true;
        }
        let Some((entry, len)) = entry_at(data, at, hash) else {
            return false;
        };
        at += len;
        // The previous tree's entries that sort before this one are gone from it.
        let mut unchanged = false;
        while let Some((o, olen)) = entry_at(old, old_at, hash) {
            match git_order(&o, &entry) {
                Ordering::Less => old_at += olen,
                Ordering::Equal => {
                    unchanged = o.oid == entry.oid && o.mode == entry.mode;
                    old_at += olen;
                    break;
                }
                Ordering::Greater => break,
            }
        }
        if !unchanged {
            changed(entry);
        }
    }
    true
}

/// The entry of tree bytes `data` starting at `at`, and its length; `None` at the end or
/// where the bytes are not an entry. An entry is `<mode> <name>\0<id>`: neither mode nor
/// name holds a NUL, so the first one ends the name.
fn entry_at(data: &[u8], at: usize, hash: gix::hash::Kind) -> Option<(EntryRef<'_>, usize)> {
    let rest = data.get(at..)?;
    let len = memchr::memchr(0, rest)? + 1 + hash.len_in_bytes();
    let entry = gix::objs::TreeRefIter::from_bytes(rest.get(..len)?, hash)
        .next()?
        .ok()?;
    Some((entry, len))
}

/// The length of the whole entries at the start of tree bytes `data` that end within its
/// first `len` bytes.
fn whole_entries(data: &[u8], len: usize, hash_len: usize) -> usize {
    let mut at = 0;
    while let Some(nul) = memchr::memchr(0, &data[at..]) {
        let end = at + nul + 1 + hash_len;
        if end > len {
            break;
        }
        at = end;
    }
    at
}

/// How many leading bytes `a` and `b` share (16 at a time: git/git's history reads
/// 4.7 GB of trees).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 16 <= n && a[i..i + 16] == b[i..i + 16] {
        i += 16;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 16 <= n && a[n - i - 16..n - i] == b[n - i - 16..n - i] {
        i += 16;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// Git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn git_order(a: &EntryRef<'_>, b: &EntryRef<'_>) -> Ordering {
    let (x, y): (&[u8], &[u8]) = (a.filename, b.filename);
    let n = x.len().min(y.len());
    let end = |name: &[u8], e: &EntryRef<'_>| {
        name.get(n)
            .copied()
            .unwrap_or(if e.mode.is_tree() { b'/' } else { 0 })
    };
    x[..n].cmp(&y[..n]).then_with(|| end(x, a).cmp(&end(y, b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    /// (name, is a tree, id byte)
    type Spec = (String, bool, u8);

    /// Tree bytes for `entries`, in the order given.
    fn bytes(entries: &[Spec]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, tree, id) in entries {
            out.extend_from_slice(if *tree { b"40000 " } else { b"100644 " });
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[*id; 20]);
        }
        out
    }

    /// Entries in git's order, as a tree holds them.
    fn sorted(mut entries: Vec<Spec>) -> Vec<Spec> {
        entries.sort_by(|a, b| {
            let key = |(n, t, _): &Spec| {
                let mut k = n.clone().into_bytes();
                if *t {
                    k.push(b'/');
                }
                k
            };
            key(a).cmp(&key(b))
        });
        entries.dedup_by(|a, b| a.0 == b.0);
        entries
    }

    fn changed(data: &[u8], previous: Option<&[u8]>) -> (bool, Vec<Spec>) {
        let mut seen = Vec::new();
        let whole = for_each_changed(data, previous, SHA1, |e| {
            seen.push((
                e.filename.to_string(),
                e.mode.is_tree(),
                e.oid.as_bytes()[0],
            ));
        });
        (whole, seen)
    }

    fn entries() -> impl Strategy<Value = Vec<Spec>> {
        // Names that share prefixes ("a", "a.b", "a-") and a tree named like a file: where
        // git's order differs from plain byte order.
        let name = prop::sample::select(vec!["a", "a.b", "a-", "ab", "b", "b.c", "c", "zz"]);
        prop::collection::vec((name.prop_map(String::from), any::<bool>(), 0u8..4), 0..8)
    }

    proptest! {
        /// For trees in git's order, exactly the entries the previous tree lacks (same
        /// name, mode and id) are visited, in order.
        #[test]
        fn visits_exactly_the_entries_the_previous_tree_lacks(new in entries(), old in entries()) {
            let (new, old) = (sorted(new), sorted(old));
            let want: Vec<Spec> = new.iter().filter(|e| !old.contains(e)).cloned().collect();
            prop_assert_eq!(changed(&bytes(&new), Some(&bytes(&old))), (true, want));
        }

        /// Out of order (a crafted tree), an entry the previous tree lacks is still
        /// visited: matches may be missed, entries never are.
        #[test]
        fn never_skips_a_changed_entry_of_a_crafted_tree(new in entries(), old in entries()) {
            let (whole, seen) = changed(&bytes(&new), Some(&bytes(&old)));
            prop_assert!(whole);
            for e in new.iter().filter(|e| !old.contains(e)) {
                prop_assert!(seen.contains(e), "{:?} was skipped", e);
            }
        }
    }

    #[test]
    fn without_a_previous_tree_every_entry_is_visited() {
        let new = sorted(vec![("b".into(), false, 1), ("a".into(), true, 2)]);
        assert_eq!(changed(&bytes(&new), None), (true, new.clone()));
    }

    #[test]
    fn a_truncated_entry_stops_the_visit() {
        let mut data = bytes(&[("a".into(), false, 1), ("b".into(), false, 2)]);
        data.truncate(data.len() - 5);
        let (whole, seen) = changed(&data, None);
        assert!(!whole);
        assert_eq!(seen, [("a".to_string(), false, 1)]);
    }

    #[test]
    fn the_common_ends_are_found_at_any_length() {
        for n in 0..40 {
            let a: Vec<u8> = (0..n).map(|i| i as u8).collect();
            for k in 0..=n {
                let mut b = a.clone();
                if k < n {
                    b[k] ^= 0xff;
                }
                assert_eq!(common_prefix(&a, &b), k, "n={n} k={k}");
                let mut c = a.clone();
                if k < n {
                    c[n - 1 - k] ^= 0xff;
                }
                assert_eq!(common_suffix(&a, &c), k, "n={n} k={k}");
            }
        }
    }
}
