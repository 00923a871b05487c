import { IConstruct } from 'constructs';
import { Aspects, IAspect, TerraformResource } from 'cdktf';
import { markAspect } from './resolve-once';

/** Resource tags: key to value. */
export interface TagMap {
  readonly [key: string]: string;
}

interface Taggable {
  tags?: { [key: string]: string };
  readonly tagsInput?: { [key: string]: string };
}

function isTaggableAwsResource(node: IConstruct): node is TerraformResource & Taggable {
  return node instanceof TerraformResource && node.terraformResourceType.startsWith('aws_') && 'tagsInput' in node;
}

/**
 * Aspect that merges a set of tags into every taggable AWS resource below the scope it is added to.
 * Tags set on the resource itself win, so a construct can still set `Name` or discovery tags.
 */
export class AwsTagger implements IAspect {
  /** @param tags tags to add */
  public constructor(private readonly tags: TagMap) {
    // A second run over the same tree sets the same tags (docs/design.md, "Synthesis speed").
    markAspect(this, 'idempotent');
  }

  /** Visits one construct of the tree. */
  public visit(node: IConstruct): void {
    if (!isTaggableAwsResource(node)) return;
    node.tags = { ...this.tags, ...(node.tagsInput ?? {}) };
  }
}

/**
 * Tags every taggable AWS resource under `scope`. The provider's `default_tags` should carry the
 * same tags (see {@link awsDefaultTags}); setting them on resources too keeps tags on resources that
 * ignore provider default tags (launch template instances, ASG-launched nodes via tag_specifications).
 */
export function applyTags(scope: IConstruct, tags: TagMap | undefined): void {
  if (!tags || Object.keys(tags).length === 0) return;
  Aspects.of(scope).add(new AwsTagger(tags));
}

/** The `default_tags` block for an AWS provider. */
export function awsDefaultTags(tags: TagMap | undefined): { tags: { [key: string]: string } }[] | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return [{ tags: { ...tags } }];
}

/** Tag keys AWS reserves; user tags must not use them. */
export const RESERVED_TAG_PREFIX = 'aws:';
