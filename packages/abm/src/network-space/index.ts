export * from './network-space';
