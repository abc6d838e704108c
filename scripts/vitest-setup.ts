// A stray console.* call in a test run is an error: tests say what they mean with assertions.
// Tests that check printed output capture it explicitly (for example by spawning the example).
import { afterEach } from 'vitest';

const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const calls: string[] = [];
for (const method of methods) {
  console[method] = (...args: unknown[]) => {
    calls.push(`console.${method}(${args.map((a) => String(a)).join(', ')})`);
  };
}
afterEach(() => {
  if (calls.length > 0) {
    const seen = calls.splice(0, calls.length);
    throw new Error(`A test wrote to the console; assert instead:\n${seen.slice(0, 5).join('\n')}`);
  }
});
