import { DriftColumnKind, DRIFT_DEFAULTS, DriftColumnConfig, DriftJobConfig, DriftMethod, DriftThresholds } from '../config';
import { JobError } from '../runtime/errors';
import {
  KS_EXACT_MAX_PRODUCT, binCounts, chiSquareHomogeneity, jensenShannonDistance, ksTwoSample, psi, quantileBins, sortedCopy,
} from '../runtime/stats';
import { Cell, Table, isNumericString } from './table';

/** Methods that can be computed for each kind. */
export const METHODS_BY_KIND: { readonly [K in DriftColumnKind]: readonly DriftMethod[] } = {
  [DriftColumnKind.NUMERIC]: [DriftMethod.PSI, DriftMethod.KS, DriftMethod.JENSEN_SHANNON],
  [DriftColumnKind.CATEGORICAL]: [DriftMethod.PSI, DriftMethod.CHI_SQUARE, DriftMethod.JENSEN_SHANNON],
};

/**
 * What happened to a column:
 * `ok` compared; `missing_in_current` absent from the current window (counts as drifted);
 * `empty_in_current` every current value missing (counts as drifted); `empty_in_reference` nothing to
 * compare against (not evaluated); `not_in_reference` a new column (not evaluated).
 */
export type ColumnStatus = 'ok' | 'missing_in_current' | 'empty_in_current' | 'empty_in_reference' | 'not_in_reference';

/** Counts of one side of a column. */
export interface SideSummary {
  /** Rows in the window. */
  readonly rows: number;
  /** Missing values (absent, null, or one of missingValues). */
  readonly missing: number;
  /** Missing share of the rows (0 when there are no rows). */
  readonly missingShare: number;
  /** Values that do not fit the kind (non-numbers in a numeric column); ignored. */
  readonly invalid: number;
  /** Distinct valid values. */
  readonly distinct: number;
}

/** The drift verdict and statistics of one column. */
export interface ColumnResult {
  /** Column name. */
  readonly column: string;
  /** Declared or inferred kind (undefined when it could not be inferred). */
  readonly kind?: DriftColumnKind;
  /** What happened (see ColumnStatus). */
  readonly status: ColumnStatus;
  /** Whether the column counts towards the drift share. */
  readonly evaluated: boolean;
  /** Whether the column drifted. */
  readonly drifted: boolean;
  /** The deciding methods that flagged it. */
  readonly flaggedBy: DriftMethod[];
  /** The deciding methods. */
  readonly methods: DriftMethod[];
  /** Thresholds in force. */
  readonly thresholds: Required<DriftThresholds>;
  /** Reference counts. */
  readonly reference?: SideSummary;
  /** Current counts. */
  readonly current?: SideSummary;
  /** PSI. */
  readonly psi?: number;
  /** KS statistic, p-value and how the p-value was computed (numeric). */
  readonly ks?: { readonly statistic: number; readonly pValue: number; readonly method: 'exact' | 'asymptotic' };
  /** Chi-square statistic, p-value and degrees of freedom (categorical). */
  readonly chiSquare?: { readonly statistic: number; readonly pValue: number; readonly dof: number };
  /** Jensen–Shannon distance, base 2. */
  readonly jensenShannon?: number;
  /** Bins used for numeric PSI/JS (after merging tied quantiles). */
  readonly bins?: number;
  /** Things the reader should know (unseen categories, constant columns, small samples). */
  readonly notes: string[];
}

/** Dataset-level result. */
export interface DriftAnalysis {
  /** Per column, in reference column order. */
  readonly columns: ColumnResult[];
  /** Columns counted in the share. */
  readonly evaluated: number;
  /** Drifted among them. */
  readonly drifted: number;
  /** drifted / evaluated. */
  readonly share: number;
  /** Whether share >= datasetDriftShare. */
  readonly datasetDrift: boolean;
  /** Dataset-level notes (columns only in the current window, ignored columns that do not exist). */
  readonly notes: string[];
}

function mergedThresholds(job: DriftThresholds | undefined, col: DriftThresholds | undefined): Required<DriftThresholds> {
  const d = DRIFT_DEFAULTS.thresholds;
  return {
    psi: col?.psi ?? job?.psi ?? d.psi,
    ksPValue: col?.ksPValue ?? job?.ksPValue ?? d.ksPValue,
    chiSquarePValue: col?.chiSquarePValue ?? job?.chiSquarePValue ?? d.chiSquarePValue,
    jensenShannon: col?.jensenShannon ?? job?.jensenShannon ?? d.jensenShannon,
  };
}

interface Split {
  readonly missing: number;
  readonly numbers: number[];
  readonly strings: string[];
  readonly invalid: number;
}

/** Separates missing values from valid ones of the kind; numeric strings are parsed for numeric columns. */
function split(cells: readonly Cell[] | undefined, rows: number, kind: DriftColumnKind, missing: ReadonlySet<string>): Split {
  let miss = 0;
  let invalid = 0;
  const numbers: number[] = [];
  const strings: string[] = [];
  for (let i = 0; i < rows; i++) {
    const v = cells ? cells[i] : null;
    if (v === null || v === undefined || (typeof v === 'string' && missing.has(v.trim()))) {
      miss++;
      continue;
    }
    if (kind === DriftColumnKind.NUMERIC) {
      // 1e309 is a valid decimal (and JSON number) that overflows to Infinity: not a usable value.
      const x = typeof v === 'number' ? v : typeof v === 'string' && isNumericString(v) ? Number(v) : NaN;
      if (Number.isFinite(x)) numbers.push(x);
      else invalid++;
    } else {
      strings.push(String(v));
    }
  }
  return { missing: miss, numbers, strings, invalid };
}

/** Numeric when every non-missing reference value is a number or a numeric string. */
function inferKind(cells: readonly Cell[], missing: ReadonlySet<string>): DriftColumnKind | undefined {
  let seen = false;
  for (const v of cells) {
    if (v === null || (typeof v === 'string' && missing.has(v.trim()))) continue;
    seen = true;
    if (!(typeof v === 'number' || (typeof v === 'string' && isNumericString(v)))) return DriftColumnKind.CATEGORICAL;
  }
  return seen ? DriftColumnKind.NUMERIC : undefined;
}

function summary(s: Split, rows: number, distinct: number): SideSummary {
  return { rows, missing: s.missing, missingShare: rows ? s.missing / rows : 0, invalid: s.invalid, distinct };
}

function countDistinct(xs: ArrayLike<number> | readonly string[]): number {
  return new Set(Array.from(xs as ArrayLike<number | string>)).size;
}

const SMALL_SAMPLE = 30;
const HIGH_CARDINALITY = 200;

/** Settings resolved for one column. */
interface ColumnPlan {
  readonly name: string;
  readonly declared?: DriftColumnConfig;
  readonly declaredIndex?: number;
}

/**
 * Compares every column of the reference with the current window. Pure: no I/O, so the tests exercise it
 * directly. Throws JobError for config mistakes discovered from the data (a method that does not apply to
 * an inferred kind, a declared column present in neither window).
 */
export function analyze(config: DriftJobConfig, reference: Table, current: Table): DriftAnalysis {
  const missing = new Set(config.missingValues ?? DRIFT_DEFAULTS.missingValues);
  const ignored = new Set(config.ignoreColumns ?? []);
  const declared = new Map((config.columns ?? []).map((c, i) => [c.name, { c, i }]));
  const notes: string[] = [];
  const plans: ColumnPlan[] = [];
  const names = config.onlyDeclaredColumns ? [...declared.keys()] : [...new Set([...reference.columns, ...declared.keys()])];
  for (const name of names) {
    if (ignored.has(name)) continue;
    const d = declared.get(name);
    plans.push({ name, declared: d?.c, declaredIndex: d?.i });
  }
  for (const name of ignored) {
    if (!reference.cells.has(name) && !current.cells.has(name)) notes.push(`ignored column "${name}" is in neither window`);
  }
  const newColumns = current.columns.filter((c) => !reference.cells.has(c) && !ignored.has(c) && !declared.has(c));
  if (newColumns.length) notes.push(`columns only in the current window, not compared: ${newColumns.slice(0, 10).join(', ')}${newColumns.length > 10 ? ` (+${newColumns.length - 10} more)` : ''}`);

  const columns = plans.map((p) => analyzeColumn(config, p, reference, current, missing));
  const evaluated = columns.filter((c) => c.evaluated).length;
  const drifted = columns.filter((c) => c.evaluated && c.drifted).length;
  const share = evaluated ? drifted / evaluated : 0;
  const threshold = config.datasetDriftShare ?? DRIFT_DEFAULTS.datasetDriftShare;
  return { columns, evaluated, drifted, share, datasetDrift: evaluated > 0 && share >= threshold, notes };
}

function analyzeColumn(config: DriftJobConfig, plan: ColumnPlan, reference: Table, current: Table, missing: ReadonlySet<string>): ColumnResult {
  const { name, declared } = plan;
  const thresholds = mergedThresholds(config.thresholds, declared?.thresholds);
  const refCells = reference.cells.get(name);
  const curCells = current.cells.get(name);
  const at = plan.declaredIndex !== undefined ? `JOB_CONFIG.columns[${plan.declaredIndex}]` : `column "${name}"`;
  const base = { column: name, thresholds, notes: [] as string[], flaggedBy: [] as DriftMethod[] };
  if (!refCells) {
    if (!curCells) throw new JobError(`${at}: column "${name}" is in neither the reference nor the current window (check the name)`);
    return { ...base, status: 'not_in_reference', evaluated: false, drifted: false, methods: [], notes: [`column "${name}" is not in the reference: not compared`] };
  }
  const kind = declared?.kind ?? inferKind(refCells, missing);
  if (!kind) {
    return { ...base, status: 'empty_in_reference', evaluated: false, drifted: false, methods: [], notes: [`every reference value of "${name}" is missing: not compared`] };
  }
  const defaults = kind === DriftColumnKind.NUMERIC ? config.numericMethods ?? DRIFT_DEFAULTS.numericMethods : config.categoricalMethods ?? DRIFT_DEFAULTS.categoricalMethods;
  const methods = [...(declared?.methods ?? defaults)];
  for (const m of methods) {
    if (!METHODS_BY_KIND[kind].includes(m)) {
      const where = declared?.methods ? `${at}.methods` : kind === DriftColumnKind.NUMERIC ? 'JOB_CONFIG.numericMethods' : 'JOB_CONFIG.categoricalMethods';
      throw new JobError(`${where}: ${m} does not apply to the ${kind} column "${name}" (${kind} columns take ${METHODS_BY_KIND[kind].join(', ')}; or declare its kind)`);
    }
  }
  if (!curCells) {
    return { ...base, kind, status: 'missing_in_current', evaluated: true, drifted: true, methods, notes: [`column "${name}" is missing from the current window: counted as drifted`] };
  }
  const ref = split(refCells, reference.rows, kind, missing);
  const cur = split(curCells, current.rows, kind, missing);
  const notes: string[] = [];
  if (ref.invalid) notes.push(`${ref.invalid} reference values of "${name}" are not finite numbers: ignored`);
  if (cur.invalid) notes.push(`${cur.invalid} current values of "${name}" are not finite numbers: ignored`);
  const refValid = kind === DriftColumnKind.NUMERIC ? ref.numbers.length : ref.strings.length;
  const curValid = kind === DriftColumnKind.NUMERIC ? cur.numbers.length : cur.strings.length;
  if (refValid === 0) {
    return { ...base, kind, status: 'empty_in_reference', evaluated: false, drifted: false, methods, notes: [...notes, `no valid reference value of "${name}": not compared`] };
  }
  if (curValid === 0) {
    const refDistinct = kind === DriftColumnKind.NUMERIC ? countDistinct(ref.numbers) : countDistinct(ref.strings);
    return {
      ...base, kind, status: 'empty_in_current', evaluated: true, drifted: true, methods,
      reference: summary(ref, reference.rows, refDistinct), current: summary(cur, current.rows, 0),
      notes: [...notes, `every current value of "${name}" is missing or invalid: counted as drifted`],
    };
  }
  if (refValid < SMALL_SAMPLE || curValid < SMALL_SAMPLE) notes.push(`small sample (${refValid} reference, ${curValid} current values): tests have little power`);

  let stats: Pick<ColumnResult, 'psi' | 'ks' | 'chiSquare' | 'jensenShannon' | 'bins' | 'reference' | 'current'>;
  const epsilon = config.psiEpsilon ?? DRIFT_DEFAULTS.psiEpsilon;
  if (kind === DriftColumnKind.NUMERIC) {
    const sortedRef = sortedCopy(ref.numbers);
    const { edges, atoms } = quantileBins(sortedRef, declared?.bins ?? config.bins ?? DRIFT_DEFAULTS.bins);
    const rc = binCounts(sortedRef, edges, atoms);
    const cc = binCounts(cur.numbers, edges, atoms);
    const ks = ksTwoSample(sortedRef, cur.numbers);
    const refDistinct = countDistinct(sortedRef);
    const curDistinct = countDistinct(cur.numbers);
    if (refDistinct === 1) notes.push(`"${name}" is constant in the reference (${sortedRef[0]}): any other value is a shift`);
    if (curDistinct === 1 && refDistinct > 1) notes.push(`"${name}" is constant in the current window (${cur.numbers[0]})`);
    if (ks.method === 'asymptotic') notes.push(`KS p-value from the asymptotic distribution (n·m > ${KS_EXACT_MAX_PRODUCT})`);
    stats = {
      psi: psi(rc, cc, epsilon), ks, jensenShannon: jensenShannonDistance(rc, cc), bins: rc.length,
      reference: summary(ref, reference.rows, refDistinct), current: summary(cur, current.rows, curDistinct),
    };
  } else {
    const refCounts = new Map<string, number>();
    for (const s of ref.strings) refCounts.set(s, (refCounts.get(s) ?? 0) + 1);
    const curCounts = new Map<string, number>();
    for (const s of cur.strings) curCounts.set(s, (curCounts.get(s) ?? 0) + 1);
    const cats = [...new Set([...refCounts.keys(), ...curCounts.keys()])];
    const rc = cats.map((c) => refCounts.get(c) ?? 0);
    const cc = cats.map((c) => curCounts.get(c) ?? 0);
    const unseen = cats.filter((c) => !refCounts.has(c));
    if (unseen.length) {
      const share = unseen.reduce((s, c) => s + (curCounts.get(c) ?? 0), 0) / curValid;
      notes.push(`${unseen.length} ${unseen.length === 1 ? 'category' : 'categories'} unseen in the reference (${(share * 100).toFixed(1)}% of current values): ${unseen.slice(0, 5).map((c) => JSON.stringify(c)).join(', ')}${unseen.length > 5 ? ', ...' : ''}`);
    }
    if (refCounts.size === 1) notes.push(`"${name}" has a single category in the reference (${JSON.stringify(cats[0])})`);
    if (refCounts.size > HIGH_CARDINALITY) notes.push(`"${name}" has ${refCounts.size} categories: if it is an id or free text, add it to ignoreColumns`);
    const chi = chiSquareHomogeneity(rc, cc);
    if (chi.minExpected < 5) notes.push(`chi-square: some expected counts are below 5 (min ${chi.minExpected.toFixed(2)}); its p-value is approximate`);
    stats = {
      psi: psi(rc, cc, epsilon), chiSquare: { statistic: chi.statistic, pValue: chi.pValue, dof: chi.dof }, jensenShannon: jensenShannonDistance(rc, cc),
      reference: summary(ref, reference.rows, refCounts.size), current: summary(cur, current.rows, curCounts.size),
    };
  }
  const flaggedBy = methods.filter((m) => {
    switch (m) {
      case DriftMethod.PSI: return (stats.psi ?? NaN) >= thresholds.psi;
      case DriftMethod.KS: return (stats.ks?.pValue ?? NaN) < thresholds.ksPValue;
      case DriftMethod.CHI_SQUARE: return (stats.chiSquare?.pValue ?? NaN) < thresholds.chiSquarePValue;
      case DriftMethod.JENSEN_SHANNON: return (stats.jensenShannon ?? NaN) >= thresholds.jensenShannon;
    }
  });
  return { ...base, ...stats, kind, status: 'ok', evaluated: true, drifted: flaggedBy.length > 0, flaggedBy, methods, notes };
}
