export { chiSquareQuantile, tCdf, tQuantile } from './quantiles';
