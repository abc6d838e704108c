import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// One entry per protocol, so `@twinkit/adapters` alone never loads mqtt, modbus-serial, pg or fastify.
// `splitting`: what the entries share (the source and sink contracts, the event ids) is one chunk
// that every entry imports, not a copy per entry, so `instanceof` and module state hold across
// `@twinkit/adapters` and its subpaths.
export default defineConfig({
  ...packageBuild,
  splitting: true,
  entry: {
    index: 'src/index.ts',
    mqtt: 'src/mqtt/index.ts',
    modbus: 'src/modbus/index.ts',
    postgres: 'src/postgres/index.ts',
    http: 'src/http/index.ts',
  },
});
