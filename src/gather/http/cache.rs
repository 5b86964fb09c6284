//! A small bounded map for the long-running batch scanner's per-host state
//! (DNS answers, robots.txt rules, host budgets): memory stays bounded
//! however many hosts a run meets.
//!
//! Eviction is "second chance" (CLOCK): entries leave in insertion order,
//! except that an entry inserted or read since it was last considered goes
//! to the back once more. A popular host (a shared authorization server)
//! therefore stays while one-off hosts pass through, and a host just added
//! (a target that has only begun) is not the first to go. Every operation
//! is amortised O(1).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// A map of at most `capacity` entries, keyed by string.
#[derive(Debug)]
pub struct BoundedCache<V> {
    map: HashMap<Arc<str>, (V, bool)>,
    order: VecDeque<Arc<str>>,
    capacity: usize,
}

impl<V> BoundedCache<V> {
    /// An empty map that holds at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        BoundedCache {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, marking it as recently used.
    pub fn get(&mut self, key: &str) -> Option<&V> {
        self.map.get_mut(key).map(|(v, used)| {
            *used = true;
            &*v
        })
    }

    /// Insert or replace; evicts as needed to stay within the capacity.
    pub fn insert(&mut self, key: &str, value: V) {
        if let Some(slot) = self.map.get_mut(key) {
            *slot = (value, true);
            return;
        }
        let key: Arc<str> = Arc::from(key);
        // Marked as used: an entry added but not read yet must survive the
        // pass that clears every older entry's mark, or the newest entries
        // would be the first to go (a benchmark saw one origin's robots.txt
        // fetched twice that way).
        self.map.insert(key.clone(), (value, true));
        self.order.push_back(key.clone());
        while self.map.len() > self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            // The entry just inserted is never the victim: when every other
            // entry was in use, their bits are cleared on the first pass and
            // the oldest of them goes.
            if Arc::ptr_eq(&oldest, &key) {
                self.order.push_back(oldest);
                continue;
            }
            match self.map.get_mut(&oldest) {
                Some((_, used)) if *used => {
                    *used = false;
                    self.order.push_back(oldest);
                }
                Some(_) => {
                    self.map.remove(&oldest);
                }
                None => {}
            }
        }
    }

    /// Remove `key` if `which` says its value is the one to go (another
    /// caller may have replaced it meanwhile). O(capacity): for rare use.
    pub fn remove_if(&mut self, key: &str, which: impl FnOnce(&V) -> bool) {
        if self.map.get(key).is_some_and(|(v, _)| which(v)) {
            self.map.remove(key);
            self.order.retain(|k| &**k != key);
        }
    }

    /// Number of entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_if_takes_out_only_the_value_named() {
        let mut c = BoundedCache::new(2);
        c.insert("a", 1);
        c.remove_if("a", |v| *v == 2);
        assert_eq!(c.get("a"), Some(&1));
        c.remove_if("a", |v| *v == 1);
        assert_eq!(c.get("a"), None);
        assert_eq!(c.len(), 0);
        assert!(c.order.is_empty(), "no stale key left to grow the queue");
        c.insert("b", 2);
        c.insert("c", 3);
        c.insert("d", 4);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn stays_within_capacity_and_keeps_what_is_used() {
        let mut c = BoundedCache::new(3);
        c.insert("a", 1);
        c.insert("b", 2);
        c.insert("c", 3);
        c.insert("d", 4);
        // All were new: the oldest goes, and the others' marks are cleared.
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("a"), None);
        // `b` is read again: it gets a second chance, `c` goes.
        assert_eq!(c.get("b"), Some(&2));
        c.insert("e", 5);
        assert_eq!(c.get("b"), Some(&2));
        assert_eq!(c.get("c"), None);
        for i in 0..1000 {
            c.insert(&format!("k{i}"), i);
        }
        assert_eq!(c.len(), 3);
        c.insert("k999", 7);
        assert_eq!(c.get("k999"), Some(&7));
    }

    #[test]
    fn entries_added_but_not_yet_read_outlive_older_ones() {
        let mut c = BoundedCache::new(8);
        for i in 0..8 {
            c.insert(&format!("k{i}"), i);
        }
        for i in 0..7 {
            c.get(&format!("k{i}"));
        }
        // k7 was added last and not read since: k0 goes, not k7.
        c.insert("k8", 8);
        assert_eq!(c.get("k0"), None);
        assert_eq!(c.get("k7"), Some(&7));
    }

    #[test]
    fn a_new_entry_survives_when_every_other_is_in_use() {
        let mut c = BoundedCache::new(3);
        for k in ["a", "b", "c"] {
            c.insert(k, 0);
            c.get(k);
        }
        c.insert("d", 1);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("d"), Some(&1));
        assert_eq!(c.get("a"), None, "the oldest goes");
    }
}
