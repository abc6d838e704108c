export * from './id-index';
export * from './random-source';
