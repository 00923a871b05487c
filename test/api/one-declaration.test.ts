// One declaration per concept (issue 22): a prop shared by a construct and its job config, or an
// attribute shared by a cluster reference and ICluster, is declared once and inherited, so its TSDoc
// cannot drift. Reads the sources with the TypeScript parser (no type check: cheap).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** The parsed source of a file of lib/. */
function source(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(path.join(LIB, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The members and the `extends` names of an interface declared in a file of lib/. */
function iface(file: string, name: string): { members: string[]; heritage: string[] } {
  const src = source(file);
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

/** The text of a type alias declared in a file of lib/. */
function alias(file: string, name: string): string {
  const src = source(file);
  let found: ts.TypeAliasDeclaration | undefined;
  src.forEachChild((n) => {
    if (ts.isTypeAliasDeclaration(n) && n.name.text === name) found = n;
  });
  if (!found) throw new Error(`type ${name} not found in lib/${file}`);
  return found.type.getText(src);
}

describe('one declaration per concept', () => {
  test('the drift check settings are declared once (the job config) and the construct options take them from it', () => {
    const job = iface('jobs/config.ts', 'DriftJobConfig');
    expect(job.members).toEqual(expect.arrayContaining(['reference', 'current', 'columns', 'thresholds', 'numericMethods', 'categoricalMethods', 'failOnDrift']));
    expect(alias('monitoring/drift-monitor.ts', 'DriftCheckOptions').replace(/\s+/g, ' ')).toBe('Omit<DriftJobConfig, keyof JobCommonConfig>');
    const construct = iface('monitoring/drift-monitor.ts', 'DriftMonitorOptions');
    expect(construct.heritage).toContain('DriftCheckOptions');
    expect(construct.members.filter((m) => job.members.includes(m))).toEqual([]);
  });

  test('ICluster inherits the attributes of ClusterReference instead of listing them again', () => {
    const ref = iface('cluster/cluster-reference.ts', 'ClusterReference');
    const cluster = iface('cluster/cluster-reference.ts', 'ICluster');
    expect(ref.members).toEqual(expect.arrayContaining(['clusterName', 'endpoint', 'region', 'kubernetesVersion']));
    expect(cluster.heritage).toContain('ClusterReference');
    expect(cluster.members.filter((m) => ref.members.includes(m))).toEqual([]);
  });
});
