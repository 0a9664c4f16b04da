//! The pipeline's side of a source: a blob in, findings out, through the engine.

use std::cell::RefCell;

use super::text::{self, Windows};
use crate::engine::{Engine, ScanPolicy};
use crate::outcome::SkipReason;
use crate::source::{Blob, Data, ScannedBlob, Scanner};

thread_local! {
    /// One window-sized read buffer per worker thread, reused across streams.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pub struct BlobScanner<'e> {
    engine: &'e Engine,
    /// The policy of the root whose blobs this scanner gets.
    policy: &'e ScanPolicy,
    max_size: u64,
    windows: Windows,
}

impl<'e> BlobScanner<'e> {
    pub fn new(
        engine: &'e Engine,
        policy: &'e ScanPolicy,
        max_size: u64,
        windows: Windows,
    ) -> Self {
        BlobScanner {
            engine,
            policy,
            max_size,
            windows,
        }
    }
}

impl Scanner for BlobScanner<'_> {
    fn scan(&self, blob: Blob<'_>) -> Result<ScannedBlob, SkipReason> {
        let mut scanned = match blob.data {
            Data::Bytes(bytes) => text::scan_bytes(self.engine, self.policy, blob.path, bytes)?,
            Data::Stream(input) => BUFFER.with(|buf| {
                let mut buf = buf.borrow_mut();
                let result = text::scan_stream(
                    self.engine,
                    self.policy,
                    blob.path,
                    input,
                    self.max_size,
                    &mut buf,
                    self.windows,
                );
                // A window-sized buffer is kept; anything bigger was a one-off.
                buf.shrink_to(self.windows.window + (128 << 10));
                result
            })?,
        };
        if let Some(keep) = blob.lines {
            // The whole blob was scanned, so contexts elsewhere in it (an org URL, an okta
            // section) count; only findings on the lines that matter are kept.
            scanned.findings.retain(|f| keep(f.line));
        }
        Ok(scanned)
    }
}
