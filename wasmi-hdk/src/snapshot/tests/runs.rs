//! Turning a memory image into data segments.
#![expect(
    clippy::single_range_in_vec_init,
    reason = "the expected values are lists of runs, some of one run"
)]

use crate::snapshot::segments::nonzero_runs;

/// Bytes with non-zero values at `spans`, in a `len`-byte zero image.
fn image(len: usize, spans: &[(usize, usize)]) -> Vec<u8> {
    let mut bytes = vec![0; len];
    for &(start, end) in spans {
        bytes[start..end].fill(0xab);
    }
    bytes
}

#[test]
fn all_zero_memory_has_no_runs() {
    assert!(nonzero_runs(&[0; 1000], 8, 10).is_empty());
    assert!(nonzero_runs(&[], 8, 10).is_empty());
}

#[test]
fn runs_are_exact_at_every_alignment() {
    for start in 0..20 {
        for len in 1..20 {
            let bytes = image(64, &[(start, start + len)]);
            assert_eq!(
                nonzero_runs(&bytes, 0, 10),
                [start..start + len],
                "{start} {len}"
            );
        }
    }
    let bytes = image(100, &[(90, 100)]);
    assert_eq!(nonzero_runs(&bytes, 0, 10), [90..100]);
}

#[test]
fn close_runs_are_merged_and_distant_ones_are_not() {
    let bytes = image(200, &[(0, 4), (12, 16), (25, 30), (100, 101)]);
    // Gaps: 8, 9, 70.
    assert_eq!(nonzero_runs(&bytes, 8, 10), [0..16, 25..30, 100..101]);
    assert_eq!(nonzero_runs(&bytes, 9, 10), [0..30, 100..101]);
    assert_eq!(
        nonzero_runs(&bytes, 0, 10),
        [0..4, 12..16, 25..30, 100..101]
    );
}

#[test]
fn the_smallest_gaps_are_merged_to_stay_under_the_cap() {
    let bytes = image(200, &[(0, 1), (20, 21), (25, 26), (60, 61), (65, 66)]);
    // Gaps: 19, 4, 34, 4: the two gaps of 4 go first, leftmost first.
    assert_eq!(nonzero_runs(&bytes, 0, 4), [0..1, 20..26, 60..61, 65..66]);
    assert_eq!(nonzero_runs(&bytes, 0, 3), [0..1, 20..26, 60..66]);
    assert_eq!(nonzero_runs(&bytes, 0, 2), [0..26, 60..66]);
    assert_eq!(nonzero_runs(&bytes, 0, 1), [0..66]);
    assert_eq!(nonzero_runs(&bytes, 0, 0), [0..66]);
}

#[test]
fn runs_cover_every_non_zero_byte() {
    // A pseudo-random sparse image: every non-zero byte must be inside a
    // run, and runs must not overlap.
    let mut state = 0x2545_f491_u32;
    let mut bytes = vec![0u8; 1 << 16];
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let index = state as usize % bytes.len();
        bytes[index] = (state >> 24) as u8 | 1;
    }
    for (gap, max) in [(0, 10_000), (8, 10_000), (8, 50), (100, 3)] {
        let runs = nonzero_runs(&bytes, gap, max);
        assert!(runs.len() <= max);
        assert!(runs.windows(2).all(|pair| pair[0].end < pair[1].start));
        let covered: usize = runs
            .iter()
            .map(|run| bytes[run.clone()].iter().filter(|&&b| b != 0).count())
            .sum();
        assert_eq!(covered, bytes.iter().filter(|&&b| b != 0).count());
        assert!(
            runs.iter()
                .all(|run| bytes[run.start] != 0 && bytes[run.end - 1] != 0)
        );
    }
}
