// The bodies an export worker renders travel to the coordinating thread, which writes every file: one
// thread creating the folders and files, where two workers doing it at once made the kernel spend more
// time on each (ext4's locks and journal), and the coordinator is otherwise idle while the workers render.
//
// The bodies travel through a ring of shared memory per worker: the worker copies each body in and sends
// only where it is; the coordinator writes it out from there and then marks the space free. A body sent
// in the message itself (copied, or its memory handed over) cost fresh memory for each page on one side or
// the other, and the first touch of fresh memory is expensive on this kind of machine: 18,000 more page
// faults and 40 MB more memory per 4,000-article export. A body too large for the ring's free space goes
// in the message.

/** Where a body is in the ring (`at`, `length`), or the body itself when it did not fit. */
export type BodyRef = { readonly at: number; readonly length: number } | Uint8Array;

const HEADER = 8;

/** The worker's side: copies bodies in. */
export class BodyRingWriter {
  readonly shared: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly consumed: BigInt64Array;
  /** Bytes put in since the start (skips at the wrap included); the ring position is head % size. */
  private head = 0;

  constructor(readonly size: number) {
    this.shared = new SharedArrayBuffer(HEADER + size);
    this.consumed = new BigInt64Array(this.shared, 0, 1);
    this.bytes = new Uint8Array(this.shared, HEADER, size);
  }

  /** The body's place in the ring, or the body itself when the ring has no room for it now. */
  put(body: Uint8Array): BodyRef {
    const n = body.length;
    let at = this.head % this.size;
    // A body is kept in one piece: one that would cross the end starts again at the beginning.
    const skip = at + n > this.size ? this.size - at : 0;
    if (this.head + skip + n - Number(Atomics.load(this.consumed, 0)) > this.size) return body;
    this.head += skip;
    at = skip > 0 ? 0 : at;
    this.bytes.set(body, at);
    this.head += n;
    return { at, length: n };
  }

  /** What the reader marks as consumed once it has written out everything put in so far. */
  get end(): number {
    return this.head;
  }
}

/** The coordinator's side: reads bodies out and frees their space. */
export class BodyRingReader {
  private readonly consumed: BigInt64Array;

  constructor(private readonly shared: SharedArrayBuffer) {
    this.consumed = new BigInt64Array(shared, 0, 1);
  }

  /** A view of the body (valid until `release`), or the body the message carried. */
  body(ref: BodyRef): Buffer {
    return ref instanceof Uint8Array ? Buffer.from(ref.buffer, ref.byteOffset, ref.byteLength) : Buffer.from(this.shared, HEADER + ref.at, ref.length);
  }

  /** Everything up to `end` (a writer's `end` when it sent the message) is written out: its space is free. */
  release(end: number): void {
    Atomics.store(this.consumed, 0, BigInt(end));
  }
}
