import { ElementEntry, StackIndex } from './stack-index';
import { blocks, bool, isExpression } from './values';

function routesToInternetGateway(index: StackIndex, rt: ElementEntry): boolean {
  const viaIgw = (gatewayId: unknown) =>
    (typeof gatewayId === 'string' && !isExpression(gatewayId) && gatewayId.startsWith('igw-')) || index.referenced(gatewayId, ['aws_internet_gateway']) !== undefined;
  if (blocks(rt.attrs()?.route).some((r) => viaIgw(r.gateway_id))) return true;
  return index.ofType('aws_route').some((r) => {
    const a = r.attrs();
    return a !== undefined && index.refersTo(a.route_table_id, rt) && viaIgw(a.gateway_id);
  });
}

/**
 * Whether a subnet (given as the value of a `subnet_id(s)` attribute element) is public: it maps
 * public IPs on launch, or its route table sends traffic to an internet gateway. Undefined when
 * the subnet is not a resource of this stack or its route table is unknown (the VPC's main table).
 */
export function subnetIsPublic(index: StackIndex, subnetRef: unknown): boolean | undefined {
  const subnet = index.referenced(subnetRef, ['aws_subnet']);
  if (!subnet) return undefined;
  const attrs = subnet.attrs();
  if (!attrs) return undefined;
  if (bool(attrs.map_public_ip_on_launch) === true) return true;
  for (const assoc of index.ofType('aws_route_table_association')) {
    const a = assoc.attrs();
    if (!a || !index.refersTo(a.subnet_id, subnet)) continue;
    const rt = index.referenced(a.route_table_id, ['aws_route_table']);
    if (!rt) return undefined;
    return routesToInternetGateway(index, rt);
  }
  return undefined;
}

/** Splits subnet references into public, private and undecidable ones. */
export function classifySubnets(index: StackIndex, refs: unknown[]): { public: string[]; unknown: string[] } {
  const out = { public: [] as string[], unknown: [] as string[] };
  for (const ref of refs) {
    const p = subnetIsPublic(index, ref);
    if (p === true) out.public.push(String(ref));
    else if (p === undefined) out.unknown.push(String(ref));
  }
  return out;
}
