interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items that arrive while a flush is in flight wait and go together in the next
 * flush, so concurrent requests share one transaction. No timer: an idle committer flushes at once.
 * A flush answers each item with its result, or with an Error for an item that failed alone
 * (its submit rejects with it); a flush that throws rejects every item of its batch.
 *
 * Where several flushes may run at once, one that would start beside another waits until
 * `minBatchBeside` items wait: otherwise, under load, each flush that ends leaves the next one or
 * two arrivals to a commit of their own (a round trip and a WAL flush for one item), while the
 * running flush collects everything else. An item that waits so goes at the latest when no flush
 * is running, as with a single flush in flight.
 */
export class GroupCommitter<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;

  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly minBatchBeside: number;

  /** `maxInFlight` flushes may run at once; the items of each are those that waited when it began. */
  constructor(
    private readonly flush: (items: I[]) => Promise<(O | Error)[]>,
    {
      maxBatch = 512,
      maxInFlight = 1,
      minBatchBeside = 1,
    }: { maxBatch?: number; maxInFlight?: number; minBatchBeside?: number } = {},
  ) {
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.minBatchBeside = minBatchBeside;
  }

  /** Queues an item; resolves with its own result once the batch holding it is committed. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a flush. */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (
      this.inFlight < this.maxInFlight &&
      this.queue.length >= (this.inFlight === 0 ? 1 : this.minBatchBeside)
    ) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.flush(batch.map((w) => w.item)).then(
        (results) => {
          for (const [i, w] of batch.entries()) {
            const result = results[i] as O | Error;
            if (result instanceof Error) w.reject(result);
            else w.resolve(result);
          }
          this.done();
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
          this.done();
        },
      );
    }
  }

  private done(): void {
    this.inFlight--;
    this.pump();
  }
}
