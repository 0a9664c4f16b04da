//! Keeping a whole-history scan's resident memory bounded.
//!
//! gix reads packs through memory maps, and every page of a pack it touches stays
//! resident until the map is dropped: a git/git history scan reads all 500 MB of its pack,
//! which then counts in the process's RSS (and toward an OOM killer's choice) although
//! the kernel could drop it at any time. `git cat-file --batch-all-objects` has the same
//! 500 MB resident at its end. The pages are a cache of the file; handing them back every
//! so often keeps what is resident to what was read since, and reading a page again is
//! a minor fault from the page cache. Linux only; elsewhere these do nothing.

#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often mapped pack pages are handed back.
const EVERY: Duration = Duration::from_millis(250);

/// Runs `work` while a thread hands back the pages of mapped pack files every
/// [`EVERY`].
pub fn with_bounded_packs<T>(work: impl FnOnce() -> T) -> T {
    if !cfg!(target_os = "linux") {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let trimmer = scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::thread::park_timeout(EVERY);
                release_mapped_packs();
            }
        });
        let result = work();
        // Woken, not waited for: the scan is done.
        done.store(true, Ordering::Relaxed);
        trimmer.thread().unpark();
        result
    })
}

/// Hands back the resident pages of every mapped `.pack` file (read-only maps of files:
/// gix's shared one and libgit2's private one; never written, so the next read maps the
/// same bytes again).
#[cfg(target_os = "linux")]
fn release_mapped_packs() {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    for line in maps.lines() {
        // "start-end perms offset dev inode path"
        let mut fields = line.split_ascii_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        // The path ends the line (and may hold spaces).
        if !perms.starts_with("r--") || !line.ends_with(".pack") {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        // SAFETY: the range is a whole read-only file mapping of this process, as the
        // kernel lists it. Nothing can have written to it, so MADV_DONTNEED only drops
        // page table entries and the next access reads the file's bytes again (packs are
        // never rewritten in place: git writes new ones). A map unmapped since the
        // listing makes the call fail harmlessly (ENOMEM).
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn release_mapped_packs() {}

/// Returns memory the allocator keeps after a phase that freed much of it (the history
/// traversal's caches and sets) to the system.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap memory to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::source::git::scratch::Scratch;

    /// Pack pages handed back are read again from the file: objects read after the
    /// release are the same.
    #[test]
    fn objects_read_the_same_after_pack_pages_are_handed_back() {
        let mut s = Scratch::new();
        let content = "x".repeat(100_000);
        let head = s.commit(Some("refs/heads/main"), &[], &[("big.txt", &content)]);
        // Packed in process: a `git gc` or `git repack` child, under a loaded test run,
        // once read stray text as revisions and failed. The loose copy of the blob goes, so
        // that it can only be read from the pack.
        let blob_id = s
            .repo
            .find_commit(head)
            .unwrap()
            .tree()
            .unwrap()
            .get_name("big.txt")
            .unwrap()
            .id();
        let mut pack = s.repo.packbuilder().unwrap();
        pack.insert_commit(head).unwrap();
        let objects = s.repo.path().join("objects");
        pack.write(&objects.join("pack"), 0o644).unwrap();
        let hex = blob_id.to_string();
        std::fs::remove_file(objects.join(&hex[..2]).join(&hex[2..])).unwrap();
        let repo = s.open();
        let id = gix::ObjectId::from_bytes_or_panic(blob_id.as_bytes());
        let read = || repo.gix.find_object(id).unwrap().data.clone();
        let before = read();
        // The object came from a mapped pack of this repository.
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let dir = s.dir.path().to_string_lossy().to_string();
        assert!(
            maps.lines()
                .any(|l| l.contains(&dir) && l.ends_with(".pack")),
            "{maps}"
        );
        let after = with_bounded_packs(|| {
            release_mapped_packs();
            read()
        });
        release_freed_memory();
        assert_eq!(before, after);
        assert_eq!(after, content.as_bytes());
    }
}
