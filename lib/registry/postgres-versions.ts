import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { FactSource } from '../core/facts';

/** What the library knows about one RDS for PostgreSQL major version. */
export interface PostgresEngineVersion {
  /** DB parameter group family (`aws rds describe-db-engine-versions --engine postgres`). */
  readonly parameterGroupFamily: string;
  /** Lowest minor version accepted when a minor is pinned (RDS offered no lower one for this major). */
  readonly minimumMinor: number;
}

/**
 * RDS for PostgreSQL major versions the registry supports (in RDS standard support, and supported
 * by MLflow's SQLAlchemy store). Give the major only (`'17'`): RDS picks the newest minor at create
 * and `auto_minor_version_upgrade` keeps it patched, while the AWS provider treats the major as a
 * prefix and does not plan a downgrade after an automatic minor upgrade.
 */
export const POSTGRES_ENGINE_VERSIONS: { readonly [major: string]: PostgresEngineVersion & FactSource } = {
  // Pinned 2026-11-22 from `aws rds describe-db-engine-versions --engine postgres`; not re-checked since.
  '16': { parameterGroupFamily: 'postgres16', minimumMinor: 1, source: 'https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html', checked: '2026-11-22' },
  '17': { parameterGroupFamily: 'postgres17', minimumMinor: 1, source: 'https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html', checked: '2026-11-22' },
};

/** The engine version a new registry database gets. */
export const DEFAULT_POSTGRES_ENGINE_VERSION = '17';

/** A parsed, supported engine version. */
export interface ResolvedPostgresEngine {
  /** Major version (key of {@link POSTGRES_ENGINE_VERSIONS}). */
  readonly major: string;
  /** Whether a minor version is pinned. */
  readonly pinsMinor: boolean;
  /** The table entry. */
  readonly spec: PostgresEngineVersion;
}

/**
 * Validates `version` (`'17'` or `'17.5'`) against {@link POSTGRES_ENGINE_VERSIONS} and throws a
 * `ValidationError` naming `prop` otherwise.
 */
export function resolvePostgresEngineVersion(scope: IConstruct, prop: string, version: string): ResolvedPostgresEngine {
  const supported = Object.keys(POSTGRES_ENGINE_VERSIONS);
  const m = typeof version === 'string' ? /^(\d+)(?:\.(\d+))?$/.exec(version) : null;
  const spec = m ? POSTGRES_ENGINE_VERSIONS[m[1]] : undefined;
  if (!m || !spec) {
    throw new ValidationError(scope, prop, version, `must be a supported RDS for PostgreSQL version: a major (${supported.map((s) => JSON.stringify(s)).join(', ')}) or one of its minors such as "${supported[supported.length - 1]}.${POSTGRES_ENGINE_VERSIONS[supported[supported.length - 1]].minimumMinor}"`);
  }
  if (m[2] !== undefined && Number(m[2]) < spec.minimumMinor) {
    throw new ValidationError(scope, prop, version, `pins a minor version below ${m[1]}.${spec.minimumMinor}, which RDS does not offer; give the major ("${m[1]}") to get the newest minor`);
  }
  return { major: m[1], pinsMinor: m[2] !== undefined, spec };
}
