// End to end: the BUNDLED spot price job (assets/jobs/spot-prices.js) against an EC2 Query API stub that
// verifies the SigV4 signature (service ec2) and pages with NextToken, and a Pushgateway stub.
import { createHash } from 'crypto';
import { signRequest } from '../../lib/jobs/runtime/aws/sigv4';
import { TEST_KEYS, buildBundles, errorLines, hasStackTrace, runBundle, sampleOf, startPushgateway, startStub, Stub } from './support/stubs';

const NOW = '2026-12-07T06:00:00Z';
let bundle: string;
let ec2: Stub;
let pg: Awaited<ReturnType<typeof startPushgateway>>;
let mode: 'ok' | 'denied' | 'empty' = 'ok';
const failures: string[] = [];
const forms: URLSearchParams[] = [];

const item = (type: string, zone: string, price: string, ts: string) =>
  `<item><instanceType>${type}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>${ts}</timestamp><availabilityZone>${zone}</availabilityZone></item>`;

beforeAll(async () => {
  bundle = (await buildBundles())['spot-prices'];
  ec2 = await startStub((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/us-east-1\/ec2\/aws4_request,SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(auth);
    const payloadHash = createHash('sha256').update(req.body).digest('hex');
    let ok = !!m && m[1] === TEST_KEYS.accessKeyId && req.headers['x-amz-content-sha256'] === payloadHash;
    if (ok && m) {
      const signed = Object.fromEntries(m[3].split(';').filter((h) => !['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].includes(h)).map((h) => [h, String(req.headers[h])]));
      const again = signRequest({
        method: req.method, url: new URL(`http://${req.headers.host}${req.url}`), headers: signed, payloadHash, region: 'us-east-1', service: 'ec2',
        now: new Date(String(req.headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
      }, TEST_KEYS);
      ok = again.signature === m[4];
    }
    res.setHeader('content-type', 'text/xml');
    if (!ok) {
      failures.push(req.url);
      res.writeHead(401);
      res.end('<Response><Errors><Error><Code>AuthFailure</Code><Message>signature</Message></Error></Errors></Response>');
      return;
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    forms.push(form);
    if (mode === 'denied') {
      res.writeHead(403);
      res.end('<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>x</RequestID></Response>');
      return;
    }
    const page2 = form.get('NextToken') === 'p2';
    const items = mode === 'empty' ? '' : page2
      ? item('g6e.2xlarge', 'us-east-1a', '0.900000', '2026-12-07T05:10:00.000Z') + item('g5.xlarge', 'us-east-1c', '0.402400', '2026-12-07T04:00:00.000Z')
      : item('g6e.2xlarge', 'us-east-1a', '0.870000', '2026-12-07T01:00:00.000Z') + item('g6e.2xlarge', 'us-east-1b', '0.950000', '2026-12-07T05:00:00.000Z');
    res.writeHead(200);
    res.end(`<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><spotPriceHistorySet>${items}</spotPriceHistorySet><nextToken>${page2 || mode === 'empty' ? '' : 'p2'}</nextToken></DescribeSpotPriceHistoryResponse>`);
  });
  pg = await startPushgateway();
});

afterAll(async () => {
  await Promise.all([ec2?.close(), pg?.close()]);
});

const env = (over: { [k: string]: unknown } = {}) => ({
  AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEYS.secretAccessKey, JOB_NOW: NOW,
  JOB_CONFIG: JSON.stringify({ name: 'aiplatform-spot-prices', region: 'us-east-1', instanceTypes: ['g6e.2xlarge', 'g5.xlarge', 'p5.48xlarge'], ec2Endpoint: ec2.url, pushgateway: { url: pg.url, job: 'aiplatform-spot-prices' }, ...over }),
});

test('signed DescribeSpotPriceHistory over two pages: the latest price per type and zone pushed; exit 0', async () => {
  mode = 'ok';
  const r = await runBundle(bundle, env());
  expect(errorLines(r)).toEqual([]);
  expect(r.code).toBe(0);
  expect(failures).toEqual([]);
  const f = forms.slice(-2);
  expect(f.map((x) => x.get('Action'))).toEqual(['DescribeSpotPriceHistory', 'DescribeSpotPriceHistory']);
  expect(f[0].get('StartTime')).toBe('2026-12-07T06:00:00.000Z');
  expect(f[0].get('ProductDescription.1')).toBe('Linux/UNIX');
  expect([f[0].get('InstanceType.1'), f[0].get('InstanceType.2'), f[0].get('InstanceType.3')]).toEqual(['g6e.2xlarge', 'g5.xlarge', 'p5.48xlarge']);
  expect(f[1].get('NextToken')).toBe('p2');
  expect(r.stderr).toMatch(/p5\.48xlarge: no spot price in us-east-1/);
  const push = pg.pushes[pg.pushes.length - 1];
  expect(push.path).toBe('/metrics/job/aiplatform-spot-prices/prices/aiplatform-spot-prices');
  const price = (instance_type: string, zone: string) => sampleOf(push, 'aiplatform_spot_price_usd_per_hour', { instance_type, zone });
  expect(price('g6e.2xlarge', 'us-east-1a')).toBe(0.9); // the later of 0.87 (01:00) and 0.90 (05:10)
  expect(price('g6e.2xlarge', 'us-east-1b')).toBe(0.95);
  expect(price('g5.xlarge', 'us-east-1c')).toBe(0.4024);
  expect(push.families.get('aiplatform_spot_price_usd_per_hour')?.samples).toHaveLength(3);
});

test('denied, no price at all, bad config: exit 1 with one line', async () => {
  const one = async (e: { [k: string]: string }, re: RegExp) => {
    const r = await runBundle(bundle, e);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(re);
    expect(hasStackTrace(r)).toBe(false);
  };
  mode = 'denied';
  await one(env(), /HTTP 403 UnauthorizedOperation: You are not authorized to perform this operation\. \(the job's IAM role needs ec2:DescribeSpotPriceHistory\)/);
  mode = 'empty';
  await one(env(), /no spot price for g6e\.2xlarge, g5\.xlarge, p5\.48xlarge in us-east-1/);
  await one(env({ instanceTypes: ['G6E 2XL'] }), /JOB_CONFIG\.instanceTypes: "G6E 2XL" is not an instance type/);
});
