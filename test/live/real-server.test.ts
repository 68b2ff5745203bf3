// `npm run test:live`: the conformance suite against the Dify that DIFY_LIVE_URL names
// (scripts/test-live.ts skips with one line when it is not set).
import { describeConformance } from './conformance.js';
import { readLiveTarget } from './target.js';

const read = readLiveTarget();
if ('target' in read) describeConformance(read.target.label, () => read.target);
else throw new Error(read.skip);
