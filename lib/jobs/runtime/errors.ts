import { JobExitCode } from '../config';

/**
 * An error the job reports as one line and turns into an exit code. Everything the user can fix
 * (config, input, endpoints) is thrown as a JobError with a message that names the thing to fix.
 */
export class JobError extends Error {
  /** Exit code of the process when this error ends the job. */
  public readonly exitCode: JobExitCode;

  /**
   * @param message one line naming what failed and what to fix
   * @param exitCode process exit code
   */
  public constructor(message: string, exitCode: JobExitCode = JobExitCode.JOB_ERROR) {
    super(message);
    this.name = 'JobError';
    this.exitCode = exitCode;
  }
}

/** One-line text of anything thrown; Node system errors keep their code (ECONNREFUSED says more than the text). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message || e.name;
    const line = code && !msg.includes(code) ? `${msg} (${code})` : msg;
    return line.replace(/\s*\n\s*/g, ' ');
  }
  return String(e).replace(/\s*\n\s*/g, ' ');
}
