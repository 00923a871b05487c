/**
 * The one convention for pinned facts (versions, image tags, prices, support dates, instance and
 * model shapes): every fact sits in a data table of its area and carries where it came from and
 * the date it was last checked against that source. `docs/facts.md` is generated from the tables
 * (`npm run facts`), and a test fails on a row without a source or a date.
 */

/** Where a pinned fact comes from and when it was last checked against that source. */
export interface FactSource {
  /**
   * The upstream file or page the fact was read from: `owner/repo:path@ref` for a repository file,
   * or an `https://` address for a page. Never "memory" or a secondary blog.
   */
  readonly source: string;
  /** ISO date (`YYYY-MM-DD`) the fact was last checked against {@link FactSource.source}. */
  readonly checked: string;
}

/** One row of {@link FactTable}: a fact rendered as text, with its provenance. */
export interface FactRow extends FactSource {
  /** What the fact is about, e.g. `EKS 1.35 end of standard support`. */
  readonly fact: string;
  /** The pinned value as text, e.g. `2027-03-27`. */
  readonly value: string;
}

/** A table of facts of one area, as `docs/facts.md` shows it. */
export interface FactTable {
  /** Stable identifier, e.g. `eks-versions`. */
  readonly id: string;
  /** Heading in `docs/facts.md`. */
  readonly title: string;
  /** The library file that holds the data (repository-relative), e.g. `lib/cluster/versions.ts`. */
  readonly file: string;
  /** The facts. */
  readonly rows: readonly FactRow[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Problems of a fact table (empty when every row has a source and a valid check date). */
export function factTableProblems(table: FactTable): string[] {
  const problems: string[] = [];
  for (const row of table.rows) {
    const where = `${table.id}: ${row.fact}`;
    if (!row.source || !/^(https:\/\/|[\w.-]+\/[\w.-]+:)/.test(row.source)) problems.push(`${where}: source (${JSON.stringify(row.source)}) must be an https:// page or owner/repo:path`);
    if (!ISO_DATE.test(row.checked) || Number.isNaN(Date.parse(row.checked))) problems.push(`${where}: checked (${JSON.stringify(row.checked)}) must be a YYYY-MM-DD date`);
    if (!row.value) problems.push(`${where}: value is empty`);
  }
  return problems;
}
