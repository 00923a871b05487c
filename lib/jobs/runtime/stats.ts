// Statistics for the drift and eval jobs, written out so the bundles need no numeric library.
// Each function states its definition; the tests compare them with scipy/numpy.

/** Ascending copy as a typed array (numeric sort, unlike Array#sort's default). */
export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/**
 * Quantile of sorted data by linear interpolation between closest ranks (Hyndman–Fan type 7, numpy's
 * default `method='linear'`): h = (n-1)q, x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1]-x[⌊h⌋]).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile (0–100) with {@link quantileSorted}'s method; NaN for no data. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  return quantileSorted(sortedCopy(xs), p / 100);
}

/** Bin edges at the reference quantiles 1/bins … (bins-1)/bins, duplicates removed (ties merge bins). */
export function quantileEdges(sortedRef: ArrayLike<number>, bins: number): number[] {
  return quantileBins(sortedRef, bins).edges;
}

/** Numeric bins on reference quantiles (see {@link quantileBins}). */
export interface QuantileBins {
  /** Distinct edges, ascending. */
  readonly edges: number[];
  /** Edges holding a point mass of the reference (see {@link quantileBins}), each given a bin of its own. */
  readonly atoms: number[];
}

/**
 * Edges at the reference quantiles 1/bins … (bins-1)/bins, duplicates removed. An edge value that holds
 * a point mass of the reference — at least 2 values and at least 1/bins of them (a constant column, a
 * default value; this is when quantiles coincide) — is an *atom*: merging alone would let a shift to
 * either side of it go unseen (`(−∞, c]` holds both the reference's constant c and a current window
 * moved below it), so it gets the bin `[c, c]`, with `(prev, c)` below and `(c, next]` above. Without
 * point masses the bins are numpy's (`searchsorted(edges, x, side='left')`).
 */
export function quantileBins(sortedRef: ArrayLike<number>, bins: number): QuantileBins {
  const n = sortedRef.length;
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(sortedRef, i / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const atoms = edges.filter((e) => {
    const count = firstAbove(sortedRef, e) - firstAtOrAbove(sortedRef, e);
    return count >= 2 && count * bins >= n;
  });
  return { edges, atoms };
}

function firstAtOrAbove(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAbove(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts per bin for edges e1 < … < ek: bins (-∞, e1], (e1, e2], …, (ek, +∞), i.e. the bin of x is
 * the number of edges strictly below x (numpy `searchsorted(edges, x, side='left')`). An edge listed in
 * `atoms` splits its bin in two: (e_prev, e) and [e, e]. Returns edges.length + atoms.length + 1 counts.
 */
export function binCounts(values: ArrayLike<number>, edges: readonly number[], atoms: readonly number[] = []): number[] {
  // Cuts in order; a cut is "below" x when x > value, or x >= value for the lower cut of an atom.
  const atomSet = new Set(atoms);
  const cuts: number[] = [];
  const inclusive: boolean[] = [];
  for (const e of edges) {
    if (atomSet.has(e)) {
      cuts.push(e);
      inclusive.push(true);
    }
    cuts.push(e);
    inclusive.push(false);
  }
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive[mid] ? cuts[mid] <= x : cuts[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
  }
  return counts;
}

function total(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/**
 * Population Stability Index Σ (c_i − r_i)·ln(c_i / r_i) over proportions per bin. A proportion of 0 is
 * replaced by `epsilon` (not renormalized), so a bin empty on one side adds a large but finite term.
 */
export function psi(refCounts: readonly number[], curCounts: readonly number[], epsilon: number): number {
  const rt = total(refCounts);
  const ct = total(curCounts);
  let s = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const r = refCounts[i] / rt || epsilon;
    const c = curCounts[i] / ct || epsilon;
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/**
 * Jensen–Shannon distance with base-2 logarithms: √(½KL(p‖m) + ½KL(q‖m)), m = (p+q)/2, in [0, 1]
 * (scipy.spatial.distance.jensenshannon(p, q, base=2)). When one side has no counts the distance is 1
 * (scipy returns NaN), when both have none it is 0.
 */
export function jensenShannonDistance(refCounts: readonly number[], curCounts: readonly number[]): number {
  const rt = total(refCounts);
  const ct = total(curCounts);
  // No distribution on one side: nothing in common (distance 1); on neither: nothing differs (0).
  if (rt === 0 || ct === 0) return rt === ct ? 0 : 1;
  let js = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const p = refCounts[i] / rt;
    const q = curCounts[i] / ct;
    const m = (p + q) / 2;
    if (p > 0) js += (p * Math.log2(p / m)) / 2;
    if (q > 0) js += (q * Math.log2(q / m)) / 2;
  }
  return Math.min(1, Math.sqrt(Math.max(0, js)));
}

/** Result of a chi-square test. */
export interface ChiSquareResult {
  /** Pearson's statistic. */
  readonly statistic: number;
  /** Upper-tail probability. */
  readonly pValue: number;
  /** Degrees of freedom (categories − 1). */
  readonly dof: number;
  /** Smallest expected count (the test is unreliable below about 5). */
  readonly minExpected: number;
}

/**
 * Chi-square test of homogeneity on the 2×K table (reference, current) × categories, without Yates'
 * correction (scipy.stats.chi2_contingency(table, correction=False)). Categories absent from both sides
 * are dropped; a category seen only in the current window is a column like any other.
 */
export function chiSquareHomogeneity(refCounts: readonly number[], curCounts: readonly number[]): ChiSquareResult {
  const cols: [number, number][] = [];
  for (let i = 0; i < refCounts.length; i++) if (refCounts[i] + curCounts[i] > 0) cols.push([refCounts[i], curCounts[i]]);
  const r1 = total(cols.map((c) => c[0]));
  const r2 = total(cols.map((c) => c[1]));
  const n = r1 + r2;
  if (cols.length < 2 || r1 === 0 || r2 === 0) return { statistic: 0, pValue: 1, dof: Math.max(0, cols.length - 1), minExpected: NaN };
  let stat = 0;
  let minExpected = Infinity;
  for (const [a, b] of cols) {
    const cj = a + b;
    const e1 = (r1 * cj) / n;
    const e2 = (r2 * cj) / n;
    minExpected = Math.min(minExpected, e1, e2);
    stat += (a - e1) ** 2 / e1 + (b - e2) ** 2 / e2;
  }
  const dof = cols.length - 1;
  return { statistic: stat, pValue: chiSquareSf(stat, dof), dof, minExpected };
}

// Lanczos approximation (g = 7, 9 terms): |relative error| < 1e-14 for x > 0.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const TINY = 1e-300;

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): power series of P for x < a + 1,
 * Lentz's continued fraction otherwise (each converges fast in its region).
 */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** Survival function of the chi-square distribution with k degrees of freedom. */
export function chiSquareSf(x: number, k: number): number {
  if (k <= 0) return 1;
  return gammaQ(k / 2, x / 2);
}

/**
 * Survival function of the limiting Kolmogorov distribution, P(K > λ) (scipy.stats.kstwobign.sf):
 * 2Σ(−1)^(k−1)e^(−2k²λ²) for λ ≥ 1, 1 − (√(2π)/λ)Σe^(−(2k−1)²π²/(8λ²)) below (both series converge
 * to double precision within a few terms in their ranges).
 */
export function kolmogorovSf(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1) {
    let s = 0;
    for (let k = 1; k < 100; k++) {
      const t = Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * lambda * lambda));
      s += t;
      if (t < 1e-17 * s) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const t = Math.exp(-2 * k * k * lambda * lambda);
    s += k % 2 === 1 ? t : -t;
    if (t < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** Result of a two-sample Kolmogorov–Smirnov test. */
export interface KsResult {
  /** D = sup |F_ref − F_cur|. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** How the p-value was computed. */
  readonly method: 'exact' | 'asymptotic';
}

/** Above this n·m the exact p-value (O(n·m) time) gives way to the asymptotic one. */
export const KS_EXACT_MAX_PRODUCT = 10_000_000;

/**
 * Two-sample two-sided Kolmogorov–Smirnov test. D is computed over the pooled distinct values (ties are
 * handled: both ECDFs step together). The p-value is exact when n·m ≤ `exactMaxProduct` — the
 * probability, under the continuous null, that a lattice path from (0,0) to (n,m) leaves the band
 * |i/n − j/m| < D (scipy `method='exact'`) — and otherwise the limiting Kolmogorov distribution at
 * √(nm/(n+m))·D (scipy `kstwobign.sf`), whose error is O(1/√(nm/(n+m))).
 */
export function ksTwoSample(ref: ArrayLike<number>, cur: ArrayLike<number>, exactMaxProduct: number = KS_EXACT_MAX_PRODUCT): KsResult {
  const a = sortedCopy(ref);
  const b = sortedCopy(cur);
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { statistic: NaN, pValue: NaN, method: 'exact' };
  // Work in integers: |i/n − j/m| = |i·m − j·n| / (n·m), so band tests are exact.
  let i = 0;
  let j = 0;
  let dNum = 0;
  while (i < n || j < m) {
    const t = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n && a[i] === t) i++;
    while (j < m && b[j] === t) j++;
    dNum = Math.max(dNum, Math.abs(i * m - j * n));
  }
  const statistic = dNum / (n * m);
  if (n * m <= exactMaxProduct) return { statistic, pValue: ksExactPValue(n, m, dNum), method: 'exact' };
  const en = (n * m) / (n + m);
  return { statistic, pValue: kolmogorovSf(Math.sqrt(en) * statistic), method: 'asymptotic' };
}

/**
 * P(D ≥ dNum/(nm)) by dynamic programming over the lattice, in probabilities rather than path counts
 * (counts overflow): w(i,j) is the share of monotone paths to (i,j) that have touched the boundary
 * |i·m − j·n| ≥ dNum; w = 1 on the boundary, else w(i,j) = (i·w(i−1,j) + j·w(i,j−1))/(i+j).
 * Computing the exit probability itself (not 1 − stay probability) keeps tiny p-values accurate.
 */
function ksExactPValue(n: number, m: number, dNum: number): number {
  if (dNum === 0) return 1;
  const w = new Float64Array(m + 1);
  for (let j = 1; j <= m; j++) w[j] = j * n >= dNum ? 1 : w[j - 1];
  for (let i = 1; i <= n; i++) {
    if (i * m >= dNum) w[0] = 1;
    for (let j = 1; j <= m; j++) {
      w[j] = Math.abs(i * m - j * n) >= dNum ? 1 : (i * w[j] + j * w[j - 1]) / (i + j);
    }
  }
  return Math.min(1, w[m]);
}

/** Arithmetic mean; NaN for no data. */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}
