import { checkModel, listXmileModels } from '../src/conformance/conformance';
const root = '/work/shared/fixtures/sd-test-models';
const c = { pass: 0, fail: 0, rejected: 0 };
for (const m of listXmileModels(root)) {
  const r = checkModel(m, root);
  c[r.status]++;
  console.log(r.status.padEnd(8), r.model.padEnd(70), r.detail.slice(0, 220));
}
console.log(c);
