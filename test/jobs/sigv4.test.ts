// The expected values are AWS's published examples: "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk" (Amazon S3 API Reference, examples GET Object, PUT Object,
// GET Bucket Lifecycle, Get Bucket (List Objects)) and the signing-key example of the IAM user guide
// ("Create a signed AWS API request", 20150830/us-east-1/iam).
import { amzDate, canonicalPath, canonicalQuery, sha256Hex, signRequest, signingKey, uriEncode } from '../../lib/jobs/runtime/aws/sigv4';
import { decodeXml, xmlElements, xmlText } from '../../lib/jobs/runtime/aws/xml';

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2013-05-24T00:00:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function sign(method: string, url: string, headers: { [k: string]: string }, payloadHash = EMPTY) {
  return signRequest({ method, url: new URL(url), headers, payloadHash, region: 'us-east-1', service: 's3', now: NOW }, CREDS);
}

describe('SigV4 against the AWS S3 documentation examples', () => {
  test('GET Object with a Range header', () => {
    const s = sign('GET', 'https://examplebucket.s3.amazonaws.com/test.txt', { Range: 'bytes=0-9' });
    expect(s.canonicalRequest).toBe([
      'GET', '/test.txt', '',
      'host:examplebucket.s3.amazonaws.com', 'range:bytes=0-9', `x-amz-content-sha256:${EMPTY}`, 'x-amz-date:20130524T000000Z', '',
      'host;range;x-amz-content-sha256;x-amz-date', EMPTY,
    ].join('\n'));
    expect(s.stringToSign).toBe('AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(s.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  test('PUT Object: a "$" in the key is encoded in the canonical URI', () => {
    const body = 'Welcome to Amazon S3.';
    expect(sha256Hex(body)).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const s = sign('PUT', 'https://examplebucket.s3.amazonaws.com/test$file.text', { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' }, sha256Hex(body));
    expect(s.canonicalRequest.split('\n')[1]).toBe('/test%24file.text');
    expect(sha256Hex(s.canonicalRequest)).toBe('9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d');
    expect(s.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  test('GET Bucket Lifecycle: a bare query parameter signs as "lifecycle="', () => {
    const s = sign('GET', 'https://examplebucket.s3.amazonaws.com/?lifecycle', {});
    expect(sha256Hex(s.canonicalRequest)).toBe('9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca');
    expect(s.signature).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  });

  test('List Objects: query parameters are sorted', () => {
    const s = sign('GET', 'https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2', {});
    expect(sha256Hex(s.canonicalRequest)).toBe('df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7');
    expect(s.signature).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  test('signing key of the IAM example', () => {
    expect(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam').toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });
});

describe('SigV4 details', () => {
  test('URI encoding is RFC 3986 unreserved-only, unlike encodeURIComponent', () => {
    expect(uriEncode("!'()*")).toBe('%21%27%28%29%2A');
    expect(uriEncode('a b+c=é')).toBe('a%20b%2Bc%3D%C3%A9');
    expect(uriEncode('a-b_c.d~e')).toBe('a-b_c.d~e');
    expect(uriEncode('dir/f x.csv', true)).toBe('dir/f%20x.csv');
    expect(canonicalPath('/b/dir/f%20x.csv')).toBe('/b/dir/f%20x.csv');
    expect(canonicalPath('/b/a%2Fb')).toBe('/b/a%2Fb');
  });

  test('query canonicalization keeps "+" as a literal plus and sorts equal names by value', () => {
    expect(canonicalQuery(new URL('https://h/?b=2&a=y&a=x&c'))).toBe('a=x&a=y&b=2&c=');
    expect(canonicalQuery(new URL('https://h/?prefix=a%2Bb'))).toBe('prefix=a%2Bb');
  });

  test('a session token is signed (temporary credentials from IRSA)', () => {
    const s = signRequest({ method: 'GET', url: new URL('http://127.0.0.1:9000/b/k'), payloadHash: EMPTY, region: 'eu-west-1', service: 's3', now: NOW }, { ...CREDS, sessionToken: 'tok' });
    expect(s.headers['x-amz-security-token']).toBe('tok');
    expect(s.headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(s.headers.host).toBe('127.0.0.1:9000');
    expect(amzDate(new Date('2024-02-29T23:59:59.999Z'))).toBe('20240229T235959Z');
  });

  test('the small XML reader decodes entities and finds repeated elements', () => {
    const xml = '<R><Contents><Key>a&amp;b &lt;1&gt; &#233;&#x41;</Key></Contents><Contents><Key>c</Key></Contents><IsTruncated>false</IsTruncated></R>';
    expect(xmlElements(xml, 'Contents').map((c) => xmlText(c, 'Key'))).toEqual(['a&b <1> éA', 'c']);
    expect(xmlText(xml, 'Missing')).toBeUndefined();
    expect(decodeXml('&quot;&apos;&unknown;')).toBe(`"'&unknown;`);
  });
});
