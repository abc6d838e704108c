/**
 * A hand-written binary min-heap of (time, payload) on parallel typed arrays: the reference that the
 * kernel's calendar is measured against. Ties are broken by insertion order, like the kernel's.
 */
export class ReferenceHeap {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private payloads = new Int32Array(1024);
  private n = 0;
  private seq = 0;

  get size(): number {
    return this.n;
  }

  push(time: number, payload: number): void {
    if (this.n === this.times.length) this.grow();
    const seq = this.seq++;
    let i = this.n++;
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = times[p]!;
      if (tp < time || (tp === time && seqs[p]! < seq)) break;
      times[i] = tp;
      seqs[i] = seqs[p]!;
      payloads[i] = payloads[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    payloads[i] = payload;
  }

  /** Time of the top entry. */
  topTime(): number {
    return this.times[0]!;
  }

  /** Removes the top entry and returns its payload. */
  pop(): number {
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const top = payloads[0]!;
    const n = --this.n;
    const t = times[n]!;
    const s = seqs[n]!;
    const pl = payloads[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const r = l + 1;
      if (r < n && (times[r]! < times[l]! || (times[r] === times[l] && seqs[r]! < seqs[l]!))) c = r;
      if (t < times[c]! || (t === times[c] && s < seqs[c]!)) break;
      times[i] = times[c]!;
      seqs[i] = seqs[c]!;
      payloads[i] = payloads[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    payloads[i] = pl;
    return top;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    const seqs = new Float64Array(size);
    const payloads = new Int32Array(size);
    times.set(this.times);
    seqs.set(this.seqs);
    payloads.set(this.payloads);
    this.times = times;
    this.seqs = seqs;
    this.payloads = payloads;
  }
}
