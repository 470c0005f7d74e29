/** Admits work by its size so that at most `capacity` bytes are held at once, first come first served. */
export interface ByteBudget {
  readonly capacity: number;
  /** Waits until `bytes` fit; resolves to the function that gives them back. Callers keep `bytes` <= `capacity`. */
  acquire(bytes: number): Promise<() => void>;
}

export function createByteBudget(capacity: number): ByteBudget {
  let held = 0;
  const waiting: Array<{ bytes: number; admit: () => void }> = [];

  const admitWaiting = () => {
    // Strict arrival order: a large item is never starved by a stream of small ones behind it.
    while (waiting.length > 0 && held + waiting[0]!.bytes <= capacity) {
      const next = waiting.shift()!;
      held += next.bytes;
      next.admit();
    }
  };

  return {
    capacity,
    acquire(bytes) {
      const amount = Math.min(Math.max(bytes, 0), capacity);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held -= amount;
        admitWaiting();
      };
      if (waiting.length === 0 && held + amount <= capacity) {
        held += amount;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push({ bytes: amount, admit: () => resolve(release) }));
    },
  };
}
