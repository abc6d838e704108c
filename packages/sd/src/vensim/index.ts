export { type ReadVensimOptions, readVensim, VensimError } from './vensim';
