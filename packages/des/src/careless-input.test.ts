// Careless input as a new user would give it (issue 11): misspelt options of the DES resources are
// refused naming the API, the key and the closest option, and messages show the public class name
// even when a bundler renames the class.
import { Simulation } from '@twinkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown';
import {
  Container,
  FilterStore,
  PreemptiveResource,
  PriorityResource,
  PriorityStore,
  Resource,
  Store,
  startTrace,
} from './index';
import { fileTraceSink } from './node';

const thrownInvalid = (fn: () => unknown) => thrown(fn, 'INVALID_ARGUMENT');

describe('DES options with a misspelt key', () => {
  const sim = new Simulation();

  it('are refused naming the API, the key, its value and the closest option', () => {
    expect(thrownInvalid(() => new Container(sim, { capacity: 5, init: 3 } as never)).message).toBe(
      "new Container(sim, options): unknown option 'init' (given 3); the options are 'capacity', 'initial', 'name' and 'queueCapacity'. Did you mean 'initial'?",
    );
    const cases: [() => unknown, RegExp][] = [
      [
        () => new Resource(sim, { capacty: 2 } as never),
        /^new Resource\(sim, options\): unknown option 'capacty' \(given 2\).*Did you mean 'capacity'\?$/,
      ],
      [
        () => new PriorityResource(sim, { nmae: 'desk' } as never),
        /^new PriorityResource\(sim, options\): unknown option 'nmae' \(given "desk"\).*Did you mean 'name'\?$/,
      ],
      [
        () => new PreemptiveResource(sim, { queueCapacit: 1 } as never),
        /^new PreemptiveResource\(sim, options\): unknown option 'queueCapacit'.*Did you mean 'queueCapacity'\?$/,
      ],
      [
        () => new Store(sim, { size: 5 } as never),
        /^new Store\(sim, options\): unknown option 'size' \(given 5\); the options are 'capacity', 'name' and 'queueCapacity'\. Remove it/,
      ],
      [
        () => new FilterStore(sim, { Capacity: 5 } as never),
        /^new FilterStore\(sim, options\): unknown option 'Capacity'.*Did you mean 'capacity'\?$/,
      ],
      [
        () => new PriorityStore(sim, { capacity: 5, initial: 1 } as never),
        /^new PriorityStore\(sim, options\): unknown option 'initial'/,
      ],
      [
        () => startTrace(sim, { kind: ['grant'] } as never),
        /^startTrace\(sim, options\): unknown option 'kind' \(given \["grant"\]\).*Did you mean 'kinds'\?$/,
      ],
      [
        () => fileTraceSink('/tmp/never-written.log', { fromat: 'jsonl' } as never),
        /^fileTraceSink\(path, options\): unknown option 'fromat'.*Did you mean 'format'\?$/,
      ],
      [
        () => new Container(sim, 5 as never),
        /^new Container\(sim, options\): options must be an object .*, got 5\. Pass for example \{ capacity: 100, initial: 50 \}\.$/,
      ],
    ];
    for (const [call, message] of cases) expect(thrownInvalid(call).message).toMatch(message);
  });

  it('leaves well-spelt options alone', () => {
    const tank = new Container(sim, { capacity: 5, initial: 3, name: 'tank', queueCapacity: 2 });
    expect(tank.level).toBe(3);
  });
});

describe('class names in messages and default names', () => {
  const renamed: [object, string][] = [];
  /** Renames a class as a bundler does (esbuild emits `class _Resource` for a self-referencing class). */
  function rename(cls: object, name: string): void {
    renamed.push([cls, (cls as { name: string }).name]);
    Object.defineProperty(cls, 'name', { value: name, configurable: true });
  }
  afterEach(() => {
    for (const [cls, name] of renamed.splice(0))
      Object.defineProperty(cls, 'name', { value: name, configurable: true });
  });

  it('stay the public names when the classes are renamed', () => {
    rename(Resource, '_Resource');
    rename(PriorityResource, 'e');
    rename(Container, 't');
    rename(Store, 'n');
    rename(FilterStore, 'r');
    const sim = new Simulation();
    expect(new Resource(sim).name).toBe('Resource-1');
    expect(new PriorityResource(sim).name).toBe('PriorityResource-2');
    expect(new Container(sim).name).toBe('Container-3');
    expect(new FilterStore(sim).name).toBe('FilterStore-4');
    expect(() => new Resource(sim, { capacity: 0 })).toThrow(/^Resource\(capacity\): capacity must be/);
    expect(() => new Store(sim, { capacity: 0 })).toThrow(/^Store\(capacity\): /);
    expect(() => new Container(sim, { capacity: 1, init: 1 } as never)).toThrow(
      /^new Container\(sim, options\)/,
    );
    expect(() => new Resource(sim).setCapacity(0)).toThrow(/^Resource\.setCapacity\(capacity\)/);
  });

  it('are a user subclass own name', () => {
    class Crane extends Resource {}
    const sim = new Simulation();
    expect(new Crane(sim).name).toBe('Crane-1');
    expect(() => new Crane(sim, { capacity: 0 })).toThrow(/^Crane\(capacity\)/);
  });
});
