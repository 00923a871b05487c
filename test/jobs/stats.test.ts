// Reference values computed independently with numpy 2.4 / scipy 1.17 from the same samples
// (test/fixtures/jobs/stats/samples.json). Commands, run from the repository root:
//
//   python3 -c "import json; from scipy import stats; d=json.load(open('test/fixtures/jobs/stats/samples.json')); \
//     r=stats.ks_2samp(d['normal_a'], d['normal_b'], method='exact'); print(repr(r.statistic), repr(r.pvalue))"
//     (likewise ties_a/ties_b, large_a/large_b, ints_a/ints_b; tiny cases with literal lists)
//   python3 -c "import json, numpy as np; from scipy import stats; d=json.load(open('test/fixtures/jobs/stats/samples.json')); \
//     A,B=d['large_a'],d['large_b']; D=stats.ks_2samp(A,B).statistic; en=len(A)*len(B)/(len(A)+len(B)); \
//     print(repr(stats.kstwobign.sf(np.sqrt(en)*D)))"
//   PSI (numpy: reference-quantile edges, searchsorted side='left', epsilon 1e-4 for empty bins):
//   python3 -c "import json, numpy as np; d=json.load(open('test/fixtures/jobs/stats/samples.json')); ref,cur=d['normal_a'],d['normal_b']; \
//     e=np.unique(np.quantile(ref, np.arange(1,10)/10)); b=lambda x: np.bincount(np.searchsorted(e,x,side='left'),minlength=len(e)+1)/len(x); \
//     r,c=b(ref),b(cur); r=np.where(r==0,1e-4,r); c=np.where(c==0,1e-4,c); print(repr(np.sum((c-r)*np.log(c/r))), len(e)+1)"
//   Jensen–Shannon on the same bins: scipy.spatial.distance.jensenshannon(ref_counts, cur_counts, base=2)
//   python3 -c "from scipy import stats; print(stats.chi2_contingency([[10,20,30,0],[15,15,20,5]], correction=False)[:3])"
//   python3 -c "from scipy import stats; print([repr(stats.chi2.sf(x,k)) for x,k in [(0.5,1),(3.84,1),(10,3),(100,50),(1e-3,2),(300,4),(25,30)]])"
//   python3 -c "from scipy import stats; print([repr(stats.kstwobign.sf(x)) for x in [0.1,0.3,0.5,0.8,0.99,1.0,1.2,1.36,2.0,3.0]])"
//   python3 -c "from scipy import special; print([repr(special.gammaln(x)) for x in [0.1,0.5,1,2.5,10,171.5,1000]])"
//   python3 -c "import numpy as np; x=[120,80,95,300,101,99,87]; print(np.percentile(x,50), np.percentile(x,95), np.percentile([42],95), np.percentile([1,2],95))"
import * as fs from 'fs';
import * as path from 'path';
import {
  binCounts, chiSquareHomogeneity, chiSquareSf, jensenShannonDistance, kolmogorovSf, ksTwoSample, lnGamma, percentile, psi, quantileEdges, sortedCopy,
} from '../../lib/jobs/runtime/stats';

const samples = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/jobs/stats/samples.json'), 'utf8')) as { [k: string]: number[] };

function binned(ref: number[], cur: number[], bins = 10): { rc: number[]; cc: number[]; nbins: number } {
  const edges = quantileEdges(sortedCopy(ref), bins);
  return { rc: binCounts(ref, edges), cc: binCounts(cur, edges), nbins: edges.length + 1 };
}

describe('two-sample Kolmogorov–Smirnov', () => {
  test.each([
    ['ties_a', 'ties_b', 0.358974358974359, 0.3144626271561256],
    ['normal_a', 'normal_b', 0.3333333333333333, 0.007849125052671088],
    ['large_a', 'large_b', 0.028236559139784945, 0.1713682617213296],
    ['ints_a', 'ints_b', 0.066, 0.24081672287690456],
  ])('exact p-value equals scipy method="exact" (%s vs %s)', (a, b, d, p) => {
    const r = ksTwoSample(samples[a], samples[b]);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBeCloseTo(d, 12);
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-12);
  });

  test.each([
    ['normal_a', 'normal_b', 0.009655898901034498],
    ['large_a', 'large_b', 0.1757567159385514],
    ['ints_a', 'ints_b', 0.2535300590388036],
  ])('asymptotic p-value equals scipy kstwobign.sf(sqrt(en)·D) (%s vs %s)', (a, b, p) => {
    const r = ksTwoSample(samples[a], samples[b], 0);
    expect(r.method).toBe('asymptotic');
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-12);
  });

  test('tiny samples, identical samples and constant columns', () => {
    expect(ksTwoSample([1], [2, 3, 4])).toMatchObject({ statistic: 1, pValue: 0.5 });
    expect(ksTwoSample([1, 2], [1, 2])).toMatchObject({ statistic: 0, pValue: 1 });
    expect(ksTwoSample(Array(10).fill(5), Array(7).fill(5))).toMatchObject({ statistic: 0, pValue: 1 });
    const r = ksTwoSample(Array(10).fill(5), Array(7).fill(6));
    expect(r.statistic).toBe(1);
    expect(Math.abs(r.pValue - 0.00010283833813245579)).toBeLessThan(1e-15);
  });

  test('tiny p-values keep their relative precision (no 1 - x cancellation)', () => {
    // python3 -c "from scipy import stats; print(repr(stats.ks_2samp(list(range(30)), [x+100 for x in range(25)], method='exact').pvalue))"
    const p = ksTwoSample(Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 25 }, (_, i) => i + 100)).pValue;
    expect(Math.abs(p - 6.481194254049317e-16) / 6.481194254049317e-16).toBeLessThan(1e-10);
  });

  test('an empty side gives NaN rather than a made-up p-value', () => {
    expect(ksTwoSample([], [1, 2]).pValue).toBeNaN();
  });
});

describe('PSI and Jensen–Shannon on reference-quantile bins', () => {
  test.each([
    ['normal_a', 'normal_b', 1.3788513157226832, 10, 0.406034703403609],
    ['large_a', 'large_b', 0.005130089818753096, 10, 0.030405878156946994],
    ['ints_a', 'ints_b', 0.03849264304095759, 7, 0.08310022122066374],
    ['ties_a', 'ties_b', 3.213273325815899, 9, 0.5358528716192881],
  ])('%s vs %s equals numpy / scipy', (a, b, expectedPsi, nbins, expectedJs) => {
    const { rc, cc, nbins: n } = binned(samples[a], samples[b]);
    expect(n).toBe(nbins); // tied quantiles merge bins
    expect(psi(rc, cc, 1e-4)).toBeCloseTo(expectedPsi, 12);
    expect(jensenShannonDistance(rc, cc)).toBeCloseTo(expectedJs, 12);
  });

  test('a constant reference gives two bins; epsilon keeps an empty bin finite', () => {
    const shifted = binned(Array(20).fill(3), [...Array(5).fill(3), ...Array(5).fill(4)]);
    expect(shifted.nbins).toBe(2);
    expect(psi(shifted.rc, shifted.cc, 1e-4)).toBeCloseTo(4.60431846666895, 12);
    const same = binned(Array(20).fill(3), Array(9).fill(3));
    expect(psi(same.rc, same.cc, 1e-4)).toBe(0);
  });
});

describe('categorical tests', () => {
  test.each([
    [[10, 20, 30, 0], [15, 15, 20, 5], 8.512987012987015, 0.036518265535318936, 3],
    [[50, 30, 20], [48, 33, 19], 0.20931449502878074, 0.9006331639450122, 2],
    [[5, 0], [0, 5], 10.0, 0.001565402258002549, 1],
    [[120, 80, 0, 0], [100, 70, 25, 5], 32.484848484848484, 4.1360473764274753e-07, 3],
  ])('chi-square of %j vs %j equals scipy chi2_contingency(correction=False), unseen categories included', (ref, cur, stat, p, dof) => {
    const r = chiSquareHomogeneity(ref, cur);
    expect(r.statistic).toBeCloseTo(stat, 10);
    expect(Math.abs(r.pValue - p) / p).toBeLessThan(1e-10);
    expect(r.dof).toBe(dof);
  });

  test('chi-square with a single category or an empty side is p = 1 with 0 dof', () => {
    expect(chiSquareHomogeneity([10], [3])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
    expect(chiSquareHomogeneity([10, 0], [0, 0])).toMatchObject({ pValue: 1 });
  });

  test.each([
    [[10, 20, 30, 0], [15, 15, 20, 5], 0.254495132440003],
    [[1, 0], [0, 1], 1.0],
    [[3, 3], [6, 6], 0.0],
  ])('Jensen–Shannon distance of %j vs %j equals scipy jensenshannon(base=2)', (p, q, d) => {
    expect(jensenShannonDistance(p, q)).toBeCloseTo(d, 12);
  });
});

describe('special functions', () => {
  test('chi-square survival function equals scipy chi2.sf (relative 1e-10)', () => {
    const cases: [number, number, number][] = [
      [0.5, 1, 0.47950012218695337], [3.84, 1, 0.05004352124870519], [10, 3, 0.01856613546304325], [100, 50, 3.454931382984871e-05],
      [1e-3, 2, 0.9995001249791693], [300, 4, 1.083439491947837e-63], [25, 30, 0.7250318841806004],
    ];
    for (const [x, k, p] of cases) expect(Math.abs(chiSquareSf(x, k) - p) / p).toBeLessThan(1e-10);
  });

  test('Kolmogorov limiting distribution equals scipy kstwobign.sf (absolute 1e-14)', () => {
    const xs = [0.1, 0.3, 0.5, 0.8, 0.99, 1.0, 1.2, 1.36, 2.0, 3.0];
    const ps = [1.0, 0.9999906941986655, 0.9639452436648751, 0.5441424115741981, 0.2808738392255489, 0.26999967167735456, 0.11224966667072497, 0.049485876755377876, 0.0006709252557796953, 3.045995948942526e-08];
    xs.forEach((x, i) => expect(Math.abs(kolmogorovSf(x) - ps[i])).toBeLessThan(1e-14));
  });

  test('ln Γ equals scipy gammaln (relative 1e-13)', () => {
    const xs = [0.1, 0.5, 1, 2.5, 10, 171.5, 1000];
    const ys = [2.252712651734206, 0.5723649429247, 0.0, 0.2846828704729192, 12.801827480081469, 709.1431630309283, 5905.220423209181];
    xs.forEach((x, i) => expect(Math.abs(lnGamma(x) - ys[i])).toBeLessThan(1e-13 * Math.max(1, Math.abs(ys[i]))));
  });

  test('percentiles use linear interpolation (numpy default)', () => {
    const x = [120, 80, 95, 300, 101, 99, 87];
    expect(percentile(x, 50)).toBe(99);
    expect(percentile(x, 95)).toBeCloseTo(245.9999999999999, 10);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([1, 2], 95)).toBeCloseTo(1.95, 12);
    expect(percentile([], 95)).toBeNaN();
  });
});
