// `npm run synth` (or `cdktf synth` in the repository root) synthesizes this offline into cdktf.out/.
import { App } from 'cdktf';
import { buildPlatform } from './platform';

const app = new App();
buildPlatform(app);
app.synth();
