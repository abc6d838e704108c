import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// One entry per protocol, so `@twinkit/adapters` alone never loads mqtt, modbus-serial or pg.
export default defineConfig({
  ...packageBuild,
  entry: {
    index: 'src/index.ts',
    mqtt: 'src/mqtt/index.ts',
    modbus: 'src/modbus/index.ts',
    postgres: 'src/postgres/index.ts',
  },
});
