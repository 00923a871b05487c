import { COST_SERIES } from '../../cost/definitions';
import { JobExitCode, SPOT_PRICE_DEFAULTS, SpotPriceJobConfig } from '../config';
import { defaultCredentialProvider } from '../runtime/aws/credentials';
import { sha256Hex, signRequest } from '../runtime/aws/sigv4';
import { xmlElements, xmlText } from '../runtime/aws/xml';
import { JobError } from '../runtime/errors';
import { HttpError, displayUrl, httpRequest, withRetries } from '../runtime/http';
import { JobContext, JobOutcome, JobSpec } from '../runtime/job';
import { MetricRegistry } from '../runtime/metrics';
import { COMMON_KEYS, ConfigObject, checkCommon } from '../runtime/validate';

/** EC2 Query API version of DescribeSpotPriceHistory. */
const EC2_API_VERSION = '2016-11-15';
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/** Checks a raw spot price config. */
export function validateSpotPriceConfig(raw: unknown): SpotPriceJobConfig {
  const c = new ConfigObject(raw, 'JOB_CONFIG', [...COMMON_KEYS, 'region', 'instanceTypes', 'ec2Endpoint']);
  checkCommon(c);
  c.str('region', { required: true, pattern: /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, patternText: 'an AWS region such as "us-east-1"' });
  const types = c.strList('instanceTypes', { nonEmptyList: true });
  if (!types) throw new JobError('JOB_CONFIG.instanceTypes is required');
  if (types.length > 100) throw new JobError(`JOB_CONFIG.instanceTypes lists ${types.length} types (at most 100)`);
  for (const t of types) if (!INSTANCE_TYPE.test(t)) throw new JobError(`JOB_CONFIG.instanceTypes: "${t}" is not an instance type such as "g6e.2xlarge"`);
  c.str('ec2Endpoint', { pattern: /^https?:\/\//, patternText: 'an http(s):// URL' });
  return c.value as unknown as SpotPriceJobConfig;
}

/** One current spot price. */
export interface SpotPrice {
  readonly instanceType: string;
  readonly zone: string;
  readonly usdPerHour: number;
  readonly timestamp: string;
}

/**
 * Reads the current spot price of each type in each zone: DescribeSpotPriceHistory with StartTime =
 * now returns, per type and zone, the price in effect (EC2 API reference), following NextToken.
 */
export async function describeSpotPrices(config: SpotPriceJobConfig, ctx: JobContext): Promise<SpotPrice[]> {
  const endpoint = config.ec2Endpoint ?? ctx.env.AWS_ENDPOINT_URL_EC2 ?? ctx.env.AWS_ENDPOINT_URL ?? `https://ec2.${config.region}.amazonaws.${config.region.startsWith('cn-') ? 'com.cn' : 'com'}`;
  const url = new URL(`${endpoint.replace(/\/+$/, '')}/`);
  const credentials = defaultCredentialProvider(ctx.env, config.requestTimeoutMs ?? 30000, `aiplatform-spot-prices-${Math.floor(Date.now() / 1000)}`);
  const latest = new Map<string, SpotPrice>();
  let token: string | undefined;
  let pages = 0;
  do {
    const params = new URLSearchParams({ Action: 'DescribeSpotPriceHistory', Version: EC2_API_VERSION, StartTime: ctx.now.toISOString(), 'ProductDescription.1': SPOT_PRICE_DEFAULTS.productDescription, MaxResults: '1000' });
    config.instanceTypes.forEach((t, i) => params.set(`InstanceType.${i + 1}`, t));
    if (token) params.set('NextToken', token);
    const body = Buffer.from(params.toString());
    ctx.progress = `DescribeSpotPriceHistory page ${pages + 1}`;
    const xml = await withRetries({ maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8000 }, async () => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
      const signed = signRequest({ method: 'POST', url, headers, payloadHash: sha256Hex(body), region: config.region, service: 'ec2', now: new Date() }, await credentials());
      const res = await httpRequest(url, { method: 'POST', headers: signed.headers, body, timeoutMs: config.requestTimeoutMs ?? 30000, maxResponseBytes: ctx.limits.maxResponseBytes });
      const text = res.body.toString('utf8');
      if (res.status >= 200 && res.status < 300) return text;
      const code = xmlText(text, 'Code');
      const message = xmlText(text, 'Message');
      const hint = res.status === 403 || code === 'UnauthorizedOperation' ? ' (the job\'s IAM role needs ec2:DescribeSpotPriceHistory)' : '';
      throw new HttpError(`EC2 DescribeSpotPriceHistory at ${displayUrl(url)}: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}${hint}`, res.status, res.status === 429 || res.status >= 500 || code === 'RequestLimitExceeded');
    });
    for (const item of xmlElements(xmlElements(xml, 'spotPriceHistorySet')[0] ?? '', 'item')) {
      const p: SpotPrice = { instanceType: xmlText(item, 'instanceType') ?? '', zone: xmlText(item, 'availabilityZone') ?? '', usdPerHour: Number(xmlText(item, 'spotPrice')), timestamp: xmlText(item, 'timestamp') ?? '' };
      if (!p.instanceType || !p.zone || !Number.isFinite(p.usdPerHour) || p.usdPerHour <= 0) throw new JobError(`EC2 DescribeSpotPriceHistory returned a malformed item: ${item.replace(/\s+/g, ' ').slice(0, 200)}`);
      const key = `${p.instanceType}/${p.zone}`;
      const prev = latest.get(key);
      if (!prev || prev.timestamp < p.timestamp) latest.set(key, p);
    }
    token = xmlText(xml, 'nextToken') || undefined;
    pages++;
    if (pages > 100) throw new JobError('EC2 DescribeSpotPriceHistory: more than 100 pages (a NextToken loop?)');
  } while (token);
  return [...latest.values()].sort((a, b) => (a.instanceType + a.zone).localeCompare(b.instanceType + b.zone));
}

/** Reads the spot prices and returns them as metrics for the runner to push. */
export async function executeSpotPrices(config: SpotPriceJobConfig, ctx: JobContext): Promise<JobOutcome> {
  const prices = await describeSpotPrices(config, ctx);
  if (prices.length === 0) throw new JobError(`no spot price for ${config.instanceTypes.join(', ')} in ${config.region} (types not offered there as spot?)`);
  const reg = new MetricRegistry();
  for (const p of prices) reg.gauge(COST_SERIES.spotPricePushed, 'Current EC2 spot price (Linux/UNIX) of the instance type in the zone, USD per hour (DescribeSpotPriceHistory).', { instance_type: p.instanceType, zone: p.zone }, p.usdPerHour);
  const missing = config.instanceTypes.filter((t) => !prices.some((p) => p.instanceType === t));
  for (const t of missing) ctx.log.warn(`${t}: no spot price in ${config.region}; nodes of this type are priced with the catalog's spot assumption`);
  return {
    exitCode: JobExitCode.OK,
    summary: `${prices.length} spot price(s) of ${config.instanceTypes.length - missing.length}/${config.instanceTypes.length} type(s) in ${config.region}`,
    metrics: reg,
    report: { status: 'ok', region: config.region, prices, missing },
    mlflow: { params: {}, metrics: {}, tags: {} },
  };
}

/** The spot price job for the runner. */
export const SPOT_PRICE_JOB: JobSpec<SpotPriceJobConfig> = {
  kind: 'spot-prices',
  label: 'prices',
  defaultPushJob: SPOT_PRICE_DEFAULTS.pushgatewayJob,
  validate: validateSpotPriceConfig,
  execute: executeSpotPrices,
};
