// Runs in a browser (bundled by scripts/ci/browser-bundle.mjs): exponential decay read from XMILE.
import { parseXmile, simulate } from '@twinkit/sd';

const x0 = 100;
const k = 0.1;
const stop = 10;
const dt = 0.25;
const model = parseXmile(`<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><name>decay</name></header>
  <sim_specs method="Euler"><start>0</start><stop>${stop}</stop><dt>${dt}</dt></sim_specs>
  <model><variables>
    <stock name="Amount"><eqn>${x0}</eqn><outflow>Decay</outflow></stock>
    <flow name="Decay"><eqn>Amount * Rate</eqn></flow>
    <aux name="Rate"><eqn>${k}</eqn></aux>
  </variables></model>
</xmile>`);
const results = simulate(model);
window.__result = { x0, k, stop, dt, rows: results.rowCount, final: results.final('amount') };
