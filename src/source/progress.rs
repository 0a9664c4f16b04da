//! What a long-running source reports as it goes. Sources call these; the pipeline decides
//! whether anyone sees them (a terminal) and how.

/// Progress of a source, by phase.
pub trait Progress: Sync {
    /// A new phase: a name, and the amount of work when it is known (blobs).
    fn phase(&self, name: &str, total: Option<u64>);
    /// One unit of the phase's work done, `bytes` of it read.
    fn step(&self, bytes: u64);
    /// The source is done.
    fn finish(&self);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn step(&self, _: u64) {}
    fn finish(&self) {}
}
