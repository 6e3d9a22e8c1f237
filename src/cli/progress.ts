/**
 * Progress on stderr: a redrawn bar on a terminal, otherwise one line per 10 % so logs and
 * scripts get a readable trail instead of carriage returns.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastPercent = -1;
  let drawn = false;
  return {
    update(done, total) {
      const percent = total <= 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
      if (tty) {
        const filled = Math.round((percent / 100) * BAR_WIDTH);
        stream.write(
          `\r${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%`,
        );
        drawn = true;
      } else if (
        percent === 100 ? lastPercent < 100 : Math.floor(percent / 10) > Math.floor(lastPercent / 10)
      ) {
        stream.write(`${label}: ${percent}%\n`);
      }
      lastPercent = percent;
    },
    finish() {
      if (lastPercent < 100) this.update(1, 1);
      if (tty && drawn) stream.write('\n');
    },
  };
}
