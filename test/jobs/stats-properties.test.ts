// Property-based tests of the drift statistics' invariants (fast-check): whatever the samples, PSI is
// non-negative, identical samples show no drift, the distances stay in their ranges, and a column that
// is constant in the reference and moved in the current window drifts by every method.
import fc from 'fast-check';
import { DriftColumnKind, DriftJobConfig, DriftMethod } from '../../lib/jobs/config';
import { analyze } from '../../lib/jobs/drift/analyze';
import { Cell, Table } from '../../lib/jobs/drift/table';
import { binCounts, jensenShannonDistance, ksTwoSample, psi, quantileBins, sortedCopy } from '../../lib/jobs/runtime/stats';

// Fixed seed: a failure is reproducible from the log; fast-check prints the shrunk counterexample.
const RUNS = { seed: 1612, numRuns: 200 };

/** Samples with ties and point masses, not only continuous values: that is where binning broke. */
const value = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0, 1, 42),
);
const sample = fc.array(value, { minLength: 1, maxLength: 80 });
const bins = fc.integer({ min: 2, max: 20 });

function binned(ref: readonly number[], cur: readonly number[], b: number): { rc: number[]; cc: number[] } {
  const { edges, atoms } = quantileBins(sortedCopy(ref), b);
  return { rc: binCounts(ref, edges, atoms), cc: binCounts(cur, edges, atoms) };
}

function table(cols: { [c: string]: Cell[] }): Table {
  const columns = Object.keys(cols);
  return { columns, rows: columns.length ? cols[columns[0]].length : 0, cells: new Map(Object.entries(cols)) };
}

const CONFIG: DriftJobConfig = {
  name: 'p', reference: { url: 'r' }, current: { url: 'c' },
  numericMethods: [DriftMethod.PSI, DriftMethod.KS, DriftMethod.JENSEN_SHANNON],
};

describe('drift statistics: invariants', () => {
  test('PSI >= 0, JS in [0, 1], KS D and p in [0, 1], for any samples and bin count', () => {
    fc.assert(fc.property(sample, sample, bins, (ref, cur, b) => {
      const { rc, cc } = binned(ref, cur, b);
      const p = psi(rc, cc, 1e-4);
      const js = jensenShannonDistance(rc, cc);
      const ks = ksTwoSample(ref, cur);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(p)).toBe(true);
      expect(js).toBeGreaterThanOrEqual(0);
      expect(js).toBeLessThanOrEqual(1);
      expect(ks.statistic).toBeGreaterThanOrEqual(0);
      expect(ks.statistic).toBeLessThanOrEqual(1);
      expect(ks.pValue).toBeGreaterThanOrEqual(0);
      expect(ks.pValue).toBeLessThanOrEqual(1);
    }), RUNS);
  });

  test('identical samples (in any order): PSI 0, JS 0, KS D 0 and p 1', () => {
    fc.assert(fc.property(sample, bins, (ref, b) => {
      const cur = [...ref].reverse();
      const { rc, cc } = binned(ref, cur, b);
      expect(psi(rc, cc, 1e-4)).toBe(0);
      expect(jensenShannonDistance(rc, cc)).toBe(0);
      expect(ksTwoSample(ref, cur)).toMatchObject({ statistic: 0, pValue: 1 });
    }), RUNS);
  });

  test('every value lands in exactly one bin', () => {
    fc.assert(fc.property(sample, sample, bins, (ref, cur, b) => {
      const { rc, cc } = binned(ref, cur, b);
      expect(rc.reduce((s, x) => s + x, 0)).toBe(ref.length);
      expect(cc.reduce((s, x) => s + x, 0)).toBe(cur.length);
    }), RUNS);
  });

  test('Jensen–Shannon with an empty side is 1 (not NaN), with two empty sides 0', () => {
    fc.assert(fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 10 }).filter((c) => c.some((x) => x > 0)), (counts) => {
      const zeros = counts.map(() => 0);
      expect(jensenShannonDistance(counts, zeros)).toBe(1);
      expect(jensenShannonDistance(zeros, counts)).toBe(1);
      expect(jensenShannonDistance(zeros, zeros)).toBe(0);
    }), RUNS);
  });

  test('a constant reference and a current window moved up or down: PSI, KS and JS all flag drift', () => {
    const constant = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(constant, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.boolean(), fc.integer({ min: 30, max: 80 }), fc.integer({ min: 30, max: 80 }), bins,
      (c, delta, down, n, m, b) => {
        const shifted = down ? c - delta : c + delta;
        fc.pre(shifted !== c);
        const ref = Array<number>(n).fill(c);
        const cur = Array<number>(m).fill(shifted);
        const { rc, cc } = binned(ref, cur, b);
        expect(psi(rc, cc, 1e-4)).toBeGreaterThanOrEqual(0.2);
        expect(jensenShannonDistance(rc, cc)).toBe(1);
        expect(ksTwoSample(ref, cur).statistic).toBe(1);
        const a = analyze({ ...CONFIG, bins: b }, table({ x: ref }), table({ x: cur }));
        expect(a.columns[0]).toMatchObject({ kind: DriftColumnKind.NUMERIC, status: 'ok', drifted: true });
        expect([...a.columns[0].flaggedBy].sort()).toEqual([DriftMethod.JENSEN_SHANNON, DriftMethod.KS, DriftMethod.PSI]);
      }), { ...RUNS, numRuns: 100 });
  });

  test('a point mass holding most of the reference: a current window moved inside its old bin still drifts', () => {
    // 10% spread below, 80% at 5, 10% spread above: the quantiles 0.2..0.8 all equal 5. Current values at
    // 3 used to share the bin (1, 5] with the mass at 5 (PSI 0 while KS D = 0.8).
    const ref = [...Array.from({ length: 10 }, (_, i) => i / 10), ...Array<number>(80).fill(5), ...Array.from({ length: 10 }, (_, i) => 9 + i / 10)];
    const cur = Array<number>(90).fill(3);
    const { rc, cc } = binned(ref, cur, 10);
    expect(ksTwoSample(ref, cur).statistic).toBeGreaterThan(0.7);
    expect(psi(rc, cc, 1e-4)).toBeGreaterThan(0.2);
    expect(jensenShannonDistance(rc, cc)).toBeGreaterThan(0.5);
  });

  test('1e309 overflows to Infinity: counted invalid, never a value (an all-overflow reference is not compared)', () => {
    const a = analyze(CONFIG, table({ x: [...Array<Cell>(40).fill('1e309'), 1], y: Array<Cell>(40).fill('1e309').concat([Infinity]) }), table({ x: Array<Cell>(41).fill(7), y: Array<Cell>(41).fill(7) }));
    const [x, y] = a.columns;
    expect(x.reference?.invalid).toBe(40);
    expect(x.notes.join(' ')).toContain('40 reference values of "x" are not finite numbers');
    expect(y).toMatchObject({ status: 'empty_in_reference', evaluated: false });
    expect(y.reference).toBeUndefined();
  });
});
