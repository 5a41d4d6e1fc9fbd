/**
 * The VPA recommender's exponential histogram (vertical-pod-autoscaler/pkg/recommender/util/histogram*.go):
 * bucket n starts at first·(ratio^n − 1)/(ratio − 1); a percentile is the upper edge of the bucket where the
 * cumulative weight first reaches p·total.
 */
export class ExponentialHistogram {
  readonly weights: Float64Array;
  private total = 0;
  private readonly numBuckets: number;

  constructor(
    readonly maxValue: number,
    readonly firstBucketSize: number,
    readonly ratio: number,
  ) {
    this.numBuckets =
      Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio)) + 1;
    this.weights = new Float64Array(this.numBuckets);
  }

  bucketStart(bucket: number): number {
    if (bucket === 0) return 0;
    return (this.firstBucketSize * (this.ratio ** bucket - 1)) / (this.ratio - 1);
  }

  findBucket(value: number): number {
    if (value < this.firstBucketSize) return 0;
    const bucket = Math.floor(
      Math.log((value * (this.ratio - 1)) / this.firstBucketSize + 1) / Math.log(this.ratio),
    );
    return Math.min(bucket, this.numBuckets - 1);
  }

  add(value: number, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(value)) return;
    this.weights[this.findBucket(Math.max(0, value))]! += weight;
    this.total += weight;
  }

  get totalWeight(): number {
    return this.total;
  }

  percentile(p: number): number {
    if (this.total <= 0) return 0;
    const threshold = p * this.total;
    let partial = 0;
    let bucket = 0;
    for (; bucket < this.numBuckets; bucket++) {
      partial += this.weights[bucket]!;
      if (partial >= threshold) break;
    }
    bucket = Math.min(bucket, this.numBuckets - 1);
    return bucket < this.numBuckets - 1 ? this.bucketStart(bucket + 1) : this.bucketStart(bucket);
  }
}

/** VPA's decay: a sample's weight doubles every half-life towards the reference time. */
export function decayWeight(weight: number, t: number, ref: number, halfLifeSeconds: number): number {
  return weight * 2 ** ((t - ref) / halfLifeSeconds);
}
