import { DriftDataFormat } from '../config';
import { JobError } from '../runtime/errors';
import { forEachLine } from '../runtime/lines';
import { StoredObject } from '../runtime/storage';

/** A raw cell: CSV gives strings, JSON Lines gives primitives (objects and arrays are kept as JSON text). */
export type Cell = string | number | boolean | null;

/** Column-oriented table: `cells.get(col)[row]`, null where a row has no value for the column. */
export interface Table {
  /** Column names in first-seen order. */
  readonly columns: string[];
  /** Number of rows. */
  readonly rows: number;
  /** Values per column. */
  readonly cells: Map<string, Cell[]>;
}

/** Accumulates rows of possibly different shapes (files with different headers, sparse JSON objects). */
class TableBuilder {
  public readonly columns: string[] = [];
  public readonly cells = new Map<string, Cell[]>();
  public rows = 0;

  public add(record: ReadonlyArray<readonly [string, Cell]>): void {
    for (const [col, value] of record) {
      let arr = this.cells.get(col);
      if (!arr) {
        arr = new Array<Cell>(this.rows).fill(null);
        this.cells.set(col, arr);
        this.columns.push(col);
      }
      arr[this.rows] = value;
    }
    this.rows++;
    for (const arr of this.cells.values()) if (arr.length < this.rows) arr.length = this.rows;
  }

  public build(): Table {
    for (const arr of this.cells.values()) for (let i = 0; i < this.rows; i++) if (arr[i] === undefined) arr[i] = null;
    return { columns: this.columns, rows: this.rows, cells: this.cells };
  }
}

/**
 * Parses RFC 4180 CSV: quoted fields may hold delimiters, `""` and line breaks; CRLF or LF line ends;
 * a UTF-8 BOM is skipped; blank lines are ignored. Errors name the object and the line.
 * Calls `onRecord(fields, line)` for each record, the header included.
 */
export function parseCsv(text: string, name: string, delimiter: string, onRecord: (fields: string[], line: number) => void): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        blank = false;
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new JobError(`${name} line ${quoteLine}: unterminated quoted field (a '"' opened here is never closed)`);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new JobError(`${name} line ${line}: unexpected ${JSON.stringify(text[i])} after a closing quote (quote the whole field and double inner quotes)`);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
        if (field !== '') blank = false;
      }
      fields.push(field);
      if (i < n && text[i] === delimiter) {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(blank && fields.length === 1)) onRecord(fields, recordLine);
  }
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a string is a plain decimal number (not "NaN", "Infinity", hex or empty). */
export function isNumericString(s: string): boolean {
  return NUMERIC.test(s.trim());
}

function detectFormat(obj: StoredObject, declared: DriftDataFormat | undefined): DriftDataFormat {
  if (declared) return declared;
  const base = obj.name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return DriftDataFormat.CSV;
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) return DriftDataFormat.JSONL;
  const first = obj.body.toString('utf8', 0, Math.min(obj.body.length, 256)).replace(/^\uFEFF/, '').trimStart();
  if (first.startsWith('{')) return DriftDataFormat.JSONL;
  throw new JobError(`${obj.name}: cannot tell the format from the name (use .csv, .jsonl or .ndjson, or set format: csv|jsonl)`);
}

/** Reads objects (CSV or JSON Lines, per object) into one table; columns are matched by name. */
export function readTable(objects: readonly StoredObject[], format: DriftDataFormat | undefined, delimiter: string): Table {
  const builder = new TableBuilder();
  for (const obj of objects) {
    if (detectFormat(obj, format) === DriftDataFormat.CSV) {
      const text = obj.body.toString('utf8');
      let header: string[] | undefined;
      parseCsv(text, obj.name, delimiter, (fields, line) => {
        if (!header) {
          const seen = new Set<string>();
          for (const f of fields) {
            if (f.trim() === '') throw new JobError(`${obj.name} line ${line}: the header has an empty column name`);
            if (seen.has(f)) throw new JobError(`${obj.name} line ${line}: the header names column "${f}" twice`);
            seen.add(f);
          }
          header = fields;
          return;
        }
        if (fields.length !== header.length) {
          throw new JobError(`${obj.name} line ${line}: ${fields.length} fields where the header has ${header.length}`);
        }
        const h = header;
        builder.add(fields.map((f, k) => [h[k], f] as const));
      });
    } else {
      forEachLine(obj.body, (raw, line) => {
        const l = raw.trim();
        if (l === '') return;
        let v: unknown;
        try {
          v = JSON.parse(l);
        } catch (e) {
          throw new JobError(`${obj.name} line ${line}: not valid JSON (${(e as Error).message})`);
        }
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JobError(`${obj.name} line ${line}: expected a JSON object per line`);
        builder.add(Object.entries(v).map(([col, x]) => [col, x === null || typeof x !== 'object' ? (x as Cell) : JSON.stringify(x)] as const));
      });
    }
  }
  return builder.build();
}
