/** Wakes the worker's loop early; a wake that comes before the sleep makes the sleep end at once. */
export class WakeSignal {
  private woken = false;
  private wakeUp: (() => void) | null = null;

  /** Whether a wake came since the last `reset`. */
  get pending(): boolean {
    return this.woken;
  }

  /** Forgets the wakes so far: the loop is about to look at everything. */
  reset(): void {
    this.woken = false;
  }

  /** Wakes the loop, now or as soon as it sleeps. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Sleeps `ms`, or until woken. */
  async sleep(ms: number): Promise<void> {
    if (this.woken) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }
}
