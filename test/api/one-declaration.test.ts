// One declaration per concept (issue 22): a prop shared by a construct and its job config, or an
// attribute shared by a cluster reference and ICluster, is declared once and inherited, so its TSDoc
// cannot drift. Reads the sources with the TypeScript parser (no type check: cheap).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** The members and the `extends` names of an interface declared in a file of lib/. */
function iface(file: string, name: string): { members: string[]; heritage: string[] } {
  const src = ts.createSourceFile(file, fs.readFileSync(path.join(LIB, file), 'utf8'), ts.ScriptTarget.Latest, true);
  let found: ts.InterfaceDeclaration | undefined;
  src.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n;
  });
  if (!found) throw new Error(`interface ${name} not found in lib/${file}`);
  return {
    members: found.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '')).filter((m) => m !== ''),
    heritage: (found.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(src))),
  };
}

describe('one declaration per concept', () => {
  const check = iface('jobs/config.ts', 'DriftCheckOptions');

  test('the drift check settings are declared once (DriftCheckOptions) and inherited by the construct options and the job config', () => {
    expect(check.members).toEqual(expect.arrayContaining(['reference', 'current', 'columns', 'thresholds', 'numericMethods', 'categoricalMethods', 'failOnDrift']));
    for (const [file, name] of [['monitoring/drift-monitor.ts', 'DriftMonitorOptions'], ['jobs/config.ts', 'DriftJobConfig']] as const) {
      const i = iface(file, name);
      expect({ name, heritage: i.heritage }).toEqual({ name, heritage: expect.arrayContaining(['DriftCheckOptions']) });
      expect({ name, redeclared: i.members.filter((m) => check.members.includes(m)) }).toEqual({ name, redeclared: [] });
    }
  });

  test('ICluster inherits the attributes of ClusterReference instead of listing them again', () => {
    const ref = iface('cluster/cluster-reference.ts', 'ClusterReference');
    const cluster = iface('cluster/cluster-reference.ts', 'ICluster');
    expect(ref.members).toEqual(expect.arrayContaining(['clusterName', 'endpoint', 'region', 'kubernetesVersion']));
    expect(cluster.heritage).toContain('ClusterReference');
    expect(cluster.members.filter((m) => ref.members.includes(m))).toEqual([]);
  });
});
