export type { MatrixLike, VectorLike } from './matrix-like';
