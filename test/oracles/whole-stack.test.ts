// The whole artifact a user applies, through Terraform: every stack of every example and of every
// test platform app (test/harness/platform-apps.ts). One init and one validate + plan per stack,
// shared by the assertions below. See test/harness/whole-stack.ts for what is and is not checked.
import { synthApp, Synth } from '../harness/synth';
import { EXAMPLES, runExample } from '../harness/examples';
import { buildPlatformApp, PLATFORM_APPS } from '../harness/platform-apps';
import { App } from 'cdktf';
import { terraformUnavailable } from '../harness/terraform';
import { classifyInit, describe as describeDiagnostics, Diagnostic, InitResult, loadConfiguration, pool, ShadowResult, shadowStack, validateAndPlanAll, validateShadowed } from '../harness/whole-stack';

/** Example env: the scale example with two models (one is the default; two exercises the loop). */
const EXAMPLE_ENV: Record<string, Record<string, string>> = { scale: { MODELS: '2' } };

const stacks: Record<string, Synth> = {};
for (const e of EXAMPLES) for (const [name, s] of Object.entries(runExample(e, EXAMPLE_ENV[e]))) stacks[`examples/${e} ${name}`] = s;
for (const a of Object.keys(PLATFORM_APPS)) for (const [name, s] of Object.entries(synthApp(buildPlatformApp(a).node.root as App))) stacks[`platform-apps/${a} ${name}`] = s;
const labels = Object.keys(stacks).sort();

/** Terraform-backed tests: skipped (with the reason in the name) where terraform or the mirror is missing. */
const tfTest = terraformUnavailable ? test.skip : test;
if (terraformUnavailable) console.warn(`[terraform oracle] whole-stack checks skipped: ${terraformUnavailable}`); // eslint-disable-line no-console

/** Every `depends_on` list anywhere in a stack, with where it is. */
function dependsOnLists(s: Synth): { where: string; list: unknown[] }[] {
  const out: { where: string; list: unknown[] }[] = [];
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'depends_on' && Array.isArray(x)) out.push({ where, list: x });
        walk(x, `${where}.${k}`);
      }
    }
  };
  walk(s, '');
  return out;
}

describe('depends_on holds static addresses only', () => {
  test.each(labels)('%s', (label) => {
    const lists = dependsOnLists(stacks[label]);
    const bad = lists.flatMap(({ where, list }) => list.filter((d) => typeof d !== 'string' || d.includes('${')).map((d) => `${where}: ${JSON.stringify(d)}`));
    expect(bad).toEqual([]);
  });

  test('the check sees the depends_on lists (the platform example has helm releases ordered after others)', () => {
    const lists = dependsOnLists(stacks['examples/platform ai-platform']);
    expect(lists.filter((l) => l.list.some((d) => typeof d === 'string' && d.startsWith('helm_release.'))).length).toBeGreaterThan(5);
  });
});

describe('the stack list covers what users and tests build', () => {
  test('every example and every test platform app, each platform stack included', () => {
    for (const e of EXAMPLES) expect(labels.some((l) => l.startsWith(`examples/${e} `))).toBe(true);
    for (const a of Object.keys(PLATFORM_APPS)) expect(labels).toContain(`platform-apps/${a} ai-platform`);
    expect(labels.filter((l) => / [a-z-]+-platform$/.test(l)).length).toBe(EXAMPLES.length + Object.keys(PLATFORM_APPS).length);
  });
});

describe('init classifier', () => {
  const line = (d: object) => JSON.stringify({ type: 'diagnostic', '@level': 'error', diagnostic: d });
  const missing = (p: string) => line({ severity: 'error', summary: 'Failed to query available provider packages', detail: `Could not retrieve the list of available versions for provider hashicorp/${p}: provider registry.terraform.io/hashicorp/${p} was not found in any of the search locations\n\n  - /opt/tf-plugins` });
  test('missing kubernetes/helm providers are allowed; anything else is a configuration error', () => {
    expect(classifyInit([missing('helm'), missing('kubernetes')].join('\n'), 1)).toEqual({ configErrors: [], missingProviders: ['helm', 'kubernetes'], succeeded: false });
    expect(classifyInit(missing('random'), 1).configErrors).toHaveLength(1);
    expect(classifyInit([missing('helm'), line({ severity: 'error', summary: 'Invalid expression' })].join('\n'), 1).configErrors.map((d) => d.summary)).toEqual(['Invalid expression']);
    // A failed init with nothing recognisable is never a pass.
    expect(classifyInit('Error: something else\n', 1).configErrors).toHaveLength(1);
    expect(classifyInit('', 0)).toEqual({ configErrors: [], missingProviders: [], succeeded: true });
  });
});

describe('shadowing', () => {
  test('non-AWS blocks become terraform_data holding their body; references follow', () => {
    const s = shadowStack(stacks['platform-apps/byo-full ai-platform']);
    expect(Object.keys(s.resource!).filter((t) => !t.startsWith('aws_'))).toEqual(['terraform_data']);
    expect(Object.keys(s.provider!)).toEqual(['aws']);
    const text = JSON.stringify(s);
    expect(text).not.toMatch(/\$\{[^}]*\b(helm_release|kubernetes_[a-z0-9_]+)\.[A-Za-z]/);
    const data = s.resource!.terraform_data as Record<string, { triggers_replace?: Record<string, unknown>; depends_on?: string[] }>;
    const release = Object.entries(data).find(([k]) => k.startsWith('helm_release__chat_chart_release_'))![1];
    expect(release.triggers_replace).toMatchObject({ chart: 'vllm-stack', name: 'chat' });
    expect(Object.entries(data).filter(([, v]) => (v.depends_on ?? []).some((d) => d.startsWith('terraform_data.helm_release__'))).length).toBeGreaterThan(0);
  });
});

// --- Terraform --------------------------------------------------------------------------------------

const init: Record<string, InitResult> = {};
const shadow: Record<string, ShadowResult> = {};
let seeded: { init: InitResult; validate: Diagnostic[] } | undefined;

/** A platform stack with the two mistakes the oracle exists for: an interpolated depends_on and a reference to nothing. */
function seededBad(): { initStack: Synth; shadowStack: Synth } {
  const base = stacks['platform-apps/byo-full ai-platform'];
  const initStack = JSON.parse(JSON.stringify(base)) as Synth;
  const releases = initStack.resource!.helm_release as Record<string, { depends_on?: string[] }>;
  const [first, second] = Object.keys(releases);
  releases[second].depends_on = [...(releases[second].depends_on ?? []), `\${helm_release.${first}}`];
  const shadowed = JSON.parse(JSON.stringify(base)) as Synth;
  const ns = Object.values(shadowed.resource!.kubernetes_namespace_v1 as Record<string, { metadata: Record<string, unknown> }>)[0];
  ns.metadata.labels = { ...(ns.metadata.labels as object), broken: '${helm_release.does_not_exist.status}' };
  return { initStack, shadowStack: shadowed };
}

const planKeys = new Map<string, string[]>();
for (const l of labels) {
  const key = JSON.stringify(stacks[l], (k, v) => (k === '//' || k === 'backend' ? undefined : v));
  planKeys.set(key, [...(planKeys.get(key) ?? []), l]);
}

beforeAll(async () => {
  if (terraformUnavailable) return;
  // Two at a time: CI has two cores and terraform waits on the AWS provider process half the time.
  const limit = Number(process.env.TF_ORACLE_CONCURRENCY ?? 2);
  const bad = seededBad();
  const tasks: (() => Promise<void>)[] = [
    ...labels.map((l) => async () => void (init[l] = await loadConfiguration(stacks[l]))),
    // Every stack in one plan (one AWS provider schema load); stacks equal but for their backend once.
    async () => {
      const unique = Object.fromEntries([...planKeys.values()].map((ls) => [ls[0], stacks[ls[0]]]));
      const results = await validateAndPlanAll(unique);
      for (const ls of planKeys.values()) for (const l of ls) shadow[l] = results[ls[0]];
    },
    async () => {
      const [i, v] = await Promise.all([loadConfiguration(bad.initStack), validateShadowed(bad.shadowStack)]);
      seeded = { init: i, validate: v };
    },
  ];
  await pool(tasks, limit);
}, 600000);

describe('terraform: configuration loading (init on the stack as synthesized)', () => {
  tfTest.each(labels)('%s fails on nothing but missing kubernetes/helm providers', (label) => {
    const r = init[label];
    expect(describeDiagnostics(r.configErrors)).toBe('');
    const s = stacks[label];
    const needs = Object.keys((s.terraform as { required_providers?: Record<string, unknown> }).required_providers ?? {}).filter((p) => p !== 'aws').sort();
    expect(r.missingProviders).toEqual(needs);
    expect(r.succeeded).toBe(needs.length === 0);
  });

  tfTest('a seeded interpolated depends_on is reported as a configuration error', () => {
    const r = seeded!.init;
    const invalid = r.configErrors.filter((d) => d.summary === 'Invalid expression');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].detail).toMatch(/A single static variable reference is required/);
    expect(r.missingProviders).toEqual([]); // init stopped at the configuration, before providers
  });
});

describe('terraform: validate and offline plan of every block (kubernetes/helm bodies shadowed)', () => {
  tfTest.each(labels)('%s validates and plans every resource and output', (label) => {
    const r = shadow[label];
    expect(describeDiagnostics(r.validateErrors)).toBe('');
    expect(r.planError).toBeUndefined();
    expect(r.plannedCreates).toEqual(r.expectedCreates);
    expect(r.plannedOutputs).toEqual(Object.keys(stacks[label].output ?? {}).sort());
  });

  tfTest('a seeded reference to an undeclared release inside a kubernetes resource is reported', () => {
    const errors = seeded!.validate;
    expect(errors.map((d) => d.summary)).toEqual(['Reference to undeclared resource']);
    expect(describeDiagnostics(errors)).toMatch(/helm_release" "does_not_exist"/);
  });
});
