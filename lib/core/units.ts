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

  /**
   * The size as messages print it (`64 GiB`, `1.5 GiB`, `512 MiB`): binary units with their IEC
   * names, exact where two decimals suffice. Kubernetes manifests take {@link Size.toKubernetes}.
   */
  public toString(): string {
    return formatBytes(this.bytes);
  }

  /** The JSON form is the message text (`"64 GiB"`), so error messages that print a value as JSON show the unit. */
  public toJSON(): string {
    return this.toString();
  }
}

/** A length of time. */
export class Duration {
  /** A duration in milliseconds. */
  public static millis(amount: number): Duration {
    return new Duration(amount / 1000);
  }

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

  /** Seconds, with the fraction kept (for fields that take fractional seconds, such as latencies). */
  public toFractionalSeconds(): number {
    return this.secs;
  }

  /** Whole milliseconds (rounded up: a timeout must never shrink). */
  public toMilliseconds(): number {
    return Math.ceil(Math.round(this.secs * 1e6) / 1e3);
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

  /**
   * The duration as messages print it, in the largest unit that keeps it exact (`90 seconds`,
   * `5 minutes`, `2 hours`, `7 days`, `250 milliseconds`). Kubernetes, Karpenter and Prometheus fields
   * take {@link Duration.toGoDuration} or {@link Duration.toSeconds}.
   */
  public toString(): string {
    return formatSeconds(this.secs);
  }

  /** The JSON form is the message text (`"90 seconds"`), so error messages that print a value as JSON show the unit. */
  public toJSON(): string {
    return this.toString();
  }
}

/** At most `digits` decimals, no trailing zeros (`71.3`, `64`). */
function trimNumber(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** Binary units, largest first (a function, not a module constant: the job bundles import this module's neighbours and keep no unused data). */
function binaryUnits(): ReadonlyArray<readonly [string, number]> {
  return [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]];
}

/**
 * The one way a size prints in messages (internal; {@link Size.toString} uses it). Takes bytes so
 * estimates that are not a `Size` (and may be negative, such as a KV-cache budget that does not fit)
 * print the same way.
 */
export function formatBytes(bytes: number): string {
  const units = binaryUnits();
  const abs = Math.abs(bytes);
  const i = units.findIndex(([, factor]) => abs >= factor);
  if (i < 0) return `${trimNumber(bytes, 0)} bytes`;
  const [unit, factor] = units[i];
  const v = abs / factor;
  // In the largest unit that keeps it at least 1 (1.5 GiB) when two decimals show it exactly; else
  // as a whole number of the next unit down if it is one (1100 GiB, not 1.07 TiB); else rounded.
  if (Math.abs(v - Number(v.toFixed(2))) > 1e-9 * v && i + 1 < units.length) {
    const [smaller, smallerFactor] = units[i + 1];
    if (Number.isInteger(abs / smallerFactor)) return `${bytes / smallerFactor} ${smaller}`;
  }
  return `${trimNumber(bytes / factor, 2)} ${unit}`;
}

/**
 * A size given in GiB (sizing estimates, catalog figures) for messages: GiB with at most two
 * decimals, so the figures of one sizing message compare at a glance (internal).
 */
export function formatGibibytes(gib: number): string {
  return `${trimNumber(gib, 2)} GiB`;
}

/** The one way a duration prints in messages (internal; {@link Duration.toString} uses it). */
export function formatSeconds(secs: number): string {
  const plural = (n: string, unit: string): string => `${n} ${unit}${n === '1' ? '' : 's'}`;
  if (secs === 0) return '0 seconds';
  for (const [unit, factor] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    if (secs >= factor && Number.isInteger(Math.round(secs * 1e6) / 1e6 / factor)) return plural(String(Math.round(secs / factor)), unit);
  }
  if (secs < 1) return plural(trimNumber(secs * 1000, 3), 'millisecond');
  return plural(trimNumber(secs, 3), 'second');
}

/** The one way a fraction prints as a percentage in messages (`0.925` → `92.5%`; internal). */
export function formatPercent(fraction: number): string {
  return `${trimNumber(fraction * 100, 2)}%`;
}
