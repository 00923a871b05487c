import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/** Root directory of the installed cdktf-ai-platform package (works from lib/ and from dist/lib/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cdktf-ai-platform') {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdktf-ai-platform: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}
