/** The keys of `DataTableOptions`, checked by `new DataTable` and `new DataCollector`. @internal */
export const DATA_TABLE_OPTION_KEYS: readonly string[] = ['maxRows', 'window', 'sink', 'chunkRows'];
