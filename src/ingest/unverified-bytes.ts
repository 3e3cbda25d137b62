/**
 * The bytes of ingest bodies read but not yet verified, bounded in all and per client, so that
 * senders who know no secret cannot pin the process's memory with bodies they will never sign. A
 * request takes its share chunk by chunk as its body arrives and gives it all back once its
 * signature has been checked, or when it ends any other way.
 */
export class UnverifiedBytes {
  private total = 0;
  private highest = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly maxBytes: number,
    private readonly maxPerClient: number,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  /** The most bytes ever held at once. */
  get peak(): number {
    return this.highest;
  }

  /** A hold for one request from `address` (the socket's remote address). */
  hold(address: string | undefined): BodyHold {
    return new BodyHold(this, clientKey(address));
  }

  /** Takes `n` bytes for `client`, or nothing and false when that would pass either bound. */
  take(client: string, n: number): boolean {
    const held = this.byClient.get(client) ?? 0;
    if (this.total + n > this.maxBytes || held + n > this.maxPerClient) return false;
    this.total += n;
    if (this.total > this.highest) this.highest = this.total;
    this.byClient.set(client, held + n);
    return true;
  }

  /** Gives back `n` bytes `client` took. */
  give(client: string, n: number): void {
    this.total -= n;
    const left = (this.byClient.get(client) ?? 0) - n;
    if (left > 0) this.byClient.set(client, left);
    else this.byClient.delete(client);
  }
}

/** One request's share of the unverified bytes. `release` gives it all back and may be called again. */
export class BodyHold {
  private held = 0;

  constructor(
    private readonly budget: UnverifiedBytes,
    private readonly client: string,
  ) {}

  /** Takes `n` more bytes; false, taking nothing, when the budget has no room for them. */
  take(n: number): boolean {
    if (!this.budget.take(this.client, n)) return false;
    this.held += n;
    return true;
  }

  /** Gives back everything taken so far. */
  release(): void {
    if (this.held === 0) return;
    this.budget.give(this.client, this.held);
    this.held = 0;
  }
}

/**
 * Who a share belongs to: an IPv4 address (also when written IPv4-mapped), or the /64 an IPv6
 * address is in, since one host commonly holds a whole /64.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return "";
  if (!address.includes(":")) return address;
  if (address.startsWith("::ffff:") && address.includes(".")) return address.slice(7);
  const bare = address.split("%")[0] as string;
  const [head = "", tail] = bare.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros =
    tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  const prefix = [...left, ...zeros, ...right].slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(":")}::/64`;
}
