export * from './find-path';
