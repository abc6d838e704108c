export * from './data-collector';
export * from './data-table';
