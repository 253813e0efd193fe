//! The YCSB core workloads: which operations each one mixes, and how keys are chosen.

use std::fmt;

/// One kind of YCSB operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// GetItem of a whole item.
    Read,
    /// UpdateItem setting one field.
    Update,
    /// PutItem of a new item.
    Insert,
    /// Scan of 1 to `scan_length` items starting after a key.
    Scan,
    /// GetItem, then UpdateItem of one field of the same item (timed together).
    ReadModifyWrite,
}

impl Op {
    /// Every operation, in report order.
    pub const ALL: [Op; 5] = [
        Op::Read,
        Op::Update,
        Op::Insert,
        Op::Scan,
        Op::ReadModifyWrite,
    ];

    /// YCSB's name for the operation, as printed in reports.
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "READ",
            Op::Update => "UPDATE",
            Op::Insert => "INSERT",
            Op::Scan => "SCAN",
            Op::ReadModifyWrite => "READ-MODIFY-WRITE",
        }
    }

    /// Position in [`Op::ALL`], for per-operation arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a workload picks the existing key an operation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribution {
    /// Every existing key equally likely.
    Uniform,
    /// Zipfian (theta 0.99) over popularity ranks, the ranks scattered over the key space by
    /// a hash, as YCSB's scrambled Zipfian does.
    Zipfian,
    /// Zipfian over recency: the most recently inserted keys are the most popular.
    Latest,
}

impl Distribution {
    /// The name on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Uniform => "uniform",
            Distribution::Zipfian => "zipfian",
            Distribution::Latest => "latest",
        }
    }

    /// The distribution called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Distribution::Uniform,
            Distribution::Zipfian,
            Distribution::Latest,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

/// A YCSB core workload, or the pure-write load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Update heavy: 50% reads, 50% updates.
    A,
    /// Read mostly: 95% reads, 5% updates.
    B,
    /// Read only.
    C,
    /// Read latest: 95% reads, 5% inserts, reads favouring new keys.
    D,
    /// Short ranges: 95% scans, 5% inserts.
    E,
    /// Read-modify-write: 50% reads, 50% read-modify-writes.
    F,
    /// Pure write: the load phase itself measured, one insert per record.
    Load,
}

impl Workload {
    /// Every workload.
    pub const ALL: [Workload; 7] = [
        Workload::A,
        Workload::B,
        Workload::C,
        Workload::D,
        Workload::E,
        Workload::F,
        Workload::Load,
    ];

    /// The name on the command line and in results (`a` to `f`, `load`).
    pub fn name(self) -> &'static str {
        match self {
            Workload::A => "a",
            Workload::B => "b",
            Workload::C => "c",
            Workload::D => "d",
            Workload::E => "e",
            Workload::F => "f",
            Workload::Load => "load",
        }
    }

    /// The workload called `name` (case-insensitive; `workloada` is accepted too).
    pub fn parse(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let short = lower.strip_prefix("workload").unwrap_or(&lower);
        Workload::ALL.into_iter().find(|w| w.name() == short)
    }

    /// The share of each operation, in percent, indexed like [`Op::ALL`].
    pub fn mix(self) -> [u32; 5] {
        // READ, UPDATE, INSERT, SCAN, READ-MODIFY-WRITE
        match self {
            Workload::A => [50, 50, 0, 0, 0],
            Workload::B => [95, 5, 0, 0, 0],
            Workload::C => [100, 0, 0, 0, 0],
            Workload::D => [95, 0, 5, 0, 0],
            Workload::E => [0, 0, 5, 95, 0],
            Workload::F => [50, 0, 0, 0, 50],
            Workload::Load => [0, 0, 100, 0, 0],
        }
    }

    /// YCSB's request distribution for the workload.
    pub fn default_distribution(self) -> Distribution {
        match self {
            Workload::D => Distribution::Latest,
            _ => Distribution::Zipfian,
        }
    }

    /// The operation whose share covers `roll` (`0..100`).
    pub fn pick(self, roll: u32) -> Op {
        let mut acc = 0;
        for (op, share) in Op::ALL.into_iter().zip(self.mix()) {
            acc += share;
            if roll < acc {
                return op;
            }
        }
        // The shares sum to 100, so a roll below 100 never gets here.
        Op::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mix_sums_to_100() {
        for w in Workload::ALL {
            assert_eq!(w.mix().iter().sum::<u32>(), 100, "{w:?}");
        }
    }

    #[test]
    fn pick_follows_the_shares() {
        let picks: Vec<Op> = (0..100).map(|r| Workload::B.pick(r)).collect();
        assert_eq!(picks.iter().filter(|&&o| o == Op::Read).count(), 95);
        assert_eq!(picks.iter().filter(|&&o| o == Op::Update).count(), 5);
        assert!((0..100).all(|r| Workload::E.pick(r) != Op::Read));
    }

    #[test]
    fn names_parse_back() {
        for w in Workload::ALL {
            assert_eq!(Workload::parse(w.name()), Some(w));
        }
        assert_eq!(Workload::parse("WorkloadA"), Some(Workload::A));
        assert_eq!(Workload::parse("g"), None);
        assert_eq!(Distribution::parse("latest"), Some(Distribution::Latest));
    }
}
