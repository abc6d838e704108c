// The ReadingChannel's iterator (hand-written for speed) behaves as the async generator it replaced.
import { TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../reading';
import { ReadingChannel, SourceCounters } from './source';

const reading = (i: number): Reading => ({
  timestamp: new Date(i).toISOString(),
  time: i,
  source: 'f/a/m/telemetry/x',
  value: i,
  unit: '1',
  quality: 'good',
  sensor_id: 'X',
  receivedAt: i,
});

describe('ReadingChannel iteration', () => {
  it('hands out what is held, then waits, then ends after the last reading; counts each as accepted', async () => {
    const counters = new SourceCounters();
    const channel = new ReadingChannel(counters, { capacity: 10 });
    channel.offer(reading(1));
    channel.offer(reading(2));
    const seen: number[] = [];
    const consuming = (async () => {
      for await (const r of channel) seen.push(r.value);
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual([1, 2]);
    channel.offer(reading(3));
    await channel.put(reading(4));
    channel.end();
    await consuming;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(counters.snapshot(channel.size)).toMatchObject({ accepted: 4, lastReadingTime: { X: 4 } });
  });

  it('throws the error given to end, after the held readings, and is done afterwards', async () => {
    const channel = new ReadingChannel(new SourceCounters(), { capacity: 10 });
    channel.offer(reading(1));
    channel.end(new Error('link lost'));
    const iterator = channel[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: reading(1), done: false });
    await expect(iterator.next()).rejects.toThrow('link lost');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('refuses a second consumer while one iterates, and takes a new one after return()', async () => {
    const channel = new ReadingChannel(new SourceCounters(), { capacity: 10 });
    channel.offer(reading(1));
    channel.offer(reading(2));
    const first = channel[Symbol.asyncIterator]();
    expect((await first.next()).value?.value).toBe(1);
    const second = channel[Symbol.asyncIterator]();
    const refused = await second.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TwinkitError);
    expect((refused as Error).message).toMatch(/a source has one consumer; it is already being iterated/);
    await first.return?.();
    expect(await first.next()).toEqual({ value: undefined, done: true });
    const third = channel[Symbol.asyncIterator]();
    expect((await third.next()).value?.value).toBe(2);
  });

  it('queues a next() called while another waits, and is iterable itself', async () => {
    const channel = new ReadingChannel(new SourceCounters(), { capacity: 10 });
    const iterator = channel[Symbol.asyncIterator]() as AsyncIterableIterator<Reading>;
    const a = iterator.next();
    const b = iterator.next();
    channel.offer(reading(1));
    channel.offer(reading(2));
    expect((await a).value?.value).toBe(1);
    expect((await b).value?.value).toBe(2);
    channel.offer(reading(3));
    channel.end();
    const rest: number[] = [];
    for await (const r of iterator) rest.push(r.value);
    expect(rest).toEqual([3]);
  });

  it('lets a waiting put in when the consumer takes, and drops (counted) what is put after the end', async () => {
    const counters = new SourceCounters();
    const channel = new ReadingChannel(counters, { capacity: 1 });
    channel.offer(reading(1));
    let putDone = false;
    const putting = channel.put(reading(2)).then(() => {
      putDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(putDone).toBe(false);
    const iterator = channel[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.value).toBe(1);
    await putting;
    expect(channel.size).toBe(1);
    channel.discard();
    await channel.put(reading(3));
    expect(counters.snapshot(channel.size)).toMatchObject({ accepted: 1, dropped: { closed: 2 } });
  });
});
