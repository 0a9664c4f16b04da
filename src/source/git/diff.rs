//! Added lines of a change (git2): what the staged and range scans report on.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use git2::{Diff, DiffFindOptions, DiffOptions, Oid};

/// A file on the new side of a diff and the line numbers (1-based, new side) it adds.
pub struct ChangedFile {
    pub path: String,
    pub blob: Oid,
    pub added: BTreeSet<usize>,
}

/// New-side line numbers of the lines `new` adds relative to `old`.
pub fn added_lines(old: &[u8], new: &[u8]) -> BTreeSet<usize> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).force_text(true);
    let mut added = BTreeSet::new();
    let Ok(patch) = git2::Patch::from_buffers(old, None, new, None, Some(&mut opts)) else {
        // Cannot diff: treat every line as added rather than miss a secret.
        return (1..=new.split(|&b| b == b'\n').count()).collect();
    };
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h).unwrap_or(0) {
            if let Ok(line) = patch.line_in_hunk(h, l)
                && line.origin() == '+'
                && let Some(n) = line.new_lineno()
            {
                added.insert(n as usize);
            }
        }
    }
    added
}

/// Every file is diffed as text: the scanner decides what looks binary (and still scans
/// it strictly), and a `.gitattributes` in the scanned tree cannot mark files `binary` to
/// hide their added lines.
pub fn options(max_size: u64) -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0)
        .force_text(true)
        .ignore_submodules(true)
        .include_typechange(true)
        .max_size(i64::try_from(max_size).unwrap_or(i64::MAX));
    o
}

/// Files with added lines in `diff`, after rename detection (a pure rename adds nothing).
pub fn changed_files(diff: &mut Diff<'_>) -> Result<Vec<ChangedFile>, git2::Error> {
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    // Both callbacks need the map; foreach borrows them at once.
    let files: RefCell<BTreeMap<String, ChangedFile>> = RefCell::new(BTreeMap::new());
    let key = |d: &git2::DiffDelta<'_>| {
        d.new_file()
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    diff.foreach(
        &mut |delta, _| {
            if let Some(path) = key(&delta)
                && !delta.new_file().id().is_zero()
                && delta.new_file().mode() != git2::FileMode::Commit
                && delta.new_file().mode() != git2::FileMode::Link
            {
                files
                    .borrow_mut()
                    .entry(path.clone())
                    .or_insert(ChangedFile {
                        path,
                        blob: delta.new_file().id(),
                        added: BTreeSet::new(),
                    });
            }
            true
        },
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+'
                && let (Some(path), Some(n)) = (key(&delta), line.new_lineno())
                && let Some(f) = files.borrow_mut().get_mut(&path)
            {
                f.added.insert(n as usize);
            }
            true
        }),
    )?;
    Ok(files.into_inner().into_values().collect())
}
