export { CSV_COLUMNS, type CsvColumn } from './csv';
export * from './file-sink';
export * from './file-source';
