import { SingleBar } from 'cli-progress';

/** A progress bar on a TTY (queries done / planned); nothing otherwise, so logs and pipes stay clean. */
export function startProgress(
  stream: NodeJS.WriteStream,
): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar({
    stream,
    format: 'rightsize [{bar}] {value}/{total} queries',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
