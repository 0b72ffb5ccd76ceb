// Reusable megabyte buffers for request bodies and WAL entries. Every Buffer.allocUnsafe of a megabyte is external
// memory to V8, and churning a few MB per request makes V8 run full (mark-compact) collections on the ack path
// for "external memory pressure". A request borrows a buffer and gives it back once the bytes are no longer needed
// (body: after decoding; entry: after the WAL write). A buffer never given back is simply garbage collected.
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    /** Buffers kept for reuse (the pool holds at most maxFree x the largest size asked for). */
    private readonly maxFree = 16,
    /** Sizes are rounded up to this, so buffers fit later requests of similar size. */
    private readonly granule = 256 * 1024,
  ) {}

  /** A buffer of at least `size` bytes (contents undefined). */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i]!;
      if (b.length >= size) {
        this.free.splice(i, 1);
        return b;
      }
    }
    return Buffer.allocUnsafeSlow(Math.max(this.granule, Math.ceil(size / this.granule) * this.granule));
  }

  give(buf: Buffer | undefined): void {
    if (!buf || buf.length < this.granule || buf.byteOffset !== 0 || buf.length !== buf.buffer.byteLength) return; // not ours
    if (this.free.length < this.maxFree) this.free.push(buf);
    else {
      // keep the larger ones: replace the smallest if this one is bigger
      let min = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[min]!.length) min = i;
      if (this.free[min]!.length < buf.length) this.free[min] = buf;
    }
  }
}
