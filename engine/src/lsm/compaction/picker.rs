//! Chooses the next compaction of a shard: the level furthest over its target.

use super::CompactionTask;
use crate::limits::LEVEL_COUNT;
use crate::lsm::config::Config;
use crate::lsm::version::{TableFile, Version};
use std::sync::Arc;

/// How far each level is over its target (>= 1.0 means it needs compacting). The last
/// level has no target.
pub fn scores(version: &Version, config: &Config) -> Vec<f64> {
    let mut out = vec![0.0; LEVEL_COUNT];
    out[0] = version.levels[0].len() as f64 / config.l0_compaction_trigger as f64;
    for (level, score) in out.iter_mut().enumerate().take(LEVEL_COUNT - 1).skip(1) {
        *score = version.level_bytes(level) as f64 / config.level_target_bytes(level) as f64;
    }
    out
}

/// The most urgent compaction of `version`, if any level is over its target.
/// `cursor[level]` is the largest user key compacted from that level last time; files are
/// taken round robin after it.
pub fn pick(
    shard: usize,
    version: &Version,
    config: &Config,
    cursor: &mut [Vec<u8>],
) -> Option<CompactionTask> {
    let scores = scores(version, config);
    let (level, score) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(l, s)| (l, *s))?;
    if score < 1.0 {
        return None;
    }
    let inputs = if level == 0 {
        version.levels[0].clone()
    } else {
        let files = &version.levels[level];
        let after = cursor.get(level).map(Vec::as_slice).unwrap_or(&[]);
        let next = files
            .iter()
            .find(|f| f.smallest_user_key() > after)
            .or_else(|| files.first())?;
        if let Some(c) = cursor.get_mut(level) {
            *c = next.largest_user_key().to_vec();
        }
        vec![Arc::clone(next)]
    };
    Some(task(shard, version, level, inputs))
}

/// A compaction of every file of `level` into the next level (manual compaction).
pub fn pick_level(shard: usize, version: &Version, level: usize) -> Option<CompactionTask> {
    if level + 1 >= LEVEL_COUNT || version.levels[level].is_empty() {
        return None;
    }
    Some(task(shard, version, level, version.levels[level].clone()))
}

fn task(
    shard: usize,
    version: &Version,
    level: usize,
    picked: Vec<Arc<TableFile>>,
) -> CompactionTask {
    let (smallest, largest) = key_span(picked.iter());
    let output_level = level + 1;
    let overlaps = version.overlapping(output_level, &smallest, &largest);
    let inputs: Vec<(usize, Arc<TableFile>)> = picked
        .into_iter()
        .map(|f| (level, f))
        .chain(overlaps.into_iter().map(|f| (output_level, f)))
        .collect();
    // The overlapping files may reach beyond the picked ones: judge "bottommost" on the key
    // span of everything merged, or a tombstone could be dropped above an older value.
    let (smallest, largest) = key_span(inputs.iter().map(|(_, f)| f));
    let bottommost = (output_level + 1..LEVEL_COUNT)
        .all(|l| version.overlapping(l, &smallest, &largest).is_empty());
    CompactionTask {
        shard,
        level,
        output_level,
        inputs,
        bottommost,
    }
}

/// Smallest and largest user key over `files`.
fn key_span<'a>(files: impl Iterator<Item = &'a Arc<TableFile>> + Clone) -> (Vec<u8>, Vec<u8>) {
    let smallest = files
        .clone()
        .map(|f| f.smallest_user_key())
        .min()
        .unwrap_or(&[]);
    let largest = files.map(|f| f.largest_user_key()).max().unwrap_or(&[]);
    (smallest.to_vec(), largest.to_vec())
}

/// A compaction of every file of a shard into the last level (full manual compaction).
/// A shard already wholly in the last level needs none, unless `rewrite_last_level`: a
/// compaction filter only sees the entries a compaction rewrites, so with one installed
/// the last level is rewritten too (a deleted table's items may all sit there).
pub fn pick_all(
    shard: usize,
    version: &Version,
    rewrite_last_level: bool,
) -> Option<CompactionTask> {
    let last = LEVEL_COUNT - 1;
    let inputs: Vec<(usize, Arc<TableFile>)> = version
        .levels
        .iter()
        .enumerate()
        .flat_map(|(l, files)| files.iter().map(move |f| (l, Arc::clone(f))))
        .collect();
    if inputs.is_empty() || (!rewrite_last_level && inputs.iter().all(|(l, _)| *l == last)) {
        return None;
    }
    Some(CompactionTask {
        shard,
        level: 0,
        output_level: last,
        inputs,
        bottommost: true,
    })
}
