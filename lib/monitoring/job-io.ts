import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { parseJobLocation } from './locations';

// A job must never write where it reads: a report written under the input prefix is read back as data
// on the next run, and write access that covers an input lets one bad run destroy it. Only a prop the
// job reads and rewrites on purpose (the evaluation baseline) may be both.

/** A location the job reads or writes, with the prop that gave it. */
export interface JobIoLocation {
  /** The prop, e.g. `reportUrl`. */
  readonly prop: string;
  /** The URL. */
  readonly url: string;
}

/**
 * Checks the job's outputs against its inputs: no write location (and so no write permission, which
 * is scoped to its fixed key prefix) covers an input, and no output lands in an input directory.
 * A prop listed both in `reads` and `writes` is read and rewritten on purpose and is not compared with itself.
 */
export function checkJobReadsAndWrites(scope: IConstruct, reads: readonly JobIoLocation[], writes: readonly JobIoLocation[]): void {
  const lit = (l: JobIoLocation) => typeof l.url === 'string' && !Token.isUnresolved(l.url);
  const r = reads.filter(lit).map((l) => ({ ...l, loc: parseJobLocation(scope, l.prop, l.url) }));
  const w = writes.filter(lit).map((l) => ({ ...l, loc: parseJobLocation(scope, l.prop, l.url, { output: true }) }));
  for (const out of w) {
    for (const inp of r) {
      if (out.prop === inp.prop) continue;
      if (out.loc.http && inp.loc.http && out.url === inp.url) {
        throw new ValidationError(scope, out.prop, out.url, `is also the input ${inp.prop}: the job would overwrite what it reads; write the output elsewhere`);
      }
      const o = out.loc.s3;
      const i = inp.loc.s3;
      if (!o || !i || o.bucket !== i.bucket) continue;
      if (i.staticPrefix.startsWith(o.staticPrefix)) {
        throw new ValidationError(scope, out.prop, out.url, `gives the job write access to s3://${o.bucket}/${o.staticPrefix}*, which covers its input ${inp.prop} (${inp.url}): a run could overwrite or corrupt its own input; write under a prefix no input is under (e.g. s3://${o.bucket}/reports/...)`);
      }
      const inputIsDirectory = !i.key.includes('{{') && (i.key === '' || i.key.endsWith('/'));
      if (inputIsDirectory && o.key.startsWith(i.key)) {
        throw new ValidationError(scope, out.prop, out.url, `is inside the input directory ${inp.prop} (${inp.url}): the next run would read its own output as data; write it outside s3://${i.bucket}/${i.key}`);
      }
    }
  }
}

/** Throws when the reference and the current data of a drift monitor are the same location. */
export function checkDriftInputsDiffer(scope: IConstruct, reference: string, current: string): void {
  if (typeof reference !== 'string' || typeof current !== 'string' || Token.isUnresolved(reference) || Token.isUnresolved(current)) return;
  const norm = (u: string) => u.replace(/\/+$/, '');
  if (norm(reference) === norm(current)) {
    throw new ValidationError(scope, 'current.url', current, `is the reference data too (reference.url ${reference}): the monitor would compare the data with itself and never report drift; point current.url at the recent window (e.g. .../traffic/{{date-1d}}/)`);
  }
}
