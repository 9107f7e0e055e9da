//! Where to cut an input: points drawn from a small generator seeded by the input's own
//! hash, so seed files are plain streams (no header) and every mutation tries new cuts.

/// FNV-1a of `bytes`: a seed that changes with every byte.
pub fn seed(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A xorshift generator: cheap, deterministic, good enough to place cuts.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded by `seed` (never zero, which xorshift cannot leave).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next_u64() % bound as u64) as usize
        }
    }
}

/// `bytes` cut at up to 16 points (anywhere: inside lines, CRLFs, UTF-8 characters).
pub fn pieces(bytes: &[u8]) -> Vec<&[u8]> {
    let mut rng = Rng::new(seed(bytes));
    let count = rng.below(17);
    let mut points: Vec<usize> = (0..count).map(|_| rng.below(bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points
        .windows(2)
        .map(|pair| &bytes[pair[0]..pair[1]])
        .collect()
}

/// `bytes` one byte at a time: the finest cut of all.
pub fn bytewise(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.chunks(1).collect()
}

/// `text` cut at up to 16 character boundaries (for APIs that take `str` pieces).
pub fn text_pieces(text: &str) -> Vec<&str> {
    let mut rng = Rng::new(seed(text.as_bytes()));
    let count = rng.below(17);
    let mut points: Vec<usize> = (0..count)
        .map(|_| {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    points.push(0);
    points.push(text.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|pair| &text[pair[0]..pair[1]])
        .collect()
}
