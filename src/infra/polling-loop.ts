/**
 * Runs a batch step again and again until stopped: at once while it finds
 * work, after a pause when it found none, after a longer one when it failed.
 * `stop()` lets the step in progress finish.
 */
export interface PollingOptions {
  idleMs?: number;
  retryMs?: number;
  onError?: (error: unknown) => void;
}

export class PollingLoop {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  /** `step` returns how much work it did: 0 means idle. */
  constructor(
    private readonly step: () => Promise<number>,
    private readonly options: PollingOptions = {},
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let pause = 0;
      try {
        if ((await this.step()) === 0) pause = this.options.idleMs ?? 200;
      } catch (error) {
        this.options.onError?.(error);
        pause = this.options.retryMs ?? 1_000;
      }
      if (pause > 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
