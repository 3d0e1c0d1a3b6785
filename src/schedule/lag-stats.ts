/** A bounded window of scheduling lags (due → start) for /metrics, status and the benchmark. */

export class LagStats {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  total = 0;
  constructor(capacity = 100_000) {
    this.samples = new Float64Array(capacity);
  }
  /** Adds one lag in ms. */
  add(lagMs: number): void {
    this.samples[this.next] = lagMs;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
    this.total++;
  }
  /** The q-quantile (0..1) of the window, or 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  }
  /** Forgets the window (e.g. after a benchmark's warm-up). */
  reset(): void {
    this.count = 0;
    this.next = 0;
  }
}
