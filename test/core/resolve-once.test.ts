// AiPlatform's stacks resolve each element once per synthesis (lib/core/resolve-once.ts). The output
// must be byte-identical to cdktf's own TerraformStack, and any Aspect the library does not know must
// make the stack resolve again (it may have changed an element after the prepare pass).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { App, Aspects, IAspect, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable } from 'cdktf';
import { StackSynthesizer } from 'cdktf/lib/synthesize/synthesizer';
import { ResolveOnceStack } from '../../lib/core/resolve-once';
import { PlatformGuardrails } from '../../lib';
import { buildPlatformApp } from '../harness/platform-apps';

type StackFiles = Record<string, string>;

function synthFiles(name: string, configure?: (platform: ReturnType<typeof buildPlatformApp>) => void): { files: StackFiles; guardrails: string[] } {
  const platform = buildPlatformApp(name);
  configure?.(platform);
  const app = platform.node.root as unknown as { synth(): void; outdir: string };
  app.synth();
  const files: StackFiles = {};
  const stacksDir = path.join(app.outdir, 'stacks');
  for (const s of fs.readdirSync(stacksDir)) files[s] = fs.readFileSync(path.join(stacksDir, s, 'cdk.tf.json'), 'utf8');
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { annotations: { constructPath: string; level: string; message: string }[] }> };
  const guardrails = Object.values(manifest.stacks).flatMap((s) => s.annotations.map((a) => `${a.level} ${a.constructPath} ${a.message}`)).sort();
  return { files, guardrails };
}

/**
 * The same synthesis with cdktf's own prepare pass, toTerraform (three resolutions per element) and
 * synthesizer (which writes cdk.tf.json with json-stable-stringify).
 */
function synthWithCdktfStack(name: string, configure?: (platform: ReturnType<typeof buildPlatformApp>) => void): { files: StackFiles; guardrails: string[] } {
  const proto = ResolveOnceStack.prototype as unknown as Record<string, unknown>;
  const saved = { prepareStack: proto.prepareStack, toTerraform: proto.toTerraform };
  proto.prepareStack = TerraformStack.prototype.prepareStack;
  proto.toTerraform = TerraformStack.prototype.toTerraform;
  try {
    return synthFiles(name, (platform) => {
      for (const s of platform.node.root.node.findAll().filter((n): n is TerraformStack => n instanceof ResolveOnceStack)) s.synthesizer = new StackSynthesizer(s);
      configure?.(platform);
    });
  } finally {
    Object.assign(proto, saved);
  }
}

/** A user's Aspect that changes every taggable AWS resource: the library cannot know it. */
class MarkResources implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof TerraformResource && node.terraformResourceType === 'aws_iam_role') {
      const r = node as TerraformResource & { tags?: Record<string, string>; tagsInput?: Record<string, string> };
      r.tags = { ...(r.tagsInput ?? {}), 'marked-by': 'user-aspect' };
    }
  }
}

describe('ResolveOnceStack', () => {
  it.each(['byo-full', 'created-tags'])('writes the same Terraform JSON and the same guardrail annotations as TerraformStack (%s)', (name) => {
    const once = synthFiles(name);
    const cdktf = synthWithCdktfStack(name);
    expect(Object.keys(once.files).sort()).toEqual(Object.keys(cdktf.files).sort());
    for (const stack of Object.keys(cdktf.files)) expect(once.files[stack]).toBe(cdktf.files[stack]);
    expect(once.guardrails).toEqual(cdktf.guardrails);
  });

  it('hands the prepared resolution to the guardrails and to toTerraform when every Aspect is the library\'s', () => {
    const platform = buildPlatformApp('byo-full');
    const stack = platform.platformStack as ResolveOnceStack;
    const role = stack.node.findAll().find((n): n is TerraformResource => n instanceof TerraformResource && n.terraformResourceType === 'aws_iam_role')!;
    expect(ResolveOnceStack.resolvedFragment(role)).toBeUndefined(); // nothing prepared yet
    stack.prepareStack();
    const fragment = ResolveOnceStack.resolvedFragment(role) as { resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(fragment.resource.aws_iam_role)).toEqual([role.friendlyUniqueId]);
    stack.toTerraform();
    expect(ResolveOnceStack.resolvedFragment(role)).toBeUndefined(); // used once, then dropped
  });

  it('resolves again when an Aspect it does not know may have changed an element after the prepare pass', () => {
    const mark = (p: ReturnType<typeof buildPlatformApp>) => Aspects.of(p.platformStack).add(new MarkResources());
    const once = synthFiles('byo-full', mark);
    const platformStack = Object.keys(once.files).find((s) => s.endsWith('-platform'))!;
    const roles = Object.values((JSON.parse(once.files[platformStack]) as { resource: { aws_iam_role: Record<string, { tags?: Record<string, string> }> } }).resource.aws_iam_role);
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect(r.tags?.['marked-by']).toBe('user-aspect');
  });

  it('treats PlatformGuardrails as read-only: adding it again keeps the single resolution', () => {
    const platform = buildPlatformApp('byo-full');
    PlatformGuardrails.applyTo(platform.platformStack);
    const stack = platform.platformStack as ResolveOnceStack;
    stack.prepareStack();
    const role = stack.node.findAll().find((n) => n instanceof TerraformResource)!;
    expect(ResolveOnceStack.resolvedFragment(role)).toBeDefined();
    Aspects.of(stack).add(new MarkResources());
    const other = buildPlatformApp('byo-full').platformStack as ResolveOnceStack;
    Aspects.of(other).add(new MarkResources());
    other.prepareStack();
    const otherRole = other.node.findAll().find((n) => n instanceof TerraformResource)!;
    expect(ResolveOnceStack.resolvedFragment(otherRole)).toBeUndefined();
  });

  it('hands the JSON to any other toTerraform() caller during synthesis (only cdktf\'s own write is taken over)', () => {
    const seen: string[] = [];
    const platform = buildPlatformApp('byo-full');
    Aspects.of(platform.platformStack).add({
      visit: (node: IConstruct) => {
        if (node === platform.platformStack) seen.push(JSON.stringify((node as TerraformStack).toTerraform()));
      },
    });
    const app = platform.node.root as unknown as { synth(): void; outdir: string };
    app.synth();
    expect(seen).toHaveLength(1);
    const during = JSON.parse(seen[0]) as { resource?: Record<string, unknown> };
    expect(Object.keys(during.resource ?? {}).length).toBeGreaterThan(5);
    const written = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', platform.platformStack.node.id, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, unknown> };
    expect(Object.keys(written.resource).sort()).toEqual(Object.keys(during.resource ?? {}).sort());
  });

  it.each([
    ['JSON', undefined, 'cdk.tf.json'],
    ['HCL', 'true', 'cdk.tf'],
  ])('writes the same %s as TerraformStack for a stack of its own (cdk.tf.json written by the stack, HCL left to cdktf)', (_kind, hcl, file) => {
    const synthOne = (make: (app: App) => TerraformStack): string => {
      const saved = process.env.SYNTH_HCL_OUTPUT;
      if (hcl === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = hcl;
      try {
        const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-once-')) });
        const stack = make(app);
        const size = new TerraformVariable(stack, 'size', { type: 'number', default: 3 });
        new TerraformOutput(stack, 'doubled', { value: `\${${size.fqn} * 2}`, description: 'a "quoted" text' });
        new TerraformOutput(stack, 'empty', { value: {} });
        app.synth();
        return fs.readFileSync(path.join(app.outdir, 'stacks', 'one', file), 'utf8');
      } finally {
        if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
        else process.env.SYNTH_HCL_OUTPUT = saved;
      }
    };
    const once = synthOne((app) => new ResolveOnceStack(app, 'one'));
    expect(once).toBe(synthOne((app) => new TerraformStack(app, 'one')));
    expect(once).toContain('doubled');
  });
});
