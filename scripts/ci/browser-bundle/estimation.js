// Runs in a browser (bundled by scripts/ci/browser-bundle.mjs): a Kalman filter on a constant level.
import { KalmanFilter } from '@twinkit/estimation';

const kf = new KalmanFilter({
  x0: [0],
  P0: [[1e6]],
  F: () => [[1]],
  Q: () => [[0]],
  sensors: { level: { H: [[1]], R: [[1]] } },
});
const readings = [4.8, 5.3, 4.9, 5.1];
for (const z of readings) kf.update([z], { sensor: 'level' });
window.__result = { readings, x: kf.x[0], P: kf.P[0][0] };
