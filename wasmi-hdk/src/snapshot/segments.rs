//! Turn a memory image into few data segments: runs of non-zero bytes.

use core::ops::Range;

/// The runs of non-zero bytes in `bytes`, ascending; runs separated by at
/// most `merge_gap` zero bytes are merged (a segment costs a few bytes of
/// header, and wasmi a little work per segment at instantiation). At most
/// `max` runs are returned (at least 1): beyond that, the runs with the
/// smallest gaps between them are merged, the leftmost first among equal
/// gaps.
pub(super) fn nonzero_runs(bytes: &[u8], merge_gap: usize, max: usize) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut pos = 0;
    while let Some(start) = next_nonzero(bytes, pos) {
        let end = bytes[start..]
            .iter()
            .position(|&byte| byte == 0)
            .map_or(bytes.len(), |zero| start + zero);
        match runs.last_mut() {
            Some(last) if start - last.end <= merge_gap => last.end = end,
            _ => runs.push(start..end),
        }
        pos = end;
    }
    cap(runs, max.max(1))
}

/// The index of the first non-zero byte at or after `from`, skipping zero
/// blocks of 64 bytes at a time (the OR of a block vectorises well).
fn next_nonzero(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    let rest = bytes.get(from..)?;
    let zero_blocks = rest
        .chunks_exact(BLOCK)
        .take_while(|block| block.iter().fold(0, |any, &byte| any | byte) == 0)
        .count();
    let skipped = zero_blocks * BLOCK;
    rest[skipped..]
        .iter()
        .position(|&byte| byte != 0)
        .map(|offset| from + skipped + offset)
}

/// Merges the runs separated by the smallest gaps until at most `max`
/// remain. Deterministic: equal gaps are merged leftmost first.
fn cap(runs: Vec<Range<usize>>, max: usize) -> Vec<Range<usize>> {
    let Some(excess) = runs.len().checked_sub(max).filter(|&excess| excess > 0) else {
        return runs;
    };
    let mut gaps: Vec<(usize, usize)> = runs
        .windows(2)
        .enumerate()
        .map(|(index, pair)| (pair[1].start - pair[0].end, index))
        .collect();
    gaps.sort_unstable();
    let mut merge_with_next = vec![false; runs.len()];
    for &(_, index) in &gaps[..excess] {
        merge_with_next[index] = true;
    }
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(max);
    let mut extend = false;
    for (run, &merge) in runs.into_iter().zip(&merge_with_next) {
        match merged.last_mut() {
            Some(last) if extend => last.end = run.end,
            _ => merged.push(run),
        }
        extend = merge;
    }
    merged
}
