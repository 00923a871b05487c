import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../k8s/package-root';

/** Names of the job bundles shipped in `assets/jobs/`. */
export type JobBundleName = 'drift' | 'eval' | 'cost' | 'spot-prices';

/**
 * Absolute path of a job bundle (`assets/jobs/<name>.js` in the package root), for a construct that
 * puts it in a ConfigMap. Works from `lib/` (tests through ts) and from `dist/lib` (the published
 * package): the root is found by walking up to our package.json. Throws when the bundle was not built.
 */
export function jobBundlePath(name: JobBundleName): string {
  const file = path.join(packageRoot(), 'assets', 'jobs', `${name}.js`);
  if (!fs.existsSync(file)) {
    throw new Error(`cdktf-ai-platform: the ${name} job bundle ${file} is missing; run \`npm run bundle:jobs\` (it is built by \`npm run build\` and before \`npm test\`)`);
  }
  return file;
}
