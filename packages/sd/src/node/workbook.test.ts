import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const suite = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../fixtures/sd-test-models');

describe('openWorkbook', () => {
  it('reads .xls and .xlsx cells and defined names with SheetJS', async () => {
    const { openWorkbook } = await import('./workbook');
    const xls = openWorkbook('api', resolve(suite, 'tests/get_lookups_subset/input.xls'), 'input.xls');
    expect(xls.sheets).toEqual(['Sheet1']);
    expect(xls.cell('Sheet1', 3, 2)).toBe(0); // C4
    expect(xls.cell('Sheet1', 3, 1)).toBe('time');
    expect(xls.cell('Sheet1', 0, 0)).toBeUndefined();
    expect(xls.extent('Sheet1')).toEqual({ rows: 8, cols: 9 });
    const xlsx = openWorkbook('api', resolve(suite, 'tests/with_lookup/inputs.xlsx'), 'inputs.xlsx');
    expect(xlsx.range('var1_', 'tab1')).toEqual({ sheet: 'tab1', top: 4, left: 2, bottom: 6, right: 4 });
    expect(xlsx.range('nothing', 'tab1')).toBeUndefined();
  });

  it('reads a .tab file as text, its one sheet matching any tab name', async () => {
    const { openWorkbook } = await import('./workbook');
    const tab = openWorkbook('api', resolve(suite, 'tests/data_from_other_model/data.tab'), 'data.tab');
    expect(tab.sheets).toEqual(['*']);
    expect(tab.cell('*', 0, 0)).toBe('Time');
    expect(tab.cell('*', 1, 1)).toBe(6);
  });

  it('reads a .csv file with csv-parse: quoted fields may hold the separator and quotes', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { openWorkbook } = await import('./workbook');
    const dir = mkdtempSync(resolve(tmpdir(), 'twinkit-csv-'));
    const path = resolve(dir, 'in.csv');
    writeFileSync(path, 'time,"demand, north","say ""hi"""\n0, 1.5 ,x\n1,,2e3\n');
    const csv = openWorkbook('api', path, 'in.csv');
    expect(csv.cell('*', 0, 1)).toBe('demand, north');
    expect(csv.cell('*', 0, 2)).toBe('say "hi"');
    expect(csv.cell('*', 1, 1)).toBe(1.5);
    expect(csv.cell('*', 2, 1)).toBeUndefined();
    expect(csv.cell('*', 2, 2)).toBe(2000);
    expect(csv.extent('*')).toEqual({ rows: 3, cols: 3 });
  });

  it('names the API, the path and the error when the file cannot be read', async () => {
    const { openWorkbook } = await import('./workbook');
    expect(() => openWorkbook('loadVensim(path)', '/nowhere/in.xlsx', 'in.xlsx')).toThrow(
      /loadVensim\(path\): cannot read the data file "\/nowhere\/in.xlsx"/,
    );
  });

  it('tells to install xlsx when SheetJS is missing', async () => {
    vi.resetModules();
    vi.doMock('node:module', () => ({
      createRequire: () => () => {
        throw new Error("Cannot find module 'xlsx'");
      },
    }));
    try {
      const { openWorkbook } = await import('./workbook');
      expect(() =>
        openWorkbook('loadVensim(path)', resolve(suite, 'tests/with_lookup/inputs.xlsx'), 'inputs.xlsx'),
      ).toThrow(
        /loadVensim\(path\): the model reads the spreadsheet "inputs.xlsx", which needs the optional package xlsx \(SheetJS\), not installed: run `npm install xlsx`/,
      );
    } finally {
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });
});
