//! Encrypted files: round trips at chunk boundaries, streaming in arbitrary
//! slices, and rejection of truncation, reordering, appending and bit flips.

use chatseal::file::{self, FileOpener, FileSealer, CHUNK_BYTES, HEADER_BYTES};
use chatseal::keys::SecretKey;
use chatseal::{Error, ErrorCode, RandomSource};
use proptest::prelude::*;

struct TestRng(u64);

impl RandomSource for TestRng {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for byte in dest {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *byte = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

fn key() -> SecretKey {
    SecretKey::from_bytes([7; 32])
}

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251) as u8).collect()
}

fn seal(len: usize) -> (Vec<u8>, Vec<u8>) {
    let plain = content(len);
    let sealed = file::seal_file(
        &key(),
        "contract – final.pdf",
        "application/pdf",
        &plain,
        &mut TestRng(len as u64),
    )
    .unwrap();
    (plain, sealed)
}

fn open(sealed: &[u8]) -> Result<Vec<u8>, ErrorCode> {
    file::open_file(&[key()], sealed)
        .map(|(c, _)| c)
        .map_err(|e| e.code())
}

#[test]
fn round_trip_at_chunk_boundaries() {
    for len in [
        0,
        1,
        CHUNK_BYTES - 1,
        CHUNK_BYTES,
        CHUNK_BYTES + 1,
        3 * CHUNK_BYTES + 5,
    ] {
        let (plain, sealed) = seal(len);
        let (opened, info) = file::open_file(&[key()], &sealed).unwrap();
        assert_eq!(opened, plain, "len {len}");
        assert_eq!(info.name, "contract – final.pdf");
        assert_eq!(info.media_type, "application/pdf");
        // The last chunk is padded to a full chunk: size leaks only in chunks.
        assert_eq!(
            (sealed.len() - HEADER_BYTES - (CHUNK_BYTES + 4 + 16)) % (CHUNK_BYTES + 16),
            0,
            "len {len}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn streaming_in_any_slices_round_trips(
        len in 0usize..(3 * CHUNK_BYTES),
        slice in 1usize..(CHUNK_BYTES + 100),
        out_slice in 1usize..(CHUNK_BYTES * 2),
    ) {
        let plain = content(len);
        let mut sealer = FileSealer::new(&key(), "a.bin", "", &mut TestRng(1)).unwrap();
        let mut sealed = sealer.header().to_vec();
        for piece in plain.chunks(slice) {
            sealed.extend(sealer.push(piece).unwrap());
        }
        sealed.extend(sealer.finish().unwrap());
        let mut opener = FileOpener::new(vec![key()]);
        let mut opened = Vec::new();
        for piece in sealed.chunks(out_slice) {
            opened.extend(opener.push(piece).unwrap());
        }
        let (tail, info) = opener.finish().unwrap();
        opened.extend(tail);
        prop_assert_eq!(opened, plain);
        prop_assert_eq!(info.name, "a.bin");
    }
}

#[test]
fn truncation_anywhere_is_rejected() {
    let (_, sealed) = seal(2 * CHUNK_BYTES + 10);
    let chunk = CHUNK_BYTES + 16;
    let mut cuts: Vec<usize> = (0..HEADER_BYTES + 2).collect();
    for boundary in [HEADER_BYTES + chunk, HEADER_BYTES + 2 * chunk] {
        cuts.extend([boundary - 1, boundary, boundary + 1]);
    }
    let mut rng = TestRng(99);
    for _ in 0..60 {
        let mut b = [0u8; 4];
        rng.fill(&mut b).unwrap();
        cuts.push(u32::from_le_bytes(b) as usize % sealed.len());
    }
    cuts.push(sealed.len() - 1);
    for cut in cuts {
        let result = open(&sealed[..cut]);
        assert!(
            matches!(result, Err(ErrorCode::Altered | ErrorCode::NotChatSeal)),
            "cut at {cut}: {result:?}"
        );
    }
}

#[test]
fn reordered_chunks_and_appended_data_are_rejected() {
    let (_, sealed) = seal(3 * CHUNK_BYTES + 5);
    let chunk = CHUNK_BYTES + 16;
    let mut swapped = sealed.clone();
    let (a, b) = (HEADER_BYTES, HEADER_BYTES + chunk);
    let first: Vec<u8> = swapped[a..a + chunk].to_vec();
    let second: Vec<u8> = swapped[b..b + chunk].to_vec();
    swapped[a..a + chunk].copy_from_slice(&second);
    swapped[b..b + chunk].copy_from_slice(&first);
    assert_eq!(open(&swapped), Err(ErrorCode::Altered));
    let mut appended = sealed.clone();
    appended.extend_from_slice(&[0; 20]);
    assert_eq!(open(&appended), Err(ErrorCode::Altered));
    // Dropping a middle chunk.
    let mut dropped = sealed[..b].to_vec();
    dropped.extend_from_slice(&sealed[b + chunk..]);
    assert_eq!(open(&dropped), Err(ErrorCode::Altered));
}

#[test]
fn bit_flips_are_rejected_with_the_right_code() {
    let (_, sealed) = seal(CHUNK_BYTES + 100);
    let expect = |i: usize| match i {
        0..=8 => ErrorCode::NotChatSeal,
        9 => ErrorCode::UnsupportedVersion,
        10..=17 => ErrorCode::UnknownKey,
        _ => ErrorCode::Altered,
    };
    let mut positions: Vec<usize> = (0..HEADER_BYTES + 4).collect();
    positions.extend((HEADER_BYTES + 4..sealed.len()).step_by(4099));
    positions.push(sealed.len() - 1);
    for i in positions {
        let mut changed = sealed.clone();
        changed[i] ^= 0x20;
        assert_eq!(open(&changed), Err(expect(i)), "byte {i}");
    }
}

#[test]
fn wrong_key_is_unknown() {
    let (_, sealed) = seal(10);
    let other = SecretKey::from_bytes([8; 32]);
    assert_eq!(
        file::open_file(&[other], &sealed).unwrap_err().code(),
        ErrorCode::UnknownKey
    );
}

#[test]
fn an_opener_that_failed_releases_nothing_more() {
    let (_, sealed) = seal(3 * CHUNK_BYTES + 100);
    // Chunk 1 (the second) altered: chunk 0 opens, then the push fails.
    let mut changed = sealed.clone();
    changed[HEADER_BYTES + CHUNK_BYTES + 16 + 10] ^= 1;
    let mut opener = FileOpener::new(vec![key()]);
    let first = opener
        .push(&changed[..HEADER_BYTES + CHUNK_BYTES + 20])
        .unwrap();
    assert_eq!(
        first.len(),
        0,
        "chunk 0 waits until it is known not to be the last"
    );
    let failed = opener
        .push(&changed[HEADER_BYTES + CHUNK_BYTES + 20..HEADER_BYTES + 3 * (CHUNK_BYTES + 16)]);
    assert_eq!(failed.unwrap_err().code(), ErrorCode::Altered);
    // Whatever comes next, even the untouched rest, is refused.
    let rest = &sealed[HEADER_BYTES + 3 * (CHUNK_BYTES + 16)..];
    assert_eq!(opener.push(rest).unwrap_err().code(), ErrorCode::Altered);
    assert_eq!(opener.finish().unwrap_err().code(), ErrorCode::Altered);
}
