//! Helpers shared by the fuzz targets: turning fuzz input into choices, and damaging files.
//!
//! Each target has two modes picked by the first input byte. Raw mode hands the rest of the
//! input to the decoder as a file. Structured mode builds a valid file with the engine's own
//! writer from input-chosen contents and then damages it, so the fuzzer reaches the code
//! behind the checksums without having to forge them. Undamaged structured files must decode
//! to exactly what was written.

/// Fuzz input consumed front to back; reads past the end yield zeros.
#[derive(Debug)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps the fuzz input.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte, or 0 once the input is used up.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next `n` bytes (fewer at the end of the input).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// Everything not yet consumed.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }

    /// True once the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Damages `file` as `input` says: up to 3 byte flips, then maybe a truncation. Returns
/// whether anything changed.
pub fn damage(file: &mut Vec<u8>, input: &mut Input<'_>) -> bool {
    let mut changed = false;
    let flips = input.byte() % 4;
    for _ in 0..flips {
        let hi = u64::from(input.byte());
        let lo = u64::from(input.byte());
        let mask = input.byte();
        if file.is_empty() || mask == 0 {
            continue;
        }
        let at = ((hi << 8 | lo) % file.len() as u64) as usize;
        file[at] ^= mask;
        changed = true;
    }
    let cut = input.byte();
    if cut != 0 && !file.is_empty() {
        let keep = file.len() - 1 - (usize::from(cut) * 7 % file.len());
        file.truncate(keep);
        changed = true;
    }
    changed
}
