import { JsonObject } from '../k8s/values';

/** What differs between the serving and cost dashboards: {@link grafanaDashboard} adds the rest. */
export interface GrafanaDashboardSpec {
  /** Dashboard uid (at most 40 characters). */
  readonly uid: string;
  /** Title. */
  readonly title: string;
  /** Description, when the dashboard has one. */
  readonly description?: string;
  /** Tags. */
  readonly tags: string[];
  /** Start of the default time range (`now-6h`); it ends now. */
  readonly from: string;
  /** Refresh interval (`30s`). */
  readonly refresh: string;
  /** The panels ({@link grafanaPanel}). */
  readonly panels: JsonObject[];
}

/**
 * A read-only Grafana dashboard (schema 39) with a `$datasource` Prometheus variable, the one the
 * panels of {@link grafanaPanel} query. Shared by the serving and cost dashboards.
 */
export function grafanaDashboard(d: GrafanaDashboardSpec): JsonObject {
  return {
    uid: d.uid,
    title: d.title,
    ...(d.description !== undefined ? { description: d.description } : {}),
    tags: d.tags,
    schemaVersion: 39,
    editable: false,
    time: { from: d.from, to: 'now' },
    refresh: d.refresh,
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' }] },
    panels: d.panels,
  };
}

/**
 * A Grafana panel on the dashboard's `$datasource` Prometheus: one target per `[expr, legend]`
 * (refIds A, B, …). Shared by the serving and cost dashboards.
 */
export function grafanaPanel(id: number, title: string, type: string, exprs: [string, string][], gridPos: JsonObject, unit: string): JsonObject {
  return {
    id,
    title,
    type,
    datasource: { type: 'prometheus', uid: '$datasource' },
    gridPos,
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: { type: 'prometheus', uid: '$datasource' } })),
  };
}
