// Baseline: what a synth costs when the provider packages are imported through their barrels
// (every resource class loaded), as code that does `import { EksCluster } from '@cdktf/provider-aws'`.
'use strict';
require('@cdktf/provider-aws');
require('@cdktf/provider-kubernetes');
require('@cdktf/provider-helm');
