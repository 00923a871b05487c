/** Minimal leveled logger: one line per event, so `kubectl logs` and log shippers keep each event whole. */
export interface Logger {
  /** Progress and results (stdout). */
  info(message: string): void;
  /** Something the user should look at; the job continues (stderr). */
  warn(message: string): void;
  /** The job failed (stderr). */
  error(message: string): void;
}

/** Writes `<iso time> <LEVEL> <job>: <message>` lines; multi-line messages are folded so each event is one line. */
export function createLogger(job: string): Logger {
  const line = (level: string, message: string): string =>
    `${new Date().toISOString()} ${level} ${job}: ${message.replace(/\s*\n\s*/g, ' ')}\n`;
  return {
    info: (m) => process.stdout.write(line('INFO', m)),
    warn: (m) => process.stderr.write(line('WARN', m)),
    error: (m) => process.stderr.write(line('ERROR', m)),
  };
}
