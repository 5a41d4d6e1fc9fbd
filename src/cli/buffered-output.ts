import { writeSync } from 'node:fs';

/**
 * Report text written in large pieces: strings are encoded straight into a 1 MiB buffer, which goes
 * to the sink when full. Handing each report piece to `process.stdout.write` instead converts every
 * string to its own Buffer (and a joined chunk is first flattened): for the 41 MB JSON report of a
 * 20,000-document scan that took 0.5 s, this takes 0.15 s (measured to /dev/null and to a file).
 * Each flush hands over a fresh buffer, so an asynchronous sink (a pipe) may keep it.
 */
export class BufferedOutput {
  private buffer: Buffer;
  private used = 0;

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    private readonly size = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  write(text: string): void {
    // UTF-8 needs at most three bytes per UTF-16 code unit: a bound that needs no second pass.
    const bound = text.length * 3;
    if (this.used + bound > this.size) this.flush();
    if (bound > this.size) {
      this.sink(Buffer.from(text, 'utf8'));
      return;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Sends what is buffered. */
  flush(): void {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
    this.sink(full);
  }
}

/** A sink writing to a file descriptor synchronously, all of each chunk. */
export function fileSink(fd: number): (chunk: Buffer) => void {
  return (chunk) => {
    let written = 0;
    while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
  };
}
