import { DriftColumnKind, DriftDataFormat, DriftJobConfig, DriftMethod } from '../../lib/jobs/config';
import { analyze } from '../../lib/jobs/drift/analyze';
import { Table, isNumericString, parseCsv, readTable } from '../../lib/jobs/drift/table';
import { validateDriftConfig } from '../../lib/jobs/drift/validate';
import { validateEvalConfig } from '../../lib/jobs/eval/validate';
import { JobError, errorMessage } from '../../lib/jobs/runtime/errors';
import { backoffDelay, displayUrl, isRetryableStatus } from '../../lib/jobs/runtime/http';
import { MetricRegistry, escapeLabelValue, pushgatewayUrl, renderExposition } from '../../lib/jobs/runtime/metrics';
import { mlflowKey } from '../../lib/jobs/runtime/mlflow';
import { parseLocation } from '../../lib/jobs/runtime/storage';
import { expandTemplate, runTime } from '../../lib/jobs/runtime/template';
import { readConfigJson } from '../../lib/jobs/runtime/validate';
import { parseExposition } from './support/stubs';

describe('date templates', () => {
  const now = new Date('2024-03-01T02:30:00Z');
  test('tokens and offsets are UTC and applied before formatting', () => {
    expect(expandTemplate('s3://b/{{date}}/x', now)).toBe('s3://b/2024-03-01/x');
    expect(expandTemplate('s3://b/{{yyyy-1d}}/{{mm-1d}}/{{dd-1d}}/', now)).toBe('s3://b/2024/02/29/'); // leap day
    expect(expandTemplate('{{ date - 7d }}|{{hh-3h}}|{{date+1d}}', now)).toBe('2024-02-23|23|2024-03-02');
    expect(expandTemplate('r-{{datetime}}-{{timestamp}}.json', now)).toBe('r-20240301T023000Z-1709260200.json');
    expect(expandTemplate('no template', now)).toBe('no template');
  });
  test('unknown tokens and malformed braces fail instead of reading another path', () => {
    expect(() => expandTemplate('{{day}}', now)).toThrow('unknown template {{day}}');
    expect(() => expandTemplate('{{date-1w}}', now)).toThrow('malformed template');
    expect(() => expandTemplate('{{date', now)).toThrow('malformed template');
  });
  test('JOB_NOW moves the template clock', () => {
    expect(runTime({ JOB_NOW: '2024-05-02T03:00:00Z' }).toISOString()).toBe('2024-05-02T03:00:00.000Z');
    expect(() => runTime({ JOB_NOW: 'yesterday' })).toThrow('JOB_NOW ("yesterday") is not an ISO 8601 date-time');
  });
});

describe('Prometheus text exposition', () => {
  test('label values escape backslash, quote and line feed; HELP escapes backslash and line feed', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const reg = new MetricRegistry();
    reg.gauge('x_total', 'help with \\ and\nnewline', { feature: 'a\\b"c\nd', monitor: 'm' }, 1.5);
    reg.gauge('x_total', 'ignored', { feature: 'plain', monitor: 'm' }, NaN);
    reg.gauge('y', 'inf', {}, Infinity);
    reg.gauge('x_total', 'ignored', { monitor: 'm', feature: 'plain' }, -Infinity); // same series, labels in another order: replaced
    const text = renderExposition(reg.toFamilies());
    expect(text).toBe([
      '# HELP x_total help with \\\\ and\\nnewline', '# TYPE x_total gauge', 'x_total{feature="a\\\\b\\"c\\nd",monitor="m"} 1.5', 'x_total{feature="plain",monitor="m"} -Inf',
      '# HELP y inf', '# TYPE y gauge', 'y +Inf', '',
    ].join('\n'));
    // The independent parser of the Pushgateway stub reads back the original values.
    const parsed = parseExposition(text);
    expect(parsed.get('x_total')?.samples[0].labels.feature).toBe('a\\b"c\nd');
    expect(parsed.get('x_total')?.help).toBe('help with \\ and\nnewline');
  });
  test('invalid metric or label names are refused', () => {
    const reg = new MetricRegistry();
    expect(() => reg.gauge('bad-name', 'h', {}, 1)).toThrow('invalid metric name');
    expect(() => reg.gauge('ok', 'h', { 'bad-label': 'x' }, 1)).toThrow('invalid label name');
    expect(() => reg.gauge('ok', 'h', { __name__: 'x' }, 1)).toThrow('invalid label name');
  });
  test('grouping key: percent-encoded, or @base64 (URL-safe) for values with "/" or empty', () => {
    expect(pushgatewayUrl('http://pg:9091/', [['job', 'aiplatform-drift'], ['monitor', 'churn model'], ['path', 'a/b'], ['empty', '']]))
      .toBe('http://pg:9091/metrics/job/aiplatform-drift/monitor/churn%20model/path@base64/YS9i/empty@base64/=');
    expect(Buffer.from('YS9i', 'base64url').toString()).toBe('a/b');
  });
});

describe('HTTP helpers', () => {
  test('backoff doubles with jitter, is capped, and honours Retry-After', () => {
    const p = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 6].map((r) => backoffDelay(p, r, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(p, 0, undefined, () => 0)).toBe(50);
    expect(backoffDelay(p, 0, 3)).toBe(1000);
    expect(backoffDelay(p, 0, 0.2)).toBe(200);
    expect([429, 500, 502, 503, 408, 400, 401, 404, 501].map(isRetryableStatus)).toEqual([true, true, true, true, true, false, false, false, false]);
  });
  test('URLs in messages lose credentials and query strings', () => {
    expect(displayUrl('https://user:secret@host/p/q?X-Amz-Signature=abc')).toBe('https://host/p/q');
  });
  test('errors keep the system error code on one line', () => {
    const e = Object.assign(new Error('connect failed\n  detail'), { code: 'ECONNREFUSED' });
    expect(errorMessage(e)).toBe('connect failed detail (ECONNREFUSED)');
    expect(new JobError('x').exitCode).toBe(1);
  });
  test('MLflow keys keep their allowed characters', () => {
    expect(mlflowKey('psi.weird "label"\\x')).toBe('psi.weird _label__x');
  });
  test('locations', () => {
    expect(parseLocation('s3://bucket/a/b/')).toEqual({ kind: 's3', bucket: 'bucket', key: 'a/b/' });
    expect(parseLocation('s3://bucket')).toEqual({ kind: 's3', bucket: 'bucket', key: '' });
    expect(parseLocation('file:///tmp/x%20y.csv')).toEqual({ kind: 'file', path: '/tmp/x y.csv' });
    expect(parseLocation('https://h/x.jsonl')).toEqual({ kind: 'http', url: 'https://h/x.jsonl' });
    expect(() => parseLocation('gs://b/k')).toThrow('unsupported location gs://b/k');
  });
});

describe('config documents', () => {
  const drift = { name: 'm', reference: { url: 's3://b/ref.csv' }, current: { url: 's3://b/{{date}}/' } };
  test('JOB_CONFIG or JOB_CONFIG_FILE, with clear errors', () => {
    expect(readConfigJson({ JOB_CONFIG: '{"a":1}' }, () => '')).toEqual({ a: 1 });
    expect(readConfigJson({ JOB_CONFIG_FILE: '/cfg.json' }, () => '{"b":2}')).toEqual({ b: 2 });
    expect(() => readConfigJson({ JOB_CONFIG: '{' }, () => '')).toThrow('JOB_CONFIG is not valid JSON');
    expect(() => readConfigJson({ JOB_CONFIG_FILE: '/nope' }, () => { throw new Error('ENOENT'); })).toThrow('cannot read JOB_CONFIG_FILE (/nope): ENOENT');
  });
  test.each([
    [{ ...drift, name: 'bad name' }, 'JOB_CONFIG.name must be letters, digits'],
    [{ ...drift, reference: {} }, 'JOB_CONFIG.reference.url is required'],
    [{ ...drift, current: { url: 'x', format: 'parquet' } }, 'JOB_CONFIG.current.format must be one of csv, jsonl (got "parquet")'],
    [{ ...drift, bins: 1 }, 'JOB_CONFIG.bins must be an integer >= 2 and <= 100 (got 1)'],
    [{ ...drift, thresholds: { psi: -1 } }, 'JOB_CONFIG.thresholds.psi must be a number > 0 (got -1)'],
    [{ ...drift, thresholds: { ks: 0.1 } }, 'JOB_CONFIG.thresholds: unknown field "ks"'],
    [{ ...drift, numericMethods: ['chi_square'] }, 'JOB_CONFIG.numericMethods: chi_square does not apply to numeric columns'],
    [{ ...drift, columns: [{ name: 'a', kind: 'categorical', methods: ['ks'] }] }, 'JOB_CONFIG.columns[0].methods: ks does not apply to a categorical column'],
    [{ ...drift, columns: [{ name: 'a' }, { name: 'a' }] }, 'JOB_CONFIG.columns[1].name: column "a" is listed twice'],
    [{ ...drift, mlflow: { trackingUri: 'http://m', usernameEnv: 'U' } }, 'usernameEnv and passwordEnv go together'],
    [{ ...drift, pushgateway: { url: 'pg:9091' } }, 'JOB_CONFIG.pushgateway.url must be an http(s):// URL'],
    [{ ...drift, current: { url: 'x', delimiter: ';;' } }, 'delimiter must be one character'],
  ])('drift config %#: %s', (raw, message) => {
    expect(() => validateDriftConfig(raw)).toThrow(message);
  });
  test('a valid drift config passes unchanged', () => {
    const cfg = { ...drift, columns: [{ name: 'age', kind: DriftColumnKind.NUMERIC, methods: [DriftMethod.KS, DriftMethod.PSI], thresholds: { ksPValue: 0.01 }, bins: 20 }], failOnDrift: true };
    expect(validateDriftConfig(cfg)).toBe(cfg);
  });
  const evalCfg = { name: 'e', datasetUrl: 'file:///d.jsonl', model: { baseUrl: 'http://m', model: 'x' } };
  test.each([
    [{ ...evalCfg, model: { baseUrl: 'http://m' } }, 'JOB_CONFIG.model.model is required'],
    [{ ...evalCfg, gates: [{ metric: 'pass_rate' }] }, 'JOB_CONFIG.gates[0]: give min, max or both'],
    [{ ...evalCfg, gates: [{ metric: 'pass_rate', min: 0.9, max: 0.5 }] }, 'min (0.9) is greater than max (0.5)'],
    [{ ...evalCfg, gates: [{ metric: 'pass_rate', min: 0.5 }, { metric: 'pass_rate', max: 1 }] }, '"pass_rate" has two gates of this kind'],
    [{ ...evalCfg, regression: {} }, 'a regression check needs a baseline: set regression.baselineUrl or mlflow'],
    [{ ...evalCfg, concurrency: 0 }, 'JOB_CONFIG.concurrency must be an integer >= 1 and <= 256 (got 0)'],
    [{ ...evalCfg, judge: { baseUrl: 'http://j', model: 'j', passScore: 2 } }, 'JOB_CONFIG.judge.passScore must be a number >= 0 and <= 1 (got 2)'],
  ])('eval config %#: %s', (raw, message) => {
    expect(() => validateEvalConfig(raw)).toThrow(message);
  });
});

describe('CSV and JSON Lines', () => {
  const rows = (text: string, delimiter = ','): [string[], number][] => {
    const out: [string[], number][] = [];
    parseCsv(text, 'f.csv', delimiter, (f, l) => out.push([f, l]));
    return out;
  };
  test('RFC 4180: quotes, doubled quotes, delimiters and line breaks in fields, CRLF, BOM, blank lines', () => {
    expect(rows('\uFEFFa,b\r\n"x, y","he said ""hi"""\r\n\r\n"multi\nline",\n')).toEqual([[['a', 'b'], 1], [['x, y', 'he said "hi"'], 2], [['multi\nline', ''], 4]]);
    expect(rows('a;b\n1;"2;3"', ';')).toEqual([[['a', 'b'], 1], [['1', '2;3'], 2]]);
    expect(rows('a,b\n"",x')).toEqual([[['a', 'b'], 1], [['', 'x'], 2]]);
  });
  test('malformed CSV names the object and line', () => {
    expect(() => rows('a\n"open\n\n')).toThrow('f.csv line 2: unterminated quoted field');
    expect(() => rows('a,b\n"x"y,z')).toThrow('f.csv line 2: unexpected "y" after a closing quote');
    const obj = (body: string) => [{ name: 'o.csv', body: Buffer.from(body) }];
    expect(() => readTable(obj('a,b\n1,2,3\n'), undefined, ',')).toThrow('o.csv line 2: 3 fields where the header has 2');
    expect(() => readTable(obj('a,a\n1,2\n'), undefined, ',')).toThrow('the header names column "a" twice');
    expect(() => readTable([{ name: 'o.jsonl', body: Buffer.from('{"a":1}\n{"a":\n') }], undefined, ',')).toThrow('o.jsonl line 2: not valid JSON');
    expect(() => readTable([{ name: 'o.json', body: Buffer.from('[1]') }], undefined, ',')).toThrow('cannot tell the format');
  });
  test('objects of both formats merge by column name; sparse JSON keys become nulls', () => {
    const t = readTable([
      { name: 'a.csv', body: Buffer.from('x,y\n1,a\n') },
      { name: 'b', body: Buffer.from('{"x": 2, "z": {"k": 1}}\n{"y": null}\n') },
    ], undefined, ',');
    expect(t.columns).toEqual(['x', 'y', 'z']);
    expect(t.rows).toBe(3);
    expect(t.cells.get('x')).toEqual(['1', 2, null]);
    expect(t.cells.get('y')).toEqual(['a', null, null]);
    expect(t.cells.get('z')).toEqual([null, '{"k":1}', null]);
    expect(readTable([{ name: 'x.txt', body: Buffer.from('a\n1\n') }], DriftDataFormat.CSV, ',').rows).toBe(1);
  });
  test('numeric strings are plain decimals only', () => {
    expect(['1', '-2.5', '.5', '1e-3', ' 7 ', '+3.'].every(isNumericString)).toBe(true);
    expect(['', 'NaN', 'Infinity', '0x10', '1,5', '1e'].some(isNumericString)).toBe(false);
  });
});

describe('column analysis edge cases', () => {
  const table = (cols: { [c: string]: (string | number | null)[] }): Table => {
    const columns = Object.keys(cols);
    return { columns, rows: cols[columns[0]].length, cells: new Map(columns.map((c) => [c, cols[c]])) };
  };
  const cfg = (over: Partial<DriftJobConfig> = {}): DriftJobConfig => ({ name: 'm', reference: { url: 'r' }, current: { url: 'c' }, ...over });
  const rep = (n: number, v: string | number | null) => Array<string | number | null>(n).fill(v);

  test('missing values are excluded and reported; all-missing current counts as drifted', () => {
    const a = analyze(cfg(), table({ x: [...rep(30, 1), ...rep(30, 2)], y: rep(60, 'a') }), table({ x: [...rep(30, 'NaN'), ...rep(30, '')], y: [...rep(40, 'a'), ...rep(20, null)] }));
    const [x, y] = a.columns;
    expect(x).toMatchObject({ status: 'empty_in_current', drifted: true, evaluated: true });
    expect(x.current?.missingShare).toBe(1);
    expect(y).toMatchObject({ status: 'ok', drifted: false, kind: DriftColumnKind.CATEGORICAL });
    expect(y.current?.missingShare).toBeCloseTo(1 / 3, 15);
    expect(y.notes.join(' ')).toContain('single category in the reference');
  });

  test('non-numbers in a numeric column are counted and ignored; tiny samples are flagged', () => {
    const a = analyze(cfg(), table({ x: [1, 2, 3, 4] }), table({ x: ['5', 'oops', 6] }));
    expect(a.columns[0].kind).toBe(DriftColumnKind.NUMERIC);
    expect(a.columns[0].current?.invalid).toBe(1);
    expect(a.columns[0].notes).toEqual(expect.arrayContaining(['1 current values of "x" are not finite numbers: ignored', 'small sample (4 reference, 2 current values): tests have little power']));
  });

  test('declared kinds, per-column methods and thresholds, ignore lists and declared-only mode', () => {
    const ref = table({ code: ['1', '2', '1', '2'], v: [1, 2, 3, 4], id: ['a', 'b', 'c', 'd'] });
    const cur = table({ code: ['1', '1', '1', '2'], v: [1, 2, 3, 4], id: ['e', 'f', 'g', 'h'] });
    const a = analyze(cfg({ ignoreColumns: ['id', 'ghost'], columns: [{ name: 'code', kind: DriftColumnKind.CATEGORICAL, methods: [DriftMethod.PSI], thresholds: { psi: 0.05 } }] }), ref, cur);
    expect(a.columns.map((c) => c.column)).toEqual(['code', 'v']);
    expect(a.columns[0]).toMatchObject({ kind: 'categorical', methods: ['psi'], drifted: true, flaggedBy: ['psi'] });
    expect(a.columns[0].thresholds).toEqual({ psi: 0.05, ksPValue: 0.05, chiSquarePValue: 0.05, jensenShannon: 0.1 });
    expect(a.notes).toEqual(['ignored column "ghost" is in neither window']);
    expect(a).toMatchObject({ evaluated: 2, drifted: 1, share: 0.5, datasetDrift: true });
    const only = analyze(cfg({ onlyDeclaredColumns: true, columns: [{ name: 'v' }] }), ref, cur);
    expect(only.columns.map((c) => c.column)).toEqual(['v']);
  });

  test('a declared column in neither window, or a method that does not fit the inferred kind, is a config error', () => {
    const t = table({ a: ['x', 'y'] });
    expect(() => analyze(cfg({ columns: [{ name: 'ghost' }] }), t, t)).toThrow('JOB_CONFIG.columns[0]: column "ghost" is in neither the reference nor the current window');
    expect(() => analyze(cfg({ categoricalMethods: [DriftMethod.KS] }), t, t)).toThrow('JOB_CONFIG.categoricalMethods: ks does not apply to the categorical column "a"');
  });

  test('empty reference values and new columns are reported, not compared', () => {
    const a = analyze(cfg(), table({ a: [null, ''], b: [1, 2] }), table({ a: ['x', 'y'], b: [1, 2], c: [1, 1] }));
    expect(a.columns[0]).toMatchObject({ column: 'a', status: 'empty_in_reference', evaluated: false });
    expect(a.notes).toEqual(['columns only in the current window, not compared: c']);
    expect(a.evaluated).toBe(1);
  });
});
