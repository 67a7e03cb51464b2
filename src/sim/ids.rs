//! Deterministic ids and numbers: everything random in the simulator is a hash of the seed
//! and of what it is about (a phone number, a batch, an attempt), never of timing.

/// SplitMix64's finaliser: a fast, well-spread 64-bit mix.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a seed and some parts (FNV-1a over the parts, then mixed).
pub fn hash(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ mix(seed);
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h = mix(h ^ 0xff);
    }
    mix(h)
}

/// A number in [0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// `<prefix>_<2 digits><26 lowercase base32 chars>`, the shape of upstream's newer ids.
pub fn make_id(prefix: &str, seed: u64, parts: &[&[u8]]) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut out = String::with_capacity(prefix.len() + 29);
    out.push_str(prefix);
    out.push_str("_01");
    let mut h = hash(seed, parts);
    for i in 0..26 {
        if i == 12 {
            h = mix(h);
        }
        out.push(ALPHABET[(h & 31) as usize] as char);
        h >>= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_upstream_shape_and_depend_on_inputs() {
        let a = make_id("btcal", 1, &[b"x"]);
        assert!(
            a.starts_with("btcal_01") && a.len() == "btcal_".len() + 28,
            "{a}"
        );
        assert_eq!(a, make_id("btcal", 1, &[b"x"]));
        assert_ne!(a, make_id("btcal", 2, &[b"x"]));
        assert_ne!(a, make_id("btcal", 1, &[b"y"]));
        let u = unit(hash(3, &[b"+573001112223"]));
        assert!((0.0..1.0).contains(&u));
    }
}
