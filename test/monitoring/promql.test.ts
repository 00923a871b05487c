import { PromQlError, parsePromQl, promAlternatives, promString } from '../../lib/monitoring/promql';

describe('parsePromQl accepts what Prometheus accepts', () => {
  test.each([
    'up',
    'up{job="x"} == 0',
    'histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket{namespace="x",model_name!=""}[5m]))) > 3',
    'sum by (model_name) (vllm:num_requests_waiting{a="b"}) / count by (model_name) (vllm:num_requests_waiting{a="b"}) > 5',
    'sum(rate(x_total[5m])) by (le)',
    '(kube_deployment_spec_replicas{namespace="n",deployment=~"a|b"} > 0) and on (namespace, deployment) (kube_deployment_status_replicas_available{namespace="n"} == 0)',
    'time() - max(aiplatform_job_last_success_timestamp_seconds{job="x"}) > 3600',
    'rate(foo[1d] offset 7d)',
    'max_over_time(foo[1h:5m])',
    'max_over_time((foo > 1)[1h:])',
    'label_replace(max by (namespace) (foo) > 0, "monitor", "x", "", "")',
    'a * on (ns) group_left (model_name) b',
    'a / ignoring (code) group_right b',
    'topk(3, x)',
    'count_values("v", x)',
    'quantile(0.9, x) by (a)',
    '1 > bool 2',
    '-x + +1',
    '2 ^ 3 ^ 2',
    '{__name__="foo"}',
    '{job=~".+"}',
    'foo @ 1700000000',
    'x # a comment\n + y',
    `foo{a='single', b=\`raw\\d\`}`,
    'vector(1) or absent(foo)',
    'round(x)',
    'round(x, 0.1)',
    'label_join(x, "dst", ",", "a", "b", "c")',
    'Inf > bool NaN',
    'foo{bar="x",}',
  ])('%s', (expr) => {
    expect(() => parsePromQl(expr)).not.toThrow();
  });
});

describe('parsePromQl rejects what Prometheus rejects', () => {
  test.each([
    ['rate(foo)', /argument 1 must be a range vector/],
    ['(foo)[5m]', /range \[\.\.\] applies to a vector selector only/],
    ['rate(foo[5m])[5m]', /range \[\.\.\] applies to a vector selector only/],
    ['rate(foo[5m]) offset 5m', /offset applies to a selector or a subquery/],
    ['foo +', /unexpected the end/],
    ['sum(foo', /expected "\)"/],
    ['foo)', /unexpected "\)" after the end/],
    ['foo{a=b}', /expected a quoted value after a=/],
    ['foo{a~"b"}', /unexpected character "~"|expected =/],
    ['foo[5m] + 1', /cannot take a range vector/],
    ['bar(foo)', /unknown function bar\(\)/],
    ['1 > 2', /need "bool"/],
    ['a + bool b', /"bool" only follows a comparison/],
    ['a and on (x) group_left b', /group_left is not allowed with the set operator "and"/],
    ['a * group_left b', /needs on\(\.\.\.\) or ignoring/],
    ['{a=""}', /at least one matcher that does not match the empty string/],
    ['{a=~".*"}', /at least one matcher that does not match the empty string/],
    ['foo offset', /expected a duration after offset/],
    ['foo[5]', /expected a duration/],
    ['histogram_quantile(foo, bar)', /argument 1 must be a scalar/],
    ['sum(rate(x[5m]) by (le)', /expected "\)"/],
    ['foo{a=~"("}', /invalid regular expression/],
    ['"unterminated', /unterminated string/],
    ['time(1)', /takes 0 argument/],
    ['1 and 2', /set operator "and" needs instant vectors/],
  ])('%s', (expr, message) => {
    expect(() => parsePromQl(expr)).toThrow(PromQlError);
    expect(() => parsePromQl(expr)).toThrow(message);
  });
});

describe('what an expression reads', () => {
  test('metric names of selectors (also __name__), functions and the type', () => {
    const info = parsePromQl('rate(a_total{x="1"}[5m]) / on (x) group_left () b + {__name__="c"} and vector(scalar(d)) > bool 1');
    expect(info.metricNames).toEqual(['a_total', 'b', 'c', 'd']);
    expect(info.functions).toEqual(['rate', 'vector', 'scalar']);
    expect(info.type).toBe('vector');
    expect(parsePromQl('time()').type).toBe('scalar');
  });

  test('label names that are keywords are still label names', () => {
    expect(parsePromQl('sum by (on, by) (x{offset="1"})').metricNames).toEqual(['x']);
  });
});

test('string and regex literals escape what PromQL needs', () => {
  expect(promString('a"b\\c')).toBe('"a\\"b\\\\c"');
  expect(parsePromQl(`x{m=${promString('we"ird\\name')}}`).metricNames).toEqual(['x']);
  const re = promAlternatives(['meta-llama/Llama-3.1-8B', 'qwen2.5']);
  expect(re).toBe('meta-llama/Llama-3\\.1-8B|qwen2\\.5');
  expect(new RegExp(`^(?:${re})$`).test('qwen2.5')).toBe(true);
  expect(new RegExp(`^(?:${re})$`).test('qwen2x5')).toBe(false);
});
