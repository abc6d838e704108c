/**
 * An XMILE 1.0 document around `variables` (the contents of `<model><variables>`), with Euler sim
 * specs: the wrapper the sd tests write their small models in.
 */
export function xmileDocument(
  variables: string,
  specs = '<start>0</start><stop>10</stop><dt>1</dt>',
): string {
  return `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="Euler">${specs}</sim_specs>
<model><variables>
${variables}
</variables></model></xmile>`;
}
