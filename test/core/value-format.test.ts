// One vocabulary (issue 22): a size, a duration and a percentage print one way in every message
// (`64 GiB`, `90 seconds`, `92.5%`), never as a Kubernetes quantity (`64Gi`), a Go duration (`90s`),
// a bare number that lost its unit, or a JSON dump of the value object. Manifests keep the
// Kubernetes forms: only human messages are checked here.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { Testing } from 'cdktf';
import { AiPlatform, Duration, Size, ValidationError } from '../../lib';
import { formatBytes, formatGibibytes, formatPercent, formatSeconds } from '../../lib/core/units';
import { base, cluster, Edit, MODEL, model, observability, pool, registry } from '../harness/bad-props';

describe('the formatters', () => {
  test('Size prints in the largest binary unit that keeps it exact, with the IEC unit name', () => {
    expect(Size.gibibytes(64).toString()).toBe('64 GiB');
    expect(Size.mebibytes(1536).toString()).toBe('1.5 GiB');
    expect(Size.gibibytes(1100).toString()).toBe('1100 GiB');
    expect(Size.tebibytes(16).toString()).toBe('16 TiB');
    expect(Size.mebibytes(512).toString()).toBe('512 MiB');
    expect(Size.mebibytes(0).toString()).toBe('0 bytes');
    expect(formatGibibytes(71.3456)).toBe('71.35 GiB');
    expect(formatGibibytes(-2.5)).toBe('-2.5 GiB');
    expect(formatBytes(1024 * 1.25)).toBe('1.25 KiB');
    // The manifest form is untouched.
    expect(Size.gibibytes(12).toKubernetes()).toBe('12Gi');
  });

  test('Duration prints in the largest unit that keeps it exact, singular or plural', () => {
    expect(Duration.seconds(90).toString()).toBe('90 seconds');
    expect(Duration.seconds(1).toString()).toBe('1 second');
    expect(Duration.minutes(5).toString()).toBe('5 minutes');
    expect(Duration.minutes(90).toString()).toBe('90 minutes');
    expect(Duration.hours(2).toString()).toBe('2 hours');
    expect(Duration.days(7).toString()).toBe('7 days');
    expect(Duration.seconds(1.5).toString()).toBe('1.5 seconds');
    expect(Duration.millis(250).toString()).toBe('250 milliseconds');
    expect(Duration.seconds(0).toString()).toBe('0 seconds');
    expect(formatSeconds(86400 * 30)).toBe('30 days');
    expect(Duration.minutes(5).toGoDuration()).toBe('5m');
  });

  test('Duration converts to the number a field needs', () => {
    expect(Duration.millis(500).toMilliseconds()).toBe(500);
    expect(Duration.seconds(30).toMilliseconds()).toBe(30000);
    expect(Duration.millis(100).toFractionalSeconds()).toBe(0.1);
    expect(Duration.millis(1500).toSeconds()).toBe(2);
  });

  test('a percentage prints as a percent with at most two decimals', () => {
    expect(formatPercent(0.05)).toBe('5%');
    expect(formatPercent(0.925)).toBe('92.5%');
    expect(formatPercent(1)).toBe('100%');
  });

  test('an error message prints a Size or Duration value with its unit (its JSON form), not as its fields', () => {
    expect(JSON.stringify({ memory: Size.gibibytes(64), timeout: Duration.minutes(5) })).toBe('{"memory":"64 GiB","timeout":"5 minutes"}');
    expect(new ValidationError('fn', 'memory', Size.gibibytes(12), 'must be larger').message).toBe('fn: memory ("12 GiB") is invalid: must be larger');
  });
});

// --- messages of bad props, through AiPlatform as users meet them --------------------------------

const SCALED = { ...MODEL, replicas: { min: 1, max: 2 } };
const autoscaling = (o: object): Edit => (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [SCALED], autoscaling: o }] });

// [name, edit, the bad value as the message must print it, the valid range as it must print it]
const CASES: [string, Edit, string, string][] = [
  ['log retention CloudWatch rejects', cluster({ logRetention: Duration.days(45) }), 'logRetention ("45 days")', 'one of 1 day, 3 days'],
  ['KMS window in hours', cluster({ kmsKeyDeletionWindow: Duration.hours(36) }), 'kmsKeyDeletionWindow ("36 hours")', 'between 7 days and 30 days, a whole number of days'],
  ['Prometheus retention under 2 hours', observability({ retention: Duration.minutes(30) }), 'retention ("30 minutes")', 'between 2 hours and'],
  ['Prometheus disk too small', observability({ storageSize: Size.mebibytes(10) }), 'storageSize ("10 MiB")', 'between 1 GiB and 16 TiB'],
  ['short backups', registry({ database: { backupRetention: Duration.days(3) } }), 'database.backupRetention ("3 days")', 'at least 7 days'],
  ['RDS disk too small', registry({ database: { allocatedStorage: Size.gibibytes(10) } }), 'database.allocatedStorage ("10 GiB")', 'between 20 GiB and 64 TiB'],
  ['replica memory beyond the node', model({ memory: Size.tebibytes(4) }), 'models[0].memory ("4 TiB")', 'GiB, and the node keeps ~10% for the system'],
  ['shm larger than half the memory', (p) => pool({ instanceTypes: ['g6e.12xlarge'] })(model({ tensorParallelSize: 2, memory: Size.gibibytes(16), shmSize: Size.gibibytes(12) })(p)), 'models[0].shmSize ("12 GiB")', 'half of memory (16 GiB)'],
  ['grace period too long on spot', model({ terminationGracePeriod: Duration.minutes(5) }), 'models[0].terminationGracePeriod ("5 minutes")', 'between 10 seconds and 2 minutes'],
  ['fractional preStop sleep', model({ preStopSleep: Duration.seconds(1.5) }), 'models[0].preStopSleep ("1.5 seconds")', 'a whole number of seconds'],
  ['KEDA polling too fast', autoscaling({ pollingInterval: Duration.seconds(2) }), 'autoscaling.pollingInterval ("2 seconds")', 'between 5 seconds and 10 minutes, a whole number of seconds (KEDA pollingInterval counts seconds)'],
  ['a bare number where a Duration goes (JavaScript users)', autoscaling({ pollingInterval: 15 }), 'autoscaling.pollingInterval (15)', 'must be a Duration (e.g. Duration.seconds(15))'],
  ['nodes expiring within the hour', pool({ expireAfter: Duration.minutes(30) }), 'expireAfter ("30 minutes")', 'at least 1 hour'],
  ['freeze in seconds', pool({ disruptionFreeze: { schedule: '0 8 * * *', duration: Duration.seconds(90) } }), 'disruptionFreeze.duration ("90 seconds")', 'whole number of minutes'],
  ['model too large for the GPU', model({ model: 'meta-llama/Llama-3.1-70B-Instruct' }), 'models[0].model', ' GiB per GPU'],
];

/** Forms a size, duration or percentage must not take in a message. */
const OTHER_FORMS: [string, RegExp][] = [
  ['a Kubernetes quantity (12Gi)', /\b\d+(\.\d+)?(Ki|Mi|Gi|Ti)\b/],
  ['a Go duration as a value (90s)', /\(\s*"?\d+(\.\d+)?(ms|s|m|h|d)"?\s*\)/],
  ['a unit glued to the number (48GB, 16GiB)', /\b\d+(\.\d+)?(GB|GiB|MiB|TiB)\b/],
  ['a JSON dump of a value object', /\{"(bytes|secs)"/],
  ['a percent with a space (10 %)', /\d %/],
  ['a time prop suffixed with its unit', /\((s|ms|seconds|bytes)\)/],
  ['more than two decimals on a size', /\d\.\d{3,} (KiB|MiB|GiB|TiB)/],
];

function messageOf(edit: Edit): string {
  try {
    new AiPlatform(Testing.app({ stackTraces: false }), 'ai', edit(base()));
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('messages of bad props print values one way', () => {
  test.each(CASES)('%s', (_name, edit, value, valid) => {
    const message = messageOf(edit);
    expect(message).toContain(value);
    expect(message).toContain(valid);
    const wrong = OTHER_FORMS.filter(([, re]) => re.test(message)).map(([what]) => what);
    expect(wrong).toEqual([]);
  });

  test('the forbidden forms are recognised (the check can fail)', () => {
    const old = ['x: memory ("12Gi") is invalid', 'x: retention ("30m") is invalid', 'x: pause (s) (12) is invalid', 'of L40S 48GB', 'keeps ~10 % free', 'needs 71.3456 GiB'];
    for (const m of old) expect(OTHER_FORMS.some(([, re]) => re.test(m))).toBe(true);
  });
});

// --- the source: every message builder in lib/ -------------------------------------------------

const root = path.resolve(__dirname, '..', '..');
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The text of every `new ValidationError(...)`, `check(...)`, `validate*(...)` and `addWarning/addInfo/addError(...)` call in lib/ (the job runtime's own logs excluded). */
function messageCalls(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const libDir = path.join(root, 'lib');
  for (const file of filesUnder(libDir).filter((f) => !f.includes(`${path.sep}jobs${path.sep}`) || f.endsWith(`jobs${path.sep}config.ts`))) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      let callee: string | undefined;
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) callee = node.expression.text;
      if (ts.isCallExpression(node)) callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined;
      if (callee && /^(ValidationError|check|that|validate[A-Z]\w*|addWarning|addInfo|addError)$/.test(callee)) {
        out.push({ where: `${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, text: node.getText() });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

describe('message builders in lib/ use the one formatter', () => {
  const calls = messageCalls();

  test('the scan sees the message builders', () => {
    expect(calls.length).toBeGreaterThan(300);
    expect(calls.some((c) => c.where.startsWith('lib/serving/model-plan.ts') && c.text.includes('gib('))).toBe(true);
  });

  // Kubernetes quantities, Go durations and hand-made units belong in manifests, not in messages.
  const FORBIDDEN: [string, RegExp][] = [
    ['Size.toKubernetes() in a message (use the Size itself or its toString)', /\.toKubernetes\(\)/],
    ['Duration.toGoDuration() in a message (use the Duration itself or its toString)', /\.toGoDuration\(\)/],
    ['a hand-made GiB/MiB figure (use formatGibibytes/formatBytes or a Size)', /\.toFixed\(\d\)\}\s*(GiB|MiB|Gi|Mi|GB)/],
    ['a hand-made Kubernetes unit after a number (use a Size)', /\}(Gi|Mi|Ti|GB)\b/],
    ['a duration rendered as seconds by hand (use the Duration)', /\}s\)|\}s`|\$\{[^}]*\.toSeconds\(\)\}/],
    ['a prop name with a unit suffix in parentheses (validate the Duration/Size instead)', /\((s|ms|seconds|bytes)\)[`'"]/],
    ['a Duration or Size checked as a bare number (its unit is lost; use validateDuration/validateSize)', /^validate(Integer|Number|OneOf)\([\s\S]*\.(toSeconds|toMinutes|toDays|toMilliseconds|toGibibytes|toMebibytes|toBytes)\(\)/],
  ];

  test.each(FORBIDDEN)('not in any message: %s', (_what, re) => {
    const found = calls.filter((c) => re.test(c.text)).map((c) => `${c.where}: ${c.text.slice(0, 140)}`);
    expect(found).toEqual([]);
  });
});
