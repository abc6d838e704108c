export type { CellRange, VensimWorkbook } from './external';
export { type ReadVensimOptions, readVensim, VENSIM_NA, VensimError } from './vensim';
