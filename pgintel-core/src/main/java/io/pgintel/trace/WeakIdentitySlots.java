package io.pgintel.trace;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small table from objects, compared by identity and held weakly, to values: how the statement path finds what
 * it keeps about a connection (a pool hands the same connection out again and again) without a map's boxed keys
 * and nodes, and without keeping a connection the application has dropped. Each key may sit in one of a few slots
 * from its identity hash; a new key takes a free slot, one whose key is gone or its own, else the first, so that
 * two keys in one slot take turns instead of growing the table. Lock-free; a lost race costs one lookup again.
 */
final class WeakIdentitySlots<V> {

  /** Slots looked at for one key. */
  private static final int PROBES = 4;

  private final int mask;
  private final AtomicReferenceArray<Slot<V>> slots;

  /** @param size a power of two */
  WeakIdentitySlots(int size) {
    if (Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("size must be a power of two, was " + size);
    }
    this.mask = size - 1;
    this.slots = new AtomicReferenceArray<>(size);
  }

  /** The value kept for {@code key}, or null. */
  V get(Object key) {
    int h = System.identityHashCode(key);
    for (int i = 0; i < PROBES; i++) {
      Slot<V> s = slots.get((h + i) & mask);
      if (s != null && s.get() == key) {
        return s.value;
      }
    }
    return null;
  }

  /** Keeps {@code value} for {@code key}, in place of what was kept for it. */
  void put(Object key, V value) {
    int h = System.identityHashCode(key);
    int target = h & mask;
    for (int i = 0; i < PROBES; i++) {
      int at = (h + i) & mask;
      Slot<V> s = slots.get(at);
      Object held = s == null ? null : s.get();
      if (held == null || held == key) {
        target = at;
        break;
      }
    }
    slots.set(target, new Slot<>(key, value));
  }

  private static final class Slot<V> extends WeakReference<Object> {
    final V value;

    Slot(Object key, V value) {
      super(key);
      this.value = value;
    }
  }
}
