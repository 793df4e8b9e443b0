// Training progress on stderr: a live bar (cli-progress) when stderr is a terminal, one plain line
// per epoch otherwise (logs, pipes, CI), nothing with --quiet. Results go to stdout elsewhere.
import cliProgress from 'cli-progress';

export interface EpochLine {
  epoch: number;
  loss: number;
  /** the loss on the held-out rows, when there are some */
  heldOutLoss?: number;
  /** accuracy in [0, 1] on the data named by `accuracyOf`, when measured */
  accuracy?: number;
  samplesPerSecond: number;
}

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly accuracyOf: string,
    private readonly quiet: boolean,
  ) {
    if (quiet || !process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `epoch {value}/{total} {bar} loss {loss}{held}  ${accuracyOf ? `${accuracyOf} acc {acc}  ` : ''}{sps} samples/s  ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { loss: '-', held: '', acc: '-', sps: '-' });
  }

  epoch(e: EpochLine): void {
    if (this.quiet) return;
    const loss = e.loss.toPrecision(4),
      acc = e.accuracy === undefined ? '-' : `${(e.accuracy * 100).toFixed(2)}%`,
      held = e.heldOutLoss === undefined ? '' : ` (held-out ${e.heldOutLoss.toPrecision(4)})`;
    const sps = Math.round(e.samplesPerSecond).toLocaleString('en-US');
    if (this.bar) {
      this.bar.update(e.epoch, { loss, held, acc, sps });
      return;
    }
    const every = Math.max(1, Math.ceil(this.total / 20));
    if (e.epoch % every !== 0 && e.epoch !== 1 && e.epoch !== this.total) return;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(
      `epoch ${e.epoch}/${this.total}  loss ${loss}${held}${e.accuracy === undefined ? '' : `  ${this.accuracyOf} acc ${acc}`}  ${sps} samples/s  ${seconds} s\n`,
    );
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
