// The floor: a trivial cdktf stack with deep provider imports (one VPC). What any cdktf app pays
// for loading cdktf, one provider class and synthesizing; bench/run.js measures it beside ours.
'use strict';
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { Vpc } = require('@cdktf/provider-aws/lib/vpc');

const app = new App();
const stack = new TerraformStack(app, 'floor');
new AwsProvider(stack, 'aws', { region: 'us-west-2' });
new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
app.synth();
