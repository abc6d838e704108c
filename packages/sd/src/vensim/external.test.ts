import { describe, expect, it } from 'vitest';
import { simulate } from '../runner';
import { cellAddress, cellName, parseGetCall } from './external';
import { readVensim, VENSIM_NA, VensimError, type VensimWorkbook } from './index';

const CONTROL = `
INITIAL TIME = 0 ~~|
FINAL TIME = 4 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = 0.5 ~~|
`;

/** A workbook over one grid (sheet "S"), with defined names. */
function book(
  grid: Array<Array<number | string | undefined>>,
  names: VensimWorkbook['range'] = () => undefined,
) {
  const opened: string[] = [];
  const workbook = (file: string): VensimWorkbook => {
    opened.push(file);
    return {
      sheets: ['S'],
      cell: (_s, r, c) => grid[r]?.[c],
      extent: () => ({ rows: grid.length, cols: Math.max(...grid.map((r) => r.length)) }),
      range: names,
    };
  };
  return { workbook, opened };
}

describe('Vensim GET DIRECT / GET XLS', () => {
  it('parses the calls and cell references', () => {
    expect(parseGetCall("GET XLS DATA('a.xls', 'S', '4', 'C5')")).toEqual({
      fn: 'GET XLS DATA',
      what: 'DATA',
      file: 'a.xls',
      tab: 'S',
      axis: '4',
      cell: 'C5',
      transpose: false,
    });
    expect(parseGetCall("GET_DIRECT_CONSTANTS('a.xlsx', 'S', 'var*')")).toMatchObject({
      fn: 'GET DIRECT CONSTANTS',
      cell: 'var',
      transpose: true,
    });
    expect(parseGetCall("GET DIRECT CONSTANTS('a.xlsx', 'S')")).toEqual({
      error: "GET DIRECT CONSTANTS takes 3 quoted arguments ('file', 'tab', ...), got ('a.xlsx', 'S')",
    });
    expect(parseGetCall('x + 1')).toBeNull();
    expect(cellAddress('AZ10')).toEqual({ row: 9, col: 51 });
    expect(cellAddress('$B$3')).toEqual({ row: 2, col: 1 });
    expect(cellName(9, 51)).toBe('AZ10');
  });

  it('reads constants: a row, a column (*), a matrix, and a defined name', () => {
    const { workbook, opened } = book(
      [
        [undefined, 1, 2, 3],
        [undefined, 4, 5, 6],
        [7, 8],
      ],
      (name) => (name === 'corner' ? { sheet: 'S', top: 2, left: 0, bottom: 2, right: 1 } : undefined),
    );
    const model = readVensim(
      `d: A, B, C ~~|\ne: X, Y ~~|
row[d] = GET DIRECT CONSTANTS('in.xlsx', 'S', 'B1') ~~|
col[e] = GET XLS CONSTANTS('in.xlsx', 'S', 'B1*') ~~|
m[e, d] = GET DIRECT CONSTANTS('in.xlsx', 'S', 'B1') ~~|
named = GET DIRECT CONSTANTS('in.xlsx', 'S', 'corner') ~~|
one[A, e] = GET DIRECT CONSTANTS('in.xlsx', 'S', 'A3') ~~|
${CONTROL}`,
      { workbook },
    );
    const r = simulate(model);
    expect(['A', 'B', 'C'].map((x) => r.final(`row[${x}]`))).toEqual([1, 2, 3]);
    expect(['X', 'Y'].map((x) => r.final(`col[${x}]`))).toEqual([1, 4]);
    expect(r.final('m[Y,C]')).toBe(6);
    expect(r.final('named')).toBe(7);
    expect(r.final('one[A,Y]')).toBe(8);
    expect(opened).toEqual(['in.xlsx']); // Opened once.
  });

  it('reads data (interpolated, held backward, looked forward) and lookups, skipping missing values', () => {
    const { workbook } = book([
      ['time', 0, 1, undefined, 3, 4],
      ['a', 10, 20, 25, 'n/a', 60],
      ['b', 1, 2, 3, 4, 5],
    ]);
    const model = readVensim(
      `d: A, B ~~|
i[d]:INTERPOLATE::= GET XLS DATA('in.xls', 'S', '1', 'B2') ~~|
h[d]:HOLD BACKWARD::= GET XLS DATA('in.xls', 'S', '1', 'B2') ~~|
f[d]:LOOK FORWARD::= GET XLS DATA('in.xls', 'S', '1', 'B2') ~~|
plain := GET DIRECT DATA('in.xls', 'S', '1', 'B3') ~~|
l[d](GET XLS LOOKUPS('in.xls', 'S', '1', 'B2')) ~~|
la = l[A](Time / 2) ~~|
${CONTROL}`,
      { workbook },
    );
    const r = simulate(model);
    // a: (0, 10), (1, 20), (4, 60): the blank time and the text value are skipped.
    const interpolated = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4].map((t) =>
      t <= 1 ? 10 + 10 * t : 20 + (40 * (t - 1)) / 3,
    );
    [...r.series('i[A]')].forEach((v, k) => {
      expect(v).toBeCloseTo(interpolated[k]!, 12);
    });
    expect([...r.series('h[A]')]).toEqual([10, 10, 20, 20, 20, 20, 20, 20, 60]);
    expect([...r.series('f[A]')]).toEqual([10, 20, 20, 60, 60, 60, 60, 60, 60]);
    expect(r.series('plain')[3]).toBe(2.5);
    expect(r.final('i[B]')).toBe(5);
    expect(r.final('la')).toBeCloseTo(20 + 40 / 3, 12);
  });

  it('reads subscript ranges from a file (GET DIRECT SUBSCRIPT)', () => {
    const { workbook } = book([['Entry', 1, 2, 3]]);
    const model = readVensim(
      `d: GET DIRECT SUBSCRIPT('in.xls', 'S', 'B1', 'D1', 'E') ~~|\nx[d] = 1, 2, 3 ~~|\n${CONTROL}`,
      { workbook },
    );
    expect(simulate(model).final('x[E3]')).toBe(3);
  });

  it('refuses what it cannot read, naming the function, the file, the cell and the remedy', () => {
    const refuse = (text: string, withBook = true) => {
      try {
        readVensim(`${text}\n${CONTROL}`, {
          file: 'm.mdl',
          ...(withBook ? { workbook: book([[1, 'x']]).workbook } : {}),
        });
      } catch (e) {
        expect(e).toBeInstanceOf(VensimError);
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refuse("c = GET DIRECT CONSTANTS('in.xlsx', 'S', 'A1') ~~|", false)).toMatch(
      /line 1: variable "c": GET DIRECT CONSTANTS reads "in.xlsx", but readVensim\(text\) was given no workbook .* loadVensim\(path\)/,
    );
    expect(refuse("c = GET DIRECT CONSTANTS('in.xlsx', 'Nope', 'A1') ~~|")).toMatch(
      /variable "c": GET DIRECT CONSTANTS: "in.xlsx" has no sheet "Nope" \(it has "S"\)/,
    );
    expect(refuse("c = GET DIRECT CONSTANTS('in.xlsx', 'S', 'B1') ~~|")).toMatch(
      /GET DIRECT CONSTANTS: cell B1 of "in.xlsx" sheet "S" holds "x", not a number/,
    );
    expect(refuse("c = GET DIRECT CONSTANTS('in.xlsx', 'S', 'C1') ~~|")).toMatch(/cell C1 .* is empty/);
    expect(refuse("c = GET DIRECT CONSTANTS('in.xlsx', 'S', 'nowhere') ~~|")).toMatch(
      /"nowhere" is neither a cell \(B3\) nor a name defined in "in.xlsx"/,
    );
    expect(refuse("c := GET DIRECT CONSTANTS('in.xlsx', 'S', 'A1') ~~|")).toMatch(
      /GET DIRECT CONSTANTS does not read data/,
    );
  });

  it('reads :RAW: data only at the times of the file, :NA: between them', () => {
    const { workbook } = book([
      [0, 1, 2],
      [5, 6, 7],
    ]);
    const r = simulate(
      readVensim(`raw:RAW::= GET DIRECT DATA('in.xls', 'S', '1', 'A2') ~~|\n${CONTROL}`, { workbook }),
    );
    expect([...r.series('raw')]).toEqual([
      5,
      VENSIM_NA,
      6,
      VENSIM_NA,
      7,
      VENSIM_NA,
      VENSIM_NA,
      VENSIM_NA,
      VENSIM_NA,
    ]);
  });

  it("reads data variables without an equation from the run's data files (columns named x[A])", () => {
    const { workbook, opened } = book([
      ['Time', 'x[A]', 'x[B]', 'y'],
      [0, 1, 10, 3],
      [2, 3, 30, undefined],
      [4, 5, 50, undefined],
    ]);
    const text = `d: A, B ~~|\nx[d]:INTERPOLATE: ~~|\ny ~~|\nz = x[B] + y ~~|\n${CONTROL}`;
    const r = simulate(readVensim(text, { workbook, dataFiles: ['run.tab'] }));
    expect(opened).toEqual(['run.tab']);
    expect([...r.series('x[A]')]).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(r.series('z')[1]).toBe(15 + 3);
    expect(() => readVensim(text, { workbook })).toThrow(
      /line 2: variable "x": is a data variable \(:INTERPOLATE:\) whose values come from the run's data files, and none was given: pass them as loadVensim\(path, \{ dataFiles/,
    );
    expect(() =>
      readVensim(`w:HOLD BACKWARD: ~~|\n${CONTROL}`, { workbook, dataFiles: ['run.tab'] }),
    ).toThrow(/variable "w": is a data variable, but the data files \(run.tab\) have no column w/);
  });
});
