export { type ReadVensimOptions, readVensim, VENSIM_NA, VensimError } from './vensim';
