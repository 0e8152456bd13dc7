//! Checksums that turn "looks like" into "is": Luhn (cards), ISO 7064
//! mod 97 (IBAN), Base58Check and Bech32/Bech32m (Bitcoin and friends),
//! EIP-55 (Ethereum, via Keccak-256), ABA routing numbers, Brazilian CPF and
//! CNPJ (PIX keys).

use sha2::{Digest, Sha256};

/// Luhn check over ASCII digits.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// IBAN check: ASCII alphanumerics, upper case, country first.
pub(crate) fn iban_mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    let rotated = iban[4..].iter().chain(iban[..4].iter());
    for &c in rotated {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => {
                let v = u32::from(c - b'A') + 10;
                rem = (rem * 100 + v) % 97;
            }
            _ => return false,
        }
    }
    rem == 1
}

const B58_BTC: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const B58_XRP: &[u8; 58] = b"rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

/// Decodes Base58 with the given alphabet (inputs up to 64 chars).
fn base58_decode(s: &[u8], alphabet: &[u8; 58]) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    for &c in s {
        let mut carry = alphabet.iter().position(|&a| a == c)? as u32;
        for b in out.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xFF) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.push((carry & 0xFF) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.iter().take_while(|&&c| c == alphabet[0]).count();
    out.extend(std::iter::repeat_n(0, zeros));
    out.reverse();
    Some(out)
}

/// Base58Check: decodes and verifies the 4-byte double-SHA-256 checksum;
/// returns the payload (version byte included).
pub(crate) fn base58check(s: &[u8], ripple: bool) -> Option<Vec<u8>> {
    let raw = base58_decode(s, if ripple { B58_XRP } else { B58_BTC })?;
    if raw.len() < 5 {
        return None;
    }
    let (payload, check) = raw.split_at(raw.len() - 4);
    let h = Sha256::digest(Sha256::digest(payload));
    if h[..4] == *check {
        Some(payload.to_vec())
    } else {
        None
    }
}

/// Length in bytes of a plain Base58 string (no checksum), for Solana keys.
pub(crate) fn base58_len(s: &[u8]) -> Option<usize> {
    base58_decode(s, B58_BTC).map(|v| v.len())
}

fn bech32_polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk: u32 = 1;
    for v in values {
        let b = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (b >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Bech32 / Bech32m check of a lower-case string `hrp1data`; returns the
/// human-readable part.
pub(crate) fn bech32(s: &str) -> Option<&str> {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let pos = s.rfind('1')?;
    let (hrp, data) = (&s[..pos], &s[pos + 1..]);
    if hrp.is_empty() || data.len() < 6 || !hrp.bytes().all(|b| (33..=126).contains(&b)) {
        return None;
    }
    let mut vals = Vec::with_capacity(data.len());
    for c in data.bytes() {
        vals.push(CHARSET.iter().position(|&x| x == c)? as u8);
    }
    let hb = hrp.bytes();
    let it = hb
        .clone()
        .map(|b| b >> 5)
        .chain(std::iter::once(0))
        .chain(hb.map(|b| b & 31))
        .chain(vals);
    let pm = bech32_polymod(it);
    if pm == 1 || pm == 0x2bc830a3 {
        Some(hrp)
    } else {
        None
    }
}

/// Keccak-256 (the pre-standard SHA-3 padding used by Ethereum).
pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
    const RC: [u64; 24] = [
        0x0000000000000001,
        0x0000000000008082,
        0x800000000000808a,
        0x8000000080008000,
        0x000000000000808b,
        0x0000000080000001,
        0x8000000080008081,
        0x8000000000008009,
        0x000000000000008a,
        0x0000000000000088,
        0x0000000080008009,
        0x000000008000000a,
        0x000000008000808b,
        0x800000000000008b,
        0x8000000000008089,
        0x8000000000008003,
        0x8000000000008002,
        0x8000000000000080,
        0x000000000000800a,
        0x800000008000000a,
        0x8000000080008081,
        0x8000000000008080,
        0x0000000080000001,
        0x8000000080008008,
    ];
    const ROT: [u32; 25] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56,
        14,
    ];
    fn keccak_f(a: &mut [u64; 25]) {
        for rc in RC {
            let mut c = [0u64; 5];
            for x in 0..5 {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }
            for x in 0..5 {
                let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
                for y in 0..5 {
                    a[x + 5 * y] ^= d;
                }
            }
            let mut b = [0u64; 25];
            for x in 0..5 {
                for y in 0..5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(ROT[x + 5 * y]);
                }
            }
            for x in 0..5 {
                for y in 0..5 {
                    a[x + 5 * y] =
                        b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
                }
            }
            a[0] ^= rc;
        }
    }
    const RATE: usize = 136;
    let mut st = [0u64; 25];
    let mut padded = data.to_vec();
    padded.push(0x01);
    while padded.len() % RATE != 0 {
        padded.push(0);
    }
    if let Some(last) = padded.last_mut() {
        *last |= 0x80;
    }
    for block in padded.chunks(RATE) {
        for (i, w) in block.chunks(8).enumerate() {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w);
            st[i] ^= u64::from_le_bytes(b);
        }
        keccak_f(&mut st);
    }
    let mut out = [0u8; 32];
    for (i, w) in st.iter().take(4).enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// EIP-55 mixed-case checksum of the 40 hex chars of an Ethereum address.
pub(crate) fn eip55(hex: &str) -> bool {
    let lower = hex.to_ascii_lowercase();
    let h = keccak256(lower.as_bytes());
    hex.bytes().enumerate().all(|(i, c)| {
        let nib = (h[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xF;
        match c {
            b'a'..=b'f' => nib < 8,
            b'A'..=b'F' => nib >= 8,
            _ => true,
        }
    })
}

/// ABA routing number checksum (9 digits).
pub(crate) fn aba(d: &[u8]) -> bool {
    if d.len() != 9 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let v: Vec<u32> = d.iter().map(|c| u32::from(c - b'0')).collect();
    let s = 3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + (v[2] + v[5] + v[8]);
    s % 10 == 0 && s != 0
}

/// Brazilian CPF (11 digits) check digits.
pub(crate) fn cpf(d: &[u8]) -> bool {
    if d.len() != 11 || d.iter().all(|&c| c == d[0]) {
        return false;
    }
    let v: Vec<u32> = d.iter().map(|c| u32::from(c - b'0')).collect();
    let dv = |n: usize| {
        let s: u32 = (0..n).map(|i| v[i] * (n as u32 + 1 - i as u32)).sum();
        let r = (s * 10) % 11;
        if r == 10 {
            0
        } else {
            r
        }
    };
    dv(9) == v[9] && dv(10) == v[10]
}

/// Brazilian CNPJ (14 digits) check digits.
pub(crate) fn cnpj(d: &[u8]) -> bool {
    if d.len() != 14 || d.iter().all(|&c| c == d[0]) {
        return false;
    }
    let v: Vec<u32> = d.iter().map(|c| u32::from(c - b'0')).collect();
    let w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let w2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let dv = |w: &[u32]| {
        let s: u32 = w.iter().enumerate().map(|(i, k)| v[i] * k).sum();
        let r = s % 11;
        if r < 2 {
            0
        } else {
            11 - r
        }
    };
    dv(&w1) == v[12] && dv(&w2) == v[13]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums() {
        assert!(luhn(b"4539578763621486"));
        assert!(!luhn(b"4539578763621487"));
        assert!(iban_mod97(b"DE89370400440532013000"));
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(!iban_mod97(b"DE89370400440532013001"));
        assert!(base58check(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", false).is_some());
        assert!(base58check(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", false).is_none());
        assert!(base58check(b"rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh", true).is_some());
        assert_eq!(
            bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
            Some("bc")
        );
        assert_eq!(
            bech32("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"),
            Some("bc")
        );
        assert!(bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr").is_none());
        assert_eq!(keccak256(b"")[..4], [0xc5, 0xd2, 0x46, 0x01],);
        assert!(eip55("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(!eip55("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        assert!(aba(b"021000021"));
        assert!(!aba(b"021000022"));
        assert!(cpf(b"52998224725"));
        assert!(!cpf(b"52998224726"));
        assert!(cnpj(b"11222333000181"));
        assert!(base58_len(b"7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV").is_some());
    }
}
