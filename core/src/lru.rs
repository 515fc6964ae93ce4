//! A small least-recently-used cache: the one type behind the extension's backend-local
//! caches (parsed specs and a table's indexes in the planner support function, prepared
//! GraphQL documents in `fraiseql_execute`).
//!
//! Entries live in a hash map with the tick of their last use; finding the least
//! recently used one scans the map, which happens only when an entry must go. The
//! caches using it hold 8 to 256 entries, and each lookup is one hash probe (the
//! document cache's former linear order would have compared up to 256 keys of 130
//! bytes per request).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// A map of at most `max_entries` entries that evicts the least recently used one.
/// A lookup ([`Lru::get`]) or an insertion makes an entry the most recently used.
pub struct Lru<K, V> {
    entries: HashMap<K, (V, u64)>,
    /// Bumped at every use: the ticks of the entries are distinct.
    clock: u64,
    max_entries: usize,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    /// An empty cache of at most `max_entries` entries (at least one).
    pub fn new(max_entries: usize) -> Self {
        Lru { entries: HashMap::new(), clock: 0, max_entries: max_entries.max(1) }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The entry of `key`, now the most recently used.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.tick();
        self.entries.get_mut(key).map(|(v, used)| {
            *used = now;
            v
        })
    }

    /// Whether `key` has an entry; its recency is left as it is.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.contains_key(key)
    }

    /// Inserts (or replaces) the entry of `key` as the most recently used, first
    /// evicting the least recently used entries beyond the bound.
    pub fn insert(&mut self, key: K, value: V) {
        let now = self.tick();
        if !self.entries.contains_key(&key) {
            while self.entries.len() >= self.max_entries && self.evict_oldest() {}
        }
        self.entries.insert(key, (value, now));
    }

    /// The key of the least recently used entry.
    fn oldest(&self) -> Option<K> {
        self.entries.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| k.clone())
    }

    /// Evicts the least recently used entry; false when the cache is empty.
    fn evict_oldest(&mut self) -> bool {
        self.oldest().and_then(|k| self.entries.remove(&k)).is_some()
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.entries.retain(|k, (v, _)| keep(k, v));
    }

    /// Evicts least recently used entries until the weights of those left, as `weight`
    /// says now, add up to at most `max_weight` (an entry heavier than that alone goes
    /// too). For entries whose weight grows while they are kept.
    pub fn trim_to_weight(&mut self, max_weight: usize, weight: impl Fn(&V) -> usize) {
        let mut total: usize = self.entries.values().map(|(v, _)| weight(v)).sum();
        while total > max_weight {
            let Some((v, _)) = self.oldest().and_then(|k| self.entries.remove(&k)) else { break };
            total -= weight(&v).min(total);
        }
    }

    /// The keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::Lru;

    /// a, b, c inserted in that order, weighing 10, 20, 30.
    fn abc(max_entries: usize) -> Lru<&'static str, usize> {
        let mut c = Lru::new(max_entries);
        for (k, w) in [("a", 10), ("b", 20), ("c", 30)] {
            c.insert(k, w);
        }
        c
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = abc(3);
        assert_eq!(c.get("a"), Some(&mut 10));
        c.insert("d", 40);
        assert!(!c.contains_key("b"), "b was the least recently used");
        assert!(c.contains_key("a") && c.contains_key("c") && c.contains_key("d"));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn a_miss_changes_nothing_and_replacing_keeps_the_count() {
        let mut c = Lru::new(2);
        c.insert(1, "one");
        c.insert(2, "two");
        assert_eq!(c.get(&3), None);
        c.insert(1, "uno");
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&1), Some(&mut "uno"));
        // 2 is now the least recently used.
        c.insert(3, "three");
        assert!(!c.contains_key(&2));
    }

    #[test]
    fn contains_key_does_not_refresh() {
        let mut c = Lru::new(2);
        c.insert(1, ());
        c.insert(2, ());
        assert!(c.contains_key(&1));
        c.insert(3, ());
        assert!(!c.contains_key(&1));
        // A bound of 0 keeps one entry.
        let mut one = Lru::new(0);
        for k in [1, 2] {
            one.insert(k, ());
        }
        assert_eq!((one.keys().copied().collect::<Vec<_>>(), one.is_empty()), (vec![2], false));
    }

    #[test]
    fn retain_removes_matching_entries() {
        let mut c = Lru::new(8);
        for i in 0..6 {
            c.insert(i, i * 10);
        }
        c.retain(|k, v| k % 2 == 0 && *v != 40);
        let mut keys = c.keys().copied().collect::<Vec<_>>();
        keys.sort();
        assert_eq!(keys, vec![0, 2]);
    }

    #[test]
    fn trims_by_weight_in_order_of_use() {
        let mut c = abc(8);
        c.get("a");
        // 60 > 35: b goes (oldest), then c (40 > 35); a stays.
        c.trim_to_weight(35, |w| *w);
        assert_eq!(c.keys().copied().collect::<Vec<_>>(), vec!["a"]);
        // A single entry heavier than the bound goes too.
        c.trim_to_weight(5, |w| *w);
        assert!(c.is_empty());
    }

    #[test]
    fn weights_are_read_at_trim_time() {
        let mut c = Lru::new(8);
        c.insert("a", std::cell::Cell::new(1));
        c.insert("b", std::cell::Cell::new(1));
        c.trim_to_weight(10, |w| w.get());
        assert_eq!(c.len(), 2);
        c.get("b").unwrap().set(10);
        c.trim_to_weight(10, |w| w.get());
        assert_eq!(c.keys().copied().collect::<Vec<_>>(), vec!["b"]);
    }
}
