import { AiCluster } from '../../lib';
import { awsStack, synth, resourceCounts } from '../harness/synth';
import { terraformCheck, describeDiagnostics } from '../harness/terraform';

test('smoke', () => {
  const stack = awsStack();
  new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] });
  const t0 = Date.now();
  const s = synth(stack);
  console.log(Date.now() - t0, resourceCounts(s));
  const r = terraformCheck(s);
  console.log(describeDiagnostics(r), r.plannedCreates.length, Date.now() - t0);
});
