/**
 * The sensors' physics: what a vibration or temperature sensor reads, without noise, for a machine
 * of a given health (percent). The plant uses these functions with noise to make telemetry; the
 * twin's filter uses the same functions (and their derivatives) as its measurement model.
 */

/** Vibration (RMS, g) of a machine with health `h`: 0.5 g as new, rising with the square of the wear. */
export function vibrationOf(h: number): number {
  const wear = (100 - h) / 100;
  return 0.5 + 4.5 * wear * wear;
}

/** Derivative of {@link vibrationOf} with respect to health. */
export function vibrationSlope(h: number): number {
  return (-9 * (100 - h)) / 10_000;
}

/** Housing temperature (°C) of a machine with health `h`: 45 °C as new, 0.35 °C warmer per point lost. */
export function temperatureOf(h: number): number {
  return 45 + 0.35 * (100 - h);
}

/** Derivative of {@link temperatureOf} with respect to health. */
export function temperatureSlope(_h: number): number {
  return -0.35;
}

/** Units of the readings, as written in the telemetry. */
export const SENSOR_UNITS = { vibration: 'g', temperature: 'celsius', state: 'running' } as const;

/** The kinds of readings a machine produces. */
export type SensorKind = keyof typeof SENSOR_UNITS;
