import { JsonObject } from '../k8s/values';

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
