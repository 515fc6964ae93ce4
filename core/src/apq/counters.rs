//! The persisted-query hit counters (docs/apq.md, "Statistics"): what a lookup, a
//! registration and a reset change. The extension keeps [`Counters`] in shared memory
//! under one LWLock when the library is preloaded (all databases together, fixed size),
//! and [`LocalCounters`] per backend otherwise; times are PostgreSQL timestamps
//! (microseconds since 2000-01-01), passed in by the caller.

use std::collections::HashMap;

/// Hashes tracked individually in shared memory, all databases together (slots are twice
/// that, open addressing). Hits of further hashes count in their database's totals only.
pub const TRACKED: usize = 2048;
const SLOTS: usize = TRACKED * 2;
/// Databases with totals in shared memory. Lookups in further databases are not counted
/// until a reset frees the entries of dropped databases, or a restart.
pub const DATABASES: usize = 64;

/// One tracked hash of one database; `db == 0` (InvalidOid) marks a free slot.
#[derive(Clone, Copy)]
#[repr(C)]
struct Slot {
    db: u32,
    hash: [u8; 32],
    hits: u64,
    last_hit: i64,
}

const FREE_SLOT: Slot = Slot { db: 0, hash: [0; 32], hits: 0, last_hit: 0 };

/// The totals of one database since its last reset; `db == 0` marks a free entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Totals {
    pub db: u32,
    pub lookups: u64,
    pub hits: u64,
    pub misses: u64,
    pub registrations: u64,
    pub untracked: u64,
    /// 0 when the database cannot count (every entry is taken by other databases).
    pub reset_at: i64,
}

const FREE_TOTALS: Totals =
    Totals { db: 0, lookups: 0, hits: 0, misses: 0, registrations: 0, untracked: 0, reset_at: 0 };

/// A tracked hash's counters: (hash, hits, last hit).
pub type HashHits = ([u8; 32], u64, i64);

/// The shared counters: plain old data of fixed size (about 235 KB), no pointers, so that
/// it can live in shared memory.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Counters {
    slots: [Slot; SLOTS],
    used: u32,
    dbs: [Totals; DATABASES],
    /// When shared memory was set up (server start or restart after a crash): the reset
    /// time of a database that has counted nothing since.
    started_at: i64,
}

fn start_slot(db: u32, hash: &[u8; 32]) -> usize {
    let h = u64::from_le_bytes(hash[..8].try_into().expect("8 bytes")) ^ u64::from(db);
    (h % SLOTS as u64) as usize
}

impl Counters {
    /// Empty counters, set up at `started_at`.
    pub fn new(started_at: i64) -> Self {
        Counters { slots: [FREE_SLOT; SLOTS], used: 0, dbs: [FREE_TOTALS; DATABASES], started_at }
    }

    /// The index of `db`'s totals, claiming a free entry on first use (it has counted
    /// nothing since the server started).
    fn db_index(&mut self, db: u32) -> Option<usize> {
        if let Some(i) = self.dbs.iter().position(|t| t.db == db) {
            return Some(i);
        }
        let i = self.dbs.iter().position(|t| t.db == 0)?;
        self.dbs[i] = Totals { db, reset_at: self.started_at, ..FREE_TOTALS };
        Some(i)
    }

    /// Counts a hit on (db, hash); false when no slot is left for a new hash.
    fn hit_slot(&mut self, db: u32, hash: &[u8; 32], now: i64) -> bool {
        let start = start_slot(db, hash);
        for i in 0..SLOTS {
            let s = &mut self.slots[(start + i) % SLOTS];
            if s.db == db && s.hash == *hash {
                s.hits += 1;
                s.last_hit = now;
                return true;
            }
            if s.db == 0 {
                if self.used as usize >= TRACKED {
                    return false;
                }
                *s = Slot { db, hash: *hash, hits: 1, last_hit: now };
                self.used += 1;
                return true;
            }
        }
        false
    }

    /// Counts a lookup of `hash` in `db`, a hit or a miss.
    pub fn record_lookup(&mut self, db: u32, hash: &[u8; 32], hit: bool, now: i64) {
        let Some(i) = self.db_index(db) else { return };
        self.dbs[i].lookups += 1;
        if hit {
            self.dbs[i].hits += 1;
            if !self.hit_slot(db, hash, now) {
                self.dbs[i].untracked += 1;
            }
        } else {
            self.dbs[i].misses += 1;
        }
    }

    pub fn record_registration(&mut self, db: u32) {
        if let Some(i) = self.db_index(db) {
            self.dbs[i].registrations += 1;
        }
    }

    /// `db`'s tracked hashes.
    pub fn hashes(&self, db: u32) -> Vec<HashHits> {
        self.slots.iter().filter(|s| s.db == db).map(|s| (s.hash, s.hits, s.last_hit)).collect()
    }

    /// `db`'s totals. Without an entry yet: nothing counted since the server started,
    /// or, with every entry taken by other databases, nothing counted at all
    /// (`reset_at` 0).
    pub fn totals(&self, db: u32) -> Totals {
        self.dbs.iter().find(|t| t.db == db).copied().unwrap_or(Totals {
            reset_at: if self.dbs.iter().any(|t| t.db == 0) { self.started_at } else { 0 },
            ..FREE_TOTALS
        })
    }

    /// The databases other than `db` with totals.
    pub fn other_databases(&self, db: u32) -> Vec<u32> {
        self.dbs.iter().map(|t| t.db).filter(|&d| d != 0 && d != db).collect()
    }

    /// Forgets `db`'s counters (its totals restart from now) and everything of the
    /// databases in `gone`, then re-inserts the remaining hashes so that probing stays
    /// correct without tombstones.
    pub fn reset(&mut self, db: u32, gone: &[u32], now: i64) {
        let kept: Vec<Slot> =
            self.slots.iter().filter(|s| s.db != 0 && s.db != db && !gone.contains(&s.db)).copied().collect();
        self.slots.fill(FREE_SLOT);
        self.used = 0;
        for s in kept {
            let start = start_slot(s.db, &s.hash);
            if let Some(free) = (0..SLOTS).map(|i| (start + i) % SLOTS).find(|&j| self.slots[j].db == 0) {
                self.slots[free] = s;
                self.used += 1;
            }
        }
        for t in self.dbs.iter_mut().filter(|t| gone.contains(&t.db)) {
            *t = FREE_TOTALS;
        }
        if let Some(i) = self.db_index(db) {
            self.dbs[i] = Totals { db, reset_at: now, ..FREE_TOTALS };
        }
    }
}

/// One backend's counters when the library is not preloaded. A backend serves one
/// database, so these are that database's.
pub struct LocalCounters {
    pub totals: Totals,
    per_hash: HashMap<[u8; 32], (u64, i64)>,
}

impl LocalCounters {
    /// Empty counters, reset at `now`.
    pub fn new(now: i64) -> Self {
        LocalCounters { totals: Totals { reset_at: now, ..FREE_TOTALS }, per_hash: HashMap::new() }
    }

    /// Counts a lookup of `hash`, a hit or a miss; at most [`TRACKED`] hashes are
    /// tracked, hits of further ones count as untracked.
    pub fn record_lookup(&mut self, hash: &[u8; 32], hit: bool, now: i64) {
        self.totals.lookups += 1;
        if !hit {
            self.totals.misses += 1;
            return;
        }
        self.totals.hits += 1;
        if self.per_hash.len() >= TRACKED && !self.per_hash.contains_key(hash) {
            self.totals.untracked += 1;
            return;
        }
        let e = self.per_hash.entry(*hash).or_insert((0, 0));
        e.0 += 1;
        e.1 = now;
    }

    pub fn record_registration(&mut self) {
        self.totals.registrations += 1;
    }

    /// The tracked hashes.
    pub fn hashes(&self) -> Vec<HashHits> {
        self.per_hash.iter().map(|(h, (n, t))| (*h, *n, *t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u32) -> [u8; 32] {
        let mut h = [0u8; 32];
        h[..4].copy_from_slice(&n.to_le_bytes());
        h[31] = 0xAB;
        h
    }

    fn shared() -> Box<Counters> {
        Box::new(Counters::new(100))
    }

    #[test]
    fn lookups_count_per_database_and_hash() {
        let mut c = shared();
        c.record_lookup(5, &hash(1), true, 200);
        c.record_lookup(5, &hash(1), true, 300);
        c.record_lookup(5, &hash(2), false, 310);
        c.record_lookup(6, &hash(1), true, 400);
        c.record_registration(5);
        let t = c.totals(5);
        assert_eq!((t.lookups, t.hits, t.misses, t.registrations, t.untracked), (3, 2, 1, 1, 0));
        assert_eq!(t.reset_at, 100, "a database's first count starts from the server start");
        assert_eq!(c.hashes(5), vec![(hash(1), 2, 300)], "a miss tracks no hash");
        assert_eq!(c.hashes(6), vec![(hash(1), 1, 400)]);
        assert_eq!(c.other_databases(5), vec![6]);
    }

    #[test]
    fn a_database_without_an_entry() {
        let mut c = shared();
        assert_eq!(c.totals(9), Totals { reset_at: 100, ..FREE_TOTALS });
        for db in 1..=DATABASES as u32 {
            c.record_registration(db);
        }
        // Every entry taken: a further database counts nothing and says so.
        c.record_lookup(1000, &hash(1), true, 200);
        c.record_registration(1000);
        assert_eq!(c.totals(1000), FREE_TOTALS);
        assert!(c.hashes(1000).is_empty());
    }

    #[test]
    fn hashes_beyond_the_tracked_count_in_the_totals_only() {
        let mut c = shared();
        for i in 0..TRACKED as u32 + 10 {
            c.record_lookup(1, &hash(i), true, 7);
        }
        // A tracked hash still counts its further hits.
        c.record_lookup(1, &hash(0), true, 8);
        let t = c.totals(1);
        assert_eq!((t.hits, t.untracked), (TRACKED as u64 + 11, 10));
        assert_eq!(c.hashes(1).len(), TRACKED);
        assert!(c.hashes(1).contains(&(hash(0), 2, 8)));
        // Another database finds no slot either: the bound is for all of them.
        c.record_lookup(2, &hash(0), true, 9);
        assert_eq!(c.totals(2).untracked, 1);
    }

    #[test]
    fn reset_forgets_one_database_and_the_dropped_ones() {
        let mut c = shared();
        for i in 0..50 {
            c.record_lookup(1, &hash(i), true, 10);
            c.record_lookup(2, &hash(i), true, 10);
            c.record_lookup(3, &hash(i), true, 10);
        }
        c.reset(1, &[3], 500);
        assert_eq!(c.totals(1), Totals { db: 1, reset_at: 500, ..FREE_TOTALS });
        assert!(c.hashes(1).is_empty());
        assert_eq!(c.totals(3), Totals { reset_at: 100, ..FREE_TOTALS }, "a dropped database's entry is freed");
        assert_eq!(c.hashes(2).len(), 50, "other databases keep their counters");
        assert_eq!(c.totals(2).hits, 50);
        // Probing still finds every kept hash, and a freed slot is reused.
        for i in 0..50 {
            c.record_lookup(2, &hash(i), true, 20);
        }
        assert_eq!(c.hashes(2).len(), 50);
        assert!(c.hashes(2).iter().all(|&(_, n, t)| n == 2 && t == 20));
        c.record_lookup(1, &hash(7), true, 30);
        assert_eq!(c.hashes(1), vec![(hash(7), 1, 30)]);
    }

    #[test]
    fn local_counters() {
        let mut l = LocalCounters::new(42);
        l.record_lookup(&hash(1), true, 50);
        l.record_lookup(&hash(1), true, 60);
        l.record_lookup(&hash(2), false, 70);
        l.record_registration();
        assert_eq!(
            l.totals,
            Totals { db: 0, lookups: 3, hits: 2, misses: 1, registrations: 1, untracked: 0, reset_at: 42 }
        );
        assert_eq!(l.hashes(), vec![(hash(1), 2, 60)]);
        for i in 10..10 + TRACKED as u32 {
            l.record_lookup(&hash(i), true, 80);
        }
        assert_eq!(l.totals.untracked, 1);
        assert_eq!(l.hashes().len(), TRACKED);
        l.record_lookup(&hash(1), true, 90);
        assert_eq!(l.totals.untracked, 1, "a tracked hash keeps counting");
        assert!(l.hashes().contains(&(hash(1), 3, 90)));
    }
}
