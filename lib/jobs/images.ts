import { FactTable } from '../core/facts';

/**
 * Image that runs the job bundles (`node /jobs/<name>.js`): the official Node.js image, mirrored by
 * Amazon ECR Public (no Docker Hub pull limits from EKS nodes). Node 26 is the active LTS line
 * (active LTS from 2026-10-28, maintenance from 2027-10-20, end of life 2029-04-30; Node 24 has been
 * in maintenance since 2026-10-20); Alpine keeps the pull small. The tag is the one the official
 * image publishes as `26-alpine3.24` (NODE_VERSION 26.9.0). Pinned by tag: bump it with the Node
 * security releases. Sources and dates: `docs/facts.md` (table `jobs-image`).
 */
export const JOB_NODE_IMAGE = 'public.ecr.aws/docker/library/node:26.9.0-alpine3.24';

/**
 * UID/GID of the `node` user of the official image: the jobs run as it (runAsNonRoot needs a numeric id).
 */
export const JOB_NODE_USER_ID = 1000;

/** A Node.js release line's schedule (nodejs/Release `schedule.json`). */
export interface NodeReleaseLine {
  /** Start of active LTS. */
  readonly lts: string;
  /** Start of maintenance LTS. */
  readonly maintenance: string;
  /** End of life. */
  readonly end: string;
}

/** The schedule of the Node.js lines the jobs image may use (internal; checked by the tests). */
export const NODE_RELEASE_SCHEDULE: { readonly [major: string]: NodeReleaseLine } = {
  '24': { lts: '2025-10-28', maintenance: '2026-10-20', end: '2028-04-30' },
  '26': { lts: '2026-10-28', maintenance: '2027-10-20', end: '2029-04-30' },
};

const SCHEDULE_SOURCE = 'nodejs/Release:schedule.json@e4bf922d83b877a116763e2f83d2d9b6701871f9';

/** The jobs image facts for docs/facts.md. */
export function jobImageFactTable(): FactTable {
  return {
    id: 'jobs-image',
    title: 'Jobs runtime image',
    file: 'lib/jobs/images.ts',
    rows: [
      { fact: 'Jobs image (Node.js LTS, Alpine)', value: JOB_NODE_IMAGE, source: 'docker-library/repo-info:repos/node/remote/26-alpine3.24.md@6beaa625f1a291431edc8f56ac46a436247322d1', checked: '2026-12-07' },
      { fact: 'Alpine variant of the Node 26 image', value: 'alpine3.24 (alpine-default)', source: 'nodejs/docker-node:versions.json@f27d936f7d7ccdeec25cd2de33584c1a841f561d', checked: '2026-12-07' },
      ...Object.entries(NODE_RELEASE_SCHEDULE).map(([major, s]) => ({ fact: `Node.js ${major} schedule`, value: `active LTS ${s.lts}, maintenance ${s.maintenance}, end of life ${s.end}`, source: SCHEDULE_SOURCE, checked: '2026-12-07' })),
    ],
  };
}
