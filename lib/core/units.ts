/**
 * An amount of memory or storage. Kubernetes quantities and AWS sizes are derived from it so the
 * unit is never guessed from a bare number.
 */
export class Size {
  /** A size in mebibytes. */
  public static mebibytes(amount: number): Size {
    return new Size(amount * 1024 ** 2);
  }

  /** A size in gibibytes. */
  public static gibibytes(amount: number): Size {
    return new Size(amount * 1024 ** 3);
  }

  /** A size in tebibytes. */
  public static tebibytes(amount: number): Size {
    return new Size(amount * 1024 ** 4);
  }

  private constructor(private readonly bytes: number) {
    if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`Size must be a non-negative finite amount, got ${bytes} bytes`);
  }

  /** Size in bytes. */
  public toBytes(): number {
    return this.bytes;
  }

  /** Size in mebibytes (may be fractional). */
  public toMebibytes(): number {
    return this.bytes / 1024 ** 2;
  }

  /** Size in gibibytes (may be fractional). */
  public toGibibytes(): number {
    return this.bytes / 1024 ** 3;
  }

  /** Kubernetes quantity in the largest binary unit that keeps it an integer (`16Gi`, `512Mi`). */
  public toKubernetes(): string {
    for (const [unit, factor] of [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
      if (this.bytes >= factor && Number.isInteger(this.bytes / factor)) return `${this.bytes / factor}${unit}`;
    }
    return `${Math.ceil(this.bytes)}`;
  }
}

/** A length of time. */
export class Duration {
  /** A duration in seconds. */
  public static seconds(amount: number): Duration {
    return new Duration(amount);
  }

  /** A duration in minutes. */
  public static minutes(amount: number): Duration {
    return new Duration(amount * 60);
  }

  /** A duration in hours. */
  public static hours(amount: number): Duration {
    return new Duration(amount * 3600);
  }

  /** A duration in days. */
  public static days(amount: number): Duration {
    return new Duration(amount * 86400);
  }

  private constructor(private readonly secs: number) {
    if (!Number.isFinite(secs) || secs < 0) throw new Error(`Duration must be a non-negative finite amount, got ${secs} seconds`);
  }

  /** Whole seconds (rounded up: a timeout must never shrink). */
  public toSeconds(): number {
    return Math.ceil(this.secs);
  }

  /** Whole minutes (rounded up). */
  public toMinutes(): number {
    return Math.ceil(this.secs / 60);
  }

  /** Whole days (rounded up). */
  public toDays(): number {
    return Math.ceil(this.secs / 86400);
  }

  /** Go/Kubernetes duration text (`90s`, `5m`, `2h`), as Karpenter and Prometheus expect. */
  public toGoDuration(): string {
    const s = this.toSeconds();
    if (s % 3600 === 0 && s > 0) return `${s / 3600}h`;
    if (s % 60 === 0 && s > 0) return `${s / 60}m`;
    return `${s}s`;
  }
}
